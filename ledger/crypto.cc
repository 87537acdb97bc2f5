#include "ledger/crypto.h"

#include <fstream>
#include <sstream>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <sodium.h>

#include "base/check.h"

namespace ecoledger::crypto {

namespace {

// OpenSSL 3 looks SHA-256 up by name, under a lock, inside every SHA256() and
// every digest started with EVP_sha256(); fetched once, a 300-byte record
// hashes in about half the time (bench/RESULTS.md, "libsodium"). The method
// lives as long as the process.
const EVP_MD* sha256_method() {
  static EVP_MD* const method = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  ECOLEDGER_CHECK(method != nullptr);
  return method;
}

Hash digest(const void* bytes, std::size_t size) {
  Hash out;
  unsigned int len = 0;
  ECOLEDGER_CHECK(EVP_Digest(bytes, size, out.data(), &len, sha256_method(), nullptr) == 1 && len == out.size());
  return out;
}

}  // namespace

Hash sha256(std::string_view bytes) { return digest(bytes.data(), bytes.size()); }

Hash sha256_prefixed(std::uint8_t prefix, std::string_view bytes) {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  ECOLEDGER_CHECK(ctx != nullptr);
  Hash out;
  unsigned int len = 0;
  ECOLEDGER_CHECK(EVP_DigestInit_ex(ctx, sha256_method(), nullptr) == 1 &&
                  EVP_DigestUpdate(ctx, &prefix, 1) == 1 &&
                  EVP_DigestUpdate(ctx, bytes.data(), bytes.size()) == 1 &&
                  EVP_DigestFinal_ex(ctx, out.data(), &len) == 1);
  EVP_MD_CTX_free(ctx);
  return out;
}

Hash sha256_pair(std::uint8_t prefix, const Hash& left, const Hash& right) {
  unsigned char buffer[65];
  buffer[0] = prefix;
  std::copy(left.begin(), left.end(), buffer + 1);
  std::copy(right.begin(), right.end(), buffer + 33);
  return digest(buffer, sizeof buffer);
}

std::string to_hex(const Hash& hash) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out(64, '0');
  for (std::size_t i = 0; i < hash.size(); ++i) {
    out[2 * i] = digits[hash[i] >> 4];
    out[2 * i + 1] = digits[hash[i] & 0xF];
  }
  return out;
}

Result<Hash> hash_from_hex(std::string_view hex) {
  if (hex.size() != 64) return fail("bad_hash", "a hash is 64 lowercase hex digits");
  Hash out;
  for (std::size_t i = 0; i < 32; ++i) {
    int value = 0;
    for (int k = 0; k < 2; ++k) {
      char c = hex[2 * i + k];
      int digit;
      if (c >= '0' && c <= '9') digit = c - '0';
      else if (c >= 'a' && c <= 'f') digit = c - 'a' + 10;
      else return fail("bad_hash", "a hash is 64 lowercase hex digits");
      value = value * 16 + digit;
    }
    out[i] = static_cast<std::uint8_t>(value);
  }
  return out;
}

namespace {
constexpr char base64_alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int base64_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}
}  // namespace

std::string base64_encode(std::string_view raw) {
  std::string out;
  out.reserve((raw.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 3 <= raw.size(); i += 3) {
    std::uint32_t n = (std::uint8_t(raw[i]) << 16) | (std::uint8_t(raw[i + 1]) << 8) | std::uint8_t(raw[i + 2]);
    for (int shift = 18; shift >= 0; shift -= 6) out.push_back(base64_alphabet[(n >> shift) & 63]);
  }
  std::size_t rest = raw.size() - i;
  if (rest == 1) {
    std::uint32_t n = std::uint8_t(raw[i]) << 16;
    out.push_back(base64_alphabet[(n >> 18) & 63]);
    out.push_back(base64_alphabet[(n >> 12) & 63]);
    out += "==";
  } else if (rest == 2) {
    std::uint32_t n = (std::uint8_t(raw[i]) << 16) | (std::uint8_t(raw[i + 1]) << 8);
    out.push_back(base64_alphabet[(n >> 18) & 63]);
    out.push_back(base64_alphabet[(n >> 12) & 63]);
    out.push_back(base64_alphabet[(n >> 6) & 63]);
    out.push_back('=');
  }
  return out;
}

Result<std::string> base64_decode(std::string_view text) {
  if (text.size() % 4 != 0) return fail("bad_base64", "base64 length must be a multiple of 4");
  std::string out;
  out.reserve(text.size() / 4 * 3);
  for (std::size_t i = 0; i < text.size(); i += 4) {
    bool last = i + 4 == text.size();
    int pad = 0;
    int v[4];
    for (int k = 0; k < 4; ++k) {
      char c = text[i + k];
      if (c == '=' && last && k >= 2) {
        v[k] = 0;
        ++pad;
        continue;
      }
      if (pad > 0) return fail("bad_base64", "padding only at the end");
      v[k] = base64_value(c);
      if (v[k] < 0) return fail("bad_base64", "invalid base64 character");
    }
    std::uint32_t n = (v[0] << 18) | (v[1] << 12) | (v[2] << 6) | v[3];
    out.push_back(static_cast<char>(n >> 16));
    if (pad < 2) out.push_back(static_cast<char>((n >> 8) & 0xFF));
    if (pad < 1) out.push_back(static_cast<char>(n & 0xFF));
    // Canonical: the bits dropped by padding must be zero.
    if ((pad == 1 && (n & 0xFF) != 0) || (pad == 2 && (n & 0xFFFF) != 0)) return fail("bad_base64", "non-canonical base64 padding bits");
  }
  return out;
}

struct PrivateKey::Impl {
  EVP_PKEY* pkey = nullptr;
  ~Impl() { EVP_PKEY_free(pkey); }
};

namespace {
std::string bio_to_string(BIO* bio) {
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<std::size_t>(len));
}
}  // namespace

Result<PrivateKey> PrivateKey::generate() {
  EVP_PKEY* pkey = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
  if (pkey == nullptr) return fail("crypto_error", "Ed25519 key generation failed");
  PrivateKey key;
  key.impl_ = std::make_shared<Impl>();
  key.impl_->pkey = pkey;
  return key;
}

Result<PrivateKey> PrivateKey::from_pem(std::string_view pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  EVP_PKEY* pkey = PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  if (pkey == nullptr) return fail("bad_key", "not a PEM private key");
  if (EVP_PKEY_get_id(pkey) != EVP_PKEY_ED25519) {
    EVP_PKEY_free(pkey);
    return fail("bad_key", "the private key is not Ed25519");
  }
  PrivateKey key;
  key.impl_ = std::make_shared<Impl>();
  key.impl_->pkey = pkey;
  return key;
}

Result<PrivateKey> PrivateKey::load_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail("io_error", "cannot read key file " + path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  auto key = from_pem(buffer.str());
  if (!key) key.error().message += " (" + path + ")";
  return key;
}

std::string PrivateKey::to_pem() const {
  BIO* bio = BIO_new(BIO_s_mem());
  ECOLEDGER_CHECK(PEM_write_bio_PrivateKey(bio, impl_->pkey, nullptr, nullptr, 0, nullptr, nullptr) == 1);
  std::string out = bio_to_string(bio);
  BIO_free(bio);
  return out;
}

std::string PrivateKey::public_pem() const {
  BIO* bio = BIO_new(BIO_s_mem());
  ECOLEDGER_CHECK(PEM_write_bio_PUBKEY(bio, impl_->pkey) == 1);
  std::string out = bio_to_string(bio);
  BIO_free(bio);
  return out;
}

std::string PrivateKey::public_raw() const {
  std::string out(ed25519_public_key_bytes, '\0');
  std::size_t len = out.size();
  ECOLEDGER_CHECK(EVP_PKEY_get_raw_public_key(impl_->pkey, reinterpret_cast<unsigned char*>(out.data()), &len) == 1);
  ECOLEDGER_CHECK(len == ed25519_public_key_bytes);
  return out;
}

std::string PrivateKey::public_base64() const { return base64_encode(public_raw()); }

std::string PrivateKey::sign(std::string_view message) const {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  ECOLEDGER_CHECK(EVP_DigestSignInit(ctx, nullptr, nullptr, nullptr, impl_->pkey) == 1);
  std::string sig(ed25519_signature_bytes, '\0');
  std::size_t len = sig.size();
  ECOLEDGER_CHECK(EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(sig.data()), &len,
                                 reinterpret_cast<const unsigned char*>(message.data()), message.size()) == 1);
  EVP_MD_CTX_free(ctx);
  return sig;
}

Result<std::string> public_raw_from_pem(std::string_view pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  EVP_PKEY* pkey = PEM_read_bio_PUBKEY(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  if (pkey == nullptr) return fail("bad_key", "not a PEM public key");
  std::string out(ed25519_public_key_bytes, '\0');
  std::size_t len = out.size();
  bool ok = EVP_PKEY_get_id(pkey) == EVP_PKEY_ED25519 &&
            EVP_PKEY_get_raw_public_key(pkey, reinterpret_cast<unsigned char*>(out.data()), &len) == 1 &&
            len == ed25519_public_key_bytes;
  EVP_PKEY_free(pkey);
  if (!ok) return fail("bad_key", "the public key is not Ed25519");
  return out;
}

bool ed25519_verify_openssl(std::string_view public_raw, std::string_view message, std::string_view signature_raw) {
  if (public_raw.size() != ed25519_public_key_bytes || signature_raw.size() != ed25519_signature_bytes) return false;
  EVP_PKEY* pkey = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr,
                                               reinterpret_cast<const unsigned char*>(public_raw.data()), public_raw.size());
  if (pkey == nullptr) return false;
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  bool ok = EVP_DigestVerifyInit(ctx, nullptr, nullptr, nullptr, pkey) == 1 &&
            EVP_DigestVerify(ctx, reinterpret_cast<const unsigned char*>(signature_raw.data()), signature_raw.size(),
                             reinterpret_cast<const unsigned char*>(message.data()), message.size()) == 1;
  EVP_MD_CTX_free(ctx);
  EVP_PKEY_free(pkey);
  return ok;
}

bool ed25519_verify_libsodium(std::string_view public_raw, std::string_view message, std::string_view signature_raw) {
  if (public_raw.size() != ed25519_public_key_bytes || signature_raw.size() != ed25519_signature_bytes) return false;
  // sodium_init picks the library's implementations once; it is thread-safe
  // and cheap after the first call, and the static makes it run once anyway.
  static const bool sodium_ready = sodium_init() >= 0;
  ECOLEDGER_CHECK(sodium_ready);
  return crypto_sign_verify_detached(reinterpret_cast<const unsigned char*>(signature_raw.data()),
                                     reinterpret_cast<const unsigned char*>(message.data()), message.size(),
                                     reinterpret_cast<const unsigned char*>(public_raw.data())) == 0;
}

bool ed25519_verify(std::string_view public_raw, std::string_view message, std::string_view signature_raw) {
  // libsodium verifies in about half OpenSSL 3.0's time (bench/RESULTS.md,
  // "libsodium"). Both check the same cofactorless equation with S < L, and
  // libsodium in addition rejects small-order and non-canonical keys and
  // small-order R, so what it accepts OpenSSL accepts too. What it rejects is
  // left to OpenSSL: the rule, which auditors' verifiers reproduce, stays
  // OpenSSL's exactly, and only a rejected signature pays for both.
  return ed25519_verify_libsodium(public_raw, message, signature_raw) ||
         ed25519_verify_openssl(public_raw, message, signature_raw);
}

}  // namespace ecoledger::crypto
