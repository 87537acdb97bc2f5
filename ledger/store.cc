#include "ledger/store.h"

#include <fcntl.h>
#include <unistd.h>

#include <rocksdb/db.h>
#include <rocksdb/env.h>
#include <rocksdb/options.h>
#include <rocksdb/write_batch.h>

#include <algorithm>
#include <cstdarg>
#include <cstdio>
#include <ctime>
#include <limits>
#include <optional>
#include <tuple>

#include "base/check.h"
#include "ledger/journal_move.h"
#include "ledger/pinned_merkle_levels.h"
#include "ledger/state_machine.h"
#include "ledger/storage_error.h"
#include "ledger/store_keys.h"
#include "ledger/table_options.h"
#include "ledger/value_cache.h"

namespace ecoledger::ledger {
namespace {

using store_keys::chunk_node_key;
using store_keys::read_be64;
using store_keys::record_key;
using store_keys::upper_node_key;

// A stored Merkle node's value as a hash; nothing unless it is a hash's size.
std::optional<crypto::Hash> stored_hash(std::string_view value) {
  crypto::Hash hash;
  if (value.size() != hash.size()) return std::nullopt;
  std::copy_n(value.data(), hash.size(), hash.begin());
  return hash;
}
constexpr char head_key[] = "H";
// State key k is stored as state_key_prefix + k.
constexpr std::string_view state_key_prefix = "S";

// What the batch's RocksDB form takes, or a little more: its header and,
// per entry, a tag, two length varints (at most 5 bytes each), the key and
// the value, plus room for the head entry. Reserved at once, so the batch's
// buffer is not grown by doubling, each step a copy of all of it into
// freshly faulted pages (9.8% of the committing thread's samples in
// `append`: bench/RESULTS.md).
std::size_t write_batch_bytes(const AppendBatch& batch) {
  constexpr std::size_t header_bytes = 12;      // sequence number and count
  constexpr std::size_t entry_bytes = 1 + 5 + 5 + 5;  // tag, family and the two lengths
  constexpr std::size_t head_entry_bytes = 256;       // {"head","size","time"} and its key
  constexpr std::size_t node_key_bytes = std::max(store_keys::chunk_node_key_bytes, store_keys::upper_node_key_bytes);
  constexpr std::size_t record_key_bytes = store_keys::record_key_bytes;
  std::size_t bytes = header_bytes + head_entry_bytes;
  for (const auto& [id, entry] : batch.tx_index) bytes += entry_bytes + 1 + id.size() + entry.size();
  bytes += batch.nodes.size() * (entry_bytes + node_key_bytes + std::tuple_size_v<crypto::Hash>);
  for (const auto& [seq, record] : batch.records) bytes += entry_bytes + record_key_bytes + record.size();
  for (const auto& [key, value] : batch.state_writes)
    bytes += entry_bytes + state_key_prefix.size() + key.size() + (value ? value->size() : 0);
  return bytes;
}

inline constexpr std::size_t info_log_line_bytes_max = 4096;

// RocksDB's info log (DIR/LOG) as plain appends whose failures are ignored.
// RocksDB's own file logger, built with assertions as Debian ships it,
// aborts the process on the first line after a failed one; a full disk
// makes that certain, and the node would crash instead of answering 503
// (scripts/full-disk-test). A full disk now costs log lines, nothing else.
class AppendInfoLog final : public rocksdb::Logger {
 public:
  explicit AppendInfoLog(const std::string& path)
      : rocksdb::Logger(rocksdb::InfoLogLevel::INFO_LEVEL), fd_(::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644)) {}
  ~AppendInfoLog() override {
    if (fd_ >= 0) ::close(fd_);
  }
  AppendInfoLog(const AppendInfoLog&) = delete;
  AppendInfoLog& operator=(const AppendInfoLog&) = delete;

  using rocksdb::Logger::Logv;
  void Logv(const char* format, va_list ap) override {
    if (fd_ < 0) return;
    char line[info_log_line_bytes_max];
    std::time_t now = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&now, &tm);
    std::size_t at = std::strftime(line, sizeof line, "%Y/%m/%d-%H:%M:%S ", &tm);
    int n = std::vsnprintf(line + at, sizeof line - at - 1, format, ap);
    if (n < 0) return;
    at = std::min(at + static_cast<std::size_t>(n), sizeof line - 2);
    line[at++] = '\n';
    [[maybe_unused]] ssize_t written = ::write(fd_, line, at);
  }

 private:
  int fd_;
};

}  // namespace

struct Store::Impl : public StateReader, public MerkleNodeReader {
  std::unique_ptr<rocksdb::DB> db;
  // Owned by db and released before it; default_family is db's own.
  std::vector<rocksdb::ColumnFamilyHandle*> families;
  rocksdb::ColumnFamilyHandle* default_family = nullptr;
  rocksdb::ColumnFamilyHandle* records_family = nullptr;
  rocksdb::ColumnFamilyHandle* merkle_family = nullptr;
  PinnedMerkleLevels pinned;
  mutable ValueCache cache{store_read_cache_bytes};  // filled by const reads

  ~Impl() {
    if (db)
      for (rocksdb::ColumnFamilyHandle* family : families) db->DestroyColumnFamilyHandle(family);
  }

  std::optional<std::string> raw_get(rocksdb::ColumnFamilyHandle* family, const std::string& key) const {
    std::string value;
    rocksdb::ReadOptions options;
    options.verify_checksums = true;
    rocksdb::Status s = db->Get(options, family, key, &value);
    if (s.IsNotFound() || !s.ok()) return std::nullopt;
    return value;
  }

  std::optional<std::string> get(std::string_view key) const override {
    return cache.read_through(std::string(key), [&](const std::string& state_key) {
      std::string full_key;
      full_key.reserve(state_key_prefix.size() + state_key.size());
      full_key.append(state_key_prefix).append(state_key);
      return raw_get(default_family, full_key);
    });
  }

  // Copies the pinned levels' nodes from the store, each level in index order.
  Status pin_upper_levels() {
    rocksdb::ReadOptions options;
    options.verify_checksums = true;
    std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(options));
    for (std::uint32_t level = merkle_pinned_level_min; level < merkle_levels_max; ++level) {
      const std::string prefix = upper_node_key(level, 0).substr(0, 2);
      for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
        auto hash = stored_hash(it->value().ToStringView());
        if (it->key().size() != store_keys::upper_node_key_bytes || !hash) return fail("corruption", "a Merkle node entry is damaged");
        pinned.add(level, read_be64(std::string_view(it->key().data() + 2, 8)), *hash);
      }
      if (!it->status().ok()) return fail("corruption", "storage: " + it->status().ToString());
    }
    return ok();
  }

  void scan(std::string_view prefix, const std::function<bool(std::string_view, std::string_view)>& visit) const override {
    std::string start = std::string(state_key_prefix) + std::string(prefix);
    rocksdb::ReadOptions options;
    std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(options));
    for (it->Seek(start); it->Valid() && it->key().starts_with(start); it->Next()) {
      std::string_view key(it->key().data() + 1, it->key().size() - 1);
      if (!visit(key, std::string_view(it->value().data(), it->value().size()))) return;
    }
  }

  // A leaf's key is followed by those of the nodes it completes (at most
  // merkle_pinned_level_min - 1 of them), then by the next leaf's: one seek,
  // then the next entries, stepping over nodes, while each leaf is the
  // expected one. A missing or damaged one ends the run; node() then reports
  // it to whoever needs it.
  std::vector<crypto::Hash> leaves(std::uint64_t first, std::uint64_t count) const override {
    std::vector<crypto::Hash> out;
    if (count == 0) return out;
    const std::uint64_t last = first + std::min(count - 1, std::numeric_limits<std::uint64_t>::max() - first);
    // Bounded at the last leaf wanted, so the scan never loads a block past it.
    // (The key after the last leaf's own: the first of the nodes it completes.)
    const std::string end = store_keys::be64(last) + '\x01';
    rocksdb::Slice upper(end);
    rocksdb::ReadOptions options;
    options.verify_checksums = true;
    options.iterate_upper_bound = &upper;
    std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(options, merkle_family));
    out.reserve(static_cast<std::size_t>(last - first + 1));
    std::uint64_t index = first;
    for (it->Seek(*chunk_node_key(0, first)); it->Valid(); it->Next()) {
      const rocksdb::Slice key = it->key();
      if (key.size() == store_keys::chunk_node_key_bytes && key[8] != 0) continue;
      auto hash = stored_hash(it->value().ToStringView());
      if (key != rocksdb::Slice(*chunk_node_key(0, index)) || !hash) break;
      out.push_back(*hash);
      if (index == last) break;
      ++index;
    }
    return out;
  }

  Result<crypto::Hash> node(std::uint32_t level, std::uint64_t index) const override {
    if (auto hash = pinned.find(level, index)) return *hash;
    auto key = chunk_node_key(level, index);
    auto raw = key ? raw_get(merkle_family, *key) : raw_get(default_family, upper_node_key(level, index));
    auto hash = raw ? stored_hash(*raw) : std::nullopt;
    if (!hash) return fail("corruption", "Merkle node level " + std::to_string(level) + " index " + std::to_string(index) + " is missing");
    return *hash;
  }
};

Store::Store(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Store::~Store() = default;

Result<std::unique_ptr<Store>> Store::open(const std::string& dir, bool create) {
  rocksdb::Options options;
  options.create_if_missing = create;
  options.paranoid_checks = true;
  // A WAL record that fails its checksum is an error, not the end of the log:
  // the default (point-in-time recovery) silently drops it and every batch
  // after it, acknowledged or not. Only a torn last record (a crash during an
  // unacknowledged write) is tolerated.
  options.wal_recovery_mode = rocksdb::WALRecoveryMode::kTolerateCorruptedTailRecords;
  // No preallocation: RocksDB fallocates ~1.1 x write_buffer_size (about
  // 70 MiB) for every WAL. On ext4 with less free space than that the call
  // fails *after* taking every free block, so the node could not even write
  // its genesis (and Debian's RocksDB then aborts on an assertion). Without it
  // a full disk is an ordinary ENOSPC on the write: 503 storage_unavailable
  // (scripts/full-disk-test --loop).
  options.allow_fallocate = false;
  // Ledger::create makes dir before opening; elsewhere it exists (if not, no log).
  options.info_log = std::make_shared<AppendInfoLog>(dir + "/LOG");
  // A ledger written before the journal's families gets them here, empty,
  // and its journal is moved into them below.
  options.create_missing_column_families = true;
  // Index and filter blocks in the block cache (ledger/table_options.h), so
  // that the node's memory does not follow the journal's size.
  const rocksdb::BlockBasedTableOptions state_tables = point_lookup_table_options(store_block_cache_bytes);
  // The journal's lookups are of records and nodes that exist, where a filter
  // answers nothing, so its files carry none. The one cache is shared.
  rocksdb::BlockBasedTableOptions journal_tables = state_tables;
  journal_tables.filter_policy.reset();
  options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(state_tables));
  rocksdb::ColumnFamilyOptions records_options(options), merkle_options(options);
  records_options.write_buffer_size = store_records_memtable_bytes;
  merkle_options.write_buffer_size = store_merkle_memtable_bytes;
  records_options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(journal_tables));
  merkle_options.table_factory = records_options.table_factory;
  const std::vector<rocksdb::ColumnFamilyDescriptor> descriptors = {
      {rocksdb::kDefaultColumnFamilyName, rocksdb::ColumnFamilyOptions(options)},
      {store_keys::records_family, records_options},
      {store_keys::merkle_family, merkle_options},
  };
  auto impl = std::make_unique<Impl>();
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(options, dir, descriptors, &impl->families, &raw);
  if (!s.ok()) {
    if (s.IsCorruption()) return fail("corruption", "storage: " + s.ToString());
    return std::unexpected(storage_error(s));
  }
  impl->db.reset(raw);
  impl->default_family = impl->families[0];
  impl->records_family = impl->families[1];
  impl->merkle_family = impl->families[2];
  if (Status moved = move_journal_to_families(*impl->db, *impl->records_family, *impl->merkle_family); !moved)
    return std::unexpected(moved.error());
  std::unique_ptr<Store> store(new Store(std::move(impl)));

  // A read error is not an absent key: a damaged head must never look like an empty ledger.
  std::string head_raw;
  rocksdb::ReadOptions verified;
  verified.verify_checksums = true;
  s = store->impl_->db->Get(verified, head_key, &head_raw);
  if (s.IsNotFound()) {
    std::string first;
    s = store->impl_->db->Get(verified, store->impl_->records_family, record_key(0), &first);
    if (s.IsNotFound()) return store;
    if (s.ok()) return fail("corruption", "records exist but the head is missing");
  }
  if (!s.ok()) return fail("corruption", "the head entry cannot be read: " + s.ToString());
  auto head = json::Json::parse(head_raw, nullptr, false);
  if (head.is_discarded() || !head.contains("size") || !head["size"].is_number_unsigned() || head["size"].get<std::uint64_t>() == 0 ||
      !head.contains("head") || !head["head"].is_string() || !head.contains("time") || !head["time"].is_string())
    return fail("corruption", "the head entry is damaged");
  store->head_.size = head["size"].get<std::uint64_t>();
  auto head_hash = crypto::hash_from_hex(head["head"].get<std::string>());
  if (!head_hash) return fail("corruption", "the head entry is damaged");
  store->head_.head = *head_hash;
  store->head_.time = head["time"].get<std::string>();
  if (Status pinned = store->impl_->pin_upper_levels(); !pinned) return std::unexpected(pinned.error());

  // The last record must hash to the head, link to its predecessor, and be
  // the last Merkle leaf; nothing may lie beyond it.
  std::uint64_t last = store->head_.size - 1;
  auto last_record = store->record(last);
  if (!last_record) return fail("corruption", "record " + std::to_string(last) + " is missing");
  if (crypto::sha256(*last_record) != store->head_.head)
    return fail("corruption", "record " + std::to_string(last) + " does not match the head hash");
  auto leaf = store->impl_->node(0, last);
  if (!leaf || *leaf != merkle_leaf_hash(*last_record))
    return fail("corruption", "record " + std::to_string(last) + " does not match the Merkle tree");
  if (last > 0) {
    auto before = store->record(last - 1);
    if (!before) return fail("corruption", "record " + std::to_string(last - 1) + " is missing");
    auto doc = json::Json::parse(*last_record, nullptr, false);
    if (doc.is_discarded() || doc.value("prev", "") != crypto::to_hex(crypto::sha256(*before)))
      return fail("corruption", "record " + std::to_string(last) + " does not link to record " + std::to_string(last - 1));
  }
  if (store->record(store->head_.size))
    return fail("corruption", "record " + std::to_string(store->head_.size) + " lies beyond the head");
  return store;
}

std::optional<std::string> Store::record(std::uint64_t seq) const { return impl_->raw_get(impl_->records_family, record_key(seq)); }

Status Store::scan_records(std::uint64_t from, std::uint64_t to,
                           const std::function<bool(std::uint64_t, std::string_view)>& visit) const {
  rocksdb::ReadOptions options;
  options.verify_checksums = true;
  std::unique_ptr<rocksdb::Iterator> it(impl_->db->NewIterator(options, impl_->records_family));
  std::uint64_t expected = from;
  for (it->Seek(record_key(from)); it->Valid() && expected < to; it->Next(), ++expected) {
    if (it->key().size() != store_keys::record_key_bytes) return fail("corruption", "a record's key near record " + std::to_string(expected) + " is damaged");
    std::uint64_t seq = read_be64(it->key().ToStringView());
    if (seq != expected) return fail("corruption", "record " + std::to_string(expected) + " is missing");
    if (!visit(seq, std::string_view(it->value().data(), it->value().size()))) return ok();
  }
  if (!it->status().ok()) return fail("corruption", "storage: " + it->status().ToString() + " near record " + std::to_string(expected));
  if (expected < to && expected < head().size) return fail("corruption", "record " + std::to_string(expected) + " is missing");
  return ok();
}

std::optional<std::string> Store::tx_receipt(std::string_view id) const { return impl_->raw_get(impl_->default_family, "I" + std::string(id)); }
const StateReader& Store::state() const { return *impl_; }
const MerkleNodeReader& Store::merkle() const { return *impl_; }

bool Store::background_work_pending() const {
  auto positive = [&](rocksdb::ColumnFamilyHandle* family, const char* property) {
    std::uint64_t value = 0;
    return impl_->db->GetIntProperty(family, property, &value) && value > 0;
  };
  // Running flushes and compactions are counted for the whole database,
  // pending ones per family.
  for (const char* property : {"rocksdb.num-running-flushes", "rocksdb.num-running-compactions"})
    if (positive(impl_->default_family, property)) return true;
  for (rocksdb::ColumnFamilyHandle* family : impl_->families)
    for (const char* property : {"rocksdb.mem-table-flush-pending", "rocksdb.compaction-pending"})
      if (positive(family, property)) return true;
  return false;
}

Status Store::compact_fully() {
  rocksdb::CompactRangeOptions options;
  options.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
  for (rocksdb::ColumnFamilyHandle* family : impl_->families)
    if (rocksdb::Status s = impl_->db->CompactRange(options, family, nullptr, nullptr); !s.ok()) return std::unexpected(storage_error(s));
  return ok();
}

Status Store::write(const AppendBatch& batch) {
  // The entries of each family go into the batch in key order ('H' < 'I' <
  // 'M' < 'S' in the default one), so that RocksDB inserts each into its
  // memtable's skip list from where the one before went instead of from the
  // top: about a fifth fewer instructions in MemTable::Add (callgrind,
  // bench/RESULTS.md).
  rocksdb::WriteBatch wb(write_batch_bytes(batch));
  json::Json head{{"size", batch.head.size}, {"head", crypto::to_hex(batch.head.head)}, {"time", batch.head.time}};
  wb.Put(impl_->default_family, head_key, json::canonical(head));
  std::vector<const std::pair<std::string, std::string>*> receipts;
  receipts.reserve(batch.tx_index.size());
  for (const auto& entry : batch.tx_index) receipts.push_back(&entry);
  std::sort(receipts.begin(), receipts.end(), [](const auto* a, const auto* b) { return a->first < b->first; });
  for (const auto* entry : receipts) wb.Put(impl_->default_family, "I" + entry->first, entry->second);
  // Nodes as (family, key, hash), sorted by family then key.
  std::vector<std::tuple<rocksdb::ColumnFamilyHandle*, std::string, const crypto::Hash*>> nodes;
  nodes.reserve(batch.nodes.size());
  for (const auto& [id, hash] : batch.nodes) {
    if (auto key = chunk_node_key(id.level, id.index)) nodes.emplace_back(impl_->merkle_family, std::move(*key), &hash);
    else nodes.emplace_back(impl_->default_family, upper_node_key(id.level, id.index), &hash);
  }
  std::sort(nodes.begin(), nodes.end(), [](const auto& a, const auto& b) {
    if (std::get<0>(a) != std::get<0>(b)) return std::get<0>(a)->GetID() < std::get<0>(b)->GetID();
    return std::get<1>(a) < std::get<1>(b);
  });
  for (const auto& [family, key, hash] : nodes)
    wb.Put(family, key, std::string_view(reinterpret_cast<const char*>(hash->data()), hash->size()));
  for (const auto& [seq, bytes] : batch.records) wb.Put(impl_->records_family, record_key(seq), bytes);
  // State keys go to RocksDB in two parts rather than joined into a new string.
  const rocksdb::Slice state_prefix(state_key_prefix.data(), state_key_prefix.size());
  for (const auto& [key, value] : batch.state_writes) {
    const rocksdb::Slice key_parts[2] = {state_prefix, rocksdb::Slice(key)};
    const rocksdb::SliceParts full_key(key_parts, 2);
    if (value) {
      const rocksdb::Slice value_slice(*value);
      wb.Put(impl_->default_family, full_key, rocksdb::SliceParts(&value_slice, 1));
    } else {
      wb.Delete(impl_->default_family, full_key);
    }
  }
  rocksdb::WriteOptions options;
  options.sync = true;
  rocksdb::Status s = impl_->db->Write(options, &wb);
  if (!s.ok()) return std::unexpected(storage_error(s));
  // Written values the state machine reads back are kept too: they are what
  // the next transactions of the same accounts read (ledger/store.h).
  impl_->cache.written(batch.state_writes, is_read_back_key);
  for (const auto& [id, hash] : batch.nodes) impl_->pinned.add(id.level, id.index, hash);
  std::lock_guard lock(head_mutex_);
  head_ = batch.head;
  return ok();
}

}  // namespace ecoledger::ledger
