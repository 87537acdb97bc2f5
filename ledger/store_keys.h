// The keys of the ledger's RocksDB store (docs/FORMAT.md §10), for the store
// and for the move of a ledger written before the column families.
//
// The journal (records and the Merkle nodes below the pinned levels) is only
// ever appended, and its keys grow with the ledger: kept apart from the state
// in column families of its own, each flushed file lies after every file
// already there, and RocksDB moves it down the levels without rewriting it.
// In the default family with the state, every compaction from level 0
// rewrote it too: half of the bytes of a 5,000,000-record ledger, and most
// of the CPU its compactions took (bench/RESULTS.md, 2026-12-07).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "ledger/pinned_merkle_levels.h"

namespace ecoledger::ledger::store_keys {

inline constexpr char records_family[] = "records";
inline constexpr char merkle_family[] = "merkle";

inline std::string be64(std::uint64_t v) {
  std::string out(8, '\0');
  for (int i = 7; i >= 0; --i) {
    out[i] = static_cast<char>(v & 0xFF);
    v >>= 8;
  }
  return out;
}

inline std::uint64_t read_be64(std::string_view s) {
  std::uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<std::uint8_t>(s[i]);
  return v;
}

// Records family: seq -> the record's JCS bytes.
inline constexpr std::size_t record_key_bytes = 8;
inline std::string record_key(std::uint64_t seq) { return be64(seq); }

// Merkle family: a node below merkle_pinned_level_min under the last leaf it
// covers, then its level, so that a node's key follows those of every node
// completed before it. Nothing for a node that would end past the last
// possible leaf (no such node exists). Unsigned arithmetic wraps, so the
// node that ends on leaf 2^64 - 1 gets that leaf.
inline constexpr std::size_t chunk_node_key_bytes = 9;
inline std::optional<std::string> chunk_node_key(std::uint32_t level, std::uint64_t index) {
  if (level >= merkle_pinned_level_min || index > (~std::uint64_t{0} >> level)) return std::nullopt;
  const std::uint64_t last_leaf = ((index + 1) << level) - 1;
  return be64(last_leaf) + static_cast<char>(level);
}

// Default family: a node from merkle_pinned_level_min up, level then index
// (few, and loaded into memory level by level at open).
inline constexpr std::size_t upper_node_key_bytes = 10;
inline std::string upper_node_key(std::uint32_t level, std::uint64_t index) {
  return std::string("M") + static_cast<char>(level) + be64(index);
}

// The layout before the column families, all in the default family: 'R' seq
// for records and 'M' level index for every Merkle node.
inline constexpr std::string_view legacy_record_prefix = "R";
inline constexpr std::size_t legacy_record_key_bytes = 9;
// The first key past every legacy record key ('R' seq): the next prefix.
inline std::string legacy_record_range_end() { return std::string(1, static_cast<char>(legacy_record_prefix[0] + 1)); }

}  // namespace ecoledger::ledger::store_keys
