// crash_test: the driver of scripts/crash-test. Starts the real ecoledgerd on
// a temporary data dir, runs concurrent clients over real HTTP submitting
// transfers, pledges and releases, SIGKILLs the node at a random moment, and
// then, with the node down:
//   - `ecoledger audit --data` must be clean (the stored state equals a replay
//     of the journal: nothing unacknowledged is half-applied);
//   - `ecoledger export --data` must hold every acknowledged transaction at the
//     seq its receipt named, with the receipt's hash (SHA-256 of the line).
// Every record must be the genesis, a setup transaction, an acknowledged one
// or one whose answer the kill cut off. Then it restarts the node and goes on. Prints one JSON line of figures and
// exits 1 if anything acknowledged was lost or an audit failed.
//
// usage: crash_test --ecoledgerd PATH --ecoledger PATH [--cycles N] [--clients K]
//                   [--seed S] [--kill-after-ms-max MS] [--keep DIR]
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "base/json.h"
#include "ledger/crypto.h"
#include "ledger/transaction.h"

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using ecoledger::json::Json;
namespace crypto = ecoledger::crypto;
namespace ledger = ecoledger::ledger;

constexpr std::int64_t serial_units = 1'000'000'000;  // each client's PRT lot
constexpr int clients_max = 64;
constexpr int cycles_max = 100'000;
constexpr int start_polls_max = 400;                  // x 25 ms
constexpr std::size_t output_line_bytes_max = 4096;

[[noreturn]] void die(const std::string& message) {
  std::fprintf(stderr, "crash_test: %s\n", message.c_str());
  std::exit(2);
}

struct Answer {
  unsigned status = 0;  // 0: no answer (the node is gone)
  std::string body;
  Json json() const { return Json::parse(body, nullptr, false); }
};

// One keep-alive connection; any transport error is "no answer".
class Client {
 public:
  explicit Client(unsigned short port) : port_(port) {}
  Answer request(http::verb verb, const std::string& target, const std::string& body = "") {
    beast::error_code ec;
    if (!stream_.socket().is_open()) {
      stream_.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port_), ec);
      if (ec) return {};
    }
    http::request<http::string_body> req(verb, target, 11);
    req.set(http::field::host, "127.0.0.1");
    if (!body.empty()) req.set(http::field::content_type, "application/json");
    req.body() = body;
    req.prepare_payload();
    http::write(stream_, req, ec);
    if (ec) return reset();
    http::response_parser<http::string_body> parser;
    parser.body_limit(1ull << 32);
    http::read(stream_, buffer_, parser, ec);
    if (ec) return reset();
    Answer out{parser.get().result_int(), parser.get().body()};
    if (!parser.get().keep_alive()) reset();
    return out;
  }

 private:
  Answer reset() {
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

class Node {
 public:
  Node(std::string binary, std::string data) : binary_(std::move(binary)), data_(std::move(data)) {}
  ~Node() { kill(); }
  unsigned short port() const { return port_; }

  void start() {
    int out[2];
    if (::pipe(out) != 0) die("pipe failed");
    pid_ = ::fork();
    if (pid_ < 0) die("fork failed");
    if (pid_ == 0) {
      ::dup2(out[1], 1);
      std::FILE* err = std::fopen((data_ + ".stderr").c_str(), "a");
      if (err != nullptr) ::dup2(fileno(err), 2);
      ::close(out[0]);
      std::vector<std::string> args = {binary_, "--data", data_, "--listen", "127.0.0.1:0", "--threads", "2"};
      std::vector<char*> argv;
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
    ::close(out[1]);
    std::FILE* in = ::fdopen(out[0], "r");
    char line[output_line_bytes_max];
    port_ = 0;
    while (port_ == 0 && std::fgets(line, sizeof line, in) != nullptr) {
      auto doc = Json::parse(line, nullptr, false);
      if (doc.is_object() && doc.contains("listening")) {
        std::string where = doc["listening"];
        port_ = static_cast<unsigned short>(std::stoi(where.substr(where.rfind(':') + 1)));
      }
    }
    std::fclose(in);
    if (port_ == 0) die("ecoledgerd did not start; see " + data_ + ".stderr");
  }
  void kill() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }

 private:
  std::string binary_, data_;
  pid_t pid_ = -1;
  unsigned short port_ = 0;
};

struct Receipt {
  std::string id;
  std::uint64_t seq;
  std::string hash;
};

struct Shared {
  std::mutex mutex;
  std::vector<Receipt> acknowledged;  // guarded by mutex
  std::set<std::string> uncertain;    // sent, never answered; guarded by mutex
  std::map<std::string, crypto::PrivateKey> keys;  // account -> k1; read-only during load
  std::atomic<bool> going{true};
  std::atomic<bool> unexpected{false};  // a client got a refusal it cannot explain
};

std::string sign(const Shared& shared, const std::string& id, const std::string& type, Json body, std::initializer_list<std::string> accounts) {
  Json t = ledger::make_transaction("ecoledger", id, type, std::move(body));
  for (const auto& a : accounts) t = ledger::sign_transaction(std::move(t), shared.keys.at(a), a + "#k1");
  return ecoledger::json::canonical(t);
}

std::string client_account(int i) { return "client." + std::to_string(i); }
std::string client_serial(int i) { return "CRASH-" + std::to_string(i); }

// What one client knows of its own units, kept across cycles. The lot
// listing of an account grows with every transfer it receives, so clients
// never list: they track their remainder and, after a kill cut off a spend,
// learn whether it was applied from the answer to the next one.
struct ClientState {
  std::int64_t first = 1;            // the free remainder is serial:first-serial_units
  std::int64_t unanswered_spend = 0;  // units a cut-off transfer or pledge may have taken
  std::vector<std::string> open_pledges;
};

// One client: spends the free remainder of its own serial, one transaction
// a request, until the node stops answering.
void run_client(Shared& shared, ClientState& mine, unsigned short port, int me, int clients, int cycle, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  Client c(port);
  const std::string account = client_account(me), serial = client_serial(me);
  int n = 0;
  while (shared.going.load()) {
    const std::string id = "c" + std::to_string(me) + "-" + std::to_string(cycle) + "-" + std::to_string(++n);
    const std::int64_t quantity = 1 + static_cast<std::int64_t>(rng() % 3);
    const std::string lot = serial + ":" + std::to_string(mine.first) + "-" + std::to_string(serial_units);
    const int op = static_cast<int>(rng() % 10);
    std::string tx;
    bool spends = true, creates_pledge = false;
    if (op < 6) {
      int to = static_cast<int>(rng() % static_cast<std::uint64_t>(clients - 1));
      if (to >= me) ++to;
      tx = sign(shared, id, "transfer", {{"from", account}, {"to", client_account(to)}, {"lot", lot}, {"quantity", quantity}}, {account});
    } else if (op < 9 || mine.open_pledges.empty()) {
      creates_pledge = true;
      tx = sign(shared, id, "pledge.create",
                {{"pledge", "pl-" + id}, {"holder", account}, {"bank", "bank.crash"}, {"lot", lot}, {"quantity", quantity},
                 {"loan", {{"id", "loan-" + id}, {"principal_fen", 1000 * quantity}, {"maturity", "2099-12-31"}}}},
                {account, "bank.crash"});
    } else {
      spends = false;
      std::string pledge = mine.open_pledges.back();
      mine.open_pledges.pop_back();
      tx = sign(shared, id, "pledge.release", {{"pledge", pledge}}, {"bank.crash"});
    }
    Answer a = c.request(http::verb::post, "/v1/tx", tx);
    if (a.status == 0) {  // the node died with this request in flight
      std::lock_guard lock(shared.mutex);
      shared.uncertain.insert(id);
      if (spends) mine.unanswered_spend = quantity;
      return;
    }
    if (a.status == 200) {
      Json r = a.json();
      {
        std::lock_guard lock(shared.mutex);
        shared.acknowledged.push_back(Receipt{id, r["seq"].get<std::uint64_t>(), r["hash"].get<std::string>()});
      }
      if (spends) {
        mine.first += quantity;
        mine.unanswered_spend = 0;  // the remainder was where we thought: the cut-off spend was not applied
      }
      if (creates_pledge) mine.open_pledges.insert(mine.open_pledges.begin(), "pl-" + id);
      continue;
    }
    std::string code = a.json().is_object() ? a.json()["error"].value("code", "") : "";
    if (spends && code == "unknown_lot" && mine.unanswered_spend > 0) {
      mine.first += mine.unanswered_spend;  // the cut-off spend was applied
      mine.unanswered_spend = 0;
      continue;
    }
    if (!spends && code == "pledge_closed") continue;  // a cut-off release was applied
    if (a.status == 503) return;  // shutting down
    std::fprintf(stderr, "crash_test: client %d: unexpected refusal %u %s\n", me, a.status, a.body.c_str());
    shared.going = false;
    shared.unexpected = true;
    return;
  }
}

int run_command(const std::string& command, std::string* output) {
  std::FILE* p = ::popen(command.c_str(), "r");
  if (p == nullptr) return -1;
  char buf[65536];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0)
    if (output != nullptr) output->append(buf, n);
  int status = ::pclose(p);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

}  // namespace

int main(int argc, char** argv) {
  std::string node_bin, cli_bin, keep;
  int cycles = 20, clients = 4;
  std::uint64_t seed = std::random_device{}();
  std::int64_t kill_after_ms_max = 1500;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string name = argv[i], value = argv[i + 1];
    if (name == "--ecoledgerd") node_bin = value;
    else if (name == "--ecoledger") cli_bin = value;
    else if (name == "--cycles") cycles = std::stoi(value);
    else if (name == "--clients") clients = std::stoi(value);
    else if (name == "--seed") seed = std::stoull(value);
    else if (name == "--kill-after-ms-max") kill_after_ms_max = std::stoll(value);
    else if (name == "--keep") keep = value;
    else die("unknown option " + name);
  }
  if (argc % 2 != 1 || node_bin.empty() || cli_bin.empty()) die("usage: crash_test --ecoledgerd PATH --ecoledger PATH [--cycles N] [--clients K] [--seed S]");
  if (cycles < 1 || cycles > cycles_max || clients < 2 || clients > clients_max || kill_after_ms_max < 10) die("out-of-range option");

  std::string work = keep;
  if (work.empty()) {
    std::string pattern = (std::filesystem::temp_directory_path() / "ecoledger-crash-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) die("mkdtemp failed");
    work = pattern;
  }
  const std::string data = work + "/data";
  std::mt19937_64 rng(seed);
  Shared shared;
  Node node(node_bin, data);
  node.start();
  shared.keys.emplace("registry", *crypto::PrivateKey::load_file(data + "/keys/registry.key"));

  // Accounts and one large PRT lot per client.
  {
    Client c(node.port());
    int n = 0;
    auto must = [&](const std::string& tx) {
      Answer a = c.request(http::verb::post, "/v1/tx", tx);
      if (a.status != 200) die("setup refused: " + a.body);
    };
    auto open = [&](const std::string& account, const std::string& role) {
      auto key = *crypto::PrivateKey::generate();
      shared.keys.emplace(account, key);
      must(sign(shared, "setup-" + std::to_string(++n), "account.open",
                {{"account", account}, {"role", role}, {"name", account}, {"keys", {{{"id", "k1"}, {"pub", key.public_base64()}}}}}, {"registry"}));
    };
    open("bank.crash", "bank");
    for (int i = 0; i < clients; ++i) {
      open(client_account(i), "holder");
      must(sign(shared, "setup-" + std::to_string(++n), "asset.issue",
                {{"asset", "PRT"}, {"serial", client_serial(i)}, {"holder", client_account(i)}, {"quantity", serial_units},
                 {"pollutant", "COD"}, {"region", "350428"}, {"valid_from", "2026-01-01"}, {"valid_to", "2099-12-31"}},
                {"registry"}));
    }
  }

  // Records no client accounts for: every record is the genesis, a setup
  // transaction, an acknowledged one or one whose answer the kill cut off.
  const std::uint64_t setup_records = 2 + 2 * static_cast<std::uint64_t>(clients);
  std::vector<ClientState> states(static_cast<std::size_t>(clients));
  int cycles_run = 0;
  std::uint64_t lost = 0, audit_failures = 0, uncertain_applied = 0, records = 0, unaccounted = 0;
  for (int cycle = 1; cycle <= cycles; ++cycle) {
    shared.going = true;
    std::vector<std::thread> threads;
    for (int i = 0; i < clients; ++i)
      threads.emplace_back(run_client, std::ref(shared), std::ref(states[i]), node.port(), i, clients, cycle, rng());
    std::this_thread::sleep_for(std::chrono::milliseconds(10 + static_cast<std::int64_t>(rng() % static_cast<std::uint64_t>(kill_after_ms_max))));
    node.kill();
    shared.going = false;
    for (auto& t : threads) t.join();
    if (shared.unexpected) break;
    cycles_run = cycle;

    // With the node down: audit the store, then compare the export with every receipt.
    std::string audit_out;
    int audit_rc = run_command(cli_bin + " audit --data " + data + " 2>&1", &audit_out);
    if (audit_rc != 0 || audit_out.find("\"ok\":true") == std::string::npos) {
      ++audit_failures;
      std::fprintf(stderr, "crash_test: cycle %d: audit failed: %s\n", cycle, audit_out.c_str());
    }
    std::string exported;
    if (run_command(cli_bin + " export --data " + data, &exported) != 0) die("export failed in cycle " + std::to_string(cycle));
    std::vector<std::pair<std::string, std::string>> by_seq;  // seq -> (hash, tx id)
    std::set<std::string> ids;
    for (std::size_t at = 0; at < exported.size();) {
      std::size_t nl = exported.find('\n', at);
      if (nl == std::string::npos) nl = exported.size();
      std::string line = exported.substr(at, nl - at);
      at = nl + 1;
      Json record = Json::parse(line, nullptr, false);
      std::string id = record.is_object() ? record["tx"].value("id", "") : "";
      by_seq.emplace_back(crypto::to_hex(crypto::sha256(line)), id);
      ids.insert(id);
    }
    records = by_seq.size();
    std::lock_guard lock(shared.mutex);
    for (const Receipt& r : shared.acknowledged) {
      bool kept = r.seq < by_seq.size() && by_seq[r.seq].first == r.hash && by_seq[r.seq].second == r.id;
      if (!kept) {
        ++lost;
        std::fprintf(stderr, "crash_test: cycle %d: LOST %s (seq %llu)\n", cycle, r.id.c_str(), static_cast<unsigned long long>(r.seq));
      }
    }
    uncertain_applied = 0;
    for (const std::string& id : shared.uncertain) uncertain_applied += ids.contains(id) ? 1 : 0;
    unaccounted = records - std::min<std::uint64_t>(records, setup_records + shared.acknowledged.size() + uncertain_applied);
    std::fprintf(stderr, "crash_test: cycle %d/%d: %zu acknowledged so far, %llu records, lost %llu\n", cycle, cycles,
                 shared.acknowledged.size(), static_cast<unsigned long long>(records), static_cast<unsigned long long>(lost));
    if (cycle < cycles) node.start();
  }
  Json summary{{"cycles", cycles_run},
               {"clients", clients},
               {"seed", seed},
               {"acknowledged", shared.acknowledged.size()},
               {"lost", lost},
               {"unanswered", shared.uncertain.size()},
               {"unanswered_applied", uncertain_applied},
               {"audit_failures", audit_failures},
               {"records", records},
               {"unaccounted_records", unaccounted},
               {"unexpected_refusals", shared.unexpected.load()}};
  std::printf("%s\n", summary.dump().c_str());
  if (keep.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(work, ec);
  }
  return lost == 0 && audit_failures == 0 && unaccounted == 0 && !shared.unexpected ? 0 : 1;
}
