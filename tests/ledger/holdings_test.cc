// Holdings: the per-holder, per-asset sums the state machine keeps beside the
// lots (ledger/lot.h), checked against the lots themselves.
#include <memory>
#include <random>

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include "ledger/lot.h"
#include "ledger/queries.h"
#include "ledger/state_machine.h"
#include "ledger/state_upgrade.h"
#include "tests/ledger/raw_store.h"
#include "tests/ledger/test_support.h"

using namespace ecoledger;
using ecoledger::testing::TestLedger;
using json::Json;

namespace {

struct Holders : TestLedger {
  std::vector<std::string> holders;

  Holders() {
    open_account("bank.cib", "bank");
    open_account("regulator.sm", "regulator");
    for (int i = 0; i < 6; ++i) {
      holders.push_back("h" + std::to_string(i));
      open_account(holders.back(), "holder");
    }
  }
  void ok(const Json& t) {
    auto r = submit(t);
    REQUIRE_MESSAGE(r.has_value(), (r ? "" : r.error().code + ": " + r.error().message));
  }
  void issue_prt(const std::string& serial, const std::string& holder, std::int64_t kg, const std::string& to) {
    ok(signed_by(tx("asset.issue", {{"asset", "PRT"}, {"serial", serial}, {"holder", holder}, {"quantity", kg}, {"pollutant", "COD"},
                                    {"region", "350500"}, {"valid_from", "2022-01-01"}, {"valid_to", to}}),
                 {"registry"}));
  }
  const ledger::StateReader& state() const { return ledger->store().state(); }
  std::string time() const { return ledger->head().time; }

  // The balances as the query served them before holdings existed: every
  // lot of the account visited and summed by its status at `time`.
  Json balances_from_lots(const std::string& account) const {
    Json out = Json::object();
    Json lots = (*ledger::query_account_lots(state(), account, time()))["lots"];
    for (const Json& lot : lots) {
      Json& b = out[lot["asset"].get<std::string>()];
      for (const char* k : {"total", "free", "pledged", "frozen", "retired", "expired"})
        if (!b.contains(k)) b[k] = 0;
      std::string status = lot["status"];
      b[status] = b[status].get<std::int64_t>() + lot["quantity"].get<std::int64_t>();
      if (status != "retired") b["total"] = b["total"].get<std::int64_t>() + lot["quantity"].get<std::int64_t>();
    }
    return out;
  }
};

// A copy of a state with one key changed (value nullopt: erased).
ledger::MemoryState tampered(const ledger::StateReader& state, const std::string& key, std::optional<std::string> value) {
  ledger::MemoryState copy;
  ledger::StateOverlay all(copy);
  state.scan("", [&](std::string_view k, std::string_view v) {
    all.put(std::string(k), std::string(v));
    return true;
  });
  if (value) all.put(key, *value);
  else all.erase(key);
  copy.apply(all);
  return copy;
}

}  // namespace

TEST_CASE("holdings equal the sums of the lots through random transfers, pledges, freezes, retirements and expiry") {
  Holders h;
  std::mt19937_64 rng(7);
  // Two rights already expired at the ledger's clock (2026-11-28), one expiring later.
  h.issue_prt("PRT-A", "h0", 500'000, "2026-11-01");
  h.issue_prt("PRT-B", "h1", 400'000, "2031-12-31");
  h.issue_prt("PRT-C", "h2", 300'000, "2026-06-30");
  h.issue_prt("PRT-D", "h3", 200'000, "2029-12-31");
  int accepted = 0, pledges = 0;
  for (int op = 0; op < 600; ++op) {
    std::string who = h.holders[rng() % h.holders.size()];
    Json lots = (*ledger::query_account_lots(h.state(), who, h.time()))["lots"];
    if (lots.empty()) continue;
    Json lot = lots[rng() % lots.size()];
    std::int64_t q = 1 + static_cast<std::int64_t>(rng() % static_cast<std::uint64_t>(lot["quantity"].get<std::int64_t>()));
    std::string id = lot["lot"];
    Json t;
    switch (rng() % 5) {
      case 0:
      case 1:
        t = h.signed_by(h.tx("transfer", {{"from", who}, {"to", h.holders[rng() % h.holders.size()]}, {"lot", id}, {"quantity", q}}), {who});
        break;
      case 2:
        if (lot["status"] == "pledged") t = h.signed_by(h.tx("pledge.release", {{"pledge", lot["pledge"]}}), {"bank.cib"});
        else
          t = h.signed_by(h.tx("pledge.create", {{"pledge", "P" + std::to_string(++pledges)}, {"holder", who}, {"bank", "bank.cib"}, {"lot", id},
                                                 {"quantity", q}, {"loan", {{"id", "L"}, {"principal_fen", 100}, {"maturity", "2030-01-01"}}}}),
                          {who, "bank.cib"});
        break;
      case 3:
        t = h.signed_by(h.tx("retire", {{"holder", who}, {"lot", id}, {"quantity", q}, {"beneficiary", "b"}, {"purpose", "p"}}), {who});
        break;
      default:
        t = lot["status"] == "frozen" ? h.signed_by(h.tx("unfreeze", {{"case", lot["case"]}}), {"regulator.sm"})
                                      : h.signed_by(h.tx("freeze", {{"case", "C" + std::to_string(op)}, {"lot", id}, {"quantity", q}}), {"regulator.sm"});
    }
    if (h.submit(t)) ++accepted;
  }
  MESSAGE("accepted " << accepted << " of 600");
  CHECK(accepted > 150);
  bool saw_expired = false, saw_pledged = false;
  for (const auto& who : h.holders) {
    CAPTURE(who);
    Json served = (*ledger::query_account(h.state(), who, h.time()))["balances"];
    CHECK(served == h.balances_from_lots(who));
    if (served.contains("PRT")) {
      saw_expired = saw_expired || served["PRT"]["expired"] > 0;
      saw_pledged = saw_pledged || served["PRT"]["pledged"] > 0;
    }
  }
  CHECK(saw_expired);
  CHECK(saw_pledged);
  REQUIRE(ledger::check_invariants(h.state()).has_value());
  // An auditor re-derives the same holdings from the records.
  ledger::Auditor auditor;
  for (const auto& r : testing::export_records(*h.ledger)) REQUIRE(auditor.feed(r));
  REQUIRE(auditor.finish(std::nullopt, std::nullopt).ok);
  CHECK(ledger::first_state_difference(h.state(), auditor.state()) == "");
}

TEST_CASE("holdings: an account that gives away all its units has none left, and expiry follows the query's time") {
  Holders h;
  h.issue_prt("PRT-A", "h0", 1000, "2027-06-30");
  h.ok(h.signed_by(h.tx("transfer", {{"from", "h0"}, {"to", "h1"}, {"lot", "PRT-A:1-1000"}, {"quantity", 1000}}), {"h0"}));
  CHECK_FALSE(h.state().get(ledger::holdings_key("h0", "PRT")));
  CHECK(h.state().get(ledger::holdings_key("h1", "PRT")) == std::optional<std::string>("1000 0 0 0 2027-06-30=1000"));
  CHECK((*ledger::query_account(h.state(), "h0", h.time()))["balances"] == Json::object());
  // Judged on the right's last day it is free; the day after, expired.
  Json on_last_day = (*ledger::query_account(h.state(), "h1", "2027-06-30T23:59:59.999Z"))["balances"]["PRT"];
  Json day_after = (*ledger::query_account(h.state(), "h1", "2027-07-01T00:00:00.000Z"))["balances"]["PRT"];
  CHECK(on_last_day["free"] == 1000);
  CHECK(on_last_day["expired"] == 0);
  CHECK(day_after["free"] == 0);
  CHECK(day_after["expired"] == 1000);
  CHECK(day_after["total"] == 1000);
}

TEST_CASE("holdings: the invariants refuse holdings that differ from the lots") {
  Holders h;
  h.issue_prt("PRT-A", "h0", 1000, "2027-06-30");
  h.ok(h.signed_by(h.tx("transfer", {{"from", "h0"}, {"to", "h1"}, {"lot", "PRT-A:1-1000"}, {"quantity", 400}}), {"h0"}));
  REQUIRE(ledger::check_invariants(h.state()).has_value());
  const std::string bal = ledger::holdings_key("h1", "PRT");
  REQUIRE(h.state().get(bal) == std::optional<std::string>("400 0 0 0 2027-06-30=400"));
  struct Case {
    std::string name;
    std::string key;
    std::optional<std::string> value;
  };
  auto stored_lot = [&](const std::string& id) {
    auto lot = ledger::parse_lot(*h.state().get(*ledger::lot_state_key_of_id(id)));
    REQUIRE(lot.has_value());
    return *lot;
  };
  // A lot as stored, of serial [first, last].
  auto lot_of = [&](const std::string& serial, std::int64_t first, std::int64_t last) {
    ledger::Lot lot = stored_lot("PRT-A:1-400");
    lot.serial = serial;
    lot.first = first;
    lot.last = last;
    return lot.to_canonical();
  };
  for (const Case& c : {Case{"one unit more", bal, "401 0 0 0 2027-06-30=400"},
                        Case{"units moved between statuses", bal, "300 100 0 0 2027-06-30=300"},
                        Case{"holdings erased", bal, std::nullopt},
                        Case{"holdings for an account with no lots", ledger::holdings_key("h2", "PRT"), "1 0 0 0"},
                        Case{"holdings for no account", ledger::holdings_key("ghost", "PRT"), "1 0 0 0"},
                        Case{"damaged holdings", bal, "400 0 0"},
                        Case{"holdings with a sign", bal, "+400 0 0 0 2027-06-30=400"},
                        Case{"holdings with a leading zero", bal, "0400 0 0 0 2027-06-30=400"},
                        Case{"holdings with a trailing space", bal, "400 0 0 0 2027-06-30=400 "},
                        Case{"expiring units changed", bal, "400 0 0 0 2027-06-30=399"},
                        Case{"expiring units left out", bal, "400 0 0 0"},
                        Case{"expiring units under another date", bal, "400 0 0 0 2028-01-01=400"},
                        Case{"expiring dates out of order", bal, "400 0 0 0 2028-01-01=1 2027-06-30=399"},
                        Case{"expiring units of none", bal, "400 0 0 0 2027-06-30=400 2028-01-01=0"},
                        Case{"expiring units without a date", bal, "400 0 0 0 =400"},
                        Case{"a lot indexed under an account that does not hold it", ledger::account_lot_key("h2", stored_lot("PRT-A:1-400")), "1"},
                        Case{"a lot of no known serial", *ledger::lot_state_key_of_id("PRT-Z:1-5"), lot_of("PRT-Z", 1, 5)},
                        Case{"a lot under a key not its own", *ledger::lot_state_key_of_id("PRT-A:1-399"), lot_of("PRT-A", 1, 400)},
                        Case{"a lot under a key of no serial", "lot/nowhere", lot_of("PRT-A", 1, 400)},
                        Case{"a lot that cannot be read", *ledger::lot_state_key_of_id("PRT-A:1-400"), "{"},
                        Case{"a serial that cannot be read", "serial/PRT-A", "{"}}) {
    CAPTURE(c.name);
    auto checked = ledger::check_invariants(tampered(h.state(), c.key, c.value));
    REQUIRE_FALSE(checked.has_value());
    CHECK(checked.error().code == "invariant_broken");
  }
}

namespace {

// Rewrites the closed store in dir (this build's layout, version 3) as an
// earlier build left it: version 2 (lots and index entries keyed by lot id,
// expiring units under balexp/) or, with holdings false, the layout before
// holdings (version 2's lots, no holdings, no version). With half_moved, the
// lots that end on an even unit keep their new keys, as an upgrade cut short
// after moving them would leave them. Returns the entries written in the old layout.
int rewrite_as_older_layout(const std::string& dir, bool holdings, bool half_moved = false) {
  testing::RawStore store(dir);
  rocksdb::DB* db = &store.db();
  rocksdb::WriteBatch old;
  int written = 0;
  auto put = [&](const std::string& key, const std::string& value) {
    old.Put(key, value);
    ++written;
  };
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions()));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    const std::string key = it->key().ToString(), value = it->value().ToString();
    if (key.starts_with("Slot/") || key.starts_with("Sacctlot/")) {
      // acctlot/<holder>/<serial>:<last>: its lot is lot/<serial>:<last>.
      const std::string lot_key = key.starts_with("Slot/") ? key : "Slot/" + key.substr(key.rfind('/') + 1);
      std::string stored;
      REQUIRE(db->Get(rocksdb::ReadOptions(), lot_key, &stored).ok());
      auto lot = ledger::parse_lot(stored);
      REQUIRE(lot.has_value());
      if (half_moved && lot->last % 2 == 0) continue;
      old.Delete(key);
      if (key.starts_with("Slot/")) put("Slot/" + lot->id(), value);
      else put("Sacctlot/" + lot->holder + "/" + lot->id(), value);
    } else if (key.starts_with("Sbal/")) {
      auto h = ledger::parse_holdings(value);
      REQUIRE(h.has_value());
      old.Delete(key);
      if (!holdings) continue;
      ledger::Holdings counts = *h;
      counts.expiring.clear();
      put(key, counts.to_text());
      for (const auto& [valid_to, units] : h->expiring) put("Sbalexp/" + key.substr(5) + "/" + valid_to, std::to_string(units));
    } else if (key == std::string("S") + ledger::state_version_key) {
      old.Delete(key);
      if (holdings) put(key, "2");
    }
  }
  REQUIRE(db->Write(rocksdb::WriteOptions(), &old).ok());
  return written;
}

// Opens the rewritten ledger and checks that it was upgraded to the state a
// replay of its records builds, with the same balances and head as before.
void check_upgraded(Holders& h, const ledger::Head& head, const std::map<std::string, Json>& before) {
  auto reopened = ledger::Ledger::open(h.dir);
  REQUIRE(reopened.has_value());
  h.ledger = std::move(*reopened);
  CHECK(h.ledger->head().size == head.size);
  CHECK(h.ledger->head().head == head.head);
  CHECK(h.state().get(ledger::state_version_key) == std::optional<std::string>(ledger::state_version));
  for (const auto& who : h.holders) CHECK(*ledger::query_account(h.state(), who, h.time()) == before.at(who));
  REQUIRE(ledger::check_invariants(h.state()).has_value());
  ledger::Auditor auditor;
  for (const auto& r : testing::export_records(*h.ledger)) REQUIRE(auditor.feed(r));
  REQUIRE(auditor.finish(std::nullopt, std::nullopt).ok);
  CHECK(ledger::first_state_difference(h.state(), auditor.state()) == "");
}

}  // namespace

TEST_CASE("a ledger of an earlier state layout is upgraded when opened, in batches, and nothing else changes") {
  Holders h;
  h.issue_prt("PRT-A", "h0", 1000, "2026-01-31");  // expired at the ledger's clock
  h.issue_prt("PRT-B", "h1", 10000, "2030-12-31");
  h.issue_prt("PRT-C", "h2", 500, "2031-06-30");
  h.ok(h.signed_by(h.tx("transfer", {{"from", "h1"}, {"to", "h2"}, {"lot", "PRT-B:1-10000"}, {"quantity", 1200}}), {"h1"}));
  // More lots than one batch of the upgrade moves: h1 gives one unit at a time.
  const int gifts = static_cast<int>(ledger::state_upgrade_lots_per_batch) + 100;
  for (int done = 0; done < gifts;) {
    std::vector<std::string> texts;
    for (; done < gifts && texts.size() < 1000; ++done) {
      const std::string lot = "PRT-B:" + std::to_string(1201 + done) + "-10000";
      texts.push_back(json::canonical(h.signed_by(h.tx("transfer", {{"from", "h1"}, {"to", h.holders[3 + done % 3]}, {"lot", lot}, {"quantity", 1}}), {"h1"})));
    }
    for (const auto& r : h.ledger->submit(texts, h.now_ms)) REQUIRE(r.has_value());
  }
  std::map<std::string, Json> before;
  for (const auto& who : h.holders) before[who] = *ledger::query_account(h.state(), who, h.time());
  const ledger::Head head = h.ledger->head();
  h.ledger.reset();

  SUBCASE("from version 2") {
    // Every lot and index entry, 6 holdings, 7 expiring units (h2 has two dates), the version.
    CHECK(rewrite_as_older_layout(h.dir, true) == 2 * (gifts + 4) + 7 + 6 + 1);
    check_upgraded(h, head, before);
  }
  SUBCASE("from version 2, cut short after some lots had moved") {
    const int written = rewrite_as_older_layout(h.dir, true, true);
    CHECK(written > 7 + 6 + 1);
    CHECK(written < 2 * (gifts + 4));
    check_upgraded(h, head, before);
  }
  SUBCASE("from before holdings") {
    CHECK(rewrite_as_older_layout(h.dir, false) == 2 * (gifts + 4));
    check_upgraded(h, head, before);
  }
}
