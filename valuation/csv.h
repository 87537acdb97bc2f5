// CSV text for the tabular reports (GEP account, pledge and stress reports):
// RFC 4180 quoting, "\n" line ends, fields in a fixed order, so the same
// report gives the same bytes on every run.
// Thread-safety: pure functions.
#pragma once

#include <string>

namespace ecoledger::valuation {

// s unchanged, or quoted with inner quotes doubled when it holds , " CR or LF.
std::string csv_field(const std::string& s);

}  // namespace ecoledger::valuation
