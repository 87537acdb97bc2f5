// http-write: signed transfers over HTTP to a running ecoledgerd, from
// `connections` keep-alive connections at once (POST /v1/tx, one transfer a
// request), as many clients of a node would send them.
//
// Setup (not timed): the ledger id from /v1/checkpoint and, for each bench
// account, its remaining issuance lot from /v1/accounts/{id}/lots; then every
// transfer is built and signed on all cores. Senders are split between the
// connections and each connection sends its transfers one after the other,
// so the transfers of one sender reach the node in the order they spend
// its lot; the connections run on --client-threads event loops (default 1).
// Every transfer must be accepted. Wall-clock tx/s and latency.
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <memory>
#include <optional>
#include <random>
#include <thread>

#include "bench/bench_util.h"
#include "bench/benches.h"
#include "ledger/transaction.h"

namespace ecoledger::bench {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

inline constexpr std::size_t connections_max = 1024;
inline constexpr std::size_t response_bytes_max = 1 << 20;
inline constexpr std::size_t client_threads_max = 64;
inline constexpr std::int64_t answer_timeout_ms = 60'000;  // one transfer, sent and answered

tcp::endpoint node_endpoint(unsigned short port) {
  return tcp::endpoint(asio::ip::make_address("127.0.0.1"), port);
}

// A keep-alive HTTP/1.1 request to the node; a body is JSON.
http::request<http::string_body> node_request(http::verb verb, const std::string& target, const std::string& body) {
  http::request<http::string_body> req(verb, target, 11);
  req.set(http::field::host, "127.0.0.1");
  if (!body.empty()) req.set(http::field::content_type, "application/json");
  req.body() = body;
  req.prepare_payload();
  return req;
}

// One keep-alive connection to 127.0.0.1:port for the setup's requests, one
// at a time; status 0 means no answer.
class Connection {
 public:
  explicit Connection(unsigned short port) : port_(port) {}
  std::pair<unsigned, std::string> request(http::verb verb, const std::string& target) {
    beast::error_code ec;
    if (!stream_.socket().is_open()) {
      stream_.connect(node_endpoint(port_), ec);
      if (ec) return {0, ec.message()};
    }
    http::write(stream_, node_request(verb, target, ""), ec);
    http::response_parser<http::string_body> parser;
    parser.body_limit(response_bytes_max);
    if (!ec) http::read(stream_, buffer_, parser, ec);
    if (ec) {
      stream_.socket().close(ec);
      buffer_.clear();
      return {0, "connection failed"};
    }
    if (!parser.get().keep_alive()) stream_.socket().close(ec);
    return {parser.get().result_int(), parser.get().body()};
  }

 private:
  unsigned short port_;
  asio::io_context io_;
  beast::tcp_stream stream_{io_};
  beast::flat_buffer buffer_;
};

// One keep-alive connection of the timed phase: sends its queue of
// transfers one after the other, each once the answer to the one before has
// come. All connections of a client thread share its event loop, as in wrk,
// so the load client takes a thread per core of its own, not one per
// connection (64 blocked threads took about 0.2 of a core more than the node
// could spare on 2 cores).
class Sender : public std::enable_shared_from_this<Sender> {
 public:
  Sender(asio::io_context& io, unsigned short port, const std::vector<std::string>& texts, const std::vector<std::size_t>& queue,
         std::vector<double>& latencies_ms, std::string& failure)
      : stream_(io), port_(port), texts_(texts), queue_(queue), latencies_ms_(latencies_ms), failure_(failure) {}

  void start() {
    if (queue_.empty()) return;
    stream_.async_connect(node_endpoint(port_), [self = shared_from_this()](beast::error_code ec) {
      if (ec) return self->fail("connect: " + ec.message());
      self->send();
    });
  }

 private:
  void send() {
    request_ = node_request(http::verb::post, "/v1/tx", texts_[queue_[next_]]);
    sent_ = std::chrono::steady_clock::now();
    stream_.expires_after(std::chrono::milliseconds(answer_timeout_ms));
    http::async_write(stream_, request_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return self->fail("write: " + ec.message());
      self->parser_.emplace();
      self->parser_->body_limit(response_bytes_max);
      http::async_read(self->stream_, self->buffer_, *self->parser_, [self](beast::error_code ec, std::size_t) { self->received(ec); });
    });
  }

  void received(beast::error_code ec) {
    if (ec) return fail("read: " + ec.message());
    latencies_ms_.push_back(seconds_since(sent_) * 1e3);
    const auto& response = parser_->get();
    if (response.result_int() != 200)
      return fail("transfer " + std::to_string(queue_[next_]) + " answered " + std::to_string(response.result_int()) + ": " +
                  response.body().substr(0, 300));
    if (!response.keep_alive()) return fail("the node closed a keep-alive connection");
    if (++next_ < queue_.size()) return send();
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
  }

  void fail(std::string why) {
    failure_ = std::move(why);
    beast::error_code ignored;
    stream_.socket().close(ignored);
  }

  beast::tcp_stream stream_;
  unsigned short port_;
  const std::vector<std::string>& texts_;
  const std::vector<std::size_t>& queue_;
  std::vector<double>& latencies_ms_;
  std::string& failure_;
  std::size_t next_ = 0;
  http::request<http::string_body> request_;
  beast::flat_buffer buffer_;
  std::optional<http::response_parser<http::string_body>> parser_;
  std::chrono::steady_clock::time_point sent_;
};

json::Json get_json(Connection& c, const std::string& target) {
  auto [status, body] = c.request(http::verb::get, target);
  auto doc = json::Json::parse(body, nullptr, false);
  if (status != 200 || doc.is_discarded()) die("GET " + target + " answered " + std::to_string(status) + ": " + body.substr(0, 200));
  return doc;
}

}  // namespace

int run_http_write(const Args& args) {
  const auto port = static_cast<unsigned short>(args.u64("port", 0));
  const std::size_t accounts = args.u64("accounts", 10'000);
  const std::size_t transfers = args.u64("transfers", 20'000);
  const std::size_t connections = args.u64("connections", 64);
  const std::string tag = args.text("tag", "w");  // tx id prefix: unique per run against one ledger
  const std::size_t client_threads = args.u64("client-threads", 1);
  if (port == 0) die("http-write needs --port P of a running ecoledgerd");
  if (connections < 1 || connections > connections_max || accounts < 2 || accounts > bench_accounts_max) die("bad --connections or --accounts");
  if (client_threads < 1 || client_threads > client_threads_max) die("bad --client-threads");

  Connection setup(port);
  const std::string ledger_id = get_json(setup, "/v1/checkpoint").value("ledger", "");
  // next_unit[i]: the first unit of account i's remaining issuance lot PRT-<i>:<unit>-<lot units>.
  std::vector<std::int64_t> next_unit(accounts, 0);
  for (std::size_t i = 0; i < accounts; ++i) {
    const std::string prefix = "PRT-" + bench_account_name(i) + ":";
    const std::string suffix = "-" + std::to_string(bench_lot_units);
    for (const auto& lot : get_json(setup, "/v1/accounts/" + bench_account_name(i) + "/lots").value("lots", json::Json::array())) {
      std::string id = lot.value("lot", "");
      if (id.starts_with(prefix) && id.ends_with(suffix) && lot.value("status", "") == "free")
        next_unit[i] = std::stoll(id.substr(prefix.size(), id.size() - prefix.size() - suffix.size()));
    }
    if (next_unit[i] == 0) die("account " + bench_account_name(i) + " has no remaining issuance lot");
  }

  // Sender s is served by connection s % connections.
  std::mt19937_64 random(99);
  std::uniform_int_distribution<std::size_t> pick(0, accounts - 1);
  struct Planned { std::size_t from, to; std::int64_t unit; };
  std::vector<Planned> plan;
  plan.reserve(transfers);
  for (std::size_t i = 0; i < transfers; ++i) {
    std::size_t from = pick(random), to = pick(random);
    if (to == from) to = (to + 1) % accounts;
    if (next_unit[from] >= bench_lot_units) die("account " + bench_account_name(from) + " has no units left");
    plan.push_back({from, to, next_unit[from]++});
  }
  std::vector<crypto::PrivateKey> keys;
  keys.reserve(accounts);
  for (std::size_t i = 0; i < accounts; ++i) keys.push_back(bench_account_key(i));
  auto texts = build_parallel(transfers, [&](std::size_t i) {
    const Planned& p = plan[i];
    std::string lot = "PRT-" + bench_account_name(p.from) + ":" + std::to_string(p.unit) + "-" + std::to_string(bench_lot_units);
    json::Json body{{"from", bench_account_name(p.from)}, {"to", bench_account_name(p.to)}, {"lot", lot}, {"quantity", 1}};
    return json::canonical(ledger::sign_transaction(ledger::make_transaction(ledger_id, tag + std::to_string(i), "transfer", body),
                                                    keys[p.from], bench_account_name(p.from) + "#k1"));
  });
  std::vector<std::vector<std::size_t>> queues(connections);
  for (std::size_t i = 0; i < transfers; ++i) queues[plan[i].from % connections].push_back(i);

  std::vector<std::vector<double>> latencies_ms(connections);
  std::vector<std::string> failures(connections);
  std::vector<std::unique_ptr<asio::io_context>> ios;
  for (std::size_t t = 0; t < client_threads; ++t) ios.push_back(std::make_unique<asio::io_context>(1));
  std::vector<std::shared_ptr<Sender>> senders;
  for (std::size_t c = 0; c < connections; ++c)
    senders.push_back(std::make_shared<Sender>(*ios[c % client_threads], port, texts, queues[c], latencies_ms[c], failures[c]));
  auto start = std::chrono::steady_clock::now();
  const double cpu_at_start = cpu_seconds_self();
  for (auto& sender : senders) sender->start();
  std::vector<std::thread> threads;
  for (std::size_t t = 1; t < client_threads; ++t) threads.emplace_back([&, t] { ios[t]->run(); });
  ios[0]->run();
  for (auto& thread : threads) thread.join();
  const double seconds = seconds_since(start);
  // The client shares the machine with the node: what it takes, the node lacks.
  const double client_cpu_cores = (cpu_seconds_self() - cpu_at_start) / seconds;
  for (const auto& f : failures)
    if (!f.empty()) die(f);
  std::vector<double> all;
  for (auto& l : latencies_ms) all.insert(all.end(), l.begin(), l.end());
  report("http_write", {{"tx_per_s", static_cast<double>(transfers) / seconds},
                        {"transfers", transfers},
                        {"connections", connections},
                        {"seconds", seconds},
                        {"client_cpu_cores", client_cpu_cores},
                        {"p50_ms", quantile(all, 0.5)},
                        {"p99_ms", quantile(all, 0.99)}});
  return 0;
}

}  // namespace ecoledger::bench
