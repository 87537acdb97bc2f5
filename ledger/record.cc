#include "ledger/record.h"

#include "base/json.h"

namespace ecoledger::ledger {

std::string encode_record(std::int64_t seq, std::string_view prev_hex, std::string_view time, std::string tx_canonical) {
  json::CanonicalObject record;
  record.add_int("seq", seq).add_string("prev", prev_hex).add_string("time", time);
  record.add_canonical("tx", std::move(tx_canonical));
  return record.str();
}

}  // namespace ecoledger::ledger
