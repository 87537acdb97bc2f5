#include "cli/value_command.h"

#include <cstdio>
#include <iostream>
#include <string>

#include "cli/cli_util.h"
#include "ledger/collateral_view.h"
#include "ledger/ledger.h"
#include "ledger/valuations.h"
#include "valuation/carbon.h"
#include "valuation/collateral.h"
#include "valuation/gep.h"
#include "valuation/grading.h"
#include "valuation/tables.h"

namespace ecoledger::cli {
namespace {

namespace val = ecoledger::valuation;

Result<nlohmann::json> read_json(const std::string& path) {
  auto text = read_input(path);
  if (!text) return std::unexpected(text.error());
  auto doc = nlohmann::json::parse(*text, nullptr, false);
  if (doc.is_discarded()) return fail("bad_json", path + ": not valid JSON");
  return doc;
}

// The reports themselves come from ledger/valuations.h, which the node's
// /v1/valuations endpoints use too: the same input gives the same report.

Result<std::string> value_carbon(const nlohmann::json& input, const val::TableSet& tables) {
  ECOLEDGER_TRY(result, ledger::quantify_with_tables(tables, input));
  return val::carbon_result_to_json(*result).dump(2);
}

Result<std::string> value_gep(const nlohmann::json& input, const val::TableSet& tables, bool csv) {
  ECOLEDGER_TRY(account, ledger::gep_account(tables, input));
  return csv ? val::gep_account_to_csv(*account) : val::gep_account_to_json(*account).dump(2);
}

Result<std::string> value_book(const val::PledgeBook& book, const nlohmann::json& input, const val::TableSet& tables, bool stress,
                               bool csv) {
  if (!stress) {
    ECOLEDGER_TRY(report, ledger::mark_to_market(book, tables, input));
    return csv ? val::pledge_report_to_csv(*report) : val::pledge_report_to_json(*report).dump(2);
  }
  ECOLEDGER_TRY(report, ledger::stress_book(book, tables, input));
  return csv ? val::stress_report_to_csv(*report) : val::stress_report_to_json(*report).dump(2);
}

Result<std::string> value_pledge(const nlohmann::json& input, const val::TableSet& tables, bool stress, bool csv) {
  ECOLEDGER_TRY(book, val::pledge_book_from_json(input));
  return value_book(*book, input, tables, stress, csv);
}

// The book straight from a ledger: a pledge (with the other open pledges for
// its loan, which count in the loan's coverage), or every open pledge of a
// bank, priced with the prices published on that ledger.
Result<std::string> value_from_ledger(const Args& args, const val::TableSet& tables, bool stress, bool csv) {
  ECOLEDGER_TRY(opened, ledger::Ledger::open(*args.option("data")));
  const auto& state = (*opened)->store().state();
  std::vector<std::string> pledges;
  if (auto pledge = args.option("pledge")) {
    ECOLEDGER_TRY(of_loan, ledger::pledges_of_loan(state, *pledge));
    pledges = *of_loan;
  } else if (auto bank = args.option("bank")) {
    pledges = ledger::open_pledges_of_bank(state, *bank);
  } else {
    return fail("usage", "--data needs --pledge ID or --bank BANK");
  }
  ECOLEDGER_TRY(book, ledger::ledger_pledge_book(state, pledges, args.option("date"), (*opened)->head().time));
  return value_book(*book, nlohmann::json::object(), tables, stress, csv);
}

Result<std::string> value_grade(const nlohmann::json& input, const val::TableSet& tables) {
  ECOLEDGER_TRY(result, ledger::grade(tables, input));
  return val::grade_result_to_json(*result).dump(2);
}

int print(const Result<std::string>& out) {
  if (!out) return error_exit(out.error());
  std::fputs(out->c_str(), stdout);
  if (!out->ends_with("\n")) std::fputc('\n', stdout);
  return 0;
}

}  // namespace

int run_value_command(int argc, char** argv) {
  if (argc < 2) return usage_exit("usage: ecoledger value carbon|gep|pledge|stress|grade --in FILE [--tables DIR] [--csv]");
  const std::string what = argv[1];
  if (what != "carbon" && what != "gep" && what != "pledge" && what != "stress" && what != "grade")
    return usage_exit("unknown valuation \"" + what + "\"; expected carbon|gep|pledge|stress|grade");
  Args args(argc, argv, 2);
  if (auto unknown = args.unknown_option({"in", "tables", "data", "pledge", "bank", "date"}, {"csv"})) return usage_exit("unknown option " + *unknown);
  if (!args.positional().empty()) return usage_exit("unexpected argument \"" + args.positional().front() + "\"");
  const bool csv = args.flag("csv");
  if (csv && what != "gep" && what != "pledge" && what != "stress") return usage_exit("--csv applies to value gep, pledge and stress");
  const bool from_ledger = args.option("data").has_value();
  if (from_ledger && what != "pledge" && what != "stress") return usage_exit("--data applies to value pledge and value stress");
  if (!from_ledger && !args.option("in")) return usage_exit("value " + what + ": --in FILE is required");
  auto tables = ledger::load_table_files(ledger::find_tables_dir(args.option("tables")));
  if (!tables) return error_exit(tables.error());
  if (from_ledger) return print(value_from_ledger(args, *tables, what == "stress", csv));
  auto input = read_json(*args.option("in"));
  if (!input) return error_exit(input.error());
  if (what == "carbon") return print(value_carbon(*input, *tables));
  if (what == "gep") return print(value_gep(*input, *tables, csv));
  if (what == "grade") return print(value_grade(*input, *tables));
  return print(value_pledge(*input, *tables, what == "stress", csv));
}

}  // namespace ecoledger::cli
