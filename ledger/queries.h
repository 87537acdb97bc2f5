// Read-only queries over the ledger state, as JSON documents: the shapes the
// CLI's `show` prints and the node serves (docs/FORMAT.md, "Queries").
// `time` is the time at which PRT expiry is judged (normally the last
// record's time). Thread-safety: reads only.
#pragma once

#include <string>
#include <string_view>

#include "base/json.h"
#include "base/result.h"
#include "ledger/state.h"
#include "ledger/state_machine.h"

namespace ecoledger::ledger {

inline constexpr std::size_t query_items_max = 10000;

Result<json::Json> query_account(const StateReader& state, const std::string& account, const std::string& time);
// One page of the account's lots in lot id order: those after `after` ("":
// from the first), at most `limit` (1..account_lots_page_max). The answer
// carries "next", the id to pass as `after`, when more follow.
inline constexpr std::size_t account_lots_page_max = 1000;
Result<json::Json> query_account_lots(const StateReader& state, const std::string& account, const std::string& time,
                                      std::string_view after = "", std::uint64_t limit = account_lots_page_max);
Result<json::Json> query_lot(const StateReader& state, const std::string& lot_id, const std::string& time);
Result<json::Json> query_serial(const StateReader& state, const std::string& serial, const std::string& time);
Result<json::Json> query_pledge(const StateReader& state, const std::string& pledge);
Result<json::Json> query_bank_pledges(const StateReader& state, const std::string& bank, bool open_only);
// Prices as published, newest first per asset/kind.
json::Json query_prices(const StateReader& state);

// The registry's invariants over the whole state: per serial the lots cover
// [1, issued] exactly once; every pledged lot has its open pledge and back;
// every lot is indexed under its holder (unless the query indexes were
// dropped from state). Error "invariant_broken". Reads state on all cores:
// state must allow concurrent const reads (every StateReader here does).
inline constexpr std::size_t invariant_serials_per_block = 4096;
Status check_invariants(const StateReader& state, QueryIndexes indexes = QueryIndexes::kept);

}  // namespace ecoledger::ledger
