#!/usr/bin/env bash
# End-to-end test of the ecoledger CLI on a real RocksDB ledger: keys made by
# openssl and by keygen, init, sign, submit (idempotent), export, checkpoint
# verified with `openssl pkeyutl`, proofs verified offline, audit clean, and
# audit catching a flipped byte at its seq. Fails on the first wrong answer.
set -euo pipefail
cli=${1:?usage: journal_flow.sh PATH_TO_ECOLEDGER}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
fail() { echo "FAIL: $*" >&2; exit 1; }
field() { python3 -c "import json,sys; print(json.loads(sys.stdin.readline())$1)"; }

openssl genpkey -algorithm ed25519 -out registry.pem 2>/dev/null
chmod 600 registry.pem
"$cli" keygen --out node.pem >/dev/null
"$cli" keygen --out holder.pem >/dev/null
[ "$(stat -c %a node.pem)" = 600 ] || fail "keygen did not write 0600"
"$cli" keygen --out node.pem 2>/dev/null && fail "keygen overwrote a key"

"$cli" init --data data --registry-key registry.pem --node-key node.pem --ledger fj-test >/dev/null
"$cli" init --data data --registry-key registry.pem --node-key node.pem 2>/dev/null && fail "init twice"

holder_pub=$(openssl pkey -in holder.pem -pubout -outform DER | tail -c 32 | base64)
printf '{"v":1,"ledger":"fj-test","id":"open-1","type":"account.open","body":{"account":"village.changkou","role":"holder","name":"Changkou","keys":[{"id":"k1","pub":"%s"}]}}' "$holder_pub" > open.json
"$cli" sign --key registry.pem --as registry#k1 open.json > open.signed
receipt=$("$cli" submit --data data open.signed)
[ "$(echo "$receipt" | field "['seq']")" = 1 ] || fail "first receipt: $receipt"
again=$("$cli" submit --data data open.signed)
[ "$receipt" = "$again" ] || fail "re-submission is not idempotent: $again"

# A transaction signed by the wrong key is refused with a non-zero exit.
"$cli" sign --key holder.pem --as registry#k1 open.json | sed 's/open-1/open-2/' > forged.json
"$cli" submit --data data forged.json >/dev/null 2>&1 && fail "forged signature accepted"

# Rotate the holder's key with NDJSON of two transactions.
printf '{"v":1,"ledger":"fj-test","id":"rot-1","type":"key.rotate","body":{"account":"village.changkou","add":[{"id":"k2","pub":"%s"}]}}' "$holder_pub" \
  | "$cli" sign --key holder.pem --as village.changkou#k1 - > batch.ndjson
printf '{"v":1,"ledger":"fj-test","id":"rot-2","type":"key.rotate","body":{"account":"village.changkou","revoke":["k1"]}}' \
  | "$cli" sign --key holder.pem --as village.changkou#k2 - >> batch.ndjson
[ "$("$cli" submit --data data batch.ndjson | wc -l)" = 2 ] || fail "ndjson receipts"
"$cli" show --data data account village.changkou | grep -q '"revoked":3' || fail "k1 not revoked at seq 3"

"$cli" export --data data > records.ndjson
[ "$(wc -l < records.ndjson)" = 4 ] || fail "export has $(wc -l < records.ndjson) records"
"$cli" checkpoint --data data > checkpoint.json
python3 - <<'PY'
import json, base64
cp = json.load(open("checkpoint.json"))
sig = base64.b64decode(cp.pop("sig"))
open("cp.bin", "wb").write(json.dumps(cp, sort_keys=True, separators=(",", ":")).encode())
open("cp.sig", "wb").write(sig)
PY
openssl pkeyutl -verify -pubin -inkey data/node.pub.pem -rawin -in cp.bin -sigfile cp.sig >/dev/null || fail "openssl rejects the checkpoint"

out=$("$cli" audit --records records.ndjson --checkpoint checkpoint.json --node-pub data/node.pub.pem)
[ "$(echo "$out" | field "['ok']")" = True ] || fail "audit: $out"
"$cli" audit --data data >/dev/null || fail "audit --data"

"$cli" proof inclusion --data data --seq 2 --size 4 > incl.json
"$cli" proof verify incl.json >/dev/null || fail "inclusion proof does not verify"
"$cli" proof consistency --data data --from 2 --to 4 > cons.json
"$cli" proof verify cons.json >/dev/null || fail "consistency proof does not verify"
python3 -c "
import json; p=json.load(open('incl.json')); p['seq']=1; json.dump(p, open('bad.json','w'))"
"$cli" proof verify bad.json >/dev/null && fail "a wrong proof verified"

# Flip one byte inside record 2: audit names seq 2 and exits 1.
python3 - <<'PY'
lines = open("records.ndjson", "rb").read().split(b"\n")
line = bytearray(lines[2]); line[40] ^= 0x01; lines[2] = bytes(line)
open("damaged.ndjson", "wb").write(b"\n".join(lines))
PY
set +e
out=$("$cli" audit --records damaged.ndjson); code=$?
set -e
[ $code = 1 ] || fail "audit of a damaged export exited $code"
[ "$(echo "$out" | field "['seq']")" = 2 ] || fail "audit blamed the wrong seq: $out"

# Errors: one line on stderr, non-zero exit.
"$cli" submit --data nowhere open.signed 2>err.txt && fail "submit to a missing ledger"
[ "$(wc -l < err.txt)" = 1 ] || fail "error is not one line"
"$cli" bogus 2>/dev/null && fail "unknown command accepted"
echo "1 passed, 0 failed"
