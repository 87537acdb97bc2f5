// Gross ecosystem product (GEP) accounting: an itemized account of the
// provisioning, regulating and cultural services of a region
// (docs/VALUATION.md §3). Indicators are data: each input item names its
// category, ecosystem type, a physical-quantity method and the price key of
// its valuation in a published unit-price table (id + version).
//
// Methods (physical quantity → value; formulas in gep_methods.h):
//   quantity_price     given quantity × price          (provisioning market
//                      value, cultural travel cost, any published quantity)
//   reported           value given in yuan (a published figure)
//   water_balance      water conservation [m³] × price          (shadow project)
//   soil_retention     USLE retained soil Q [t]; value = λ·Q/ρ·P_s + Q·C_N·P_N
//                      + Q·C_P·P_P                               (replacement cost)
//   sand_fixation      RWEQ retained sand Q [t]; value = Q/(ρ·h) × P_f [m²]
//   flood_storage      storage capacity [m³] × price            (shadow project)
//   air_purification   absorbed pollutant [t] × price          (treatment cost)
//   water_purification purified pollutant load [t] × price     (treatment cost)
//   npp_carbon         NPP × 1.62 → t CO2 × price  (market or replacement cost)
//   npp_oxygen         NPP × 1.2 → t O2 × price                 (industrial O2)
//   climate_energy     transpiration + evaporation energy [kWh] × electricity
// Every physical method also accepts the physical quantity itself
// ("quantity", in the method's unit) instead of its inputs, for lines whose
// physical accounting was published elsewhere.
// Arithmetic: double; each line is published as integer fen,
//   value_fen = round_half_even(value_yuan × 100)   (IEEE-754 double, FE_TONEAREST)
// subtotals by category and ecosystem and the total are exact int64 sums of
// line fen. Refusal codes: bad_input, price_missing, param_missing,
// method_unknown, unit_mismatch, item_duplicate.
// Thread-safety: pure functions over values.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/result.h"
#include "valuation/gep_methods.h"

namespace ecoledger::valuation {

namespace limits {
inline constexpr std::size_t gep_items_max = 1'000;
inline constexpr std::size_t gep_table_entries_max = 1'000;
inline constexpr double gep_value_yuan_max = 1.0e15;  // fen fits in int64 with margin
inline constexpr std::int64_t gep_year_min = 1900;
inline constexpr std::int64_t gep_year_max = 9999;
}  // namespace limits

// A line is at most 10^17 fen, so one addition never overflows; the running
// sums are checked (a thousand such lines could exceed int64).
static_assert(limits::gep_value_yuan_max * 100.0 < 9.2e18 / 2, "a line must fit in int64 fen with room for one sum");

struct GepPriceTable {
  std::string id;
  std::int64_t version;
  std::map<std::string, double> price_yuan;        // by price key, yuan per unit
  std::map<std::string, std::string> unit;         // by price key
  std::map<std::string, std::string> valuation;    // by price key: market_value, shadow_project, ...
  std::map<std::string, double> params;            // method parameters (soil_sediment_share, ...)
  std::set<std::string> unconfirmed;               // price keys and params tagged unconfirmed
};

struct RateRef {
  std::string rate_param;  // table parameter, t per km² per year
  double area_km2;
};

struct GepItem {
  std::string indicator, category, ecosystem, method, price_key, unit;
  std::optional<double> quantity;  // the physical quantity itself, in the method's unit
  double value_yuan = 0;           // reported
  std::vector<WaterBalanceCell> water_cells;        // water_balance
  std::vector<UsleCell> usle_cells;                 // soil_retention
  std::vector<RweqCell> rweq_cells;                 // sand_fixation
  FloodStorage flood;                               // flood_storage
  std::vector<RateRef> rate_cells;                  // air_purification, water_purification
  double cap_t = -1;                                //   emitted / entering load; < 0: none
  std::vector<NppCell> npp_cells;                   // npp_carbon, npp_oxygen
  std::vector<TranspirationCell> transpiration_cells;  // climate_energy
  std::vector<DepthCell> evaporation_cells;            // climate_energy
};

struct GepInput {
  std::string region;
  std::int64_t year;
  std::vector<GepItem> items;
};

struct GepLine {
  std::string indicator, category, ecosystem, method, unit, price_key, valuation;
  double quantity, price_yuan;  // price_yuan: effective yuan per unit of quantity
  std::int64_t value_fen;
  std::vector<std::string> parameters;   // table entries used (prices and params)
  std::vector<std::string> unconfirmed;  // those of them tagged unconfirmed
};

struct GepAccount {
  std::string region, table_id;
  std::int64_t year, table_version;
  std::vector<GepLine> lines;
  std::map<std::string, std::int64_t> category_fen, ecosystem_fen;
  std::int64_t total_fen;
};

// {"id","version","kind"?:"gep_prices",
//  "prices":{KEY:{"yuan_per_unit":x,"unit":"m3","valuation"?:"shadow_project","source"?,"unconfirmed"?:bool}},
//  "params":{NAME: x | {"value":x,"unit"?,"source"?,"unconfirmed"?:bool}}, "unconfirmed"?:[KEY...]}
// Known parameters are range-checked; unknown members of an entry refused.
Result<GepPriceTable> gep_price_table_from_json(const nlohmann::json& document);
// {"region","year","items":[{"indicator","category","ecosystem"?,"method","price_key"?,"unit"?,
//   "quantity" | "value_yuan" | method inputs}]}; schemas/valuation/gep_input.json.
Result<GepInput> gep_input_from_json(const nlohmann::json& document);
Result<GepAccount> account_gep(const GepInput& input, const GepPriceTable& table);
nlohmann::json gep_account_to_json(const GepAccount& account);
// One row per line, then "category" and "ecosystem" subtotal rows, then "total".
std::string gep_account_to_csv(const GepAccount& account);

}  // namespace ecoledger::valuation
