// ecoledgerd: the ledger node. Parses flags, opens (or on an empty data dir
// creates) the ledger, starts the sequencer and the HTTP server on N I/O
// threads, and on SIGINT/SIGTERM stops accepting, commits and answers what
// was accepted, and exits 0.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/ssl/context.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <future>
#include <string_view>
#include <thread>

#include "base/thread_name.h"
#include "ledger/valuations.h"
#include "node/limits.h"
#include "node/log.h"
#include "node/options.h"
#include "node/read_access.h"
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

// The ecoledger CLI built beside this ecoledgerd (build/cli/ecoledger), as a
// path from the working directory, or just its name.
std::string cli_path() {
  std::error_code ec;
  auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) return "ecoledger";
  auto cli = exe.parent_path().parent_path() / "cli" / "ecoledger";
  if (!std::filesystem::exists(cli, ec)) return "ecoledger";
  auto near = std::filesystem::proximate(cli, ec);
  std::string out = ec ? cli.string() : near.string();
  return out.find('/') == std::string::npos ? "./" + out : out;
}

// For a person at a terminal: where the keys are and how to talk to the node.
// Scripts read the two JSON lines printed after it.
void print_banner(const Json& started, bool tls) {
  const std::string ecl = cli_path();
  const Json& keys = started["keys"];
  std::string url = started["url"].get<std::string>();
  std::string curl = tls ? "curl -sk" : "curl -s";
  std::printf("ecoledgerd: %s ledger \"%s\" in %s\n", started["created"].get<bool>() ? "created" : "opened",
              started["ledger"].get<std::string>().c_str(), started["data"].get<std::string>().c_str());
  if (keys.contains("registry"))
    std::printf("  registry key  %s  (sign as registry#k1: opens accounts, publishes methodology, issues assets)\n",
                keys["registry"].get<std::string>().c_str());
  std::printf("  node key      %s  (signs checkpoints; verify them with %s)\n", keys["node"].get<std::string>().c_str(),
              keys["node_pub"].get<std::string>().c_str());
  std::printf("  serving       %s  (Ctrl-C stops after committing what was accepted)\n", url.c_str());
  std::printf("try:\n  %s %s/v1/checkpoint\n  %s %s/v1/accounts/registry\n", curl.c_str(), url.c_str(), curl.c_str(), url.c_str());
  if (keys.contains("registry"))
    std::printf("  %s sign --key %s --as registry#k1 tx.json | %s -H 'content-type: application/json' --data-binary @- %s/v1/tx\n",
                ecl.c_str(), keys["registry"].get<std::string>().c_str(), curl.c_str(), url.c_str());
  if (!tls) std::printf("  %s audit --url %s\n", ecl.c_str(), url.c_str());
  std::printf("  (README.md, \"Walkthrough\": a forestry carbon ticket issued, sold, pledged and verified)\n");
}

int run(const node::Options& o) {
  // Checked before the ledger is opened or created: a refused start writes nothing.
  std::optional<node::ReadTokens> read_tokens;
  if (o.read_tokens) {
    auto loaded = node::ReadTokens::load(*o.read_tokens);
    if (!loaded) return die(loaded.error());
    read_tokens = std::move(*loaded);
  }
  if (o.tls_key)
    if (auto s = node::check_key_file(*o.tls_key); !s) return die(s.error());
  // Valuation tables: a bad --tables stops the start; none found leaves the
  // node without valuations (they answer tables_unavailable).
  std::optional<valuation::TableSet> tables;
  std::string tables_dir = ledger::find_tables_dir(o.tables);
  if (auto loaded = ledger::load_table_files(tables_dir)) {
    tables = std::move(*loaded);
  } else if (o.tables) {
    return die(loaded.error());
  } else {
    node::log_event(Json{{"event", "no_tables"}, {"code", loaded.error().code}, {"message", loaded.error().message}});
  }
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
  node::ReadCache read_cache(o.server.read_cache_bytes_max);
  node::Sequencer sequencer(*ledger.ledger, o.sequencer, &metrics);
  asio::io_context io(static_cast<int>(o.threads));
  auto state = std::make_shared<node::ServerState>(*ledger.ledger, ledger.node_key, sequencer, metrics, o.server);
  state->tls = tls ? &*tls : nullptr;
  state->read_tokens = read_tokens ? &*read_tokens : nullptr;
  state->tables = tables ? &*tables : nullptr;
  state->read_cache = &read_cache;
  node::Server server(io, state);
  auto bound = server.start();
  if (!bound) return die(bound.error());

  std::promise<int> stop;
  asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& ec, int signal) {
    if (!ec) stop.set_value(signal);
  });
  // Keeps io.run() from returning when no socket operation is pending: at
  // shutdown, with the acceptor closed, every session may be waiting on the
  // sequencer, and its answer is posted only when the batch commits; without
  // the guard the I/O threads would already be gone and those committed
  // writes would never be answered.
  auto work = asio::make_work_guard(io);
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < o.threads; ++i) threads.push_back(start_named_thread("el-io", [&io] { io.run(); }));

  std::string where = bound->address().to_string() + ":" + std::to_string(bound->port());
  std::string scheme = tls ? "https" : "http";
  Json started = ledger.started;
  started["url"] = scheme + "://" + where;
  started["try"] = "curl " + std::string(tls ? "-k " : "") + scheme + "://" + where + "/v1/checkpoint";
  print_banner(started, tls.has_value());
  std::printf("%s\n%s\n", started.dump().c_str(), Json{{"listening", where}}.dump().c_str());
  std::fflush(stdout);
  node::log_event(Json{{"event", "listening"}, {"address", where}, {"threads", o.threads}, {"size", ledger.ledger->head().size},
                       {"tables", tables ? tables_dir : ""}});

  int signal = stop.get_future().get();
  node::log_event(Json{{"event", "stopping"}, {"signal", signal}});
  server.stop_accepting();
  sequencer.stop();  // commits and completes every accepted write
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(node::limits::shutdown_grace_ms);
  while (state->in_flight.load() > 0 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  work.reset();
  io.stop();
  for (auto& t : threads) t.join();
  node::log_event(Json{{"event", "stopped"}, {"size", ledger.ledger->head().size}, {"unanswered", state->in_flight.load()}});
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 2 && (std::string_view(argv[1]) == "--help" || std::string_view(argv[1]) == "-h")) {
    std::fputs(ecoledger::node::usage_text, stdout);
    return 0;
  }
  auto options = ecoledger::node::parse_options(argc, argv);
  if (!options) {
    std::fprintf(stderr, "ecoledgerd: %s\n%s", options.error().message.c_str(), ecoledger::node::usage_text);
    return 2;
  }
  return run(*options);
}
