// RocksDB table settings for the ledger's key-value spaces (the node's store
// and the auditor's scratch state): both are read by point lookups, most of
// them for keys that exist in only one file and many (transaction ids, free
// lots) for keys that exist nowhere.
#pragma once

#include <cstddef>

#include <rocksdb/table.h>

namespace ecoledger::ledger {

// Bloom filter bits per key: about 1% false positives, so a lookup of an
// absent key reads almost no data blocks.
inline constexpr int bloom_bits_per_key = 10;

// Block-based tables with a bloom filter per file and an LRU block cache of
// cache_bytes. Each table's index and filter blocks are partitioned and
// charged to that cache, so memory stays within the cache's size whatever
// the data (in the table readers they grew with it: about 17 MB per
// 1,000,000 records in the node's store), at the price of reading a
// partition back after it is evicted.
rocksdb::BlockBasedTableOptions point_lookup_table_options(std::size_t cache_bytes);

}  // namespace ecoledger::ledger
