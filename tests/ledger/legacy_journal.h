// The journal as a build before the column families kept it (store_keys.h:
// 'R' seq records and the nodes below the pinned levels under their 'M'
// level index keys, all in the default family), written back into a closed
// store so that a test can open it as such a build left it.
#pragma once

#include <cstdint>
#include <string>

#include <rocksdb/write_batch.h>

#include "ledger/journal_move.h"
#include "ledger/store_keys.h"
#include "tests/ledger/raw_store.h"

namespace ecoledger::testing {

// The old key of a node now in the merkle family (its last leaf, then its level).
inline std::string legacy_node_key(const std::string& chunk_key) {
  namespace keys = ledger::store_keys;
  const std::uint64_t last_leaf = keys::read_be64(chunk_key);
  const auto level = static_cast<std::uint32_t>(static_cast<unsigned char>(chunk_key[8]));
  return keys::upper_node_key(level, ((last_leaf + 1) >> level) - 1);
}

// The old key of an entry now under key in the records or the merkle family.
inline std::string legacy_key(const std::string& family, const std::string& key) {
  namespace keys = ledger::store_keys;
  return family == keys::records_family ? std::string(keys::legacy_record_prefix) + key : legacy_node_key(key);
}

// Whether a default-family key lies where the old layout kept the journal.
inline bool is_legacy_journal_key(const std::string& key) {
  static const auto ranges = ledger::legacy_journal_ranges();
  for (const auto& range : ranges)
    if (key >= range.begin && key < range.end) return true;
  return false;
}

// Rewrites the closed store in dir with its journal in the old layout. The
// records before kept_seq and the nodes ending before it stay where they
// are, as a move cut short there would leave them. Returns the entries put back.
inline std::uint64_t rewrite_journal_as_before_families(const std::string& dir, std::uint64_t kept_seq) {
  namespace keys = ledger::store_keys;
  RawStore store(dir);
  rocksdb::WriteBatch old;
  std::uint64_t written = 0;
  for (const std::string family : {keys::records_family, keys::merkle_family})
    for (const auto& [key, value] : store.entries(family)) {
      // A record's key is its seq, a node's begins with the last leaf it covers.
      if (keys::read_be64(key) < kept_seq) continue;
      REQUIRE(old.Delete(store.family(family), key).ok());
      REQUIRE(old.Put(legacy_key(family, key), value).ok());
      ++written;
    }
  rocksdb::WriteOptions durable;
  durable.sync = true;
  REQUIRE(store.db().Write(durable, &old).ok());
  return written;
}

}  // namespace ecoledger::testing
