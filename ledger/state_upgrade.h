// Brings the state of a ledger written by an earlier build to the layout this
// build reads (state_machine.h, state_version), on open. Records are never
// touched: the state is derived from them, and the upgraded state is the
// state a replay of the records builds (tests/ledger/holdings_test.cc).
//
//   no version  (before holdings): lots as in version 2, no holdings
//   version "2": lots and index entries keyed by lot id; expiring units
//                under balexp/<account>/<asset>/<valid_to>
//   version "3": lots and index entries keyed by serial and last unit
//                (lot.h); expiring units inside bal/ (Holdings)
//
// Lots move to their new keys in durable batches of at most
// state_upgrade_lots_per_batch lots, each lot with its index entry, so memory
// stays bounded however many lots there are; an old key is never a new one,
// so a run cut short by a crash resumes where it stopped. The holdings are
// then rebuilt from the lots, and the version written, in one batch.
// Thread-safety: call before anything else reads or writes the store.
#pragma once

#include <cstddef>

#include "base/result.h"
#include "ledger/store.h"

namespace ecoledger::ledger {

inline constexpr std::size_t state_upgrade_lots_per_batch = 4096;

Status upgrade_state(Store& store);

}  // namespace ecoledger::ledger
