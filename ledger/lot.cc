#include "ledger/lot.h"

#include <algorithm>
#include <charconv>
#include <cstdio>

#include "base/check.h"
#include "ledger/state_machine.h"

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

bool Lot::can_expire() const { return asset == "PRT" && !valid_to.empty(); }

bool Lot::expired_at(std::string_view record_time) const { return can_expire() && record_time.substr(0, 10) > valid_to; }

json::Json Lot::to_json() const {
  json::Json doc{{"lot", id()}, {"serial", serial}, {"asset", asset}, {"holder", holder}, {"first", first},
                 {"last", last}, {"quantity", quantity()}, {"status", to_string(status)}, {"since", since}};
  if (!pledge.empty()) doc["pledge"] = pledge;
  if (!freeze_case.empty()) doc["case"] = freeze_case;
  if (!valid_to.empty()) doc["valid_to"] = valid_to;
  return doc;
}

std::string Lot::to_canonical() const {
  // The members in canonical (JCS) order, which the writer checks.
  json::OrderedCanonicalWriter doc;
  doc.add_string("asset", asset);
  if (!freeze_case.empty()) doc.add_string("case", freeze_case);
  doc.add_int("first", first).add_string("holder", holder).add_int("last", last).add_string("lot", id());
  if (!pledge.empty()) doc.add_string("pledge", pledge);
  doc.add_int("quantity", quantity()).add_string("serial", serial).add_int("since", static_cast<std::int64_t>(since));
  doc.add_string("status", to_string(status));
  if (!valid_to.empty()) doc.add_string("valid_to", valid_to);
  return std::move(doc).finish();
}

namespace {

std::optional<LotStatus> status_named(std::string_view name) {
  if (name == "free") return LotStatus::free;
  if (name == "pledged") return LotStatus::pledged;
  if (name == "frozen") return LotStatus::frozen;
  if (name == "retired") return LotStatus::retired;
  return std::nullopt;
}

// The lot from a value in the flat form store_lot writes, read without a
// Json tree; nullopt for anything from_json should decide (a member of an
// unexpected type, an unknown status), so both paths agree on every value.
std::optional<Lot> lot_from_flat(std::string_view value) {
  auto members = json::read_flat_object(value);
  if (!members) return std::nullopt;
  Lot lot;
  for (const json::FlatMember& m : *members) {
    auto text = [&](std::string& field) {
      if (!m.string) return false;
      field = *m.string;
      return true;
    };
    bool typed = true;
    if (m.key == "serial") typed = text(lot.serial);
    else if (m.key == "asset") typed = text(lot.asset);
    else if (m.key == "holder") typed = text(lot.holder);
    else if (m.key == "pledge") typed = text(lot.pledge);
    else if (m.key == "case") typed = text(lot.freeze_case);
    else if (m.key == "valid_to") typed = text(lot.valid_to);
    else if (m.key == "first" || m.key == "last") {
      typed = !m.string;
      (m.key == "first" ? lot.first : lot.last) = m.integer;
    } else if (m.key == "since") {
      typed = !m.string && m.integer >= 0;
      lot.since = static_cast<std::uint64_t>(m.integer);
    } else if (m.key == "status") {
      auto status = m.string ? status_named(*m.string) : std::nullopt;
      if (!status) return std::nullopt;
      lot.status = *status;
    }
    if (!typed) return std::nullopt;
  }
  // from_json refuses a lot without a status.
  if (std::none_of(members->begin(), members->end(), [](const json::FlatMember& m) { return m.key == "status"; }))
    return std::nullopt;
  return lot;
}

Result<Lot> lot_from_object(const json::Json& doc) {
  Lot lot;
  lot.serial = doc.value("serial", "");
  lot.asset = doc.value("asset", "");
  lot.holder = doc.value("holder", "");
  lot.first = doc.value("first", std::int64_t{0});
  lot.last = doc.value("last", std::int64_t{0});
  auto status = status_named(doc.value("status", ""));
  if (!status) return fail("corruption", "lot has an unknown status");
  lot.status = *status;
  lot.pledge = doc.value("pledge", "");
  lot.freeze_case = doc.value("case", "");
  lot.valid_to = doc.value("valid_to", "");
  lot.since = doc.value("since", std::uint64_t{0});
  return lot;
}

}  // namespace

Result<Lot> Lot::from_json(const json::Json& doc) {
  // nlohmann's value() throws when a member has another type, or doc is not
  // an object: damage to report, not a crash.
  if (!doc.is_object()) return fail("corruption", "a lot is not an object");
  try {
    return lot_from_object(doc);
  } catch (const json::Json::type_error&) {
    return fail("corruption", "a lot has a member of the wrong type");
  }
}

bool is_valid_serial(std::string_view serial) {
  if (serial.empty() || serial.size() > serial_bytes_max) return false;
  for (char c : serial)
    if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_'))
      return false;
  return true;
}

namespace {

std::string padded_unit(std::int64_t unit) {
  ECOLEDGER_CHECK(unit >= 1 && unit <= quantity_max);
  char digits[lot_key_digits + 1];
  std::snprintf(digits, sizeof digits, "%016lld", static_cast<long long>(unit));
  return std::string(digits, lot_key_digits);
}

std::string lot_key_suffix(std::string_view serial, std::int64_t last) {
  std::string suffix;
  suffix.reserve(serial.size() + 1 + lot_key_digits);
  suffix.append(serial).push_back(':');
  suffix.append(padded_unit(last));
  return suffix;
}

// A positive decimal integer of at most quantity_max, without sign or leading zeros.
std::optional<std::int64_t> unit_number(std::string_view text) {
  if (text.empty() || text.front() == '0') return std::nullopt;
  std::int64_t n = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc() || end != text.data() + text.size() || n < 1 || n > quantity_max) return std::nullopt;
  return n;
}

}  // namespace

std::string lot_state_key(const Lot& lot) { return "lot/" + lot_key_suffix(lot.serial, lot.last); }

std::string account_lot_key(std::string_view account, const Lot& lot) {
  std::string key(account_lot_key_prefix);
  key.append(account).push_back('/');
  key.append(lot_key_suffix(lot.serial, lot.last));
  return key;
}

std::optional<std::string> lot_key_suffix_of_id(std::string_view lot_id) {
  const auto colon = lot_id.rfind(':');
  if (colon == std::string_view::npos || !is_valid_serial(lot_id.substr(0, colon))) return std::nullopt;
  const std::string_view range = lot_id.substr(colon + 1);
  const auto dash = range.find('-');
  if (dash == std::string_view::npos) return std::nullopt;
  auto first = unit_number(range.substr(0, dash));
  auto last = unit_number(range.substr(dash + 1));
  if (!first || !last || *first > *last) return std::nullopt;
  return lot_key_suffix(lot_id.substr(0, colon), *last);
}

std::optional<std::string> lot_state_key_of_id(std::string_view lot_id) {
  auto suffix = lot_key_suffix_of_id(lot_id);
  if (!suffix) return std::nullopt;
  return "lot/" + *suffix;
}

Result<Lot> parse_lot(std::string_view value) {
  if (auto lot = lot_from_flat(value)) return *lot;
  auto doc = json::Json::parse(value, nullptr, false);
  if (doc.is_discarded()) return fail("corruption", "a lot is damaged");
  return Lot::from_json(doc);
}

Result<Lot> load_lot(const StateReader& state, std::string_view lot_id) {
  auto unknown = [&] {
    return fail("unknown_lot", "no lot \"" + std::string(lot_id) + "\" (it may have been split; see the serial's history)");
  };
  auto key = lot_state_key_of_id(lot_id);
  if (!key) return unknown();
  auto raw = state.get(*key);
  if (!raw) return unknown();
  auto lot = parse_lot(*raw);
  if (!lot) return fail("corruption", "lot \"" + std::string(lot_id) + "\" is damaged");
  // Stored under the id's last unit, the lot may since have lost its first units.
  if (lot->id() != lot_id) return unknown();
  return lot;
}

void store_lot(StateOverlay& state, const Lot& lot) {
  ECOLEDGER_CHECK(lot.first >= 1 && lot.first <= lot.last);
  state.put(lot_state_key(lot), lot.to_canonical());
  if (state.keeps_query_indexes()) state.put(account_lot_key(lot.holder, lot), "1");
  count_in_holdings(state, lot, +1);
}

void replace_lot(StateOverlay& state, const Lot& before, const Lot& now) {
  ECOLEDGER_CHECK(now.first >= 1 && now.first <= now.last);
  ECOLEDGER_CHECK(before.serial == now.serial && before.last == now.last);
  count_in_holdings(state, before, -1);
  if (before.holder != now.holder && state.keeps_query_indexes()) {
    state.erase(account_lot_key(before.holder, before));
    state.put(account_lot_key(now.holder, now), "1");
  }
  state.put(lot_state_key(now), now.to_canonical());
  count_in_holdings(state, now, +1);
}

std::int64_t& Holdings::of(LotStatus status) {
  switch (status) {
    case LotStatus::free: return free;
    case LotStatus::pledged: return pledged;
    case LotStatus::frozen: return frozen;
    case LotStatus::retired: return retired;
  }
  return free;
}

void Holdings::count(const Lot& lot, int sign) {
  ECOLEDGER_CHECK(sign == 1 || sign == -1);
  const std::int64_t units = sign * lot.quantity();
  std::int64_t& sum = of(lot.status);
  sum += units;
  ECOLEDGER_CHECK(sum >= 0);
  if (!lot.counts_as_expiring()) return;
  auto at = std::lower_bound(expiring.begin(), expiring.end(), lot.valid_to,
                             [](const auto& entry, const std::string& valid_to) { return entry.first < valid_to; });
  if (at == expiring.end() || at->first != lot.valid_to) at = expiring.emplace(at, lot.valid_to, 0);
  at->second += units;
  ECOLEDGER_CHECK(at->second >= 0);
  if (at->second == 0) expiring.erase(at);
}

void Holdings::add(const Holdings& other) {
  free += other.free;
  pledged += other.pledged;
  frozen += other.frozen;
  retired += other.retired;
  std::vector<std::pair<std::string, std::int64_t>> merged;
  merged.reserve(expiring.size() + other.expiring.size());
  auto mine = expiring.begin();
  auto theirs = other.expiring.begin();
  while (mine != expiring.end() || theirs != other.expiring.end()) {
    if (theirs == other.expiring.end() || (mine != expiring.end() && mine->first < theirs->first)) {
      merged.push_back(std::move(*mine));
      ++mine;
    } else if (mine == expiring.end() || theirs->first < mine->first) {
      merged.push_back(*theirs);
      ++theirs;
    } else {
      merged.emplace_back(std::move(mine->first), mine->second + theirs->second);
      ++mine;
      ++theirs;
    }
  }
  expiring = std::move(merged);
}

std::int64_t Holdings::expired_on(std::string_view date) const {
  std::int64_t expired = 0;
  for (auto it = expiring.begin(); it != expiring.end() && it->first < date; ++it) expired += it->second;
  return expired;
}

std::string Holdings::to_text() const {
  std::string text =
      std::to_string(free) + ' ' + std::to_string(frozen) + ' ' + std::to_string(pledged) + ' ' + std::to_string(retired);
  for (const auto& [valid_to, units] : expiring) text.append(" ").append(valid_to).append("=").append(std::to_string(units));
  return text;
}

std::string holdings_key(std::string_view account, std::string_view asset) {
  return std::string(holdings_key_prefix) + std::string(account) + "/" + std::string(asset);
}

namespace {

// Takes a non-negative decimal integer, without sign or leading zeros, from
// the front of text.
std::optional<std::int64_t> take_count(std::string_view& text) {
  std::int64_t n = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  const std::size_t used = static_cast<std::size_t>(end - text.data());
  if (ec != std::errc() || text[0] == '-' || (used > 1 && text[0] == '0')) return std::nullopt;
  text.remove_prefix(used);
  return n;
}

// Takes "YYYY-MM-DD" (its shape; the dates written are those issuance checked) from the front of text.
std::optional<std::string_view> take_date(std::string_view& text) {
  constexpr std::string_view shape = "dddd-dd-dd";
  if (text.size() < shape.size()) return std::nullopt;
  for (std::size_t i = 0; i < shape.size(); ++i)
    if (shape[i] == 'd' ? !(text[i] >= '0' && text[i] <= '9') : text[i] != shape[i]) return std::nullopt;
  std::string_view date = text.substr(0, shape.size());
  text.remove_prefix(shape.size());
  return date;
}

}  // namespace

Result<Holdings> parse_holdings(std::string_view raw) {
  auto damaged = [] { return fail("corruption", "holdings are damaged"); };
  Holdings h;
  bool first = true;
  for (std::int64_t* sum : {&h.free, &h.frozen, &h.pledged, &h.retired}) {
    if (!first && !raw.starts_with(' ')) return damaged();
    if (!first) raw.remove_prefix(1);
    first = false;
    auto n = take_count(raw);
    if (!n) return damaged();
    *sum = *n;
  }
  // Then " <valid_to>=<units>", dates strictly ascending, units positive:
  // one text for each Holdings, as to_text() writes it.
  while (!raw.empty()) {
    if (!raw.starts_with(' ')) return damaged();
    raw.remove_prefix(1);
    auto date = take_date(raw);
    if (!date || !raw.starts_with('=') || (!h.expiring.empty() && *date <= h.expiring.back().first)) return damaged();
    raw.remove_prefix(1);
    if (raw.empty()) return damaged();
    auto units = take_count(raw);
    if (!units || *units == 0) return damaged();
    h.expiring.emplace_back(std::string(*date), *units);
  }
  return h;
}

namespace {

Result<Holdings> load_holdings(const StateReader& state, std::string_view account, std::string_view asset) {
  auto raw = state.get(holdings_key(account, asset));
  if (!raw) return Holdings{};
  return parse_holdings(*raw);
}

}  // namespace

void count_in_holdings(StateOverlay& state, const Lot& lot, int sign) {
  auto holdings = load_holdings(state, lot.holder, lot.asset);
  // The state machine writes holdings only here: damage is not an input error.
  ECOLEDGER_CHECK(holdings.has_value());
  holdings->count(lot, sign);
  std::string key = holdings_key(lot.holder, lot.asset);
  if (holdings->empty()) state.erase(std::move(key));
  else state.put(std::move(key), holdings->to_text());
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
