// Asset transaction types (the registry issue): issue, transfer, pledge,
// freeze, retire, price and methodology publication.
#pragma once

#include "ledger/state_machine.h"
#include "valuation/carbon.h"

namespace ecoledger::ledger {

// Applies an asset transaction; "unknown_type" when the type is not one.
Status apply_registry_transaction(const TxContext& ctx, StateOverlay& state);

// The methodology table (id, version) as published on the ledger; the one an
// FCT issuance naming it is quantified with. Error "methodology_unknown".
Result<valuation::MethodologyTable> published_methodology(const StateReader& state, const std::string& id, std::int64_t version);

}  // namespace ecoledger::ledger
