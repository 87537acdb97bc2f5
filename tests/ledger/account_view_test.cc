// The per-thread memo of decoded accounts (ledger/account_view.h) must answer
// for exactly the stored bytes it is given: a rotated key, another ledger's
// account of the same id, or a memo past its bound never gives a stale view.
#include <doctest/doctest.h>

#include "ledger/account_view.h"
#include "ledger/state.h"
#include "ledger/state_machine.h"

namespace ledger = ecoledger::ledger;

namespace {

// A public key of 32 bytes whose every byte is `fill`, base64-encoded.
std::string pub_of(char fill) {
  static constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  const std::string raw(32, fill);
  std::string out;
  for (std::size_t i = 0; i < raw.size(); i += 3) {
    unsigned n = static_cast<unsigned char>(raw[i]) << 16;
    if (i + 1 < raw.size()) n |= static_cast<unsigned char>(raw[i + 1]) << 8;
    if (i + 2 < raw.size()) n |= static_cast<unsigned char>(raw[i + 2]);
    out += alphabet[(n >> 18) & 63];
    out += alphabet[(n >> 12) & 63];
    out += i + 1 < raw.size() ? alphabet[(n >> 6) & 63] : '=';
    out += i + 2 < raw.size() ? alphabet[n & 63] : '=';
  }
  return out;
}

std::string account_value(const std::string& id, const std::string& role, const std::string& keys) {
  return R"({"account":")" + id + R"(","keys":[)" + keys + R"(],"name":"n","opened":1,"role":")" + role + "\"}";
}

void put(ledger::MemoryState& state, const std::string& account, const std::string& value) {
  ledger::StateOverlay writes(state);
  writes.put(ledger::account_key(account), value);
  state.apply(writes);
}

}  // namespace

TEST_CASE("account views follow the stored value: rotation, another state, damage") {
  const std::string k1 = R"({"id":"k1","pub":")" + pub_of('a') + R"(","since":1})";
  const std::string k1_revoked = R"({"id":"k1","pub":")" + pub_of('a') + R"(","revoked":5,"since":1})";
  const std::string k2 = R"({"id":"k2","pub":")" + pub_of('b') + R"(","since":5})";
  ledger::MemoryState before, after, other;
  put(before, "farm", account_value("farm", "holder", k1));
  put(after, "farm", account_value("farm", "holder", k1_revoked + "," + k2));
  put(other, "farm", account_value("farm", "bank", k1));

  for (int round = 0; round < 3; ++round) {  // alternating, so every answer after the first is a memo lookup
    auto v = ledger::account_view(before, "farm");
    REQUIRE(v);
    CHECK(v->role == "holder");
    REQUIRE(v->key_in_force("k1"));
    CHECK(v->key_in_force("k1")->public_raw == std::string(32, 'a'));
    CHECK_FALSE(v->key_in_force("k2"));

    auto w = ledger::account_view(after, "farm");
    REQUIRE(w);
    CHECK_FALSE(w->key_in_force("k1"));
    REQUIRE(w->key_in_force("k2"));
    CHECK(w->key_in_force("k2")->public_raw == std::string(32, 'b'));

    CHECK(ledger::account_role(other, "farm") == "bank");
    CHECK(ledger::account_role(before, "farm") == "holder");
    CHECK_FALSE(ledger::account_view(before, "nobody"));
  }

  ledger::MemoryState damaged;
  put(damaged, "farm", "{\"role\":");
  CHECK_FALSE(ledger::account_view(damaged, "farm"));
  CHECK_FALSE(ledger::account_role(damaged, "farm"));
  // A key whose pub is not base64 is in force but verifies nothing.
  ledger::MemoryState bad_pub;
  put(bad_pub, "farm", account_value("farm", "holder", R"({"id":"k1","pub":"!!","since":1})"));
  auto v = ledger::account_view(bad_pub, "farm");
  REQUIRE(v);
  REQUIRE(v->key_in_force("k1"));
  CHECK(v->key_in_force("k1")->public_raw.empty());
}

TEST_CASE("account views stay right past the memo's bound") {
  ledger::MemoryState state;
  ledger::StateOverlay writes(state);
  const std::size_t accounts = ledger::account_views_per_thread_max + 500;
  const std::string k1 = R"({"id":"k1","pub":")" + pub_of('c') + R"(","since":1})";
  for (std::size_t i = 0; i < accounts; ++i) {
    const std::string id = "acct-" + std::to_string(i);
    writes.put(ledger::account_key(id), account_value(id, i % 2 ? "bank" : "holder", k1));
  }
  state.apply(writes);
  for (int round = 0; round < 2; ++round)
    for (std::size_t i = 0; i < accounts; i += 7) {
      auto role = ledger::account_role(state, "acct-" + std::to_string(i));
      REQUIRE(role);
      CHECK(*role == (i % 2 ? "bank" : "holder"));
    }
}
