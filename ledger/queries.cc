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

std::vector<Lot> lots_of(const StateReader& state, const std::string& account) {
  std::vector<Lot> out;
  std::string prefix = "acctlot/" + account + "/";
  state.scan(prefix, [&](std::string_view key, std::string_view) {
    auto lot = load_lot(state, key.substr(prefix.size()));
    if (lot) out.push_back(*lot);
    return out.size() < query_items_max;
  });
  return out;
}

Json lot_json(const Lot& lot, const std::string& time) {
  Json doc = lot.to_json();
  doc["status"] = effective_status(lot, time);
  return doc;
}

Json history_of(const StateReader& state, const std::string& serial, std::int64_t first, std::int64_t last) {
  Json events = Json::array();
  state.scan("hist/" + serial + "/", [&](std::string_view, std::string_view value) {
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
  std::map<std::string, std::map<std::string, std::int64_t>> balances;
  for (const Lot& lot : lots_of(state, account)) {
    auto& b = balances[lot.asset];
    for (const char* k : {"total", "free", "pledged", "frozen", "retired", "expired"}) b.try_emplace(k, 0);
    std::string status = effective_status(lot, time);
    b[status] += lot.quantity();
    if (status != "retired") b["total"] += lot.quantity();
  }
  Json out = Json::object();
  for (const auto& [asset, b] : balances) out[asset] = b;
  doc["balances"] = out;
  return doc;
}

Result<Json> query_account_lots(const StateReader& state, const std::string& account, const std::string& time) {
  if (!state.get(account_key(account))) return fail("unknown_account", "no account \"" + account + "\"");
  Json lots = Json::array();
  for (const Lot& lot : lots_of(state, account)) lots.push_back(lot_json(lot, time));
  return Json{{"account", account}, {"lots", lots}};
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
    auto lot = Lot::from_json(Json::parse(value));
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

Status check_invariants(const StateReader& state) {
  // serial -> issued quantity; lots visited in key order are not in range
  // order, so collect ranges per serial first.
  std::map<std::string, std::vector<std::pair<std::int64_t, std::int64_t>>> ranges;
  std::optional<Error> broken;
  auto breaks = [&](std::string message) {
    if (!broken) broken = Error{"invariant_broken", std::move(message)};
    return false;
  };
  state.scan("lot/", [&](std::string_view key, std::string_view value) {
    auto lot = Lot::from_json(Json::parse(value));
    if (!lot) return breaks("lot " + std::string(key) + " is damaged");
    if (key.substr(4) != lot->id()) return breaks("lot key " + std::string(key) + " differs from its range");
    if (lot->quantity() <= 0) return breaks("lot " + lot->id() + " has no units");
    if (!state.get(account_lot_key(lot->holder, lot->id()))) return breaks("lot " + lot->id() + " is not indexed under its holder");
    if (lot->status == LotStatus::pledged) {
      auto p = state.get("pledge/" + lot->pledge);
      if (!p) return breaks("pledged lot " + lot->id() + " has no pledge");
      Json pledge = Json::parse(*p);
      if (pledge["status"] != "open" || pledge["lot"] != lot->id()) return breaks("pledged lot " + lot->id() + " and its pledge disagree");
    }
    ranges[lot->serial].emplace_back(lot->first, lot->last);
    return true;
  });
  if (broken) return std::unexpected(*broken);
  state.scan("serial/", [&](std::string_view key, std::string_view value) {
    std::string serial(key.substr(7));
    std::int64_t issued = Json::parse(value)["quantity"].get<std::int64_t>();
    auto& list = ranges[serial];
    std::sort(list.begin(), list.end());
    std::int64_t next = 1;
    for (const auto& [a, b] : list) {
      if (a != next) return breaks("serial " + serial + ": units " + std::to_string(next) + ".." + std::to_string(a - 1) + " are lost or doubled");
      next = b + 1;
    }
    if (next != issued + 1) return breaks("serial " + serial + ": lots hold " + std::to_string(next - 1) + " of " + std::to_string(issued) + " units");
    ranges.erase(serial);
    return true;
  });
  if (broken) return std::unexpected(*broken);
  if (!ranges.empty()) return fail("invariant_broken", "lots of unknown serial " + ranges.begin()->first);
  state.scan("pledge/", [&](std::string_view, std::string_view value) {
    Json pledge = Json::parse(value);
    if (pledge["status"] != "open") return true;
    auto lot = load_lot(state, pledge["lot"].get<std::string>());
    if (!lot || lot->status != LotStatus::pledged || json::Json(lot->pledge) != pledge["pledge"])
      return breaks("open pledge " + pledge["pledge"].get<std::string>() + " does not lock its lot");
    return true;
  });
  if (broken) return std::unexpected(*broken);
  return ok();
}

}  // namespace ecoledger::ledger
