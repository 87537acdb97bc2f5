// Collateral valuation for banks: mark-to-market of pledged ecological
// assets, coverage of each loan against a published haircut/threshold table,
// and stress tests of a whole pledge book (docs/VALUATION.md §3).
//
// Units: quantities in kg (PRT: kg per year), prices in fen per tonne (PRT:
// fen per tonne-year), money in fen. Every division rounds half-even once.
//   market_value_fen     = q_kg × price / 1000                     (non-PRT)
//                        = q_kg × price × remaining_days / (1000 × 365)  (PRT)
//   collateral_value_fen = same numerator × (1000 − haircut_permille) / 1000
//   coverage_permille    = floor(Σ collateral_value × 1000 / principal)
// The price used is the record of the pledge's asset class and instrument
// with the latest date at or before the valuation date (ties: highest seq).
// Refusal codes: bad_input, period_invalid, price_missing, asset_class_unknown,
// loan_unknown, pledge_duplicate.
// Thread-safety: pure functions over values.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/result.h"

namespace ecoledger::valuation {

namespace limits {
inline constexpr std::size_t book_loans_max = 100'000;
inline constexpr std::size_t book_pledges_max = 100'000;
inline constexpr std::size_t book_prices_max = 1'000'000;
inline constexpr std::size_t stress_scenarios_max = 64;
inline constexpr std::int64_t quantity_kg_max = 1'000'000'000'000'000;  // 10^12 t
inline constexpr std::int64_t price_fen_max = 1'000'000'000'000;
inline constexpr std::int64_t prt_days_per_year = 365;
}  // namespace limits

struct CollateralTable {
  std::string id;
  std::int64_t version;
  std::map<std::string, std::int64_t> haircut_permille;  // by asset class
  std::int64_t warning_coverage_permille;
  std::int64_t liquidation_coverage_permille;
};

struct StressScenario {
  std::string name;
  std::map<std::string, std::int64_t> price_shock_permille;  // by asset class, >= -1000
  std::int64_t prt_term_shock_days = 0;                      // remaining PRT term cut by this
  std::vector<std::string> zeroed_classes;                   // policy shock: price to zero
};

// {"id","version","params":{"haircut_permille":{CLASS:n},"warning_coverage_permille":n,
//  "liquidation_coverage_permille":n}} ; other members ignored.
Result<CollateralTable> collateral_table_from_json(const nlohmann::json& document);
// {"stress_scenarios":[{"name","price_shock_permille":{..},"prt_term_shock_days","zeroed_classes":[..]}]}
Result<std::vector<StressScenario>> stress_scenarios_from_json(const nlohmann::json& document);

struct PriceRecord {
  std::int64_t seq;  // ledger record seq of the price.publish
  std::string asset_class, instrument, date;
  std::int64_t price_fen;
};

struct Pledge {
  std::string id, loan_id, asset_class, instrument;
  std::int64_t quantity_kg;
  std::string expires;  // PRT only: last valid day, "YYYY-MM-DD"
};

struct Loan {
  std::string id;
  std::int64_t principal_fen;
};

struct PledgeBook {
  std::string valuation_date;
  std::vector<Loan> loans;
  std::vector<Pledge> pledges;
  std::vector<PriceRecord> prices;
};

Result<PledgeBook> pledge_book_from_json(const nlohmann::json& document);

struct PledgeValuation {
  std::string pledge_id, loan_id, asset_class, instrument;
  std::int64_t quantity_kg, price_fen, price_seq, remaining_days, market_value_fen, haircut_permille,
      collateral_value_fen;
};

struct LoanCoverage {
  std::string loan_id;
  std::int64_t principal_fen, collateral_value_fen, coverage_permille;
  std::string status;  // "ok", "warning", "liquidation"
};

struct PledgeReport {
  std::string valuation_date, table_id;
  std::int64_t table_version;
  std::vector<PledgeValuation> pledges;
  std::vector<LoanCoverage> loans;
};

Result<PledgeReport> value_pledge_book(const PledgeBook& book, const CollateralTable& table);
nlohmann::json pledge_report_to_json(const PledgeReport& report);
// Header "row,loan_id,pledge_id,asset_class,instrument,quantity_kg,price_fen,price_seq,remaining_days,
// market_value_fen,haircut_permille,collateral_value_fen,principal_fen,coverage_permille,status";
// one "pledge" row per pledge, then one "loan" row per loan (pledge columns empty).
std::string pledge_report_to_csv(const PledgeReport& report);

struct StressLoan {
  std::string loan_id;
  std::int64_t coverage_before_permille, coverage_after_permille;
  std::string status_before, status_after;
  bool breach;  // status worse after the shock
};

struct StressOutcome {
  std::string name;
  std::vector<StressLoan> loans;
  std::int64_t breaches;
};

struct StressReport {
  PledgeReport baseline;
  std::vector<StressOutcome> scenarios;
};

Result<StressReport> stress_test(const PledgeBook& book, const CollateralTable& table,
                                 const std::vector<StressScenario>& scenarios);
nlohmann::json stress_report_to_json(const StressReport& report);
// Header "scenario,loan_id,coverage_before_permille,coverage_after_permille,status_before,status_after,breach";
// one row per scenario and loan, scenarios in their given order.
std::string stress_report_to_csv(const StressReport& report);

}  // namespace ecoledger::valuation
