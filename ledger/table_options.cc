#include "ledger/table_options.h"

#include <rocksdb/cache.h>
#include <rocksdb/filter_policy.h>

namespace ecoledger::ledger {

rocksdb::BlockBasedTableOptions point_lookup_table_options(std::size_t cache_bytes) {
  rocksdb::BlockBasedTableOptions table;
  table.block_cache = rocksdb::NewLRUCache(cache_bytes);
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(bloom_bits_per_key));
  table.whole_key_filtering = true;
  return table;
}

}  // namespace ecoledger::ledger
