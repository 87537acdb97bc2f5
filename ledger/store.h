// Store: the ledger's RocksDB database.
//
// Key layout (big-endian integers so keys sort by number; store_keys.h):
//   records family:
//     seq:u64                -> JCS bytes of record seq (exactly the hashed bytes)
//   merkle family, the nodes below merkle_pinned_level_min:
//     last leaf:u64 level:u8 -> 32-byte Merkle node of a complete subtree
//   default family:
//     'M' level:u8 index:u64 -> the same, from merkle_pinned_level_min up
//     'I' tx id              -> receipt {"seq","hash","time","signed"} (idempotency)
//     'S' state key          -> state value (JSON)
//     'H'                    -> head {"size","head","time"}
// A ledger written before the families is moved into them on open
// (journal_move.h).
// Every append is one WriteBatch written with sync=true, so it is durable
// before any submitter is answered, and a crash leaves all of it or none.
// Merkle nodes from level merkle_pinned_level_min up are also kept in memory
// (pinned_merkle_levels.h), loaded at open and added as they are written.
// Thread-safety: reads from any thread; write() from one thread at a time.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "ledger/crypto.h"
#include "ledger/merkle.h"
#include "ledger/state.h"

namespace ecoledger::ledger {

// RocksDB block cache of the node's store: the blocks of state, records and
// Merkle nodes that reads look up past the value cache below, and every
// table's index and filter partitions.
inline constexpr std::size_t store_block_cache_bytes = 40 * 1024 * 1024;
// Values of state keys read, and of those written that the state machine
// reads back, kept in front of RocksDB (ledger/value_cache.h): as the ledger
// grows, accounts that are read on every transfer but seldom written sink
// into the files, and a read searches more of them. Keeping written values
// too, in 24 MiB taken from the block cache's 64: `ecoledger_bench append`
// of 60,000 transfers between 10,000 accounts read RocksDB for 43,423 state
// values instead of 128,482, and its committing thread spent 6-11% less CPU
// per transfer in three side-by-side pairs (bench/RESULTS.md). With 8 MiB, keeping written
// values evicted the hot accounts for lots that were never read again:
// 181,043 reads.
inline constexpr std::size_t store_read_cache_bytes = 24 * 1024 * 1024;

// Memtables of the journal's families (store_keys.h), beside the default
// family's 64 MiB for the state: their entries are seldom read back before
// they are flushed, and their flushed files cost no compaction, so small
// ones keep the node's memory down at no cost.
inline constexpr std::size_t store_records_memtable_bytes = 16 * 1024 * 1024;
inline constexpr std::size_t store_merkle_memtable_bytes = 8 * 1024 * 1024;

struct Head {
  std::uint64_t size = 0;
  crypto::Hash head{};       // hash of record size-1 (zeros when empty)
  std::string time;          // time of record size-1
};

struct AppendBatch {
  std::vector<std::pair<std::uint64_t, std::string>> records;
  std::vector<std::pair<MerkleNodeId, crypto::Hash>> nodes;
  std::vector<std::pair<std::string, std::string>> tx_index;
  std::map<std::string, std::optional<std::string>, std::less<>> state_writes;
  Head head;
};

class Store {
 public:
  // Opens (or with create, creates) the database in dir and checks that the
  // head, the last records and the Merkle tree agree. Error codes:
  // "storage_unavailable", "corruption" (message names the seq).
  static Result<std::unique_ptr<Store>> open(const std::string& dir, bool create);
  ~Store();

  // A copy: the sequencer may be replacing it concurrently.
  Head head() const {
    std::lock_guard lock(head_mutex_);
    return head_;
  }
  std::optional<std::string> record(std::uint64_t seq) const;
  // Visits records [from, to) in order until visit returns false.
  Status scan_records(std::uint64_t from, std::uint64_t to, const std::function<bool(std::uint64_t, std::string_view)>& visit) const;
  std::optional<std::string> tx_receipt(std::string_view id) const;
  const StateReader& state() const;
  const MerkleNodeReader& merkle() const;

  // Whether RocksDB is flushing a memtable or compacting, or has either
  // waiting to run: the benches wait for this to end between measured
  // windows, so a window does not pay for the one before.
  bool background_work_pending() const;

  // Compacts every family down to its last level, as an operator's manual
  // compaction would (bench/compact measures the footprint after it).
  Status compact_fully();

  // Atomically and durably applies a batch. On failure nothing was applied.
  Status write(const AppendBatch& batch);

 private:
  struct Impl;
  explicit Store(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
  mutable std::mutex head_mutex_;
  Head head_;  // guarded by head_mutex_
};

}  // namespace ecoledger::ledger
