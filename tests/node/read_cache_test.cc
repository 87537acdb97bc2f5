// The read cache: answers live exactly as long as the ledger size they were
// computed at, and a write is visible to the next read over HTTP.
#include <doctest/doctest.h>

#include "node/read_cache.h"
#include "tests/node/node_process.h"

namespace ecoledger::testing {
namespace {

std::uint64_t metric(HttpClient& c, const std::string& name) {
  std::string text = c.get("/metrics").body;
  auto at = text.find("\n" + name + " ");
  REQUIRE(at != std::string::npos);
  return std::stoull(text.substr(at + name.size() + 2));
}

}  // namespace

TEST_CASE("read cache: an answer is served only at the ledger size it was computed at") {
  node::ReadCache cache(1024 * 1024);
  CHECK_FALSE(cache.find("/v1/accounts/a", 5));
  cache.store("/v1/accounts/a", 5, "five");
  CHECK(cache.find("/v1/accounts/a", 5) == "five");
  CHECK_FALSE(cache.find("/v1/accounts/a", 6));  // the ledger grew
  CHECK_FALSE(cache.find("/v1/accounts/b", 5));
  // A slow reader's answer from before the growth is refused once a newer one is in.
  cache.store("/v1/accounts/b", 6, "six");
  cache.store("/v1/accounts/a", 5, "stale");
  CHECK_FALSE(cache.find("/v1/accounts/a", 5));
  CHECK_FALSE(cache.find("/v1/accounts/a", 6));
  CHECK(cache.find("/v1/accounts/b", 6) == "six");
}

TEST_CASE("read cache: bounded by bytes, and off at zero") {
  node::ReadCache cache(16 * 100);
  cache.store("/big", 1, std::string(200, 'x'));  // over bytes_max/16: never kept
  CHECK_FALSE(cache.find("/big", 1));
  for (int i = 0; i < 40; ++i) cache.store("/k" + std::to_string(i), 1, std::string(90, 'y'));
  int held = 0;
  for (int i = 0; i < 40; ++i) held += cache.find("/k" + std::to_string(i), 1).has_value();
  CHECK(held > 0);
  CHECK(held * 93 <= 1600);
  node::ReadCache off(0);
  off.store("/a", 1, "x");
  CHECK_FALSE(off.find("/a", 1));
}

TEST_CASE("ecoledgerd: a cached account answer never outlives a write") {
  std::string dir = make_temp_dir("cache");
  {
    NodeProcess process(dir + "/data");
    Signer s(dir + "/data");
    HttpClient c(process.port());
    auto must = [&](const std::string& tx) { REQUIRE_MESSAGE(c.post(tx).status == 200, "tx refused"); };
    must(s.open_account("village.a", "holder"));
    must(s.open_account("buyer.c", "holder"));
    must(s.issue_prt("PRT-350428-2026-000001", "village.a", 1000));
    auto before = c.get("/v1/accounts/village.a").body;
    std::uint64_t hits = metric(c, "ecoledger_read_cache_hits_total");
    CHECK(c.get("/v1/accounts/village.a").body == before);
    CHECK(metric(c, "ecoledger_read_cache_hits_total") == hits + 1);
    must(s.tx("transfer", {{"from", "village.a"}, {"to", "buyer.c"}, {"lot", "PRT-350428-2026-000001:1-1000"}, {"quantity", 100}},
              {"village.a"}));
    auto after = c.get("/v1/accounts/village.a");
    CHECK(after.json()["balances"]["PRT"]["free"] == 900);
    CHECK(c.get("/v1/accounts/buyer.c/lots").json()["lots"].size() == 1);
  }
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
}

}  // namespace ecoledger::testing
