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
  bool can_expire() const;  // a PRT with a valid_to
  bool counts_as_expiring() const { return can_expire() && status == LotStatus::free; }  // in balexp/ (below)
  bool expired_at(std::string_view record_time) const;  // PRT past valid_to
  json::Json to_json() const;
  std::string to_canonical() const;  // json::canonical(to_json()), built without the Json tree
  static Result<Lot> from_json(const json::Json& doc);
};

bool is_valid_serial(std::string_view serial);
std::string lot_state_key(std::string_view lot_id);
std::string account_lot_key(std::string_view account, std::string_view lot_id);

Result<Lot> parse_lot(std::string_view value);  // a lot/ value; error "corruption"
Result<Lot> load_lot(const StateReader& state, std::string_view lot_id);
// store_lot and erase_lot are the only writers of lots, and they keep the
// holder's Holdings (below) in step; erase_lot takes the lot as stored.
void store_lot(StateOverlay& state, const Lot& lot);
void erase_lot(StateOverlay& state, const Lot& lot);

// Holdings: the sums of one holder's lots of one asset by stored status, so
// that a balance is one lookup however many lots the holder has. Kept under
//   bal/<account>/<asset>                 -> "<free> <frozen> <pledged> <retired>"
//   balexp/<account>/<asset>/<valid_to>   -> "<free units that expire after valid_to>"
// the second for lots that count_as_expiring(). Values are decimal integers,
// not JSON: they are rewritten on every transfer, and JSON cost 15% of
// `bench append`. A key whose sums are all zero is removed, so holdings
// exist exactly for the (holder, asset) pairs with lots.
inline constexpr std::string_view holdings_key_prefix = "bal/";
inline constexpr std::string_view expiring_key_prefix = "balexp/";
struct Holdings {
  std::int64_t free = 0;
  std::int64_t pledged = 0;
  std::int64_t frozen = 0;
  std::int64_t retired = 0;

  std::int64_t& of(LotStatus status);
  bool empty() const { return free == 0 && pledged == 0 && frozen == 0 && retired == 0; }
  bool operator==(const Holdings&) const = default;
  Holdings& operator+=(const Holdings& other) {
    free += other.free;
    pledged += other.pledged;
    frozen += other.frozen;
    retired += other.retired;
    return *this;
  }
  std::string to_text() const;  // the stored value
};

std::string holdings_key(std::string_view account, std::string_view asset);
std::string expiring_key(std::string_view account, std::string_view asset, std::string_view valid_to);
Result<Holdings> parse_holdings(std::string_view raw);
Result<std::int64_t> parse_units(std::string_view raw);  // a balexp value
// Adds (sign +1) or removes (sign -1) lot's units to or from its holder's holdings.
void count_in_holdings(StateOverlay& state, const Lot& lot, int sign);

// Splits off the first `quantity` units: returns {taken, rest}; rest is
// empty when the whole lot is taken. REQUIRES: 0 < quantity <= lot.quantity().
std::pair<Lot, std::optional<Lot>> split_lot(const Lot& lot, std::int64_t quantity);

}  // namespace ecoledger::ledger
