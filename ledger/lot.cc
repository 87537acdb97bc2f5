#include "ledger/lot.h"

#include "base/check.h"

namespace ecoledger::ledger {

const char* to_string(LotStatus s) {
  switch (s) {
    case LotStatus::free: return "free";
    case LotStatus::pledged: return "pledged";
    case LotStatus::frozen: return "frozen";
    case LotStatus::retired: return "retired";
  }
  return "free";
}

std::string Lot::id() const { return serial + ":" + std::to_string(first) + "-" + std::to_string(last); }

bool Lot::expired_at(std::string_view record_time) const {
  return asset == "PRT" && !valid_to.empty() && record_time.substr(0, 10) > valid_to;
}

json::Json Lot::to_json() const {
  json::Json doc{{"lot", id()}, {"serial", serial}, {"asset", asset}, {"holder", holder}, {"first", first},
                 {"last", last}, {"quantity", quantity()}, {"status", to_string(status)}, {"since", since}};
  if (!pledge.empty()) doc["pledge"] = pledge;
  if (!freeze_case.empty()) doc["case"] = freeze_case;
  if (!valid_to.empty()) doc["valid_to"] = valid_to;
  return doc;
}

Result<Lot> Lot::from_json(const json::Json& doc) {
  Lot lot;
  lot.serial = doc.value("serial", "");
  lot.asset = doc.value("asset", "");
  lot.holder = doc.value("holder", "");
  lot.first = doc.value("first", std::int64_t{0});
  lot.last = doc.value("last", std::int64_t{0});
  std::string status = doc.value("status", "");
  if (status == "free") lot.status = LotStatus::free;
  else if (status == "pledged") lot.status = LotStatus::pledged;
  else if (status == "frozen") lot.status = LotStatus::frozen;
  else if (status == "retired") lot.status = LotStatus::retired;
  else return fail("corruption", "lot has an unknown status");
  lot.pledge = doc.value("pledge", "");
  lot.freeze_case = doc.value("case", "");
  lot.valid_to = doc.value("valid_to", "");
  lot.since = doc.value("since", std::uint64_t{0});
  return lot;
}

bool is_valid_serial(std::string_view serial) {
  if (serial.empty() || serial.size() > serial_bytes_max) return false;
  for (char c : serial)
    if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_'))
      return false;
  return true;
}

std::string lot_state_key(std::string_view lot_id) { return "lot/" + std::string(lot_id); }
std::string account_lot_key(std::string_view account, std::string_view lot_id) {
  return "acctlot/" + std::string(account) + "/" + std::string(lot_id);
}

Result<Lot> load_lot(const StateReader& state, std::string_view lot_id) {
  auto raw = state.get(lot_state_key(lot_id));
  if (!raw) return fail("unknown_lot", "no lot \"" + std::string(lot_id) + "\" (it may have been split; see the serial's history)");
  auto doc = json::Json::parse(*raw, nullptr, false);
  if (doc.is_discarded()) return fail("corruption", "lot \"" + std::string(lot_id) + "\" is damaged");
  return Lot::from_json(doc);
}

void store_lot(StateOverlay& state, const Lot& lot) {
  ECOLEDGER_CHECK(lot.first >= 1 && lot.first <= lot.last);
  state.put_json(lot_state_key(lot.id()), lot.to_json());
  state.put(account_lot_key(lot.holder, lot.id()), "1");
}

void erase_lot(StateOverlay& state, const Lot& lot) {
  state.erase(lot_state_key(lot.id()));
  state.erase(account_lot_key(lot.holder, lot.id()));
}

std::pair<Lot, std::optional<Lot>> split_lot(const Lot& lot, std::int64_t quantity) {
  ECOLEDGER_CHECK(quantity > 0 && quantity <= lot.quantity());
  Lot taken = lot;
  if (quantity == lot.quantity()) return {taken, std::nullopt};
  taken.last = lot.first + quantity - 1;
  Lot rest = lot;
  rest.first = taken.last + 1;
  return {taken, rest};
}

}  // namespace ecoledger::ledger
