// A set of published parameter tables, keyed by kind, id and version, and
// the selection of the tables a valuation uses (docs/VALUATION.md §5).
//
// A table document is JSON with "kind", "id" and "version" (the methodology
// and GEP price tables, the collateral table) or "kind":"grading" holding two
// tables, "benchmarks" and "rates", each with its own id and version. Every
// table is decoded by its own decoder when added, so a table with a missing
// or out-of-range parameter is refused with the reason before any valuation
// runs. The same (kind, id, version) twice is refused unless identical.
//
// Selection: an input document may name its tables,
//   "tables": {KIND: {"id": ID, "version": N}, ...}
// (version omitted: the highest present); a kind it does not name uses the
// only id of that kind in the set at its highest version, and is refused as
// ambiguous when the set holds several ids of that kind.
// Refusal codes: table_invalid, table_conflict, table_missing,
// table_ambiguous, bad_input.
// Thread-safety: a TableSet is a value; const methods may run concurrently.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/result.h"
#include "valuation/carbon.h"
#include "valuation/collateral.h"
#include "valuation/gep.h"
#include "valuation/grading.h"

namespace ecoledger::valuation {

namespace limits {
inline constexpr std::size_t table_set_tables_max = 1'000;
}  // namespace limits

// Table kinds.
inline constexpr const char* table_kind_methodology = "methodology";
inline constexpr const char* table_kind_gep_prices = "gep_prices";
inline constexpr const char* table_kind_collateral = "collateral";
inline constexpr const char* table_kind_grade_benchmarks = "grade_benchmarks";
inline constexpr const char* table_kind_grade_rates = "grade_rates";

struct TableRef {
  std::string kind, id;
  std::int64_t version = 0;  // 0: the highest version present
};

class TableSet {
 public:
  // Adds the table(s) of one document; origin (a file name) is quoted in errors.
  Status add(const nlohmann::json& document, const std::string& origin);

  // The table named by input["tables"][kind], or the default of that kind.
  Result<MethodologyTable> methodology(const nlohmann::json& input) const;
  Result<GepPriceTable> gep_prices(const nlohmann::json& input) const;
  Result<CollateralTable> collateral(const nlohmann::json& input) const;
  // The collateral table's default stress scenarios ("stress_scenarios").
  Result<std::vector<StressScenario>> collateral_scenarios(const nlohmann::json& input) const;
  Result<BenchmarkTable> grade_benchmarks(const nlohmann::json& input) const;
  Result<RateTable> grade_rates(const nlohmann::json& input) const;

  // Every table held, ordered by kind, id, version.
  std::vector<TableRef> list() const;

 private:
  Result<const nlohmann::json*> select(const nlohmann::json& input, const char* kind) const;
  Status insert(const std::string& kind, const nlohmann::json& table, const std::string& origin);

  // (kind, id, version) → the table's document
  std::map<std::tuple<std::string, std::string, std::int64_t>, nlohmann::json> tables_;
};

}  // namespace ecoledger::valuation
