#include "valuation/gep_methods.h"

#include <algorithm>
#include <cmath>

namespace ecoledger::valuation {
namespace {

constexpr double m3_per_mm_km2 = 1000.0;   // 1 mm over 1 km² = 1000 m³
constexpr double m2_per_km2 = 1.0e6;
constexpr double m2_per_hm2 = 1.0e4;
constexpr double kg_per_t = 1000.0;
constexpr double kj_per_kwh = 3600.0;
constexpr double m3_per_wan_m3 = 1.0e4;   // the lake model gives 万m³

Status finite_nonnegative(double x, const char* field, std::size_t cell) {
  if (!std::isfinite(x) || x < 0)
    return fail("bad_input", std::string("cell ") + std::to_string(cell) + ": \"" + field + "\" must be a finite number >= 0");
  return ok();
}

Status fraction(double x, const char* field, std::size_t cell) {
  if (!std::isfinite(x) || x < 0 || x > 1)
    return fail("bad_input", std::string("cell ") + std::to_string(cell) + ": \"" + field + "\" must be in [0, 1]");
  return ok();
}

Status cell_count(std::size_t n) {
  if (n > limits::gep_cells_max) return fail("bad_input", "more than " + std::to_string(limits::gep_cells_max) + " cells");
  return ok();
}

Status positive_param(double x, const char* name) {
  if (!std::isfinite(x) || x <= 0) return fail("bad_input", std::string("parameter \"") + name + "\" must be > 0");
  return ok();
}

Result<double> finite_result(double q, const char* what) {
  if (!std::isfinite(q)) return fail("bad_input", std::string(what) + ": quantity overflows");
  return q;
}

#define ECOLEDGER_OK(expr)                          \
  if (auto status_ = (expr); !status_) return std::unexpected(status_.error())

// RWEQ soil loss at the downwind distance z for the product of factors f.
double rweq_loss_kg_per_m2(double f, const RweqParams& p) {
  if (f <= 0) return 0;  // no erodible surface, no loss (S would be infinite)
  const double q_max = p.qmax_coefficient * f;
  const double s = p.s_coefficient * std::pow(f, p.s_exponent);
  const double ratio = p.downwind_distance_m / s;
  return 2.0 * p.downwind_distance_m / (s * s) * q_max * std::exp(-ratio * ratio);
}

}  // namespace

Result<double> water_conservation_m3(const std::vector<WaterBalanceCell>& cells) {
  ECOLEDGER_OK(cell_count(cells.size()));
  double m3 = 0;
  for (std::size_t i = 0; i < cells.size(); ++i) {
    const auto& c = cells[i];
    ECOLEDGER_OK(finite_nonnegative(c.precipitation_mm, "precipitation_mm", i));
    ECOLEDGER_OK(finite_nonnegative(c.runoff_mm, "runoff_mm", i));
    ECOLEDGER_OK(finite_nonnegative(c.evapotranspiration_mm, "evapotranspiration_mm", i));
    ECOLEDGER_OK(finite_nonnegative(c.area_km2, "area_km2", i));
    // A cell that loses water (P < R + ET) conserves none; it does not
    // subtract from its neighbours' conservation.
    m3 += std::max(0.0, c.precipitation_mm - c.runoff_mm - c.evapotranspiration_mm) * c.area_km2 * m3_per_mm_km2;
  }
  return finite_result(m3, "water_balance");
}

Result<double> soil_retention_t(const std::vector<UsleCell>& cells) {
  ECOLEDGER_OK(cell_count(cells.size()));
  double t = 0;
  for (std::size_t i = 0; i < cells.size(); ++i) {
    const auto& c = cells[i];
    ECOLEDGER_OK(finite_nonnegative(c.r_factor, "r_factor", i));
    ECOLEDGER_OK(finite_nonnegative(c.k_factor, "k_factor", i));
    ECOLEDGER_OK(finite_nonnegative(c.ls_factor, "ls_factor", i));
    ECOLEDGER_OK(fraction(c.c_factor, "c_factor", i));
    ECOLEDGER_OK(fraction(c.p_factor, "p_factor", i));
    ECOLEDGER_OK(finite_nonnegative(c.area_hm2, "area_hm2", i));
    const double potential = c.r_factor * c.k_factor * c.ls_factor;  // t/hm²/a
    t += (potential - potential * c.c_factor * c.p_factor) * c.area_hm2;
  }
  return finite_result(t, "soil_retention");
}

Result<double> sand_fixation_t(const std::vector<RweqCell>& cells, const RweqParams& params) {
  ECOLEDGER_OK(cell_count(cells.size()));
  ECOLEDGER_OK(positive_param(params.qmax_coefficient, "rweq_qmax_coefficient"));
  ECOLEDGER_OK(positive_param(params.s_coefficient, "rweq_s_coefficient"));
  ECOLEDGER_OK(positive_param(params.downwind_distance_m, "rweq_downwind_distance_m"));
  if (!std::isfinite(params.s_exponent)) return fail("bad_input", "parameter \"rweq_s_exponent\" must be finite");
  double t = 0;
  for (std::size_t i = 0; i < cells.size(); ++i) {
    const auto& c = cells[i];
    ECOLEDGER_OK(finite_nonnegative(c.weather_factor_kg_per_m, "weather_factor_kg_per_m", i));
    ECOLEDGER_OK(fraction(c.erodible_fraction, "erodible_fraction", i));
    ECOLEDGER_OK(fraction(c.crust_factor, "crust_factor", i));
    ECOLEDGER_OK(finite_nonnegative(c.roughness_factor, "roughness_factor", i));
    ECOLEDGER_OK(fraction(c.vegetation_factor, "vegetation_factor", i));
    ECOLEDGER_OK(finite_nonnegative(c.area_hm2, "area_hm2", i));
    const double bare = c.weather_factor_kg_per_m * c.erodible_fraction * c.crust_factor * c.roughness_factor;
    const double retained = rweq_loss_kg_per_m2(bare, params) - rweq_loss_kg_per_m2(bare * c.vegetation_factor, params);
    // S_L is not monotone in the factor product; vegetation that would
    // "increase" the modelled loss retains nothing rather than a negative.
    t += std::max(0.0, retained) * c.area_hm2 * m2_per_hm2 / kg_per_t;
  }
  return finite_result(t, "sand_fixation");
}

Result<double> flood_storage_m3(const FloodStorage& s, const FloodParams& p) {
  ECOLEDGER_OK(cell_count(s.vegetation_interception.size() + s.soil_storage.size() + s.lakes_km2.size() +
                          s.reservoirs_capacity_m3.size() + s.marsh_km2.size()));
  if (!std::isfinite(p.lake_ln_coefficient) || !std::isfinite(p.lake_area_exponent))
    return fail("bad_input", "lake storage parameters must be finite");
  ECOLEDGER_OK(finite_nonnegative(p.lake_flood_periods, "lake_flood_periods", 0));
  if (!std::isfinite(p.reservoir_flood_share) || p.reservoir_flood_share < 0 || p.reservoir_flood_share > 1)
    return fail("bad_input", "parameter \"reservoir_flood_share\" must be in [0, 1]");
  ECOLEDGER_OK(finite_nonnegative(p.marsh_storage_depth_m, "marsh_storage_depth_m", 0));
  double m3 = 0;
  std::size_t i = 0;
  for (const auto& c : s.vegetation_interception) {
    ECOLEDGER_OK(finite_nonnegative(c.depth_mm, "interception_mm", i));
    ECOLEDGER_OK(finite_nonnegative(c.area_km2, "area_km2", i++));
    m3 += c.depth_mm * c.area_km2 * m3_per_mm_km2;
  }
  for (const auto& c : s.soil_storage) {
    ECOLEDGER_OK(finite_nonnegative(c.depth_mm, "storage_mm", i));
    ECOLEDGER_OK(finite_nonnegative(c.area_km2, "area_km2", i++));
    m3 += c.depth_mm * c.area_km2 * m3_per_mm_km2;
  }
  for (double a : s.lakes_km2) {
    ECOLEDGER_OK(finite_nonnegative(a, "lakes_km2", i++));
    if (a > 0) m3 += std::exp(p.lake_ln_coefficient) * std::pow(a, p.lake_area_exponent) * p.lake_flood_periods * m3_per_wan_m3;
  }
  double reservoirs = 0;
  for (double v : s.reservoirs_capacity_m3) {
    ECOLEDGER_OK(finite_nonnegative(v, "reservoirs_capacity_m3", i++));
    reservoirs += v;
  }
  m3 += p.reservoir_flood_share * reservoirs;
  for (double a : s.marsh_km2) {
    ECOLEDGER_OK(finite_nonnegative(a, "marsh_km2", i++));
    m3 += a * m2_per_km2 * p.marsh_storage_depth_m;
  }
  return finite_result(m3, "flood_regulation");
}

Result<double> pollutant_removal_t(const std::vector<RateCell>& cells, double cap_t) {
  ECOLEDGER_OK(cell_count(cells.size()));
  if (std::isnan(cap_t)) return fail("bad_input", "cap_t is not a number");
  double t = 0;
  for (std::size_t i = 0; i < cells.size(); ++i) {
    ECOLEDGER_OK(finite_nonnegative(cells[i].rate_t_per_km2, "rate", i));
    ECOLEDGER_OK(finite_nonnegative(cells[i].area_km2, "area_km2", i));
    t += cells[i].rate_t_per_km2 * cells[i].area_km2;
  }
  // Ecosystems cannot absorb more of a pollutant than was put into the air or water.
  if (cap_t >= 0) t = std::min(t, cap_t);
  return finite_result(t, "purification");
}

Result<double> npp_product_t(const std::vector<NppCell>& cells, double factor_t_per_t) {
  ECOLEDGER_OK(cell_count(cells.size()));
  ECOLEDGER_OK(positive_param(factor_t_per_t, "per_dry_matter_t_per_t"));
  double dry_matter_t = 0;
  for (std::size_t i = 0; i < cells.size(); ++i) {
    ECOLEDGER_OK(finite_nonnegative(cells[i].npp_t_per_hm2, "npp_t_per_hm2", i));
    ECOLEDGER_OK(finite_nonnegative(cells[i].area_hm2, "area_hm2", i));
    dry_matter_t += cells[i].npp_t_per_hm2 * cells[i].area_hm2;
  }
  return finite_result(dry_matter_t * factor_t_per_t, "npp");
}

Result<double> climate_regulation_kwh(const std::vector<TranspirationCell>& vegetation, const std::vector<DepthCell>& water,
                                      const ClimateParams& p) {
  ECOLEDGER_OK(cell_count(vegetation.size() + water.size()));
  ECOLEDGER_OK(positive_param(p.ac_energy_efficiency_ratio, "ac_energy_efficiency_ratio"));
  ECOLEDGER_OK(positive_param(p.water_density_kg_per_m3, "water_density_kg_per_m3"));
  ECOLEDGER_OK(positive_param(p.latent_heat_kj_per_kg, "latent_heat_kj_per_kg"));
  ECOLEDGER_OK(finite_nonnegative(p.humidifier_kwh_per_m3, "humidifier_kwh_per_m3", 0));
  double kwh = 0;
  std::size_t i = 0;
  for (const auto& c : vegetation) {
    ECOLEDGER_OK(finite_nonnegative(c.heat_kj_per_m2_day, "transpiration_heat_kj_per_m2_day", i));
    ECOLEDGER_OK(finite_nonnegative(c.days, "days", i));
    if (c.days > 366) return fail("bad_input", "cell " + std::to_string(i) + ": \"days\" exceeds a year");
    ECOLEDGER_OK(finite_nonnegative(c.area_km2, "area_km2", i++));
    kwh += c.heat_kj_per_m2_day * c.area_km2 * m2_per_km2 * c.days / (kj_per_kwh * p.ac_energy_efficiency_ratio);
  }
  for (const auto& c : water) {
    ECOLEDGER_OK(finite_nonnegative(c.depth_mm, "evaporation_mm", i));
    ECOLEDGER_OK(finite_nonnegative(c.area_km2, "area_km2", i++));
    const double evaporated_m3 = c.depth_mm * c.area_km2 * m3_per_mm_km2;
    kwh += evaporated_m3 * p.water_density_kg_per_m3 * p.latent_heat_kj_per_kg / kj_per_kwh + evaporated_m3 * p.humidifier_kwh_per_m3;
  }
  return finite_result(kwh, "climate_regulation");
}

#undef ECOLEDGER_OK

}  // namespace ecoledger::valuation
