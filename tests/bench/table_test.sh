#!/usr/bin/env bash
# table_test.sh BENCH DIR: ecoledger_bench table on two made-up result sets.
# in_turn.ndjson has each ratio's sides in turn, as bench/run writes them,
# the second round's in the other order: the ratio is of medians, and each
# round's ratio is shown beside (a run is paired with the peer of its round,
# not with the peer just before it in the file). apart.ndjson
# is what bench/run wrote before b141c6a: the peers come from their own runs,
# said so, and no pairs are made of runs that did not run in turn.
set -euo pipefail
bench=$1
dir=$2
fail() { echo "table_test: $*" >&2; exit 1; }
expect() {  # expect TABLE TEXT: TABLE holds TEXT
  grep -qF -- "$2" <<<"$1" || { echo "$1" >&2; fail "no \"$2\" in the table"; }
}
refuse() {  # refuse TABLE TEXT: TABLE does not hold TEXT
  if grep -qF -- "$2" <<<"$1"; then echo "$1" >&2; fail "unexpected \"$2\" in the table"; fi
}
paired=$("$bench" table --results "$dir/in_turn.ndjson")
expect "$paired" "| Ed25519 ceiling (runs in turn): 25,000 | 0.44 (pairs 0.40–0.50) | ≥ 0.7 × ceiling | **not met** |"
expect "$paired" "| \`append\` (runs in turn): 11,000 | 0.55 (pairs 0.50–0.58) | ≥ 0.5 × append | met |"
apart=$("$bench" table --results "$dir/apart.ndjson")
expect "$apart" "| Ed25519 ceiling: 20,000 | 0.55 | ≥ 0.7 × ceiling |"
expect "$apart" "| \`append\` (runs of its own): 11,000 | 0.45 | ≥ 0.5 × append | **not met** |"
refuse "$apart" "(pairs 0"
echo "table_test: ok"
