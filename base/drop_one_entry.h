// drop_one_entry: makes room in a bounded memo kept in an unordered_map by
// dropping the first entry of the next non-empty bucket, in turn. Close
// enough to random for the memos here, and costs nothing on a hit (no
// recency to keep up to date).
#pragma once

#include <cstddef>

#include "base/check.h"

namespace ecoledger {

// REQUIRES: !map.empty(). next_bucket is the caller's cursor, kept between calls.
template <typename Map>
void drop_one_entry(Map& map, std::size_t& next_bucket) {
  ECOLEDGER_CHECK(!map.empty());
  std::size_t bucket = next_bucket++ % map.bucket_count();
  while (map.bucket_size(bucket) == 0) bucket = (bucket + 1) % map.bucket_count();
  // Erasing by key: an iterator from begin(bucket) is a local_iterator.
  const typename Map::key_type victim = map.begin(bucket)->first;
  map.erase(victim);
}

}  // namespace ecoledger
