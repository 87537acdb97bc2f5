// The node's limits: every queue, batch, body, wait and connection count is
// bounded by one of these constants, each overridable by the ecoledgerd flag
// of the same name (dashes for underscores). Units come last in the names.
#pragma once

#include <cstddef>
#include <cstdint>

#include "base/json.h"
#include "ledger/ledger.h"
#include "ledger/transaction.h"

namespace ecoledger::node::limits {

inline constexpr std::size_t body_bytes_max = 1024 * 1024;          // 1 MiB request body
inline constexpr std::size_t header_bytes_max = 16 * 1024;          // request line + headers
inline constexpr int json_depth_max = json::json_depth_max;         // nesting of a request body
inline constexpr std::int64_t header_timeout_ms = 10'000;           // a whole request header
inline constexpr std::int64_t idle_timeout_ms = 30'000;             // keep-alive wait, body read, write
inline constexpr std::size_t connections_max = 1024;                // open connections
inline constexpr std::size_t batch_transactions_max = 1024;         // one group commit
// Wait to fill a batch after its first transaction: about one fdatasync.
// Under load, batches form anyway while the one before commits; a longer
// wait only idles the pipeline (2 ms gave 25% fewer transfers/s over HTTP
// with 64 clients, and a higher p99: bench/RESULTS.md).
inline constexpr std::int64_t batch_wait_us = 200;
inline constexpr std::size_t queue_transactions_max = 8 * batch_transactions_max;  // before 429
inline constexpr std::size_t request_transactions_max = 1024;       // one NDJSON request
inline constexpr std::size_t records_page_max = 100'000;            // GET /v1/records limit
inline constexpr std::size_t records_chunk_bytes = 64 * 1024;       // one streamed chunk
inline constexpr std::size_t threads_max = 256;                     // --threads
inline constexpr std::size_t path_id_bytes_max = 128;               // a path segment
inline constexpr std::int64_t shutdown_grace_ms = 10'000;           // answering in-flight requests
inline constexpr std::size_t read_cache_bytes_max = 32 * 1024 * 1024;  // node/read_cache.h; 0 turns it off

static_assert(batch_transactions_max <= ledger::batch_transactions_max, "a batch is one Ledger::submit");
static_assert(request_transactions_max <= queue_transactions_max, "one request must fit the queue");
static_assert(ledger::tx_bytes_max <= body_bytes_max, "one transaction must fit a body");
static_assert(json_depth_max <= json::json_depth_max, "the wire profile bounds depth");
static_assert(records_chunk_bytes >= 1024, "chunks amortise writes");

}  // namespace ecoledger::node::limits
