#include "ledger/audit.h"

#include <thread>

#include "base/check.h"
#include "base/parallel.h"
#include "base/thread_name.h"
#include "ledger/lot.h"
#include "ledger/merkle.h"
#include "ledger/queries.h"
#include "ledger/record.h"
#include "ledger/state_machine.h"
#include "ledger/transaction.h"

namespace ecoledger::ledger {

json::Json AuditReport::to_json() const {
  if (ok) return {{"ok", true}, {"records", records}, {"head", head}, {"root", root}};
  return {{"ok", false}, {"seq", bad_seq}, {"reason", reason}};
}

Auditor::Auditor(StateStore store, Signatures signatures, QueryIndexes indexes) : signatures_(signatures), indexes_(indexes) {
  ECOLEDGER_CHECK(indexes == QueryIndexes::kept || store == StateStore::scratch_disk);
  if (store == StateStore::scratch_disk) {
    auto scratch = ScratchState::create("", indexes);
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

Auditor::Prepared Auditor::prepare(std::string_view bytes, const std::string& ledger_id) {
  Prepared out;
  auto doc = json::parse_strict(bytes);
  if (!doc) {
    out.error = "record is not valid JSON: " + doc.error().message;
    return out;
  }
  std::optional<std::int64_t> record_seq;
  std::optional<std::string> prev, time;
  if (doc->is_object() && doc->size() == 4 && doc->contains("tx")) {
    if (auto v = json::get_int(*doc, "seq")) record_seq = *v;
    if (auto v = json::get_string(*doc, "prev")) prev = std::move(*v);
    if (auto v = json::get_string(*doc, "time")) time = std::move(*v);
  }
  const bool shaped = record_seq && prev && time;
  // The errors keep feed()'s order: JCS form, then shape, then the transaction.
  // A transaction that decodes carries its own canonical form (decoding
  // encodes its members anyway), so the record is checked against the record
  // built around it instead of encoding the whole document a second time.
  // Until the genesis gives the ledger id, decoding waits for the record's turn.
  bool canonical;
  if (shaped && !ledger_id.empty()) {
    out.tx = decode_transaction(std::move((*doc)["tx"]), ledger_id);
    if (*out.tx) {
      // The auditor has the record's bytes: the transaction's form is not kept.
      canonical = encode_record(*record_seq, *prev, *time, std::move((**out.tx).canonical_bytes)) == bytes;
    } else {
      // The transaction went to the decoder; a refused one is rare, so parse again.
      doc = json::parse_strict(bytes);
      ECOLEDGER_CHECK(doc.has_value());
      canonical = json::canonical(*doc) == bytes;
    }
  } else {
    canonical = json::canonical(*doc) == bytes;
  }
  if (!canonical) {
    out.error = "record is not in canonical (JCS) form";
    return out;
  }
  if (!shaped) {
    out.error = "a record is {\"seq\",\"prev\",\"time\",\"tx\"}";
    return out;
  }
  out.seq = *record_seq;
  out.prev = std::move(*prev);
  out.time = std::move(*time);
  out.doc = std::move(*doc);
  out.hash = crypto::sha256(bytes);
  out.leaf = merkle_leaf_hash(bytes);
  return out;
}

bool Auditor::feed(std::string_view bytes) {
  // A chunk still in the pipeline comes first.
  if (!apply_pending()) return false;
  Prepared record = prepare(bytes, ledger_id_);
  return apply_prepared(record, signatures_ == Signatures::trust ? trusting_signature_check() : inline_signature_check());
}

bool Auditor::apply_prepared(Prepared& record, const SignatureCheck& signatures) {
  const std::uint64_t seq = report_.records;
  if (!record.error.empty()) return refuse(std::move(record.error));
  if (record.seq != static_cast<std::int64_t>(seq)) return refuse("expected seq " + std::to_string(seq));
  std::string expected_prev = seq == 0 ? std::string(genesis_prev_hex) : crypto::to_hex(head_);
  if (record.prev != expected_prev) return refuse("prev does not match the hash of the record before");
  const std::string& time = record.time;
  if (time.size() != 24 || time[23] != 'Z') return refuse("time is not RFC 3339 UTC with milliseconds");
  if (time < last_time_) return refuse("time goes backwards");
  if (seq == 0) {
    const json::Json& tx_doc = record.doc["tx"];
    if (!tx_doc.is_object() || !tx_doc.contains("ledger") || !tx_doc["ledger"].is_string()) return refuse("genesis has no ledger id");
    ledger_id_ = tx_doc["ledger"].get<std::string>();
  }
  if (!record.tx) record.tx = decode_transaction(record.doc["tx"], ledger_id_);
  auto& tx = *record.tx;
  if (!tx) return refuse("transaction: " + tx.error().code + ": " + tx.error().message);
  if (seq == 0 && tx->type != "genesis") return refuse("record 0 is not the genesis");
  // With the scratch store, tx_ids_ holds the ids of the chunk being applied.
  bool repeated = tx_ids_.contains(tx->id);
  if (!repeated && scratch_)
    repeated = record.id_marked ? *record.id_marked || previous_chunk_ids_.contains(tx->id) : scratch_->contains_mark(tx->id);
  if (repeated) return refuse("transaction id \"" + tx->id + "\" appears twice");
  if (chunk_) {
    StateOverlay overlay(*chunk_);
    Status applied = apply_transaction(*tx, seq, time, overlay, signatures);
    if (!applied) return refuse("re-execution refused it: " + applied.error().code + ": " + applied.error().message);
    overlay.commit_into(*chunk_);
    chunk_ids_.push_back(tx->id);
  } else {
    StateOverlay overlay(state());
    Status applied = apply_transaction(*tx, seq, time, overlay, signatures);
    if (!applied) return refuse("re-execution refused it: " + applied.error().code + ": " + applied.error().message);
    if (scratch_) {
      if (Status stored = scratch_->apply(overlay, std::span(&tx->id, 1)); !stored) return refuse(stored.error().message);
    } else {
      memory_state_.apply(overlay);
    }
  }
  if (!scratch_ || chunk_) tx_ids_.insert(tx->id);
  head_ = record.hash;
  merkle_push(record.leaf);
  last_time_ = time;
  ++report_.records;
  return true;
}

void Auditor::prepare_chunk(Pending& chunk, unsigned threads, SharedLoop* loop) const {
  // Each worker writes only the slots of the records it claims.
  chunk.prepared.resize(chunk.records.size());
  // The ids' marks are looked up here too, off the applying thread; the
  // chunk being applied meanwhile writes its marks only when it is done, so
  // apply_prepared checks its ids (previous_chunk_ids_) in memory.
  // The lot a transaction names is read here into the value cache: it was
  // mostly written by an earlier transaction (a transfer's remainder), so the
  // cache does not hold it and the applying thread's read went to RocksDB
  // (perf: load_lot 5.5% of audit's samples, all on that thread). The cache's
  // ticket rule keeps a value read here from outliving a write meanwhile.
  auto prepare_one = [&](unsigned, std::size_t i) {
    Prepared& record = chunk.prepared[i];
    record = prepare(chunk.records[i], ledger_id_);
    if (!scratch_ || !record.tx || !*record.tx) return;
    const Transaction& tx = **record.tx;
    record.id_marked = scratch_->contains_mark(tx.id);
    const json::Json& body = tx.body();
    if (auto lot = body.find("lot"); body.is_object() && lot != body.end() && lot->is_string())
      if (auto key = lot_state_key_of_id(lot->get_ref<const std::string&>())) scratch_->get(*key);
  };
  if (loop) loop->run(chunk.records.size(), threads, prepare_one);
  else parallel_for_index(chunk.records.size(), threads, prepare_one);
  // Verdicts for the keys in force as the state is now; a record whose key
  // changes in between misses the cache and is verified inline (the cache
  // holds only signatures that verify, so which state it saw never changes
  // an outcome).
  if (signatures_ == Signatures::check) {
    std::vector<const Transaction*> to_verify;
    to_verify.reserve(chunk.prepared.size());
    for (const Prepared& p : chunk.prepared) to_verify.push_back(p.tx && *p.tx ? &**p.tx : nullptr);
    chunk.signatures = SignatureCache::preverify(to_verify, state(), threads, *signer_keys_, loop);
  }
}

std::unique_ptr<Auditor::Pending> Auditor::take_pending() {
  std::unique_ptr<Pending> chunk = std::move(pending_);
  if (!chunk || !chunk->worker.joinable()) return chunk;
  {
    std::unique_lock lock(prep_mutex_);
    prep_loop_.help_until(lock, prep_changed_, [&] { return chunk->done; });
  }
  chunk->worker.join();
  return chunk;
}

bool Auditor::apply_pending() { return apply_chunk(take_pending()); }

bool Auditor::apply_chunk(std::unique_ptr<Pending> chunk) {
  if (!chunk) return report_.ok;
  if (!report_.ok) return false;
  const SignatureCheck& signatures = chunk->signatures ? static_cast<const SignatureCheck&>(*chunk->signatures) : trusting_signature_check();
  if (!scratch_) {
    for (Prepared& record : chunk->prepared)
      if (!apply_prepared(record, signatures)) return false;
    return true;
  }
  // The chunk's writes and ids gather in memory and reach the scratch store
  // in one batch: its records read each other's writes from the overlay, and
  // RocksDB takes one write per chunk instead of two per record.
  StateOverlay chunk_writes(*scratch_);
  chunk_ = &chunk_writes;
  chunk_ids_.clear();
  tx_ids_.clear();
  bool ok = true;
  for (Prepared& record : chunk->prepared)
    if (!(ok = apply_prepared(record, signatures))) break;
  chunk_ = nullptr;
  // The records applied before a failure stay applied, as with feed().
  Status stored = scratch_->apply(chunk_writes, chunk_ids_);
  // tx_ids_ holds the chunk's ids: they are the next chunk's previous ones.
  std::swap(previous_chunk_ids_, tx_ids_);
  tx_ids_.clear();
  // Freeing a chunk's documents is the next worker's job, off this thread.
  spent_ = std::move(chunk);
  if (ok && !stored) return refuse(stored.error().message);
  return ok;
}

bool Auditor::feed_chunk(std::span<const std::string> records, unsigned threads) {
  ECOLEDGER_CHECK(threads >= 1 && threads <= signature_check_threads_max);
  if (!report_.ok) return false;
  // The genesis names the ledger that every other record is decoded for.
  if (ledger_id_.empty() && !records.empty()) {
    if (!apply_pending() || !feed(records.front())) return false;
    records = records.subspan(1);
  }
  if (records.empty()) return true;
  auto chunk = std::make_unique<Pending>();
  chunk->records.assign(records.begin(), records.end());
  if (!scratch_) {
    // The memory store may not be read while it is written: no overlap.
    prepare_chunk(*chunk, threads, nullptr);
    return apply_chunk(std::move(chunk));
  }
  // RocksDB serves the workers' key lookups while this thread applies the
  // chunk before (concurrent Get and Write are safe in RocksDB). That chunk's
  // worker is joined first: the two would share prep_loop_.
  std::unique_ptr<Pending> before = take_pending();
  Pending* started = chunk.get();
  started->worker = start_named_thread("el-audit-prep", [this, started, threads, spent = std::move(spent_)]() mutable {
    spent.reset();
    prepare_chunk(*started, threads, &prep_loop_);
    std::lock_guard lock(prep_mutex_);
    started->done = true;
    prep_changed_.notify_all();
  });
  pending_ = std::move(chunk);
  return apply_chunk(std::move(before));
}

Auditor::~Auditor() {
  if (pending_ && pending_->worker.joinable()) pending_->worker.join();
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
  apply_pending();
  if (!report_.ok) return report_;
  if (report_.records == 0) {
    refuse("the journal is empty");
    return report_;
  }
  if (Status invariants = check_invariants(state(), indexes_); !invariants) {
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
