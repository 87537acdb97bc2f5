// Asset transaction types (the registry issue): issue, transfer, pledge,
// freeze, retire, price and methodology publication.
#pragma once

#include "ledger/state_machine.h"

namespace ecoledger::ledger {

// Applies an asset transaction; "unknown_type" when the type is not one.
Status apply_registry_transaction(const TxContext& ctx, StateOverlay& state);

}  // namespace ecoledger::ledger
