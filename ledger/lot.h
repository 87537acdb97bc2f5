// Lot: a serial range [first, last] of base units with one holder and one
// status. Lot id grammar: <serial>:<first>-<last> (1-based, inclusive), for
// example FCT-350428-2021-000001:1-12723000.
//
// A partial operation takes the first `quantity` units of a lot; the rest
// keeps the remaining range, so every base unit keeps one identity from
// issuance to retirement.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "base/json.h"
#include "base/result.h"
#include "ledger/state.h"

namespace ecoledger::ledger {

inline constexpr std::size_t serial_bytes_max = 64;
inline constexpr std::int64_t quantity_max = json::json_integer_abs_max;

enum class LotStatus { free, pledged, frozen, retired };
const char* to_string(LotStatus s);

struct Lot {
  std::string serial;
  std::string asset;  // FCT, PRT, CSC
  std::string holder;
  std::int64_t first = 0;
  std::int64_t last = 0;
  LotStatus status = LotStatus::free;
  std::string pledge;    // when pledged
  std::string freeze_case;  // when frozen
  std::string valid_to;  // PRT only: the right's last day
  std::uint64_t since = 0;  // seq of the record that gave the lot this state

  std::string id() const;
  std::int64_t quantity() const { return last - first + 1; }
  bool expired_at(std::string_view record_time) const;  // PRT past valid_to
  json::Json to_json() const;
  static Result<Lot> from_json(const json::Json& doc);
};

bool is_valid_serial(std::string_view serial);
std::string lot_state_key(std::string_view lot_id);
std::string account_lot_key(std::string_view account, std::string_view lot_id);

Result<Lot> load_lot(const StateReader& state, std::string_view lot_id);
void store_lot(StateOverlay& state, const Lot& lot);
void erase_lot(StateOverlay& state, const Lot& lot);

// Splits off the first `quantity` units: returns {taken, rest}; rest is
// empty when the whole lot is taken. REQUIRES: 0 < quantity <= lot.quantity().
std::pair<Lot, std::optional<Lot>> split_lot(const Lot& lot, std::int64_t quantity);

}  // namespace ecoledger::ledger
