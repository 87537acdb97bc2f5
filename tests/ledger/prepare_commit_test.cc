// Ledger::prepare and Ledger::commit: a batch prepared while other batches
// commit (the sequencer's pipeline) gets the verdicts it would get if it were
// submitted after them, whatever its pre-verification saw.
#include <thread>

#include "ledger/signature_check.h"
#include "tests/ledger/test_support.h"

using namespace ecoledger;
using ecoledger::testing::TestLedger;

namespace {

json::Json issue(TestLedger& t, const std::string& serial, const std::string& holder, std::int64_t quantity) {
  return t.signed_by(t.tx("asset.issue", {{"asset", "PRT"}, {"serial", serial}, {"holder", holder}, {"quantity", quantity},
                                          {"pollutant", "COD"}, {"region", "350500"}, {"valid_from", "2026-01-01"},
                                          {"valid_to", "2030-12-31"}}),
                     {"registry"});
}

json::Json transfer(TestLedger& t, const std::string& from, const std::string& to, const std::string& lot, std::int64_t quantity) {
  return t.tx("transfer", {{"from", from}, {"to", to}, {"lot", lot}, {"quantity", quantity}});
}

}  // namespace

TEST_CASE("prepare/commit: keys revoked, added or opened after prepare are judged as at commit") {
  TestLedger t;
  t.open_account("holder.a", "holder");
  t.open_account("holder.b", "holder");
  REQUIRE(t.submit(issue(t, "S1", "holder.a", 100)));
  auto k2 = *crypto::PrivateKey::generate();
  auto c_key = *crypto::PrivateKey::generate();

  // Prepared while holder.a#k1 is in force, holder.a#k2 unknown and holder.c absent.
  auto by_k1 = t.signed_by(transfer(t, "holder.a", "holder.b", "S1:1-100", 10), {"holder.a"});
  auto by_k2 = ledger::sign_transaction(transfer(t, "holder.a", "holder.b", "S1:1-100", 5), k2, "holder.a#k2");
  auto forged = ledger::sign_transaction(transfer(t, "holder.a", "holder.b", "S1:6-100", 1), k2, "holder.a#k2");
  forged["body"]["quantity"] = 2;
  auto by_c = ledger::sign_transaction(
      t.tx("key.rotate", {{"account", "holder.c"}, {"add", {{{"id", "k2"}, {"pub", k2.public_base64()}}}}}), c_key, "holder.c#k1");
  ledger::PreparedBatch prepared =
      t.ledger->prepare({json::canonical(by_k1), json::canonical(by_k2), json::canonical(forged), json::canonical(by_c)});
  CHECK(prepared.size() == 4);

  // Committed in between: holder.a rotates k1 out and k2 in; holder.c opens.
  REQUIRE(t.submit(t.signed_by(
      t.tx("key.rotate", {{"account", "holder.a"}, {"add", {{{"id", "k2"}, {"pub", k2.public_base64()}}}}, {"revoke", {"k1"}}}),
      {"holder.a"})));
  t.keys.emplace("holder.c", c_key);
  REQUIRE(t.submit(t.signed_by(t.tx("account.open", {{"account", "holder.c"}, {"role", "holder"}, {"name", "holder.c"},
                                                     {"keys", {{{"id", "k1"}, {"pub", c_key.public_base64()}}}}}),
                               {"registry"})));

  const std::uint64_t size_before = t.ledger->head().size;
  auto results = t.ledger->commit(std::move(prepared), t.now_ms);
  REQUIRE(results.size() == 4);
  // k1 verified at prepare, but revoked by commit time: refused.
  REQUIRE_FALSE(results[0].has_value());
  CHECK(results[0].error().code == "unknown_key");
  // k2 and holder.c#k1 were not in force at prepare: verified at commit.
  CHECK(results[1].has_value());
  REQUIRE_FALSE(results[2].has_value());
  CHECK(results[2].error().code == "bad_signature");
  CHECK(results[3].has_value());
  CHECK(t.ledger->head().size == size_before + 2);
  CHECK(testing::audit(testing::export_records(*t.ledger)).ok);
}

TEST_CASE("prepare/commit: batches prepared on one thread while another commits equal serial submission") {
  TestLedger t;
  constexpr int holders = 6;
  for (int h = 0; h < holders; ++h) {
    t.open_account("holder." + std::to_string(h), "holder");
    REQUIRE(t.submit(issue(t, "S" + std::to_string(h), "holder." + std::to_string(h), 1000)));
  }
  // Each batch moves one unit from every holder to the next; batch k spends
  // the lot left by batch k-1, so a batch applied out of order would fail.
  constexpr int batches = 24;
  std::vector<std::vector<std::string>> texts(batches);
  for (int k = 0; k < batches; ++k)
    for (int h = 0; h < holders; ++h) {
      const std::string from = "holder." + std::to_string(h);
      const std::string lot = "S" + std::to_string(h) + ":" + std::to_string(k + 1) + "-1000";
      texts[k].push_back(json::canonical(t.signed_by(transfer(t, from, "holder." + std::to_string((h + 1) % holders), lot, 1), {from})));
    }
  // The pipeline: batch k+1 is prepared on a second thread while batch k commits.
  std::vector<ledger::PreparedBatch> ready;
  ready.push_back(t.ledger->prepare(texts[0]));
  for (int k = 0; k < batches; ++k) {
    std::optional<ledger::PreparedBatch> next;
    std::thread preparer([&] {
      if (k + 1 < batches) next.emplace(t.ledger->prepare(texts[k + 1]));
    });
    auto results = t.ledger->commit(std::move(ready[k]), ++t.now_ms);
    preparer.join();
    if (next) ready.push_back(std::move(*next));
    for (const auto& r : results) CHECK_MESSAGE(r.has_value(), (r ? "" : r.error().code + ": " + r.error().message));
  }
  CHECK(t.ledger->head().size == 1 + 2 * holders + batches * holders);
  CHECK(testing::audit(testing::export_records(*t.ledger)).ok);
  // Committing the same texts again answers the first receipts (idempotency holds across the pipeline).
  auto again = t.ledger->commit(t.ledger->prepare(texts[3]), ++t.now_ms);
  for (const auto& r : again) CHECK(r.has_value());
  CHECK(t.ledger->head().size == 1 + 2 * holders + batches * holders);
}

TEST_CASE("prepare/commit: a batch joined onto another commits as their texts prepared together") {
  TestLedger t;
  t.open_account("holder.a", "holder");
  t.open_account("holder.b", "holder");
  REQUIRE(t.submit(issue(t, "S1", "holder.a", 100)));

  // The first batch moves 10 units; the second spends what it left and holds
  // an exact repeat of its text, a reuse of its id with other content and a
  // forged signature. Each needs the first batch applied before it.
  const std::string first = json::canonical(t.signed_by(transfer(t, "holder.a", "holder.b", "S1:1-100", 10), {"holder.a"}));
  json::Json spend_rest = t.signed_by(transfer(t, "holder.a", "holder.b", "S1:11-100", 90), {"holder.a"});
  json::Json reuse = json::Json::parse(first);
  reuse["body"]["quantity"] = 9;
  reuse = t.signed_by(reuse, {"holder.a"});
  json::Json forged = t.signed_by(transfer(t, "holder.b", "holder.a", "S1:1-10", 1), {"holder.b"});
  forged["body"]["quantity"] = 2;

  ledger::PreparedBatch joined = t.ledger->prepare({first});
  joined.append(t.ledger->prepare({json::canonical(spend_rest), first, json::canonical(reuse), json::canonical(forged)}));
  CHECK(joined.size() == 5);

  const std::uint64_t size_before = t.ledger->head().size;
  auto results = t.ledger->commit(std::move(joined), t.now_ms);
  REQUIRE(results.size() == 5);
  REQUIRE(results[0].has_value());
  CHECK(results[0]->seq == size_before);
  REQUIRE(results[1].has_value());  // spends the lot the first transfer left
  CHECK(results[1]->seq == size_before + 1);
  REQUIRE(results[2].has_value());  // the repeat answers the first receipt
  CHECK(results[2]->seq == results[0]->seq);
  CHECK(results[2]->hash == results[0]->hash);
  REQUIRE_FALSE(results[3].has_value());
  CHECK(results[3].error().code == "id_reused");
  REQUIRE_FALSE(results[4].has_value());
  CHECK(results[4].error().code == "bad_signature");
  CHECK(t.ledger->head().size == size_before + 2);
  CHECK(testing::audit(testing::export_records(*t.ledger)).ok);
}

TEST_CASE("preverify: a signer key remembered wrongly, or since revoked, costs a read of the state, never a verdict") {
  TestLedger t;
  t.open_account("holder.a", "holder");
  t.open_account("holder.b", "holder");
  REQUIRE(t.submit(issue(t, "S1", "holder.a", 100)));
  auto by_k1 = t.signed_by(transfer(t, "holder.a", "holder.b", "S1:1-100", 10), {"holder.a"});
  auto parsed = ledger::parse_transaction(json::canonical(by_k1), t.ledger->id());
  REQUIRE(parsed.has_value());
  const std::vector<const ledger::Transaction*> txs{&*parsed};
  const std::string right = *crypto::base64_decode(t.keys.at("holder.a").public_base64());
  const std::string wrong = crypto::PrivateKey::generate()->public_raw();

  ledger::SignerKeyMemo memo;
  memo.remember("holder.a", "k1", wrong);
  // The wrong key fails, the state gives the right one, which verifies and is remembered.
  CHECK(ledger::SignatureCache::preverify(txs, t.ledger->store().state(), 2, memo).verified() == 1);
  CHECK(memo.find("holder.a", "k1") == std::optional<std::string>(right));
  // Remembered right: verified without the state (an empty state has no accounts).
  ledger::MemoryState empty;
  CHECK(ledger::SignatureCache::preverify(txs, empty, 1, memo).verified() == 1);

  // Revoked meanwhile: the remembered key still yields a true verdict about
  // (key, message, signature); the state machine refuses the key at commit.
  auto k2 = *crypto::PrivateKey::generate();
  REQUIRE(t.submit(t.signed_by(
      t.tx("key.rotate", {{"account", "holder.a"}, {"add", {{{"id", "k2"}, {"pub", k2.public_base64()}}}}, {"revoke", {"k1"}}}),
      {"holder.a"})));
  ledger::PreparedBatch prepared = t.ledger->prepare({json::canonical(by_k1)});
  auto results = t.ledger->commit(std::move(prepared), t.now_ms);
  REQUIRE(results.size() == 1);
  REQUIRE_FALSE(results[0].has_value());
  CHECK(results[0].error().code == "unknown_key");

  // A remembered key that fails, for an account the state no longer has: forgotten.
  memo.remember("holder.z", "k1", wrong);
  auto by_z = ledger::sign_transaction(transfer(t, "holder.z", "holder.b", "S1:1-10", 1), k2, "holder.z#k1");
  auto parsed_z = ledger::parse_transaction(json::canonical(by_z), t.ledger->id());
  REQUIRE(parsed_z.has_value());
  CHECK(ledger::SignatureCache::preverify({&*parsed_z}, t.ledger->store().state(), 1, memo).verified() == 0);
  CHECK_FALSE(memo.find("holder.z", "k1"));
}
