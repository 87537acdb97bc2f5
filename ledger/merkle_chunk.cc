#include "ledger/merkle_chunk.h"

#include <algorithm>

#include "base/check.h"

namespace ecoledger::ledger {

MerkleChunkReader::MerkleChunkReader(const MerkleNodeReader& reader, std::uint64_t leaf_index, std::uint64_t tree_size)
    : reader_(reader), chunk_index_(leaf_index >> merkle_chunk_levels) {
  ECOLEDGER_CHECK(leaf_index < tree_size);
  constexpr std::uint64_t chunk_leaves = std::uint64_t{1} << merkle_chunk_levels;
  const std::uint64_t first = chunk_index_ << merkle_chunk_levels;
  levels_.reserve(merkle_chunk_levels);
  levels_.push_back(reader.leaves(first, std::min(chunk_leaves, tree_size - first)));
  // Level L + 1 pairs level L's nodes; an unpaired last node (the chunk's
  // leaves ran out) has no complete parent.
  for (std::uint32_t level = 1; level < merkle_chunk_levels; ++level) {
    const std::vector<crypto::Hash>& below = levels_.back();
    std::vector<crypto::Hash> above;
    above.reserve(below.size() / 2);
    for (std::size_t j = 0; j + 1 < below.size(); j += 2) above.push_back(merkle_node_hash(below[j], below[j + 1]));
    levels_.push_back(std::move(above));
  }
}

Result<crypto::Hash> MerkleChunkReader::node(std::uint32_t level, std::uint64_t index) const {
  if (level < merkle_chunk_levels && (index >> (merkle_chunk_levels - level)) == chunk_index_) {
    const std::uint64_t local = index - (chunk_index_ << (merkle_chunk_levels - level));
    if (local < levels_[level].size()) return levels_[level][local];
  }
  return reader_.node(level, index);
}

}  // namespace ecoledger::ledger
