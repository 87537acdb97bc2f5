// Record time against a clock set back: Ledger::submit takes the clock as a
// parameter (the node passes now_unix_ms()), so these tests inject it. The
// ledger stamps max(clock, last record's time), also after a close and reopen,
// where the last time comes back from the stored head.
#include "ledger/audit.h"
#include "tests/ledger/test_support.h"

using namespace ecoledger;
using ecoledger::testing::TestLedger;

using ecoledger::testing::export_records;

namespace {

constexpr std::int64_t hour_ms = 3600 * 1000;


std::string record_time(const std::string& bytes) { return json::parse_strict(bytes).value()["time"].get<std::string>(); }

}  // namespace

TEST_CASE("clock set back across a restart: record time never goes backwards") {
  TestLedger t;
  t.now_ms = testing::t0_ms + 5 * hour_ms;  // 13:00
  t.open_account("holder.a", "holder");
  const std::string latest = ledger::format_time_ms(t.now_ms);
  CHECK(t.ledger->head().time == latest);

  // Close the ledger and reopen it from disk; the clock now reads a day earlier.
  t.ledger.reset();
  auto reopened = ledger::Ledger::open(t.dir);
  REQUIRE(reopened.has_value());
  t.ledger = std::move(*reopened);
  CHECK(t.ledger->head().time == latest);
  t.now_ms = testing::t0_ms - 24 * hour_ms;

  auto before = t.submit(t.signed_by(t.tx("account.open", {{"account", "holder.b"}, {"role", "holder"}, {"name", "b"},
                                                           {"keys", {{{"id", "k1"}, {"pub", t.registry.public_base64()}}}}}),
                                     {"registry"}));
  REQUIRE(before.has_value());
  CHECK(before->time == latest);  // not the earlier clock
  // A batch stamped by the set-back clock: every record takes the last time.
  std::vector<std::string> batch;
  for (int i = 0; i < 3; ++i)
    batch.push_back(json::canonical(t.signed_by(
        t.tx("account.open", {{"account", "holder.c" + std::to_string(i)}, {"role", "holder"}, {"name", "c"},
                              {"keys", {{{"id", "k1"}, {"pub", t.registry.public_base64()}}}}}),
        {"registry"})));
  for (const auto& r : t.ledger->submit(batch, t.now_ms)) {
    REQUIRE(r.has_value());
    CHECK(r->time == latest);
  }
  // A checkpoint signed with the set-back clock is not dated before its head.
  CHECK(t.ledger->checkpoint(t.node, t.now_ms)["time"] == latest);

  // When the clock passes the last time again, time moves on.
  t.now_ms = testing::t0_ms + 6 * hour_ms;
  t.open_account("holder.d", "holder");
  CHECK(t.ledger->head().time == ledger::format_time_ms(t.now_ms));

  // Times in the journal never decrease, and the auditor (which checks time
  // order) accepts the whole journal.
  auto records = export_records(*t.ledger);
  for (std::size_t i = 1; i < records.size(); ++i) CHECK(record_time(records[i - 1]) <= record_time(records[i]));
  ledger::Auditor auditor;
  for (const auto& r : records) REQUIRE(auditor.feed(r));
  CHECK(auditor.finish(std::nullopt, std::nullopt).ok);
}

TEST_CASE("a record dated before its predecessor is refused by the auditor") {
  TestLedger t;
  t.now_ms = testing::t0_ms + hour_ms;
  t.open_account("holder.a", "holder");
  auto records = export_records(*t.ledger);
  REQUIRE(records.size() == 2);
  // Re-date record 1 one hour before genesis and re-link nothing: the auditor
  // must name seq 1 (time order or hash, both are checked).
  auto doc = json::parse_strict(records[1]).value();
  doc["time"] = ledger::format_time_ms(testing::t0_ms - hour_ms);
  ledger::Auditor auditor;
  REQUIRE(auditor.feed(records[0]));
  CHECK_FALSE(auditor.feed(json::canonical(doc)));
  CHECK(auditor.report().bad_seq == 1);
}
