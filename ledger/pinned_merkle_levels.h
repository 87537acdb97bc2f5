// The upper levels of the stored Merkle tree, held in memory.
//
// An inclusion proof on a ledger of n records reads about log2(n) sibling
// nodes and the popcount(n) nodes of the root, each a RocksDB lookup, and on
// a large ledger most of them miss the block cache (the records crowd it).
// Nodes at level merkle_pinned_level_min and above are few, n / 2^(min-1) in
// all (32 bytes each: n bytes for min 6, under 1 MiB at a million records,
// against about 620 bytes of disk per record), and sit on every proof's
// path: keeping them in memory leaves a proof the lower levels, which it
// computes from its chunk's leaves (merkle_chunk.h). Min 6 rather than 8
// took about a fifth off the inclusion proof's p99 on a 1,000,000-record
// ledger (bench/RESULTS.md, 2026-12-05). Nodes
// never change once written, so the copy can only lag the store (then the
// store answers), never differ.
// Thread-safety: find() from any thread, add() from the one writer.
#pragma once

#include <cstdint>
#include <optional>
#include <shared_mutex>
#include <vector>

#include "ledger/crypto.h"

namespace ecoledger::ledger {

inline constexpr std::uint32_t merkle_pinned_level_min = 6;

class PinnedMerkleLevels {
 public:
  // The node, when its level is pinned and it has been added.
  std::optional<crypto::Hash> find(std::uint32_t level, std::uint64_t index) const;
  // Adds a node now durable in the store. Nodes of a level are added in index
  // order from 0; one that does not come next (or is below the pinned levels)
  // is left to the store.
  void add(std::uint32_t level, std::uint64_t index, const crypto::Hash& hash);
  // Nodes held (for tests).
  std::uint64_t size() const;

 private:
  mutable std::shared_mutex mutex_;
  std::vector<std::vector<crypto::Hash>> levels_;  // [level - merkle_pinned_level_min][index]
};

}  // namespace ecoledger::ledger
