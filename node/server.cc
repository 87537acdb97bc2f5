#include "node/server.h"

#include <algorithm>
#include <chrono>
#include <optional>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include "base/check.h"
#include "node/deadline_sweep.h"
#include "node/http_request.h"
#include "node/limits.h"
#include "node/log.h"
#include "node/status.h"

namespace ecoledger::node {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

constexpr std::size_t read_some_bytes = 4096;

template <typename Stream>
class Session : public Expirable, public std::enable_shared_from_this<Session<Stream>> {
 public:
  static constexpr bool is_tls = !std::is_same_v<Stream, beast::tcp_stream>;

  template <typename... Args>
  Session(std::shared_ptr<ServerState> state, Args&&... args) : state_(std::move(state)), stream_(std::forward<Args>(args)...) {
    state_->connections.fetch_add(1);
  }
  ~Session() { state_->connections.fetch_sub(1); }

  void run() {
    asio::dispatch(stream_.get_executor(), [self = this->shared_from_this()] { self->start(); });
  }

  // The sweep found the deadline past (node/deadline_sweep.h). Closing the
  // socket ends the pending read or write with operation_aborted, and its
  // handler closes the session.
  void expire() override {
    asio::post(stream_.get_executor(), [self = this->shared_from_this()] {
      if (!self->deadline.due(steady_now_ms())) return;
      self->deadline.disarm();
      log_event(json::Json{{"event", "timeout"}});
      beast::error_code ignored;
      self->lowest().socket().close(ignored);
    });
  }

 private:
  void start() {
    if constexpr (is_tls) {
      deadline.arm(state_->config.header_timeout_ms);
      stream_.async_handshake(asio::ssl::stream_base::server, [self = this->shared_from_this()](beast::error_code ec) {
        if (ec) return self->close();
        self->wait_request();
      });
    } else {
      wait_request();
    }
  }

  beast::tcp_stream& lowest() { return beast::get_lowest_layer(stream_); }

  // Keep-alive wait: the first bytes of the next request within idle_timeout_ms.
  void wait_request() {
    if (buffer_.size() > 0) return read_header();
    deadline.arm(state_->config.idle_timeout_ms);
    stream_.async_read_some(buffer_.prepare(read_some_bytes), [self = this->shared_from_this()](beast::error_code ec, std::size_t n) {
      if (ec) return self->close();
      self->buffer_.commit(n);
      self->read_header();
    });
  }

  // The whole header within header_timeout_ms of its first byte.
  void read_header() {
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(state_->config.header_bytes_max));
    parser_->body_limit(state_->config.body_bytes_max);
    deadline.arm(state_->config.header_timeout_ms);
    http::async_read_header(stream_, buffer_, *parser_, [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return self->read_failed(ec);
      self->read_body();
    });
  }

  void read_body() {
    started_ = Clock::now();
    deadline.arm(state_->config.idle_timeout_ms);
    http::async_read(stream_, buffer_, *parser_, [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return self->read_failed(ec);
      self->handle();
    });
  }

  void read_failed(beast::error_code ec) {
    if (ec == http::error::body_limit || ec == http::error::header_limit || ec == http::error::buffer_overflow) {
      state_->in_flight.fetch_add(1);
      keep_alive_ = false;
      route_ = "other";
      started_ = Clock::now();
      return answer(error_response(Error{"too_large", "the request is over " + std::to_string(state_->config.body_bytes_max) +
                                                          " body bytes or its header is too long"}));
    }
    // operation_aborted and bad_descriptor: the deadline sweep closed the socket.
    if (ec == http::error::end_of_stream || ec == asio::error::eof || ec == asio::error::connection_reset ||
        ec == asio::error::operation_aborted || ec == asio::error::bad_descriptor || ec == http::error::partial_message) {
      return close();
    }
    state_->in_flight.fetch_add(1);
    keep_alive_ = false;
    route_ = "other";
    started_ = Clock::now();
    answer(error_response(Error{"bad_request", "malformed HTTP request: " + ec.message()}));
  }

  void handle() {
    // No timeout while the answer is computed or waits for its commit.
    deadline.disarm();
    state_->in_flight.fetch_add(1);
    auto& msg = parser_->get();
    keep_alive_ = msg.keep_alive();
    version_ = msg.version();
    Request request = request_from_http(msg);
    Context context{state_->ledger, state_->node_key, state_->config.handler, &state_->metrics,
                    [s = state_.get()] { return s->connections.load(); }, state_->read_tokens, state_->tables, state_->read_cache};
    Routed routed = route(request, context, route_);
    if (auto* response = std::get_if<Response>(&routed)) return answer(std::move(*response));
    if (auto* range = std::get_if<RecordRange>(&routed)) return stream_records(*range);
    auto submit = std::make_shared<Submit>(std::move(std::get<Submit>(routed)));
    if (state_->shutting_down.load()) return answer(error_response(Error{"shutting_down", "the node is shutting down"}));
    std::vector<std::string> texts = submit->texts;
    Status queued = state_->sequencer.enqueue(std::move(texts), [self = this->shared_from_this(), submit](auto results) {
      asio::post(self->stream_.get_executor(), [self, submit, results = std::move(results)] {
        self->answer(submit_response(*submit, results));
      });
    });
    if (!queued) {
      log_event(json::Json{{"event", "refused"}, {"code", queued.error().code}, {"transactions", submit->texts.size()}});
      answer(error_response(queued.error()));
    }
  }

  void answer(Response response) {
    auto res = std::make_shared<http::response<http::string_body>>(static_cast<http::status>(response.status), version_);
    res->set(http::field::server, "ecoledgerd");
    res->set(http::field::content_type, response.content_type);
    if (!response.allow.empty()) res->set(http::field::allow, response.allow);
    if (response.status == 401) res->set(http::field::www_authenticate, "Bearer realm=\"ecoledger\"");
    if (state_->shutting_down.load()) keep_alive_ = false;
    res->keep_alive(keep_alive_);
    res->body() = std::move(response.body);
    res->prepare_payload();
    status_ = response.status;
    deadline.arm(state_->config.idle_timeout_ms);
    http::async_write(stream_, *res, [self = this->shared_from_this(), res](beast::error_code ec, std::size_t) { self->written(ec); });
  }

  void written(beast::error_code ec) {
    std::chrono::duration<double> took = Clock::now() - started_;
    state_->metrics.request(route_, status_, took.count());
    if (status_ >= 400 && route_ != "/v1/tx")
      log_event(json::Json{{"event", "refused"}, {"route", route_}, {"status", status_}});
    state_->in_flight.fetch_sub(1);
    if (ec || !keep_alive_) return close();
    wait_request();
  }

  // GET /v1/records: chunked transfer, records_chunk_bytes at a time.
  void stream_records(RecordRange range) {
    next_ = range.from;
    end_ = range.to;
    status_ = 200;
    if (state_->shutting_down.load()) keep_alive_ = false;
    stream_res_.emplace(http::status::ok, version_);
    stream_res_->set(http::field::server, "ecoledgerd");
    stream_res_->set(http::field::content_type, "application/x-ndjson");
    stream_res_->keep_alive(keep_alive_);
    stream_res_->chunked(true);
    stream_res_->body().data = nullptr;
    stream_res_->body().more = true;
    serializer_.emplace(*stream_res_);
    deadline.arm(state_->config.idle_timeout_ms);
    http::async_write_header(stream_, *serializer_, [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return self->stream_failed();
      self->next_chunk();
    });
  }

  void next_chunk() {
    chunk_.clear();
    if (next_ < end_) {
      Status scanned = state_->ledger.store().scan_records(next_, end_, [&](std::uint64_t seq, std::string_view bytes) {
        chunk_.append(bytes);
        chunk_.push_back('\n');
        next_ = seq + 1;
        return chunk_.size() < limits::records_chunk_bytes;
      });
      if (!scanned) {
        log_event(json::Json{{"event", "error"}, {"route", route_}, {"code", scanned.error().code}});
        return stream_failed();
      }
    }
    auto& body = stream_res_->body();
    if (chunk_.empty()) {
      body.data = nullptr;
      body.size = 0;
      body.more = false;
    } else {
      body.data = chunk_.data();
      body.size = chunk_.size();
      body.more = true;
    }
    deadline.arm(state_->config.idle_timeout_ms);
    http::async_write(stream_, *serializer_, [self = this->shared_from_this(), last = chunk_.empty()](beast::error_code ec, std::size_t) {
      if (ec == http::error::need_buffer) ec = {};
      if (ec) return self->stream_failed();
      if (!last) return self->next_chunk();
      self->serializer_.reset();
      self->stream_res_.reset();
      self->written(ec);
    });
  }

  void stream_failed() {
    keep_alive_ = false;
    written(asio::error::broken_pipe);
  }

  void close() {
    beast::error_code ec;
    if constexpr (is_tls) {
      deadline.arm(state_->config.header_timeout_ms);
      stream_.async_shutdown([self = this->shared_from_this()](beast::error_code) {
        beast::error_code ignored;
        self->lowest().socket().close(ignored);
      });
    } else {
      stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
      stream_.socket().close(ec);
    }
  }

  std::shared_ptr<ServerState> state_;
  Stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  bool keep_alive_ = false;
  unsigned version_ = 11;
  unsigned status_ = 0;
  std::string route_ = "other";
  Clock::time_point started_;
  std::optional<http::response<http::buffer_body>> stream_res_;
  std::optional<http::response_serializer<http::buffer_body>> serializer_;
  std::string chunk_;
  std::uint64_t next_ = 0;
  std::uint64_t end_ = 0;
};

}  // namespace

struct Server::Listener : std::enable_shared_from_this<Server::Listener> {
  Listener(asio::io_context& io, std::shared_ptr<ServerState> state)
      : io_(io),
        state_(std::move(state)),
        acceptor_(asio::make_strand(io)),
        sweep_(std::make_shared<DeadlineSweep>(io, std::min(state_->config.header_timeout_ms, state_->config.idle_timeout_ms))) {}

  Result<tcp::endpoint> open(const tcp::endpoint& endpoint) {
    beast::error_code ec;
    acceptor_.open(endpoint.protocol(), ec);
    if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_.bind(endpoint, ec);
    if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) return fail("listen_failed", "cannot listen on " + endpoint.address().to_string() + ":" + std::to_string(endpoint.port()) + ": " + ec.message());
    return acceptor_.local_endpoint();
  }

  void accept() {
    acceptor_.async_accept(asio::make_strand(io_), [self = shared_from_this()](beast::error_code ec, tcp::socket socket) {
      if (ec == asio::error::operation_aborted || !self->acceptor_.is_open()) return;
      if (!ec) self->serve(std::move(socket));
      self->accept();
    });
  }

  void serve(tcp::socket socket) {
    if (state_->connections.load() >= state_->config.connections_max) {
      log_event(json::Json{{"event", "refused"}, {"code", "overloaded"}, {"reason", "connections_max"}});
      beast::error_code ec;
      socket.close(ec);
      return;
    }
    if (state_->tls != nullptr) {
      start_session(std::make_shared<Session<beast::ssl_stream<beast::tcp_stream>>>(state_, std::move(socket), *state_->tls));
    } else {
      start_session(std::make_shared<Session<beast::tcp_stream>>(state_, std::move(socket)));
    }
  }

  template <typename S>
  void start_session(std::shared_ptr<S> session) {
    sweep_->add(session);
    session->run();
  }

  void stop() {
    asio::post(acceptor_.get_executor(), [self = shared_from_this()] {
      beast::error_code ec;
      self->acceptor_.close(ec);
    });
  }

  asio::io_context& io_;
  std::shared_ptr<ServerState> state_;
  tcp::acceptor acceptor_;
  std::shared_ptr<DeadlineSweep> sweep_;
};

Server::Server(asio::io_context& io, std::shared_ptr<ServerState> state) : io_(io), state_(std::move(state)) {}

Result<tcp::endpoint> Server::start() {
  beast::error_code ec;
  auto address = asio::ip::make_address(state_->config.address, ec);
  if (ec) return fail("bad_argument", "bad listen address " + state_->config.address);
  listener_ = std::make_shared<Listener>(io_, state_);
  auto bound = listener_->open(tcp::endpoint(address, state_->config.port));
  if (!bound) return bound;
  listener_->sweep_->start();
  listener_->accept();
  return bound;
}

void Server::stop_accepting() {
  state_->shutting_down.store(true);
  if (listener_) listener_->stop();
}

}  // namespace ecoledger::node
