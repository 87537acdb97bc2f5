// Table selection by kind, id and version, and validation of every table
// when it is added (valuation/tables.h).
#include "valuation/tables.h"

#include <doctest/doctest.h>

#include <functional>
#include <fstream>
#include <sstream>

namespace v = ecoledger::valuation;

namespace {

nlohmann::json load(const std::string& name) {
  std::ifstream in(std::string(ECOLEDGER_SOURCE_DIR) + "/valuation/data/" + name);
  std::stringstream s;
  s << in.rdbuf();
  auto doc = nlohmann::json::parse(s.str(), nullptr, false);
  REQUIRE(!doc.is_discarded());
  return doc;
}

v::TableSet defaults() {
  v::TableSet set;
  for (const char* name : {"methodology_default.json", "collateral_default.json", "gep_prices_ganzi_2010.json", "grading_default.json"}) {
    auto s = set.add(load(name), name);
    REQUIRE_MESSAGE(s, (s ? std::string() : s.error().message));
  }
  return set;
}

const nlohmann::json no_input = nlohmann::json::object();

}  // namespace

TEST_CASE("tables: the shipped defaults load and are found by kind") {
  auto set = defaults();
  CHECK(set.list().size() == 5);  // grading holds two tables
  auto methodology = set.methodology(no_input);
  REQUIRE(methodology);
  CHECK(methodology->id == "smcer-stock-change-default");
  CHECK(methodology->version == 1);
  auto gep = set.gep_prices(no_input);
  REQUIRE(gep);
  CHECK(gep->version == 2);
  CHECK(set.collateral(no_input));
  CHECK(set.collateral_scenarios(no_input)->size() == 6);
  CHECK(set.grade_benchmarks(no_input)->id == "carbon-grade-benchmarks-default");
  CHECK(set.grade_rates(no_input)->id == "carbon-grade-rates-default");
}

TEST_CASE("tables: selection by id and version; the highest version by default") {
  auto set = defaults();
  auto v3 = load("gep_prices_ganzi_2010.json");
  v3["version"] = 3;
  v3["prices"]["so2_t"]["yuan_per_unit"] = 1300;
  REQUIRE(set.add(v3, "v3.json"));
  CHECK(set.gep_prices(no_input)->version == 3);
  auto pinned = nlohmann::json::parse(R"({"tables":{"gep_prices":{"id":"gep-prices-ganzi-2010","version":2}}})");
  auto v2 = set.gep_prices(pinned);
  REQUIRE(v2);
  CHECK(v2->version == 2);
  CHECK(v2->price_yuan.at("so2_t") == 1200);
  auto missing = set.gep_prices(nlohmann::json::parse(R"({"tables":{"gep_prices":{"id":"gep-prices-ganzi-2010","version":9}}})"));
  REQUIRE(!missing);
  CHECK(missing.error().code == "table_missing");
  auto other = load("gep_prices_ganzi_2010.json");
  other["id"] = "gep-prices-other";
  REQUIRE(set.add(other, "other.json"));
  auto ambiguous = set.gep_prices(no_input);
  REQUIRE(!ambiguous);
  CHECK(ambiguous.error().code == "table_ambiguous");
  CHECK(set.gep_prices(nlohmann::json::parse(R"({"tables":{"gep_prices":{"id":"gep-prices-other"}}})"))->id == "gep-prices-other");
  CHECK(set.gep_prices(nlohmann::json::parse(R"({"tables":{"gep_prices":"x"}})")).error().code == "bad_input");
  CHECK(set.gep_prices(nlohmann::json::parse(R"({"tables":{"gep_prices":{"id":"gep-prices-other","version":0}}})")).error().code ==
        "bad_input");
}

TEST_CASE("tables: the same id and version with other content is a conflict; a copy is not") {
  auto set = defaults();
  CHECK(set.add(load("collateral_default.json"), "copy.json"));
  auto changed = load("collateral_default.json");
  changed["params"]["haircut_permille"]["FCT"] = 500;
  auto s = set.add(changed, "changed.json");
  REQUIRE(!s);
  CHECK(s.error().code == "table_conflict");
  CHECK(s.error().message.find("changed.json") != std::string::npos);
}

TEST_CASE("tables: a table with a missing or bad parameter is refused with its file and reason") {
  struct Case {
    const char* file;
    std::function<void(nlohmann::json&)> edit;
    const char* reason;
  };
  const Case cases[] = {
      {"collateral_default.json", [](nlohmann::json& d) { d["params"].erase("warning_coverage_permille"); }, "warning_coverage_permille"},
      {"collateral_default.json", [](nlohmann::json& d) { d["params"]["haircut_permille"]["FCT"] = 1001; }, "FCT"},
      {"methodology_default.json", [](nlohmann::json& d) { d["params"]["fir"].erase("wd"); }, "wd"},
      {"methodology_default.json", [](nlohmann::json& d) { d["params"].erase("buffer_permille"); }, "buffer_permille"},
      {"gep_prices_ganzi_2010.json", [](nlohmann::json& d) { d["params"]["sand_depth_m"]["value"] = -0.1; }, "sand_depth_m"},
      {"gep_prices_ganzi_2010.json", [](nlohmann::json& d) { d["prices"]["cod_t"].erase("unit"); }, "unit"},
      {"grading_default.json", [](nlohmann::json& d) { d["benchmarks"]["industries"]["textiles_leather"].erase("energy_kgce_per_10k_yuan"); },
       "energy_kgce_per_10k_yuan"},
      {"grading_default.json", [](nlohmann::json& d) { d["rates"].erase("version"); }, "version"},
      {"gep_prices_ganzi_2010.json", [](nlohmann::json& d) { d.erase("kind"); }, "kind"},
      {"gep_prices_ganzi_2010.json", [](nlohmann::json& d) { d["kind"] = "horoscope"; }, "horoscope"},
      {"gep_prices_ganzi_2010.json", [](nlohmann::json& d) { d["version"] = -2; }, "version"},
  };
  for (const auto& c : cases) {
    auto doc = load(c.file);
    c.edit(doc);
    v::TableSet set;
    auto s = set.add(doc, c.file);
    REQUIRE_MESSAGE(!s, c.file, " ", c.reason);
    CHECK(s.error().code == "table_invalid");
    CHECK_MESSAGE(s.error().message.find(c.file) != std::string::npos, s.error().message);
    CHECK_MESSAGE(s.error().message.find(c.reason) != std::string::npos, s.error().message);
    CHECK(set.list().empty());
  }
}

TEST_CASE("tables: a kind absent from the set is table_missing") {
  v::TableSet set;
  REQUIRE(set.add(load("methodology_default.json"), "m.json"));
  CHECK(set.collateral(no_input).error().code == "table_missing");
  CHECK(set.gep_prices(no_input).error().code == "table_missing");
}
