#include "valuation/gep.h"

#include <array>
#include <charconv>
#include <tuple>
#include <cmath>

#include "valuation/arith.h"
#include "valuation/csv.h"

namespace ecoledger::valuation {
namespace {

// One entry per method: the unit of its physical quantity ("" = the item's or
// the price's), whether the item names a price key, and its input members.
struct MethodSpec {
  const char* name;
  const char* unit;
  bool price_key;
  const char* valuation;         // "": the price entry's valuation, else market_value
  std::set<std::string> inputs;  // members besides the common ones and "quantity"
};

const std::vector<MethodSpec>& method_specs() {
  static const std::vector<MethodSpec> specs = {
      {"quantity_price", "", true, "", {}},
      {"reported", "", false, "reported", {"value_yuan"}},
      {"water_balance", "m3", true, "shadow_project", {"cells"}},
      {"soil_retention", "t", false, "replacement_cost", {"cells"}},
      {"sand_fixation", "t", true, "replacement_cost", {"cells"}},
      {"flood_storage", "m3", true, "shadow_project", {"storage"}},
      {"air_purification", "t", true, "treatment_cost", {"cells", "cap_t"}},
      {"water_purification", "t", true, "treatment_cost", {"cells", "cap_t"}},
      {"npp_carbon", "t", true, "", {"cells"}},
      {"npp_oxygen", "t", true, "replacement_cost", {"cells"}},
      {"climate_energy", "kWh", true, "replacement_cost", {"vegetation", "water"}},
  };
  return specs;
}

const MethodSpec* find_method(const std::string& name) {
  for (const auto& spec : method_specs())
    if (name == spec.name) return &spec;
  return nullptr;
}

const std::set<std::string> categories = {"provisioning", "regulating", "cultural"};
const std::set<std::string> valuation_methods = {"market_value", "replacement_cost", "shadow_project", "treatment_cost",
                                                 "travel_cost"};

// Nearest fen, ties to even (std::nearbyint under the default FE_TONEAREST).
Result<std::int64_t> to_fen(double yuan, const std::string& indicator) {
  if (!std::isfinite(yuan) || std::fabs(yuan) > limits::gep_value_yuan_max)
    return fail("bad_input", "indicator \"" + indicator + "\": value out of range");
  return static_cast<std::int64_t>(std::nearbyint(yuan * 100.0));
}

// A hand-built table may lack a unit: "" then, which matches no method's unit.
std::string unit_of(const GepPriceTable& table, const std::string& key) {
  auto it = table.unit.find(key);
  return it == table.unit.end() ? std::string() : it->second;
}

// Table access for one line: records every entry used and refuses a missing
// one, naming the table and the method that needed it.
class Lookup {
 public:
  Lookup(const GepPriceTable& table, GepLine& line) : table_(table), line_(line) {}

  Result<double> price(const std::string& key, const std::string& unit) {
    auto it = table_.price_yuan.find(key);
    if (it == table_.price_yuan.end())
      return fail("price_missing", "indicator \"" + line_.indicator + "\": no price \"" + key + "\" in " + where());
    const std::string price_unit = unit_of(table_, key);
    if (!unit.empty() && price_unit != unit)
      return fail("unit_mismatch", "indicator \"" + line_.indicator + "\": price \"" + key + "\" is per " + price_unit +
                                       " but " + line_.method + " gives " + unit);
    use(key);
    return it->second;
  }

  Result<double> param(const std::string& name) {
    auto it = table_.params.find(name);
    if (it == table_.params.end())
      return fail("param_missing", "indicator \"" + line_.indicator + "\": " + where() + " has no parameter \"" + name +
                                       "\" (needed by " + line_.method + ")");
    use(name);
    return it->second;
  }

 private:
  std::string where() const { return "table " + table_.id + " v" + std::to_string(table_.version); }
  void use(const std::string& key) {
    line_.parameters.push_back(key);
    if (table_.unconfirmed.contains(key)) line_.unconfirmed.push_back(key);
  }

  const GepPriceTable& table_;
  GepLine& line_;
};

bool has_inputs(const GepItem& i) {
  return !i.water_cells.empty() || !i.usle_cells.empty() || !i.rweq_cells.empty() || !i.flood.vegetation_interception.empty() ||
         !i.flood.soil_storage.empty() || !i.flood.lakes_km2.empty() || !i.flood.reservoirs_capacity_m3.empty() ||
         !i.flood.marsh_km2.empty() || !i.rate_cells.empty() || !i.npp_cells.empty() || !i.transpiration_cells.empty() ||
         !i.evaporation_cells.empty();
}

// The physical quantity of a line, from its inputs through gep_methods.h.
Result<double> physical_quantity(const GepItem& item, Lookup& look) {
  const std::string& m = item.method;
  if (item.quantity) {
    if (has_inputs(item)) return fail("bad_input", "indicator \"" + item.indicator + "\": both \"quantity\" and method inputs given");
    if (!std::isfinite(*item.quantity) || *item.quantity < 0)
      return fail("bad_input", "indicator \"" + item.indicator + "\": quantity must be a finite number >= 0");
    return *item.quantity;
  }
  if (m == "quantity_price" || !has_inputs(item))
    return fail("bad_input", "indicator \"" + item.indicator + "\": " + m + " needs \"quantity\" or its inputs");
  if (m == "water_balance") return water_conservation_m3(item.water_cells);
  if (m == "soil_retention") return soil_retention_t(item.usle_cells);
  if (m == "sand_fixation") {
    ECOLEDGER_TRY(a, look.param("rweq_qmax_coefficient"));
    ECOLEDGER_TRY(b, look.param("rweq_s_coefficient"));
    ECOLEDGER_TRY(e, look.param("rweq_s_exponent"));
    ECOLEDGER_TRY(z, look.param("rweq_downwind_distance_m"));
    return sand_fixation_t(item.rweq_cells, RweqParams{*a, *b, *e, *z});
  }
  if (m == "flood_storage") {
    ECOLEDGER_TRY(ln_c, look.param("lake_ln_coefficient"));
    ECOLEDGER_TRY(exponent, look.param("lake_area_exponent"));
    ECOLEDGER_TRY(periods, look.param("lake_flood_periods"));
    ECOLEDGER_TRY(share, look.param("reservoir_flood_share"));
    ECOLEDGER_TRY(depth, look.param("marsh_storage_depth_m"));
    return flood_storage_m3(item.flood, FloodParams{*ln_c, *exponent, *periods, *share, *depth});
  }
  if (m == "air_purification" || m == "water_purification") {
    std::vector<RateCell> cells;
    for (const auto& ref : item.rate_cells) {
      ECOLEDGER_TRY(rate, look.param(ref.rate_param));
      cells.push_back(RateCell{*rate, ref.area_km2});
    }
    return pollutant_removal_t(cells, item.cap_t);
  }
  if (m == "npp_carbon" || m == "npp_oxygen") {
    ECOLEDGER_TRY(factor, look.param(m == "npp_carbon" ? "co2_per_dry_matter_t_per_t" : "o2_per_dry_matter_t_per_t"));
    return npp_product_t(item.npp_cells, *factor);
  }
  if (m == "climate_energy") {
    ECOLEDGER_TRY(ratio, look.param("ac_energy_efficiency_ratio"));
    ECOLEDGER_TRY(density, look.param("water_density_kg_per_m3"));
    ECOLEDGER_TRY(latent, look.param("latent_heat_kj_per_kg"));
    ECOLEDGER_TRY(humidifier, look.param("humidifier_kwh_per_m3"));
    return climate_regulation_kwh(item.transpiration_cells, item.evaporation_cells,
                                  ClimateParams{*ratio, *density, *latent, *humidifier});
  }
  return fail("method_unknown", "indicator \"" + item.indicator + "\": unknown method \"" + m + "\"");
}

// Replacement cost of retained soil: dredging of the sediment share plus the
// removal cost of the nitrogen and phosphorus it carries.
Result<double> soil_value_yuan(double q_t, Lookup& look) {
  ECOLEDGER_TRY(dredging, look.price("reservoir_dredging_m3", "m3"));
  ECOLEDGER_TRY(nitrogen, look.price("nitrogen_removal_t", "t"));
  ECOLEDGER_TRY(phosphorus, look.price("phosphorus_removal_t", "t"));
  ECOLEDGER_TRY(lambda, look.param("soil_sediment_share"));
  ECOLEDGER_TRY(density, look.param("soil_density_t_per_m3"));
  ECOLEDGER_TRY(c_n, look.param("soil_nitrogen_fraction"));
  ECOLEDGER_TRY(c_p, look.param("soil_phosphorus_fraction"));
  return *lambda * q_t / *density * *dredging + q_t * *c_n * *nitrogen + q_t * *c_p * *phosphorus;
}

// Replacement cost of fixed sand: the land area it would bury at depth h.
Result<double> sand_value_yuan(double q_t, const std::string& price_key, Lookup& look) {
  ECOLEDGER_TRY(price, look.price(price_key, "m2"));
  ECOLEDGER_TRY(density, look.param("sand_density_t_per_m3"));
  ECOLEDGER_TRY(depth, look.param("sand_depth_m"));
  return q_t / (*density * *depth) * *price;
}

Result<GepLine> account_item(const GepItem& item, const GepPriceTable& table) {
  const MethodSpec* spec = find_method(item.method);
  if (spec == nullptr) return fail("method_unknown", "indicator \"" + item.indicator + "\": unknown method \"" + item.method + "\"");
  if (item.indicator.empty()) return fail("bad_input", "an item has an empty \"indicator\"");
  if (!categories.contains(item.category))
    return fail("bad_input", "indicator \"" + item.indicator + "\": category \"" + item.category +
                                 "\" is not provisioning, regulating or cultural");
  GepLine line{item.indicator, item.category, item.ecosystem.empty() ? "all" : item.ecosystem, item.method, spec->unit,
               item.price_key, "", 0, 0, 0, {}, {}};
  Lookup look(table, line);
  line.valuation = spec->valuation;
  if (line.valuation.empty())
    line.valuation = table.valuation.count(item.price_key) ? table.valuation.at(item.price_key) : "market_value";
  if (!line.unit.empty() && !item.unit.empty() && item.unit != line.unit)
    return fail("unit_mismatch", "indicator \"" + item.indicator + "\": " + item.method + " gives " + line.unit + ", not " + item.unit);
  if (spec->price_key && item.price_key.empty()) return fail("bad_input", "indicator \"" + item.indicator + "\": missing \"price_key\"");
  if (item.method == "reported") {
    if (!std::isfinite(item.value_yuan) || item.value_yuan < 0)
      return fail("bad_input", "indicator \"" + item.indicator + "\": value_yuan must be a finite number >= 0");
    ECOLEDGER_TRY(fen, to_fen(item.value_yuan, item.indicator));
    line.value_fen = *fen;
    return line;
  }
  ECOLEDGER_TRY(q, physical_quantity(item, look));
  line.quantity = *q;
  double value_yuan = 0;
  if (item.method == "soil_retention") {
    ECOLEDGER_TRY(v, soil_value_yuan(*q, look));
    value_yuan = *v;
  } else if (item.method == "sand_fixation") {
    ECOLEDGER_TRY(v, sand_value_yuan(*q, item.price_key, look));
    value_yuan = *v;
  } else {
    if (line.unit.empty()) line.unit = item.unit;  // quantity_price: the item's unit, else the price's
    ECOLEDGER_TRY(price, look.price(item.price_key, line.unit));
    if (line.unit.empty()) line.unit = unit_of(table, item.price_key);
    value_yuan = *q * *price;
    line.price_yuan = *price;
  }
  // Composite valuations publish their effective yuan per unit of quantity.
  if (item.method == "soil_retention" || item.method == "sand_fixation") line.price_yuan = *q != 0 ? value_yuan / *q : 0;
  ECOLEDGER_TRY(fen, to_fen(value_yuan, item.indicator));
  line.value_fen = *fen;
  return line;
}

// ---- decoding -------------------------------------------------------------

Result<double> finite_number(const nlohmann::json& object, const char* field) {
  ECOLEDGER_TRY(value, input_number(object, field));
  if (!std::isfinite(*value)) return fail("bad_input", std::string("field \"") + field + "\" is not finite");
  return *value;
}

Status only_members(const nlohmann::json& object, const std::set<std::string>& allowed, const std::string& where) {
  if (!object.is_object()) return fail("bad_input", where + " must be an object");
  for (const auto& [key, unused] : object.items())
    if (!allowed.contains(key)) return fail("bad_input", where + ": unknown member \"" + key + "\"");
  return ok();
}

// Decodes a non-empty array of cells; each cell has exactly the named number fields.
template <typename Cell, std::size_t N>
Result<std::vector<Cell>> number_cells(const nlohmann::json& entry, const char* member, const char* const (&fields)[N],
                                       const std::string& where) {
  auto it = entry.find(member);
  if (it == entry.end() || !it->is_array() || it->empty())
    return fail("bad_input", where + ": \"" + member + "\" must be a non-empty array");
  if (it->size() > limits::gep_cells_max) return fail("bad_input", where + ": too many cells");
  const std::set<std::string> allowed(std::begin(fields), std::end(fields));
  std::vector<Cell> cells;
  for (const auto& c : *it) {
    if (auto s = only_members(c, allowed, where + " cell"); !s) return std::unexpected(s.error());
    double values[N];
    for (std::size_t i = 0; i < N; ++i) {
      ECOLEDGER_TRY(v, finite_number(c, fields[i]));
      values[i] = *v;
    }
    cells.push_back(std::apply([](auto... v) { return Cell{v...}; }, std::to_array(values)));
  }
  return cells;
}

Result<std::vector<double>> number_list(const nlohmann::json& object, const char* member) {
  std::vector<double> out;
  auto it = object.find(member);
  if (it == object.end()) return out;
  if (!it->is_array() || it->size() > limits::gep_cells_max) return fail("bad_input", std::string("\"") + member + "\" must be an array of numbers");
  for (const auto& v : *it) {
    if (!v.is_number() || !std::isfinite(v.get<double>())) return fail("bad_input", std::string("\"") + member + "\" must hold finite numbers");
    out.push_back(v.get<double>());
  }
  return out;
}

Status decode_inputs(const nlohmann::json& entry, GepItem& item, const std::string& where) {
  const std::string& m = item.method;
  if (m == "water_balance") {
    static const char* const f[] = {"precipitation_mm", "runoff_mm", "evapotranspiration_mm", "area_km2"};
    ECOLEDGER_TRY(cells, (number_cells<WaterBalanceCell>(entry, "cells", f, where)));
    item.water_cells = std::move(*cells);
  } else if (m == "soil_retention") {
    static const char* const f[] = {"r_factor", "k_factor", "ls_factor", "c_factor", "p_factor", "area_hm2"};
    ECOLEDGER_TRY(cells, (number_cells<UsleCell>(entry, "cells", f, where)));
    item.usle_cells = std::move(*cells);
  } else if (m == "sand_fixation") {
    static const char* const f[] = {"weather_factor_kg_per_m", "erodible_fraction", "crust_factor",
                                    "roughness_factor", "vegetation_factor", "area_hm2"};
    ECOLEDGER_TRY(cells, (number_cells<RweqCell>(entry, "cells", f, where)));
    item.rweq_cells = std::move(*cells);
  } else if (m == "npp_carbon" || m == "npp_oxygen") {
    static const char* const f[] = {"npp_t_per_hm2", "area_hm2"};
    ECOLEDGER_TRY(cells, (number_cells<NppCell>(entry, "cells", f, where)));
    item.npp_cells = std::move(*cells);
  } else if (m == "air_purification" || m == "water_purification") {
    auto it = entry.find("cells");
    if (it == entry.end() || !it->is_array() || it->empty() || it->size() > limits::gep_cells_max)
      return fail("bad_input", where + ": \"cells\" must be a non-empty array");
    for (const auto& c : *it) {
      if (auto s = only_members(c, {"rate_param", "area_km2"}, where + " cell"); !s) return s;
      ECOLEDGER_TRY(param, input_string(c, "rate_param"));
      ECOLEDGER_TRY(area, finite_number(c, "area_km2"));
      item.rate_cells.push_back(RateRef{*param, *area});
    }
    if (entry.contains("cap_t")) {
      ECOLEDGER_TRY(cap, finite_number(entry, "cap_t"));
      if (*cap < 0) return fail("bad_input", where + ": \"cap_t\" must be >= 0");
      item.cap_t = *cap;
    }
  } else if (m == "flood_storage") {
    auto storage = entry.find("storage");
    if (storage == entry.end()) return fail("bad_input", where + ": missing object \"storage\"");
    if (auto s = only_members(*storage, {"vegetation_interception", "soil_storage", "lakes_km2", "reservoirs_capacity_m3", "marsh_km2"},
                              where + " storage");
        !s)
      return s;
    static const char* const veg[] = {"interception_mm", "area_km2"};
    static const char* const soil[] = {"storage_mm", "area_km2"};
    if (storage->contains("vegetation_interception")) {
      ECOLEDGER_TRY(cells, (number_cells<DepthCell>(*storage, "vegetation_interception", veg, where)));
      item.flood.vegetation_interception = std::move(*cells);
    }
    if (storage->contains("soil_storage")) {
      ECOLEDGER_TRY(cells, (number_cells<DepthCell>(*storage, "soil_storage", soil, where)));
      item.flood.soil_storage = std::move(*cells);
    }
    ECOLEDGER_TRY(lakes, number_list(*storage, "lakes_km2"));
    ECOLEDGER_TRY(reservoirs, number_list(*storage, "reservoirs_capacity_m3"));
    ECOLEDGER_TRY(marsh, number_list(*storage, "marsh_km2"));
    item.flood.lakes_km2 = std::move(*lakes);
    item.flood.reservoirs_capacity_m3 = std::move(*reservoirs);
    item.flood.marsh_km2 = std::move(*marsh);
    if (!has_inputs(item)) return fail("bad_input", where + ": \"storage\" is empty");
  } else if (m == "climate_energy") {
    static const char* const veg[] = {"transpiration_heat_kj_per_m2_day", "days", "area_km2"};
    static const char* const water[] = {"evaporation_mm", "area_km2"};
    if (!entry.contains("vegetation") && !entry.contains("water"))
      return fail("bad_input", where + ": climate_energy needs \"vegetation\" and/or \"water\" cells");
    if (entry.contains("vegetation")) {
      ECOLEDGER_TRY(cells, (number_cells<TranspirationCell>(entry, "vegetation", veg, where)));
      item.transpiration_cells = std::move(*cells);
    }
    if (entry.contains("water")) {
      ECOLEDGER_TRY(cells, (number_cells<DepthCell>(entry, "water", water, where)));
      item.evaporation_cells = std::move(*cells);
    }
  }
  return ok();
}

Result<GepItem> item_from_json(const nlohmann::json& entry) {
  if (!entry.is_object()) return fail("bad_input", "an item must be an object");
  GepItem item;
  ECOLEDGER_TRY(indicator, input_string(entry, "indicator"));
  ECOLEDGER_TRY(category, input_string(entry, "category"));
  ECOLEDGER_TRY(method, input_string(entry, "method"));
  item.indicator = *indicator;
  item.category = *category;
  item.method = *method;
  const std::string where = "indicator \"" + item.indicator + "\"";
  const MethodSpec* spec = find_method(item.method);
  if (spec == nullptr) return fail("method_unknown", where + ": unknown method \"" + item.method + "\"");
  std::set<std::string> allowed = {"indicator", "category", "ecosystem", "method", "unit", "note"};
  allowed.insert(spec->inputs.begin(), spec->inputs.end());
  if (spec->price_key) allowed.insert("price_key");
  if (item.method != "reported") allowed.insert("quantity");
  if (auto s = only_members(entry, allowed, where); !s) return std::unexpected(s.error());
  item.ecosystem = "all";
  if (entry.contains("ecosystem")) {
    ECOLEDGER_TRY(ecosystem, input_string(entry, "ecosystem"));
    item.ecosystem = *ecosystem;
  }
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
    if (*value < 0) return fail("bad_input", where + ": negative value_yuan");
    item.value_yuan = *value;
  } else if (entry.contains("quantity") || item.method == "quantity_price") {
    ECOLEDGER_TRY(quantity, finite_number(entry, "quantity"));
    if (*quantity < 0) return fail("bad_input", where + ": negative quantity");
    item.quantity = *quantity;
    for (const auto& input : spec->inputs)
      if (entry.contains(input)) return fail("bad_input", where + ": \"quantity\" and \"" + input + "\" are exclusive");
  } else if (auto s = decode_inputs(entry, item, where); !s) {
    return std::unexpected(s.error());
  }
  return item;
}

// ---- table ----------------------------------------------------------------

// Known parameters and their ranges; others must be finite and >= 0.
struct ParamRange {
  double low, high;
  bool low_open;
};

const std::map<std::string, ParamRange>& param_ranges() {
  constexpr double inf = INFINITY;
  static const std::map<std::string, ParamRange> ranges = {
      {"soil_sediment_share", {0, 1, false}},      {"soil_density_t_per_m3", {0, inf, true}},
      {"soil_nitrogen_fraction", {0, 1, false}},   {"soil_phosphorus_fraction", {0, 1, false}},
      {"sand_density_t_per_m3", {0, inf, true}},   {"sand_depth_m", {0, inf, true}},
      {"rweq_qmax_coefficient", {0, inf, true}},   {"rweq_s_coefficient", {0, inf, true}},
      {"rweq_s_exponent", {-inf, inf, false}},     {"rweq_downwind_distance_m", {0, inf, true}},
      {"lake_ln_coefficient", {-inf, inf, false}}, {"lake_area_exponent", {-inf, inf, false}},
      {"lake_flood_periods", {0, inf, false}},     {"reservoir_flood_share", {0, 1, false}},
      {"marsh_storage_depth_m", {0, inf, false}},  {"co2_per_dry_matter_t_per_t", {0, inf, true}},
      {"o2_per_dry_matter_t_per_t", {0, inf, true}}, {"ac_energy_efficiency_ratio", {0, inf, true}},
      {"water_density_kg_per_m3", {0, inf, true}}, {"latent_heat_kj_per_kg", {0, inf, true}},
      {"humidifier_kwh_per_m3", {0, inf, false}},
  };
  return ranges;
}

Status check_param(const std::string& name, double value) {
  const auto& ranges = param_ranges();
  auto it = ranges.find(name);
  const ParamRange range = it == ranges.end() ? ParamRange{0, INFINITY, false} : it->second;
  const bool below = range.low_open ? value <= range.low : value < range.low;
  if (below || value > range.high)
    return fail("bad_input", "parameter \"" + name + "\" = " + std::to_string(value) + " is out of its range");
  return ok();
}

Result<bool> optional_flag(const nlohmann::json& entry, const char* field) {
  auto it = entry.find(field);
  if (it == entry.end()) return false;
  if (!it->is_boolean()) return fail("bad_input", std::string("\"") + field + "\" must be true or false");
  return it->get<bool>();
}

Status optional_text(const nlohmann::json& entry, const char* field) {
  if (entry.contains(field) && !entry[field].is_string()) return fail("bad_input", std::string("\"") + field + "\" must be a string");
  return ok();
}

Status decode_prices(const nlohmann::json& prices, GepPriceTable& table) {
  for (const auto& [key, entry] : prices.items()) {
    const std::string where = "price \"" + key + "\"";
    if (auto s = only_members(entry, {"yuan_per_unit", "unit", "valuation", "source", "unconfirmed"}, where); !s) return s;
    ECOLEDGER_TRY(price, finite_number(entry, "yuan_per_unit"));
    ECOLEDGER_TRY(unit, input_string(entry, "unit"));
    if (*price < 0) return fail("bad_input", where + " is negative");
    if (unit->empty()) return fail("bad_input", where + " has an empty unit");
    if (entry.contains("valuation")) {
      ECOLEDGER_TRY(valuation, input_string(entry, "valuation"));
      if (!valuation_methods.contains(*valuation)) return fail("bad_input", where + ": unknown valuation \"" + *valuation + "\"");
      table.valuation[key] = *valuation;
    }
    if (auto s = optional_text(entry, "source"); !s) return s;
    ECOLEDGER_TRY(unconfirmed, optional_flag(entry, "unconfirmed"));
    if (*unconfirmed) table.unconfirmed.insert(key);
    table.price_yuan[key] = *price;
    table.unit[key] = *unit;
  }
  return ok();
}

Status decode_params(const nlohmann::json& params, GepPriceTable& table) {
  for (const auto& [key, entry] : params.items()) {
    double value = 0;
    if (entry.is_number()) {
      value = entry.get<double>();
    } else {
      if (auto s = only_members(entry, {"value", "unit", "source", "unconfirmed"}, "parameter \"" + key + "\""); !s) return s;
      ECOLEDGER_TRY(v, input_number(entry, "value"));
      if (auto s = optional_text(entry, "unit"); !s) return s;
      if (auto s = optional_text(entry, "source"); !s) return s;
      ECOLEDGER_TRY(unconfirmed, optional_flag(entry, "unconfirmed"));
      if (*unconfirmed) table.unconfirmed.insert(key);
      value = *v;
    }
    if (!std::isfinite(value)) return fail("bad_input", "parameter \"" + key + "\" is not a finite number");
    if (auto s = check_param(key, value); !s) return s;
    table.params[key] = value;
  }
  return ok();
}

// ---- text output ----------------------------------------------------------

// Shortest round-trip text of a double: identical bytes on every run.
std::string number_text(double x) {
  char buffer[400];  // fixed notation of 1e308 needs 310 characters
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, x, std::chars_format::fixed);
  return ec == std::errc() ? std::string(buffer, end) : std::string("nan");
}

}  // namespace

Result<GepPriceTable> gep_price_table_from_json(const nlohmann::json& document) {
  if (!document.is_object()) return fail("bad_input", "a GEP price table must be an object");
  ECOLEDGER_TRY(id, input_string(document, "id"));
  ECOLEDGER_TRY(version, input_int(document, "version"));
  if (id->empty()) return fail("bad_input", "GEP table id is empty");
  if (*version < 1) return fail("bad_input", "GEP table version must be >= 1");
  if (document.contains("kind") && document["kind"] != "gep_prices")
    return fail("bad_input", "table " + *id + " is not of kind \"gep_prices\"");
  GepPriceTable table{*id, *version, {}, {}, {}, {}, {}};
  auto prices = document.find("prices");
  if (prices == document.end() || !prices->is_object()) return fail("bad_input", "table " + *id + ": missing object \"prices\"");
  auto params = document.find("params");
  if (params != document.end() && !params->is_object()) return fail("bad_input", "table " + *id + ": \"params\" must be an object");
  if (prices->size() + (params == document.end() ? 0 : params->size()) > limits::gep_table_entries_max)
    return fail("bad_input", "table " + *id + ": too many entries");
  auto within = [&](Status s) -> Status {
    if (!s) return fail(s.error().code, "table " + *id + " v" + std::to_string(*version) + ": " + s.error().message);
    return ok();
  };
  if (auto s = within(decode_prices(*prices, table)); !s) return std::unexpected(s.error());
  if (params != document.end())
    if (auto s = within(decode_params(*params, table)); !s) return std::unexpected(s.error());
  // The older form: a top-level list of unconfirmed keys.
  if (auto list = document.find("unconfirmed"); list != document.end()) {
    if (!list->is_array()) return fail("bad_input", "table " + *id + ": \"unconfirmed\" must be an array of keys");
    for (const auto& key : *list) {
      if (!key.is_string()) return fail("bad_input", "table " + *id + ": \"unconfirmed\" must be an array of keys");
      table.unconfirmed.insert(key.get<std::string>());
    }
  }
  return table;
}

Result<GepInput> gep_input_from_json(const nlohmann::json& document) {
  if (!document.is_object()) return fail("bad_input", "GEP input must be an object");
  ECOLEDGER_TRY(region, input_string(document, "region"));
  ECOLEDGER_TRY(year, input_int(document, "year"));
  auto items = document.find("items");
  if (items == document.end() || !items->is_array()) return fail("bad_input", "missing array \"items\"");
  if (items->size() > limits::gep_items_max) return fail("bad_input", "too many items");
  GepInput input{*region, *year, {}};
  for (const auto& entry : *items) {
    ECOLEDGER_TRY(item, item_from_json(entry));
    input.items.push_back(std::move(*item));
  }
  return input;
}

Result<GepAccount> account_gep(const GepInput& input, const GepPriceTable& table) {
  if (input.region.empty()) return fail("bad_input", "region is empty");
  if (input.year < limits::gep_year_min || input.year > limits::gep_year_max)
    return fail("bad_input", "year " + std::to_string(input.year) + " is out of range");
  if (input.items.size() > limits::gep_items_max) return fail("bad_input", "too many items");
  GepAccount account{input.region, table.id, input.year, table.version, {}, {}, {}, 0};
  std::set<std::pair<std::string, std::string>> seen;  // (indicator, ecosystem): counted once
  for (const auto& item : input.items) {
    ECOLEDGER_TRY(line, account_item(item, table));
    if (!seen.insert({line->indicator, line->ecosystem}).second)
      return fail("item_duplicate", "indicator \"" + line->indicator + "\" for ecosystem \"" + line->ecosystem + "\" listed twice");
    const std::int64_t fen = line->value_fen;
    if (__builtin_add_overflow(account.total_fen, fen, &account.total_fen) ||
        __builtin_add_overflow(account.category_fen[line->category], fen, &account.category_fen[line->category]) ||
        __builtin_add_overflow(account.ecosystem_fen[line->ecosystem], fen, &account.ecosystem_fen[line->ecosystem]))
      return fail("bad_input", "the account total exceeds the int64 fen range");
    account.lines.push_back(std::move(*line));
  }
  return account;
}

nlohmann::json gep_account_to_json(const GepAccount& account) {
  nlohmann::json lines = nlohmann::json::array();
  for (const auto& l : account.lines)
    lines.push_back({{"indicator", l.indicator},   {"category", l.category},     {"ecosystem", l.ecosystem},
                     {"method", l.method},         {"valuation", l.valuation},   {"quantity", l.quantity},
                     {"unit", l.unit},             {"price_key", l.price_key},   {"price_yuan", l.price_yuan},
                     {"value_fen", l.value_fen},   {"parameters", l.parameters}, {"unconfirmed", l.unconfirmed}});
  return {{"region", account.region},
          {"year", account.year},
          {"tables", {{"gep_prices", {{"id", account.table_id}, {"version", account.table_version}}}}},
          {"rounding", "line value_fen = round_half_even(value_yuan x 100) in double; subtotals and total are exact sums of lines"},
          {"lines", std::move(lines)},
          {"category_fen", account.category_fen},
          {"ecosystem_fen", account.ecosystem_fen},
          {"total_fen", account.total_fen}};
}

std::string gep_account_to_csv(const GepAccount& account) {
  std::string out = "row,indicator,category,ecosystem,method,valuation,quantity,unit,price_yuan,value_fen\n";
  for (const auto& l : account.lines)
    out += "line," + csv_field(l.indicator) + "," + csv_field(l.category) + "," + csv_field(l.ecosystem) + "," +
           csv_field(l.method) + "," + csv_field(l.valuation) + "," + number_text(l.quantity) + "," + csv_field(l.unit) + "," +
           number_text(l.price_yuan) + "," + std::to_string(l.value_fen) + "\n";
  for (const auto& [category, fen] : account.category_fen)
    out += "category,," + csv_field(category) + ",,,,,,," + std::to_string(fen) + "\n";
  for (const auto& [ecosystem, fen] : account.ecosystem_fen)
    out += "ecosystem,,," + csv_field(ecosystem) + ",,,,,," + std::to_string(fen) + "\n";
  out += "total,,,,,,,,," + std::to_string(account.total_fen) + "\n";
  return out;
}

}  // namespace ecoledger::valuation
