// Moves the journal of a ledger written before the column families
// (store_keys.h: 'R' records and the 'M' nodes below the pinned levels, in
// the default family) into the records and merkle families, on open.
//
// Entries move in durable batches of at most journal_move_entries_per_batch,
// each batch putting its entries under their new keys and deleting the old
// ones in one synced WriteBatch, so memory stays bounded however long the
// ledger, a crash leaves every entry in exactly one place, and the next open
// resumes where the move stopped. The emptied ranges are then compacted, so
// later opens do not step over their deletions.
// Thread-safety: call before anything else reads or writes the database.
#pragma once

#include <array>
#include <cstddef>
#include <string>

#include <rocksdb/db.h>

#include "base/result.h"

namespace ecoledger::ledger {

inline constexpr std::size_t journal_move_entries_per_batch = 4096;

// Where the old layout kept the journal: two ranges [begin, end) of the
// default family, the Merkle nodes below the pinned levels, then the
// records. Every key in them is an old entry (one of the wrong length is
// damaged), and nothing else of the store lies there.
struct LegacyJournalRange {
  std::string begin, end;
};
std::array<LegacyJournalRange, 2> legacy_journal_ranges();

// Errors: "corruption" for an old key of the wrong length,
// "storage_unavailable". A ledger already in this layout costs two seeks.
Status move_journal_to_families(rocksdb::DB& db, rocksdb::ColumnFamilyHandle& records,
                                rocksdb::ColumnFamilyHandle& merkle);

}  // namespace ecoledger::ledger
