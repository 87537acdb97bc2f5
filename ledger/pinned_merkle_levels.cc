#include "ledger/pinned_merkle_levels.h"

#include <mutex>

#include "ledger/merkle.h"

namespace ecoledger::ledger {

std::optional<crypto::Hash> PinnedMerkleLevels::find(std::uint32_t level, std::uint64_t index) const {
  if (level < merkle_pinned_level_min) return std::nullopt;
  std::shared_lock lock(mutex_);
  const std::size_t at = level - merkle_pinned_level_min;
  if (at >= levels_.size() || index >= levels_[at].size()) return std::nullopt;
  return levels_[at][index];
}

void PinnedMerkleLevels::add(std::uint32_t level, std::uint64_t index, const crypto::Hash& hash) {
  if (level < merkle_pinned_level_min || level >= merkle_levels_max) return;
  std::unique_lock lock(mutex_);
  const std::size_t at = level - merkle_pinned_level_min;
  if (at >= levels_.size()) levels_.resize(at + 1);
  if (index != levels_[at].size()) return;
  levels_[at].push_back(hash);
}

std::uint64_t PinnedMerkleLevels::size() const {
  std::shared_lock lock(mutex_);
  std::uint64_t total = 0;
  for (const auto& level : levels_) total += level.size();
  return total;
}

}  // namespace ecoledger::ledger
