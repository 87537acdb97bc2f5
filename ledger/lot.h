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
#include <utility>
#include <vector>

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
  bool counts_as_expiring() const { return can_expire() && status == LotStatus::free; }  // in Holdings::expiring (below)
  bool expired_at(std::string_view record_time) const;  // PRT past valid_to
  json::Json to_json() const;
  std::string to_canonical() const;  // json::canonical(to_json()), built without the Json tree
  static Result<Lot> from_json(const json::Json& doc);
};

bool is_valid_serial(std::string_view serial);

// State keys of a lot (layout version 3):
//   lot/<serial>:<last>               -> the lot (Lot::to_canonical)
//   acctlot/<holder>/<serial>:<last>  -> "1" (the index of lots by holder)
// with <last>, the range's last unit, in lot_key_digits decimal digits. A
// lot is keyed by where its range ends, which a partial operation leaves to
// the rest (it takes the first units): the rest is written over its own
// entry, and its holder's index entry stays. Keys sort by serial, then by
// range. The id <serial>:<first>-<last> names the lot outside the state.
inline constexpr std::size_t lot_key_digits = 16;
static_assert(quantity_max < 10'000'000'000'000'000, "a unit number fits lot_key_digits digits");
std::string lot_state_key(const Lot& lot);
std::string account_lot_key(std::string_view account, const Lot& lot);
// The key part <serial>:<last> of the lot named by a lot id, or nullopt when
// the text is not a lot id (positive decimal integers, no leading zeros).
std::optional<std::string> lot_key_suffix_of_id(std::string_view lot_id);
// The key the lot named by a lot id is stored under, if the text is a lot id.
std::optional<std::string> lot_state_key_of_id(std::string_view lot_id);

Result<Lot> parse_lot(std::string_view value);  // a lot/ value; error "corruption"
// The lot of that id: "unknown_lot" unless a lot with exactly that range is stored.
Result<Lot> load_lot(const StateReader& state, std::string_view lot_id);
// store_lot and replace_lot are the only writers of lots, and they keep the
// holder index and the holders' Holdings (below) in step. store_lot adds a
// new lot; replace_lot writes `now` over `before` (as stored), whose key it
// keeps. REQUIRES (replace_lot): the same serial and last unit.
void store_lot(StateOverlay& state, const Lot& lot);
void replace_lot(StateOverlay& state, const Lot& before, const Lot& now);

// Holdings: the sums of one holder's lots of one asset by stored status, and
// of the free units of lots that count_as_expiring() by their valid_to, so
// that a balance is one lookup however many lots the holder has. Kept under
//   bal/<account>/<asset> -> "<free> <frozen> <pledged> <retired>" then, for
//                            each valid_to in ascending order, " <valid_to>=<units>"
// Values are decimal integers without sign or leading zeros, not JSON: they
// are rewritten on every transfer, and JSON cost 15% of `bench append`. A
// key whose sums are all zero is removed, so holdings exist exactly for the
// (holder, asset) pairs with lots; a valid_to whose units are zero is left out.
inline constexpr std::string_view holdings_key_prefix = "bal/";
// Layout version 2 kept the expiring units apart, under
// balexp/<account>/<asset>/<valid_to>; Ledger::open folds them in.
inline constexpr std::string_view expiring_key_prefix_v2 = "balexp/";
struct Holdings {
  std::int64_t free = 0;
  std::int64_t pledged = 0;
  std::int64_t frozen = 0;
  std::int64_t retired = 0;
  // valid_to -> free units that expire after it, ascending by valid_to, no
  // zero units; a holder has one per term of its rights, so a few at most.
  std::vector<std::pair<std::string, std::int64_t>> expiring;

  std::int64_t& of(LotStatus status);
  // Adds (sign +1) or removes (sign -1) lot's units. REQUIRES: no sum goes below zero.
  void count(const Lot& lot, int sign);
  // Adds other's sums (the holdings of more lots of the same holder and asset).
  void add(const Holdings& other);
  // The free units whose right ended before `date` (YYYY-MM-DD).
  std::int64_t expired_on(std::string_view date) const;
  bool empty() const { return free == 0 && pledged == 0 && frozen == 0 && retired == 0 && expiring.empty(); }
  bool operator==(const Holdings&) const = default;
  std::string to_text() const;  // the stored value
};

std::string holdings_key(std::string_view account, std::string_view asset);
Result<Holdings> parse_holdings(std::string_view raw);
// Adds (sign +1) or removes (sign -1) lot's units to or from its holder's holdings.
void count_in_holdings(StateOverlay& state, const Lot& lot, int sign);

// Splits off the first `quantity` units: returns {taken, rest}; rest is
// empty when the whole lot is taken. REQUIRES: 0 < quantity <= lot.quantity().
std::pair<Lot, std::optional<Lot>> split_lot(const Lot& lot, std::int64_t quantity);

}  // namespace ecoledger::ledger
