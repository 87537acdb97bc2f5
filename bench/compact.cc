// compact: disk bytes per record of the ledger in --dir after a full RocksDB
// compaction (CompactRange over every key), as an operator's compaction
// would leave it; the ledger must be closed (no ecoledgerd on it).
#include <filesystem>

#include <rocksdb/db.h>

#include "bench/bench_util.h"
#include "bench/benches.h"
#include "ledger/ledger.h"

namespace ecoledger::bench {
namespace {

// Files RocksDB keeps beside the data (logs of its own, old option files) are not the ledger's footprint.
bool is_ledger_file(const std::filesystem::path& p) {
  std::string name = p.filename().string();
  return !name.starts_with("LOG") && !name.starts_with("OPTIONS-") && p.extension() != ".key" && p.extension() != ".pem";
}

std::uint64_t ledger_bytes(const std::string& dir) {
  std::uint64_t total = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir))
    if (entry.is_regular_file() && is_ledger_file(entry.path())) total += entry.file_size();
  return total;
}

}  // namespace

int run_compact(const Args& args) {
  const std::string dir = args.text("dir", "");
  if (dir.empty()) die("compact needs --dir DIR");
  const std::uint64_t before = ledger_bytes(dir);
  {
    rocksdb::DB* raw = nullptr;
    rocksdb::Status s = rocksdb::DB::Open(rocksdb::Options(), dir, &raw);
    if (!s.ok()) die("open: " + s.ToString());
    std::unique_ptr<rocksdb::DB> db(raw);
    rocksdb::CompactRangeOptions options;
    options.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
    s = db->CompactRange(options, nullptr, nullptr);
    if (!s.ok()) die("compact: " + s.ToString());
    s = db->Close();
    if (!s.ok()) die("close: " + s.ToString());
  }
  auto opened = ledger::Ledger::open(dir);
  if (!opened) die("open: " + opened.error().message);
  const std::uint64_t records = (*opened)->head().size;
  opened->reset();
  const std::uint64_t after = ledger_bytes(dir);
  report("compact", {{"records", records},
                     {"bytes_before", before},
                     {"bytes_after", after},
                     {"bytes_per_record", static_cast<double>(after) / static_cast<double>(records)}});
  return 0;
}

}  // namespace ecoledger::bench
