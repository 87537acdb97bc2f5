// The state machine: applies one transaction to the ledger state, or refuses
// it with a stable error code and no writes.
//
// It is deterministic: the outcome depends only on the prior state, the
// transaction and the record's seq and time, so the node at append time and
// the auditor at replay reach the same state byte for byte.
// Thread-safety: stateless functions; the overlay is the caller's.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>

#include "base/result.h"
#include "ledger/signature_check.h"
#include "ledger/state.h"
#include "ledger/transaction.h"

namespace ecoledger::ledger {

inline constexpr const char* account_roles[] = {"holder", "bank", "registry", "regulator", "verifier", "oracle", "auditor"};
inline constexpr std::size_t account_keys_max = 16;
inline constexpr std::size_t account_name_bytes_max = 256;

// The state layout's version, written by the genesis. Version 2 added the
// holdings (ledger/lot.h); version 3 keys lots by their last unit and keeps
// expiring units inside the holdings, so that a transfer writes six state
// entries instead of eleven. A ledger of an earlier layout (no key: before
// holdings) is brought to this one when it is opened (Ledger::open).
inline constexpr const char* state_version_key = "meta/state_version";
inline constexpr const char* state_version = "3";

// The query indexes: state the state machine writes for queries and never
// reads, namely a serial's history and the index of lots by holder. A replay
// that proves a journal without comparing its state with a node's may leave
// them out (`ecoledger audit --records` and `--url`): they are four of the
// about fourteen entries a transfer writes. Over a state that leaves them out
// (StateReader::keeps_query_indexes) the state machine does not build them.
inline constexpr std::string_view history_key_prefix = "hist/";
inline constexpr std::string_view account_lot_key_prefix = "acctlot/";
enum class QueryIndexes { kept, dropped };
bool is_query_index_key(std::string_view key);
// The keys the state machine reads back: all but the query indexes.
bool is_read_back_key(std::string_view key);

struct TxContext {
  const Transaction& tx;
  std::uint64_t seq;
  std::string time;                      // RFC 3339 UTC with milliseconds
  std::set<std::string> signers;         // accounts with a valid signature by a key in force
  // History events this transaction has added, per serial: the next event's
  // number without a lookup (ledger/registry.cc, add_history).
  mutable std::map<std::string, int, std::less<>> history_events{};
};

// Verifies signatures (every one must be by a key in force and valid), then
// applies the transaction's type. Refusal codes are listed in docs/FORMAT.md.
// signatures answers whether a signature by a key in force verifies. A
// refused transaction leaves state as it was.
Status apply_transaction(const Transaction& tx, std::uint64_t seq, const std::string& time, StateOverlay& state,
                         const SignatureCheck& signatures = inline_signature_check());

// Helpers shared by transaction handlers.
std::string account_key(std::string_view account);
std::optional<std::string> account_role(const StateReader& state, std::string_view account);
bool signed_by_role(const TxContext& ctx, const StateReader& state, std::string_view role);

}  // namespace ecoledger::ledger
