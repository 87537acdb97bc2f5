#include "ledger/signature_check.h"

#include <algorithm>
#include <thread>

#include "base/check.h"
#include "base/parallel.h"
#include "ledger/account_view.h"
#include "ledger/crypto.h"
#include "ledger/state_machine.h"

namespace ecoledger::ledger {
namespace {

class InlineCheck final : public SignatureCheck {
 public:
  bool verify(std::string_view public_raw, std::string_view message, std::string_view signature_raw) const override {
    return crypto::ed25519_verify(public_raw, message, signature_raw);
  }
};

class TrustingCheck final : public SignatureCheck {
 public:
  bool verify(std::string_view, std::string_view, std::string_view) const override { return true; }
};

// The raw public key of account#key_id if it is in force in state, as the
// state machine finds it; a wrong answer here would cost only a cache miss.
// Decoded without the memo: these run on threads started per batch.
std::optional<std::string> key_in_force(const StateReader& state, const Signature& sig) {
  auto stored = state.get(account_key(sig.account));
  if (!stored) return std::nullopt;
  auto account = decode_account_view(*stored);
  if (!account) return std::nullopt;
  const AccountView::Key* key = account->key_in_force(sig.key_id);
  if (key == nullptr || key->public_raw.empty()) return std::nullopt;
  return key->public_raw;
}

}  // namespace

const SignatureCheck& inline_signature_check() {
  static const InlineCheck check;
  return check;
}

const SignatureCheck& trusting_signature_check() {
  static const TrustingCheck check;
  return check;
}

unsigned signature_check_threads() { return std::clamp(std::thread::hardware_concurrency(), 1u, signature_check_threads_max); }

std::string SignatureCache::cache_key(std::string_view public_raw, std::string_view message, std::string_view signature_raw) {
  crypto::Hash digest = crypto::sha256(message);
  std::string key;
  key.reserve(public_raw.size() + signature_raw.size() + digest.size());
  key.append(public_raw).append(signature_raw).append(reinterpret_cast<const char*>(digest.data()), digest.size());
  return key;
}

SignatureCache SignatureCache::preverify(const std::vector<const Transaction*>& txs, const StateReader& state, unsigned threads) {
  ECOLEDGER_CHECK(threads >= 1 && threads <= signature_check_threads_max);
  // Each worker keeps its verdicts in its own list; the lists are merged
  // after the join, so no lock is needed.
  std::vector<std::vector<std::string>> found(threads);
  parallel_for_index(txs.size(), threads, [&](unsigned worker, std::size_t i) {
    const Transaction* tx = txs[i];
    if (tx == nullptr) return;
    for (const Signature& sig : tx->sigs) {
      auto pub = key_in_force(state, sig);
      if (pub && crypto::ed25519_verify(*pub, tx->signed_bytes, sig.sig_raw))
        found[worker].push_back(cache_key(*pub, tx->signed_bytes, sig.sig_raw));
    }
  });
  SignatureCache cache;
  for (auto& list : found)
    for (auto& key : list) cache.verified_.insert(std::move(key));
  return cache;
}

bool SignatureCache::verify(std::string_view public_raw, std::string_view message, std::string_view signature_raw) const {
  if (verified_.contains(cache_key(public_raw, message, signature_raw))) return true;
  return crypto::ed25519_verify(public_raw, message, signature_raw);
}

}  // namespace ecoledger::ledger
