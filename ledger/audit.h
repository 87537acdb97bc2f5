// Auditor: replays an exported journal and proves it intact.
//
// Fed one record at a time (streaming), it checks each record's canonical
// form, seq, link, time order, hash, signatures against the keys in force,
// and re-executes the transaction through the same state machine as the node.
// finish() computes the Merkle root (an O(log n) frontier, never the tree)
// and checks it against a signed checkpoint when one is given.
//
// feed_chunk() takes consecutive records at once: their parsing, JCS check,
// hashing and Ed25519 verification run on several threads, then the records
// are checked and applied in order exactly as feed() would, so the verdict,
// report and state are those of feeding them one by one; only sooner. With
// the scratch_disk store the chunks are pipelined: a chunk is prepared in the
// background while the one before it is applied, so the one-thread part of
// the audit (re-execution) overlaps the many-thread part (signatures); a
// chunk's failure is then reported by the next feed_chunk() or by finish().
// Signatures::trust skips Ed25519 (`ecoledger audit --no-sigs`): every other
// check, including that each signer's key is in force, still runs.
// Thread-safety: none; one auditor per thread (it joins its own workers).
#pragma once

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <thread>
#include <unordered_set>
#include <vector>

#include "base/json.h"
#include "base/shared_loop.h"
#include "ledger/crypto.h"
#include "ledger/scratch_state.h"
#include "ledger/signature_check.h"
#include "ledger/state.h"
#include "ledger/state_machine.h"
#include "ledger/transaction.h"

namespace ecoledger::ledger {

// What a caller of feed_chunk should gather before calling it: enough records
// to keep every core busy, few enough bytes to keep memory bounded.
inline constexpr std::size_t audit_chunk_records = 512;
inline constexpr std::size_t audit_chunk_bytes_max = 8 * 1024 * 1024;

struct AuditReport {
  bool ok = true;
  std::uint64_t records = 0;
  std::string head;
  std::string root;
  std::uint64_t bad_seq = 0;
  std::string reason;
  json::Json to_json() const;
};

class Auditor {
 public:
  // Where the replayed state lives: in memory (small journals, tests) or in a
  // temporary RocksDB (any size, bounded memory; the CLI's default).
  enum class StateStore { memory, scratch_disk };
  // Whether Ed25519 signatures are verified, or trusted (hashes, links, JCS and state only).
  enum class Signatures { check, trust };
  // QueryIndexes::dropped (scratch_disk only) leaves the query indexes out of
  // the replayed state: for an audit that does not compare its state with a
  // node's (ledger/state_machine.h).
  explicit Auditor(StateStore store = StateStore::memory, Signatures signatures = Signatures::check,
                   QueryIndexes indexes = QueryIndexes::kept);
  ~Auditor();
  Auditor(const Auditor&) = delete;
  Auditor& operator=(const Auditor&) = delete;

  // Checks one record's bytes; after the first failure every call returns false.
  bool feed(std::string_view record_bytes);
  // Checks consecutive records, preparing them on `threads` workers (see the
  // top of this file); false from the first failing record on, as feed(),
  // or (pipelined) from the call after the chunk that holds it.
  // REQUIRES: 1 <= threads <= signature_check_threads_max.
  bool feed_chunk(std::span<const std::string> records, unsigned threads);
  // Completes the audit; checkpoint (with the node's raw public key) is optional.
  AuditReport finish(const std::optional<json::Json>& checkpoint, const std::optional<std::string>& node_pub_raw);
  const StateReader& state() const;
  const AuditReport& report() const { return report_; }

 private:
  // A record's context-free work, done before its turn: parse, JCS, shape,
  // hashes and (once the ledger id is known) the decoded transaction.
  struct Prepared {
    std::string error;  // the first context-free failure, worded as feed() words it
    json::Json doc;
    std::int64_t seq = 0;
    std::string prev, time;
    std::optional<Result<Transaction>> tx;  // absent: decode at apply time
    // Scratch store, pipelined: whether the scratch store held the id's mark
    // when the chunk was prepared, which covers every chunk but the one
    // applied meanwhile (previous_chunk_ids_). Absent: look up at apply time.
    std::optional<bool> id_marked;
    crypto::Hash hash{}, leaf{};
  };

  // A chunk being prepared: its records, their preparation and the verdicts
  // of their signatures, filled by `worker` until it is joined.
  struct Pending {
    std::vector<std::string> records;
    std::vector<Prepared> prepared;
    std::optional<SignatureCache> signatures;
    std::thread worker;
    bool done = false;  // guarded by Auditor::prep_mutex_: the worker has prepared the chunk
  };

  static Prepared prepare(std::string_view bytes, const std::string& ledger_id);
  // Prepares every record of chunk and verifies its signatures (against the
  // keys in force in state(), as it is while this runs) on `threads` workers,
  // one of them the loop's helper when a shared loop is given.
  void prepare_chunk(Pending& chunk, unsigned threads, SharedLoop* loop) const;
  // Takes the pending chunk (null when none), helping to prepare it until its
  // worker is done and joining the worker.
  std::unique_ptr<Pending> take_pending();
  // Applies a prepared chunk's records in order (true for none).
  bool apply_chunk(std::unique_ptr<Pending> chunk);
  bool apply_pending();  // apply_chunk(take_pending())
  // The checks that depend on the records before, and the re-execution.
  bool apply_prepared(Prepared& record, const SignatureCheck& signatures);
  bool refuse(std::string reason);
  void merkle_push(const crypto::Hash& leaf);
  crypto::Hash merkle_root() const;

  AuditReport report_;
  Signatures signatures_;
  QueryIndexes indexes_;
  MemoryState memory_state_;
  std::unique_ptr<ScratchState> scratch_;  // when set, holds the state and tx ids instead of memory
  std::string ledger_id_;
  crypto::Hash head_{};
  std::string last_time_;
  std::unordered_set<std::string> tx_ids_;  // all ids (memory store) or the applying chunk's (scratch)
  StateOverlay* chunk_ = nullptr;           // scratch store: the applying chunk's writes
  std::vector<std::string> chunk_ids_;      // scratch store: the applying chunk's ids, in order
  std::unordered_set<std::string> previous_chunk_ids_;  // scratch store: the ids of the chunk applied last
  std::vector<std::pair<crypto::Hash, std::uint64_t>> frontier_;  // complete subtrees, left to right
  std::unique_ptr<Pending> pending_;  // pipelined (scratch_disk) only
  std::unique_ptr<Pending> spent_;    // pipelined: the chunk last applied, freed by the next worker
  std::unique_ptr<SignerKeyMemo> signer_keys_ = std::make_unique<SignerKeyMemo>();  // shared by the chunks' workers
  // Pipelined: the chunk's worker leaves one of its threads to the applying
  // thread, which, done with the chunk before, helps through prep_loop_
  // instead of waiting for the join (base/shared_loop.h).
  std::mutex prep_mutex_;
  std::condition_variable prep_changed_;  // a Pending's `done` set, or prep_loop_ offering items
  SharedLoop prep_loop_{prep_mutex_, prep_changed_};
};

// Verifies a checkpoint's signature with the node's raw public key.
bool verify_checkpoint_signature(const json::Json& checkpoint, std::string_view node_pub_raw);

}  // namespace ecoledger::ledger
