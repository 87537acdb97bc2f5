// A RocksDB failure as the store's error value: "storage_unavailable", in
// RocksDB's own words (docs/FORMAT.md §9).
#pragma once

#include <rocksdb/status.h>

#include "base/result.h"

namespace ecoledger::ledger {

inline Error storage_error(const rocksdb::Status& s) { return Error{"storage_unavailable", "storage: " + s.ToString()}; }

}  // namespace ecoledger::ledger
