// compact: disk bytes per record of the ledger in --dir after a full RocksDB
// compaction (Store::compact_fully), as an operator's compaction
// would leave it; the ledger must be closed (no ecoledgerd on it).
#include <filesystem>

#include "bench/bench_util.h"
#include "bench/benches.h"
#include "ledger/store.h"

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
  std::uint64_t records = 0;
  {
    auto store = ledger::Store::open(dir, false);
    if (!store) die("open: " + store.error().message);
    if (Status compacted = (*store)->compact_fully(); !compacted) die("compact: " + compacted.error().message);
    records = (*store)->head().size;
  }
  const std::uint64_t after = ledger_bytes(dir);
  report("compact", {{"records", records},
                     {"bytes_before", before},
                     {"bytes_after", after},
                     {"bytes_per_record", static_cast<double>(after) / static_cast<double>(records)}});
  return 0;
}

}  // namespace ecoledger::bench
