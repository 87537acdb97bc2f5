// decode_transaction encodes each member once for both canonical forms a
// transaction has: what is signed (without "sigs") and what the record
// holds (the whole document). Both must be canonical() of those documents.
#include <doctest/doctest.h>

#include "base/json.h"
#include "ledger/transaction.h"

namespace json = ecoledger::json;
namespace ledger = ecoledger::ledger;

TEST_CASE("a transaction's signed and record forms are canonical() of the document without and with sigs") {
  const std::string text = R"({"type":"account.open","v":1,"ledger":"sanming-1","id":"tx-1",
    "body":{"role":"holder","name":"三明 \"Changkou\" village","keys":[{"id":"k1","pub":"x"}],"account":"changkou"},
    "sigs":[{"sig":")" + std::string(86, 'A') + R"(==","key":"registry#k1"}]})";
  auto tx = ledger::parse_transaction(text, "sanming-1");
  REQUIRE(tx.has_value());
  json::Json whole = json::Json::parse(text);
  CHECK(tx->canonical_bytes == json::canonical(whole));
  whole.erase("sigs");
  CHECK(tx->signed_bytes == json::canonical(whole));
}
