#include "ledger/signature_check.h"

#include <algorithm>
#include <thread>

#include "base/check.h"
#include "base/drop_one_entry.h"
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
// Decoded without the per-thread memo: these run on threads started per batch.
std::optional<std::string> key_in_force(const StateReader& state, const Signature& sig) {
  auto stored = state.get(account_key(sig.account));
  if (!stored) return std::nullopt;
  auto account = decode_account_view(*stored);
  if (!account) return std::nullopt;
  const AccountView::Key* key = account->key_in_force(sig.key_id);
  if (key == nullptr || key->public_raw.empty()) return std::nullopt;
  return key->public_raw;
}

// The key that verifies sig over message, from the memo or else the state; nullopt when none does.
std::optional<std::string> verified_signer_key(const StateReader& state, SignerKeyMemo& memo, const Signature& sig,
                                               std::string_view message) {
  std::optional<std::string> remembered = memo.find(sig.account, sig.key_id);
  if (remembered && crypto::ed25519_verify(*remembered, message, sig.sig_raw)) return remembered;
  std::optional<std::string> in_force = key_in_force(state, sig);
  if (!in_force) {
    if (remembered) memo.forget(sig.account, sig.key_id);
    return std::nullopt;
  }
  if (in_force == remembered) return std::nullopt;  // the same key already failed
  memo.remember(sig.account, sig.key_id, *in_force);
  if (!crypto::ed25519_verify(*in_force, message, sig.sig_raw)) return std::nullopt;
  return in_force;
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

std::string SignerKeyMemo::memo_key(std::string_view account, std::string_view key_id) {
  // Account ids hold no NUL (is_valid_account_id), so the pair is unambiguous.
  std::string key;
  key.reserve(account.size() + 1 + key_id.size());
  key.append(account).push_back('\0');
  key.append(key_id);
  return key;
}

std::optional<std::string> SignerKeyMemo::find(std::string_view account, std::string_view key_id) const {
  const std::string key = memo_key(account, key_id);
  std::lock_guard lock(mutex_);
  auto it = keys_.find(key);
  if (it == keys_.end()) return std::nullopt;
  return it->second;
}

void SignerKeyMemo::remember(std::string_view account, std::string_view key_id, std::string public_raw) {
  std::string key = memo_key(account, key_id);
  std::lock_guard lock(mutex_);
  if (auto it = keys_.find(key); it != keys_.end()) {
    it->second = std::move(public_raw);
    return;
  }
  if (keys_.size() >= signer_keys_remembered_max) drop_one_entry(keys_, next_victim_bucket_);
  keys_.emplace(std::move(key), std::move(public_raw));
}

void SignerKeyMemo::forget(std::string_view account, std::string_view key_id) {
  const std::string key = memo_key(account, key_id);
  std::lock_guard lock(mutex_);
  keys_.erase(key);
}

SignatureCache SignatureCache::preverify(const std::vector<const Transaction*>& txs, const StateReader& state, unsigned threads,
                                         SignerKeyMemo& memo, SharedLoop* shared) {
  ECOLEDGER_CHECK(threads >= 1 && threads <= signature_check_threads_max);
  // Each worker keeps its verdicts in its own list; the lists are merged
  // after the join, so no lock is needed.
  std::vector<std::vector<std::string>> found(shared ? SharedLoop::workers_for(threads) : threads);
  auto verify_one = [&](unsigned worker, std::size_t i) {
    const Transaction* tx = txs[i];
    if (tx == nullptr) return;
    for (const Signature& sig : tx->sigs) {
      if (auto pub = verified_signer_key(state, memo, sig, tx->signed_bytes))
        found[worker].push_back(cache_key(*pub, tx->signed_bytes, sig.sig_raw));
    }
  };
  if (shared) shared->run(txs.size(), threads, verify_one);
  else parallel_for_index(txs.size(), threads, verify_one);
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
