// A lot's stored value is written and read without a Json tree on the
// commit path (Lot::to_canonical, parse_lot's flat reader). These cases pin
// that both are byte for byte and field for field what the Json path gives,
// so the state, and every hash an auditor compares, is unchanged.
#include <doctest/doctest.h>

#include <random>

#include "base/json.h"
#include "ledger/lot.h"

namespace ledger = ecoledger::ledger;
namespace json = ecoledger::json;

namespace {

bool same_lot(const ledger::Lot& a, const ledger::Lot& b) {
  return a.serial == b.serial && a.asset == b.asset && a.holder == b.holder && a.first == b.first && a.last == b.last &&
         a.status == b.status && a.pledge == b.pledge && a.freeze_case == b.freeze_case && a.valid_to == b.valid_to &&
         a.since == b.since;
}

ledger::Lot random_lot(std::mt19937_64& rng) {
  auto pick = [&](std::uint64_t n) { return static_cast<std::int64_t>(rng() % n); };
  static const char* assets[] = {"FCT", "PRT", "CSC"};
  static const ledger::LotStatus statuses[] = {ledger::LotStatus::free, ledger::LotStatus::pledged, ledger::LotStatus::frozen,
                                               ledger::LotStatus::retired};
  ledger::Lot lot;
  lot.asset = assets[pick(3)];
  lot.serial = lot.asset + "-350428-2021-" + std::to_string(pick(1'000'000));
  lot.holder = "acct-" + std::to_string(pick(10'000));
  lot.first = 1 + pick(json::json_integer_abs_max / 2);
  lot.last = lot.first + pick(1'000'000'000);
  lot.status = statuses[pick(4)];
  if (lot.status == ledger::LotStatus::pledged) lot.pledge = "PL-" + std::to_string(pick(1000));
  if (lot.status == ledger::LotStatus::frozen) lot.freeze_case = "(2026)闽0402执" + std::to_string(pick(1000)) + "号";
  if (lot.asset == "PRT" && pick(2) == 0) lot.valid_to = "2027-12-31";
  lot.since = static_cast<std::uint64_t>(pick(5'000'000));
  return lot;
}

}  // namespace

TEST_CASE("a lot's stored value is canonical() of its Json, and reads back to the same lot") {
  std::mt19937_64 rng(7);
  for (int i = 0; i < 2000; ++i) {
    ledger::Lot lot = random_lot(rng);
    const std::string stored = lot.to_canonical();
    REQUIRE(stored == json::canonical(lot.to_json()));
    auto back = ledger::parse_lot(stored);
    REQUIRE(back.has_value());
    CHECK(same_lot(*back, lot));
    // The Json path on the same bytes gives the same lot.
    auto slow = ledger::Lot::from_json(json::Json::parse(stored));
    REQUIRE(slow.has_value());
    CHECK(same_lot(*slow, lot));
  }
}

TEST_CASE("a lot value in any other form is read by the Json path, with the same answers") {
  ledger::Lot lot;
  lot.serial = "PRT-350100-2025-000007";
  lot.asset = "PRT";
  lot.holder = "xm-paper";
  lot.first = 11;
  lot.last = 40;
  lot.valid_to = "2026-12-31";
  lot.since = 12;
  // Whitespace, an escape and key order other than canonical: still the same lot.
  auto spaced = ledger::parse_lot(
      R"({ "status": "free", "serial": "PRT-350100-2025-000007", "asset": "PRT", "holder": "xm\u002dpaper",
           "first": 11, "last": 40, "since": 12, "valid_to": "2026-12-31" })");
  REQUIRE(spaced.has_value());
  CHECK(same_lot(*spaced, lot));
  // Damage is refused the same way on both paths.
  for (const char* damaged : {R"({"serial":"S","status":"lent"})", R"({"serial":"S"})", R"({"serial":"S","status":7})",
                              R"({"serial":"S","status":"free")", "not json"}) {
    CAPTURE(damaged);
    auto parsed = ledger::parse_lot(damaged);
    REQUIRE_FALSE(parsed.has_value());
    CHECK(parsed.error().code == "corruption");
  }
}

TEST_CASE("a lot id names one key, by serial and last unit; anything else is no lot id") {
  CHECK(ledger::lot_key_suffix_of_id("PRT-A:1-400") == std::optional<std::string>("PRT-A:0000000000000400"));
  CHECK(ledger::lot_key_suffix_of_id("PRT-A:37-400") == ledger::lot_key_suffix_of_id("PRT-A:1-400"));
  CHECK(ledger::lot_state_key_of_id("FCT-350428-2021-000001:2723001-12723000") ==
        std::optional<std::string>("lot/FCT-350428-2021-000001:0000000012723000"));
  CHECK(ledger::lot_key_suffix_of_id("S:9007199254740991-9007199254740991") == std::optional<std::string>("S:9007199254740991"));
  for (const char* bad : {"", "PRT-A", "PRT-A:", "PRT-A:1", "PRT-A:1-", "PRT-A:-400", "PRT-A:01-400", "PRT-A:1-0400", "PRT-A:0-400",
                          "PRT-A:400-1", "PRT-A:+1-400", "PRT-A:1-400x", "PRT-A:1--400", ":1-400", "PRT A:1-400", "PRT-A:1-9007199254740992"}) {
    CAPTURE(bad);
    CHECK_FALSE(ledger::lot_key_suffix_of_id(bad));
  }
  // Keys sort by range within a serial, whatever the digits of the ids.
  CHECK(*ledger::lot_key_suffix_of_id("S:1-9") < *ledger::lot_key_suffix_of_id("S:10-20"));
  CHECK(*ledger::lot_key_suffix_of_id("S:300-999") < *ledger::lot_key_suffix_of_id("S:1000-1000"));
}

TEST_CASE("holdings: one text for each sums, expiring units by day, and sums that add up") {
  ledger::Lot a;
  a.serial = "PRT-A";
  a.asset = "PRT";
  a.holder = "h";
  a.first = 1;
  a.last = 700;
  a.valid_to = "2030-12-31";
  ledger::Lot b = a;
  b.serial = "PRT-B";
  b.last = 500;
  b.valid_to = "2027-06-30";
  ledger::Lot pledged = b;
  pledged.last = 300;
  pledged.status = ledger::LotStatus::pledged;
  ledger::Holdings h;
  h.count(a, +1);
  h.count(b, +1);
  h.count(pledged, +1);
  CHECK(h.to_text() == "1200 0 300 0 2027-06-30=500 2030-12-31=700");
  CHECK(h.expired_on("2027-06-30") == 0);
  CHECK(h.expired_on("2027-07-01") == 500);
  CHECK(h.expired_on("2031-01-01") == 1200);
  auto back = ledger::parse_holdings(h.to_text());
  REQUIRE(back.has_value());
  CHECK(*back == h);
  // Sums gathered apart add up to the sums gathered together.
  ledger::Holdings first, second;
  first.count(a, +1);
  second.count(b, +1);
  second.count(pledged, +1);
  first.add(second);
  CHECK(first == h);
  h.count(b, -1);
  CHECK(h.to_text() == "700 0 300 0 2030-12-31=700");
  h.count(a, -1);
  h.count(pledged, -1);
  CHECK(h.empty());
  for (const char* bad : {"", "1 0 0", "1 0 0 0 ", "1 0 0 0 2030-12-31", "1 0 0 0 2030-12-31=", "1 0 0 0 2030-12-31=0",
                          "1 0 0 0 2030-12-31=01", "1 0 0 0 2030-12-31=1 2030-12-31=1", "1 0 0 0 2031-01-01=1 2030-12-31=1",
                          "1 0 0 0 2030-1-31=1", "1 0 0 0  2030-12-31=1", "-1 0 0 0"}) {
    CAPTURE(bad);
    CHECK_FALSE(ledger::parse_holdings(bad));
  }
}
