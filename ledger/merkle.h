// RFC 6962 / RFC 9162 §2.1 Merkle tree over the ledger's records.
//
// Hashing (RFC 9162 §2.1.1): a leaf is SHA-256(0x00 || record bytes), an
// interior node SHA-256(0x01 || left || right), the empty tree SHA-256("").
//
// Storage: the tree is kept as its complete subtrees. Node (level L, index i)
// is MTH(D[i·2^L : (i+1)·2^L]) and is written once, when its last leaf is
// appended; it never changes afterwards. Any root, inclusion path or
// consistency path is assembled from O(log n) stored nodes, so a RocksDB
// store can back the tree and a proof never rebuilds it.
//
// Thread-safety: the free functions are pure apart from the reader they are
// given; they are as thread-safe as that reader. MemoryMerkleStore is a plain
// value: concurrent readers are fine, a writer must be alone.
#pragma once

#include <cstdint>
#include <map>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.h"
#include "ledger/crypto.h"

namespace ecoledger::ledger {

// Tree sizes fit in 64 bits, so a stored node's level is below this.
inline constexpr std::uint32_t merkle_levels_max = 64;

// Identifies the complete subtree over leaves [index·2^level, (index+1)·2^level).
struct MerkleNodeId {
  std::uint32_t level;
  std::uint64_t index;
};

// Source of stored complete-subtree hashes. A node that should exist but
// cannot be read is reported as an error (the store decides the code; the
// RocksDB store says "corruption"), never as a made-up hash.
class MerkleNodeReader {
 public:
  virtual ~MerkleNodeReader() = default;
  virtual Result<crypto::Hash> node(std::uint32_t level, std::uint64_t index) const = 0;
  // The hashes of leaves first, first + 1, ..., at most count of them, ending
  // before the first leaf that cannot be read (so a caller that needs that
  // leaf asks node() and gets its error). This default reads them one by one;
  // a store with ordered keys reads them in one scan.
  virtual std::vector<crypto::Hash> leaves(std::uint64_t first, std::uint64_t count) const;
};

// RFC 9162 leaf hash of one record: SHA-256(0x00 || record_bytes).
crypto::Hash merkle_leaf_hash(std::string_view record_bytes);

// RFC 9162 interior node: SHA-256(0x01 || left || right).
crypto::Hash merkle_node_hash(const crypto::Hash& left, const crypto::Hash& right);

// The nodes that become complete when leaf `leaf_index` (== the current tree
// size) with hash `leaf_hash` is appended: (0, leaf_index), then each parent
// it completes. Reads only the left siblings, at most 63 of them. The caller
// writes the returned nodes atomically with the record. Error "tree_full" if
// the size would no longer fit in 64 bits.
Result<std::vector<std::pair<MerkleNodeId, crypto::Hash>>> merkle_append(const MerkleNodeReader& reader, std::uint64_t leaf_index,
                                                                          const crypto::Hash& leaf_hash);

// MTH of the first `size` leaves; SHA-256("") for size 0.
// REQUIRES: size <= the number of leaves the reader holds (else the reader's error).
Result<crypto::Hash> merkle_root(const MerkleNodeReader& reader, std::uint64_t size);

// RFC 9162 §2.1.3.1 PATH(leaf_index, D[0:size]), leaf-to-root order.
// Error "proof_range" unless leaf_index < size.
Result<std::vector<crypto::Hash>> merkle_inclusion_path(const MerkleNodeReader& reader, std::uint64_t leaf_index, std::uint64_t size);

// RFC 9162 §2.1.4.1 PROOF(old_size, D[0:new_size]); empty when the sizes are equal.
// Error "proof_range" unless 0 < old_size <= new_size.
Result<std::vector<crypto::Hash>> merkle_consistency_path(const MerkleNodeReader& reader, std::uint64_t old_size, std::uint64_t new_size);

// RFC 9162 §2.1.3.2, step for step. False (never a crash) for any bad index,
// size, path length or hash.
bool merkle_verify_inclusion(std::uint64_t leaf_index, std::uint64_t size, const crypto::Hash& leaf_hash,
                             const std::vector<crypto::Hash>& path, const crypto::Hash& root);

// RFC 9162 §2.1.4.2, step for step, for 0 < old_size < new_size. For
// old_size == new_size (which the RFC leaves out) the proof is empty and the
// roots must be equal, matching what merkle_consistency_path produces.
bool merkle_verify_consistency(std::uint64_t old_size, std::uint64_t new_size, const crypto::Hash& old_root, const crypto::Hash& new_root,
                               const std::vector<crypto::Hash>& path);

// Every node in a std::map: for tests, the auditor and tools. Owns its nodes.
// Reading a node that is not (yet) complete gives error "not_found".
class MemoryMerkleStore final : public MerkleNodeReader {
 public:
  Result<crypto::Hash> node(std::uint32_t level, std::uint64_t index) const override;
  void append(const crypto::Hash& leaf_hash);
  std::uint64_t size() const { return size_; }

 private:
  std::map<std::pair<std::uint32_t, std::uint64_t>, crypto::Hash> nodes_;
  std::uint64_t size_ = 0;
};

}  // namespace ecoledger::ledger
