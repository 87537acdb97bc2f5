// The GEP physical-quantity methods against hand-computed figures, their
// properties (monotone, zero in → zero out, splitting cells), and refusals.
#include "valuation/gep.h"

#include <doctest/doctest.h>

#include <cmath>
#include <fstream>
#include <functional>
#include <sstream>

namespace v = ecoledger::valuation;

namespace {

nlohmann::json table_document() {
  std::ifstream in(std::string(ECOLEDGER_SOURCE_DIR) + "/valuation/data/gep_prices_ganzi_2010.json");
  std::stringstream s;
  s << in.rdbuf();
  auto doc = nlohmann::json::parse(s.str(), nullptr, false);
  REQUIRE(!doc.is_discarded());
  return doc;
}

v::GepPriceTable table() {
  auto t = v::gep_price_table_from_json(table_document());
  REQUIRE(t);
  return *t;
}

// Accounts one item given as JSON text; the whole result.
ecoledger::Result<v::GepAccount> account_one(const std::string& item, const v::GepPriceTable& t = table()) {
  auto input = v::gep_input_from_json(nlohmann::json::parse(R"({"region":"r","year":2020,"items":[)" + item + "]}"));
  if (!input) return std::unexpected(input.error());
  return v::account_gep(*input, t);
}

v::GepLine line_of(const std::string& item) {
  auto a = account_one(item);
  REQUIRE_MESSAGE(a, (a ? std::string() : a.error().message));
  REQUIRE(a->lines.size() == 1);
  return a->lines[0];
}

std::string code_of(const std::string& item, const v::GepPriceTable& t = table()) {
  auto a = account_one(item, t);
  return a ? std::string("accepted") : a.error().code;
}

}  // namespace

TEST_CASE("gep methods: soil retention by USLE difference, replacement cost") {
  // Potential R·K·LS = 2000 × 0.03 × 2.5 = 150 t/hm²; actual × C·P = 0.08 → 12;
  // retained 138 t/hm² × 100 hm² = 13,800 t.
  // Value = 0.24 × 13800 / 0.93 × 15.58 + 13800 × 0.0037 × 875 + 13800 × 0.00108 × 2800
  //       = 55,484.903 + 44,677.5 + 41,731.2 = 141,893.603 yuan.
  auto line = line_of(R"({"indicator":"soil","category":"regulating","ecosystem":"forest","method":"soil_retention",
    "cells":[{"r_factor":2000,"k_factor":0.03,"ls_factor":2.5,"c_factor":0.1,"p_factor":0.8,"area_hm2":100}]})");
  CHECK(line.quantity == doctest::Approx(13'800).epsilon(1e-12));
  CHECK(line.unit == "t");
  CHECK(line.valuation == "replacement_cost");
  CHECK(line.value_fen == 14'189'360);
}

TEST_CASE("gep methods: sand fixation by RWEQ difference") {
  // WF·EF·SCF·K' = 50 × 0.5 × 0.6 × 0.8 = 12; with vegetation C = 0.2: 2.4.
  // S_L(f) = 2z/S² × 109.8 f × exp(−(z/S)²), S = 150.71 f^−0.3711, z = 50 m:
  // S_L(12) = 18.288934 kg/m², S_L(2.4) = 1.799607 kg/m²; retained
  // 16.489328 kg/m² × 1000 hm² × 10 = 164,893.278 t;
  // value = 164893.278 / (1.28 × 0.1) × 3.75 = 4,830,857.757 yuan.
  auto line = line_of(R"({"indicator":"sand","category":"regulating","method":"sand_fixation","price_key":"sand_control_m2",
    "cells":[{"weather_factor_kg_per_m":50,"erodible_fraction":0.5,"crust_factor":0.6,"roughness_factor":0.8,
              "vegetation_factor":0.2,"area_hm2":1000}]})");
  CHECK(line.quantity == doctest::Approx(164'893.278).epsilon(1e-8));
  CHECK(line.value_fen == 483'085'776);
  CHECK(line.unconfirmed.size() == 4);  // the RWEQ coefficients are our choice
  // Full vegetation cover (C = 0) retains the whole potential loss.
  auto bare = line_of(R"({"indicator":"sand","category":"regulating","method":"sand_fixation","price_key":"sand_control_m2",
    "cells":[{"weather_factor_kg_per_m":50,"erodible_fraction":0.5,"crust_factor":0.6,"roughness_factor":0.8,
              "vegetation_factor":0,"area_hm2":1000}]})");
  CHECK(bare.quantity == doctest::Approx(18.288934409 * 10'000).epsilon(1e-8));
  // No vegetation effect (C = 1): nothing retained.
  auto none = line_of(R"({"indicator":"sand","category":"regulating","method":"sand_fixation","price_key":"sand_control_m2",
    "cells":[{"weather_factor_kg_per_m":50,"erodible_fraction":0.5,"crust_factor":0.6,"roughness_factor":0.8,
              "vegetation_factor":1,"area_hm2":1000}]})");
  CHECK(none.value_fen == 0);
}

TEST_CASE("gep methods: flood regulation by storage capacities, shadow project") {
  // vegetation 2 mm × 100 km² × 1000 = 200,000 m³; soil 50 mm × 100 km² = 5,000,000;
  // lake e^6.636 × 1^0.678 × 1 × 10^4 = 7,620,407.257; reservoirs 0.35 × 10^8 = 35,000,000;
  // marsh 10 km² × 10^6 × 0.3 m = 3,000,000 → 50,820,407.257 m³ × 7.06 = 358,792,075.231 yuan.
  auto line = line_of(R"({"indicator":"flood","category":"regulating","method":"flood_storage","price_key":"reservoir_capacity_m3",
    "storage":{"vegetation_interception":[{"interception_mm":2,"area_km2":100}],"soil_storage":[{"storage_mm":50,"area_km2":100}],
               "lakes_km2":[1],"reservoirs_capacity_m3":[100000000],"marsh_km2":[10]}})");
  CHECK(line.quantity == doctest::Approx(50'820'407.257).epsilon(1e-10));
  CHECK(line.valuation == "shadow_project");
  CHECK(line.value_fen == 35'879'207'523);
}

TEST_CASE("gep methods: air purification per area, capped at emissions; water purification") {
  // SO2: 100 km² conifer × 21.56 + 200 km² broadleaf × 8.865 = 3,929 t × 1200 = 4,714,800 yuan.
  const std::string air = R"({"indicator":"so2","category":"regulating","method":"air_purification","price_key":"so2_t",
    "cells":[{"rate_param":"so2_absorption_conifer_t_per_km2","area_km2":100},{"rate_param":"so2_absorption_broadleaf_t_per_km2","area_km2":200}])";
  auto line = line_of(air + "}");
  CHECK(line.quantity == doctest::Approx(3'929));
  CHECK(line.value_fen == 471'480'000);
  CHECK(line.valuation == "treatment_cost");
  // Emissions of 3,000 t cap the absorption: 3,000 × 1200.
  CHECK(line_of(air + R"(,"cap_t":3000})").value_fen == 360'000'000);
  // Water: a purified COD load of 500 t × 700 = 350,000 yuan.
  CHECK(line_of(R"({"indicator":"cod","category":"regulating","ecosystem":"wetland","method":"water_purification",
    "price_key":"cod_t","quantity":500})").value_fen == 35'000'000);
}

TEST_CASE("gep methods: carbon and oxygen from NPP") {
  // 8 t/hm² × 1000 hm² = 8,000 t dry matter; × 1.62 = 12,960 t CO2 × 380 = 4,924,800 yuan;
  // × 1.2 = 9,600 t O2 × 727 = 6,979,200 yuan.
  auto carbon = line_of(R"({"indicator":"carbon","category":"regulating","method":"npp_carbon","price_key":"carbon_afforestation_t",
    "cells":[{"npp_t_per_hm2":8,"area_hm2":1000}]})");
  CHECK(carbon.quantity == doctest::Approx(12'960));
  CHECK(carbon.value_fen == 492'480'000);
  CHECK(carbon.unconfirmed == std::vector<std::string>{"co2_per_dry_matter_t_per_t"});
  auto oxygen = line_of(R"({"indicator":"oxygen","category":"regulating","method":"npp_oxygen","price_key":"oxygen_industrial_t",
    "cells":[{"npp_t_per_hm2":8,"area_hm2":1000}]})");
  CHECK(oxygen.quantity == doctest::Approx(9'600));
  CHECK(oxygen.value_fen == 697'920'000);
}

TEST_CASE("gep methods: climate regulation by transpiration and evaporation energy") {
  // Vegetation: 4900 kJ/m²/d × 10 km² × 10^6 × 90 d / (3600 × 3) = 408,333,333.333 kWh.
  // Water: 800 mm × 5 km² × 1000 = 4,000,000 m³; × 1000 × 2260 / 3600 = 2,511,111,111.111
  // + 4,000,000 × 125 = 500,000,000 → 3,011,111,111.111 kWh.
  // Total 3,419,444,444.444 kWh × 0.53 = 1,812,305,555.556 yuan.
  auto line = line_of(R"({"indicator":"climate","category":"regulating","method":"climate_energy","price_key":"electricity_kwh",
    "vegetation":[{"transpiration_heat_kj_per_m2_day":4900,"days":90,"area_km2":10}],
    "water":[{"evaporation_mm":800,"area_km2":5}]})");
  CHECK(line.quantity == doctest::Approx(3'419'444'444.444).epsilon(1e-12));
  CHECK(line.unit == "kWh");
  CHECK(line.value_fen == 181'230'555'556);
}

TEST_CASE("gep methods: zero NPP or zero area gives zero") {
  CHECK(line_of(R"({"indicator":"c","category":"regulating","method":"npp_carbon","price_key":"carbon_afforestation_t",
    "cells":[{"npp_t_per_hm2":0,"area_hm2":1000}]})").value_fen == 0);
  CHECK(line_of(R"({"indicator":"c","category":"regulating","method":"npp_carbon","price_key":"carbon_afforestation_t",
    "cells":[{"npp_t_per_hm2":9,"area_hm2":0}]})").value_fen == 0);
  CHECK(line_of(R"({"indicator":"s","category":"regulating","method":"soil_retention",
    "cells":[{"r_factor":2000,"k_factor":0.03,"ls_factor":2.5,"c_factor":1,"p_factor":1,"area_hm2":100}]})").value_fen == 0);
}

namespace {

// Each method's item with its area scaled by a, as JSON text.
std::vector<std::string> scaled_items(double a) {
  const std::string s = std::to_string(a);
  return {
      R"({"indicator":"w","category":"regulating","method":"water_balance","price_key":"reservoir_capacity_m3","cells":[{"precipitation_mm":1500,"runoff_mm":500,"evapotranspiration_mm":600,"area_km2":)" + s + "}]}",
      R"({"indicator":"s","category":"regulating","method":"soil_retention","cells":[{"r_factor":2000,"k_factor":0.03,"ls_factor":2.5,"c_factor":0.1,"p_factor":0.8,"area_hm2":)" + s + "}]}",
      R"({"indicator":"d","category":"regulating","method":"sand_fixation","price_key":"sand_control_m2","cells":[{"weather_factor_kg_per_m":50,"erodible_fraction":0.5,"crust_factor":0.6,"roughness_factor":0.8,"vegetation_factor":0.2,"area_hm2":)" + s + "}]}",
      R"({"indicator":"f","category":"regulating","method":"flood_storage","price_key":"reservoir_capacity_m3","storage":{"soil_storage":[{"storage_mm":50,"area_km2":)" + s + "}]}}",
      R"({"indicator":"a","category":"regulating","method":"air_purification","price_key":"so2_t","cells":[{"rate_param":"so2_absorption_conifer_t_per_km2","area_km2":)" + s + "}]}",
      R"({"indicator":"c","category":"regulating","method":"npp_carbon","price_key":"carbon_afforestation_t","cells":[{"npp_t_per_hm2":8,"area_hm2":)" + s + "}]}",
      R"({"indicator":"o","category":"regulating","method":"npp_oxygen","price_key":"oxygen_industrial_t","cells":[{"npp_t_per_hm2":8,"area_hm2":)" + s + "}]}",
      R"({"indicator":"k","category":"regulating","method":"climate_energy","price_key":"electricity_kwh","water":[{"evaporation_mm":800,"area_km2":)" + s + "}]}",
  };
}

}  // namespace

TEST_CASE("gep methods: every method is monotone in quantity (area) and in price") {
  std::vector<std::int64_t> previous(scaled_items(0).size(), -1);
  for (double a = 0; a <= 5000; a += 437.5) {
    auto items = scaled_items(a);
    for (std::size_t i = 0; i < items.size(); ++i) {
      auto line = line_of(items[i]);
      CHECK_MESSAGE(line.value_fen >= previous[i], items[i]);
      previous[i] = line.value_fen;
    }
  }
  // Raising every price and the soil/sand parameters' prices never lowers a line.
  auto items = scaled_items(1000);
  std::vector<std::int64_t> last(items.size(), -1);
  for (double factor = 0; factor <= 3; factor += 0.25) {
    auto t = table();
    for (auto& [key, price] : t.price_yuan) price *= factor;
    for (std::size_t i = 0; i < items.size(); ++i) {
      auto a = account_one(items[i], t);
      REQUIRE(a);
      CHECK(a->total_fen >= last[i]);
      last[i] = a->total_fen;
    }
  }
}

TEST_CASE("gep methods: splitting cells changes a line by at most one fen") {
  const std::pair<const char*, const char*> cases[] = {
      {R"({"indicator":"c","category":"regulating","method":"npp_carbon","price_key":"carbon_afforestation_t","cells":[{"npp_t_per_hm2":7.3,"area_hm2":1234.5}]})",
       R"({"indicator":"c","category":"regulating","method":"npp_carbon","price_key":"carbon_afforestation_t","cells":[{"npp_t_per_hm2":7.3,"area_hm2":1000},{"npp_t_per_hm2":7.3,"area_hm2":200},{"npp_t_per_hm2":7.3,"area_hm2":34.5}]})"},
      {R"({"indicator":"s","category":"regulating","method":"soil_retention","cells":[{"r_factor":1800,"k_factor":0.031,"ls_factor":3.1,"c_factor":0.13,"p_factor":0.7,"area_hm2":999.9}]})",
       R"({"indicator":"s","category":"regulating","method":"soil_retention","cells":[{"r_factor":1800,"k_factor":0.031,"ls_factor":3.1,"c_factor":0.13,"p_factor":0.7,"area_hm2":333.3},{"r_factor":1800,"k_factor":0.031,"ls_factor":3.1,"c_factor":0.13,"p_factor":0.7,"area_hm2":666.6}]})"},
      {R"({"indicator":"w","category":"regulating","method":"water_balance","price_key":"reservoir_capacity_m3","cells":[{"precipitation_mm":1633.3,"runoff_mm":512.1,"evapotranspiration_mm":700.7,"area_km2":77.7}]})",
       R"({"indicator":"w","category":"regulating","method":"water_balance","price_key":"reservoir_capacity_m3","cells":[{"precipitation_mm":1633.3,"runoff_mm":512.1,"evapotranspiration_mm":700.7,"area_km2":70},{"precipitation_mm":1633.3,"runoff_mm":512.1,"evapotranspiration_mm":700.7,"area_km2":7.7}]})"},
  };
  for (const auto& [whole, split] : cases) {
    auto a = line_of(whole), b = line_of(split);
    CHECK(std::llabs(a.value_fen - b.value_fen) <= 1);
    CHECK(a.quantity == doctest::Approx(b.quantity).epsilon(1e-12));
  }
}

TEST_CASE("gep methods: nonsense inputs are refused with their reason") {
  const std::pair<const char*, const char*> cases[] = {
      // USLE factors C and P are fractions; areas are non-negative.
      {R"({"indicator":"s","category":"regulating","method":"soil_retention","cells":[{"r_factor":1,"k_factor":1,"ls_factor":1,"c_factor":1.5,"p_factor":1,"area_hm2":1}]})", "bad_input"},
      {R"({"indicator":"s","category":"regulating","method":"soil_retention","cells":[{"r_factor":1,"k_factor":1,"ls_factor":1,"c_factor":0.5,"p_factor":1,"area_hm2":-1}]})", "bad_input"},
      {R"({"indicator":"s","category":"regulating","method":"soil_retention","cells":[{"r_factor":1,"k_factor":1,"ls_factor":1,"c_factor":0.5,"p_factor":1}]})", "bad_input"},
      {R"({"indicator":"s","category":"regulating","method":"soil_retention","cells":[]})", "bad_input"},
      {R"({"indicator":"s","category":"regulating","method":"soil_retention","quantity":5,"cells":[{"r_factor":1,"k_factor":1,"ls_factor":1,"c_factor":0.5,"p_factor":1,"area_hm2":1}]})", "bad_input"},
      {R"({"indicator":"d","category":"regulating","method":"sand_fixation","price_key":"sand_control_m2","cells":[{"weather_factor_kg_per_m":50,"erodible_fraction":2,"crust_factor":0.6,"roughness_factor":0.8,"vegetation_factor":0.2,"area_hm2":1}]})", "bad_input"},
      {R"({"indicator":"w","category":"regulating","method":"water_balance","price_key":"reservoir_capacity_m3","cells":[{"precipitation_mm":-5,"runoff_mm":0,"evapotranspiration_mm":0,"area_km2":1}]})", "bad_input"},
      {R"({"indicator":"f","category":"regulating","method":"flood_storage","price_key":"reservoir_capacity_m3","storage":{}})", "bad_input"},
      {R"({"indicator":"f","category":"regulating","method":"flood_storage","price_key":"reservoir_capacity_m3","storage":{"lakes_km2":[-1]}})", "bad_input"},
      {R"({"indicator":"f","category":"regulating","method":"flood_storage","price_key":"reservoir_capacity_m3","storage":{"rivers_km2":[1]}})", "bad_input"},
      {R"({"indicator":"k","category":"regulating","method":"climate_energy","price_key":"electricity_kwh","vegetation":[{"transpiration_heat_kj_per_m2_day":1,"days":400,"area_km2":1}]})", "bad_input"},
      {R"({"indicator":"k","category":"regulating","method":"climate_energy","price_key":"electricity_kwh"})", "bad_input"},
      {R"({"indicator":"a","category":"regulating","method":"air_purification","price_key":"so2_t","cells":[{"rate_param":"so2_absorption_conifer_t_per_km2","area_km2":1}],"cap_t":-1})", "bad_input"},
      // A rate the table does not publish.
      {R"({"indicator":"a","category":"regulating","method":"air_purification","price_key":"so2_t","cells":[{"rate_param":"so2_absorption_moss_t_per_km2","area_km2":1}]})", "param_missing"},
      // Physical quantity and price in different units.
      {R"({"indicator":"w","category":"regulating","method":"water_balance","price_key":"so2_t","quantity":5})", "unit_mismatch"},
      {R"({"indicator":"c","category":"regulating","method":"npp_carbon","price_key":"electricity_kwh","quantity":5})", "unit_mismatch"},
      {R"({"indicator":"c","category":"regulating","method":"npp_carbon","unit":"kg","price_key":"carbon_afforestation_t","quantity":5})", "unit_mismatch"},
      {R"({"indicator":"q","category":"provisioning","method":"quantity_price","unit":"t","price_key":"water_domestic_m3","quantity":5})", "unit_mismatch"},
      // Members that do not belong to the method, a missing price key, a bad category.
      {R"({"indicator":"q","category":"provisioning","method":"quantity_price","price_key":"water_domestic_m3","quantity":5,"cells":[]})", "bad_input"},
      {R"({"indicator":"c","category":"regulating","method":"npp_carbon","quantity":5})", "bad_input"},
      {R"({"indicator":"q","category":"leisure","method":"quantity_price","price_key":"water_domestic_m3","quantity":5})", "bad_input"},
      {R"({"indicator":"r","category":"cultural","method":"reported","value_yuan":-1})", "bad_input"},
      {R"({"indicator":"","category":"cultural","method":"reported","value_yuan":1})", "bad_input"},
  };
  for (const auto& [item, expected] : cases) {
    auto a = account_one(item);
    REQUIRE_MESSAGE(!a, item);
    CHECK_MESSAGE(a.error().code == expected, item, " → ", a.error().message);
    CHECK(!a.error().message.empty());
  }
  // The same indicator and ecosystem twice would be counted twice.
  const std::string twice = R"({"indicator":"r","category":"cultural","method":"reported","value_yuan":1})";
  CHECK(code_of(twice + "," + twice) == "item_duplicate");
}

TEST_CASE("gep methods: a table missing a parameter refuses the method that needs it") {
  auto doc = table_document();
  doc["params"].erase("co2_per_dry_matter_t_per_t");
  auto t = v::gep_price_table_from_json(doc);
  REQUIRE(t);
  auto a = account_one(R"({"indicator":"c","category":"regulating","method":"npp_carbon","price_key":"carbon_afforestation_t","cells":[{"npp_t_per_hm2":8,"area_hm2":1}]})", *t);
  REQUIRE(!a);
  CHECK(a.error().code == "param_missing");
  CHECK(a.error().message.find("co2_per_dry_matter_t_per_t") != std::string::npos);
  CHECK(a.error().message.find("gep-prices-ganzi-2010 v2") != std::string::npos);
  // A given quantity does not need the NPP factor.
  CHECK(code_of(R"({"indicator":"c","category":"regulating","method":"npp_carbon","price_key":"carbon_afforestation_t","quantity":8})", *t) == "accepted");
}

TEST_CASE("gep methods: table validation") {
  auto refused = [](const std::function<void(nlohmann::json&)>& edit) {
    auto doc = table_document();
    edit(doc);
    auto t = v::gep_price_table_from_json(doc);
    return t ? std::string("accepted") : t.error().code + ": " + t.error().message;
  };
  CHECK(refused([](nlohmann::json&) {}) == "accepted");
  CHECK(refused([](nlohmann::json& d) { d["prices"]["so2_t"].erase("yuan_per_unit"); }).starts_with("bad_input"));
  CHECK(refused([](nlohmann::json& d) { d["prices"]["so2_t"]["yuan_per_unit"] = -1; }).starts_with("bad_input"));
  CHECK(refused([](nlohmann::json& d) { d["prices"]["so2_t"]["valuation"] = "guesswork"; }).starts_with("bad_input"));
  CHECK(refused([](nlohmann::json& d) { d["prices"]["so2_t"]["yuan_per_unti"] = 1; }).starts_with("bad_input"));
  CHECK(refused([](nlohmann::json& d) { d["params"]["soil_sediment_share"]["value"] = 1.5; }).starts_with("bad_input"));
  CHECK(refused([](nlohmann::json& d) { d["params"]["soil_density_t_per_m3"] = 0; }).starts_with("bad_input"));
  CHECK(refused([](nlohmann::json& d) { d["params"]["so2_absorption_conifer_t_per_km2"]["value"] = -3; }).starts_with("bad_input"));
  CHECK(refused([](nlohmann::json& d) { d["params"]["x"] = "3"; }).starts_with("bad_input"));
  CHECK(refused([](nlohmann::json& d) { d["version"] = 0; }).starts_with("bad_input"));
  CHECK(refused([](nlohmann::json& d) { d["kind"] = "collateral"; }).starts_with("bad_input"));
  CHECK(refused([](nlohmann::json& d) { d.erase("prices"); }).starts_with("bad_input"));
  // Every message names the table.
  CHECK(refused([](nlohmann::json& d) { d["prices"]["so2_t"]["yuan_per_unit"] = -1; }).find("gep-prices-ganzi-2010 v2") !=
        std::string::npos);
}

namespace {

// Every number, string and member of a document, as JSON pointers.
void pointers(const nlohmann::json& j, const nlohmann::json::json_pointer& at, std::vector<nlohmann::json::json_pointer>& out) {
  out.push_back(at);
  if (j.is_object())
    for (const auto& [key, value] : j.items()) pointers(value, at / key, out);
  if (j.is_array())
    for (std::size_t i = 0; i < j.size(); ++i) pointers(j[i], at / i, out);
}

}  // namespace

TEST_CASE("gep methods: mutated inputs are either refused with a code or accounted consistently") {
  std::ifstream in(std::string(ECOLEDGER_SOURCE_DIR) + "/valuation/examples/gep_county.json");
  std::stringstream text;
  text << in.rdbuf();
  const auto original = nlohmann::json::parse(text.str());
  std::vector<nlohmann::json::json_pointer> all;
  pointers(original, nlohmann::json::json_pointer(), all);
  const nlohmann::json replacements[] = {-1, 0, 1e308, -1e-300, "x", nullptr, nlohmann::json::array(), nlohmann::json::object(), 2.5, true};
  auto t = table();
  std::uint32_t state = 12345;  // deterministic LCG: the same mutations on every run
  auto next = [&state] { return state = state * 1664525u + 1013904223u; };
  std::size_t refused = 0, accepted = 0;
  for (int round = 0; round < 3000; ++round) {
    auto doc = original;
    const auto& where = all[next() % all.size()];
    if (where.empty()) continue;
    if (next() % 4 == 0) doc[where.parent_pointer()].is_object() ? (void)doc[where.parent_pointer()].erase(where.back()) : (void)0;
    else doc[where] = replacements[next() % std::size(replacements)];
    auto input = v::gep_input_from_json(doc);
    auto account = input ? v::account_gep(*input, t) : ecoledger::Result<v::GepAccount>(std::unexpected(input.error()));
    if (!account) {
      CHECK(!account.error().code.empty());
      CHECK(!account.error().message.empty());
      ++refused;
      continue;
    }
    ++accepted;
    std::int64_t sum = 0;
    for (const auto& line : account->lines) {
      CHECK(line.value_fen >= 0);
      CHECK(std::isfinite(line.quantity));
      sum += line.value_fen;
    }
    CHECK(sum == account->total_fen);
  }
  CHECK(refused > 0);
  CHECK(accepted > 0);
}
