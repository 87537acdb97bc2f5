#include "valuation/collateral.h"

#include <doctest/doctest.h>

#include <fstream>
#include <sstream>

namespace v = ecoledger::valuation;

namespace {

nlohmann::json load_table_doc() {
  std::ifstream in(std::string(ECOLEDGER_SOURCE_DIR) + "/valuation/data/collateral_default.json");
  std::stringstream s;
  s << in.rdbuf();
  return nlohmann::json::parse(s.str(), nullptr, false);
}

v::CollateralTable default_table() {
  auto t = v::collateral_table_from_json(load_table_doc());
  REQUIRE(t);
  return *t;
}

// L1: the Sanming 金森 line (500万元 on 18,294 t of tickets at 10 元/t).
// L2: 400,000 元 on the 2014 Fujian first-session SO2 lot (485.2 t/yr).
v::PledgeBook sample_book() {
  v::PledgeBook book;
  book.valuation_date = "2025-06-30";
  book.loans = {{"L1", 500'000'000}, {"L2", 40'000'000}};
  book.pledges = {{"P1", "L2", "PRT", "SO2", 485'200, "2026-06-29"},
                  {"P2", "L1", "FCT", "SMCER", 18'294'000, ""}};
  book.prices = {{10, "PRT", "SO2", "2025-01-01", 100'000},
                 {11, "PRT", "SO2", "2025-03-01", 141'900},
                 {12, "PRT", "SO2", "2025-07-01", 999'999},  // after the valuation date
                 {20, "FCT", "SMCER", "2021-05-18", 1'500},
                 {21, "FCT", "SMCER", "2021-05-18", 1'000}};  // same day: higher seq wins
  return book;
}

std::string refusal(const v::PledgeBook& book) {
  auto r = v::value_pledge_book(book, default_table());
  return r ? std::string("accepted") : r.error().code;
}

}  // namespace

TEST_CASE("collateral: mark-to-market, haircut and coverage of the sample book") {
  auto r = v::value_pledge_book(sample_book(), default_table());
  REQUIRE(r);
  REQUIRE(r->pledges.size() == 2);
  const auto& prt = r->pledges[0];
  CHECK(prt.price_seq == 11);
  CHECK(prt.remaining_days == 365);
  CHECK(prt.market_value_fen == 68'849'880);      // 485.2 t × 1,419 元 × 365/365
  CHECK(prt.collateral_value_fen == 55'079'904);  // × (1 − 0.200)
  const auto& fct = r->pledges[1];
  CHECK(fct.price_seq == 21);
  CHECK(fct.market_value_fen == 18'294'000);      // 18,294 t × 10 元
  CHECK(fct.collateral_value_fen == 7'317'600);   // × (1 − 0.600)
  CHECK(r->loans[0].coverage_permille == 14);
  CHECK(r->loans[0].status == "liquidation");
  CHECK(r->loans[1].coverage_permille == 1376);
  CHECK(r->loans[1].status == "ok");
  auto j = v::pledge_report_to_json(*r);
  CHECK(j["tables"]["collateral"]["id"] == "collateral-haircuts-default");
  CHECK(j["tables"]["collateral"]["version"] == 1);
  CHECK(j.dump() == v::pledge_report_to_json(*v::value_pledge_book(sample_book(), default_table())).dump());
}

TEST_CASE("collateral: PRT value is pro rata over remaining days") {
  auto book = sample_book();
  book.pledges[0].expires = "2025-12-31";  // 185 days left
  auto r = v::value_pledge_book(book, default_table());
  REQUIRE(r);
  CHECK(r->pledges[0].remaining_days == 185);
  CHECK(r->pledges[0].market_value_fen == 34'896'515);  // 68,849,880 × 185/365 = 34,896,515.07
  book.pledges[0].expires = "2025-06-30";
  CHECK(v::value_pledge_book(book, default_table())->pledges[0].remaining_days == 1);
  book.pledges[0].expires = "2025-06-01";
  r = v::value_pledge_book(book, default_table());
  CHECK(r->pledges[0].remaining_days == 0);
  CHECK(r->pledges[0].market_value_fen == 0);
}

TEST_CASE("collateral: monotone in price and quantity") {
  std::int64_t previous = -1;
  for (std::int64_t price = 0; price <= 20'000; price += 997) {
    auto book = sample_book();
    book.prices[4].price_fen = price;
    auto r = v::value_pledge_book(book, default_table());
    REQUIRE(r);
    CHECK(r->pledges[1].collateral_value_fen >= previous);
    previous = r->pledges[1].collateral_value_fen;
  }
  previous = -1;
  for (std::int64_t q = 0; q <= 10'000'000; q += 333'331) {
    auto book = sample_book();
    book.pledges[0].quantity_kg = q;
    auto r = v::value_pledge_book(book, default_table());
    REQUIRE(r);
    CHECK(r->pledges[0].collateral_value_fen >= previous);
    previous = r->pledges[0].collateral_value_fen;
  }
}

TEST_CASE("collateral: stress scenarios from the default table") {
  auto scenarios = v::stress_scenarios_from_json(load_table_doc());
  REQUIRE(scenarios);
  REQUIRE(scenarios->size() == 6);
  auto r = v::stress_test(sample_book(), default_table(), *scenarios);
  REQUIRE(r);
  const auto& minus10 = r->scenarios[0];
  CHECK(minus10.name == "price_-10pct");
  // SO2 141,900 → 127,710 fen; collateral 49,571,914 fen → 1239‰ < 1300‰.
  CHECK(minus10.loans[1].coverage_after_permille == 1239);
  CHECK(minus10.loans[1].status_after == "warning");
  CHECK(minus10.loans[1].breach);
  CHECK(minus10.breaches == 1);  // L1 was already in liquidation: no new breach
  const auto& ets = r->scenarios[3];  // carbon classes only
  CHECK(ets.loans[1].coverage_after_permille == 1376);
  CHECK(ets.loans[0].coverage_after_permille == 8);
  const auto& term = r->scenarios[4];  // one year cut from 365 days left
  CHECK(term.loans[1].coverage_after_permille == 0);
  CHECK(term.loans[1].status_after == "liquidation");
  const auto& policy = r->scenarios[5];
  CHECK(policy.loans[0].coverage_after_permille == 0);
  CHECK(policy.loans[1].coverage_after_permille == 1376);
  CHECK(v::stress_report_to_json(*r).dump() ==
        v::stress_report_to_json(*v::stress_test(sample_book(), default_table(), *scenarios)).dump());
}

TEST_CASE("collateral: refusals carry their stable code") {
  CHECK(refusal(sample_book()) == "accepted");
  auto b = sample_book();
  b.prices.erase(b.prices.begin() + 3, b.prices.end());
  CHECK(refusal(b) == "price_missing");
  b = sample_book();
  b.valuation_date = "2020-01-01";  // before every price
  CHECK(refusal(b) == "price_missing");
  b = sample_book();
  b.pledges[1].asset_class = "GOLD";
  CHECK(refusal(b) == "asset_class_unknown");
  b = sample_book();
  b.pledges[1].loan_id = "L9";
  CHECK(refusal(b) == "loan_unknown");
  b = sample_book();
  b.pledges.push_back(b.pledges[0]);
  CHECK(refusal(b) == "pledge_duplicate");
  b = sample_book();
  b.valuation_date = "2025-02-30";
  CHECK(refusal(b) == "period_invalid");
  b = sample_book();
  b.pledges[0].expires = "";
  CHECK(refusal(b) == "period_invalid");
  b = sample_book();
  b.loans[0].principal_fen = 0;
  CHECK(refusal(b) == "bad_input");
  b = sample_book();
  b.pledges[0].quantity_kg = -1;
  CHECK(refusal(b) == "bad_input");
  b = sample_book();
  b.prices[0].price_fen = -5;
  CHECK(refusal(b) == "bad_input");
}

TEST_CASE("collateral: JSON decoding of book and table") {
  auto book = v::pledge_book_from_json(nlohmann::json::parse(R"({"valuation_date":"2025-06-30",
    "loans":[{"id":"L","principal_fen":100}],
    "pledges":[{"id":"P","loan_id":"L","asset_class":"CEA","instrument":"CEA","quantity_kg":1000}],
    "prices":[{"seq":1,"asset_class":"CEA","instrument":"CEA","date":"2025-06-01","price_fen":6000}]})"));
  REQUIRE(book);
  auto r = v::value_pledge_book(*book, default_table());
  REQUIRE(r);
  CHECK(r->pledges[0].market_value_fen == 6000);
  CHECK(r->loans[0].coverage_permille == 36000);
  for (const char* text : {R"({})", R"({"valuation_date":"2025-06-30","loans":[],"pledges":[]})",
                           R"({"valuation_date":"2025-06-30","loans":[{"id":"L"}],"pledges":[],"prices":[]})"}) {
    auto bad = v::pledge_book_from_json(nlohmann::json::parse(text));
    CHECK_MESSAGE(!bad, text);
  }
  auto bad_table = nlohmann::json::parse(R"({"id":"t","version":1,"params":{"haircut_permille":{"FCT":1200},
    "warning_coverage_permille":1300,"liquidation_coverage_permille":1100}})");
  CHECK(!v::collateral_table_from_json(bad_table));
  auto inverted = nlohmann::json::parse(R"({"id":"t","version":1,"params":{"haircut_permille":{},
    "warning_coverage_permille":1000,"liquidation_coverage_permille":1100}})");
  CHECK(!v::collateral_table_from_json(inverted));
}
