// Functional-test fixtures: the real ecoledgerd started as a child process on
// 127.0.0.1 with a free port (it binds port 0 and prints
// {"listening":"127.0.0.1:PORT"}) and a temporary data dir, and a small
// synchronous Beast HTTP client for talking to it over real sockets.
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include <doctest/doctest.h>

#include "base/json.h"
#include "ledger/crypto.h"
#include "ledger/audit.h"
#include "ledger/merkle.h"
#include "ledger/transaction.h"

namespace ecoledger::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

struct HttpAnswer {
  unsigned status = 0;  // 0: no answer (connection failed or closed)
  std::string body;
  std::string content_type;
  json::Json json() const { return json::Json::parse(body, nullptr, false); }
  std::string code() const {
    auto doc = json();
    return doc.is_object() && doc.contains("error") ? doc["error"].value("code", "") : "";
  }
};

// One keep-alive connection.
class HttpClient {
 public:
  explicit HttpClient(unsigned short port) : port_(port) {}
  HttpAnswer request(http::verb verb, const std::string& target, const std::string& body = "",
                     const std::string& content_type = "application/json") {
    beast::error_code ec;
    if (!stream_.socket().is_open()) {
      stream_.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port_), ec);
      if (ec) return {};
    }
    http::request<http::string_body> req(verb, target, 11);
    req.set(http::field::host, "127.0.0.1");
    if (!body.empty()) req.set(http::field::content_type, content_type);
    req.body() = body;
    req.prepare_payload();
    http::write(stream_, req, ec);
    if (ec) return reset();
    http::response_parser<http::string_body> parser;
    parser.body_limit(1ull << 32);
    http::read(stream_, buffer_, parser, ec);
    if (ec) return reset();
    auto& res = parser.get();
    HttpAnswer out{res.result_int(), res.body(), std::string(res[http::field::content_type])};
    if (!res.keep_alive()) reset();
    return out;
  }
  HttpAnswer get(const std::string& target) { return request(http::verb::get, target); }
  HttpAnswer post(const std::string& body, const std::string& type = "application/json") {
    return request(http::verb::post, "/v1/tx", body, type);
  }

 private:
  HttpAnswer reset() {
    beast::error_code ec;
    stream_.socket().close(ec);
    buffer_.clear();
    return {};
  }
  unsigned short port_;
  asio::io_context io_;
  beast::tcp_stream stream_{io_};
  beast::flat_buffer buffer_;
};

// A raw socket for sending arbitrary bytes.
struct RawConnection {
  asio::io_context io;
  tcp::socket socket{io};
  explicit RawConnection(unsigned short port) { socket.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port)); }
  void send(const std::string& bytes) {
    beast::error_code ec;
    asio::write(socket, asio::buffer(bytes), ec);
  }
  // Everything until the peer closes (or timeout_ms passes): returns (bytes, closed).
  std::pair<std::string, bool> read_until_closed(int timeout_ms) {
    std::string out;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    socket.non_blocking(true);
    while (std::chrono::steady_clock::now() < deadline) {
      char buf[4096];
      beast::error_code ec;
      std::size_t n = socket.read_some(asio::buffer(buf), ec);
      if (ec == asio::error::would_block) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
        continue;
      }
      if (ec) return {out, true};
      out.append(buf, n);
    }
    return {out, false};
  }
};

inline std::string make_temp_dir(const std::string& tag) {
  std::string pattern = (std::filesystem::temp_directory_path() / ("ecoledgerd-" + tag + "-XXXXXX")).string();
  REQUIRE(::mkdtemp(pattern.data()) != nullptr);
  return pattern;
}

// The ecoledgerd child process.
class NodeProcess {
 public:
  NodeProcess(std::string data, std::vector<std::string> extra = {}) : data_(std::move(data)), extra_(std::move(extra)) { start(); }
  ~NodeProcess() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  unsigned short port() const { return port_; }
  const std::string& data() const { return data_; }

  void start() {
    int out[2];
    REQUIRE(::pipe(out) == 0);
    std::vector<std::string> args = {ECOLEDGERD_PATH, "--data", data_, "--listen", "127.0.0.1:0"};
    args.insert(args.end(), extra_.begin(), extra_.end());
    pid_ = ::fork();
    REQUIRE(pid_ >= 0);
    if (pid_ == 0) {
      ::dup2(out[1], 1);
      int err = ::open((data_ + ".stderr").c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
      if (err >= 0) ::dup2(err, 2);
      ::close(out[0]);
      std::vector<char*> argv;
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
    ::close(out[1]);
    FILE* in = ::fdopen(out[0], "r");
    char line[4096];
    port_ = 0;
    while (port_ == 0 && std::fgets(line, sizeof line, in) != nullptr) {
      auto doc = json::Json::parse(line, nullptr, false);
      if (doc.is_object() && doc.contains("listening")) {
        std::string where = doc["listening"];
        port_ = static_cast<unsigned short>(std::stoi(where.substr(where.rfind(':') + 1)));
      }
    }
    std::fclose(in);
    REQUIRE_MESSAGE(port_ != 0, "ecoledgerd did not start; see " << data_ << ".stderr");
  }

  // Sends sig and waits for the exit; returns the exit status (or 128+signal).
  int stop(int sig) {
    ::kill(pid_, sig);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }
  pid_t pid() const { return pid_; }

 private:
  std::string data_;
  std::vector<std::string> extra_;
  pid_t pid_ = -1;
  unsigned short port_ = 0;
};

// Builds and signs transactions for the node's ledger ("ecoledger").
struct Signer {
  std::map<std::string, crypto::PrivateKey> keys;
  int counter = 0;
  std::string prefix = "t";

  explicit Signer(const std::string& data) { keys.emplace("registry", *crypto::PrivateKey::load_file(data + "/keys/registry.key")); }
  std::string tx(const std::string& type, json::Json body, std::initializer_list<std::string> signers) {
    json::Json t = ledger::make_transaction("ecoledger", prefix + "-" + std::to_string(++counter), type, std::move(body));
    for (const auto& a : signers) t = ledger::sign_transaction(std::move(t), keys.at(a), a + "#k1");
    return json::canonical(t);
  }
  std::string open_account(const std::string& account, const std::string& role) {
    auto key = *crypto::PrivateKey::generate();
    keys.emplace(account, key);
    return tx("account.open", {{"account", account}, {"role", role}, {"name", account}, {"keys", {{{"id", "k1"}, {"pub", key.public_base64()}}}}},
              {"registry"});
  }
  std::string issue_prt(const std::string& serial, const std::string& holder, std::int64_t quantity) {
    return tx("asset.issue",
              {{"asset", "PRT"}, {"serial", serial}, {"holder", holder}, {"quantity", quantity}, {"pollutant", "COD"},
               {"region", "350428"}, {"valid_from", "2026-01-01"}, {"valid_to", "2030-12-31"}},
              {"registry"});
  }
};

}  // namespace ecoledger::testing
