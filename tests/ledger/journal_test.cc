#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <random>
#include <sstream>

#include "ledger/audit.h"
#include "ledger/merkle.h"
#include "tests/ledger/test_support.h"

using namespace ecoledger;
using ecoledger::testing::TestLedger;

using ecoledger::testing::export_records;

using ecoledger::testing::audit;

TEST_CASE("genesis: record 0 links to zeros and names the registry") {
  TestLedger t;
  auto records = export_records(*t.ledger);
  REQUIRE(records.size() == 1);
  auto doc = json::parse_strict(records[0]);
  REQUIRE(doc.has_value());
  CHECK((*doc)["seq"] == 0);
  CHECK((*doc)["prev"] == std::string(64, '0'));
  CHECK((*doc)["time"] == "2026-11-28T08:00:00.000Z");
  CHECK((*doc)["tx"]["type"] == "genesis");
  CHECK(json::canonical(*doc) == records[0]);
}

TEST_CASE("account.open: registry-signed, roles checked, no duplicates") {
  TestLedger t;
  t.open_account("village.changkou", "holder");
  CHECK(t.error_of(t.signed_by(t.tx("account.open", {{"account", "village.changkou"}, {"role", "holder"}, {"name", "x"},
                                                     {"keys", {{{"id", "k1"}, {"pub", t.registry.public_base64()}}}}}),
                               {"registry"})) == "account_exists");
  CHECK(t.error_of(t.signed_by(t.tx("account.open", {{"account", "bank.x"}, {"role", "bank"}, {"name", "x"},
                                                     {"keys", {{{"id", "k1"}, {"pub", t.registry.public_base64()}}}}}),
                               {"village.changkou"})) == "not_authorized");
  CHECK(t.error_of(t.signed_by(t.tx("account.open", {{"account", "bank.x"}, {"role", "emperor"}, {"name", "x"},
                                                     {"keys", {{{"id", "k1"}, {"pub", t.registry.public_base64()}}}}}),
                               {"registry"})) == "bad_tx");
  CHECK(t.error_of(t.signed_by(t.tx("account.open", {{"account", "Bank/X"}, {"role", "bank"}, {"name", "x"},
                                                     {"keys", {{{"id", "k1"}, {"pub", t.registry.public_base64()}}}}}),
                               {"registry"})) == "bad_tx");
  CHECK(t.ledger->head().size == 2);
}

TEST_CASE("signatures: unknown, revoked and forged keys are refused") {
  TestLedger t;
  t.open_account("holder.a", "holder");
  auto stranger = *crypto::PrivateKey::generate();
  json::Json body{{"account", "holder.b"}, {"role", "holder"}, {"name", "b"}, {"keys", {{{"id", "k1"}, {"pub", stranger.public_base64()}}}}};
  // A key that is not the registry's, claiming to be registry#k1.
  CHECK(t.error_of(ledger::sign_transaction(t.tx("account.open", body), stranger, "registry#k1")) == "bad_signature");
  CHECK(t.error_of(ledger::sign_transaction(t.tx("account.open", body), stranger, "registry#k9")) == "unknown_key");
  CHECK(t.error_of(ledger::sign_transaction(t.tx("account.open", body), stranger, "nobody#k1")) == "unknown_key");

  // Rotate holder.a's key: add k2, revoke k1. A later k1 signature is refused.
  auto k2 = *crypto::PrivateKey::generate();
  auto rotate = t.signed_by(t.tx("key.rotate", {{"account", "holder.a"}, {"add", {{{"id", "k2"}, {"pub", k2.public_base64()}}}}, {"revoke", {"k1"}}}),
                            {"holder.a"});
  REQUIRE(t.submit(rotate).has_value());
  auto again = t.signed_by(t.tx("key.rotate", {{"account", "holder.a"}, {"add", {{{"id", "k3"}, {"pub", k2.public_base64()}}}}}), {"holder.a"});
  CHECK(t.error_of(again) == "unknown_key");
  auto by_k2 = ledger::sign_transaction(t.tx("key.rotate", {{"account", "holder.a"}, {"add", {{{"id", "k3"}, {"pub", k2.public_base64()}}}}}), k2,
                                        "holder.a#k2");
  CHECK(t.submit(by_k2).has_value());
  // A tampered body no longer matches its signature.
  auto tampered = t.signed_by(t.tx("key.rotate", {{"account", "holder.a"}, {"revoke", {"k2"}}}), {"registry"});
  tampered["body"]["revoke"] = {"k3"};
  CHECK(t.error_of(tampered) == "bad_signature");
  CHECK(audit(export_records(*t.ledger)).ok);
}

TEST_CASE("idempotency: same id and content returns the first receipt; other content is refused") {
  TestLedger t;
  auto open = t.signed_by(t.tx("account.open", {{"account", "bank.cib"}, {"role", "bank"}, {"name", "CIB Sanming"},
                                                {"keys", {{{"id", "k1"}, {"pub", t.node.public_base64()}}}}}),
                          {"registry"});
  auto first = t.submit(open);
  REQUIRE(first.has_value());
  t.now_ms += 5000;
  auto second = t.submit(open);
  REQUIRE(second.has_value());
  CHECK(second->seq == first->seq);
  CHECK(second->hash == first->hash);
  CHECK(second->time == first->time);
  auto other = open;
  other["body"]["name"] = "someone else";
  other = t.signed_by(other, {"registry"});
  CHECK(t.error_of(other) == "id_reused");
  // Within one batch too.
  auto batch = t.ledger->submit({json::canonical(open), json::canonical(other)}, t.now_ms);
  CHECK(batch[0]->seq == first->seq);
  CHECK(batch[1].error().code == "id_reused");
  CHECK(t.ledger->head().size == 2);
}

TEST_CASE("malformed transactions are refused and change nothing") {
  TestLedger t;
  auto head = t.ledger->head();
  auto results = t.ledger->submit({"{", R"({"v":1})", R"({"v":1,"ledger":"other","id":"a","type":"x","body":{},"sigs":[]})",
                                   "[1,2]", R"({"v":1,"ledger":"test-ledger","id":"a/b","type":"x","body":{},"sigs":[{"key":"registry#k1","sig":"AA=="}]})"},
                                  t.now_ms);
  CHECK(results[0].error().code == "bad_json");
  CHECK(results[1].error().code == "bad_tx");
  CHECK(results[2].error().code == "wrong_ledger");
  CHECK(results[3].error().code == "bad_tx");
  CHECK(results[4].error().code == "bad_tx");
  CHECK(t.ledger->head().size == head.size);
  CHECK(t.ledger->head().head == head.head);
}

TEST_CASE("time never decreases, even when the clock goes back") {
  TestLedger t;
  t.now_ms -= 3600 * 1000;
  t.open_account("holder.a", "holder");
  auto records = export_records(*t.ledger);
  CHECK(json::parse_strict(records[1]).value()["time"] == "2026-11-28T08:00:00.000Z");
}

TEST_CASE("audit: a byte flipped anywhere in an export is caught at that seq") {
  TestLedger t;
  for (int i = 0; i < 6; ++i) t.open_account("holder." + std::to_string(i), "holder");
  auto records = export_records(*t.ledger);
  auto clean = audit(records);
  REQUIRE(clean.ok);
  CHECK(clean.records == 7);
  CHECK(clean.root == crypto::to_hex(*t.ledger->root(7)));
  std::mt19937 rng(7);
  int trials = 0;
  for (std::size_t seq = 0; seq < records.size(); ++seq) {
    for (int k = 0; k < 40; ++k) {
      auto damaged = records;
      std::size_t pos = rng() % damaged[seq].size();
      damaged[seq][pos] = static_cast<char>(damaged[seq][pos] ^ (1 + rng() % 255));
      auto report = audit(damaged);
      CHECK_FALSE(report.ok);
      CHECK(report.bad_seq == seq);
      ++trials;
    }
  }
  CHECK(trials == 280);
  // Dropping or swapping records is caught too.
  auto dropped = records;
  dropped.erase(dropped.begin() + 3);
  CHECK(audit(dropped).bad_seq == 3);
  auto swapped = records;
  std::swap(swapped[2], swapped[4]);
  CHECK(audit(swapped).bad_seq == 2);
}

TEST_CASE("checkpoint: signed tree head verifies and matches the audit") {
  TestLedger t;
  t.open_account("holder.a", "holder");
  auto cp = t.ledger->checkpoint(t.node, t.now_ms);
  CHECK(cp["size"] == 2);
  CHECK(ledger::verify_checkpoint_signature(cp, t.node.public_raw()));
  ledger::Auditor auditor;
  for (const auto& r : export_records(*t.ledger)) auditor.feed(r);
  CHECK(auditor.finish(cp, t.node.public_raw()).ok);
  auto forged = cp;
  forged["size"] = 1;
  CHECK_FALSE(ledger::verify_checkpoint_signature(forged, t.node.public_raw()));
}

TEST_CASE("proofs: every record's inclusion and every consistency verifies against the store") {
  TestLedger t;
  for (int i = 0; i < 12; ++i) t.open_account("h" + std::to_string(i), "holder");
  std::uint64_t n = t.ledger->head().size;
  for (std::uint64_t size = 1; size <= n; ++size) {
    auto root = *t.ledger->root(size);
    for (std::uint64_t seq = 0; seq < size; ++seq) {
      auto proof = t.ledger->inclusion_proof(seq, size);
      REQUIRE(proof.has_value());
      auto leaf = *crypto::hash_from_hex((*proof)["leaf"].get<std::string>());
      CHECK(ledger::merkle_verify_inclusion(seq, size, leaf, testing::proof_path(*proof), root));
    }
    auto c = t.ledger->consistency_proof(size, n);
    REQUIRE(c.has_value());
    CHECK(ledger::merkle_verify_consistency(size, n, root, *t.ledger->root(n), testing::proof_path(*c)));
  }
  CHECK(t.ledger->inclusion_proof(n, n).error().code == "proof_range");
  CHECK(t.ledger->consistency_proof(0, n).error().code == "proof_range");
}

TEST_CASE("crash: SIGKILL mid-batch loses nothing acknowledged") {
  // A child appends batches and reports each durable receipt on a pipe; the
  // parent kills it at a random moment, reopens the store and checks that
  // every reported record is there and the journal audits clean.
  for (int round = 0; round < 3; ++round) {
    TestLedger t;
    std::string dir = t.dir;
    std::vector<std::pair<std::string, crypto::PrivateKey>> holders;
    int fds[2];
    REQUIRE(::pipe(fds) == 0);
    t.ledger.reset();  // the child owns the database while it runs
    pid_t child = ::fork();
    REQUIRE(child >= 0);
    if (child == 0) {
      ::close(fds[0]);
      auto opened = ledger::Ledger::open(dir);
      if (!opened) _exit(2);
      t.ledger = std::move(*opened);
      for (int b = 0; b < 1000; ++b) {
        std::vector<std::string> batch;
        for (int i = 0; i < 8; ++i) {
          std::string account = "h" + std::to_string(b) + "." + std::to_string(i);
          batch.push_back(json::canonical(t.signed_by(t.tx("account.open", {{"account", account}, {"role", "holder"}, {"name", account},
                                                                             {"keys", {{{"id", "k1"}, {"pub", t.node.public_base64()}}}}}),
                                                      {"registry"})));
        }
        for (const auto& r : t.ledger->submit(batch, t.now_ms)) {
          if (!r) _exit(3);
          std::string line = std::to_string(r->seq) + " " + r->hash + "\n";
          if (::write(fds[1], line.data(), line.size()) < 0) _exit(4);
        }
      }
      _exit(0);
    }
    ::close(fds[1]);
    ::usleep(20000 + 30000 * round);
    ::kill(child, SIGKILL);
    int status = 0;
    ::waitpid(child, &status, 0);
    std::string acknowledged;
    char buffer[4096];
    ssize_t n;
    while ((n = ::read(fds[0], buffer, sizeof buffer)) > 0) acknowledged.append(buffer, n);
    ::close(fds[0]);
    auto reopened = ledger::Ledger::open(dir);
    REQUIRE(reopened.has_value());
    std::istringstream lines(acknowledged);
    std::uint64_t seq;
    std::string hash;
    int count = 0;
    while (lines >> seq >> hash) {
      auto record = (*reopened)->store().record(seq);
      REQUIRE(record.has_value());
      CHECK(crypto::to_hex(crypto::sha256(*record)) == hash);
      ++count;
    }
    CHECK((*reopened)->head().size >= static_cast<std::uint64_t>(count) + 1);
    std::vector<std::string> records = export_records(**reopened);
    CHECK(audit(records).ok);
    MESSAGE("round " << round << ": acknowledged " << count << ", on disk " << records.size());
  }
}

TEST_CASE("state comparison names the first differing key either way") {
  ledger::MemoryState a, b;
  ledger::StateOverlay wa(a), wb(b);
  wa.put("acct/x", "1");
  wa.put("acct/y", "2");
  wb.put("acct/x", "1");
  a.apply(wa);
  b.apply(wb);
  CHECK(ledger::first_state_difference(a, b) == "acct/y");
  CHECK(ledger::first_state_difference(b, a) == "acct/y");
  ledger::StateOverlay fix(b);
  fix.put("acct/y", "3");
  b.apply(fix);
  CHECK(ledger::first_state_difference(a, b) == "acct/y");
  ledger::StateOverlay same(b);
  same.put("acct/y", "2");
  b.apply(same);
  CHECK(ledger::first_state_difference(a, b) == "");
}
