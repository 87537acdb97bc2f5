#include "base/check.h"
#include "ledger/transaction.h"
#include "tests/fuzz/fuzz_targets.h"

namespace ecoledger::fuzz {

void transaction_decode(std::string_view input) {
  auto tx = ledger::parse_transaction(input, "fuzz-ledger");
  if (!tx) {
    ECOLEDGER_CHECK(!tx.error().code.empty());
    return;
  }
  // Decoding is a function of the canonical form: decoding it again gives
  // the same id, type, signed bytes and signatures.
  ECOLEDGER_CHECK(!tx->sigs.empty() && tx->sigs.size() <= ledger::tx_sigs_max);
  auto again = ledger::parse_transaction(json::canonical(tx->doc), "fuzz-ledger");
  ECOLEDGER_CHECK(again.has_value());
  ECOLEDGER_CHECK(again->id == tx->id && again->type == tx->type && again->signed_bytes == tx->signed_bytes);
  ECOLEDGER_CHECK(again->sigs.size() == tx->sigs.size());
  for (std::size_t i = 0; i < tx->sigs.size(); ++i) {
    ECOLEDGER_CHECK(again->sigs[i].sig_raw == tx->sigs[i].sig_raw);
    ECOLEDGER_CHECK(tx->sigs[i].sig_raw.size() == crypto::ed25519_signature_bytes);
  }
}

}  // namespace ecoledger::fuzz
