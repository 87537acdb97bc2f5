#include "ledger/value_cache.h"

#include <vector>

#include "base/check.h"

namespace ecoledger::ledger {

ValueCache::Lookup ValueCache::find(const std::string& key) const {
  const Shard& shard = shards_[shard_of(hash_of(key))];
  std::lock_guard lock(shard.mutex);
  if (auto it = shard.entries.find(key); it != shard.entries.end()) return {it->second, 0};
  return {std::nullopt, shard.writes_finished};
}

void ValueCache::fill(const std::string& key, const std::string& value, std::uint64_t ticket) {
  if (charge(key.size(), value.size()) > shard_bytes_max_) return;  // without taking the lock
  const std::size_t hash = hash_of(key);
  Shard& shard = shards_[shard_of(hash)];
  std::lock_guard lock(shard.mutex);
  if (ticket != shard.writes_finished || shard.entries.contains(key)) return;
  add(shard, hash, key, value);
}

void ValueCache::add(Shard& shard, std::size_t hash, const std::string& key, const std::string& value) {
  const std::size_t bytes = charge(key.size(), value.size());
  if (bytes > shard_bytes_max_) return;
  while (shard.bytes + bytes > shard_bytes_max_) evict_one(shard, hash);
  shard.entries.emplace(key, value);
  shard.bytes += bytes;
}

void ValueCache::evict_one(Shard& shard, std::size_t hint) {
  ECOLEDGER_CHECK(!shard.entries.empty());
  // The first entry of the first non-empty bucket from the hint's: as good
  // as random for a hit rate, and deterministic.
  const std::size_t buckets = shard.entries.bucket_count();
  for (std::size_t i = 0;; ++i) {
    const std::size_t bucket = (hint + i) % buckets;
    if (shard.entries.bucket_size(bucket) == 0) continue;
    auto it = shard.entries.find(shard.entries.begin(bucket)->first);
    shard.bytes -= charge(it->first.size(), it->second.size());
    shard.entries.erase(it);
    return;
  }
}

void ValueCache::written(const std::map<std::string, std::optional<std::string>, std::less<>>& writes, KeepNew keep_new) {
  // Each key hashed once and listed with its hash under its shard, then one
  // visit per shard under its lock.
  using Write = std::map<std::string, std::optional<std::string>, std::less<>>::value_type;
  struct Hashed {
    const Write* write;
    std::size_t hash;
  };
  std::array<std::vector<Hashed>, shard_count> by_shard;
  for (const Write& write : writes) {
    const std::size_t hash = hash_of(write.first);
    by_shard[shard_of(hash)].push_back({&write, hash});
  }
  for (std::size_t s = 0; s < shard_count; ++s) {
    // A shard none of whose keys were written keeps its tickets: what its
    // readers read from the store is what the store still holds.
    if (by_shard[s].empty()) continue;
    Shard& shard = shards_[s];
    std::lock_guard lock(shard.mutex);
    ++shard.writes_finished;
    for (const Hashed& hashed : by_shard[s]) {
      const auto& [key, value] = *hashed.write;
      auto it = shard.entries.find(key);
      if (it == shard.entries.end()) {
        if (value && keep_new != nullptr && keep_new(key)) add(shard, hashed.hash, key, *value);
        continue;
      }
      shard.bytes -= charge(it->first.size(), it->second.size());
      if (value && charge(key.size(), value->size()) <= shard_bytes_max_) {
        it->second = *value;
        shard.bytes += charge(key.size(), value->size());
      } else {
        shard.entries.erase(it);
      }
    }
    // A value that grew may have taken the shard over its budget.
    while (shard.bytes > shard_bytes_max_) evict_one(shard, shard.writes_finished);
  }
}

std::size_t ValueCache::bytes() const {
  std::size_t total = 0;
  for (const Shard& shard : shards_) {
    std::lock_guard lock(shard.mutex);
    total += shard.bytes;
  }
  return total;
}

std::size_t ValueCache::entries() const {
  std::size_t total = 0;
  for (const Shard& shard : shards_) {
    std::lock_guard lock(shard.mutex);
    total += shard.entries.size();
  }
  return total;
}

}  // namespace ecoledger::ledger
