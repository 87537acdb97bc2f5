#include "valuation/grading.h"

#include "valuation/arith.h"

namespace ecoledger::valuation {
namespace {

constexpr std::int64_t fen_per_10k_yuan = 1'000'000;
constexpr std::int64_t amount_max = 1'000'000'000'000'000;

Result<GradeBounds> bounds_from_json(const nlohmann::json& object, const char* field) {
  auto it = object.find(field);
  if (it == object.end() || !it->is_object()) return fail("bad_input", std::string("missing object \"") + field + "\"");
  ECOLEDGER_TRY(green, input_int(*it, "green_max"));
  ECOLEDGER_TRY(yellow, input_int(*it, "yellow_max"));
  ECOLEDGER_TRY(orange, input_int(*it, "orange_max"));
  if (*green < 0 || *green > *yellow || *yellow > *orange || *orange > amount_max)
    return fail("bad_input", std::string("\"") + field + "\" bounds must satisfy 0 <= green <= yellow <= orange");
  return GradeBounds{*green, *yellow, *orange};
}

std::string grade_of(std::int64_t amount, std::int64_t output_fen, const GradeBounds& b) {
  const Int128 lhs = Int128{amount} * fen_per_10k_yuan;
  if (lhs <= Int128{b.green_max} * output_fen) return "green";
  if (lhs <= Int128{b.yellow_max} * output_fen) return "yellow";
  if (lhs <= Int128{b.orange_max} * output_fen) return "orange";
  return "red";
}

int rank(const std::string& grade) { return grade == "green" ? 0 : grade == "yellow" ? 1 : grade == "orange" ? 2 : 3; }

}  // namespace

Result<BenchmarkTable> benchmark_table_from_json(const nlohmann::json& document) {
  ECOLEDGER_TRY(id, input_string(document, "id"));
  ECOLEDGER_TRY(version, input_int(document, "version"));
  auto industries = document.find("industries");
  if (industries == document.end() || !industries->is_object()) return fail("bad_input", "missing object \"industries\"");
  BenchmarkTable table{*id, *version, {}};
  for (const auto& [name, entry] : industries->items()) {
    ECOLEDGER_TRY(emission, bounds_from_json(entry, "emission_kg_per_10k_yuan"));
    ECOLEDGER_TRY(energy, bounds_from_json(entry, "energy_kgce_per_10k_yuan"));
    table.industries[name] = IndustryBenchmark{*emission, *energy};
  }
  return table;
}

Result<RateTable> rate_table_from_json(const nlohmann::json& document) {
  ECOLEDGER_TRY(id, input_string(document, "id"));
  ECOLEDGER_TRY(version, input_int(document, "version"));
  auto adjustments = document.find("adjustment_bp");
  if (adjustments == document.end() || !adjustments->is_object()) return fail("bad_input", "missing object \"adjustment_bp\"");
  RateTable table{*id, *version, {}};
  for (const auto& [grade, unused] : adjustments->items()) {
    ECOLEDGER_TRY(bp, input_int(*adjustments, grade.c_str()));
    if (*bp < -10'000 || *bp > 10'000) return fail("bad_input", "rate adjustment out of range");
    table.adjustment_bp[grade] = *bp;
  }
  return table;
}

Result<EnterpriseInput> enterprise_from_json(const nlohmann::json& document) {
  ECOLEDGER_TRY(id, input_string(document, "id"));
  ECOLEDGER_TRY(industry, input_string(document, "industry"));
  ECOLEDGER_TRY(energy, input_int(document, "energy_kgce"));
  ECOLEDGER_TRY(emissions, input_int(document, "emissions_kg"));
  ECOLEDGER_TRY(output, input_int(document, "output_fen"));
  return EnterpriseInput{*id, *industry, *energy, *emissions, *output};
}

Result<GradeResult> grade_enterprise(const EnterpriseInput& input, const BenchmarkTable& benchmarks, const RateTable& rates) {
  if (input.energy_kgce < 0 || input.emissions_kg < 0 || input.energy_kgce > amount_max || input.emissions_kg > amount_max)
    return fail("bad_input", "enterprise \"" + input.id + "\": energy and emissions must be in [0, 10^18]");
  if (input.output_fen <= 0 || input.output_fen > amount_max) return fail("bad_input", "enterprise \"" + input.id + "\": output must be positive");
  auto industry = benchmarks.industries.find(input.industry);
  if (industry == benchmarks.industries.end())
    return fail("industry_unknown", "no benchmark for industry \"" + input.industry + "\" in " + benchmarks.id);
  GradeResult r{input.id, input.industry, input.energy_kgce, input.emissions_kg, 0, 0, "", "", "", 0,
                benchmarks.id, rates.id, benchmarks.version, rates.version};
  r.energy_intensity_kgce_per_10k_yuan =
      static_cast<std::int64_t>(divide_round_half_even(Int128{input.energy_kgce} * fen_per_10k_yuan, input.output_fen));
  r.emission_intensity_kg_per_10k_yuan =
      static_cast<std::int64_t>(divide_round_half_even(Int128{input.emissions_kg} * fen_per_10k_yuan, input.output_fen));
  r.energy_grade = grade_of(input.energy_kgce, input.output_fen, industry->second.energy_kgce_per_10k_yuan);
  r.emission_grade = grade_of(input.emissions_kg, input.output_fen, industry->second.emission_kg_per_10k_yuan);
  r.grade = rank(r.energy_grade) > rank(r.emission_grade) ? r.energy_grade : r.emission_grade;
  auto rate = rates.adjustment_bp.find(r.grade);
  if (rate == rates.adjustment_bp.end()) return fail("grade_unpriced", "rate table " + rates.id + " has no entry for " + r.grade);
  r.rate_adjustment_bp = rate->second;
  return r;
}

nlohmann::json grade_result_to_json(const GradeResult& r) {
  return {{"id", r.id},
          {"industry", r.industry},
          {"indicators",
           {{"energy_kgce", r.energy_kgce},
            {"emissions_kg", r.emissions_kg},
            {"energy_intensity_kgce_per_10k_yuan", r.energy_intensity_kgce_per_10k_yuan},
            {"emission_intensity_kg_per_10k_yuan", r.emission_intensity_kg_per_10k_yuan}}},
          {"energy_grade", r.energy_grade},
          {"emission_grade", r.emission_grade},
          {"grade", r.grade},
          {"rate_adjustment_bp", r.rate_adjustment_bp},
          {"tables",
           {{"benchmarks", {{"id", r.benchmark_id}, {"version", r.benchmark_version}}},
            {"rates", {{"id", r.rate_id}, {"version", r.rate_version}}}}}};
}

}  // namespace ecoledger::valuation
