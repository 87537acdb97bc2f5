// Read-only queries over the ledger state, as JSON documents: the shapes the
// CLI's `show` prints and the node serves (docs/FORMAT.md, "Queries").
// `time` is the time at which PRT expiry is judged (normally the last
// record's time). Thread-safety: reads only.
#pragma once

#include <string>

#include "base/json.h"
#include "base/result.h"
#include "ledger/state.h"

namespace ecoledger::ledger {

inline constexpr std::size_t query_items_max = 10000;

Result<json::Json> query_account(const StateReader& state, const std::string& account, const std::string& time);
Result<json::Json> query_account_lots(const StateReader& state, const std::string& account, const std::string& time);
Result<json::Json> query_lot(const StateReader& state, const std::string& lot_id, const std::string& time);
Result<json::Json> query_serial(const StateReader& state, const std::string& serial, const std::string& time);
Result<json::Json> query_pledge(const StateReader& state, const std::string& pledge);
Result<json::Json> query_bank_pledges(const StateReader& state, const std::string& bank, bool open_only);
// Prices as published, newest first per asset/kind.
json::Json query_prices(const StateReader& state);

// The registry's invariants over the whole state: per serial the lots cover
// [1, issued] exactly once; every pledged lot has its open pledge and back;
// every lot is indexed under its holder. Error "invariant_broken".
Status check_invariants(const StateReader& state);

}  // namespace ecoledger::ledger
