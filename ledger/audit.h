// Auditor: replays an exported journal and proves it intact.
//
// Fed one record at a time (streaming), it checks each record's canonical
// form, seq, link, time order, hash, signatures against the keys in force,
// and re-executes the transaction through the same state machine as the node.
// finish() computes the Merkle root (an O(log n) frontier, never the tree)
// and checks it against a signed checkpoint when one is given.
// Thread-safety: none; one auditor per thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

#include "base/json.h"
#include "ledger/crypto.h"
#include "ledger/scratch_state.h"
#include "ledger/state.h"

namespace ecoledger::ledger {

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
  explicit Auditor(StateStore store = StateStore::memory);

  // Checks one record's bytes; after the first failure every call returns false.
  bool feed(std::string_view record_bytes);
  // Completes the audit; checkpoint (with the node's raw public key) is optional.
  AuditReport finish(const std::optional<json::Json>& checkpoint, const std::optional<std::string>& node_pub_raw);
  const StateReader& state() const;
  const AuditReport& report() const { return report_; }

 private:
  bool refuse(std::string reason);
  void merkle_push(const crypto::Hash& leaf);
  crypto::Hash merkle_root() const;

  AuditReport report_;
  MemoryState memory_state_;
  std::unique_ptr<ScratchState> scratch_;  // when set, holds the state and tx ids instead of memory
  std::string ledger_id_;
  crypto::Hash head_{};
  std::string last_time_;
  std::unordered_set<std::string> tx_ids_;  // memory store only
  std::vector<std::pair<crypto::Hash, std::uint64_t>> frontier_;  // complete subtrees, left to right
};

// Verifies a checkpoint's signature with the node's raw public key.
bool verify_checkpoint_signature(const json::Json& checkpoint, std::string_view node_pub_raw);

}  // namespace ecoledger::ledger
