#include "ledger/journal_move.h"

#include <rocksdb/write_batch.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "ledger/storage_error.h"
#include "ledger/store_keys.h"

namespace ecoledger::ledger {
namespace {

using store_keys::read_be64;

// One old range of the default family, the family its entries move to, and
// the new key of an entry of it, or nothing for a damaged key.
struct OldRange {
  LegacyJournalRange keys;
  rocksdb::ColumnFamilyHandle* family;
  std::optional<std::string> (*new_key)(std::string_view old_key);
};

std::optional<std::string> moved_record_key(std::string_view old_key) {
  if (old_key.size() != store_keys::legacy_record_key_bytes) return std::nullopt;
  return store_keys::record_key(read_be64(old_key.substr(1)));
}

std::optional<std::string> moved_node_key(std::string_view old_key) {
  if (old_key.size() != store_keys::upper_node_key_bytes) return std::nullopt;
  return store_keys::chunk_node_key(static_cast<std::uint8_t>(old_key[1]), read_be64(old_key.substr(2)));
}

}  // namespace

std::array<LegacyJournalRange, 2> legacy_journal_ranges() {
  return {{
      {store_keys::upper_node_key(0, 0).substr(0, 2), store_keys::upper_node_key(merkle_pinned_level_min, 0).substr(0, 2)},
      {std::string(store_keys::legacy_record_prefix), store_keys::legacy_record_range_end()},
  }};
}

Status move_journal_to_families(rocksdb::DB& db, rocksdb::ColumnFamilyHandle& records,
                                rocksdb::ColumnFamilyHandle& merkle) {
  const auto [nodes, records_range] = legacy_journal_ranges();
  const OldRange ranges[] = {{nodes, &merkle, moved_node_key}, {records_range, &records, moved_record_key}};
  rocksdb::WriteOptions durable;
  durable.sync = true;
  for (const OldRange& range : ranges) {
    const rocksdb::Slice upper(range.keys.end);
    rocksdb::ReadOptions options;
    options.verify_checksums = true;
    options.iterate_upper_bound = &upper;
    std::unique_ptr<rocksdb::Iterator> it(db.NewIterator(options));
    rocksdb::WriteBatch batch;
    bool moved_any = false;
    for (it->Seek(range.keys.begin); it->Valid(); it->Next()) {
      auto key = range.new_key(it->key().ToStringView());
      if (!key) return fail("corruption", "an entry of the old journal layout has a damaged key");
      rocksdb::Status s = batch.Put(range.family, *key, it->value());
      if (s.ok()) s = batch.Delete(it->key());
      if (!s.ok()) return std::unexpected(storage_error(s));
      if (batch.Count() >= 2 * journal_move_entries_per_batch) {
        if (s = db.Write(durable, &batch); !s.ok()) return std::unexpected(storage_error(s));
        batch.Clear();
      }
      moved_any = true;
    }
    if (!it->status().ok()) return fail("corruption", "storage: " + it->status().ToString());
    if (!moved_any) continue;
    if (batch.Count() > 0)
      if (rocksdb::Status s = db.Write(durable, &batch); !s.ok()) return std::unexpected(storage_error(s));
    const rocksdb::Slice begin(range.keys.begin), end(range.keys.end);
    if (rocksdb::Status s = db.CompactRange(rocksdb::CompactRangeOptions(), &begin, &end); !s.ok())
      return std::unexpected(storage_error(s));
  }
  return ok();
}

}  // namespace ecoledger::ledger
