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

# A pollution right pledged to a bank and valued from the ledger's own prices.
"$cli" keygen --out bank.pem >/dev/null
"$cli" keygen --out oracle.pem >/dev/null
"$cli" keygen --out firm.pem >/dev/null
pub() { openssl pkey -in "$1" -pubout -outform DER | tail -c 32 | base64; }
submit_signed() {  # FILE_OR_JSON SIGNER... : sign in turn, submit, fail loudly
  local doc=$1; shift
  for who in "$@"; do doc=$(echo "$doc" | "$cli" sign --key "${who%%#*}.pem" --as "${who#*=}" -); done
  echo "$doc" | "$cli" submit --data data >/dev/null || fail "submit: $doc"
}
for a in bank:bank.cib:bank oracle:oracle.hx:oracle firm:firm.longxiang:holder; do
  IFS=: read -r file account role <<< "$a"
  submit_signed "{\"v\":1,\"ledger\":\"fj-test\",\"id\":\"open-$account\",\"type\":\"account.open\",\"body\":{\"account\":\"$account\",\"role\":\"$role\",\"name\":\"$account\",\"keys\":[{\"id\":\"k1\",\"pub\":\"$(pub $file.pem)\"}]}}" "registry#=registry#k1"
done
submit_signed '{"v":1,"ledger":"fj-test","id":"prt-1","type":"asset.issue","body":{"asset":"PRT","serial":"PRT-350581-SO2-0001","holder":"firm.longxiang","quantity":485200,"pollutant":"SO2","region":"350581","valid_from":"2026-01-01","valid_to":"2030-12-31"}}' "registry#=registry#k1"
submit_signed '{"v":1,"ledger":"fj-test","id":"px-1","type":"price.publish","body":{"asset":"PRT","kind":"SO2","market":"haixia","price_fen_per_t":141900,"as_of":"2026-01-05","source":"Haixia equity exchange"}}' "oracle#=oracle.hx#k1"
submit_signed '{"v":1,"ledger":"fj-test","id":"pl-1","type":"pledge.create","body":{"pledge":"P-LX-1","holder":"firm.longxiang","bank":"bank.cib","lot":"PRT-350581-SO2-0001:1-485200","quantity":485200,"loan":{"id":"L-2026-1","principal_fen":200000000,"maturity":"2027-12-31"}}}' "firm#=firm.longxiang#k1" "bank#=bank.cib#k1"
value=$("$cli" value pledge --data data --pledge P-LX-1 --date 2026-12-01)
echo "$value" | python3 -c "
import json,sys; r=json.load(sys.stdin); p=r['pledges'][0]
assert p['price_fen']==141900 and p['quantity_kg']==485200 and p['remaining_days']==1492, p
assert r['loans'][0]['loan_id']=='bank.cib/L-2026-1', r" || fail "pledge valuation: $value"
"$cli" value stress --data data --bank bank.cib | grep -q '"scenarios"' || fail "stress test from the ledger"
"$cli" show --data data bank-pledges bank.cib --open | grep -q P-LX-1 || fail "bank's open pledges"

# Errors: one line on stderr, non-zero exit.
"$cli" submit --data nowhere open.signed 2>err.txt && fail "submit to a missing ledger"
[ "$(wc -l < err.txt)" = 1 ] || fail "error is not one line"
"$cli" bogus 2>/dev/null && fail "unknown command accepted"
echo "1 passed, 0 failed"
