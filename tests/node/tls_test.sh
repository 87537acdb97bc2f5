#!/usr/bin/env bash
# TLS: a self-signed certificate made by `openssl req`, ecoledgerd started
# with --tls-cert/--tls-key, and curl --cacert talking to it (GET /healthz and
# a signed POST /v1/tx). Also: with TLS configured there is no plain HTTP on
# the port, an untrusted certificate is refused by curl, and a TLS key that
# others may read stops the node from starting.
# usage: tls_test.sh ECOLEDGERD ECOLEDGER
set -euo pipefail
node_bin=$1
cli=$2
work=$(mktemp -d /tmp/ecoledger-tls-XXXXXX)
pid=
cleanup() {
  if [[ -n $pid ]]; then kill -9 "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# --help prints the flags (TLS ones among them) and exits 0.
"$node_bin" --help | grep -q -- "--tls-cert PEM --tls-key PEM" || fail "ecoledgerd --help does not list the TLS flags"

# An EC P-256 certificate for 127.0.0.1 and localhost, valid one day.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 -subj /CN=localhost \
  -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" -keyout "$work/tls.key" -out "$work/tls.crt" 2>/dev/null
chmod 600 "$work/tls.key"

start_node() {
  "$node_bin" --data "$work/data" --listen 127.0.0.1:0 --tls-cert "$work/tls.crt" --tls-key "$work/tls.key" \
    >"$work/out" 2>"$work/err" &
  pid=$!
  for _ in $(seq 1 200); do
    port=$(sed -n 's/^{"listening":"127.0.0.1:\([0-9]*\)"}$/\1/p' "$work/out")
    [[ -n $port ]] && return 0
    kill -0 "$pid" 2>/dev/null || fail "ecoledgerd exited: $(cat "$work/err")"
    sleep 0.05
  done
  fail "ecoledgerd did not start"
}
start_node
url=https://127.0.0.1:$port
grep -q "\"url\":\"$url\"" "$work/out" || fail "the node does not announce $url"

# GET /healthz over TLS, the certificate checked against our CA file.
health=$(curl -sS --fail --cacert "$work/tls.crt" "$url/healthz")
[[ $health == *'"ok":true'* ]] || fail "healthz: $health"

# A signed write over TLS.
pub=$("$cli" keygen --out "$work/holder.key" | sed -n 's/.*"pub":"\([^"]*\)".*/\1/p')
[[ -n $pub ]] || fail "keygen printed no public key"
printf '{"v":1,"ledger":"ecoledger","id":"tls-open-1","type":"account.open","body":{"account":"tls.holder","role":"holder","name":"TLS holder","keys":[{"id":"k1","pub":"%s"}]}}' "$pub" \
  | "$cli" sign --key "$work/data/keys/registry.key" --as registry#k1 - >"$work/tx.json"
receipt=$(curl -sS --fail --cacert "$work/tls.crt" -H 'content-type: application/json' --data-binary @"$work/tx.json" "$url/v1/tx")
[[ $receipt == *'"seq":1'* ]] || fail "POST /v1/tx: $receipt"
account=$(curl -sS --fail --cacert "$work/tls.crt" "https://localhost:$port/v1/accounts/tls.holder")
[[ $account == *'"role":"holder"'* ]] || fail "account: $account"

# Only TLS on the port: plain HTTP gets no HTTP answer.
if plain=$(curl -sS --max-time 5 "http://127.0.0.1:$port/healthz" 2>&1); then fail "plain HTTP answered: $plain"; fi
[[ $plain != *'"ok":true'* ]] || fail "plain HTTP answered"
# curl refuses the certificate without our CA.
if curl -sS --max-time 5 "$url/healthz" >/dev/null 2>&1; then fail "an untrusted certificate was accepted"; fi

kill -TERM "$pid"; wait "$pid" || fail "ecoledgerd did not exit 0 on SIGTERM"; pid=

# A TLS key readable by others: the node refuses to start and says why.
chmod 644 "$work/tls.key"
if "$node_bin" --data "$work/data" --listen 127.0.0.1:0 --tls-cert "$work/tls.crt" --tls-key "$work/tls.key" >"$work/out2" 2>&1; then
  fail "started with a world-readable TLS key"
fi
grep -q key_permissions "$work/out2" || fail "no key_permissions message: $(cat "$work/out2")"
echo "tls_test: ok (port $port)"
