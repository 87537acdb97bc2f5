#include "ledger/queries.h"

#include <algorithm>
#include <expected>
#include <map>
#include <optional>
#include <thread>
#include <vector>

#include "base/parallel.h"
#include "ledger/lot.h"
#include "ledger/signature_check.h"
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
    const std::int64_t expired = h->expired_on(date);
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
  // Index keys end in <serial>:<last unit> (lot.h): a page is in that
  // order, and `after` (a lot id) says where in it the page starts.
  std::optional<std::string> after_key;
  if (!after.empty() && !(after_key = lot_key_suffix_of_id(after))) return fail("bad_query", "after is a lot id");
  const std::string prefix = std::string(account_lot_key_prefix) + account + "/";
  // The scan starts at the account's first lot and skips to `after`: a
  // later page costs a walk over the keys before it (cheap next to loading
  // a page of lots), which keeps StateReader to prefix scans.
  state.scan(prefix, [&](std::string_view key, std::string_view) {
    std::string_view suffix = key.substr(prefix.size());
    if (after_key && suffix <= *after_key) return true;
    if (lots.size() == limit) {
      doc["next"] = lots.back()["lot"];
      return false;
    }
    auto raw = state.get("lot/" + std::string(suffix));
    auto lot = raw ? parse_lot(*raw) : fail("unknown_lot", "");
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

  // Per serial, the lots cover [1, issued] exactly once, and every lot is
  // under a known serial. The serials are checked in blocks, each block's
  // serials on all cores (a serial's lots are the keys lot/<serial>:, read
  // by one worker), which took the auditor's last single-threaded stretch
  // from about 7% of its time to under 3% (bench/RESULTS.md); a block
  // bounds the serials held at once. Meanwhile one more thread counts every
  // lot and the holder index, so a lot of no known serial, or an index entry
  // more than there are lots, shows as a count that differs.
  bool lots_and_serials() {
    std::uint64_t all_lots = 0, indexed = 0;
    std::thread counter([&] {
      state_.scan("lot/", [&](std::string_view, std::string_view) { return ++all_lots, true; });
      if (indexed_) state_.scan(account_lot_key_prefix, [&](std::string_view, std::string_view) { return ++indexed, true; });
    });
    std::vector<std::pair<std::string, std::string>> block;  // serial -> its stored value
    block.reserve(invariant_serials_per_block);
    state_.scan("serial/", [&](std::string_view key, std::string_view value) {
      block.emplace_back(key.substr(7), value);
      return block.size() < invariant_serials_per_block || check_serials(block);
    });
    if (!broken_ && !block.empty()) check_serials(block);
    counter.join();
    if (broken_) return false;
    if (all_lots != lots_) return find_lot_of_unknown_serial();
    // Each lot is indexed under its holder, so one index entry more than
    // there are lots indexes a lot where it is not.
    if (indexed_ && indexed != lots_) return breaks("an account indexes a lot it does not hold");
    return true;
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
    return compare(holdings_key_prefix, holdings_, [](const Holdings& h) { return h.to_text(); }, "holdings");
  }

 private:
  // What one worker gathers from the lots of its serials.
  struct Sums {
    std::uint64_t lots = 0;
    std::map<std::string, Holdings> holdings;
  };

  // Checks each serial of block on all cores and adds their sums; the
  // first broken serial in block order (key order) is the one reported, so
  // the message does not depend on the threads. Empties block.
  bool check_serials(std::vector<std::pair<std::string, std::string>>& block) {
    const unsigned threads = signature_check_threads();
    std::vector<Sums> sums(threads);
    std::vector<std::optional<std::string>> broken(block.size());
    parallel_for_index(block.size(), threads, [&](unsigned worker, std::size_t i) {
      broken[i] = check_serial(block[i].first, block[i].second, sums[worker]);
    });
    block.clear();
    for (auto& message : broken)
      if (message) return breaks(std::move(*message));
    for (Sums& part : sums) {
      lots_ += part.lots;
      for (auto& [key, h] : part.holdings) holdings_[key].add(h);
    }
    return true;
  }

  // The lots of one serial: each sound, together covering [1, issued] once.
  // The message of the first broken invariant, or nullopt.
  std::optional<std::string> check_serial(const std::string& serial, std::string_view stored, Sums& sums) const {
    std::optional<std::string> broken;
    std::vector<std::pair<std::int64_t, std::int64_t>> ranges;
    std::uint64_t lots = 0;
    state_.scan("lot/" + serial + ":", [&](std::string_view key, std::string_view value) {
      auto lot = lot_under_its_key(key, value);
      if (!lot) return !(broken = std::move(lot.error()));
      if (lot->serial != serial) return !(broken = "lot key " + std::string(key) + " differs from its serial");
      if (lot->quantity() <= 0) return !(broken = "lot " + lot->id() + " has no units");
      if (indexed_ && !state_.get(account_lot_key(lot->holder, *lot)))
        return !(broken = "lot " + lot->id() + " is not indexed under its holder");
      if (lot->status == LotStatus::pledged) {
        auto p = state_.get("pledge/" + lot->pledge);
        if (!p) return !(broken = "pledged lot " + lot->id() + " has no pledge");
        // Parsed without exceptions: this runs on a worker thread.
        Json pledge = Json::parse(*p, nullptr, false);
        if (!pledge.is_object() || pledge.value("status", Json()) != "open" || pledge.value("lot", Json()) != lot->id())
          return !(broken = "pledged lot " + lot->id() + " and its pledge disagree");
      }
      ranges.emplace_back(lot->first, lot->last);
      ++lots;
      sums.holdings[holdings_key(lot->holder, lot->asset)].count(*lot, +1);
      return true;
    });
    if (broken) return broken;
    // A serial none of whose units is in a lot has lost them all.
    if (ranges.empty()) return "serial " + serial + ": no lot holds its units";
    sums.lots += lots;
    Json serial_doc = Json::parse(stored, nullptr, false);
    if (!serial_doc.is_object() || !serial_doc.contains("quantity") || !serial_doc["quantity"].is_number_integer())
      return "serial " + serial + " is damaged";
    std::int64_t issued = serial_doc["quantity"].get<std::int64_t>();
    std::sort(ranges.begin(), ranges.end());
    std::int64_t next = 1;
    for (const auto& [a, b] : ranges) {
      if (a != next) return "serial " + serial + ": units " + std::to_string(next) + ".." + std::to_string(a - 1) + " are lost or doubled";
      next = b + 1;
    }
    if (next != issued + 1) return "serial " + serial + ": lots hold " + std::to_string(next - 1) + " of " + std::to_string(issued) + " units";
    return std::nullopt;
  }

  // The lot stored under a lot/ key, or why it is not one: damaged, or
  // under a key other than its own.
  static std::expected<Lot, std::string> lot_under_its_key(std::string_view key, std::string_view value) {
    auto lot = parse_lot(value);
    if (!lot) return std::unexpected("lot " + std::string(key) + " is damaged");
    if (key != lot_state_key(*lot)) return std::unexpected("lot key " + std::string(key) + " differs from its range");
    return std::move(*lot);
  }

  // Only when the count of lots differs from the lots of known serials:
  // names the first lot, in key order, whose serial is not known.
  bool find_lot_of_unknown_serial() {
    state_.scan("lot/", [&](std::string_view key, std::string_view value) {
      auto lot = lot_under_its_key(key, value);
      if (!lot) return breaks(std::move(lot.error()));
      if (!state_.get("serial/" + lot->serial)) return breaks("lots of unknown serial " + lot->serial);
      return true;
    });
    // The counts differed, so a lot was added or removed meanwhile: not a
    // state the auditor or a test hands over.
    return broken_ ? false : breaks("the lots changed while they were checked");
  }

  const StateReader& state_;
  const bool indexed_;  // the holder index of lots is in state_
  std::optional<Error> broken_;
  std::uint64_t lots_ = 0;
  std::map<std::string, Holdings> holdings_;  // holdings key -> sums of the lots
};

}  // namespace

Status check_invariants(const StateReader& state, QueryIndexes indexes) {
  InvariantCheck check(state, indexes);
  if (check.lots_and_serials() && check.holdings()) check.pledges();
  return check.result();
}

}  // namespace ecoledger::ledger
