// ScratchState: ledger state kept in a private, temporary RocksDB instead of
// memory, so replaying a journal of any size (the auditor) runs in bounded
// memory. Nothing is synced: the directory is deleted with the object.
// Thread-safety: get, scan and contains_mark may run on any thread, also
// while one thread calls apply() (the auditor's workers look up keys while
// it applies the chunk before).
#pragma once

#include <memory>
#include <span>
#include <string>

#include "base/result.h"
#include "ledger/state.h"
#include "ledger/state_machine.h"

namespace ecoledger::ledger {

// Index and filter blocks are charged to the block cache (ledger/table_options.h),
// so these three and the memtables they allow bound the scratch store's memory.
// The value cache (ledger/value_cache.h) holds the values read most, so the
// block cache gave it 2 MiB: `audit` of the bench's 1,000,000 records peaks
// at about 58 MiB (its 10,000 accounts' hot values take about 5.5 MiB).
inline constexpr std::size_t scratch_block_cache_bytes = 6 * 1024 * 1024;
inline constexpr std::size_t scratch_write_buffer_bytes = 4 * 1024 * 1024;
inline constexpr std::size_t scratch_read_cache_bytes = 6 * 1024 * 1024;

class ScratchState final : public StateReader {
 public:
  // Creates the database in a new directory under parent_dir (default: the
  // system temporary directory). With QueryIndexes::dropped the state keeps
  // no query index: the state machine, asking keeps_query_indexes(), builds
  // none, so an index key in apply(), get() or scan() is a broken invariant.
  static Result<std::unique_ptr<ScratchState>> create(const std::string& parent_dir = "", QueryIndexes indexes = QueryIndexes::kept);
  ~ScratchState() override;

  std::optional<std::string> get(std::string_view key) const override;
  void scan(std::string_view prefix, const std::function<bool(std::string_view, std::string_view)>& visit) const override;
  bool keeps_query_indexes() const override;
  // Writes overlay's writes and adds marks, in one batch.
  Status apply(const StateOverlay& overlay, std::span<const std::string> marks = {});
  // A set of strings beside the state (the auditor's transaction ids), added by apply().
  bool contains_mark(std::string_view mark) const;

 private:
  struct Impl;
  explicit ScratchState(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace ecoledger::ledger
