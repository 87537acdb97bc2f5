#include "cli/value_command.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <string>

#include "cli/cli_util.h"
#include "ledger/collateral_view.h"
#include "ledger/ledger.h"
#include "valuation/carbon.h"
#include "valuation/collateral.h"
#include "valuation/gep.h"
#include "valuation/grading.h"
#include "valuation/tables.h"

namespace ecoledger::cli {
namespace {

namespace fs = std::filesystem;
namespace val = ecoledger::valuation;

constexpr int tables_search_depth_max = 6;
constexpr std::size_t tables_files_max = 1000;

std::string tables_dir(const std::optional<std::string>& option) {
  if (option) return *option;
  if (const char* env = std::getenv("ECOLEDGER_TABLES"); env != nullptr && *env != '\0') return env;
  std::error_code ec;
  fs::path dir = fs::read_symlink("/proc/self/exe", ec).parent_path();
  for (int i = 0; !ec && i < tables_search_depth_max && !dir.empty(); ++i) {
    std::error_code missing;  // a missing candidate is not an error: keep walking up
    if (fs::is_directory(dir / "valuation" / "data", missing)) return (dir / "valuation" / "data").string();
    if (dir == dir.parent_path()) break;
    dir = dir.parent_path();
  }
  return "valuation/data";
}

Result<nlohmann::json> read_json(const std::string& path) {
  auto text = read_input(path);
  if (!text) return std::unexpected(text.error());
  auto doc = nlohmann::json::parse(*text, nullptr, false);
  if (doc.is_discarded()) return fail("bad_json", path + ": not valid JSON");
  return doc;
}

// Every *.json file of dir, in name order, as one table set; each table is
// validated as it is added (valuation/tables.h).
Result<val::TableSet> load_tables(const std::string& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return fail("table_missing", "tables directory "" + dir + "" does not exist");
  std::vector<fs::path> files;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->path().extension() != ".json") continue;
    if (files.size() >= tables_files_max) return fail("table_invalid", dir + ": more than " + std::to_string(tables_files_max) + " table files");
    files.push_back(it->path());
  }
  if (ec) return fail("io_error", dir + ": " + ec.message());
  std::sort(files.begin(), files.end());
  val::TableSet set;
  for (const auto& file : files) {
    ECOLEDGER_TRY(doc, read_json(file.string()));
    if (auto s = set.add(*doc, file.filename().string()); !s) return std::unexpected(s.error());
  }
  return set;
}

Result<std::string> value_carbon(const nlohmann::json& input, const val::TableSet& tables) {
  ECOLEDGER_TRY(table, tables.methodology(input));
  ECOLEDGER_TRY(carbon_input, val::carbon_input_from_json(input));
  ECOLEDGER_TRY(result, val::quantify_carbon(*carbon_input, *table));
  return val::carbon_result_to_json(*result).dump(2);
}

Result<std::string> value_gep(const nlohmann::json& input, const val::TableSet& tables, bool csv) {
  ECOLEDGER_TRY(table, tables.gep_prices(input));
  ECOLEDGER_TRY(gep_input, val::gep_input_from_json(input));
  ECOLEDGER_TRY(account, val::account_gep(*gep_input, *table));
  return csv ? val::gep_account_to_csv(*account) : val::gep_account_to_json(*account).dump(2);
}

Result<std::string> value_book(const val::PledgeBook& book, const nlohmann::json& input, const val::TableSet& tables, bool stress,
                               bool csv) {
  ECOLEDGER_TRY(table, tables.collateral(input));
  if (!stress) {
    ECOLEDGER_TRY(report, val::value_pledge_book(book, *table));
    return csv ? val::pledge_report_to_csv(*report) : val::pledge_report_to_json(*report).dump(2);
  }
  // Scenarios from the input when it has them, else the collateral table's.
  auto scenarios = input.contains("stress_scenarios") ? val::stress_scenarios_from_json(input) : tables.collateral_scenarios(input);
  if (!scenarios) return std::unexpected(scenarios.error());
  ECOLEDGER_TRY(report, val::stress_test(book, *table, *scenarios));
  return csv ? val::stress_report_to_csv(*report) : val::stress_report_to_json(*report).dump(2);
}

Result<std::string> value_pledge(const nlohmann::json& input, const val::TableSet& tables, bool stress, bool csv) {
  ECOLEDGER_TRY(book, val::pledge_book_from_json(input));
  return value_book(*book, input, tables, stress, csv);
}

// The book straight from a ledger: a pledge, or every open pledge of a bank,
// priced with the prices published on that ledger.
Result<std::string> value_from_ledger(const Args& args, const val::TableSet& tables, bool stress, bool csv) {
  ECOLEDGER_TRY(opened, ledger::Ledger::open(*args.option("data")));
  const auto& state = (*opened)->store().state();
  std::vector<std::string> pledges;
  if (auto pledge = args.option("pledge")) pledges.push_back(*pledge);
  else if (auto bank = args.option("bank")) pledges = ledger::open_pledges_of_bank(state, *bank);
  else return fail("usage", "--data needs --pledge ID or --bank BANK");
  std::string date = args.option("date").value_or((*opened)->head().time.substr(0, 10));
  ECOLEDGER_TRY(book, ledger::pledge_book_from_state(state, pledges, date));
  return value_book(*book, nlohmann::json::object(), tables, stress, csv);
}

Result<std::string> value_grade(const nlohmann::json& input, const val::TableSet& tables) {
  ECOLEDGER_TRY(benchmarks, tables.grade_benchmarks(input));
  ECOLEDGER_TRY(rates, tables.grade_rates(input));
  ECOLEDGER_TRY(enterprise, val::enterprise_from_json(input));
  ECOLEDGER_TRY(result, val::grade_enterprise(*enterprise, *benchmarks, *rates));
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
  auto tables = load_tables(tables_dir(args.option("tables")));
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
