// The valuations a ledger answers, shared by `ecoledger value` and the node's
// /v1/valuations endpoints so that both give the same report for the same
// ledger and tables: where the parameter table files are, the carbon
// quantification under a methodology published on the ledger (the one
// asset.issue checks against), and the pledge book of a pledge or of a bank
// marked to market or stress-tested with the ledger's own prices.
// Thread-safety: find_tables_dir and load_table_files read files; the rest
// read the state only.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "base/json.h"
#include "base/result.h"
#include "ledger/collateral_view.h"  // open_pledges_of_bank, pledge_book_from_state
#include "ledger/state.h"
#include "valuation/carbon.h"
#include "valuation/collateral.h"
#include "valuation/gep.h"
#include "valuation/grading.h"
#include "valuation/tables.h"

namespace ecoledger::ledger {

inline constexpr int tables_search_depth_max = 6;
inline constexpr std::size_t tables_files_max = 1000;

// The parameter tables' directory: `option` if given, else $ECOLEDGER_TABLES,
// else the first valuation/data found walking up from the executable (at most
// tables_search_depth_max levels), else "valuation/data".
std::string find_tables_dir(const std::optional<std::string>& option);

// Every *.json file of dir, in name order, as one table set; each table is
// validated as it is added (valuation/tables.h). Errors: table_missing (no
// such directory), table_invalid, table_conflict, bad_json, io_error.
Result<valuation::TableSet> load_table_files(const std::string& dir);

// Every methodology table published on the ledger (methodology.publish).
valuation::TableSet published_methodologies(const StateReader& state);

// The carbon quantification of `input` (valuation::carbon_input_from_json:
// "period", "plots"; other members ignored, so an FCT's provenance will do)
// under a methodology published on the ledger: the one named by
// "methodology":{"id","version"} as in asset.issue, else the one selected by
// "tables":{"methodology":{...}}, else the only one published (at its highest
// version). Errors: methodology_unknown, table_missing, table_ambiguous and
// the quantification's own codes.
Result<valuation::CarbonResult> quantify_on_ledger(const StateReader& state, const json::Json& input);

// The same under the methodology `tables` selects for `input` (table files,
// not the ledger): what `ecoledger value carbon` prints.
Result<valuation::CarbonResult> quantify_with_tables(const valuation::TableSet& tables, const json::Json& input);

// A GEP account and an enterprise grade under the tables `input` selects.
Result<valuation::GepAccount> gep_account(const valuation::TableSet& tables, const json::Json& input);
Result<valuation::GradeResult> grade(const valuation::TableSet& tables, const json::Json& input);

// The pledges whose valuation answers for `pledge_id`'s loan: the pledge and
// every other open pledge to the same bank for the same loan id, so that the
// loan's coverage counts all of its collateral. Error unknown_pledge.
Result<std::vector<std::string>> pledges_of_loan(const StateReader& state, const std::string& pledge_id);

// The pledge book of the given pledges on `date` ("YYYY-MM-DD"), or when date
// is empty on the date of `head_time` (the last record's time). Errors:
// bad_date, unknown_pledge.
Result<valuation::PledgeBook> ledger_pledge_book(const StateReader& state, const std::vector<std::string>& pledge_ids,
                                                 const std::optional<std::string>& date, const std::string& head_time);

// Mark-to-market of a book with the collateral table selected by input's
// "tables" (valuation/tables.h).
Result<valuation::PledgeReport> mark_to_market(const valuation::PledgeBook& book, const valuation::TableSet& tables,
                                               const json::Json& input);

// Stress test of a book: the scenarios of input's "stress_scenarios" when it
// has them, else the selected collateral table's.
Result<valuation::StressReport> stress_book(const valuation::PledgeBook& book, const valuation::TableSet& tables,
                                            const json::Json& input);

}  // namespace ecoledger::ledger
