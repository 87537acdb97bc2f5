#include "base/check.h"
#include "ledger/crypto.h"
#include "tests/fuzz/fuzz_targets.h"

namespace ecoledger::fuzz {

void base64_decode(std::string_view input) {
  // The input read as raw bytes round-trips through encode and decode.
  auto back = crypto::base64_decode(crypto::base64_encode(input));
  ECOLEDGER_CHECK(back.has_value() && *back == input);
  auto raw = crypto::base64_decode(input);
  if (!raw) {
    ECOLEDGER_CHECK(raw.error().code == "bad_base64");
    return;
  }
  // Canonical: exactly one text per byte string, so accepted text round-trips.
  ECOLEDGER_CHECK(raw->size() == input.size() / 4 * 3 - (input.ends_with("==") ? 2 : input.ends_with("=") ? 1 : 0));
  ECOLEDGER_CHECK(crypto::base64_encode(*raw) == input);
}

}  // namespace ecoledger::fuzz
