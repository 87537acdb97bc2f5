// Server: the HTTP/1.1 front of the node, shaped like Beast's async server
// example. A Listener owns the acceptor; each connection is a Session on its
// own strand that reads a request (header under header_timeout_ms, keep-alive
// wait and body under idle_timeout_ms, both enforced by one DeadlineSweep
// rather than Beast's timer per operation; body at most body_bytes_max),
// routes it through the pure handler, and writes the answer; writes go
// through the Sequencer and are answered only once durable.
//
// Thread-safety: the io_context may be run by any number of threads; the
// Server's counters are atomics. Lifetime: the ledger, node key, sequencer
// and metrics outlive the io_context's run.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>

#include "base/result.h"
#include "ledger/ledger.h"
#include "node/handler.h"
#include "node/metrics.h"
#include "node/sequencer.h"

namespace ecoledger::node {

struct ServerConfig {
  std::string address = "127.0.0.1";
  unsigned short port = 8080;
  std::size_t body_bytes_max;
  std::size_t header_bytes_max;
  std::int64_t header_timeout_ms;
  std::int64_t idle_timeout_ms;
  std::size_t connections_max;
  HandlerConfig handler;
  std::size_t read_cache_bytes_max;
};

// Shared by the listener and every session.
struct ServerState {
  ledger::Ledger& ledger;
  const crypto::PrivateKey& node_key;
  Sequencer& sequencer;
  Metrics& metrics;
  ServerConfig config;
  boost::asio::ssl::context* tls = nullptr;  // null: plain TCP
  const ReadTokens* read_tokens = nullptr;    // null: reads are open
  const valuation::TableSet* tables = nullptr;  // valuation tables; null: none
  ReadCache* read_cache = nullptr;              // null: every read is computed
  std::atomic<std::size_t> connections{0};
  std::atomic<std::size_t> in_flight{0};     // requests read and not yet answered
  std::atomic<bool> shutting_down{false};
};

class Server {
 public:
  Server(boost::asio::io_context& io, std::shared_ptr<ServerState> state);
  // Binds and starts accepting; returns the bound endpoint (port 0 picks one).
  Result<boost::asio::ip::tcp::endpoint> start();
  // Stops accepting and makes every later write answer 503 shutting_down.
  // Safe from any thread.
  void stop_accepting();

 private:
  struct Listener;
  boost::asio::io_context& io_;
  std::shared_ptr<ServerState> state_;
  std::shared_ptr<Listener> listener_;
};

}  // namespace ecoledger::node
