#include "valuation/gep.h"

#include <cfenv>
#include <cmath>
#include <charconv>

#include "valuation/arith.h"

namespace ecoledger::valuation {
namespace {

// Nearest fen, ties to even (std::nearbyint under the default FE_TONEAREST).
Result<std::int64_t> to_fen(double yuan, const std::string& indicator) {
  if (!std::isfinite(yuan) || std::fabs(yuan) > limits::gep_value_yuan_max)
    return fail("bad_input", "indicator \"" + indicator + "\": value out of range");
  return static_cast<std::int64_t>(std::nearbyint(yuan * 100.0));
}

Result<double> price_of(const GepPriceTable& table, const std::string& key, const std::string& indicator) {
  auto it = table.price_yuan.find(key);
  if (it == table.price_yuan.end()) return fail("price_missing", "indicator \"" + indicator + "\": no price \"" + key + "\" in " + table.id);
  return it->second;
}

Result<double> param_of(const GepPriceTable& table, const std::string& key) {
  auto it = table.params.find(key);
  if (it == table.params.end()) return fail("price_missing", "no parameter \"" + key + "\" in " + table.id);
  return it->second;
}

Result<GepLine> account_item(const GepItem& item, const GepPriceTable& table) {
  GepLine line{item.indicator, item.category, item.ecosystem, item.method, item.unit, item.price_key, item.quantity, 0, 0};
  double value_yuan = 0;
  if (item.method == "quantity_price") {
    ECOLEDGER_TRY(price, price_of(table, item.price_key, item.indicator));
    line.price_yuan = *price;
    if (line.unit.empty()) line.unit = table.unit.at(item.price_key);  // present: price_of found the key
    value_yuan = item.quantity * *price;
  } else if (item.method == "water_balance") {
    ECOLEDGER_TRY(price, price_of(table, item.price_key, item.indicator));
    double m3 = 0;
    for (const auto& c : item.cells) m3 += (c.precipitation_mm - c.runoff_mm - c.evapotranspiration_mm) * c.area_km2 * 1000.0;
    line.quantity = m3;
    line.unit = "m3";
    line.price_yuan = *price;
    value_yuan = m3 * *price;
  } else if (item.method == "soil_retention") {
    ECOLEDGER_TRY(dredging, price_of(table, "reservoir_dredging_m3", item.indicator));
    ECOLEDGER_TRY(nitrogen, price_of(table, "nitrogen_removal_t", item.indicator));
    ECOLEDGER_TRY(phosphorus, price_of(table, "phosphorus_removal_t", item.indicator));
    ECOLEDGER_TRY(lambda, param_of(table, "soil_sediment_share"));
    ECOLEDGER_TRY(density, param_of(table, "soil_density_t_per_m3"));
    ECOLEDGER_TRY(c_n, param_of(table, "soil_nitrogen_fraction"));
    ECOLEDGER_TRY(c_p, param_of(table, "soil_phosphorus_fraction"));
    if (*density <= 0) return fail("bad_input", "soil density must be positive");
    const double q = item.quantity;
    value_yuan = *lambda * q / *density * *dredging + q * *c_n * *nitrogen + q * *c_p * *phosphorus;
    line.unit = "t";
    line.price_yuan = q != 0 ? value_yuan / q : 0;  // effective yuan per tonne retained
  } else if (item.method == "reported") {
    value_yuan = item.value_yuan;
  } else {
    return fail("method_unknown", "indicator \"" + item.indicator + "\": unknown method \"" + item.method + "\"");
  }
  ECOLEDGER_TRY(fen, to_fen(value_yuan, item.indicator));
  line.value_fen = *fen;
  return line;
}

Result<double> finite_number(const nlohmann::json& object, const char* field) {
  ECOLEDGER_TRY(value, input_number(object, field));
  if (!std::isfinite(*value)) return fail("bad_input", std::string("field \"") + field + "\" is not finite");
  return *value;
}

// Shortest round-trip text of a double: identical bytes on every run.
std::string number_text(double x) {
  char buffer[400];  // fixed notation of 1e308 needs 310 characters
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, x, std::chars_format::fixed);
  return ec == std::errc() ? std::string(buffer, end) : std::string("nan");
}

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

}  // namespace

Result<GepPriceTable> gep_price_table_from_json(const nlohmann::json& document) {
  ECOLEDGER_TRY(id, input_string(document, "id"));
  ECOLEDGER_TRY(version, input_int(document, "version"));
  GepPriceTable table{*id, *version, {}, {}, {}};
  auto prices = document.find("prices");
  if (prices == document.end() || !prices->is_object()) return fail("bad_input", "missing object \"prices\"");
  for (const auto& [key, entry] : prices->items()) {
    ECOLEDGER_TRY(price, finite_number(entry, "yuan_per_unit"));
    ECOLEDGER_TRY(unit, input_string(entry, "unit"));
    if (*price < 0) return fail("bad_input", "price \"" + key + "\" is negative");
    table.price_yuan[key] = *price;
    table.unit[key] = *unit;
  }
  if (auto params = document.find("params"); params != document.end()) {
    if (!params->is_object()) return fail("bad_input", "\"params\" must be an object");
    for (const auto& [key, unused] : params->items()) {
      ECOLEDGER_TRY(value, finite_number(*params, key.c_str()));
      table.params[key] = *value;
    }
  }
  return table;
}

Result<GepInput> gep_input_from_json(const nlohmann::json& document) {
  ECOLEDGER_TRY(region, input_string(document, "region"));
  ECOLEDGER_TRY(year, input_int(document, "year"));
  auto items = document.find("items");
  if (items == document.end() || !items->is_array()) return fail("bad_input", "missing array \"items\"");
  if (items->size() > limits::gep_items_max) return fail("bad_input", "too many items");
  GepInput input{*region, *year, {}};
  for (const auto& entry : *items) {
    GepItem item;
    ECOLEDGER_TRY(indicator, input_string(entry, "indicator"));
    ECOLEDGER_TRY(category, input_string(entry, "category"));
    ECOLEDGER_TRY(method, input_string(entry, "method"));
    item.indicator = *indicator;
    item.category = *category;
    item.method = *method;
    item.ecosystem = entry.contains("ecosystem") ? entry.value("ecosystem", std::string("all")) : "all";
    if (entry.contains("ecosystem") && !entry["ecosystem"].is_string()) return fail("bad_input", "\"ecosystem\" must be a string");
    if (entry.contains("price_key")) {
      ECOLEDGER_TRY(key, input_string(entry, "price_key"));
      item.price_key = *key;
    }
    if (entry.contains("unit")) {
      ECOLEDGER_TRY(unit, input_string(entry, "unit"));
      item.unit = *unit;
    }
    if (item.method == "reported") {
      ECOLEDGER_TRY(value, finite_number(entry, "value_yuan"));
      item.value_yuan = *value;
    } else if (item.method == "water_balance") {
      auto cells = entry.find("cells");
      if (cells == entry.end() || !cells->is_array()) return fail("bad_input", "water_balance needs array \"cells\"");
      if (cells->size() > limits::gep_cells_max) return fail("bad_input", "too many cells");
      for (const auto& c : *cells) {
        ECOLEDGER_TRY(p, finite_number(c, "precipitation_mm"));
        ECOLEDGER_TRY(r, finite_number(c, "runoff_mm"));
        ECOLEDGER_TRY(et, finite_number(c, "evapotranspiration_mm"));
        ECOLEDGER_TRY(a, finite_number(c, "area_km2"));
        if (*a < 0) return fail("bad_input", "negative area");
        item.cells.push_back(WaterBalanceCell{*p, *r, *et, *a});
      }
    } else {
      ECOLEDGER_TRY(quantity, finite_number(entry, "quantity"));
      if (*quantity < 0) return fail("bad_input", "indicator \"" + item.indicator + "\": negative quantity");
      item.quantity = *quantity;
    }
    input.items.push_back(std::move(item));
  }
  return input;
}

Result<GepAccount> account_gep(const GepInput& input, const GepPriceTable& table) {
  if (input.items.size() > limits::gep_items_max) return fail("bad_input", "too many items");
  GepAccount account{input.region, table.id, input.year, table.version, {}, {}, {}, 0};
  for (const auto& item : input.items) {
    ECOLEDGER_TRY(line, account_item(item, table));
    account.category_fen[line->category] += line->value_fen;
    account.ecosystem_fen[line->ecosystem] += line->value_fen;
    account.total_fen += line->value_fen;
    account.lines.push_back(std::move(*line));
  }
  return account;
}

nlohmann::json gep_account_to_json(const GepAccount& account) {
  nlohmann::json lines = nlohmann::json::array();
  for (const auto& l : account.lines)
    lines.push_back({{"indicator", l.indicator}, {"category", l.category}, {"ecosystem", l.ecosystem},
                     {"method", l.method}, {"quantity", l.quantity}, {"unit", l.unit}, {"price_key", l.price_key},
                     {"price_yuan", l.price_yuan}, {"value_fen", l.value_fen}});
  return {{"region", account.region},
          {"year", account.year},
          {"tables", {{"gep_prices", {{"id", account.table_id}, {"version", account.table_version}}}}},
          {"rounding", "line value_fen = nearest fen, ties to even; totals are sums of lines"},
          {"lines", std::move(lines)},
          {"category_fen", account.category_fen},
          {"ecosystem_fen", account.ecosystem_fen},
          {"total_fen", account.total_fen}};
}

std::string gep_account_to_csv(const GepAccount& account) {
  std::string out = "row,indicator,category,ecosystem,quantity,unit,price_yuan,value_fen\n";
  for (const auto& l : account.lines)
    out += "line," + csv_field(l.indicator) + "," + csv_field(l.category) + "," + csv_field(l.ecosystem) + "," +
           number_text(l.quantity) + "," + csv_field(l.unit) + "," + number_text(l.price_yuan) + "," +
           std::to_string(l.value_fen) + "\n";
  for (const auto& [category, fen] : account.category_fen)
    out += "category,," + csv_field(category) + ",,,,," + std::to_string(fen) + "\n";
  for (const auto& [ecosystem, fen] : account.ecosystem_fen)
    out += "ecosystem,,," + csv_field(ecosystem) + ",,,," + std::to_string(fen) + "\n";
  out += "total,,,,,,," + std::to_string(account.total_fen) + "\n";
  return out;
}

}  // namespace ecoledger::valuation
