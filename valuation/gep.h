// Gross ecosystem product (GEP) accounting: an itemized account of the
// provisioning, regulating and cultural services of a region
// (docs/VALUATION.md §2). Indicators are data: each input item names its
// category, ecosystem type, a physical-quantity method and a price key in a
// published unit-price table.
//
// Methods:
//   quantity_price   value = quantity × price                (market value,
//                    shadow project, treatment cost, replacement cost)
//   water_balance    quantity = Σ (P − R − ET)[mm] × A[km²] × 1000 m³; × price
//   soil_retention   quantity = retained soil [t]; value = λ·Q/ρ·P_s +
//                    Q·C_N·P_N + Q·C_P·P_P with λ, ρ, C_N, C_P from the table
//   reported         value given directly in yuan (an item whose physical
//                    accounting is outside this input, e.g. a published figure)
// Arithmetic: double; each line is published as integer fen rounded to
// nearest, ties to even; subtotals and totals are exact sums of line fen.
// Refusal codes: bad_input, price_missing, method_unknown.
// Thread-safety: pure functions over values.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/result.h"

namespace ecoledger::valuation {

namespace limits {
inline constexpr std::size_t gep_items_max = 1'000;
inline constexpr std::size_t gep_cells_max = 100'000;
inline constexpr double gep_value_yuan_max = 1.0e15;  // fen fits in int64 with margin
}  // namespace limits

struct GepPriceTable {
  std::string id;
  std::int64_t version;
  std::map<std::string, double> price_yuan;  // by price key, yuan per unit
  std::map<std::string, std::string> unit;   // by price key
  std::map<std::string, double> params;      // method parameters (soil_lambda, ...)
};

struct WaterBalanceCell {
  double precipitation_mm, runoff_mm, evapotranspiration_mm, area_km2;
};

struct GepItem {
  std::string indicator, category, ecosystem, method, price_key, unit;
  double quantity = 0;            // quantity_price, soil_retention
  double value_yuan = 0;          // reported
  std::vector<WaterBalanceCell> cells;  // water_balance
};

struct GepInput {
  std::string region;
  std::int64_t year;
  std::vector<GepItem> items;
};

struct GepLine {
  std::string indicator, category, ecosystem, method, unit, price_key;
  double quantity, price_yuan;
  std::int64_t value_fen;
};

struct GepAccount {
  std::string region, table_id;
  std::int64_t year, table_version;
  std::vector<GepLine> lines;
  std::map<std::string, std::int64_t> category_fen, ecosystem_fen;
  std::int64_t total_fen;
};

// {"id","version","prices":{KEY:{"yuan_per_unit":x,"unit":"m3"}},"params":{NAME:x}}
Result<GepPriceTable> gep_price_table_from_json(const nlohmann::json& document);
// {"region","year","items":[{"indicator","category","ecosystem","method","price_key","quantity"|"cells"|"value_yuan","unit"}]}
Result<GepInput> gep_input_from_json(const nlohmann::json& document);
Result<GepAccount> account_gep(const GepInput& input, const GepPriceTable& table);
nlohmann::json gep_account_to_json(const GepAccount& account);
// One row per line, then "subtotal" rows per category and ecosystem, then "total".
std::string gep_account_to_csv(const GepAccount& account);

}  // namespace ecoledger::valuation
