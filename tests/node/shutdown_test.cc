// SIGTERM under keep-alive load: every request the node read is answered
// before it exits. Regression test: the I/O threads used to return from
// io.run() as soon as the acceptor closed and every session was waiting on
// the sequencer, so writes committed during shutdown were never answered
// and the node sat out its whole grace period (the log said "unanswered":N).
#include <atomic>
#include <fstream>

#include "tests/node/node_process.h"

namespace ecoledger::testing {
namespace {

using json::Json;

TEST_CASE("ecoledgerd: SIGTERM under keep-alive load answers every request it read") {
  std::string dir = make_temp_dir("shutdown");
  std::string data = dir + "/data";
  NodeProcess node(data);
  Signer signer(data);
  constexpr int clients = 4;
  constexpr int per_client = 300;
  std::vector<std::vector<std::string>> txs(clients);
  for (int i = 0; i < clients; ++i)
    for (int k = 0; k < per_client; ++k) txs[i].push_back(signer.open_account("sd-" + std::to_string(i) + "-" + std::to_string(k), "holder"));
  std::atomic<int> acknowledged{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < clients; ++i)
    threads.emplace_back([&, i] {
      HttpClient c(node.port());  // one keep-alive connection each
      for (const auto& tx : txs[i]) {
        auto a = c.post(tx);
        if (a.status == 0) return;  // closed: the node is going
        if (a.status == 200) ++acknowledged;
      }
    });
  while (acknowledged.load() < 100) std::this_thread::sleep_for(std::chrono::milliseconds(2));
  CHECK(node.stop(SIGTERM) == 0);
  for (auto& t : threads) t.join();

  std::ifstream log(data + ".stderr");
  std::string line;
  Json stopped;
  while (std::getline(log, line)) {
    Json event = Json::parse(line, nullptr, false);
    if (event.is_object() && event.value("event", "") == "stopped") stopped = event;
  }
  REQUIRE(stopped.is_object());
  CHECK(stopped["unanswered"] == 0);
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
}

}  // namespace
}  // namespace ecoledger::testing
