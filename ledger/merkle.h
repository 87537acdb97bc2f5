// RFC 6962 / RFC 9162 §2.1 Merkle tree over the ledger's records.
//
// The tree is stored as its complete subtrees: node (level L, index i) is
// the hash of leaves [i·2^L, (i+1)·2^L) and is written once, when it becomes
// complete. Any root, inclusion path or consistency path is then assembled
// from O(log n) stored nodes, never by rebuilding the tree.
// Thread-safety: pure functions over a MerkleNodeReader.
#pragma once

#include <cstdint>
#include <map>
#include <utility>
#include <vector>

#include "base/result.h"
#include "ledger/crypto.h"

namespace ecoledger::ledger {

struct MerkleNodeId {
  std::uint32_t level;
  std::uint64_t index;
};

class MerkleNodeReader {
 public:
  virtual ~MerkleNodeReader() = default;
  virtual Result<crypto::Hash> node(std::uint32_t level, std::uint64_t index) const = 0;
};

// The nodes completed by appending leaf `leaf_index` (== the current size).
Result<std::vector<std::pair<MerkleNodeId, crypto::Hash>>> merkle_append(const MerkleNodeReader& reader, std::uint64_t leaf_index,
                                                                          const crypto::Hash& leaf_hash);
Result<crypto::Hash> merkle_root(const MerkleNodeReader& reader, std::uint64_t size);
// RFC 9162 2.1.3.1; "proof_range" unless leaf_index < size.
Result<std::vector<crypto::Hash>> merkle_inclusion_path(const MerkleNodeReader& reader, std::uint64_t leaf_index, std::uint64_t size);
// RFC 9162 2.1.4.1; "proof_range" unless 0 < old_size <= new_size.
Result<std::vector<crypto::Hash>> merkle_consistency_path(const MerkleNodeReader& reader, std::uint64_t old_size, std::uint64_t new_size);
// RFC 9162 2.1.3.2 and 2.1.4.2.
bool merkle_verify_inclusion(std::uint64_t leaf_index, std::uint64_t size, const crypto::Hash& leaf_hash,
                             const std::vector<crypto::Hash>& path, const crypto::Hash& root);
bool merkle_verify_consistency(std::uint64_t old_size, std::uint64_t new_size, const crypto::Hash& old_root, const crypto::Hash& new_root,
                               const std::vector<crypto::Hash>& path);

// Keeps every node in memory: for tests and tools.
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
