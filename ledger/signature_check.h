// Signature checking for the state machine, and the batch pre-verification
// that lets Ledger::submit verify Ed25519 signatures on every core while it
// still applies transactions one by one, in order.
//
// apply_transaction looks up each signer's key in force exactly as before and
// asks a SignatureCheck whether (public key, signed bytes, signature) verifies:
//   - inline_signature_check(): verifies on the calling thread (the default);
//   - SignatureCache: answers from verdicts computed ahead, in parallel, for
//     the keys in force at the start of the batch; on a miss (a key opened or
//     rotated within the batch, or a signature that failed) it verifies
//     inline, so the outcome is the same as serial verification, only sooner;
//   - trusting_signature_check(): accepts every signature whose key is in
//     force, for `ecoledger audit --no-sigs` (hashes, links, JCS and state only).
// Thread-safety: the checks are immutable once built and may be shared;
// SignatureCache::preverify runs its own workers and returns after joining them.
#pragma once

#include <cstddef>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "base/result.h"
#include "base/shared_loop.h"
#include "ledger/state.h"
#include "ledger/transaction.h"

namespace ecoledger::ledger {

// Workers for the pre-verification: one per core, never more than this.
inline constexpr unsigned signature_check_threads_max = 16;

class SignatureCheck {
 public:
  virtual ~SignatureCheck() = default;
  // True when signature_raw is a valid Ed25519 signature of message by public_raw.
  virtual bool verify(std::string_view public_raw, std::string_view message, std::string_view signature_raw) const = 0;
};

const SignatureCheck& inline_signature_check();
const SignatureCheck& trusting_signature_check();

// min(hardware_concurrency, signature_check_threads_max), at least 1.
unsigned signature_check_threads();

// Signer keys kept past this many are dropped one for each new one: about
// 120 bytes each, so about 2 MiB at most, whatever the ledger's size.
inline constexpr std::size_t signer_keys_remembered_max = 16384;

// SignerKeyMemo: the public key last found in force for (account, key id),
// so pre-verification need not read and decode the account for every
// signature (decode_account_view was about 4% of `audit`'s samples). An entry
// may be stale (the key rotated or revoked since): pre-verification only
// computes verdicts about (key, message, signature), which stay true, and
// apply_transaction still checks the key in force, so a stale entry costs at
// most a miss; preverify reads the state again when a remembered key fails.
// Thread-safety: all members may be called concurrently.
class SignerKeyMemo {
 public:
  std::optional<std::string> find(std::string_view account, std::string_view key_id) const;
  void remember(std::string_view account, std::string_view key_id, std::string public_raw);
  void forget(std::string_view account, std::string_view key_id);

 private:
  static std::string memo_key(std::string_view account, std::string_view key_id);
  mutable std::mutex mutex_;
  std::unordered_map<std::string, std::string> keys_;  // guarded by mutex_
  std::size_t next_victim_bucket_ = 0;                 // guarded by mutex_
};

class SignatureCache final : public SignatureCheck {
 public:
  // Verifies, on `threads` workers, every signature of txs (null entries are
  // skipped) whose key is in force in state. State may change meanwhile (a
  // batch committing): a key read before or after the change costs at most a
  // miss, never a wrong verdict, since a verdict depends only on its triple.
  // Signer keys come from memo when it has them, and are remembered there.
  // With a shared loop, the work runs as its run(): one of the threads is
  // whichever calls the loop's help() meanwhile.
  // REQUIRES: 1 <= threads <= signature_check_threads_max.
  static SignatureCache preverify(const std::vector<const Transaction*>& txs, const StateReader& state, unsigned threads,
                                  SignerKeyMemo& memo, SharedLoop* shared = nullptr);

  bool verify(std::string_view public_raw, std::string_view message, std::string_view signature_raw) const override;
  std::size_t verified() const { return verified_.size(); }
  // Verdicts are facts about (key, message, signature): two caches' union is sound.
  void merge(SignatureCache other) { verified_.merge(other.verified_); }

 private:
  // public key (32) || signature (64) || SHA-256 of the message (32)
  static std::string cache_key(std::string_view public_raw, std::string_view message, std::string_view signature_raw);
  std::unordered_set<std::string> verified_;
};

}  // namespace ecoledger::ledger
