// Ledger: the journal's public API. Appends signed transactions as
// hash-chained records, maintains the Merkle tree and the state, and answers
// checkpoints and proofs.
//
// submit() is one group commit: every transaction in the batch is validated
// in order against the state left by those before it; accepted ones become
// records, written in one synced WriteBatch; refused ones leave no trace.
// It is prepare() then commit(): prepare parses the batch and verifies its
// signatures on every core; commit applies in order and writes. The two may
// run at once on different batches (the sequencer prepares batch N+1 while
// batch N commits): a prepared verdict is a fact about (key, bytes,
// signature) that no commit can make untrue, and commit still checks which
// key is in force when it applies (signature_check.h).
// Thread-safety: one thread calls commit()/submit() at a time (the
// sequencer); prepare() and reads are safe from any thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "base/json.h"
#include "base/result.h"
#include "base/shared_loop.h"
#include "ledger/crypto.h"
#include "ledger/signature_check.h"
#include "ledger/store.h"

namespace ecoledger::ledger {

inline constexpr std::size_t batch_transactions_max = 4096;

struct Receipt {
  std::uint64_t seq;
  std::string hash;  // hex SHA-256 of the record's JCS bytes
  std::string time;
  json::Json to_json() const { return {{"seq", seq}, {"hash", hash}, {"time", time}}; }
};

std::string format_time_ms(std::int64_t unix_ms);  // 2026-11-22T08:00:00.000Z
std::int64_t now_unix_ms();

// A batch parsed and pre-verified by Ledger::prepare, for Ledger::commit.
class PreparedBatch {
 public:
  PreparedBatch(PreparedBatch&&) noexcept;
  PreparedBatch& operator=(PreparedBatch&&) noexcept;
  ~PreparedBatch();
  std::size_t size() const;  // transactions given to prepare()
  // Joins a batch prepared later onto this one: committing the joined batch
  // equals committing prepare(this batch's texts, then later's), one group
  // commit instead of two. REQUIRES: size() + later.size() <= batch_transactions_max.
  void append(PreparedBatch later);

 private:
  friend class Ledger;
  struct Parts;
  explicit PreparedBatch(std::unique_ptr<Parts> parts);
  std::unique_ptr<Parts> parts_;
};

class Ledger {
 public:
  static Result<std::unique_ptr<Ledger>> open(const std::string& dir);
  // Creates a ledger in an empty dir: writes the genesis record, signed by
  // the registry key, declaring the registry account and the node key.
  static Result<std::unique_ptr<Ledger>> create(const std::string& dir, const crypto::PrivateKey& registry_key,
                                                const crypto::PrivateKey& node_key, const std::string& ledger_id,
                                                std::int64_t now_ms);

  const std::string& id() const { return ledger_id_; }
  Head head() const { return store_->head(); }
  const Store& store() const { return *store_; }

  // Validates and appends a batch; one result per input, in order.
  std::vector<Result<Receipt>> submit(const std::vector<std::string>& tx_texts, std::int64_t now_ms);
  // submit() in two steps; commit(prepare(texts), now) == submit(texts, now),
  // whatever other batches commit between the two calls. prepare verifies on
  // every core; given a shared loop, one of those threads is whichever helps
  // the loop meanwhile (the sequencer's committer, between its commits:
  // base/shared_loop.h).
  PreparedBatch prepare(const std::vector<std::string>& tx_texts, SharedLoop* verify_loop = nullptr) const;
  std::vector<Result<Receipt>> commit(PreparedBatch batch, std::int64_t now_ms);

  // Node keys declared at genesis ([{"id","pub"}]).
  json::Json node_keys() const;
  Result<crypto::Hash> root(std::uint64_t size) const;
  json::Json checkpoint(const crypto::PrivateKey& node_key, std::int64_t now_ms) const;
  Result<json::Json> inclusion_proof(std::uint64_t seq, std::uint64_t size) const;
  Result<json::Json> consistency_proof(std::uint64_t from, std::uint64_t to) const;

 private:
  Ledger(std::unique_ptr<Store> store, std::string ledger_id);
  std::unique_ptr<Store> store_;
  std::string ledger_id_;
  // Pre-verification's signer keys; behind a pointer so the Ledger stays movable.
  std::unique_ptr<SignerKeyMemo> signer_keys_ = std::make_unique<SignerKeyMemo>();
};

}  // namespace ecoledger::ledger
