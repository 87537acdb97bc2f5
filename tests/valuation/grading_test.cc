#include "valuation/grading.h"

#include <doctest/doctest.h>

#include <fstream>
#include <sstream>

namespace v = ecoledger::valuation;

namespace {

struct Tables {
  v::BenchmarkTable benchmarks;
  v::RateTable rates;
};

Tables default_tables() {
  std::ifstream in(std::string(ECOLEDGER_SOURCE_DIR) + "/valuation/data/grading_default.json");
  std::stringstream s;
  s << in.rdbuf();
  auto doc = nlohmann::json::parse(s.str(), nullptr, false);
  REQUIRE(!doc.is_discarded());
  auto b = v::benchmark_table_from_json(doc["benchmarks"]);
  auto r = v::rate_table_from_json(doc["rates"]);
  REQUIRE(b);
  REQUIRE(r);
  return {*b, *r};
}

// 1亿元 of output (10^10 fen) in general manufacturing.
v::EnterpriseInput firm(std::int64_t energy_kgce, std::int64_t emissions_kg) {
  return {"E1", "general_manufacturing", energy_kgce, emissions_kg, 10'000'000'000};
}

}  // namespace

TEST_CASE("grading: grade boundaries are exact and the worse indicator wins") {
  auto t = default_tables();
  // 1亿元 = 10,000 万元: emission bound 500 kg/万元 → 5,000,000 kg.
  auto at_bound = v::grade_enterprise(firm(0, 5'000'000), t.benchmarks, t.rates);
  REQUIRE(at_bound);
  CHECK(at_bound->grade == "green");
  CHECK(at_bound->rate_adjustment_bp == -50);
  CHECK(at_bound->emission_intensity_kg_per_10k_yuan == 500);
  CHECK(v::grade_enterprise(firm(0, 5'000'001), t.benchmarks, t.rates)->grade == "yellow");
  CHECK(v::grade_enterprise(firm(0, 20'000'000), t.benchmarks, t.rates)->grade == "orange");
  CHECK(v::grade_enterprise(firm(0, 20'000'001), t.benchmarks, t.rates)->grade == "red");
  auto mixed = v::grade_enterprise(firm(8'000'001, 100), t.benchmarks, t.rates);  // energy red, emissions green
  REQUIRE(mixed);
  CHECK(mixed->emission_grade == "green");
  CHECK(mixed->energy_grade == "red");
  CHECK(mixed->grade == "red");
  CHECK(mixed->rate_adjustment_bp == 50);
  auto j = v::grade_result_to_json(*mixed);
  CHECK(j["tables"]["benchmarks"]["version"] == 1);
  CHECK(j["tables"]["rates"]["id"] == "carbon-grade-rates-default");
}

TEST_CASE("grading: monotone: more emissions never improve the grade") {
  auto t = default_tables();
  int previous = -1;
  auto rank = [](const std::string& g) { return g == "green" ? 0 : g == "yellow" ? 1 : g == "orange" ? 2 : 3; };
  for (std::int64_t e = 0; e <= 30'000'000; e += 777'777) {
    auto r = v::grade_enterprise(firm(0, e), t.benchmarks, t.rates);
    REQUIRE(r);
    CHECK(rank(r->grade) >= previous);
    previous = rank(r->grade);
  }
}

TEST_CASE("grading: refusals carry their stable code") {
  auto t = default_tables();
  auto code = [&](v::EnterpriseInput e) {
    auto r = v::grade_enterprise(e, t.benchmarks, t.rates);
    return r ? std::string("accepted") : r.error().code;
  };
  auto e = firm(1, 1);
  e.industry = "mining_bitcoin";
  CHECK(code(e) == "industry_unknown");
  e = firm(1, 1);
  e.output_fen = 0;
  CHECK(code(e) == "bad_input");
  CHECK(code(firm(-1, 1)) == "bad_input");
  auto rates = t.rates;
  rates.adjustment_bp.erase("red");
  CHECK(v::grade_enterprise(firm(0, 20'000'001), t.benchmarks, rates).error().code == "grade_unpriced");
  auto inverted = nlohmann::json::parse(R"({"id":"b","version":1,"industries":{"x":{
    "emission_kg_per_10k_yuan":{"green_max":10,"yellow_max":5,"orange_max":20},
    "energy_kgce_per_10k_yuan":{"green_max":1,"yellow_max":2,"orange_max":3}}}})");
  CHECK(!v::benchmark_table_from_json(inverted));
  CHECK(!v::enterprise_from_json(nlohmann::json::parse(R"({"id":"E","industry":"x","energy_kgce":1,"emissions_kg":1})")));
}
