// The auditor's two ways of being fed (one record at a time, or chunks
// prepared on several threads) and its two signature modes (checked, or
// trusted as `ecoledger audit --no-sigs` trusts them).
#include <random>

#include "ledger/audit.h"
#include "tests/ledger/test_support.h"

using namespace ecoledger;
using ecoledger::testing::TestLedger;
using Signatures = ledger::Auditor::Signatures;

using ecoledger::testing::export_records;

namespace {


using Store = ledger::Auditor::StateStore;

// chunk 0: feed() one record at a time; otherwise feed_chunk() of that many
// on two threads (pipelined with the scratch_disk store).
ledger::AuditReport audit(const std::vector<std::string>& records, Signatures signatures, std::size_t chunk,
                          const std::optional<json::Json>& checkpoint = std::nullopt, const std::optional<std::string>& node_pub = std::nullopt,
                          Store store = Store::memory, ledger::QueryIndexes indexes = ledger::QueryIndexes::kept) {
  ledger::Auditor auditor(store, signatures, indexes);
  if (chunk == 0) {
    for (const auto& r : records)
      if (!auditor.feed(r)) break;
  } else {
    for (std::size_t i = 0; i < records.size(); i += chunk) {
      std::vector<std::string> part(records.begin() + static_cast<std::ptrdiff_t>(i),
                                    records.begin() + static_cast<std::ptrdiff_t>(std::min(records.size(), i + chunk)));
      if (!auditor.feed_chunk(part, 2)) break;
    }
  }
  return auditor.finish(checkpoint, node_pub);
}

// Rewrites record `seq` with edit() and re-links every later record, as a
// forger who can recompute hashes (but not sign) would.
std::vector<std::string> forge(std::vector<std::string> records, std::size_t seq, const std::function<void(json::Json&)>& edit) {
  auto doc = *json::parse_strict(records[seq]);
  edit(doc);
  records[seq] = json::canonical(doc);
  for (std::size_t i = seq + 1; i < records.size(); ++i) {
    auto later = *json::parse_strict(records[i]);
    later["prev"] = crypto::to_hex(crypto::sha256(records[i - 1]));
    records[i] = json::canonical(later);
  }
  return records;
}

// genesis, two holders, an issuance, transfers, a key rotation and a
// transfer signed with the new key: signatures by keys opened and rotated
// between records, so a chunk sees keys change within it.
struct Journal {
  TestLedger t;
  std::vector<std::string> records;
  std::size_t transfer_seq = 0;  // a transfer signed by holder.a#k1
  Journal() {
    t.open_account("holder.a", "holder");
    t.open_account("holder.b", "holder");
    REQUIRE(t.submit(t.signed_by(t.tx("asset.issue", {{"asset", "PRT"}, {"serial", "S1"}, {"holder", "holder.a"}, {"quantity", 100},
                                                      {"pollutant", "COD"}, {"region", "350500"}, {"valid_from", "2026-01-01"},
                                                      {"valid_to", "2030-12-31"}}),
                                 {"registry"})));
    transfer_seq = t.ledger->head().size;
    REQUIRE(t.submit(t.signed_by(t.tx("transfer", {{"from", "holder.a"}, {"to", "holder.b"}, {"lot", "S1:1-100"}, {"quantity", 10}}),
                                 {"holder.a"})));
    auto k2 = *crypto::PrivateKey::generate();
    REQUIRE(t.submit(t.signed_by(
        t.tx("key.rotate", {{"account", "holder.a"}, {"add", {{{"id", "k2"}, {"pub", k2.public_base64()}}}}, {"revoke", {"k1"}}}),
        {"holder.a"})));
    auto moved = t.tx("transfer", {{"from", "holder.a"}, {"to", "holder.b"}, {"lot", "S1:11-100"}, {"quantity", 5}});
    REQUIRE(t.submit(ledger::sign_transaction(moved, k2, "holder.a#k2")));
    t.open_account("holder.c", "holder");
    records = export_records(*t.ledger);
  }
};

void require_same(const ledger::AuditReport& a, const ledger::AuditReport& b) {
  CHECK(a.ok == b.ok);
  CHECK(a.records == b.records);
  CHECK(a.bad_seq == b.bad_seq);
  CHECK(a.reason == b.reason);
  CHECK(a.root == b.root);
  CHECK(a.head == b.head);
}

}  // namespace

TEST_CASE("audit: chunks prepared on several threads, pipelined or not, give the verdicts of one record at a time") {
  Journal j;
  REQUIRE(audit(j.records, Signatures::check, 0).ok);
  std::vector<std::vector<std::string>> journals{j.records};
  std::mt19937 rng(11);
  for (int k = 0; k < 40; ++k) {
    auto damaged = j.records;
    std::size_t seq = rng() % damaged.size();
    std::size_t pos = rng() % damaged[seq].size();
    damaged[seq][pos] = static_cast<char>(damaged[seq][pos] ^ (1 + rng() % 255));
    journals.push_back(std::move(damaged));
  }
  journals.push_back(forge(j.records, j.transfer_seq, [](json::Json& r) { r["tx"]["body"]["quantity"] = 11; }));
  // A signed transaction replayed later: its id repeats within one chunk or
  // across chunks (the scratch store gathers a chunk's ids before writing them).
  const json::Json replayed = json::parse_strict(j.records[j.transfer_seq])->at("tx");
  auto repeated = forge(j.records, j.records.size() - 1, [&](json::Json& r) { r["tx"] = replayed; });
  journals.push_back(repeated);
  CHECK(audit(repeated, Signatures::check, 0).reason.find("appears twice") != std::string::npos);
  // Pipelined, a chunk's workers look its ids up among the marks written so
  // far, which leaves out the chunk applied meanwhile: one record per chunk
  // finds the repeat among the marks, more per chunk in the chunk before.
  for (std::size_t chunk : {1, 2, 3}) {
    CAPTURE(chunk);
    CHECK(audit(repeated, Signatures::check, chunk, std::nullopt, std::nullopt, Store::scratch_disk).reason.find("appears twice") !=
          std::string::npos);
  }
  for (const auto& records : journals)
    for (Signatures mode : {Signatures::check, Signatures::trust}) {
      auto serial = audit(records, mode, 0);
      for (std::size_t chunk : {1, 2, 3, 100}) require_same(serial, audit(records, mode, chunk));
      // Pipelined: each scratch store is a RocksDB, so two chunk sizes only.
      for (std::size_t chunk : {3, 100}) require_same(serial, audit(records, mode, chunk, std::nullopt, std::nullopt, Store::scratch_disk));
      // Without the query indexes (`audit --records`): the same verdicts.
      require_same(serial, audit(records, mode, 3, std::nullopt, std::nullopt, Store::scratch_disk, ledger::QueryIndexes::dropped));
    }
}

TEST_CASE("audit --no-sigs: a changed record is still caught; a bad signature only with signatures checked") {
  Journal j;
  auto cp = j.t.ledger->checkpoint(j.t.node, j.t.now_ms);
  const std::string node_pub = j.t.node.public_raw();
  for (std::size_t chunk : {0, 4}) {
    CAPTURE(chunk);
    CHECK(audit(j.records, Signatures::trust, chunk, cp, node_pub).ok);

    // A record changed in place breaks the link of the next one.
    auto changed = j.records;
    auto doc = *json::parse_strict(changed[j.transfer_seq]);
    doc["tx"]["body"]["quantity"] = 11;
    changed[j.transfer_seq] = json::canonical(doc);
    auto report = audit(changed, Signatures::trust, chunk);
    CHECK_FALSE(report.ok);
    CHECK(report.bad_seq == j.transfer_seq + 1);
    CHECK(report.reason == "prev does not match the hash of the record before");

    // Re-linked, a change the state can take still moves the Merkle root away from the signed checkpoint...
    auto renamed = forge(j.records, j.records.size() - 1, [](json::Json& r) { r["tx"]["body"]["name"] = "someone else"; });
    CHECK(audit(renamed, Signatures::trust, chunk).ok);
    report = audit(renamed, Signatures::trust, chunk, cp, node_pub);
    CHECK_FALSE(report.ok);
    CHECK(report.reason == "checkpoint root or head differs from the records");
    // ...a change of a lot's units leaves later transfers naming lots that do not exist...
    auto relinked = forge(j.records, j.transfer_seq, [](json::Json& r) { r["tx"]["body"]["quantity"] = 11; });
    report = audit(relinked, Signatures::trust, chunk);
    CHECK_FALSE(report.ok);
    CHECK(report.reason.starts_with("re-execution refused it: unknown_lot"));
    // ...and a change the state cannot take is refused at its seq by re-execution.
    auto impossible = forge(j.records, j.transfer_seq, [](json::Json& r) { r["tx"]["body"]["quantity"] = 1000; });
    report = audit(impossible, Signatures::trust, chunk);
    CHECK_FALSE(report.ok);
    CHECK(report.bad_seq == j.transfer_seq);
    CHECK(report.reason.starts_with("re-execution refused it: insufficient_free_units"));

    // A forged signature, re-linked: only the full audit refuses it, at its seq.
    auto bad_sig = forge(j.records, j.transfer_seq, [](json::Json& r) {
      std::string raw = *crypto::base64_decode(r["tx"]["sigs"][0]["sig"].get<std::string>());
      raw[10] = static_cast<char>(raw[10] ^ 0x01);
      r["tx"]["sigs"][0]["sig"] = crypto::base64_encode(raw);
    });
    for (Store store : {Store::memory, Store::scratch_disk}) {
      report = audit(bad_sig, Signatures::check, chunk, std::nullopt, std::nullopt, store);
      CHECK_FALSE(report.ok);
      CHECK(report.bad_seq == j.transfer_seq);
      CHECK(report.reason.starts_with("re-execution refused it: bad_signature"));
    }
    CHECK(audit(bad_sig, Signatures::trust, chunk).ok);
  }
}

// The auditor checks a record whose transaction decodes against the record
// built around the transaction's canonical form, and any other record against
// JCS of the whole document. Both paths must give the same reasons, in the
// same order (JCS form, then shape, then the transaction), however it is fed.
TEST_CASE("audit: non-canonical records are refused at their seq with the reason the full JCS check gives") {
  Journal j;
  const std::string& clean = j.records[j.transfer_seq];
  auto replace = [&](std::string text, const std::string& from, const std::string& to) {
    auto at = text.find(from);
    REQUIRE(at != std::string::npos);
    return text.replace(at, from.size(), to);
  };
  auto edited = [&](const std::function<void(json::Json&)>& edit) {
    auto doc = *json::parse_strict(clean);
    edit(doc);
    return json::canonical(doc);
  };
  const std::string jcs = "record is not in canonical (JCS) form";
  const std::string shape = "a record is {\"seq\",\"prev\",\"time\",\"tx\"}";
  const std::string old_version = edited([](json::Json& r) { r["tx"]["v"] = 2; });
  const std::string extra_member = edited([](json::Json& r) { r["extra"] = 1; });
  const std::vector<std::pair<std::string, std::string>> cases{
      // The same document, written otherwise: the transaction decodes.
      {replace(clean, "\"tx\":{", "\"tx\": {"), jcs},
      {replace(clean, "\"holder.b\"", "\"holder\\u002eb\""), jcs},
      {replace(clean, "\"time\":\"2", "\"time\":\"\\u0032"), jcs},
      {replace(clean, "\"type\":\"transfer\"", "\"type\":\"trans\\u0066er\""), jcs},
      // A transaction that does not decode, canonical or not.
      {old_version, "transaction: bad_tx: unsupported transaction version"},
      {replace(old_version, "\"v\":2", "\"v\" :2"), jcs},
      // A record of the wrong shape, canonical or not.
      {extra_member, shape},
      {replace(extra_member, "\"extra\":1", "\"extra\":1 "), jcs},
  };
  for (const auto& [record, reason] : cases) {
    CAPTURE(record);
    auto records = j.records;
    records[j.transfer_seq] = record;
    for (Signatures mode : {Signatures::check, Signatures::trust})
      for (std::size_t chunk : {0, 3, 100})
        for (Store store : {Store::memory, Store::scratch_disk}) {
          auto report = audit(records, mode, chunk, std::nullopt, std::nullopt, store);
          CHECK_FALSE(report.ok);
          CHECK(report.bad_seq == j.transfer_seq);
          CHECK(report.reason == reason);
        }
  }
}
