#include "ledger/queries.h"

#include <algorithm>
#include <map>
#include <optional>
#include <vector>

#include "ledger/lot.h"
#include "ledger/state_machine.h"

namespace ecoledger::ledger {
namespace {

using json::Json;

const char* effective_status(const Lot& lot, const std::string& time) {
  if (lot.status == LotStatus::free && lot.expired_at(time)) return "expired";
  return to_string(lot.status);
}


Json lot_json(const Lot& lot, const std::string& time) {
  Json doc = lot.to_json();
  doc["status"] = effective_status(lot, time);
  return doc;
}

Json history_of(const StateReader& state, const std::string& serial, std::int64_t first, std::int64_t last) {
  Json events = Json::array();
  state.scan(std::string(history_key_prefix) + serial + "/", [&](std::string_view, std::string_view value) {
    Json event = Json::parse(value);
    // Keep events whose lot overlaps [first, last].
    std::string lot = event.value("lot", "");
    auto colon = lot.rfind(':');
    auto dash = lot.rfind('-');
    if (colon != std::string::npos && dash != std::string::npos && dash > colon) {
      std::int64_t a = std::stoll(lot.substr(colon + 1, dash - colon - 1));
      std::int64_t b = std::stoll(lot.substr(dash + 1));
      std::string from_lot = event.value("from_lot", lot);
      auto c2 = from_lot.rfind(':'), d2 = from_lot.rfind('-');
      std::int64_t fa = std::stoll(from_lot.substr(c2 + 1, d2 - c2 - 1)), fb = std::stoll(from_lot.substr(d2 + 1));
      bool overlaps = (a <= last && first <= b) || (fa <= last && first <= fb);
      if (overlaps) events.push_back(event);
    }
    return events.size() < query_items_max;
  });
  return events;
}

}  // namespace

Result<Json> query_account(const StateReader& state, const std::string& account, const std::string& time) {
  auto raw = state.get(account_key(account));
  if (!raw) return fail("unknown_account", "no account \"" + account + "\"");
  Json doc = Json::parse(*raw);
  // From the holdings the state machine keeps: a few lookups, whatever the
  // number of lots. Free units past their valid_to count as expired.
  const std::string date = time.substr(0, 10);
  const std::string prefix = holdings_key(account, "");
  Json balances = Json::object();
  std::optional<Error> damaged;
  state.scan(prefix, [&](std::string_view key, std::string_view value) {
    std::string asset(key.substr(prefix.size()));
    auto h = parse_holdings(value);
    if (!h) {
      damaged = h.error();
      return false;
    }
    std::int64_t expired = 0;
    const std::string expiring = expiring_key(account, asset, "");
    state.scan(expiring, [&](std::string_view k, std::string_view units) {
      if (!(date > k.substr(expiring.size()))) return false;  // keys ascend by valid_to
      auto n = parse_units(units);
      if (!n) damaged = n.error();
      else expired += *n;
      return n.has_value();
    });
    balances[asset] = Json{{"total", h->free + h->pledged + h->frozen}, {"free", h->free - expired}, {"pledged", h->pledged},
                           {"frozen", h->frozen}, {"retired", h->retired}, {"expired", expired}};
    return !damaged;
  });
  if (damaged) return std::unexpected(*damaged);
  doc["balances"] = balances;
  return doc;
}

Result<Json> query_account_lots(const StateReader& state, const std::string& account, const std::string& time,
                                std::string_view after, std::uint64_t limit) {
  if (!state.get(account_key(account))) return fail("unknown_account", "no account \"" + account + "\"");
  if (limit == 0 || limit > account_lots_page_max)
    return fail("bad_query", "limit is 1-" + std::to_string(account_lots_page_max));
  Json doc{{"account", account}, {"lots", Json::array()}};
  Json& lots = doc["lots"];
  const std::string prefix = account_lot_key(account, "");
  // The scan starts at the account's first lot and skips to `after`: a
  // later page costs a walk over the keys before it (cheap next to loading
  // a page of lots), which keeps StateReader to prefix scans.
  state.scan(prefix, [&](std::string_view key, std::string_view) {
    std::string_view id = key.substr(prefix.size());
    if (!after.empty() && id <= after) return true;
    if (lots.size() == limit) {
      doc["next"] = lots.back()["lot"];
      return false;
    }
    auto lot = load_lot(state, id);
    if (lot) lots.push_back(lot_json(*lot, time));
    return true;
  });
  return doc;
}

Result<Json> query_lot(const StateReader& state, const std::string& lot_id, const std::string& time) {
  auto lot = load_lot(state, lot_id);
  if (!lot) return std::unexpected(lot.error());
  Json doc = lot_json(*lot, time);
  auto serial = state.get("serial/" + lot->serial);
  if (serial) doc["issuance"] = Json::parse(*serial);
  doc["history"] = history_of(state, lot->serial, lot->first, lot->last);
  return doc;
}

Result<Json> query_serial(const StateReader& state, const std::string& serial, const std::string& time) {
  auto raw = state.get("serial/" + serial);
  if (!raw) return fail("unknown_serial", "no serial \"" + serial + "\"");
  Json issuance = Json::parse(*raw);
  Json lots = Json::array();
  state.scan("lot/" + serial + ":", [&](std::string_view, std::string_view value) {
    auto lot = parse_lot(value);
    if (lot) lots.push_back(lot_json(*lot, time));
    return lots.size() < query_items_max;
  });
  return Json{{"serial", serial}, {"issuance", issuance}, {"lots", lots},
              {"history", history_of(state, serial, 1, issuance["quantity"].get<std::int64_t>())}};
}

Result<Json> query_pledge(const StateReader& state, const std::string& pledge) {
  auto raw = state.get("pledge/" + pledge);
  if (!raw) return fail("unknown_pledge", "no pledge \"" + pledge + "\"");
  return Json::parse(*raw);
}

Result<Json> query_bank_pledges(const StateReader& state, const std::string& bank, bool open_only) {
  if (!state.get(account_key(bank))) return fail("unknown_account", "no account \"" + bank + "\"");
  Json pledges = Json::array();
  std::string prefix = "bankpledge/" + bank + "/";
  state.scan(prefix, [&](std::string_view key, std::string_view status) {
    if (open_only && status != "open") return true;
    auto p = query_pledge(state, std::string(key.substr(prefix.size())));
    if (p) pledges.push_back(*p);
    return pledges.size() < query_items_max;
  });
  return Json{{"bank", bank}, {"pledges", pledges}};
}

Json query_prices(const StateReader& state) {
  Json prices = Json::array();
  state.scan("price/", [&](std::string_view, std::string_view value) {
    prices.push_back(Json::parse(value));
    return prices.size() < query_items_max;
  });
  return Json{{"prices", prices}};
}

namespace {

// Breaks is the first broken invariant's message; every check returns false
// once it is set, which stops the scan it runs in.
class InvariantCheck {
 public:
  InvariantCheck(const StateReader& state, QueryIndexes indexes) : state_(state), indexed_(indexes == QueryIndexes::kept) {}

  bool breaks(std::string message) {
    if (!broken_) broken_ = Error{"invariant_broken", std::move(message)};
    return false;
  }
  Status result() const { return broken_ ? Status(std::unexpected(*broken_)) : ok(); }

  // Per serial, the lots cover [1, issued] exactly once. Lots of one serial
  // are adjacent in key order (they share the prefix lot/<serial>:), so only
  // one serial's ranges are held at a time.
  bool lots_and_serials() {
    std::string serial;
    std::vector<std::pair<std::int64_t, std::int64_t>> ranges;
    state_.scan("lot/", [&](std::string_view key, std::string_view value) {
      auto lot = parse_lot(value);
      if (!lot) return breaks("lot " + std::string(key) + " is damaged");
      if (key.substr(4) != lot->id()) return breaks("lot key " + std::string(key) + " differs from its range");
      if (lot->quantity() <= 0) return breaks("lot " + lot->id() + " has no units");
      if (indexed_ && !state_.get(account_lot_key(lot->holder, lot->id()))) return breaks("lot " + lot->id() + " is not indexed under its holder");
      if (lot->status == LotStatus::pledged) {
        auto p = state_.get("pledge/" + lot->pledge);
        if (!p) return breaks("pledged lot " + lot->id() + " has no pledge");
        Json pledge = Json::parse(*p);
        if (pledge["status"] != "open" || pledge["lot"] != lot->id()) return breaks("pledged lot " + lot->id() + " and its pledge disagree");
      }
      if (lot->serial != serial) {
        if (!serial.empty() && !serial_covered(serial, ranges)) return false;
        serial = lot->serial;
        ranges.clear();
      }
      ranges.emplace_back(lot->first, lot->last);
      ++lots_;
      holdings_[holdings_key(lot->holder, lot->asset)].of(lot->status) += lot->quantity();
      if (lot->counts_as_expiring()) expiring_[expiring_key(lot->holder, lot->asset, lot->valid_to)] += lot->quantity();
      return true;
    });
    if (broken_) return false;
    if (!serial.empty() && !serial_covered(serial, ranges)) return false;
    // Each lot is indexed under its holder, so one index entry more than
    // there are lots indexes a lot where it is not.
    if (indexed_) {
      std::uint64_t indexed = 0;
      state_.scan(account_lot_key_prefix, [&](std::string_view, std::string_view) { return ++indexed, true; });
      if (indexed != lots_) return breaks("an account indexes a lot it does not hold");
    }
    // A serial none of whose units is in a lot has lost them all.
    state_.scan("serial/", [&](std::string_view key, std::string_view) {
      bool has_lot = false;
      state_.scan("lot/" + std::string(key.substr(7)) + ":", [&](std::string_view, std::string_view) { return !(has_lot = true); });
      return has_lot || breaks("serial " + std::string(key.substr(7)) + ": no lot holds its units");
    });
    return !broken_;
  }

  // Every open pledge locks its lot.
  bool pledges() {
    state_.scan("pledge/", [&](std::string_view, std::string_view value) {
      Json pledge = Json::parse(value);
      if (pledge["status"] != "open") return true;
      auto lot = load_lot(state_, pledge["lot"].get<std::string>());
      if (!lot || lot->status != LotStatus::pledged || json::Json(lot->pledge) != pledge["pledge"])
        return breaks("open pledge " + pledge["pledge"].get<std::string>() + " does not lock its lot");
      return true;
    });
    return !broken_;
  }

  // The holdings are the sums of the lots, and no others exist. The sums
  // are gathered while lots_and_serials() reads every lot (one entry per
  // holder and asset: memory grows with accounts, not with records) and
  // compared with the stored holdings in key order.
  bool holdings() {
    // expected: stored key -> sums; text_of gives a sum's stored value.
    auto compare = [&](std::string_view prefix, const auto& expected, auto text_of, const char* what) {
      auto next = expected.begin();
      state_.scan(prefix, [&](std::string_view key, std::string_view value) {
        if (next == expected.end() || next->first != key || text_of(next->second) != value)
          return breaks(std::string(what) + " " + std::string(key) + " differ from the lots");
        ++next;
        return true;
      });
      if (!broken_ && next != expected.end()) breaks("lots of " + next->first + " are not counted in " + what);
      return !broken_;
    };
    return compare(holdings_key_prefix, holdings_, [](const Holdings& h) { return h.to_text(); }, "holdings") &&
           compare(expiring_key_prefix, expiring_, [](std::int64_t units) { return std::to_string(units); }, "expiring units");
  }

 private:
  bool serial_covered(const std::string& serial, std::vector<std::pair<std::int64_t, std::int64_t>>& ranges) {
    auto raw = state_.get("serial/" + serial);
    if (!raw) return breaks("lots of unknown serial " + serial);
    std::int64_t issued = Json::parse(*raw)["quantity"].get<std::int64_t>();
    std::sort(ranges.begin(), ranges.end());
    std::int64_t next = 1;
    for (const auto& [a, b] : ranges) {
      if (a != next) return breaks("serial " + serial + ": units " + std::to_string(next) + ".." + std::to_string(a - 1) + " are lost or doubled");
      next = b + 1;
    }
    if (next != issued + 1) return breaks("serial " + serial + ": lots hold " + std::to_string(next - 1) + " of " + std::to_string(issued) + " units");
    return true;
  }

  const StateReader& state_;
  const bool indexed_;  // the holder index of lots is in state_
  std::optional<Error> broken_;
  std::uint64_t lots_ = 0;
  std::map<std::string, Holdings> holdings_;       // holdings key -> sums of the lots
  std::map<std::string, std::int64_t> expiring_;  // expiring key -> free units
};

}  // namespace

Status check_invariants(const StateReader& state, QueryIndexes indexes) {
  InvariantCheck check(state, indexes);
  if (check.lots_and_serials() && check.holdings()) check.pledges();
  return check.result();
}

}  // namespace ecoledger::ledger
