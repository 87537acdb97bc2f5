// Functional tests: the real ecoledgerd over real sockets on 127.0.0.1.
#include <atomic>
#include <fstream>
#include <iterator>
#include <map>
#include <mutex>

#include "tests/node/node_process.h"

namespace ecoledger::testing {
namespace {

using json::Json;

struct Node {
  std::string dir = make_temp_dir("node");
  std::string data = dir + "/data";
  std::unique_ptr<NodeProcess> process;
  std::unique_ptr<Signer> signer;
  explicit Node(std::vector<std::string> extra = {}) {
    process = std::make_unique<NodeProcess>(data, std::move(extra));
    signer = std::make_unique<Signer>(data);
  }
  ~Node() {
    process.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
  unsigned short port() const { return process->port(); }
  HttpAnswer must(const std::string& tx) {
    HttpClient c(port());
    HttpAnswer a = c.post(tx);
    REQUIRE_MESSAGE(a.status == 200, a.body);
    return a;
  }
};

TEST_CASE("ecoledgerd: every endpoint over HTTP") {
  Node node;
  Signer& s = *node.signer;
  HttpClient c(node.port());
  CHECK(std::filesystem::exists(node.data + "/node.key"));
  CHECK((std::filesystem::status(node.data + "/keys/registry.key").permissions() & std::filesystem::perms::group_read) ==
        std::filesystem::perms::none);

  CHECK(c.get("/healthz").status == 200);
  node.must(s.open_account("village.a", "holder"));
  node.must(s.open_account("bank.b", "bank"));
  node.must(s.open_account("buyer.c", "holder"));
  auto issued = node.must(s.issue_prt("PRT-350428-2026-000001", "village.a", 1000)).json();
  CHECK(issued["seq"] == 4);
  CHECK(issued["hash"].get<std::string>().size() == 64);

  // Idempotent by id; a conflicting repeat is 409.
  std::string open_d = s.open_account("village.d", "holder");
  auto first = c.post(open_d);
  CHECK(first.status == 200);
  CHECK(c.post(open_d).body == first.body);
  s.counter--;
  CHECK(c.post(s.open_account("village.e", "holder")).code() == "id_reused");
  CHECK(c.post(s.open_account("village.d", "holder")).status == 409);

  std::string lot = "PRT-350428-2026-000001:1-1000";
  node.must(s.tx("transfer", {{"from", "village.a"}, {"to", "buyer.c"}, {"lot", lot}, {"quantity", 100}}, {"village.a"}));
  node.must(s.tx("pledge.create",
                 {{"pledge", "p1"}, {"holder", "village.a"}, {"bank", "bank.b"}, {"lot", "PRT-350428-2026-000001:101-1000"},
                  {"quantity", 900}, {"loan", {{"id", "L1"}, {"principal_fen", 100000}, {"maturity", "2027-12-31"}}}},
                 {"village.a", "bank.b"}));

  auto account = c.get("/v1/accounts/village.a");
  CHECK(account.status == 200);
  CHECK(account.json()["role"] == "holder");
  CHECK(c.get("/v1/accounts/buyer.c/lots").json()["lots"].size() == 1);
  CHECK(c.get("/v1/lots/PRT-350428-2026-000001:1-100").json()["holder"] == "buyer.c");
  CHECK(c.get("/v1/serials/PRT-350428-2026-000001").json()["lots"].size() == 2);
  CHECK(c.get("/v1/banks/bank.b/pledges").json()["pledges"].size() == 1);
  CHECK(c.get("/v1/prices").status == 200);

  auto pledge = c.get("/v1/pledges/p1").json();
  REQUIRE(pledge.is_object());
  CHECK(pledge["pledge"]["status"] == "open");
  std::uint64_t size = pledge["checkpoint"]["size"];
  CHECK(size == 8);
  REQUIRE(pledge["proofs"].size() == 2);  // created, issued
  std::string node_pub = *crypto::base64_decode(
      c.get("/v1/records?from=0&limit=1").json()["tx"]["body"]["node"]["keys"][0]["pub"].get<std::string>());
  CHECK(ledger::verify_checkpoint_signature(pledge["checkpoint"], node_pub));
  for (const auto& p : pledge["proofs"]) {
    std::vector<crypto::Hash> path;
    for (const auto& h : p["proof"]["path"]) path.push_back(*crypto::hash_from_hex(h.get<std::string>()));
    CHECK(p["proof"]["root"] == pledge["checkpoint"]["root"]);
    CHECK(ledger::merkle_verify_inclusion(p["seq"], size, ledger::merkle_leaf_hash(p["record"].get<std::string>()), path,
                                          *crypto::hash_from_hex(pledge["checkpoint"]["root"].get<std::string>())));
  }

  auto records = c.get("/v1/records?from=0");
  CHECK(records.content_type == "application/x-ndjson");
  CHECK(std::count(records.body.begin(), records.body.end(), '\n') == 8);
  std::string page = c.get("/v1/records?from=3&limit=2").body;
  CHECK(std::count(page.begin(), page.end(), '\n') == 2);
  CHECK(c.get("/v1/records?from=100").body.empty());
  auto checkpoint = c.get("/v1/checkpoint").json();
  CHECK(checkpoint["size"] == 8);
  CHECK(ledger::verify_checkpoint_signature(checkpoint, node_pub));
  auto inclusion = c.get("/v1/proofs/inclusion?seq=3&size=8").json();
  CHECK(inclusion["root"] == checkpoint["root"]);
  CHECK(c.get("/v1/proofs/consistency?from=4&to=8").json()["root_to"] == checkpoint["root"]);
  CHECK(c.get("/v1/proofs/inclusion?seq=8&size=8").status == 400);

  // NDJSON: one line per transaction.
  std::string batch = s.open_account("ndjson.1", "holder") + "\n" + s.open_account("village.a", "holder") + "\n";
  auto lines = c.post(batch, "application/x-ndjson");
  CHECK(lines.status == 200);
  CHECK(lines.body.find("\"seq\":8") != std::string::npos);
  CHECK(lines.body.find("account_exists") != std::string::npos);

  // Refusals by status.
  CHECK(c.post("{\"v\":1").status == 400);
  CHECK(c.post(s.tx("transfer", {{"from", "buyer.c"}, {"to", "village.a"}, {"lot", lot}, {"quantity", 1}}, {"village.a"})).status == 403);
  CHECK(c.post(s.tx("transfer", {{"from", "village.a"}, {"to", "buyer.c"}, {"lot", "PRT-350428-2026-000001:101-1000"}, {"quantity", 1}},
                    {"village.a"})).code() == "units_pledged");
  CHECK(c.get("/v1/accounts/nobody").status == 404);
  CHECK(c.get("/v1/nothing").code() == "not_found");
  CHECK(c.request(http::verb::delete_, "/v1/checkpoint").status == 405);
  CHECK(c.get("/v1/lots/a%2F..%2Fb").code() == "bad_path");

  auto metrics = c.get("/metrics");
  CHECK(metrics.body.find("ecoledger_http_requests_total{route=\"/v1/tx\",status=\"200\"}") != std::string::npos);
  CHECK(metrics.body.find("ecoledger_batch_transactions_count") != std::string::npos);
  CHECK(metrics.body.find("ecoledger_ledger_records 9") != std::string::npos);
}

TEST_CASE("ecoledgerd: eight clients race to spend the same lot; exactly one wins") {
  Node node;
  Signer& s = *node.signer;
  node.must(s.open_account("seller", "holder"));
  for (int i = 0; i < 8; ++i) node.must(s.open_account("buyer" + std::to_string(i), "holder"));
  node.must(s.issue_prt("PRT-350428-2026-000002", "seller", 50));
  std::vector<std::string> spends;
  for (int i = 0; i < 8; ++i)
    spends.push_back(s.tx("transfer", {{"from", "seller"}, {"to", "buyer" + std::to_string(i)}, {"lot", "PRT-350428-2026-000002:1-50"},
                                       {"quantity", 50}},
                          {"seller"}));
  std::vector<unsigned> statuses(8);
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i)
    threads.emplace_back([&, i] {
      HttpClient c(node.port());
      statuses[i] = c.post(spends[i]).status;
    });
  for (auto& t : threads) t.join();
  CHECK(std::count(statuses.begin(), statuses.end(), 200u) == 1);
  CHECK(std::count(statuses.begin(), statuses.end(), 409u) == 7);
}

// Clients submit account.open transactions until told to stop; every receipt
// they got is kept.
struct Load {
  Node& node;
  std::atomic<bool> going{true};
  std::mutex mutex;
  std::map<std::string, std::string> acknowledged;  // tx text -> receipt body
  std::vector<std::thread> threads;
  explicit Load(Node& n, int clients) : node(n) {
    for (int i = 0; i < clients; ++i) {
      std::vector<std::string> txs;
      node.signer->prefix = "load" + std::to_string(i);
      for (int k = 0; k < 400; ++k) txs.push_back(node.signer->open_account("acct-" + std::to_string(i) + "-" + std::to_string(k), "holder"));
      threads.emplace_back([this, txs = std::move(txs)] {
        HttpClient c(node.port());
        for (const auto& tx : txs) {
          if (!going) return;
          auto a = c.post(tx);
          if (a.status == 200) {
            std::lock_guard lock(mutex);
            acknowledged[tx] = a.body;
          }
        }
      });
    }
  }
  void join() {
    going = false;
    for (auto& t : threads) t.join();
  }
  std::size_t count() {
    std::lock_guard lock(mutex);
    return acknowledged.size();
  }
  // After a restart, re-submitting an acknowledged transaction answers its first receipt.
  void check_all_kept() {
    HttpClient c(node.port());
    for (const auto& [tx, receipt] : acknowledged) {
      auto again = c.post(tx);
      CHECK(again.status == 200);
      CHECK(again.body == receipt);
    }
  }
};

TEST_CASE("ecoledgerd: kill -9 under load and restart keeps every acknowledged transaction") {
  Node node;
  Load load(node, 6);
  while (load.count() < 200) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  node.process->stop(SIGKILL);
  load.join();
  INFO("acknowledged: " << load.count());
  node.process->start();
  load.check_all_kept();
  HttpClient c(node.port());
  CHECK(c.get("/healthz").json()["size"].get<std::size_t>() >= load.count() + 1);
}

TEST_CASE("ecoledgerd: SIGTERM under load answers, exits 0 and loses nothing acknowledged") {
  Node node;
  Load load(node, 6);
  while (load.count() < 200) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  CHECK(node.process->stop(SIGTERM) == 0);
  load.join();
  node.process->start();
  load.check_all_kept();
}

TEST_CASE("ecoledgerd: each limit gives its error and the node keeps serving") {
  Node node({"--body-bytes-max", "4096", "--header-timeout-ms", "300", "--connections-max", "4", "--threads", "2"});
  HttpClient c(node.port());

  SUBCASE("body over the limit is 413") {
    auto a = c.post(std::string(5000, ' ') + "{}");
    CHECK(a.status == 413);
    CHECK(a.code() == "too_large");
  }
  SUBCASE("too deep JSON is 400") {
    auto a = c.post(std::string(40, '[') + std::string(40, ']'));
    CHECK(a.status == 400);
    CHECK(a.code() == "json_too_deep");
  }
  SUBCASE("a slow header is cut off") {
    RawConnection raw(node.port());
    raw.send("GET /healthz HTTP/1.1\r\nHost: x\r\n");
    auto [bytes, closed] = raw.read_until_closed(3000);
    CHECK(closed);
    CHECK(bytes.empty());
  }
  SUBCASE("a keep-alive connection is closed after --idle-timeout-ms, an active one is not") {
    // A node of its own with a short idle timeout. Timeouts are enforced by
    // one sweep of every connection's deadline (node/deadline_sweep.h).
    Node idle({"--idle-timeout-ms", "300", "--header-timeout-ms", "300"});
    HttpClient active(idle.port());
    RawConnection silent(idle.port());
    // The active client keeps asking for longer than the timeout in all.
    for (int i = 0; i < 8; ++i) {
      CHECK(active.get("/healthz").status == 200);
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    auto [bytes, closed] = silent.read_until_closed(3000);
    CHECK(closed);
    CHECK(bytes.empty());
    CHECK(active.get("/healthz").status == 200);
    std::ifstream log(idle.data + ".stderr");
    std::string text((std::istreambuf_iterator<char>(log)), std::istreambuf_iterator<char>());
    CHECK(text.find("\"event\":\"timeout\"") != std::string::npos);
  }
  SUBCASE("a malformed request is 400 and closed") {
    RawConnection raw(node.port());
    raw.send("NOT HTTP\r\n\r\n");
    auto [bytes, closed] = raw.read_until_closed(3000);
    CHECK(closed);
    CHECK(bytes.starts_with("HTTP/1.1 400"));
  }
  SUBCASE("connections over the limit are closed") {
    std::vector<std::unique_ptr<HttpClient>> held;
    for (int i = 0; i < 3; ++i) {
      held.push_back(std::make_unique<HttpClient>(node.port()));
      CHECK(held.back()->get("/healthz").status == 200);
    }
    CHECK(c.get("/healthz").status == 200);  // the fourth
    HttpClient fifth(node.port());
    CHECK(fifth.get("/healthz").status == 0);
    held.clear();
  }
  // The node sees the closes asynchronously; until it has, a new connection
  // may still be over the limit (refused: status 0, and the client reconnects).
  HttpClient after(node.port());
  int status = 0;
  for (int i = 0; i < 200 && status != 200; ++i) {
    status = after.get("/healthz").status;
    if (status != 200) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  CHECK(status == 200);
  CHECK(after.post(node.signer->open_account("still.serving", "holder")).status == 200);
}

TEST_CASE("ecoledgerd: refuses key files readable by others and keeps its data across restarts") {
  Node node;
  node.must(node.signer->open_account("kept", "holder"));
  CHECK(node.process->stop(SIGINT) == 0);
  std::filesystem::permissions(node.data + "/node.key", std::filesystem::perms::group_read, std::filesystem::perm_options::add);
  std::string out = node.dir + "/out.txt";
  std::string cmd = std::string(ECOLEDGERD_PATH) + " --data " + node.data + " --listen 127.0.0.1:0 >" + out + " 2>&1";
  CHECK(std::system(cmd.c_str()) != 0);
  std::filesystem::permissions(node.data + "/node.key", std::filesystem::perms::group_read, std::filesystem::perm_options::remove);
  node.process->start();
  HttpClient c(node.port());
  CHECK(c.get("/v1/accounts/kept").status == 200);
}

}  // namespace
}  // namespace ecoledger::testing
