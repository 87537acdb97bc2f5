#include "ledger/table_options.h"

#include <rocksdb/cache.h>
#include <rocksdb/filter_policy.h>

namespace ecoledger::ledger {

rocksdb::BlockBasedTableOptions point_lookup_table_options(std::size_t cache_bytes) {
  rocksdb::BlockBasedTableOptions table;
  table.block_cache = rocksdb::NewLRUCache(cache_bytes);
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(bloom_bits_per_key));
  table.whole_key_filtering = true;
  // Partitioned, so that a lookup brings one small partition into the cache
  // rather than a whole file's index or filter.
  table.index_type = rocksdb::BlockBasedTableOptions::kTwoLevelIndexSearch;
  table.partition_filters = true;
  table.cache_index_and_filter_blocks = true;
  table.cache_index_and_filter_blocks_with_high_priority = true;
  table.pin_top_level_index_and_filter = true;
  table.pin_l0_filter_and_index_blocks_in_cache = true;
  return table;
}

}  // namespace ecoledger::ledger
