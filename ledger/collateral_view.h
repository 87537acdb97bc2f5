// Collateral valuation from the ledger alone: builds the valuation module's
// pledge book from pledges, issuances and published prices in the state, so
// a bank's mark-to-market is reproducible by anyone holding the records.
// Thread-safety: reads only.
#pragma once

#include <string>
#include <vector>

#include "base/json.h"
#include "base/result.h"
#include "ledger/state.h"
#include "valuation/collateral.h"

namespace ecoledger::ledger {

// The book of the given pledges valued on valuation_date ("YYYY-MM-DD"):
// loans from the pledges' loan terms, the asset class and instrument (the
// pollutant of a PRT, the standard of a CSC), PRT expiry, and every price
// published for those instruments on or before that date with its seq.
Result<valuation::PledgeBook> pledge_book_from_state(const StateReader& state, const std::vector<std::string>& pledge_ids,
                                                      const std::string& valuation_date);

// Open pledges of a bank.
std::vector<std::string> open_pledges_of_bank(const StateReader& state, const std::string& bank);

// Mark-to-market report of the given pledges (valuation::pledge_report_to_json).
Result<json::Json> value_pledges(const StateReader& state, const std::vector<std::string>& pledge_ids,
                                 const std::string& valuation_date, const valuation::CollateralTable& table);

}  // namespace ecoledger::ledger
