// Test fixtures: a temporary ledger directory with registry and node keys,
// and helpers to build, sign and submit transactions.
#pragma once

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "ledger/audit.h"
#include "ledger/ledger.h"
#include "ledger/transaction.h"

namespace ecoledger::testing {

inline std::string temp_dir(const std::string& tag) {
  std::string pattern = (std::filesystem::temp_directory_path() / ("ecoledger-" + tag + "-XXXXXX")).string();
  char* made = ::mkdtemp(pattern.data());
  REQUIRE(made != nullptr);
  return pattern;
}

inline constexpr std::int64_t t0_ms = 1795852800000;  // 2026-11-28T08:00:00.000Z

struct TestLedger {
  std::string dir = temp_dir("ledger") + "/data";
  crypto::PrivateKey registry = *crypto::PrivateKey::generate();
  crypto::PrivateKey node = *crypto::PrivateKey::generate();
  std::unique_ptr<ledger::Ledger> ledger;
  std::map<std::string, crypto::PrivateKey> keys;  // account -> its k1 key
  int counter = 0;
  std::int64_t now_ms = t0_ms;

  TestLedger() {
    auto created = ledger::Ledger::create(dir, registry, node, "test-ledger", now_ms);
    REQUIRE(created.has_value());
    ledger = std::move(*created);
    keys.emplace("registry", registry);
  }
  ~TestLedger() {
    ledger.reset();
    std::error_code ec;
    std::filesystem::remove_all(std::filesystem::path(dir).parent_path(), ec);
  }

  json::Json tx(const std::string& type, json::Json body) {
    return ledger::make_transaction("test-ledger", "tx-" + std::to_string(++counter), type, std::move(body));
  }
  json::Json signed_by(json::Json t, std::initializer_list<std::string> accounts) {
    for (const auto& a : accounts) t = ledger::sign_transaction(std::move(t), keys.at(a), a + "#k1");
    return t;
  }
  Result<ledger::Receipt> submit(const json::Json& t) {
    auto results = ledger->submit({json::canonical(t)}, now_ms);
    return results.at(0);
  }
  std::string error_of(const json::Json& t) {
    auto r = submit(t);
    REQUIRE_FALSE(r.has_value());
    return r.error().code;
  }
  void open_account(const std::string& account, const std::string& role) {
    auto key = *crypto::PrivateKey::generate();
    keys.emplace(account, key);
    auto r = submit(signed_by(tx("account.open", {{"account", account}, {"role", role}, {"name", account},
                                                  {"keys", {{{"id", "k1"}, {"pub", key.public_base64()}}}}}),
                              {"registry"}));
    REQUIRE_MESSAGE(r.has_value(), (r ? "" : r.error().code + ": " + r.error().message));
  }
};

// Opens holders h0 .. h<count-1>, all with one key, 500 to a submit: many
// records quickly, for tests of the journal's size rather than of accounts.
inline void open_holders_sharing_a_key(TestLedger& t, int count) {
  const auto key = *crypto::PrivateKey::generate();
  for (int done = 0; done < count;) {
    std::vector<std::string> texts;
    for (; done < count && texts.size() < 500; ++done)
      texts.push_back(json::canonical(t.signed_by(
          t.tx("account.open", {{"account", "h" + std::to_string(done)}, {"role", "holder"}, {"name", "h"},
                                {"keys", {{{"id", "k1"}, {"pub", key.public_base64()}}}}}),
          {"registry"})));
    for (const auto& r : t.ledger->submit(texts, t.now_ms)) REQUIRE(r.has_value());
  }
}

// Every record of l, as the exact hashed bytes (what `ecoledger export` writes).
inline std::vector<std::string> export_records(const ledger::Ledger& l) {
  std::vector<std::string> out;
  auto s = l.store().scan_records(0, l.head().size, [&](std::uint64_t, std::string_view b) {
    out.emplace_back(b);
    return true;
  });
  REQUIRE(s.has_value());
  return out;
}

// The sibling hashes of a proof as served ("path": hex strings).
inline std::vector<crypto::Hash> proof_path(const json::Json& proof) {
  std::vector<crypto::Hash> out;
  for (const auto& h : proof["path"]) out.push_back(*crypto::hash_from_hex(h.get<std::string>()));
  return out;
}

// The auditor's verdict on records fed one at a time, signatures checked.
inline ledger::AuditReport audit(const std::vector<std::string>& records) {
  ledger::Auditor auditor;
  for (const auto& r : records)
    if (!auditor.feed(r)) break;
  return auditor.finish(std::nullopt, std::nullopt);
}

}  // namespace ecoledger::testing
