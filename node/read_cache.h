// ReadCache: answers to state reads (GET /v1/accounts/{id}, …/lots,
// /v1/lots/{lot}, /v1/serials/{serial}, /v1/banks/{id}/pledges) kept for as
// long as the ledger does not grow.
//
// An answer is stored under its request target and the ledger size read
// *before* it was computed; it is served only while the ledger still has
// that size. The store writes a batch's state before it publishes the new
// size, so an answer computed after reading size N reflects at least record
// N-1, and every append (any record, however unrelated) retires all answers
// at once. A registry is read far more often than written (banks re-verify
// collateral, auditors poll), and between two writes the same accounts are
// read again and again; under a steady write load the cache simply misses.
// Bounded by bytes_max (keys and bodies); when full it is emptied.
// Thread-safety: every method may be called from any thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace ecoledger::node {

class ReadCache {
 public:
  // bytes_max 0: the cache is off (find misses, store keeps nothing).
  explicit ReadCache(std::size_t bytes_max) : bytes_max_(bytes_max) {}

  // The body stored for target at ledger_size, if any.
  std::optional<std::string> find(std::string_view target, std::uint64_t ledger_size);
  // Keeps body for target; ledger_size is the size read before computing it.
  void store(std::string_view target, std::uint64_t ledger_size, const std::string& body);
  // Prometheus text: hits, misses and bytes held.
  std::string metrics_text() const;

 private:
  const std::size_t bytes_max_;
  mutable std::mutex mutex_;
  std::uint64_t ledger_size_ = 0;                          // guarded by mutex_: the size every entry was computed at
  std::unordered_map<std::string, std::string> entries_;   // guarded by mutex_: target -> body
  std::size_t bytes_ = 0;                                  // guarded by mutex_
  std::atomic<std::uint64_t> hits_{0}, misses_{0};
};

}  // namespace ecoledger::node
