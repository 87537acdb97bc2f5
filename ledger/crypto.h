// Cryptographic primitives of the wire format, over OpenSSL (and libsodium
// for the common case of Ed25519 verification):
// SHA-256, Ed25519 (keys, signatures), lowercase hex and standard base64.
//
// All functions are pure and thread-safe (OpenSSL 3 one-shot APIs, libsodium).
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace ecoledger::crypto {

using Hash = std::array<std::uint8_t, 32>;
inline constexpr std::size_t ed25519_public_key_bytes = 32;
inline constexpr std::size_t ed25519_signature_bytes = 64;

Hash sha256(std::string_view bytes);
// SHA-256 of prefix byte followed by bytes (RFC 6962 leaf / node hashing).
Hash sha256_prefixed(std::uint8_t prefix, std::string_view bytes);
Hash sha256_pair(std::uint8_t prefix, const Hash& left, const Hash& right);

std::string to_hex(const Hash& hash);
Result<Hash> hash_from_hex(std::string_view hex);  // exactly 64 lowercase hex

std::string base64_encode(std::string_view raw);
// Strict standard base64 with padding; rejects whitespace and non-canonical tails.
Result<std::string> base64_decode(std::string_view text);

// An Ed25519 private key loaded from a PKCS#8 PEM file.
class PrivateKey {
 public:
  static Result<PrivateKey> generate();
  static Result<PrivateKey> from_pem(std::string_view pem);
  static Result<PrivateKey> load_file(const std::string& path);
  std::string to_pem() const;           // PKCS#8 PEM, as openssl genpkey writes
  std::string public_pem() const;       // SubjectPublicKeyInfo PEM
  std::string public_raw() const;       // 32 raw bytes
  std::string public_base64() const;    // the wire form of a public key
  std::string sign(std::string_view message) const;  // 64 raw bytes

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

// The 32 raw bytes of an Ed25519 public key in SubjectPublicKeyInfo PEM.
Result<std::string> public_raw_from_pem(std::string_view pem);

// Verifies an Ed25519 signature given the 32 raw public key bytes, by
// OpenSSL's rule (RFC 8032 without the cofactor, S < L; small-order keys are
// not refused). libsodium answers first and OpenSSL decides what it rejects.
bool ed25519_verify(std::string_view public_raw, std::string_view message,
                    std::string_view signature_raw);

// The two verifiers ed25519_verify combines, for the tests that pin the rule
// and (libsodium's) the ceiling bench. libsodium's accepts a subset of
// OpenSSL's.
bool ed25519_verify_openssl(std::string_view public_raw, std::string_view message,
                            std::string_view signature_raw);
bool ed25519_verify_libsodium(std::string_view public_raw, std::string_view message,
                              std::string_view signature_raw);

}  // namespace ecoledger::crypto
