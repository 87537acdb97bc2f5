#include "valuation/collateral.h"

#include <algorithm>
#include <set>

#include "valuation/arith.h"
#include "valuation/csv.h"

namespace ecoledger::valuation {
namespace {

struct Shock {
  const StressScenario* scenario = nullptr;
};

std::int64_t shocked_price(std::int64_t price_fen, const std::string& asset_class, Shock shock) {
  if (shock.scenario == nullptr) return price_fen;
  const auto& s = *shock.scenario;
  if (std::find(s.zeroed_classes.begin(), s.zeroed_classes.end(), asset_class) != s.zeroed_classes.end()) return 0;
  auto it = s.price_shock_permille.find(asset_class);
  if (it == s.price_shock_permille.end()) return price_fen;
  return static_cast<std::int64_t>(divide_round_half_even(Int128{price_fen} * (1000 + it->second), 1000));
}

std::string coverage_status(std::int64_t coverage_permille, const CollateralTable& table) {
  if (coverage_permille < table.liquidation_coverage_permille) return "liquidation";
  if (coverage_permille < table.warning_coverage_permille) return "warning";
  return "ok";
}

int status_rank(const std::string& status) { return status == "ok" ? 0 : status == "warning" ? 1 : 2; }

const PriceRecord* latest_price(const PledgeBook& book, const Pledge& pledge, std::int64_t valuation_days) {
  const PriceRecord* best = nullptr;
  std::int64_t best_days = 0;
  for (const auto& price : book.prices) {
    if (price.asset_class != pledge.asset_class || price.instrument != pledge.instrument) continue;
    auto days = parse_date_days(price.date);
    if (!days || *days > valuation_days) continue;  // dates were validated on the way in
    if (best == nullptr || *days > best_days || (*days == best_days && price.seq > best->seq)) {
      best = &price;
      best_days = *days;
    }
  }
  return best;
}

Result<PledgeReport> value_book(const PledgeBook& book, const CollateralTable& table, Shock shock) {
  ECOLEDGER_TRY(valuation_days, parse_date_days(book.valuation_date));
  for (const auto& price : book.prices) {
    ECOLEDGER_TRY(days, parse_date_days(price.date));
    if (price.price_fen < 0 || price.price_fen > limits::price_fen_max)
      return fail("bad_input", "price record " + std::to_string(price.seq) + ": price out of range");
  }
  PledgeReport report{book.valuation_date, table.id, table.version, {}, {}};
  std::map<std::string, std::int64_t> collateral_by_loan;
  std::map<std::string, std::int64_t> principal_by_loan;
  for (const auto& loan : book.loans) {
    if (loan.principal_fen <= 0) return fail("bad_input", "loan \"" + loan.id + "\": principal must be positive");
    if (!principal_by_loan.emplace(loan.id, loan.principal_fen).second) return fail("bad_input", "loan \"" + loan.id + "\" listed twice");
    collateral_by_loan[loan.id] = 0;
  }
  std::set<std::string> seen;
  for (const auto& pledge : book.pledges) {
    const std::string where = "pledge \"" + pledge.id + "\": ";
    if (!seen.insert(pledge.id).second) return fail("pledge_duplicate", where + "listed twice");
    if (!principal_by_loan.contains(pledge.loan_id)) return fail("loan_unknown", where + "loan \"" + pledge.loan_id + "\" not in book");
    if (pledge.quantity_kg < 0 || pledge.quantity_kg > limits::quantity_kg_max) return fail("bad_input", where + "quantity out of range");
    auto haircut = table.haircut_permille.find(pledge.asset_class);
    if (haircut == table.haircut_permille.end())
      return fail("asset_class_unknown", where + "no haircut for \"" + pledge.asset_class + "\" in " + table.id);
    const PriceRecord* price = latest_price(book, pledge, *valuation_days);
    if (price == nullptr)
      return fail("price_missing", where + "no " + pledge.asset_class + "/" + pledge.instrument + " price at or before " + book.valuation_date);
    const std::int64_t price_fen = shocked_price(price->price_fen, pledge.asset_class, shock);
    Int128 numerator = Int128{pledge.quantity_kg} * price_fen;
    Int128 denominator = 1000;
    std::int64_t remaining_days = 0;
    if (pledge.asset_class == "PRT") {
      ECOLEDGER_TRY(expires_days, parse_date_days(pledge.expires));
      // The expiry day itself is still valid, so a right expiring on the
      // valuation date has one day left.
      remaining_days = std::max<std::int64_t>(0, *expires_days - *valuation_days + 1);
      if (shock.scenario != nullptr) remaining_days = std::max<std::int64_t>(0, remaining_days - shock.scenario->prt_term_shock_days);
      numerator *= remaining_days;
      denominator *= limits::prt_days_per_year;
    }
    PledgeValuation v{pledge.id, pledge.loan_id, pledge.asset_class, pledge.instrument, pledge.quantity_kg, price_fen, price->seq,
                      remaining_days, 0, haircut->second, 0};
    ECOLEDGER_TRY(market, narrow_int64(divide_round_half_even(numerator, denominator), "market value"));
    ECOLEDGER_TRY(collateral, narrow_int64(divide_round_half_even(numerator * (1000 - haircut->second), denominator * 1000), "collateral value"));
    v.market_value_fen = *market;
    v.collateral_value_fen = *collateral;
    collateral_by_loan[pledge.loan_id] += *collateral;
    report.pledges.push_back(std::move(v));
  }
  for (const auto& loan : book.loans) {
    const std::int64_t collateral = collateral_by_loan[loan.id];
    const auto coverage = static_cast<std::int64_t>(Int128{collateral} * 1000 / loan.principal_fen);
    report.loans.push_back(LoanCoverage{loan.id, loan.principal_fen, collateral, coverage, coverage_status(coverage, table)});
  }
  return report;
}

Result<std::int64_t> permille_field(const nlohmann::json& object, const char* field, std::int64_t low, std::int64_t high) {
  ECOLEDGER_TRY(value, input_int(object, field));
  if (*value < low || *value > high) return fail("bad_input", std::string("field \"") + field + "\" out of range");
  return *value;
}

}  // namespace

Result<CollateralTable> collateral_table_from_json(const nlohmann::json& document) {
  ECOLEDGER_TRY(id, input_string(document, "id"));
  ECOLEDGER_TRY(version, input_int(document, "version"));
  auto params = document.find("params");
  if (params == document.end() || !params->is_object()) return fail("bad_input", "collateral table needs object \"params\"");
  CollateralTable table{*id, *version, {}, 0, 0};
  auto haircuts = params->find("haircut_permille");
  if (haircuts == params->end() || !haircuts->is_object()) return fail("bad_input", "missing object \"haircut_permille\"");
  for (const auto& [asset_class, unused] : haircuts->items()) {
    ECOLEDGER_TRY(h, permille_field(*haircuts, asset_class.c_str(), 0, 1000));
    table.haircut_permille[asset_class] = *h;
  }
  ECOLEDGER_TRY(warning, permille_field(*params, "warning_coverage_permille", 0, 1'000'000));
  ECOLEDGER_TRY(liquidation, permille_field(*params, "liquidation_coverage_permille", 0, 1'000'000));
  if (*liquidation > *warning) return fail("bad_input", "liquidation threshold above warning threshold");
  table.warning_coverage_permille = *warning;
  table.liquidation_coverage_permille = *liquidation;
  return table;
}

Result<std::vector<StressScenario>> stress_scenarios_from_json(const nlohmann::json& document) {
  auto list = document.is_object() ? document.find("stress_scenarios") : document.end();
  if (!document.is_object() || list == document.end() || !list->is_array()) return fail("bad_input", "missing array \"stress_scenarios\"");
  if (list->size() > limits::stress_scenarios_max) return fail("bad_input", "too many stress scenarios");
  std::vector<StressScenario> scenarios;
  for (const auto& item : *list) {
    StressScenario s;
    ECOLEDGER_TRY(name, input_string(item, "name"));
    s.name = *name;
    if (auto shocks = item.find("price_shock_permille"); shocks != item.end()) {
      if (!shocks->is_object()) return fail("bad_input", "price_shock_permille must be an object");
      for (const auto& [asset_class, unused] : shocks->items()) {
        ECOLEDGER_TRY(shock, permille_field(*shocks, asset_class.c_str(), -1000, 10'000));
        s.price_shock_permille[asset_class] = *shock;
      }
    }
    if (item.contains("prt_term_shock_days")) {
      ECOLEDGER_TRY(days, permille_field(item, "prt_term_shock_days", 0, 100'000));
      s.prt_term_shock_days = *days;
    }
    if (auto zeroed = item.find("zeroed_classes"); zeroed != item.end()) {
      if (!zeroed->is_array()) return fail("bad_input", "zeroed_classes must be an array");
      for (const auto& c : *zeroed) {
        if (!c.is_string()) return fail("bad_input", "zeroed_classes holds strings");
        s.zeroed_classes.push_back(c.get<std::string>());
      }
    }
    scenarios.push_back(std::move(s));
  }
  return scenarios;
}

Result<PledgeBook> pledge_book_from_json(const nlohmann::json& document) {
  PledgeBook book;
  ECOLEDGER_TRY(date, input_string(document, "valuation_date"));
  book.valuation_date = *date;
  auto array = [&](const char* name) -> Result<const nlohmann::json*> {
    auto it = document.find(name);
    if (it == document.end() || !it->is_array()) return fail("bad_input", std::string("missing array \"") + name + "\"");
    return &*it;
  };
  ECOLEDGER_TRY(loans, array("loans"));
  ECOLEDGER_TRY(pledges, array("pledges"));
  ECOLEDGER_TRY(prices, array("prices"));
  if ((*loans)->size() > limits::book_loans_max || (*pledges)->size() > limits::book_pledges_max ||
      (*prices)->size() > limits::book_prices_max)
    return fail("bad_input", "pledge book too large");
  for (const auto& item : **loans) {
    ECOLEDGER_TRY(id, input_string(item, "id"));
    ECOLEDGER_TRY(principal, input_int(item, "principal_fen"));
    book.loans.push_back(Loan{*id, *principal});
  }
  for (const auto& item : **pledges) {
    ECOLEDGER_TRY(id, input_string(item, "id"));
    ECOLEDGER_TRY(loan, input_string(item, "loan_id"));
    ECOLEDGER_TRY(asset_class, input_string(item, "asset_class"));
    ECOLEDGER_TRY(instrument, input_string(item, "instrument"));
    ECOLEDGER_TRY(quantity, input_int(item, "quantity_kg"));
    std::string expires;
    if (item.contains("expires")) {
      ECOLEDGER_TRY(e, input_string(item, "expires"));
      expires = *e;
    }
    book.pledges.push_back(Pledge{*id, *loan, *asset_class, *instrument, *quantity, expires});
  }
  for (const auto& item : **prices) {
    ECOLEDGER_TRY(seq, input_int(item, "seq"));
    ECOLEDGER_TRY(asset_class, input_string(item, "asset_class"));
    ECOLEDGER_TRY(instrument, input_string(item, "instrument"));
    ECOLEDGER_TRY(price_date, input_string(item, "date"));
    ECOLEDGER_TRY(price, input_int(item, "price_fen"));
    book.prices.push_back(PriceRecord{*seq, *asset_class, *instrument, *price_date, *price});
  }
  return book;
}

Result<PledgeReport> value_pledge_book(const PledgeBook& book, const CollateralTable& table) {
  return value_book(book, table, Shock{});
}

Result<StressReport> stress_test(const PledgeBook& book, const CollateralTable& table, const std::vector<StressScenario>& scenarios) {
  if (scenarios.size() > limits::stress_scenarios_max) return fail("bad_input", "too many stress scenarios");
  ECOLEDGER_TRY(baseline, value_book(book, table, Shock{}));
  StressReport report{*baseline, {}};
  for (const auto& scenario : scenarios) {
    ECOLEDGER_TRY(shocked, value_book(book, table, Shock{&scenario}));
    StressOutcome outcome{scenario.name, {}, 0};
    for (std::size_t i = 0; i < baseline->loans.size(); ++i) {
      const auto& before = baseline->loans[i];
      const auto& after = shocked->loans[i];
      bool breach = status_rank(after.status) > status_rank(before.status);
      outcome.breaches += breach ? 1 : 0;
      outcome.loans.push_back(StressLoan{before.loan_id, before.coverage_permille, after.coverage_permille, before.status, after.status, breach});
    }
    report.scenarios.push_back(std::move(outcome));
  }
  return report;
}

nlohmann::json pledge_report_to_json(const PledgeReport& report) {
  nlohmann::json pledges = nlohmann::json::array();
  for (const auto& p : report.pledges)
    pledges.push_back({{"pledge_id", p.pledge_id}, {"loan_id", p.loan_id}, {"asset_class", p.asset_class},
                       {"instrument", p.instrument}, {"quantity_kg", p.quantity_kg}, {"price_fen", p.price_fen},
                       {"price_seq", p.price_seq}, {"remaining_days", p.remaining_days},
                       {"market_value_fen", p.market_value_fen}, {"haircut_permille", p.haircut_permille},
                       {"collateral_value_fen", p.collateral_value_fen}});
  nlohmann::json loans = nlohmann::json::array();
  for (const auto& l : report.loans)
    loans.push_back({{"loan_id", l.loan_id}, {"principal_fen", l.principal_fen},
                     {"collateral_value_fen", l.collateral_value_fen}, {"coverage_permille", l.coverage_permille},
                     {"status", l.status}});
  return {{"valuation_date", report.valuation_date},
          {"tables", {{"collateral", {{"id", report.table_id}, {"version", report.table_version}}}}},
          {"pledges", std::move(pledges)},
          {"loans", std::move(loans)}};
}

nlohmann::json stress_report_to_json(const StressReport& report) {
  nlohmann::json scenarios = nlohmann::json::array();
  for (const auto& s : report.scenarios) {
    nlohmann::json loans = nlohmann::json::array();
    for (const auto& l : s.loans)
      loans.push_back({{"loan_id", l.loan_id}, {"coverage_before_permille", l.coverage_before_permille},
                       {"coverage_after_permille", l.coverage_after_permille}, {"status_before", l.status_before},
                       {"status_after", l.status_after}, {"breach", l.breach}});
    scenarios.push_back({{"name", s.name}, {"breaches", s.breaches}, {"loans", std::move(loans)}});
  }
  return {{"baseline", pledge_report_to_json(report.baseline)}, {"scenarios", std::move(scenarios)}};
}

std::string pledge_report_to_csv(const PledgeReport& report) {
  std::string out =
      "row,loan_id,pledge_id,asset_class,instrument,quantity_kg,price_fen,price_seq,remaining_days,market_value_fen,"
      "haircut_permille,collateral_value_fen,principal_fen,coverage_permille,status\n";
  auto n = [](std::int64_t x) { return std::to_string(x); };
  for (const auto& p : report.pledges)
    out += "pledge," + csv_field(p.loan_id) + "," + csv_field(p.pledge_id) + "," + csv_field(p.asset_class) + "," +
           csv_field(p.instrument) + "," + n(p.quantity_kg) + "," + n(p.price_fen) + "," + n(p.price_seq) + "," +
           n(p.remaining_days) + "," + n(p.market_value_fen) + "," + n(p.haircut_permille) + "," +
           n(p.collateral_value_fen) + ",,,\n";
  for (const auto& l : report.loans)
    out += "loan," + csv_field(l.loan_id) + ",,,,,,,,,," + n(l.collateral_value_fen) + "," + n(l.principal_fen) + "," +
           n(l.coverage_permille) + "," + csv_field(l.status) + "\n";
  return out;
}

std::string stress_report_to_csv(const StressReport& report) {
  std::string out = "scenario,loan_id,coverage_before_permille,coverage_after_permille,status_before,status_after,breach\n";
  for (const auto& s : report.scenarios)
    for (const auto& l : s.loans)
      out += csv_field(s.name) + "," + csv_field(l.loan_id) + "," + std::to_string(l.coverage_before_permille) + "," +
             std::to_string(l.coverage_after_permille) + "," + csv_field(l.status_before) + "," + csv_field(l.status_after) +
             "," + (l.breach ? "true" : "false") + "\n";
  return out;
}

}  // namespace ecoledger::valuation
