// The journal record around a transaction (docs/FORMAT.md, section 4):
//
//   {"seq":N,"prev":"<hash of record N-1>","time":"<RFC 3339 ms>","tx":{...}}
//
// in JCS form (members sorted). The node writes records and the auditor checks
// them against it, so both build it here, from the transaction's own
// canonical form.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace ecoledger::ledger {

// The prev of record 0: 64 zeros.
inline constexpr std::string_view genesis_prev_hex = "0000000000000000000000000000000000000000000000000000000000000000";
static_assert(genesis_prev_hex.size() == 64);

// REQUIRES: tx_canonical is the transaction's canonical form (Transaction::canonical_bytes).
std::string encode_record(std::int64_t seq, std::string_view prev_hex, std::string_view time, std::string tx_canonical);

}  // namespace ecoledger::ledger
