#!/usr/bin/env bash
# End-to-end test of `ecoledger value carbon|gep|pledge|stress|grade` on the
# example inputs in valuation/examples/ and the shipped tables in
# valuation/data/: figures checked against hand-computed values, CSV against
# JSON, byte-identical reruns, and every bad input refused with its code on
# stderr, a non-zero exit and nothing on stdout. Fails on the first wrong answer.
set -euo pipefail
cli=${1:?usage: value_flow.sh PATH_TO_ECOLEDGER}
src=$(cd "$(dirname "$0")/../.." && pwd)
tables=$src/valuation/data
ex=$src/valuation/examples
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
fail() { echo "FAIL: $*" >&2; exit 1; }
json() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))" "$@"; }
value() { "$cli" value "$@" --tables "$tables"; }

# A command that must fail: exit code, the refusal code on stderr, empty stdout.
refused() {
  local want_exit=$1 want_code=$2; shift 2
  set +e
  "$cli" value "$@" > out.txt 2> err.txt; local code=$?
  set -e
  [ "$code" = "$want_exit" ] || fail "value $* exited $code, expected $want_exit ($(cat err.txt))"
  grep -q -- "$want_code" err.txt || fail "value $*: stderr lacks \"$want_code\": $(cat err.txt)"
  [ ! -s out.txt ] || fail "value $*: wrote to stdout on error"
}

# carbon: Changkou, 12,722,948 kg with the methodology named in the report.
value carbon --in "$ex/carbon_changkou.json" > carbon.json
[ "$(json carbon.json "d['kg_co2e']")" = 12722948 ] || fail "carbon kg: $(cat carbon.json)"
[ "$(json carbon.json "d['methodology']['id'], d['methodology']['version']")" = "('smcer-stock-change-default', 1)" ] || fail "carbon table"
[ "$(json carbon.json "d['period_days']")" = 1827 ] || fail "carbon period"

# gep: every method; line values and subtotals hand-computed (docs/VALUATION.md §3).
value gep --in "$ex/gep_county.json" > gep.json
[ "$(json gep.json "d['total_fen']")" = 229817438215 ] || fail "gep total $(json gep.json "d['total_fen']")"
[ "$(json gep.json "d['category_fen']['provisioning'], d['category_fen']['regulating'], d['category_fen']['cultural']")" = \
  "(5770000000, 222797438215, 1250000000)" ] || fail "gep categories"
[ "$(json gep.json "d['tables']['gep_prices']")" = "{'id': 'gep-prices-ganzi-2010', 'version': 2}" ] || fail "gep table"
[ "$(json gep.json "[l['value_fen'] for l in d['lines'] if l['indicator']=='flood_regulation'][0]")" = 35879207523 ] || fail "flood line"
[ "$(json gep.json "[l['valuation'] for l in d['lines'] if l['indicator']=='air_purification_so2'][0]")" = treatment_cost ] || fail "air valuation"
[ "$(json gep.json "sum(l['value_fen'] for l in d['lines']) == d['total_fen'] == sum(d['ecosystem_fen'].values())")" = True ] || fail "gep sums"
value gep --in "$ex/gep_county.json" --csv > gep.csv
head -1 gep.csv | grep -qx "row,indicator,category,ecosystem,method,valuation,quantity,unit,price_yuan,value_fen" || fail "gep csv header"
[ "$(grep -c '^line,' gep.csv)" = 13 ] || fail "gep csv lines"
[ "$(tail -1 gep.csv)" = "total,,,,,,,,,229817438215" ] || fail "gep csv total: $(tail -1 gep.csv)"
grep -qx "category,,regulating,,,,,,,222797438215" gep.csv || fail "gep csv subtotal"
# The same input twice: the same bytes.
value gep --in "$ex/gep_county.json" > gep2.json
value gep --in "$ex/gep_county.json" --csv > gep2.csv
cmp -s gep.json gep2.json || fail "gep JSON differs between runs"
cmp -s gep.csv gep2.csv || fail "gep CSV differs between runs"

# pledge: mark-to-market, prices with their seqs, coverage and status per loan.
value pledge --in "$ex/pledge_book.json" > pledge.json
[ "$(json pledge.json "[(p['pledge_id'], p['price_seq'], p['collateral_value_fen']) for p in d['pledges']]")" = \
  "[('P1', 11, 55079904), ('P2', 21, 7317600)]" ] || fail "pledge values: $(cat pledge.json)"
[ "$(json pledge.json "[(l['loan_id'], l['coverage_permille'], l['status']) for l in d['loans']]")" = \
  "[('L1', 14, 'liquidation'), ('L2', 1376, 'ok')]" ] || fail "pledge coverage"
[ "$(json pledge.json "d['tables']['collateral']['version']")" = 1 ] || fail "pledge table"
value pledge --in "$ex/pledge_book.json" --csv > pledge.csv
grep -qx "pledge,L2,P1,PRT,SO2,485200,141900,11,365,68849880,200,55079904,,," pledge.csv || fail "pledge csv row: $(cat pledge.csv)"
grep -qx "loan,L2,,,,,,,,,,55079904,40000000,1376,ok" pledge.csv || fail "pledge csv loan row"
value pledge --in "$ex/pledge_book.json" > pledge2.json
cmp -s pledge.json pledge2.json || fail "pledge report differs between runs"

# stress: the table's six scenarios; a −50 % price shock breaches L2.
value stress --in "$ex/pledge_book.json" > stress.json
[ "$(json stress.json "len(d['scenarios'])")" = 6 ] || fail "stress scenarios"
[ "$(json stress.json "[(l['loan_id'], l['coverage_after_permille'], l['status_after'], l['breach']) for s in d['scenarios'] if s['name']=='price_-50pct' for l in s['loans']]")" = \
  "[('L1', 7, 'liquidation', False), ('L2', 688, 'liquidation', True)]" ] || fail "stress -50%: $(json stress.json "d['scenarios'][2]")"
value stress --in "$ex/pledge_book.json" --csv > stress.csv
[ "$(wc -l < stress.csv)" = 13 ] || fail "stress csv rows"
grep -qx "price_-50pct,L2,1376,688,ok,liquidation,true" stress.csv || fail "stress csv row: $(cat stress.csv)"

# grade: energy green, emissions yellow → yellow, 0 bp.
value grade --in "$ex/enterprise.json" > grade.json
[ "$(json grade.json "d['energy_grade'], d['emission_grade'], d['grade'], d['rate_adjustment_bp']")" = "('green', 'yellow', 'yellow', 0)" ] || fail "grade"
[ "$(json grade.json "d['tables']['rates']['id']")" = carbon-grade-rates-default ] || fail "grade tables"

# Every input, output and table validates against its JSON Schema (schemas/valuation/).
if python3 -c "import jsonschema, referencing" 2>/dev/null; then
  python3 - "$src" <<'PY' || fail "schema validation"
import glob, json, sys
import jsonschema, referencing
src = sys.argv[1]
sch = f"{src}/schemas/valuation"
resources = []
for path in glob.glob(f"{sch}/*.json"):
    doc = json.load(open(path))
    resources.append((doc["$id"], referencing.Resource.from_contents(doc)))
registry = referencing.Registry().with_resources(resources)
def check(schema, path, valid=True):
    s = json.load(open(f"{sch}/{schema}"))
    jsonschema.Draft202012Validator.check_schema(s)
    errors = list(jsonschema.Draft202012Validator(s, registry=registry).iter_errors(json.load(open(path))))
    if bool(errors) == valid:
        sys.exit(f"{path} against {schema}: " + (errors[0].message if errors else "accepted, expected refusal"))
ex, data = f"{src}/valuation/examples", f"{src}/valuation/data"
check("carbon_input.json", f"{ex}/carbon_changkou.json")
check("gep_input.json", f"{ex}/gep_county.json")
check("pledge_book.json", f"{ex}/pledge_book.json")
check("enterprise.json", f"{ex}/enterprise.json")
check("methodology_table.json", f"{data}/methodology_default.json")
check("gep_prices_table.json", f"{data}/gep_prices_ganzi_2010.json")
check("collateral_table.json", f"{data}/collateral_default.json")
check("grading_table.json", f"{data}/grading_default.json")
check("carbon_result.json", "carbon.json")
check("gep_account.json", "gep.json")
check("pledge_report.json", "pledge.json")
check("stress_report.json", "stress.json")
check("grade_result.json", "grade.json")
# The schema refuses what the library refuses.
bad = json.load(open(f"{ex}/gep_county.json"))
bad["items"][3]["cells"][0]["c_factor"] = 7
json.dump(bad, open("schema_bad.json", "w"))
check("gep_input.json", "schema_bad.json", valid=False)
PY
else
  echo "value_flow: python3 jsonschema not installed; schema validation skipped" >&2
fi

# ---- refusals ----------------------------------------------------------------
refused 2 "usage" carbon --tables "$tables"
refused 2 "usage" appraise --in "$ex/enterprise.json"
refused 2 "usage" carbon --in "$ex/carbon_changkou.json" --csv
refused 2 "usage" grade --in "$ex/enterprise.json" --frobnicate 1
echo '{"period":' > broken.json
refused 1 "bad_json" gep --in broken.json --tables "$tables"
refused 1 "" gep --in missing.json --tables "$tables"
python3 - "$ex" <<'PY'
import json, sys
ex = sys.argv[1]
def edit(name, out, f):
    d = json.load(open(f"{ex}/{name}")); f(d); json.dump(d, open(out, "w"))
edit("carbon_changkou.json", "dup.json", lambda d: d["plots"].append(d["plots"][0]))
edit("carbon_changkou.json", "reversed.json", lambda d: d["period"].update({"from": "2021-01-01"}))
edit("carbon_changkou.json", "shrink.json", lambda d: d["plots"][0].update({"stock_end_dm3": 1}))
edit("gep_county.json", "neg.json", lambda d: d["items"][0].update({"quantity": -1}))
edit("gep_county.json", "cfactor.json", lambda d: d["items"][3]["cells"][0].update({"c_factor": 7}))
edit("gep_county.json", "unit.json", lambda d: d["items"][8].update({"price_key": "electricity_kwh"}))
edit("gep_county.json", "v9.json", lambda d: d["tables"]["gep_prices"].update({"version": 9}))
edit("pledge_book.json", "orphan.json", lambda d: d["pledges"][0].update({"loan_id": "L9"}))
edit("pledge_book.json", "noprice.json", lambda d: d.update({"prices": d["prices"][:3]}))
edit("enterprise.json", "industry.json", lambda d: d.update({"industry": "alchemy"}))
PY
refused 1 "plot_duplicate" carbon --in dup.json --tables "$tables"
refused 1 "period_invalid" carbon --in reversed.json --tables "$tables"
refused 1 "growth_negative" carbon --in shrink.json --tables "$tables"
refused 1 "bad_input" gep --in neg.json --tables "$tables"
refused 1 "c_factor" gep --in cfactor.json --tables "$tables"
refused 1 "unit_mismatch" gep --in unit.json --tables "$tables"
refused 1 "table_missing" gep --in v9.json --tables "$tables"
refused 1 "loan_unknown" pledge --in orphan.json --tables "$tables"
refused 1 "price_missing" stress --in noprice.json --tables "$tables"
refused 1 "industry_unknown" grade --in industry.json --tables "$tables"
refused 1 "table_missing" gep --in "$ex/gep_county.json" --tables "$work/no-such-dir"

# A tables directory whose GEP table lacks a parameter: refused when loaded, naming file and parameter.
mkdir bad-tables
cp "$tables"/*.json bad-tables/
python3 - <<'PY'
import json
d = json.load(open("bad-tables/gep_prices_ganzi_2010.json"))
del d["prices"]["so2_t"]["yuan_per_unit"]
json.dump(d, open("bad-tables/gep_prices_ganzi_2010.json", "w"))
PY
refused 1 "table_invalid" grade --in "$ex/enterprise.json" --tables bad-tables
grep -q "gep_prices_ganzi_2010.json" err.txt && grep -q "yuan_per_unit" err.txt || fail "table error lacks file or field: $(cat err.txt)"

# A second version of a table: the highest is used unless the input pins one.
mkdir more-tables
cp "$tables"/*.json more-tables/
python3 - <<'PY'
import json
d = json.load(open("more-tables/gep_prices_ganzi_2010.json"))
d["version"] = 3
d["prices"]["pest_control_forest_hm2"]["yuan_per_unit"] = 400
json.dump(d, open("more-tables/gep_prices_ganzi_2010_v3.json", "w"))
d = json.load(open("more-tables/collateral_default.json"))
d["params"]["haircut_permille"]["FCT"] = 500
json.dump(d, open("more-tables/collateral_conflict.json", "w"))
PY
refused 1 "table_conflict" pledge --in "$ex/pledge_book.json" --tables more-tables
rm more-tables/collateral_conflict.json
"$cli" value gep --in "$ex/gep_county.json" --tables more-tables > pinned.json
[ "$(json pinned.json "d['total_fen']")" = 229817438215 ] || fail "pinned v2 not used"
python3 -c "
import json; d=json.load(open('$ex/gep_county.json')); del d['tables']; json.dump(d, open('unpinned.json','w'))"
"$cli" value gep --in unpinned.json --tables more-tables > latest.json
[ "$(json latest.json "d['tables']['gep_prices']['version'], d['total_fen']")" = "(3, 229822438215)" ] || fail "latest: $(json latest.json "d['tables']")"

echo "value_flow: ok"
