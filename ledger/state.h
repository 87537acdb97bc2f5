// Ledger state as an ordered key-value space, and overlays on it.
//
// The state machine reads and writes only through StateOverlay, so a refused
// transaction is dropped by discarding its overlay, a batch accumulates its
// transactions' writes in one overlay that becomes one RocksDB WriteBatch,
// and the auditor replays into memory through the very same code.
// Thread-safety: none; one writer (the sequencer) at a time.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "base/json.h"

namespace ecoledger::ledger {

class StateReader {
 public:
  virtual ~StateReader() = default;
  virtual std::optional<std::string> get(std::string_view key) const = 0;
  // Calls visit(key, value) for keys starting with prefix, in key order, until it returns false.
  virtual void scan(std::string_view prefix, const std::function<bool(std::string_view, std::string_view)>& visit) const = 0;
  // Whether the query indexes (ledger/state_machine.h) reach this state. One
  // that leaves them out (the auditor's scratch store with
  // QueryIndexes::dropped) lets the state machine skip building them.
  virtual bool keeps_query_indexes() const { return true; }
};

class StateOverlay final : public StateReader {
 public:
  explicit StateOverlay(const StateReader& base) : base_(base), keeps_query_indexes_(base.keeps_query_indexes()) {}
  // An overlay over another overlay layers on it; it never copies it. (The
  // implicit copy constructor would win overload resolution for
  // `StateOverlay child(parent)` and copy every pending write of the batch
  // into each transaction's overlay, which made a batch quadratic.)
  explicit StateOverlay(const StateOverlay& base) : base_(base), keeps_query_indexes_(base.keeps_query_indexes()) {}

  std::optional<std::string> get(std::string_view key) const override;
  void scan(std::string_view prefix, const std::function<bool(std::string_view, std::string_view)>& visit) const override;
  bool keeps_query_indexes() const override { return keeps_query_indexes_; }
  void put(std::string key, std::string value) { writes_[std::move(key)] = std::move(value); }
  void erase(std::string key) { writes_[std::move(key)] = std::nullopt; }

  std::optional<json::Json> get_json(std::string_view key) const;
  void put_json(std::string key, const json::Json& value) { put(std::move(key), json::canonical(value)); }

  // Drops every write: what the overlay reads is its base's again.
  void discard() { writes_.clear(); }
  // Moves this overlay's writes into parent (which must be this overlay's base).
  void commit_into(StateOverlay& parent);
  const std::map<std::string, std::optional<std::string>, std::less<>>& writes() const { return writes_; }
  // Hands over the writes, leaving this overlay empty.
  std::map<std::string, std::optional<std::string>, std::less<>> take_writes() {
    auto taken = std::move(writes_);
    writes_.clear();
    return taken;
  }

 private:
  const StateReader& base_;
  const bool keeps_query_indexes_;  // the base's, asked once
  std::map<std::string, std::optional<std::string>, std::less<>> writes_;
};

class MemoryState final : public StateReader {
 public:
  std::optional<std::string> get(std::string_view key) const override;
  void scan(std::string_view prefix, const std::function<bool(std::string_view, std::string_view)>& visit) const override;
  void apply(const StateOverlay& overlay);
  const std::map<std::string, std::string, std::less<>>& entries() const { return entries_; }

 private:
  std::map<std::string, std::string, std::less<>> entries_;
};

// The first key at which two states differ (in value or presence), or "" when
// they are equal. Streams both in key order: memory stays bounded.
std::string first_state_difference(const StateReader& a, const StateReader& b);

}  // namespace ecoledger::ledger
