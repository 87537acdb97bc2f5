#include "node/status.h"

#include <array>
#include <string_view>

namespace ecoledger::node {
namespace {

constexpr std::array<std::string_view, 20> bad_request = {
    "bad_json", "bad_tx", "missing_field", "wrong_type", "wrong_ledger", "bad_base64", "bad_signature_encoding",
    "bad_key", "bad_signature", "bad_quantity", "bad_date", "period_invalid", "plot_duplicate", "species_unknown",
    "bad_input", "bad_request", "bad_path", "bad_query", "unsupported_media_type", "proof_range"};

constexpr std::array<std::string_view, 17> conflict = {
    "id_reused", "account_exists", "units_pledged", "units_frozen", "units_retired", "insufficient_free_units",
    "not_holder", "right_expired", "serial_exists", "plot_period_issued", "pledge_exists", "pledge_closed",
    "not_matured", "case_closed", "quantity_mismatch", "methodology_exists", "methodology_unknown"};

// Valuation (/v1/valuations, docs/VALUATION.md): a bad input is 400; what
// the ledger or the tables lack for it (no price yet, no such table) is 409.
constexpr std::array<std::string_view, 4> valuation_bad_request = {"method_unknown", "industry_unknown", "loan_unknown",
                                                                   "pledge_duplicate"};
constexpr std::array<std::string_view, 5> valuation_conflict = {"price_missing", "table_missing", "table_ambiguous",
                                                                "asset_class_unknown", "grade_unpriced"};

bool one_of(std::string_view code, auto const& list) {
  for (std::string_view c : list)
    if (c == code) return true;
  return false;
}

}  // namespace

unsigned http_status_for(std::string_view code) {
  if (one_of(code, bad_request) || one_of(code, valuation_bad_request) || code.starts_with("json_") || code.starts_with("growth_"))
    return 400;
  if (code == "unauthorized") return 401;
  if (code == "not_authorized" || code == "unknown_key" || code == "forbidden") return 403;
  if (code == "not_found" || code.starts_with("unknown_")) return 404;
  if (code == "method_not_allowed") return 405;
  if (one_of(code, conflict) || one_of(code, valuation_conflict)) return 409;
  if (code == "too_large") return 413;
  if (code == "overloaded") return 429;
  if (code == "shutting_down" || code == "storage_unavailable" || code == "tables_unavailable") return 503;
  return 500;
}

}  // namespace ecoledger::node
