#include "cli/value_command.h"

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

namespace ecoledger::cli {
namespace {

namespace fs = std::filesystem;
namespace val = ecoledger::valuation;

constexpr int tables_search_depth_max = 6;

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

Result<nlohmann::json> read_table(const std::string& dir, const char* name) {
  return read_json((fs::path(dir) / name).string());
}

Result<std::string> value_carbon(const nlohmann::json& input, const std::string& dir) {
  ECOLEDGER_TRY(doc, read_table(dir, "methodology_default.json"));
  auto id = doc->value("id", std::string());
  auto version = doc->contains("version") && (*doc)["version"].is_number_integer() ? (*doc)["version"].get<std::int64_t>() : 0;
  auto params = doc->contains("params") ? (*doc)["params"] : nlohmann::json();
  ECOLEDGER_TRY(table, val::methodology_from_json(id, version, params));
  ECOLEDGER_TRY(carbon_input, val::carbon_input_from_json(input));
  ECOLEDGER_TRY(result, val::quantify_carbon(*carbon_input, *table));
  return val::carbon_result_to_json(*result).dump(2);
}

Result<std::string> value_gep(const nlohmann::json& input, const std::string& dir, bool csv) {
  ECOLEDGER_TRY(doc, read_table(dir, "gep_prices_ganzi_2010.json"));
  ECOLEDGER_TRY(table, val::gep_price_table_from_json(*doc));
  ECOLEDGER_TRY(gep_input, val::gep_input_from_json(input));
  ECOLEDGER_TRY(account, val::account_gep(*gep_input, *table));
  return csv ? val::gep_account_to_csv(*account) : val::gep_account_to_json(*account).dump(2);
}

Result<std::string> value_book(const val::PledgeBook& book, const nlohmann::json& input, const std::string& dir, bool stress);

Result<std::string> value_pledge(const nlohmann::json& input, const std::string& dir, bool stress) {
  ECOLEDGER_TRY(book, val::pledge_book_from_json(input));
  return value_book(*book, input, dir, stress);
}

// The book straight from a ledger: a pledge, or every open pledge of a bank,
// priced with the prices published on that ledger.
Result<std::string> value_from_ledger(const Args& args, const std::string& dir, bool stress) {
  ECOLEDGER_TRY(opened, ledger::Ledger::open(*args.option("data")));
  const auto& state = (*opened)->store().state();
  std::vector<std::string> pledges;
  if (auto pledge = args.option("pledge")) pledges.push_back(*pledge);
  else if (auto bank = args.option("bank")) pledges = ledger::open_pledges_of_bank(state, *bank);
  else return fail("usage", "--data needs --pledge ID or --bank BANK");
  std::string date = args.option("date").value_or((*opened)->head().time.substr(0, 10));
  ECOLEDGER_TRY(book, ledger::pledge_book_from_state(state, pledges, date));
  return value_book(*book, nlohmann::json::object(), dir, stress);
}

Result<std::string> value_book(const val::PledgeBook& book_value, const nlohmann::json& input, const std::string& dir, bool stress) {
  const val::PledgeBook* book = &book_value;
  ECOLEDGER_TRY(doc, read_table(dir, "collateral_default.json"));
  ECOLEDGER_TRY(table, val::collateral_table_from_json(*doc));
  if (!stress) {
    ECOLEDGER_TRY(report, val::value_pledge_book(*book, *table));
    return val::pledge_report_to_json(*report).dump(2);
  }
  // Scenarios from the input when it has them, else the table's defaults.
  ECOLEDGER_TRY(scenarios, val::stress_scenarios_from_json(input.contains("stress_scenarios") ? input : *doc));
  ECOLEDGER_TRY(report, val::stress_test(*book, *table, *scenarios));
  return val::stress_report_to_json(*report).dump(2);
}

Result<std::string> value_grade(const nlohmann::json& input, const std::string& dir) {
  ECOLEDGER_TRY(doc, read_table(dir, "grading_default.json"));
  if (!doc->is_object() || !doc->contains("benchmarks") || !doc->contains("rates"))
    return fail("bad_input", "grading table needs \"benchmarks\" and \"rates\"");
  ECOLEDGER_TRY(benchmarks, val::benchmark_table_from_json((*doc)["benchmarks"]));
  ECOLEDGER_TRY(rates, val::rate_table_from_json((*doc)["rates"]));
  ECOLEDGER_TRY(enterprise, val::enterprise_from_json(input));
  ECOLEDGER_TRY(result, val::grade_enterprise(*enterprise, *benchmarks, *rates));
  return val::grade_result_to_json(*result).dump(2);
}

}  // namespace

int run_value_command(int argc, char** argv) {
  if (argc < 2) return usage_exit("usage: ecoledger value carbon|gep|pledge|stress|grade --in FILE [--tables DIR] [--csv]");
  const std::string what = argv[1];
  Args args(argc, argv, 2);
  if (auto unknown = args.unknown_option({"in", "tables", "data", "pledge", "bank", "date"}, {"csv"})) return usage_exit("unknown option " + *unknown);
  if (!args.positional().empty()) return usage_exit("unexpected argument \"" + args.positional().front() + "\"");
  if (args.option("data")) {
    if (what != "pledge" && what != "stress") return usage_exit("--data applies to value pledge and value stress");
    auto out = value_from_ledger(args, tables_dir(args.option("tables")), what == "stress");
    if (!out) return error_exit(out.error());
    std::fputs(out->c_str(), stdout);
    std::fputc('\n', stdout);
    return 0;
  }
  auto in = args.option("in");
  if (!in) return usage_exit("value " + what + ": --in FILE is required");
  const bool csv = args.flag("csv");
  if (csv && what != "gep") return usage_exit("--csv applies to value gep only");
  const std::string dir = tables_dir(args.option("tables"));
  auto input = read_json(*in);
  if (!input) return error_exit(input.error());
  Result<std::string> out = fail("usage", "");
  if (what == "carbon") {
    out = value_carbon(*input, dir);
  } else if (what == "gep") {
    out = value_gep(*input, dir, csv);
  } else if (what == "pledge" || what == "stress") {
    out = value_pledge(*input, dir, what == "stress");
  } else if (what == "grade") {
    out = value_grade(*input, dir);
  } else {
    return usage_exit("unknown valuation \"" + what + "\"; expected carbon|gep|pledge|stress|grade");
  }
  if (!out) return error_exit(out.error());
  std::fputs(out->c_str(), stdout);
  if (!out->ends_with("\n")) std::fputc('\n', stdout);
  return 0;
}

}  // namespace ecoledger::cli
