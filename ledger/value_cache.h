// ValueCache: values read from a key-value store (and, when the writer asks,
// values it wrote), kept in memory in front of it, within a byte budget, for
// readers on several threads while one writer writes the store.
//
// The race it closes: a reader misses, reads the old value from the store, a
// writer writes a new one, and the reader then caches the old value for
// good. So a reader takes a ticket with its miss (the count of writes
// finished so far), and fill() keeps what it read only if no write finished
// since; a writer calls written() after its store write, which overwrites or
// drops every cached key it wrote (or adds it) and counts the write. A value
// read before a write is then either overwritten by written() or refused by
// fill(), which also never replaces an entry.
//
// The cache is split into shards by the key's hash, each with its own lock,
// budget and count of writes. One lock was a convoy: the auditor's applying
// thread and the threads verifying the next chunk's signatures read through
// it at once, and a verifying thread preempted while holding the lock left
// the applying thread asleep (perf sched: about a quarter of its switches
// were waits on that lock; bench/RESULTS.md). The ticket rule holds per
// shard, since a key's reads and writes meet in the one shard it hashes to.
//
// When a shard is full, an entry picked by the new key's hash makes room, so
// a working set larger than the budget still hits in proportion instead of
// emptying the cache over and over.
// Thread-safety: every method may be called from any thread.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace ecoledger::ledger {

class ValueCache {
 public:
  // An entry is charged its key, its value and this much for the hash node
  // and the allocator (measured: about 6 MiB of RSS per 6 MiB charged).
  static constexpr std::size_t entry_overhead_bytes = 96;
  // Enough that two to four threads seldom want the same lock at once.
  static constexpr std::size_t shard_count = 16;

  // Each shard gets an equal part of bytes_max.
  explicit ValueCache(std::size_t bytes_max) : shard_bytes_max_(bytes_max / shard_count) {}

  struct Lookup {
    std::optional<std::string> value;  // set on a hit
    std::uint64_t ticket = 0;          // on a miss: hand to fill()
  };
  Lookup find(const std::string& key) const;
  // The cached value of key, or read(key) from the store (a
  // std::optional<std::string>), kept by the ticket rule: what both stores' get() do.
  template <typename Read>
  std::optional<std::string> read_through(const std::string& key, Read&& read) {
    Lookup cached = find(key);
    if (cached.value) return cached.value;
    std::optional<std::string> value = read(key);
    if (value) fill(key, *value, cached.ticket);
    return value;
  }
  // Keeps value for key unless a write finished after the miss that gave the ticket.
  void fill(const std::string& key, const std::string& value, std::uint64_t ticket);
  // After the store has taken writes (key -> value, nullopt for a delete).
  // A written key the cache holds is overwritten or dropped. One it does not
  // hold is added when keep_new(key) says so, as any entry within the budget:
  // the store now holds that value, and the caller is its only writer. What
  // it buys is a read of a value written just before (a transfer's remainder
  // lot, read by the sender's next transfer) answered without RocksDB.
  using KeepNew = bool (*)(std::string_view key);
  void written(const std::map<std::string, std::optional<std::string>, std::less<>>& writes, KeepNew keep_new = nullptr);

  std::size_t bytes() const;
  std::size_t entries() const;

 private:
  struct Shard {
    mutable std::mutex mutex;
    std::unordered_map<std::string, std::string> entries;  // guarded by mutex
    std::size_t bytes = 0;                                 // guarded by mutex
    std::uint64_t writes_finished = 0;                     // guarded by mutex
  };
  static std::size_t charge(std::size_t key_bytes, std::size_t value_bytes) { return key_bytes + value_bytes + entry_overhead_bytes; }
  static std::size_t hash_of(const std::string& key) { return std::hash<std::string>{}(key); }
  // The high bits pick the shard; the map's buckets use the hash modulo a prime.
  static std::size_t shard_of(std::size_t hash) { return (hash >> 48) % shard_count; }
  // Adds key (absent, of the given hash) within the budget. REQUIRES: shard.mutex held.
  void add(Shard& shard, std::size_t hash, const std::string& key, const std::string& value);
  void evict_one(Shard& shard, std::size_t hint);  // REQUIRES: shard.mutex held, shard.entries not empty

  const std::size_t shard_bytes_max_;
  std::array<Shard, shard_count> shards_;
};

}  // namespace ecoledger::ledger
