// ecoledgerd: the ledger node. Parses flags, opens (or on an empty data dir
// creates) the ledger, starts the sequencer and the HTTP server on N I/O
// threads, and on SIGINT/SIGTERM stops accepting, commits and answers what
// was accepted, and exits 0.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/ssl/context.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <future>
#include <thread>

#include "node/limits.h"
#include "node/log.h"
#include "node/options.h"
#include "node/server.h"

namespace {

using namespace ecoledger;
using json::Json;
namespace asio = boost::asio;

int die(const Error& error) {
  node::log_event(Json{{"event", "fatal"}, {"code", error.code}, {"message", error.message}});
  std::fprintf(stderr, "ecoledgerd: %s: %s\n", error.code.c_str(), error.message.c_str());
  return 1;
}

int run(const node::Options& o) {
  auto opened = node::open_or_create(o);
  if (!opened) return die(opened.error());
  node::Opened& ledger = *opened;

  std::optional<asio::ssl::context> tls;
  if (o.tls_cert) {
    tls.emplace(asio::ssl::context::tls_server);
    boost::system::error_code ec;
    tls->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 | asio::ssl::context::no_sslv3 |
                         asio::ssl::context::no_tlsv1 | asio::ssl::context::no_tlsv1_1,
                     ec);
    if (!ec) tls->use_certificate_chain_file(*o.tls_cert, ec);
    if (!ec) tls->use_private_key_file(*o.tls_key, asio::ssl::context::pem, ec);
    if (ec) return die(Error{"bad_tls", "cannot load --tls-cert/--tls-key: " + ec.message()});
  }

  node::Metrics metrics;
  node::Sequencer sequencer(*ledger.ledger, o.sequencer, &metrics);
  asio::io_context io(static_cast<int>(o.threads));
  auto state = std::make_shared<node::ServerState>(*ledger.ledger, ledger.node_key, sequencer, metrics, o.server);
  state->tls = tls ? &*tls : nullptr;
  node::Server server(io, state);
  auto bound = server.start();
  if (!bound) return die(bound.error());

  std::promise<int> stop;
  asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& ec, int signal) {
    if (!ec) stop.set_value(signal);
  });
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < o.threads; ++i) threads.emplace_back([&io] { io.run(); });

  std::string where = bound->address().to_string() + ":" + std::to_string(bound->port());
  std::string scheme = tls ? "https" : "http";
  Json started = ledger.started;
  started["url"] = scheme + "://" + where;
  started["try"] = "curl " + std::string(tls ? "-k " : "") + scheme + "://" + where + "/v1/checkpoint";
  std::printf("%s\n%s\n", started.dump().c_str(), Json{{"listening", where}}.dump().c_str());
  std::fflush(stdout);
  node::log_event(Json{{"event", "listening"}, {"address", where}, {"threads", o.threads}, {"size", ledger.ledger->head().size}});

  int signal = stop.get_future().get();
  node::log_event(Json{{"event", "stopping"}, {"signal", signal}});
  server.stop_accepting();
  sequencer.stop();  // commits and completes every accepted write
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(node::limits::shutdown_grace_ms);
  while (state->in_flight.load() > 0 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  io.stop();
  for (auto& t : threads) t.join();
  node::log_event(Json{{"event", "stopped"}, {"size", ledger.ledger->head().size}, {"unanswered", state->in_flight.load()}});
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  auto options = ecoledger::node::parse_options(argc, argv);
  if (!options) {
    std::fprintf(stderr, "ecoledgerd: %s\n%s", options.error().message.c_str(), ecoledger::node::usage_text);
    return 2;
  }
  return run(*options);
}
