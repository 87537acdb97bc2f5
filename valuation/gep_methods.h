// Physical-quantity functions of the GEP account (docs/VALUATION.md §3.2):
// each turns a region's physical inputs, in the units named in its fields,
// into the one physical quantity a GEP line values. Parameters come from a
// published GEP table (GepParams below is filled from it by gep.cc); none is
// a constant in code.
//
// Every function checks its inputs (finite, non-negative, fractions within
// [0, 1], at most limits::gep_cells_max cells) and returns "bad_input" with
// the offending field named. Arithmetic is IEEE-754 double, summed in input
// order, so the same input gives the same bits on every run.
// Thread-safety: pure functions over values.
#pragma once

#include <string>
#include <vector>

#include "base/result.h"

namespace ecoledger::valuation {

namespace limits {
inline constexpr std::size_t gep_cells_max = 100'000;
}  // namespace limits

// Water conservation, water balance: Q [m³] = Σ (P − R − ET)[mm] × A[km²] × 1000.
struct WaterBalanceCell {
  double precipitation_mm, runoff_mm, evapotranspiration_mm, area_km2;
};
Result<double> water_conservation_m3(const std::vector<WaterBalanceCell>& cells);

// Soil retention, USLE difference (potential − actual erosion):
//   Q [t] = Σ R × K × LS × (1 − C × P) × A[hm²]
// R rainfall erosivity [MJ·mm/(hm²·h·a)], K soil erodibility
// [t·hm²·h/(hm²·MJ·mm)], LS slope length-steepness [-], C cover-management
// and P support-practice factors in [0, 1]; one year.
struct UsleCell {
  double r_factor, k_factor, ls_factor, c_factor, p_factor, area_hm2;
};
Result<double> soil_retention_t(const std::vector<UsleCell>& cells);

// Sand fixation, RWEQ difference (potential − actual wind erosion):
//   Q_max = a × (WF × EF × SCF × K' × C)            [kg/m]
//   S     = b × (WF × EF × SCF × K' × C)^e          [m]
//   S_L   = 2z / S² × Q_max × exp(−(z/S)²)          [kg/m²]
//   Q [t] = Σ (S_L(C = 1) − S_L(C)) × A[hm²] × 10    (10^4 m²/hm² ÷ 1000 kg/t)
// WF weather factor [kg/m], EF erodible fraction, SCF crust factor, K'
// roughness factor, C vegetation factor (all [-], EF/SCF/C in [0, 1]);
// a, b, e and the downwind distance z [m] are table parameters.
struct RweqCell {
  double weather_factor_kg_per_m, erodible_fraction, crust_factor, roughness_factor, vegetation_factor, area_hm2;
};
struct RweqParams {
  double qmax_coefficient, s_coefficient, s_exponent, downwind_distance_m;
};
Result<double> sand_fixation_t(const std::vector<RweqCell>& cells, const RweqParams& params);

// Flood regulation, storage capacities [m³]:
//   vegetation interception  Σ interception[mm] × A[km²] × 1000
//   soil storage             Σ storage[mm] × A[km²] × 1000
//   lakes                    Σ e^a × A[km²]^b × T × 10^4      (plateau lake model, 万m³ → m³)
//   reservoirs               share × Σ total capacity[m³]
//   marsh                    Σ A[km²] × 10^6 × depth[m]
struct DepthCell {
  double depth_mm, area_km2;
};
struct FloodStorage {
  std::vector<DepthCell> vegetation_interception, soil_storage;
  std::vector<double> lakes_km2, reservoirs_capacity_m3, marsh_km2;
};
struct FloodParams {
  double lake_ln_coefficient, lake_area_exponent, lake_flood_periods, reservoir_flood_share, marsh_storage_depth_m;
};
Result<double> flood_storage_m3(const FloodStorage& storage, const FloodParams& params);

// Air and water purification: Q [t] = min(Σ rate[t/km²/a] × A[km²], cap[t])
// where the rate of each cell is a table parameter (absorption or
// purification per area of that ecosystem) and the cap is the pollutant
// emitted or the load entering (a negative cap means none).
struct RateCell {
  double rate_t_per_km2, area_km2;
};
Result<double> pollutant_removal_t(const std::vector<RateCell>& cells, double cap_t);

// Carbon sequestration and oxygen release from NPP:
//   Q [t] = Σ NPP[t dry matter/hm²/a] × A[hm²] × factor
// factor 1.62 t CO2 or 1.2 t O2 per t dry matter (photosynthesis equation;
// table parameters co2_per_dry_matter_t_per_t, o2_per_dry_matter_t_per_t).
struct NppCell {
  double npp_t_per_hm2, area_hm2;
};
Result<double> npp_product_t(const std::vector<NppCell>& cells, double factor_t_per_t);

// Climate regulation, energy of transpiration and evaporation [kWh]:
//   vegetation  Σ H[kJ/m²/d] × A[km²] × 10^6 × D[d] / (3600 × r)
//   water       Σ E[m³] × ρ[kg/m³] × q[kJ/kg] / 3600 + E × y[kWh/m³],  E = evaporation[mm] × A[km²] × 1000
// H heat absorbed by transpiration, D days of cooling demand, r the
// air-conditioner energy-efficiency ratio, q the latent heat of
// vaporisation, y a humidifier's electricity per m³ of vapour.
struct TranspirationCell {
  double heat_kj_per_m2_day, days, area_km2;
};
struct ClimateParams {
  double ac_energy_efficiency_ratio, water_density_kg_per_m3, latent_heat_kj_per_kg, humidifier_kwh_per_m3;
};
Result<double> climate_regulation_kwh(const std::vector<TranspirationCell>& vegetation, const std::vector<DepthCell>& water,
                                      const ClimateParams& params);

}  // namespace ecoledger::valuation
