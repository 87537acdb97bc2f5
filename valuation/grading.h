// Enterprise carbon-performance grading (Quanzhou 红橙黄绿 style) on the four
// indicators used by Xiamen and Daxinganling: total energy use, total
// emissions, energy intensity and emission intensity; and the loan-rate
// adjustment a bank's published policy table attaches to the grade.
//
// Intensities are per 万元 (10^6 fen) of output. A grade is found by exact
// cross-multiplication: intensity <= bound ⟺ amount × 10^6 <= bound × output_fen.
// Grade per intensity: <= green_max → green, <= yellow_max → yellow,
// <= orange_max → orange, else red; the enterprise gets the worse of the two.
// Refusal codes: bad_input, industry_unknown, grade_unpriced.
// Thread-safety: pure functions over values.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "base/result.h"

namespace ecoledger::valuation {

struct GradeBounds {
  std::int64_t green_max, yellow_max, orange_max;  // per 万元 of output
};

struct IndustryBenchmark {
  GradeBounds emission_kg_per_10k_yuan;
  GradeBounds energy_kgce_per_10k_yuan;
};

struct BenchmarkTable {
  std::string id;
  std::int64_t version;
  std::map<std::string, IndustryBenchmark> industries;
};

struct RateTable {
  std::string id;
  std::int64_t version;
  std::map<std::string, std::int64_t> adjustment_bp;  // by grade
};

struct EnterpriseInput {
  std::string id, industry;
  std::int64_t energy_kgce, emissions_kg, output_fen;
};

struct GradeResult {
  std::string id, industry;
  std::int64_t energy_kgce, emissions_kg;
  std::int64_t energy_intensity_kgce_per_10k_yuan, emission_intensity_kg_per_10k_yuan;  // half-even, informative
  std::string energy_grade, emission_grade, grade;
  std::int64_t rate_adjustment_bp;
  std::string benchmark_id, rate_id;
  std::int64_t benchmark_version, rate_version;
};

// {"benchmarks":{"id","version","industries":{NAME:{"emission_kg_per_10k_yuan":{"green_max","yellow_max","orange_max"},
//   "energy_kgce_per_10k_yuan":{...}}}},"rates":{"id","version","adjustment_bp":{"green":n,...}}}
Result<BenchmarkTable> benchmark_table_from_json(const nlohmann::json& document);
Result<RateTable> rate_table_from_json(const nlohmann::json& document);
// {"id","industry","energy_kgce","emissions_kg","output_fen"}
Result<EnterpriseInput> enterprise_from_json(const nlohmann::json& document);
Result<GradeResult> grade_enterprise(const EnterpriseInput& input, const BenchmarkTable& benchmarks, const RateTable& rates);
nlohmann::json grade_result_to_json(const GradeResult& result);

}  // namespace ecoledger::valuation
