// Forestry carbon-sink quantification by the stock-change method (the FCT
// "carbon ticket" issuance rule, docs/VALUATION.md §1).
//
// For each plot ΔV = stock_end − stock_start (dm³). With the plot's species
// parameters in thousandths and the table's buffer in permille:
//
//   kg_co2e = round_half_even( Σ ΔV_dm3 × wd × bef × (1000 + r) × cf × 44
//                              × (1000 − buffer_permille) / (12 × 10^15) )
//
// computed on __int128, one rounding at the very end, no floating point, so
// the ledger at issuance and an auditor at replay get the same kilogram.
// Refusal codes (stable): growth_negative, growth_implausible,
// period_invalid, plot_duplicate, species_unknown, bad_input.
// Thread-safety: pure functions over values; nothing is retained.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/result.h"

namespace ecoledger::valuation {

namespace limits {
inline constexpr std::size_t carbon_plots_max = 10'000;
inline constexpr std::int64_t stock_dm3_max = 10'000'000'000'000;  // 10^10 m³
inline constexpr std::int64_t area_cmu_max = 1'000'000'000'000;
inline constexpr std::int64_t wd_thousandths_max = 2'000;
inline constexpr std::int64_t bef_thousandths_max = 5'000;
inline constexpr std::int64_t r_thousandths_max = 2'000;
inline constexpr std::int64_t cf_thousandths_max = 1'000;
inline constexpr std::int64_t growth_dm3_per_mu_yr_max = 1'000'000'000;
inline constexpr std::int64_t days_per_year = 365;  // plausibility year length
inline constexpr std::size_t species_max = 256;
}  // namespace limits

// The worst-case sum must fit in __int128 (about 1.7 × 10^38).
static_assert(static_cast<double>(limits::carbon_plots_max) * limits::stock_dm3_max * limits::wd_thousandths_max *
                      limits::bef_thousandths_max * (1000 + limits::r_thousandths_max) * limits::cf_thousandths_max *
                      44 * 1000 <
                  1.0e38,
              "carbon numerator may overflow __int128");

struct SpeciesParams {
  std::int64_t wd, bef, r, cf;               // thousandths
  std::int64_t growth_max_dm3_per_mu_yr;     // plausibility bound
};

struct MethodologyTable {
  std::string id;
  std::int64_t version;
  std::map<std::string, SpeciesParams> species;
  std::int64_t buffer_permille;
};

// params is the "params" object of a methodology.publish transaction: flat,
// one member per species group plus "buffer_permille", integers only, e.g.
// {"fir":{"wd":307,"bef":1634,"r":246,"cf":520,"growth_max_dm3_per_mu_yr":2000},"buffer_permille":0}.
// Unknown members and out-of-range values are refused ("bad_input").
Result<MethodologyTable> methodology_from_json(const std::string& id, std::int64_t version, const nlohmann::json& params);

struct ForestPlot {
  std::string id;
  std::int64_t area_cmu;  // 1/100 mu
  std::string species;
  std::int64_t stock_start_dm3, stock_end_dm3;
};

struct CarbonInput {
  std::string period_from, period_to;  // "YYYY-MM-DD", both days included
  std::vector<ForestPlot> plots;
};

struct PlotCarbon {
  std::string id;
  std::int64_t growth_dm3;
  std::int64_t kg_co2e;  // this plot alone, rounded half-even (informative)
};

struct CarbonResult {
  std::int64_t kg_co2e;  // the issuable amount: one rounding over the sum
  std::string methodology_id;
  std::int64_t methodology_version;
  std::int64_t period_days;
  std::int64_t area_cmu;
  std::vector<PlotCarbon> plots;
};

Result<CarbonResult> quantify_carbon(const CarbonInput& input, const MethodologyTable& table);

// {"period":{"from","to"},"plots":[{"id","area_cmu","species","stock_start_dm3","stock_end_dm3"}], ...}
// Other members are ignored.
Result<CarbonInput> carbon_input_from_json(const nlohmann::json& provenance);

nlohmann::json carbon_result_to_json(const CarbonResult& result);

}  // namespace ecoledger::valuation
