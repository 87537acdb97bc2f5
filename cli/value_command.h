// `ecoledger value carbon|gep|pledge|stress|grade --in FILE [--tables DIR] [--csv]`:
// reads an input document and a directory of parameter tables, runs the pure
// valuation library and prints the report as JSON (CSV with --csv for gep,
// pledge and stress). Tables come from --tables DIR, else $ECOLEDGER_TABLES,
// else the first valuation/data found walking up from the executable's
// directory; every *.json there is a table, validated when loaded, and the
// input's "tables" member picks them by id and version (valuation/tables.h).
// Errors: one line on stderr, non-zero exit, nothing on stdout.
#pragma once

namespace ecoledger::cli {

// argv[0] is "value".
int run_value_command(int argc, char** argv);

}  // namespace ecoledger::cli
