#include "ledger/audit.h"

#include "ledger/merkle.h"
#include "ledger/queries.h"
#include "ledger/state_machine.h"
#include "ledger/transaction.h"

namespace ecoledger::ledger {

json::Json AuditReport::to_json() const {
  if (ok) return {{"ok", true}, {"records", records}, {"head", head}, {"root", root}};
  return {{"ok", false}, {"seq", bad_seq}, {"reason", reason}};
}

Auditor::Auditor(StateStore store) {
  if (store == StateStore::scratch_disk) {
    auto scratch = ScratchState::create();
    if (scratch) scratch_ = std::move(*scratch);
    else refuse("cannot create the scratch state: " + scratch.error().message);
  }
}

const StateReader& Auditor::state() const {
  if (scratch_) return *scratch_;
  return memory_state_;
}

bool Auditor::refuse(std::string reason) {
  report_.ok = false;
  report_.bad_seq = report_.records;
  report_.reason = std::move(reason);
  return false;
}

void Auditor::merkle_push(const crypto::Hash& leaf) {
  frontier_.emplace_back(leaf, 1);
  while (frontier_.size() >= 2 && frontier_[frontier_.size() - 2].second == frontier_.back().second) {
    auto right = frontier_.back();
    frontier_.pop_back();
    auto& left = frontier_.back();
    left.first = crypto::sha256_pair(0x01, left.first, right.first);
    left.second *= 2;
  }
}

crypto::Hash Auditor::merkle_root() const {
  if (frontier_.empty()) return crypto::sha256("");
  crypto::Hash acc = frontier_.back().first;
  for (std::size_t i = frontier_.size() - 1; i-- > 0;) acc = crypto::sha256_pair(0x01, frontier_[i].first, acc);
  return acc;
}

bool Auditor::feed(std::string_view bytes) {
  if (!report_.ok) return false;
  const std::uint64_t seq = report_.records;
  auto doc = json::parse_strict(bytes);
  if (!doc) return refuse("record is not valid JSON: " + doc.error().message);
  if (json::canonical(*doc) != bytes) return refuse("record is not in canonical (JCS) form");
  if (!doc->is_object() || doc->size() != 4) return refuse("a record is {\"seq\",\"prev\",\"time\",\"tx\"}");
  auto record_seq = json::get_int(*doc, "seq");
  auto prev = json::get_string(*doc, "prev");
  auto time = json::get_string(*doc, "time");
  if (!record_seq || !prev || !time || !doc->contains("tx")) return refuse("a record is {\"seq\",\"prev\",\"time\",\"tx\"}");
  if (*record_seq != static_cast<std::int64_t>(seq)) return refuse("expected seq " + std::to_string(seq));
  std::string expected_prev = seq == 0 ? std::string(64, '0') : crypto::to_hex(head_);
  if (*prev != expected_prev) return refuse("prev does not match the hash of the record before");
  if (time->size() != 24 || (*time)[23] != 'Z') return refuse("time is not RFC 3339 UTC with milliseconds");
  if (*time < last_time_) return refuse("time goes backwards");
  if (seq == 0) {
    if (!(*doc)["tx"].is_object() || !(*doc)["tx"].contains("ledger") || !(*doc)["tx"]["ledger"].is_string())
      return refuse("genesis has no ledger id");
    ledger_id_ = (*doc)["tx"]["ledger"].get<std::string>();
  }
  auto tx = decode_transaction((*doc)["tx"], ledger_id_);
  if (!tx) return refuse("transaction: " + tx.error().code + ": " + tx.error().message);
  if (seq == 0 && tx->type != "genesis") return refuse("record 0 is not the genesis");
  bool repeated = scratch_ ? scratch_->contains_mark(tx->id) : tx_ids_.contains(tx->id);
  if (repeated) return refuse("transaction id \"" + tx->id + "\" appears twice");
  StateOverlay overlay(state());
  Status applied = apply_transaction(*tx, seq, *time, overlay);
  if (!applied) return refuse("re-execution refused it: " + applied.error().code + ": " + applied.error().message);
  if (scratch_) {
    Status stored = scratch_->apply(overlay);
    if (stored) stored = scratch_->add_mark(tx->id);
    if (!stored) return refuse(stored.error().message);
  } else {
    memory_state_.apply(overlay);
    tx_ids_.insert(tx->id);
  }
  head_ = crypto::sha256(bytes);
  merkle_push(merkle_leaf_hash(bytes));
  last_time_ = *time;
  ++report_.records;
  return true;
}

bool verify_checkpoint_signature(const json::Json& checkpoint, std::string_view node_pub_raw) {
  if (!checkpoint.is_object() || !checkpoint.contains("sig") || !checkpoint["sig"].is_string()) return false;
  auto sig = crypto::base64_decode(checkpoint["sig"].get<std::string>());
  if (!sig) return false;
  json::Json unsigned_cp = checkpoint;
  unsigned_cp.erase("sig");
  return crypto::ed25519_verify(node_pub_raw, json::canonical(unsigned_cp), *sig);
}

AuditReport Auditor::finish(const std::optional<json::Json>& checkpoint, const std::optional<std::string>& node_pub_raw) {
  if (!report_.ok) return report_;
  if (report_.records == 0) {
    refuse("the journal is empty");
    return report_;
  }
  if (Status invariants = check_invariants(state()); !invariants) {
    refuse(invariants.error().message);
    return report_;
  }
  report_.head = crypto::to_hex(head_);
  report_.root = crypto::to_hex(merkle_root());
  if (checkpoint) {
    const json::Json& cp = *checkpoint;
    if (node_pub_raw && !verify_checkpoint_signature(cp, *node_pub_raw)) {
      refuse("checkpoint signature does not verify");
      return report_;
    }
    if (cp.value("ledger", "") != ledger_id_) {
      refuse("checkpoint is for another ledger");
      return report_;
    }
    if (!cp.contains("size") || !cp["size"].is_number_integer() || cp["size"].get<std::uint64_t>() != report_.records) {
      refuse("checkpoint size " + (cp.contains("size") ? cp["size"].dump() : "?") + " differs from the records");
      return report_;
    }
    if (cp.value("root", "") != report_.root || cp.value("head", "") != report_.head) {
      refuse("checkpoint root or head differs from the records");
      return report_;
    }
  }
  return report_;
}

}  // namespace ecoledger::ledger
