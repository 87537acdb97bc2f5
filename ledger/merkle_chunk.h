// The Merkle nodes under the pinned levels, for one proof, from one scan.
//
// Every node an inclusion proof needs below level merkle_pinned_level_min
// (the levels PinnedMerkleLevels leaves to the store) lies inside the aligned
// chunk of 2^merkle_pinned_level_min leaves that holds the proved leaf, and
// is a hash over that chunk's leaves. Read one lookup per level, those nodes
// sit in as many distant parts of the store's key space and, on a ledger
// larger than the block cache, each lookup is apt to miss it; the leaves of a
// chunk are adjacent keys (64 of them, about 2.7 KiB), read in one scan, and
// the 63 nodes over them take 63 SHA-256 hashes of 65 bytes.
// On a 1,000,000-record ledger this took the inclusion proof's p99 from
// 160 to 114 µs, and the consistency proof's, measured alone, from 201 to
// 141 µs (medians of 5 interleaved runs, bench/RESULTS.md, 2026-12-06).
//
// The nodes it answers are recomputed, not read, but equal to the stored ones
// by the definition of the tree (merkle.h); a node it cannot compute (outside
// the chunk, or over a leaf the scan did not return) goes to the reader.
// Thread-safety: a value for one proof on one thread; the reader it wraps
// must outlive it.
#pragma once

#include <cstdint>
#include <vector>

#include "ledger/merkle.h"
#include "ledger/pinned_merkle_levels.h"

namespace ecoledger::ledger {

// A chunk covers the levels below the pinned ones.
inline constexpr std::uint32_t merkle_chunk_levels = merkle_pinned_level_min;

class MerkleChunkReader final : public MerkleNodeReader {
 public:
  // Reads the leaves of the chunk holding leaf_index that lie below
  // tree_size (a proof on a tree of that size needs no others) and hashes
  // every complete node over them. REQUIRES: leaf_index < tree_size.
  MerkleChunkReader(const MerkleNodeReader& reader, std::uint64_t leaf_index, std::uint64_t tree_size);

  Result<crypto::Hash> node(std::uint32_t level, std::uint64_t index) const override;

 private:
  const MerkleNodeReader& reader_;
  std::uint64_t chunk_index_;
  // levels_[L][j]: node (L, (chunk_index_ << (merkle_chunk_levels - L)) + j).
  std::vector<std::vector<crypto::Hash>> levels_;
};

}  // namespace ecoledger::ledger
