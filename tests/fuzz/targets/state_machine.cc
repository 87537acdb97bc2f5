#include <map>
#include <string>

#include "base/check.h"
#include "ledger/queries.h"
#include "ledger/state_machine.h"
#include "ledger/transaction.h"
#include "tests/fuzz/fuzz_targets.h"

namespace ecoledger::fuzz {
namespace {

constexpr char ledger_id[] = "fuzz-ledger";
constexpr char record_time[] = "2026-11-28T08:00:00.000Z";

// A small registry built once per process through the state machine itself:
// genesis, one account of each role, a PRT issuance held by holder.a.
struct Fixture {
  ledger::MemoryState state;
  std::map<std::string, crypto::PrivateKey> keys;
  std::uint64_t seq = 0;

  Fixture() {
    keys.emplace("registry", *crypto::PrivateKey::generate());
    auto node = *crypto::PrivateKey::generate();
    apply_ok(ledger::make_transaction(ledger_id, "genesis", "genesis",
                                      {{"registry", {{"account", "registry"}, {"keys", {{{"id", "k1"}, {"pub", keys.at("registry").public_base64()}}}}}},
                                       {"node", {{"keys", {{{"id", "n1"}, {"pub", node.public_base64()}}}}}}}),
             {"registry"});
    const std::pair<const char*, const char*> accounts[] = {{"bank.a", "bank"},         {"holder.a", "holder"},     {"holder.b", "holder"},
                                                            {"verifier.a", "verifier"}, {"regulator.a", "regulator"}, {"oracle.a", "oracle"}};
    for (const auto& [account, role] : accounts) {
      keys.emplace(account, *crypto::PrivateKey::generate());
      apply_ok(ledger::make_transaction(ledger_id, std::string("open-") + account, "account.open",
                                        {{"account", account}, {"role", role}, {"name", account},
                                         {"keys", {{{"id", "k1"}, {"pub", keys.at(account).public_base64()}}}}}),
               {"registry"});
    }
    apply_ok(ledger::make_transaction(ledger_id, "issue-1", "asset.issue",
                                      {{"asset", "PRT"}, {"serial", "PRT-350428-2026-000001"}, {"holder", "holder.a"}, {"quantity", 1000},
                                       {"pollutant", "COD"}, {"region", "350428"}, {"valid_from", "2026-01-01"}, {"valid_to", "2027-12-31"}}),
             {"registry"});
  }

  json::Json sign(json::Json tx, const json::Json& as) const {
    for (const json::Json& name : as)
      if (name.is_string())
        if (auto it = keys.find(name.get<std::string>()); it != keys.end())
          tx = ledger::sign_transaction(std::move(tx), it->second, it->first + "#k1");
    return tx;
  }

  void apply_ok(json::Json tx, std::initializer_list<const char*> as) {
    json::Json names = json::Json::array();
    for (const char* a : as) names.push_back(a);
    auto decoded = ledger::parse_transaction(json::canonical(sign(std::move(tx), names)), ledger_id);
    ECOLEDGER_CHECK(decoded.has_value());
    ledger::StateOverlay overlay(state);
    Status applied = ledger::apply_transaction(*decoded, seq++, record_time, overlay);
    if (!applied) std::fprintf(stderr, "fixture: %s: %s\n", applied.error().code.c_str(), applied.error().message.c_str());
    ECOLEDGER_CHECK(applied.has_value());
    state.apply(overlay);
  }
};

const Fixture& fixture() {
  static const Fixture f;
  return f;
}

// An object with "as" is a transaction the harness completes and signs with
// the named accounts' keys (the fuzzer cannot forge Ed25519); anything else
// is submitted as it is.
std::string transaction_text(std::string_view input) {
  auto doc = json::parse_strict(input);
  if (!doc || !doc->is_object() || !doc->contains("as") || !(*doc)["as"].is_array()) return std::string(input);
  json::Json as = (*doc)["as"];
  doc->erase("as");
  if (!doc->contains("v")) (*doc)["v"] = 1;
  if (!doc->contains("ledger")) (*doc)["ledger"] = ledger_id;
  if (!doc->contains("sigs")) (*doc)["sigs"] = json::Json::array();
  return json::canonical(fixture().sign(std::move(*doc), as));
}

}  // namespace

void state_machine(std::string_view input) {
  const Fixture& f = fixture();
  auto tx = ledger::parse_transaction(transaction_text(input), ledger_id);
  if (!tx) return;
  ledger::StateOverlay overlay(f.state);
  Status applied = ledger::apply_transaction(*tx, f.seq, record_time, overlay);
  if (!applied) {
    ECOLEDGER_CHECK(!applied.error().code.empty());
    ECOLEDGER_CHECK(overlay.writes().empty());  // a refusal leaves no trace
    return;
  }
  // Accepted: the registry's invariants hold, and replay is deterministic.
  ECOLEDGER_CHECK(ledger::check_invariants(overlay).has_value());
  ledger::StateOverlay replay(f.state);
  ECOLEDGER_CHECK(ledger::apply_transaction(*tx, f.seq, record_time, replay).has_value());
  ECOLEDGER_CHECK(replay.writes() == overlay.writes());
}

}  // namespace ecoledger::fuzz
