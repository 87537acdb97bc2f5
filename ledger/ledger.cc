#include "ledger/ledger.h"

#include <algorithm>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <map>

#include "base/check.h"
#include "ledger/lot.h"
#include "ledger/merkle_chunk.h"
#include "ledger/record.h"
#include "ledger/signature_check.h"
#include "ledger/state_machine.h"
#include "ledger/state_upgrade.h"
#include "ledger/transaction.h"

namespace ecoledger::ledger {

std::string format_time_ms(std::int64_t unix_ms) {
  std::time_t seconds = static_cast<std::time_t>(unix_ms / 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buffer[96];
  std::snprintf(buffer, sizeof buffer, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(unix_ms % 1000));
  return buffer;
}

std::int64_t now_unix_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

namespace {

// Reads Merkle nodes written earlier in this batch before those on disk.
class BatchMerkleReader final : public MerkleNodeReader {
 public:
  explicit BatchMerkleReader(const MerkleNodeReader& base) : base_(base) {}
  Result<crypto::Hash> node(std::uint32_t level, std::uint64_t index) const override {
    auto it = pending_.find({level, index});
    if (it != pending_.end()) return it->second;
    return base_.node(level, index);
  }
  void add(const MerkleNodeId& id, const crypto::Hash& h) { pending_[{id.level, id.index}] = h; }

 private:
  const MerkleNodeReader& base_;
  std::map<std::pair<std::uint32_t, std::uint64_t>, crypto::Hash> pending_;
};

std::string receipt_entry(const Receipt& r, const std::string& signed_hash) {
  json::OrderedCanonicalWriter entry(192);
  entry.add_string("hash", r.hash).add_int("seq", static_cast<std::int64_t>(r.seq)).add_string("signed", signed_hash);
  entry.add_string("time", r.time);
  return std::move(entry).finish();
}

}  // namespace

Ledger::Ledger(std::unique_ptr<Store> store, std::string ledger_id) : store_(std::move(store)), ledger_id_(std::move(ledger_id)) {}

Result<std::unique_ptr<Ledger>> Ledger::open(const std::string& dir) {
  if (!std::filesystem::exists(dir + "/CURRENT")) return fail("not_found", "no ledger in " + dir + " (run init first)");
  auto store = Store::open(dir, false);
  if (!store) return std::unexpected(store.error());
  auto genesis = (*store)->state().get("meta/genesis");
  if (!genesis) return fail("corruption", "the ledger has no genesis state");
  auto doc = json::Json::parse(*genesis, nullptr, false);
  if (doc.is_discarded()) return fail("corruption", "the genesis state is damaged");
  if (Status upgraded = upgrade_state(**store); !upgraded) return std::unexpected(upgraded.error());
  return std::unique_ptr<Ledger>(new Ledger(std::move(*store), doc["ledger"].get<std::string>()));
}

Result<std::unique_ptr<Ledger>> Ledger::create(const std::string& dir, const crypto::PrivateKey& registry_key,
                                               const crypto::PrivateKey& node_key, const std::string& ledger_id,
                                               std::int64_t now_ms) {
  if (!is_valid_tx_id(ledger_id)) return fail("bad_tx", "ledger id must be 1-64 of [A-Za-z0-9._:-]");
  if (std::filesystem::exists(dir + "/CURRENT")) return fail("exists", "a ledger already exists in " + dir);
  std::filesystem::create_directories(dir);
  auto store = Store::open(dir, true);
  if (!store) return std::unexpected(store.error());
  std::unique_ptr<Ledger> ledger(new Ledger(std::move(*store), ledger_id));
  json::Json body{{"registry", {{"account", "registry"}, {"keys", {{{"id", "k1"}, {"pub", registry_key.public_base64()}}}}}},
                  {"node", {{"keys", {{{"id", "n1"}, {"pub", node_key.public_base64()}}}}}}};
  json::Json tx = sign_transaction(make_transaction(ledger_id, "genesis", "genesis", body), registry_key, "registry#k1");
  auto results = ledger->submit({json::canonical(tx)}, now_ms);
  if (!results[0]) return std::unexpected(results[0].error());
  return ledger;
}

struct PreparedBatch::Parts {
  std::size_t size = 0;
  std::vector<Result<Transaction>> parsed;  // the first min(size, batch_transactions_max)
  SignatureCache signatures;
};

PreparedBatch::PreparedBatch(std::unique_ptr<Parts> parts) : parts_(std::move(parts)) {}
PreparedBatch::PreparedBatch(PreparedBatch&&) noexcept = default;
PreparedBatch& PreparedBatch::operator=(PreparedBatch&&) noexcept = default;
PreparedBatch::~PreparedBatch() = default;
std::size_t PreparedBatch::size() const { return parts_->size; }

void PreparedBatch::append(PreparedBatch later) {
  ECOLEDGER_CHECK(parts_ != nullptr && later.parts_ != nullptr);
  ECOLEDGER_CHECK(size() + later.size() <= batch_transactions_max);
  // Within the bound every text was parsed, so the parsed list stays one per text.
  Parts& more = *later.parts_;
  ECOLEDGER_CHECK(parts_->parsed.size() == parts_->size && more.parsed.size() == more.size);
  parts_->parsed.insert(parts_->parsed.end(), std::make_move_iterator(more.parsed.begin()),
                        std::make_move_iterator(more.parsed.end()));
  parts_->size += more.size;
  parts_->signatures.merge(std::move(more.signatures));
}

std::vector<Result<Receipt>> Ledger::submit(const std::vector<std::string>& tx_texts, std::int64_t now_ms) {
  return commit(prepare(tx_texts), now_ms);
}

PreparedBatch Ledger::prepare(const std::vector<std::string>& tx_texts, SharedLoop* verify_loop) const {
  // Signatures whose keys are in force now are verified here, on every core;
  // commit applies in order and verifies inline whatever the cache does not
  // hold (a key opened or rotated since), so results equal serial checking.
  // Parsing stays on this thread: parsed on the workers too, `ecoledger_bench
  // append` was slower in 5 of 5 interleaved runs (by 4-10%), probably because
  // the apply loop then reads transactions built in another core's cache.
  auto parts = std::make_unique<PreparedBatch::Parts>();
  parts->size = tx_texts.size();
  const std::size_t parsed_count = std::min(tx_texts.size(), batch_transactions_max);
  parts->parsed.reserve(parsed_count);  // no reallocation: to_verify points into it
  std::vector<const Transaction*> to_verify;
  for (std::size_t i = 0; i < parsed_count; ++i) {
    parts->parsed.push_back(parse_transaction(tx_texts[i], ledger_id_));
    to_verify.push_back(parts->parsed.back() ? &*parts->parsed.back() : nullptr);
  }
  parts->signatures = SignatureCache::preverify(to_verify, store_->state(), signature_check_threads(), *signer_keys_, verify_loop);
  return PreparedBatch(std::move(parts));
}

std::vector<Result<Receipt>> Ledger::commit(PreparedBatch prepared, std::int64_t now_ms) {
  ECOLEDGER_CHECK(prepared.parts_ != nullptr);
  PreparedBatch::Parts& parts = *prepared.parts_;
  std::vector<Result<Receipt>> results;
  results.reserve(parts.size);
  Head head = store_->head();
  // Record time never decreases, whatever the clock says.
  std::string time = format_time_ms(now_ms);
  if (!head.time.empty() && time < head.time) time = head.time;

  AppendBatch batch;
  StateOverlay batch_state(store_->state());
  BatchMerkleReader merkle(store_->merkle());
  std::map<std::string, std::pair<std::string, Receipt>> batch_ids;  // id -> (signed hash, receipt)

  for (std::size_t i = 0; i < parts.size; ++i) {
    if (results.size() >= batch_transactions_max) {
      results.push_back(fail("too_large", "batch exceeds " + std::to_string(batch_transactions_max) + " transactions"));
      continue;
    }
    auto& tx = parts.parsed[i];
    if (!tx) {
      results.push_back(std::unexpected(tx.error()));
      continue;
    }
    std::string signed_hash = crypto::to_hex(crypto::sha256(tx->signed_bytes));
    // Idempotency: the same id with the same signed content answers the first receipt.
    std::optional<std::pair<std::string, Receipt>> earlier;
    if (auto it = batch_ids.find(tx->id); it != batch_ids.end()) earlier = it->second;
    else if (auto stored = store_->tx_receipt(tx->id)) {
      auto doc = json::Json::parse(*stored);
      earlier = std::make_pair(doc["signed"].get<std::string>(),
                               Receipt{doc["seq"].get<std::uint64_t>(), doc["hash"].get<std::string>(), doc["time"].get<std::string>()});
    }
    if (earlier) {
      if (earlier->first == signed_hash) results.push_back(earlier->second);
      else results.push_back(fail("id_reused", "id \"" + tx->id + "\" was used by another transaction"));
      continue;
    }
    std::uint64_t seq = head.size;
    StateOverlay tx_state(batch_state);
    Status applied = apply_transaction(*tx, seq, time, tx_state, parts.signatures);
    if (!applied) {
      results.push_back(std::unexpected(applied.error()));
      continue;
    }
    tx_state.commit_into(batch_state);
    // The record's canonical form around the transaction's, encoded when it
    // was parsed and moved in: nothing reads it after this.
    std::string prev = seq == 0 ? std::string(genesis_prev_hex) : crypto::to_hex(head.head);
    std::string bytes = encode_record(static_cast<std::int64_t>(seq), prev, time, std::move(tx->canonical_bytes));
    crypto::Hash hash = crypto::sha256(bytes);
    auto nodes = merkle_append(merkle, seq, merkle_leaf_hash(bytes));
    if (!nodes) {
      // The stored tree is damaged: append nothing more from this batch.
      while (results.size() < parts.size) results.push_back(std::unexpected(nodes.error()));
      break;
    }
    for (const auto& [id, h] : *nodes) {
      merkle.add(id, h);
      batch.nodes.emplace_back(id, h);
    }
    Receipt receipt{seq, crypto::to_hex(hash), time};
    batch.records.emplace_back(seq, std::move(bytes));
    batch.tx_index.emplace_back(tx->id, receipt_entry(receipt, signed_hash));
    batch_ids[tx->id] = {signed_hash, receipt};
    head = Head{seq + 1, hash, time};
    results.push_back(receipt);
  }
  if (batch.records.empty()) return results;
  batch.state_writes = batch_state.take_writes();
  batch.head = head;
  Status written = store_->write(batch);
  if (!written) {
    // Nothing of the batch is durable: every would-be receipt becomes the error.
    for (auto& r : results)
      if (r) r = std::unexpected(written.error());
  }
  return results;
}

json::Json Ledger::node_keys() const {
  auto genesis = store_->state().get("meta/genesis");
  ECOLEDGER_CHECK(genesis.has_value());
  return json::Json::parse(*genesis)["node_keys"];
}

Result<crypto::Hash> Ledger::root(std::uint64_t size) const { return merkle_root(store_->merkle(), size); }

json::Json Ledger::checkpoint(const crypto::PrivateKey& node_key, std::int64_t now_ms) const {
  const Head& h = head();
  auto r = root(h.size);
  ECOLEDGER_CHECK(r.has_value());
  std::string time = format_time_ms(now_ms);
  if (time < h.time) time = h.time;
  json::Json cp{{"ledger", ledger_id_}, {"size", h.size}, {"root", crypto::to_hex(*r)}, {"head", crypto::to_hex(h.head)}, {"time", time}};
  cp["sig"] = crypto::base64_encode(node_key.sign(json::canonical(cp)));
  return cp;
}

namespace {
json::Json hex_path(const std::vector<crypto::Hash>& path) {
  json::Json out = json::Json::array();
  for (const auto& h : path) out.push_back(crypto::to_hex(h));
  return out;
}
}  // namespace

Result<json::Json> Ledger::inclusion_proof(std::uint64_t seq, std::uint64_t size) const {
  if (size == 0 || size > head().size || seq >= size)
    return fail("proof_range", "need seq < size <= " + std::to_string(head().size));
  const MerkleChunkReader chunk(store_->merkle(), seq, size);
  auto path = merkle_inclusion_path(chunk, seq, size);
  if (!path) return std::unexpected(path.error());
  auto leaf = chunk.node(0, seq);
  if (!leaf) return std::unexpected(leaf.error());
  auto r = root(size);
  if (!r) return std::unexpected(r.error());
  return json::Json{{"seq", seq}, {"size", size}, {"leaf", crypto::to_hex(*leaf)}, {"path", hex_path(*path)}, {"root", crypto::to_hex(*r)}};
}

Result<json::Json> Ledger::consistency_proof(std::uint64_t from, std::uint64_t to) const {
  if (from == 0 || from > to || to > head().size)
    return fail("proof_range", "need 0 < from <= to <= " + std::to_string(head().size));
  // Below the pinned levels the proof and the old root need only nodes over
  // the old tree's last chunk (and the new tree's, read by root(to)).
  const MerkleChunkReader chunk(store_->merkle(), from - 1, to);
  auto path = merkle_consistency_path(chunk, from, to);
  if (!path) return std::unexpected(path.error());
  auto root_from = merkle_root(chunk, from);
  auto root_to = root(to);
  if (!root_from || !root_to) return fail("corruption", "Merkle tree is damaged");
  return json::Json{{"from", from}, {"to", to}, {"path", hex_path(*path)}, {"root_from", crypto::to_hex(*root_from)},
                    {"root_to", crypto::to_hex(*root_to)}};
}

}  // namespace ecoledger::ledger
