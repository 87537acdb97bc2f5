// The Ed25519 rule ecoledger verifies by is OpenSSL's, although libsodium
// answers first for speed (ledger/crypto.cc): these cases pin that the
// combination accepts exactly what OpenSSL accepts, and that libsodium never
// accepts what OpenSSL rejects, which is what makes the shortcut safe.
#include <doctest/doctest.h>

#include <string>

#include "ledger/crypto.h"

namespace ecoledger::crypto {
namespace {

// The order of the base point, L = 2^252 + 27742317777372353535851937790883648493, little-endian.
constexpr unsigned char group_order_le[32] = {0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7,
                                              0xa2, 0xde, 0xf9, 0xde, 0x14, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
                                              0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10};

struct Verdicts {
  bool combined, openssl, libsodium;
};

Verdicts verdicts(const std::string& pub, const std::string& message, const std::string& sig) {
  return {ed25519_verify(pub, message, sig), ed25519_verify_openssl(pub, message, sig), ed25519_verify_libsodium(pub, message, sig)};
}

// The invariant every case must keep, whatever the verdict.
void check_rule(const Verdicts& v) {
  CHECK(v.combined == v.openssl);
  if (v.libsodium) CHECK(v.openssl);
}

// Flips every step-th bit of bytes in turn, checks the rule on each verdict
// and counts the copies the combined verifier rejects.
template <typename VerdictsOf>
int rejected_flips(const std::string& bytes, std::size_t step, VerdictsOf verdicts_of) {
  int rejected = 0;
  for (std::size_t bit = 0; bit < 8 * bytes.size(); bit += step) {
    std::string bad = bytes;
    bad[bit / 8] = static_cast<char>(bad[bit / 8] ^ (1 << (bit % 8)));
    Verdicts v = verdicts_of(bad);
    check_rule(v);
    rejected += v.combined ? 0 : 1;
  }
  return rejected;
}

}  // namespace

TEST_CASE("a valid signature is accepted by both verifiers") {
  auto key = PrivateKey::generate();
  REQUIRE(key.has_value());
  const std::string message = R"({"ledger":"sanming-pilot","type":"transfer"})";
  auto v = verdicts(key->public_raw(), message, key->sign(message));
  CHECK(v.combined);
  CHECK(v.openssl);
  CHECK(v.libsodium);
}

TEST_CASE("one flipped bit of key, message or signature: the combined verdict is OpenSSL's") {
  auto key = PrivateKey::generate();
  REQUIRE(key.has_value());
  const std::string message = "a transfer of 1,500 kgCO2e from a village collective";
  const std::string pub = key->public_raw();
  const std::string sig = key->sign(message);
  int rejected = rejected_flips(sig, 1, [&](const std::string& bad) { return verdicts(pub, message, bad); }) +
                 rejected_flips(pub, 1, [&](const std::string& bad) { return verdicts(bad, message, sig); }) +
                 rejected_flips(message, 7, [&](const std::string& bad) { return verdicts(pub, bad, sig); });
  // Every flip breaks the signature.
  CHECK(rejected == static_cast<int>(8 * sig.size() + 8 * pub.size() + (8 * message.size() + 6) / 7));
}

TEST_CASE("S + L, the same signature with a non-canonical S, is rejected by both") {
  auto key = PrivateKey::generate();
  REQUIRE(key.has_value());
  const std::string message = "pledge 20,000 kgCO2e to the bank";
  std::string sig = key->sign(message);
  unsigned carry = 0;
  for (std::size_t i = 0; i < 32; ++i) {
    unsigned sum = static_cast<unsigned char>(sig[32 + i]) + group_order_le[i] + carry;
    sig[32 + i] = static_cast<char>(sum & 0xff);
    carry = sum >> 8;
  }
  REQUIRE(carry == 0);
  auto v = verdicts(key->public_raw(), message, sig);
  check_rule(v);
  CHECK_FALSE(v.combined);
  CHECK_FALSE(v.libsodium);
}

TEST_CASE("the identity as key: OpenSSL accepts R = identity, S = 0 on any message, so ecoledger does too") {
  // libsodium refuses small-order keys and R; OpenSSL does not, and the rule
  // is OpenSSL's (docs/FORMAT.md). Pinned so that a change of rule is a
  // decision, not a side effect of a faster verifier.
  const std::string identity = std::string(1, '\x01') + std::string(31, '\0');
  const std::string sig = identity + std::string(32, '\0');
  for (const std::string message : {"", "any message at all"}) {
    auto v = verdicts(identity, message, sig);
    check_rule(v);
    CHECK(v.openssl);
    CHECK(v.combined);
    CHECK_FALSE(v.libsodium);
  }
  // The same point in a non-canonical encoding (y = p + 1): whatever OpenSSL says.
  std::string non_canonical(32, '\xff');
  non_canonical[0] = '\xee';
  non_canonical[31] = '\x7f';
  check_rule(verdicts(non_canonical, "any message at all", sig));
}

TEST_CASE("keys and signatures of the wrong length are rejected without a verifier") {
  auto key = PrivateKey::generate();
  REQUIRE(key.has_value());
  const std::string sig = key->sign("m");
  auto v = verdicts(key->public_raw().substr(1), "m", sig);
  CHECK_FALSE(v.combined);
  CHECK_FALSE(v.openssl);
  CHECK_FALSE(v.libsodium);
  v = verdicts(key->public_raw(), "m", sig + "x");
  CHECK_FALSE(v.combined);
  CHECK_FALSE(v.libsodium);
}

}  // namespace ecoledger::crypto
