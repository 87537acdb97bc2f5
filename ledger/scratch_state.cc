#include "ledger/scratch_state.h"

#include <unistd.h>

#include <filesystem>

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include "base/check.h"
#include "ledger/table_options.h"
#include "ledger/value_cache.h"

namespace ecoledger::ledger {

struct ScratchState::Impl {
  std::string dir;
  std::unique_ptr<rocksdb::DB> db;
  rocksdb::WriteOptions write_options;
  QueryIndexes indexes = QueryIndexes::kept;
  // The state's hot keys (accounts, holdings) outgrow the small memtable, so
  // without it most reads search the memtable and several levels (perf:
  // ScratchState::get 21% of audit's samples, about 3.4 µs per read).
  ValueCache cache{scratch_read_cache_bytes};
  ~Impl() {
    db.reset();
    std::error_code ec;
    if (!dir.empty()) std::filesystem::remove_all(dir, ec);
  }
};

ScratchState::ScratchState(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ScratchState::~ScratchState() = default;

Result<std::unique_ptr<ScratchState>> ScratchState::create(const std::string& parent_dir, QueryIndexes indexes) {
  std::string parent = parent_dir.empty() ? std::filesystem::temp_directory_path().string() : parent_dir;
  std::string pattern = parent + "/ecoledger-audit-XXXXXX";
  if (::mkdtemp(pattern.data()) == nullptr) return fail("io_error", "cannot create a scratch directory in " + parent);
  auto impl = std::make_unique<Impl>();
  impl->dir = pattern;
  impl->indexes = indexes;
  rocksdb::Options options;
  options.create_if_missing = true;
  options.write_buffer_size = scratch_write_buffer_bytes;
  // The state outgrows the small block cache, so most reads come from the
  // files: uncompressed, a miss is a read from the page cache instead of a
  // read and a Snappy decompression (audit --no-sigs of 1,000,000 records,
  // medians of 4 interleaved runs: 109 s instead of 129 s, 153 s of user CPU
  // instead of 198 s, peak RSS 50 MiB instead of 57; bench/RESULTS.md).
  // The directory is temporary, so the larger files cost nothing lasting.
  options.compression = rocksdb::kNoCompression;
  // Every record rewrites lots and holdings, so leveled compaction rewrote
  // the same keys level after level (its threads: about 9% of the samples
  // of `audit` of 320,000 records). Universal compaction writes each entry
  // fewer times: `audit --records` of 1,000,000 records, solo runs in
  // turn, 118.4 and 120.5 s against 123.5 and 133.9 s, and 10% less CPU
  // (bench/RESULTS.md). It may hold up to twice the live data on disk
  // meanwhile; the directory is temporary.
  options.compaction_style = rocksdb::kCompactionStyleUniversal;
  options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(point_lookup_table_options(scratch_block_cache_bytes)));
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(options, impl->dir, &raw);
  if (!s.ok()) return fail("io_error", "scratch state: " + s.ToString());
  impl->db.reset(raw);
  impl->write_options.disableWAL = true;  // scratch: a crash discards it anyway
  return std::unique_ptr<ScratchState>(new ScratchState(std::move(impl)));
}

std::optional<std::string> ScratchState::get(std::string_view key) const {
  ECOLEDGER_CHECK(keeps_query_indexes() || !is_query_index_key(key));
  return impl_->cache.read_through(std::string(key), [&](const std::string& state_key) -> std::optional<std::string> {
    std::string value;
    if (!impl_->db->Get(rocksdb::ReadOptions(), "S" + state_key, &value).ok()) return std::nullopt;
    return value;
  });
}

void ScratchState::scan(std::string_view prefix, const std::function<bool(std::string_view, std::string_view)>& visit) const {
  ECOLEDGER_CHECK(keeps_query_indexes() || !is_query_index_key(prefix));
  std::string start = "S" + std::string(prefix);
  std::unique_ptr<rocksdb::Iterator> it(impl_->db->NewIterator(rocksdb::ReadOptions()));
  for (it->Seek(start); it->Valid() && it->key().starts_with(start); it->Next())
    if (!visit(std::string_view(it->key().data() + 1, it->key().size() - 1), std::string_view(it->value().data(), it->value().size())))
      return;
}

bool ScratchState::keeps_query_indexes() const { return impl_->indexes == QueryIndexes::kept; }

Status ScratchState::apply(const StateOverlay& overlay, std::span<const std::string> marks) {
  rocksdb::WriteBatch batch;
  for (const auto& [key, value] : overlay.writes()) {
    // An overlay over this state asks keeps_query_indexes(), so the state
    // machine never built an index entry here to drop.
    ECOLEDGER_CHECK(keeps_query_indexes() || !is_query_index_key(key));
    if (value) batch.Put("S" + key, *value);
    else batch.Delete("S" + key);
  }
  for (const std::string& mark : marks) batch.Put("T" + mark, "");
  rocksdb::Status s = impl_->db->Write(impl_->write_options, &batch);
  if (!s.ok()) return fail("io_error", "scratch state: " + s.ToString());
  impl_->cache.written(overlay.writes());
  return ok();
}

bool ScratchState::contains_mark(std::string_view mark) const {
  std::string value;
  return impl_->db->Get(rocksdb::ReadOptions(), "T" + std::string(mark), &value).ok();
}

}  // namespace ecoledger::ledger
