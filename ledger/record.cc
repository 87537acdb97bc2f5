#include "ledger/record.h"

#include "base/json.h"

namespace ecoledger::ledger {

std::string encode_record(std::int64_t seq, std::string_view prev_hex, std::string_view time, std::string tx_canonical) {
  json::OrderedCanonicalWriter record(prev_hex.size() + time.size() + tx_canonical.size() + 64);
  record.add_string("prev", prev_hex).add_int("seq", seq).add_string("time", time).add_canonical("tx", tx_canonical);
  return std::move(record).finish();
}

}  // namespace ecoledger::ledger
