#include "valuation/carbon.h"

#include <doctest/doctest.h>

#include <fstream>
#include <sstream>

namespace v = ecoledger::valuation;

namespace {

nlohmann::json load(const std::string& name) {
  std::ifstream in(std::string(ECOLEDGER_SOURCE_DIR) + "/valuation/data/" + name);
  std::stringstream s;
  s << in.rdbuf();
  return nlohmann::json::parse(s.str(), nullptr, false);
}

v::MethodologyTable default_table() {
  auto doc = load("methodology_default.json");
  REQUIRE(!doc.is_discarded());
  auto table = v::methodology_from_json(doc["id"].get<std::string>(), doc["version"].get<std::int64_t>(), doc["params"]);
  REQUIRE(table.has_value());
  return *table;
}

v::CarbonInput one_plot(const std::string& species, std::int64_t growth_dm3) {
  return {"2016-01-01", "2020-12-31", {{"p1", 100'000, species, 1'000'000, 1'000'000 + growth_dm3}}};
}

std::string refusal(const v::CarbonInput& input, const v::MethodologyTable& table) {
  auto r = v::quantify_carbon(input, table);
  return r ? std::string("accepted") : r.error().code;
}

}  // namespace

TEST_CASE("carbon: 100 m3 worked examples of datasheet 2.4") {
  auto table = default_table();
  // 100000 × 307 × 1634 × 1246 × 520 × 44 × 1000 / 12e15 = 119174.474...
  auto fir = v::quantify_carbon(one_plot("fir", 100'000), table);
  REQUIRE(fir);
  CHECK(fir->kg_co2e == 119'174);
  // 100000 × 380 × 1472 × 1187 × 460 × 44 × 1000 / 12e15 = 111987.97...
  auto pine = v::quantify_carbon(one_plot("masson_pine", 100'000), table);
  REQUIRE(pine);
  CHECK(pine->kg_co2e == 111'988);
}

TEST_CASE("carbon: Sanming ticket 0000001, Changkou 3197 mu 2016-2020, 12723 tCO2e") {
  auto table = default_table();
  // Plausible Chinese-fir inventory (start stock 7.8-10.2 m3/mu, increment
  // about 0.63-0.68 m3/mu/yr): 5 compartments summing to 3197 mu.
  v::CarbonInput input{"2016-01-01", "2020-12-31",
                       {{"CK-01", 85'000, "fir", 7'650'000, 10'550'000},
                        {"CK-02", 72'000, "fir", 6'120'000, 8'500'000},
                        {"CK-03", 64'500, "fir", 6'579'000, 8'729'000},
                        {"CK-04", 55'200, "fir", 4'305'600, 6'185'600},
                        {"CK-05", 43'000, "fir", 4'042'000, 5'407'900}}};
  auto r = v::quantify_carbon(input, table);
  REQUIRE(r);
  CHECK(r->area_cmu == 319'700);
  CHECK(r->period_days == 1827);
  // ΔV = 10,675,900 dm3 → 12,722,947.6 kg; the ticket states whole tonnes.
  CHECK(r->kg_co2e == 12'722'948);
  CHECK((r->kg_co2e + 500) / 1000 == 12'723);
}

TEST_CASE("carbon: zero growth gives zero") {
  auto table = default_table();
  auto r = v::quantify_carbon(one_plot("fir", 0), table);
  REQUIRE(r);
  CHECK(r->kg_co2e == 0);
}

TEST_CASE("carbon: splitting plots changes the sum by at most rounding") {
  auto table = default_table();
  for (std::int64_t growth : {1, 7, 999, 123'457, 3'000'001}) {
    auto whole = v::quantify_carbon(one_plot("fir", growth), table);
    REQUIRE(whole);
    for (std::int64_t parts : {2, 3, 7}) {
      v::CarbonInput split{"2016-01-01", "2020-12-31", {}};
      std::int64_t left = growth;
      for (std::int64_t i = 0; i < parts; ++i) {
        std::int64_t g = i + 1 == parts ? left : growth / parts;
        left -= g;
        split.plots.push_back({"s" + std::to_string(i), 100'000 / parts + 1, "fir", 10, 10 + g});
      }
      auto sum = v::quantify_carbon(split, table);
      REQUIRE(sum);
      // One rounding over the exact sum: identical, not merely close.
      CHECK(sum->kg_co2e == whole->kg_co2e);
      std::int64_t per_plot = 0;
      for (const auto& p : sum->plots) per_plot += p.kg_co2e;
      CHECK(std::llabs(per_plot - sum->kg_co2e) <= parts);
    }
  }
}

TEST_CASE("carbon: monotone in growth and buffer reduces") {
  auto table = default_table();
  std::int64_t previous = -1;
  for (std::int64_t g = 0; g <= 2'000'000; g += 99'999) {
    auto r = v::quantify_carbon(one_plot("fir", g), table);
    REQUIRE(r);
    CHECK(r->kg_co2e >= previous);
    previous = r->kg_co2e;
  }
  auto buffered = table;
  buffered.buffer_permille = 200;
  auto r = v::quantify_carbon(one_plot("fir", 100'000), buffered);
  REQUIRE(r);
  CHECK(r->kg_co2e == 95'340);  // 119174.47 × 0.8 = 95339.58
}

TEST_CASE("carbon: refusals carry their stable code") {
  auto table = default_table();
  auto base = one_plot("fir", 100'000);
  CHECK(refusal(base, table) == "accepted");

  auto negative = base;
  negative.plots[0].stock_end_dm3 = negative.plots[0].stock_start_dm3 - 1;
  CHECK(refusal(negative, table) == "growth_negative");

  // 1000 mu × 5 yr × 2000 dm3 bound = 10,000,000 dm3 over 1827 days: the
  // bound scales with days/365, so 1827 days allow 10,010,958 dm3.
  auto at_bound = one_plot("fir", 10'010'958);
  CHECK(refusal(at_bound, table) == "accepted");
  auto implausible = one_plot("fir", 10'010'959);
  CHECK(refusal(implausible, table) == "growth_implausible");

  auto reversed = base;
  reversed.period_from = "2021-01-01";
  CHECK(refusal(reversed, table) == "period_invalid");
  for (const char* bad : {"2020-02-30", "2021-02-29", "2020-13-01", "20200101", "2020-1-01", "", "abcd-ef-gh"}) {
    auto p = base;
    p.period_to = bad;
    CHECK_MESSAGE(refusal(p, table) == "period_invalid", bad);
  }
  auto leap = base;
  leap.period_to = "2020-02-29";
  CHECK(refusal(leap, table) != "period_invalid");

  auto duplicate = base;
  duplicate.plots.push_back(duplicate.plots[0]);
  CHECK(refusal(duplicate, table) == "plot_duplicate");

  CHECK(refusal(one_plot("baobab", 1), table) == "species_unknown");

  auto no_area = base;
  no_area.plots[0].area_cmu = 0;
  CHECK(refusal(no_area, table) == "bad_input");
  auto empty = base;
  empty.plots.clear();
  CHECK(refusal(empty, table) == "bad_input");
  auto huge = base;
  huge.plots[0].stock_end_dm3 = v::limits::stock_dm3_max + 1;
  CHECK(refusal(huge, table) == "bad_input");
}

TEST_CASE("carbon: methodology_from_json refuses malformed params") {
  auto good = nlohmann::json::parse(
      R"({"fir":{"wd":307,"bef":1634,"r":246,"cf":520,"growth_max_dm3_per_mu_yr":2000},"buffer_permille":0})");
  CHECK(v::methodology_from_json("m", 1, good).has_value());
  const char* bad[] = {
      R"([])",
      R"({"buffer_permille":0})",
      R"({"fir":{"wd":307,"bef":1634,"r":246,"cf":520,"growth_max_dm3_per_mu_yr":2000}})",
      R"({"fir":{"wd":307,"bef":1634,"r":246,"cf":520},"buffer_permille":0})",
      R"({"fir":{"wd":0.307,"bef":1634,"r":246,"cf":520,"growth_max_dm3_per_mu_yr":2000},"buffer_permille":0})",
      R"({"fir":{"wd":307,"bef":1634,"r":246,"cf":1520,"growth_max_dm3_per_mu_yr":2000},"buffer_permille":0})",
      R"({"fir":{"wd":307,"bef":1634,"r":246,"cf":520,"growth_max_dm3_per_mu_yr":2000,"x":1},"buffer_permille":0})",
      R"({"fir":{"wd":307,"bef":1634,"r":246,"cf":520,"growth_max_dm3_per_mu_yr":2000},"buffer_permille":1000})",
      R"({"fir":7,"buffer_permille":0})",
  };
  for (const char* text : bad) {
    auto r = v::methodology_from_json("m", 1, nlohmann::json::parse(text));
    CHECK_MESSAGE(!r.has_value(), text);
    if (!r) CHECK(r.error().code == "bad_input");
  }
  CHECK(!v::methodology_from_json("", 1, good));
  CHECK(!v::methodology_from_json("m", 0, good));
}

TEST_CASE("carbon: carbon_input_from_json decodes and refuses") {
  auto doc = nlohmann::json::parse(R"({"period":{"from":"2016-01-01","to":"2020-12-31"},"ticket":"0000001",
    "plots":[{"id":"a","area_cmu":100,"species":"fir","stock_start_dm3":0,"stock_end_dm3":10}]})");
  auto input = v::carbon_input_from_json(doc);
  REQUIRE(input);
  CHECK(input->plots.size() == 1);
  CHECK(input->plots[0].stock_end_dm3 == 10);
  const char* bad[] = {
      R"(null)", R"({})", R"({"period":{"from":"2016-01-01"},"plots":[]})",
      R"({"period":{"from":"2016-01-01","to":"2020-12-31"}})",
      R"({"period":{"from":"2016-01-01","to":"2020-12-31"},"plots":[{"id":"a"}]})",
      R"({"period":{"from":"2016-01-01","to":"2020-12-31"},"plots":[{"id":"a","area_cmu":"1","species":"fir","stock_start_dm3":0,"stock_end_dm3":1}]})",
      R"({"period":{"from":"2016-01-01","to":"2020-12-31"},"plots":[{"id":"a","area_cmu":1,"species":"fir","stock_start_dm3":0,"stock_end_dm3":1.5}]})",
      R"({"period":{"from":"2016-01-01","to":"2020-12-31"},"plots":[7]})",
  };
  for (const char* text : bad) {
    auto r = v::carbon_input_from_json(nlohmann::json::parse(text));
    CHECK_MESSAGE(!r.has_value(), text);
    if (!r) CHECK(r.error().code == "bad_input");
  }
}

TEST_CASE("carbon: result JSON is byte-identical across runs") {
  auto table = default_table();
  auto a = v::quantify_carbon(one_plot("fir", 123'456), table);
  auto b = v::quantify_carbon(one_plot("fir", 123'456), table);
  REQUIRE(a);
  REQUIRE(b);
  CHECK(v::carbon_result_to_json(*a).dump() == v::carbon_result_to_json(*b).dump());
}
