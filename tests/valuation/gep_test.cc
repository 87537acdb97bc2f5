#include "valuation/gep.h"

#include <doctest/doctest.h>

#include <cmath>
#include <fstream>
#include <sstream>

namespace v = ecoledger::valuation;

namespace {

constexpr double yi = 1.0e8;  // 亿

v::GepPriceTable ganzi_prices() {
  std::ifstream in(std::string(ECOLEDGER_SOURCE_DIR) + "/valuation/data/gep_prices_ganzi_2010.json");
  std::stringstream s;
  s << in.rdbuf();
  auto t = v::gep_price_table_from_json(nlohmann::json::parse(s.str(), nullptr, false));
  REQUIRE(t);
  return *t;
}

// Ganzi 2010 (datasheet §5.4): physical quantities as published (亿 units).
// "other_regulating" = 6,842.28 − (2,269.71 + 117.35 + 1,821.92 + 2,157.86 +
// 399.60 + 59.56) = 16.28亿 [D]: the regulating items §5.4 does not itemize.
const char* ganzi_input = R"({"region":"甘孜州","year":2010,"items":[
  {"indicator":"provisioning","category":"provisioning","method":"reported","value_yuan":63264000000},
  {"indicator":"water_conservation","category":"regulating","method":"water_balance","quantity":32149000000,"price_key":"reservoir_capacity_m3"},
  {"indicator":"carbon_sequestration","category":"regulating","method":"npp_carbon","quantity":31000000,"unit":"t","price_key":"carbon_afforestation_t"},
  {"indicator":"oxygen_release","category":"regulating","method":"npp_oxygen","quantity":251000000,"unit":"t","price_key":"oxygen_industrial_t"},
  {"indicator":"climate_regulation","category":"regulating","method":"climate_energy","quantity":407144000000,"unit":"kWh","price_key":"electricity_kwh"},
  {"indicator":"soil_retention","category":"regulating","method":"soil_retention","quantity":3886000000},
  {"indicator":"flood_regulation","category":"regulating","method":"flood_storage","quantity":844000000,"unit":"m3","price_key":"reservoir_capacity_m3"},
  {"indicator":"other_regulating","category":"regulating","method":"reported","value_yuan":1628000000},
  {"indicator":"cultural","category":"cultural","method":"reported","value_yuan":7067000000}]})";

struct Published {
  const char* indicator;
  double value_yi;
  double quantity_relative_precision;  // half the last published digit of the quantity / quantity
};

v::GepItem item_with_quantity(double q) {
  v::GepItem item;
  item.indicator = "c";
  item.category = "regulating";
  item.ecosystem = "all";
  item.method = "quantity_price";
  item.price_key = "carbon_afforestation_t";
  item.unit = "t";
  item.quantity = q;
  return item;
}

v::GepAccount ganzi_account() {
  auto input = v::gep_input_from_json(nlohmann::json::parse(ganzi_input));
  REQUIRE(input);
  auto account = v::account_gep(*input, ganzi_prices());
  REQUIRE(account);
  return *account;
}

}  // namespace

TEST_CASE("gep: Ganzi 2010 line items within the precision of the published quantities") {
  auto account = ganzi_account();
  const Published published[] = {
      {"water_conservation", 2269.71, 0.005 / 321.49}, {"carbon_sequestration", 117.35, 0.005 / 0.31},
      {"oxygen_release", 1821.92, 0.005 / 2.51},       {"climate_regulation", 2157.86, 0.005 / 4071.44},
      {"soil_retention", 399.60, 0.005 / 38.86},       {"flood_regulation", 59.56, 0.005 / 8.44},
  };
  for (const auto& p : published) {
    const v::GepLine* line = nullptr;
    for (const auto& l : account.lines)
      if (l.indicator == p.indicator) line = &l;
    REQUIRE(line != nullptr);
    const double computed_yi = static_cast<double>(line->value_fen) / 100.0 / yi;
    // Tolerance: the quantity's own publication rounding plus 0.005亿 for the value's.
    const double tolerance_yi = p.value_yi * p.quantity_relative_precision + 0.005;
    CHECK_MESSAGE(std::fabs(computed_yi - p.value_yi) <= tolerance_yi, p.indicator, " computed ", computed_yi);
  }
  // Exact figures from the published quantities × prices, in fen:
  CHECK(account.lines[4].value_fen == 215'786'320'000'00);  // 4,071.44亿 kWh × 0.53
  CHECK(account.lines[1].value_fen == 226'971'940'000'00);  // 321.49亿 m3 × 7.06
}

TEST_CASE("gep: Ganzi 2010 category totals and GEP") {
  auto account = ganzi_account();
  auto yi_of = [](std::int64_t fen) { return static_cast<double>(fen) / 100.0 / yi; };
  CHECK(yi_of(account.category_fen.at("provisioning")) == doctest::Approx(632.64));
  CHECK(yi_of(account.category_fen.at("cultural")) == doctest::Approx(70.67));
  // Regulating 6,842.28亿 (published); the line tolerances above sum to 3.6亿.
  CHECK(std::fabs(yi_of(account.category_fen.at("regulating")) - 6842.28) <= 3.6);
  CHECK(std::fabs(yi_of(account.total_fen) - 7545.59) <= 3.6);
  // Regulating share 90.68% as published.
  CHECK(static_cast<double>(account.category_fen.at("regulating")) / static_cast<double>(account.total_fen) ==
        doctest::Approx(0.9068).epsilon(0.001));
  std::int64_t sum = 0;
  for (const auto& l : account.lines) sum += l.value_fen;
  CHECK(sum == account.total_fen);
}

TEST_CASE("gep: water balance, JSON and CSV are deterministic") {
  auto input = v::gep_input_from_json(nlohmann::json::parse(R"({"region":"r","year":2020,"items":[
    {"indicator":"water_conservation","category":"regulating","ecosystem":"forest","method":"water_balance",
     "price_key":"reservoir_capacity_m3","cells":[
       {"precipitation_mm":1600,"runoff_mm":500,"evapotranspiration_mm":700,"area_km2":10},
       {"precipitation_mm":1200,"runoff_mm":400,"evapotranspiration_mm":600,"area_km2":5}]}]})"));
  REQUIRE(input);
  auto account = v::account_gep(*input, ganzi_prices());
  REQUIRE(account);
  // (400 mm × 10 km² + 200 mm × 5 km²) × 1000 = 5,000,000 m3 × 7.06 = 35,300,000 yuan
  CHECK(account->lines[0].quantity == 5'000'000.0);
  CHECK(account->lines[0].value_fen == 3'530'000'000);
  CHECK(account->ecosystem_fen.at("forest") == 3'530'000'000);
  auto csv = v::gep_account_to_csv(*account);
  CHECK(csv.starts_with("row,indicator,category,ecosystem,method,valuation,quantity,unit,price_yuan,value_fen\n"));
  CHECK(csv.find("line,water_conservation,regulating,forest,water_balance,shadow_project,5000000,m3,7.06,3530000000\n") !=
        std::string::npos);
  CHECK(csv.find("ecosystem,,,forest,,,,,,3530000000\n") != std::string::npos);
  CHECK(csv.ends_with("total,,,,,,,,,3530000000\n"));
  auto again = ganzi_account();
  CHECK(v::gep_account_to_json(ganzi_account()).dump() == v::gep_account_to_json(again).dump());
  CHECK(v::gep_account_to_csv(ganzi_account()) == v::gep_account_to_csv(again));
}

TEST_CASE("gep: monotone in price and quantity") {
  auto table = ganzi_prices();
  std::int64_t previous = -1;
  for (double q = 0; q < 1e9; q += 7.3e7) {
    v::GepInput input{"r", 2010, {item_with_quantity(q)}};
    auto a = v::account_gep(input, table);
    REQUIRE(a);
    CHECK(a->total_fen >= previous);
    previous = a->total_fen;
  }
  previous = -1;
  for (double p = 0; p < 1000; p += 37.5) {
    table.price_yuan["carbon_afforestation_t"] = p;
    v::GepInput input{"r", 2010, {item_with_quantity(1e6)}};
    auto a = v::account_gep(input, table);
    REQUIRE(a);
    CHECK(a->total_fen >= previous);
    previous = a->total_fen;
  }
}

TEST_CASE("gep: refusals carry their stable code") {
  auto table = ganzi_prices();
  auto code = [&](const char* text) {
    auto input = v::gep_input_from_json(nlohmann::json::parse(text));
    if (!input) return input.error().code;
    auto a = v::account_gep(*input, table);
    return a ? std::string("accepted") : a.error().code;
  };
  CHECK(code(R"({"region":"r","year":2000,"items":[]})") == "accepted");
  CHECK(code(R"({"region":"r","year":1,"items":[]})") == "bad_input");
  CHECK(code(R"({"region":"r","year":2000,"items":[{"indicator":"x","category":"regulating","method":"quantity_price","quantity":1,"price_key":"gold_t"}]})") == "price_missing");
  CHECK(code(R"({"region":"r","year":2000,"items":[{"indicator":"x","category":"regulating","method":"alchemy","quantity":1}]})") == "method_unknown");
  CHECK(code(R"({"region":"r","year":2000,"items":[{"indicator":"x","category":"regulating","method":"quantity_price","quantity":-1,"price_key":"so2_t"}]})") == "bad_input");
  CHECK(code(R"({"region":"r","year":2000,"items":[{"indicator":"x","category":"regulating","method":"quantity_price","quantity":"1","price_key":"so2_t"}]})") == "bad_input");
  CHECK(code(R"({"region":"r","year":2000,"items":[{"indicator":"x","category":"regulating","method":"quantity_price","quantity":1e300,"price_key":"so2_t"}]})") == "bad_input");
  CHECK(code(R"({"region":"r","year":2000,"items":[{"indicator":"x","category":"regulating","method":"water_balance","price_key":"so2_t"}]})") == "bad_input");
  CHECK(code(R"({"year":1,"items":[]})") == "bad_input");
  CHECK(code(R"([])") == "bad_input");
}

TEST_CASE("gep: every line names its valuation, parameters and the table version") {
  auto account = ganzi_account();
  auto json = v::gep_account_to_json(account);
  CHECK(json["tables"]["gep_prices"]["id"] == "gep-prices-ganzi-2010");
  CHECK(json["tables"]["gep_prices"]["version"] == 2);
  CHECK(json["lines"][1]["valuation"] == "shadow_project");
  CHECK(json["lines"][2]["valuation"] == "replacement_cost");  // afforestation cost of carbon
  CHECK(json["lines"][5]["parameters"].size() == 7);          // 3 prices + λ, ρ, C_N, C_P
  CHECK(json["lines"][5]["unconfirmed"].empty());             // all from the Ganzi paper
}
