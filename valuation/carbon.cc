#include "valuation/carbon.h"

#include <set>

#include "valuation/arith.h"

namespace ecoledger::valuation {
namespace {

// 12 × 10^15: 12 for C→CO2 (44/12) and 10^3 for each of wd, bef, (1000+r),
// cf and buffer, which are all thousandths; dm³ × t/m³ gives kg directly.
constexpr Int128 carbon_denominator = Int128{12} * 1'000'000'000'000'000;

Result<std::int64_t> bounded(const nlohmann::json& object, const char* field, std::int64_t low, std::int64_t high) {
  auto value = input_int(object, field);
  if (!value) return std::unexpected(value.error());
  if (*value < low || *value > high)
    return fail("bad_input", std::string("field \"") + field + "\" must be in [" + std::to_string(low) + ", " +
                                 std::to_string(high) + "]");
  return *value;
}

Result<SpeciesParams> species_from_json(const std::string& name, const nlohmann::json& object) {
  static const std::set<std::string> known = {"wd", "bef", "r", "cf", "growth_max_dm3_per_mu_yr"};
  for (const auto& [key, unused] : object.items())
    if (!known.contains(key)) return fail("bad_input", "species \"" + name + "\": unknown member \"" + key + "\"");
  SpeciesParams p{};
  auto wd = bounded(object, "wd", 1, limits::wd_thousandths_max);
  auto bef = bounded(object, "bef", 1, limits::bef_thousandths_max);
  auto r = bounded(object, "r", 0, limits::r_thousandths_max);
  auto cf = bounded(object, "cf", 1, limits::cf_thousandths_max);
  auto growth = bounded(object, "growth_max_dm3_per_mu_yr", 1, limits::growth_dm3_per_mu_yr_max);
  for (const auto* field : {&wd, &bef, &r, &cf, &growth})
    if (!*field) return fail("bad_input", "species \"" + name + "\": " + field->error().message);
  p.wd = *wd;
  p.bef = *bef;
  p.r = *r;
  p.cf = *cf;
  p.growth_max_dm3_per_mu_yr = *growth;
  return p;
}

Int128 plot_numerator(std::int64_t growth_dm3, const SpeciesParams& p, std::int64_t buffer_permille) {
  return Int128{growth_dm3} * p.wd * p.bef * (1000 + p.r) * p.cf * 44 * (1000 - buffer_permille);
}

}  // namespace

Result<MethodologyTable> methodology_from_json(const std::string& id, std::int64_t version, const nlohmann::json& params) {
  if (id.empty()) return fail("bad_input", "methodology id is empty");
  if (version < 1) return fail("bad_input", "methodology version must be >= 1");
  if (!params.is_object()) return fail("bad_input", "methodology params must be an object");
  MethodologyTable table{id, version, {}, 0};
  auto buffer = bounded(params, "buffer_permille", 0, 999);
  if (!buffer) return std::unexpected(buffer.error());
  table.buffer_permille = *buffer;
  for (const auto& [key, value] : params.items()) {
    if (key == "buffer_permille") continue;
    if (!value.is_object()) return fail("bad_input", "methodology member \"" + key + "\" must be a species object");
    if (table.species.size() >= limits::species_max) return fail("bad_input", "too many species groups");
    auto species = species_from_json(key, value);
    if (!species) return std::unexpected(species.error());
    table.species.emplace(key, *species);
  }
  if (table.species.empty()) return fail("bad_input", "methodology has no species group");
  return table;
}

Result<CarbonResult> quantify_carbon(const CarbonInput& input, const MethodologyTable& table) {
  auto from = parse_date_days(input.period_from);
  if (!from) return std::unexpected(from.error());
  auto to = parse_date_days(input.period_to);
  if (!to) return std::unexpected(to.error());
  if (*to < *from) return fail("period_invalid", "period ends (" + input.period_to + ") before it starts (" + input.period_from + ")");
  if (input.plots.empty()) return fail("bad_input", "no plots");
  if (input.plots.size() > limits::carbon_plots_max) return fail("bad_input", "too many plots");
  const std::int64_t period_days = *to - *from + 1;

  CarbonResult result{0, table.id, table.version, period_days, 0, {}};
  std::set<std::string> seen;
  Int128 numerator_sum = 0;
  for (const ForestPlot& plot : input.plots) {
    const std::string where = "plot \"" + plot.id + "\": ";
    if (plot.id.empty()) return fail("bad_input", "plot without id");
    if (plot.area_cmu <= 0 || plot.area_cmu > limits::area_cmu_max) return fail("bad_input", where + "area_cmu out of range");
    if (plot.stock_start_dm3 < 0 || plot.stock_end_dm3 < 0 || plot.stock_start_dm3 > limits::stock_dm3_max ||
        plot.stock_end_dm3 > limits::stock_dm3_max)
      return fail("bad_input", where + "stock out of range");
    if (!seen.insert(plot.id).second) return fail("plot_duplicate", where + "listed twice");
    auto species = table.species.find(plot.species);
    if (species == table.species.end())
      return fail("species_unknown", where + "species \"" + plot.species + "\" not in " + table.id + " v" + std::to_string(table.version));
    const std::int64_t growth_dm3 = plot.stock_end_dm3 - plot.stock_start_dm3;
    if (growth_dm3 < 0) return fail("growth_negative", where + "stock fell by " + std::to_string(-growth_dm3) + " dm3");
    // ΔV / (area_cmu/100 mu) / (days/365 yr) <= bound, cross-multiplied exactly.
    const Int128 lhs = Int128{growth_dm3} * 100 * limits::days_per_year;
    const Int128 rhs = Int128{species->second.growth_max_dm3_per_mu_yr} * plot.area_cmu * period_days;
    if (lhs > rhs)
      return fail("growth_implausible", where + "growth exceeds " + std::to_string(species->second.growth_max_dm3_per_mu_yr) +
                                            " dm3 per mu per year");
    const Int128 numerator = plot_numerator(growth_dm3, species->second, table.buffer_permille);
    numerator_sum += numerator;
    result.area_cmu += plot.area_cmu;
    auto plot_kg = narrow_int64(divide_round_half_even(numerator, carbon_denominator), "plot kg");
    if (!plot_kg) return std::unexpected(plot_kg.error());
    result.plots.push_back(PlotCarbon{plot.id, growth_dm3, *plot_kg});
  }
  auto total = narrow_int64(divide_round_half_even(numerator_sum, carbon_denominator), "kg_co2e");
  if (!total) return std::unexpected(total.error());
  result.kg_co2e = *total;
  return result;
}

Result<CarbonInput> carbon_input_from_json(const nlohmann::json& provenance) {
  if (!provenance.is_object()) return fail("bad_input", "carbon input must be an object");
  auto period_it = provenance.find("period");
  if (period_it == provenance.end() || !period_it->is_object()) return fail("bad_input", "missing object \"period\"");
  CarbonInput input;
  auto from = input_string(*period_it, "from");
  if (!from) return std::unexpected(from.error());
  auto to = input_string(*period_it, "to");
  if (!to) return std::unexpected(to.error());
  input.period_from = *from;
  input.period_to = *to;
  auto plots_it = provenance.find("plots");
  if (plots_it == provenance.end() || !plots_it->is_array()) return fail("bad_input", "missing array \"plots\"");
  if (plots_it->size() > limits::carbon_plots_max) return fail("bad_input", "too many plots");
  for (const auto& item : *plots_it) {
    auto id = input_string(item, "id");
    if (!id) return std::unexpected(id.error());
    auto area = input_int(item, "area_cmu");
    if (!area) return std::unexpected(area.error());
    auto species = input_string(item, "species");
    if (!species) return std::unexpected(species.error());
    auto start = input_int(item, "stock_start_dm3");
    if (!start) return std::unexpected(start.error());
    auto end = input_int(item, "stock_end_dm3");
    if (!end) return std::unexpected(end.error());
    input.plots.push_back(ForestPlot{*id, *area, *species, *start, *end});
  }
  return input;
}

nlohmann::json carbon_result_to_json(const CarbonResult& result) {
  nlohmann::json plots = nlohmann::json::array();
  for (const auto& p : result.plots)
    plots.push_back({{"id", p.id}, {"growth_dm3", p.growth_dm3}, {"kg_co2e", p.kg_co2e}});
  return {{"kg_co2e", result.kg_co2e},
          {"methodology", {{"id", result.methodology_id}, {"version", result.methodology_version}}},
          {"period_days", result.period_days},
          {"area_cmu", result.area_cmu},
          {"rounding", "half_even_once_over_sum"},
          {"plots", std::move(plots)}};
}

}  // namespace ecoledger::valuation
