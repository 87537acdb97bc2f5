#include "ledger/value_cache.h"

#include "base/check.h"

namespace ecoledger::ledger {

ValueCache::Lookup ValueCache::find(const std::string& key) const {
  std::lock_guard lock(mutex_);
  if (auto it = entries_.find(key); it != entries_.end()) return {it->second, 0};
  return {std::nullopt, writes_finished_};
}

void ValueCache::fill(const std::string& key, const std::string& value, std::uint64_t ticket) {
  const std::size_t bytes = charge(key.size(), value.size());
  if (bytes > bytes_max_) return;
  std::lock_guard lock(mutex_);
  if (ticket != writes_finished_ || entries_.contains(key)) return;
  const std::size_t hint = entries_.hash_function()(key);
  while (bytes_ + bytes > bytes_max_) evict_one(hint);
  entries_.emplace(key, value);
  bytes_ += bytes;
}

void ValueCache::evict_one(std::size_t hint) {
  ECOLEDGER_CHECK(!entries_.empty());
  // The first entry of the first non-empty bucket from the hint's: as good
  // as random for a hit rate, and deterministic.
  const std::size_t buckets = entries_.bucket_count();
  for (std::size_t i = 0;; ++i) {
    const std::size_t bucket = (hint + i) % buckets;
    if (entries_.bucket_size(bucket) == 0) continue;
    auto it = entries_.find(entries_.begin(bucket)->first);
    bytes_ -= charge(it->first.size(), it->second.size());
    entries_.erase(it);
    return;
  }
}

void ValueCache::written(const std::map<std::string, std::optional<std::string>, std::less<>>& writes) {
  std::lock_guard lock(mutex_);
  ++writes_finished_;
  for (const auto& [key, value] : writes) {
    auto it = entries_.find(key);
    if (it == entries_.end()) continue;
    bytes_ -= charge(it->first.size(), it->second.size());
    if (value && charge(key.size(), value->size()) <= bytes_max_) {
      it->second = *value;
      bytes_ += charge(key.size(), value->size());
    } else {
      entries_.erase(it);
    }
  }
  // A value that grew may have taken the cache over its budget.
  while (bytes_ > bytes_max_) evict_one(writes_finished_);
}

std::size_t ValueCache::bytes() const {
  std::lock_guard lock(mutex_);
  return bytes_;
}

std::size_t ValueCache::entries() const {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

}  // namespace ecoledger::ledger
