#include "valuation/tables.h"

#include <set>

#include "valuation/arith.h"

namespace ecoledger::valuation {
namespace {

std::string name_of(const std::string& kind, const std::string& id, std::int64_t version) {
  return kind + " table " + id + " v" + std::to_string(version);
}

// A decoder's refusal, re-coded as a table problem and placed in its file.
Error invalid(const Error& error, const std::string& origin, const std::string& what) {
  return Error{"table_invalid", origin + ": " + what + ": " + error.message};
}

// Runs the table's own decoder so that a table is never held half-valid.
Status validate(const std::string& kind, const nlohmann::json& table) {
  auto status = [](const auto& result) -> Status {
    if (!result) return std::unexpected(result.error());
    return ok();
  };
  if (kind == table_kind_methodology) {
    auto params = table.find("params");
    if (params == table.end()) return fail("bad_input", "missing object \"params\"");
    return status(methodology_from_json(table["id"].get<std::string>(), table["version"].get<std::int64_t>(), *params));
  }
  if (kind == table_kind_gep_prices) return status(gep_price_table_from_json(table));
  if (kind == table_kind_collateral) {
    if (auto s = status(collateral_table_from_json(table)); !s) return s;
    return table.contains("stress_scenarios") ? status(stress_scenarios_from_json(table)) : ok();
  }
  if (kind == table_kind_grade_benchmarks) return status(benchmark_table_from_json(table));
  return status(rate_table_from_json(table));
}

Result<TableRef> requested(const nlohmann::json& input, const char* kind) {
  TableRef ref{kind, "", 0};
  if (!input.is_object()) return ref;
  auto tables = input.find("tables");
  if (tables == input.end()) return ref;
  if (!tables->is_object()) return fail("bad_input", "\"tables\" must be an object {KIND: {\"id\", \"version\"}}");
  auto entry = tables->find(kind);
  if (entry == tables->end()) return ref;
  ECOLEDGER_TRY(id, input_string(*entry, "id"));
  ref.id = *id;
  if (entry->contains("version")) {
    ECOLEDGER_TRY(version, input_int(*entry, "version"));
    if (*version < 1) return fail("bad_input", std::string("\"tables\".") + kind + ".version must be >= 1");
    ref.version = *version;
  }
  return ref;
}

}  // namespace

Status TableSet::insert(const std::string& kind, const nlohmann::json& table, const std::string& origin) {
  if (!table.is_object()) return fail("table_invalid", origin + ": a " + kind + " table must be an object");
  auto id = input_string(table, "id");
  if (!id) return std::unexpected(invalid(id.error(), origin, kind + " table"));
  auto version = input_int(table, "version");
  if (!version) return std::unexpected(invalid(version.error(), origin, kind + " table " + *id));
  if (id->empty() || *version < 1) return fail("table_invalid", origin + ": a table needs a non-empty id and a version >= 1");
  const std::string name = name_of(kind, *id, *version);
  if (auto s = validate(kind, table); !s) return std::unexpected(invalid(s.error(), origin, name));
  auto key = std::make_tuple(kind, *id, *version);
  if (auto it = tables_.find(key); it != tables_.end()) {
    if (it->second == table) return ok();  // the same table found twice (a copy): harmless
    return fail("table_conflict", origin + ": " + name + " differs from another table with the same id and version");
  }
  if (tables_.size() >= limits::table_set_tables_max) return fail("table_invalid", "more than " + std::to_string(limits::table_set_tables_max) + " tables");
  tables_.emplace(std::move(key), table);
  return ok();
}

Status TableSet::add(const nlohmann::json& document, const std::string& origin) {
  if (!document.is_object()) return fail("table_invalid", origin + ": a table document must be an object");
  auto kind_it = document.find("kind");
  if (kind_it == document.end() || !kind_it->is_string()) return fail("table_invalid", origin + ": missing string \"kind\"");
  const std::string kind = kind_it->get<std::string>();
  if (kind == "grading") {
    for (const char* part : {"benchmarks", "rates"})
      if (!document.contains(part)) return fail("table_invalid", origin + ": grading document needs \"" + part + "\"");
    // Both or neither: stage on a copy so a bad rates table leaves no benchmarks behind.
    TableSet staged = *this;
    if (auto s = staged.insert(table_kind_grade_benchmarks, document["benchmarks"], origin); !s) return s;
    if (auto s = staged.insert(table_kind_grade_rates, document["rates"], origin); !s) return s;
    *this = std::move(staged);
    return ok();
  }
  static const std::set<std::string> single = {table_kind_methodology, table_kind_gep_prices, table_kind_collateral};
  if (!single.contains(kind)) return fail("table_invalid", origin + ": unknown table kind \"" + kind + "\"");
  return insert(kind, document, origin);
}

Result<const nlohmann::json*> TableSet::select(const nlohmann::json& input, const char* kind) const {
  ECOLEDGER_TRY(ref, requested(input, kind));
  const nlohmann::json* chosen = nullptr;
  std::set<std::string> ids;
  for (const auto& [key, table] : tables_) {
    const auto& [k, id, version] = key;
    if (k != kind) continue;
    ids.insert(id);
    if (!ref->id.empty() && id != ref->id) continue;
    if (ref->version != 0 && version != ref->version) continue;
    chosen = &table;  // ordered by version: the last match is the highest
  }
  if (ref->id.empty() && ids.size() > 1) {
    std::string list;
    for (const auto& id : ids) list += (list.empty() ? "" : ", ") + id;
    return fail("table_ambiguous", std::string("several ") + kind + " tables (" + list + "); name one in the input's \"tables\"");
  }
  if (chosen == nullptr) {
    std::string wanted = ref->id.empty() ? std::string("any") : ref->id + (ref->version ? " v" + std::to_string(ref->version) : "");
    return fail("table_missing", std::string("no ") + kind + " table " + wanted + " among the tables given");
  }
  return chosen;
}

Result<MethodologyTable> TableSet::methodology(const nlohmann::json& input) const {
  ECOLEDGER_TRY(table, select(input, table_kind_methodology));
  const nlohmann::json& t = **table;
  return methodology_from_json(t["id"].get<std::string>(), t["version"].get<std::int64_t>(), t["params"]);
}

Result<GepPriceTable> TableSet::gep_prices(const nlohmann::json& input) const {
  ECOLEDGER_TRY(table, select(input, table_kind_gep_prices));
  return gep_price_table_from_json(**table);
}

Result<CollateralTable> TableSet::collateral(const nlohmann::json& input) const {
  ECOLEDGER_TRY(table, select(input, table_kind_collateral));
  return collateral_table_from_json(**table);
}

Result<std::vector<StressScenario>> TableSet::collateral_scenarios(const nlohmann::json& input) const {
  ECOLEDGER_TRY(table, select(input, table_kind_collateral));
  if (!(*table)->contains("stress_scenarios"))
    return fail("table_missing", "collateral table " + (**table)["id"].get<std::string>() + " has no \"stress_scenarios\"");
  return stress_scenarios_from_json(**table);
}

Result<BenchmarkTable> TableSet::grade_benchmarks(const nlohmann::json& input) const {
  ECOLEDGER_TRY(table, select(input, table_kind_grade_benchmarks));
  return benchmark_table_from_json(**table);
}

Result<RateTable> TableSet::grade_rates(const nlohmann::json& input) const {
  ECOLEDGER_TRY(table, select(input, table_kind_grade_rates));
  return rate_table_from_json(**table);
}

std::vector<TableRef> TableSet::list() const {
  std::vector<TableRef> out;
  for (const auto& [key, unused] : tables_) out.push_back(TableRef{std::get<0>(key), std::get<1>(key), std::get<2>(key)});
  return out;
}

}  // namespace ecoledger::valuation
