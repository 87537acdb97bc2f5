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

// Where a table's index and filter blocks live. In the table readers they
// cost no cache misses but grow with the data (about 1.3 bytes per key for
// the filter alone); charged to the block cache, memory stays within the
// cache's size whatever the data (the auditor's bound), at the price of
// reading partitions back after eviction.
enum class IndexMemory { table_readers, block_cache };

// Block-based tables with a bloom filter per file and an LRU block cache of
// cache_bytes.
rocksdb::BlockBasedTableOptions point_lookup_table_options(std::size_t cache_bytes, IndexMemory index_memory);

}  // namespace ecoledger::ledger
