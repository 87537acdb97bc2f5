#include "ledger/valuations.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "ledger/collateral_view.h"
#include "ledger/registry.h"
#include "valuation/arith.h"

namespace ecoledger::ledger {

namespace fs = std::filesystem;
using json::Json;

std::string find_tables_dir(const std::optional<std::string>& option) {
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

namespace {

Result<Json> read_json_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail("io_error", "cannot read " + path.string());
  std::ostringstream text;
  text << in.rdbuf();
  auto doc = Json::parse(text.str(), nullptr, false);
  if (doc.is_discarded()) return fail("bad_json", path.string() + ": not valid JSON");
  return doc;
}

}  // namespace

Result<valuation::TableSet> load_table_files(const std::string& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return fail("table_missing", "tables directory \"" + dir + "\" does not exist");
  std::vector<fs::path> files;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->path().extension() != ".json") continue;
    if (files.size() >= tables_files_max) return fail("table_invalid", dir + ": more than " + std::to_string(tables_files_max) + " table files");
    files.push_back(it->path());
  }
  if (ec) return fail("io_error", dir + ": " + ec.message());
  std::sort(files.begin(), files.end());
  valuation::TableSet set;
  for (const auto& file : files) {
    ECOLEDGER_TRY(doc, read_json_file(file));
    if (auto s = set.add(*doc, file.filename().string()); !s) return std::unexpected(s.error());
  }
  return set;
}

valuation::TableSet published_methodologies(const StateReader& state) {
  valuation::TableSet set;
  std::size_t count = 0;
  state.scan("method/", [&](std::string_view key, std::string_view value) {
    auto doc = Json::parse(value, nullptr, false);
    if (!doc.is_object()) return true;
    Json table{{"kind", valuation::table_kind_methodology}, {"id", doc.value("id", Json())}, {"version", doc.value("version", Json())},
               {"params", doc.value("params", Json())}};
    // Every published table was validated at append; one that is not would
    // be named in the error of the quantification that needs it.
    (void)set.add(table, std::string(key));
    return ++count < valuation::limits::table_set_tables_max;
  });
  return set;
}

Result<valuation::CarbonResult> quantify_on_ledger(const StateReader& state, const Json& input) {
  if (!input.is_object()) return fail("bad_input", "a carbon input is a JSON object");
  Result<valuation::MethodologyTable> table = fail("bad_input", "");
  if (auto named = input.find("methodology"); named != input.end()) {
    auto id = json::get_string(*named, "id");
    auto version = json::get_int(*named, "version");
    if (!named->is_object() || !id || !version) return fail("bad_input", "\"methodology\" is {\"id\",\"version\"}");
    table = published_methodology(state, *id, *version);
  } else {
    table = published_methodologies(state).methodology(input);
  }
  if (!table) return std::unexpected(table.error());
  ECOLEDGER_TRY(carbon_input, valuation::carbon_input_from_json(input));
  return valuation::quantify_carbon(*carbon_input, *table);
}

Result<valuation::CarbonResult> quantify_with_tables(const valuation::TableSet& tables, const Json& input) {
  ECOLEDGER_TRY(table, tables.methodology(input));
  ECOLEDGER_TRY(carbon_input, valuation::carbon_input_from_json(input));
  return valuation::quantify_carbon(*carbon_input, *table);
}

Result<valuation::GepAccount> gep_account(const valuation::TableSet& tables, const Json& input) {
  ECOLEDGER_TRY(table, tables.gep_prices(input));
  ECOLEDGER_TRY(gep_input, valuation::gep_input_from_json(input));
  return valuation::account_gep(*gep_input, *table);
}

Result<valuation::GradeResult> grade(const valuation::TableSet& tables, const Json& input) {
  ECOLEDGER_TRY(benchmarks, tables.grade_benchmarks(input));
  ECOLEDGER_TRY(rates, tables.grade_rates(input));
  ECOLEDGER_TRY(enterprise, valuation::enterprise_from_json(input));
  return valuation::grade_enterprise(*enterprise, *benchmarks, *rates);
}

Result<std::vector<std::string>> pledges_of_loan(const StateReader& state, const std::string& pledge_id) {
  auto raw = state.get("pledge/" + pledge_id);
  if (!raw) return fail("unknown_pledge", "no pledge \"" + pledge_id + "\"");
  Json pledge = Json::parse(*raw);
  const std::string bank = pledge["bank"].get<std::string>();
  const Json& loan_id = pledge["loan"]["id"];
  std::vector<std::string> out{pledge_id};
  for (const std::string& other : open_pledges_of_bank(state, bank)) {
    if (other == pledge_id) continue;
    auto other_raw = state.get("pledge/" + other);
    if (other_raw && Json::parse(*other_raw)["loan"]["id"] == loan_id) out.push_back(other);
  }
  return out;
}

Result<valuation::PledgeBook> ledger_pledge_book(const StateReader& state, const std::vector<std::string>& pledge_ids,
                                                 const std::optional<std::string>& date, const std::string& head_time) {
  std::string on = date.value_or(head_time.substr(0, 10));
  if (!valuation::parse_date_days(on)) return fail("bad_date", "the valuation date must be YYYY-MM-DD");
  return pledge_book_from_state(state, pledge_ids, on);
}

Result<valuation::PledgeReport> mark_to_market(const valuation::PledgeBook& book, const valuation::TableSet& tables, const Json& input) {
  ECOLEDGER_TRY(table, tables.collateral(input));
  return valuation::value_pledge_book(book, *table);
}

Result<valuation::StressReport> stress_book(const valuation::PledgeBook& book, const valuation::TableSet& tables, const Json& input) {
  ECOLEDGER_TRY(table, tables.collateral(input));
  auto scenarios = input.is_object() && input.contains("stress_scenarios") ? valuation::stress_scenarios_from_json(input)
                                                                           : tables.collateral_scenarios(input);
  if (!scenarios) return std::unexpected(scenarios.error());
  return valuation::stress_test(book, *table, *scenarios);
}

}  // namespace ecoledger::ledger
