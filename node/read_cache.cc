#include "node/read_cache.h"

namespace ecoledger::node {

std::optional<std::string> ReadCache::find(std::string_view target, std::uint64_t ledger_size) {
  if (bytes_max_ == 0) return std::nullopt;
  {
    std::lock_guard lock(mutex_);
    if (ledger_size == ledger_size_)
      if (auto it = entries_.find(std::string(target)); it != entries_.end()) {
        hits_.fetch_add(1, std::memory_order_relaxed);
        return it->second;
      }
  }
  misses_.fetch_add(1, std::memory_order_relaxed);
  return std::nullopt;
}

void ReadCache::store(std::string_view target, std::uint64_t ledger_size, const std::string& body) {
  const std::size_t cost = target.size() + body.size();
  if (bytes_max_ == 0 || cost > bytes_max_ / 16) return;  // one answer never crowds out the rest
  std::lock_guard lock(mutex_);
  // An answer computed at an older size is already stale; a newer size retires every entry.
  if (ledger_size < ledger_size_) return;
  if (ledger_size > ledger_size_ || bytes_ + cost > bytes_max_) {
    entries_.clear();
    bytes_ = 0;
    ledger_size_ = ledger_size;
  }
  auto [it, added] = entries_.try_emplace(std::string(target), body);
  if (added) bytes_ += cost;
}

std::string ReadCache::metrics_text() const {
  std::size_t bytes = 0;
  {
    std::lock_guard lock(mutex_);
    bytes = bytes_;
  }
  std::string out;
  out += "# HELP ecoledger_read_cache_hits_total State reads answered from the read cache.\n";
  out += "# TYPE ecoledger_read_cache_hits_total counter\n";
  out += "ecoledger_read_cache_hits_total " + std::to_string(hits_.load()) + "\n";
  out += "# HELP ecoledger_read_cache_misses_total State reads computed from the state.\n";
  out += "# TYPE ecoledger_read_cache_misses_total counter\n";
  out += "ecoledger_read_cache_misses_total " + std::to_string(misses_.load()) + "\n";
  out += "# HELP ecoledger_read_cache_bytes Bytes of answers held by the read cache.\n";
  out += "# TYPE ecoledger_read_cache_bytes gauge\n";
  out += "ecoledger_read_cache_bytes " + std::to_string(bytes) + "\n";
  return out;
}

}  // namespace ecoledger::node
