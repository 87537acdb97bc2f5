// append: in-process, durable, signed transfers through Ledger::submit in
// batches of the size the node forms.
//
// Setup (not timed): genesis, `accounts` account.open and one PRT issuance of
// lot_units per account. Then `transfers` transfers of one unit each, from a
// random account's remaining issuance lot to another random account, are
// built and signed on all cores, and only then timed through submit().
// The ledger is left in --dir for the replay and proofs benches.
#include <filesystem>
#include <random>
#include <thread>

#include "base/check.h"
#include "bench/bench_util.h"
#include "bench/benches.h"
#include "ledger/ledger.h"
#include "ledger/transaction.h"

namespace ecoledger::bench {
namespace {

inline constexpr std::int64_t t0_ms = 1795852800000;  // 2026-11-28T08:00:00.000Z
inline constexpr std::int64_t lot_units = 1'000'000;
inline constexpr std::size_t accounts_max = 1'000'000;
inline constexpr const char* ledger_id = "bench-ledger";

std::string account_name(std::size_t i) {
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "a%06zu", i);
  return buffer;
}

// Runs make(i) for i in [0, n) on every core; results in order.
std::vector<std::string> build_parallel(std::size_t n, const std::function<std::string(std::size_t)>& make) {
  std::vector<std::string> out(n);
  unsigned threads = std::max(1u, std::thread::hardware_concurrency());
  std::vector<std::thread> workers;
  for (unsigned t = 0; t < threads; ++t)
    workers.emplace_back([&, t] {
      for (std::size_t i = t; i < n; i += threads) out[i] = make(i);
    });
  for (auto& w : workers) w.join();
  return out;
}

// Submits texts in batches; every transaction must be accepted.
void submit_all(ledger::Ledger& ledger, const std::vector<std::string>& texts, std::size_t batch, std::int64_t& now_ms) {
  for (std::size_t i = 0; i < texts.size(); i += batch) {
    std::vector<std::string> chunk(texts.begin() + static_cast<std::ptrdiff_t>(i),
                                   texts.begin() + static_cast<std::ptrdiff_t>(std::min(texts.size(), i + batch)));
    auto results = ledger.submit(chunk, ++now_ms);
    for (const auto& r : results)
      if (!r) die("submit refused a bench transaction: " + r.error().code + ": " + r.error().message);
  }
}

std::uint64_t directory_bytes(const std::string& dir) {
  std::uint64_t total = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir))
    if (entry.is_regular_file()) total += entry.file_size();
  return total;
}

}  // namespace

int run_append(const Args& args) {
  const std::string dir = args.text("dir", "");
  if (dir.empty()) die("append needs --dir DIR (an empty or missing directory)");
  const std::size_t transfers = args.u64("transfers", 200'000);
  const std::size_t accounts = args.u64("accounts", 10'000);
  const std::size_t batch = args.u64("batch", 512);
  if (accounts < 2 || accounts > accounts_max) die("--accounts must be in [2, 1000000]");
  if (batch < 1 || batch > ledger::batch_transactions_max) die("--batch must be in [1, 4096]");
  if (transfers / accounts >= static_cast<std::size_t>(lot_units) / 2) die("too many transfers per account");

  auto registry = crypto::PrivateKey::generate();
  auto node = crypto::PrivateKey::generate();
  if (!registry || !node) die("key generation failed");
  std::int64_t now_ms = t0_ms;
  auto created = ledger::Ledger::create(dir, *registry, *node, ledger_id, now_ms);
  if (!created) die("create: " + created.error().message);
  ledger::Ledger& ledger = **created;

  std::vector<crypto::PrivateKey> keys;
  keys.reserve(accounts);
  for (std::size_t i = 0; i < accounts; ++i) keys.push_back(*crypto::PrivateKey::generate());
  auto opens = build_parallel(accounts, [&](std::size_t i) {
    json::Json body{{"account", account_name(i)}, {"role", "holder"}, {"name", account_name(i)},
                    {"keys", {{{"id", "k1"}, {"pub", keys[i].public_base64()}}}}};
    return json::canonical(ledger::sign_transaction(ledger::make_transaction(ledger_id, "open-" + account_name(i), "account.open", body),
                                                    *registry, "registry#k1"));
  });
  submit_all(ledger, opens, batch, now_ms);
  auto issues = build_parallel(accounts, [&](std::size_t i) {
    json::Json body{{"asset", "PRT"}, {"serial", "PRT-" + account_name(i)}, {"holder", account_name(i)}, {"quantity", lot_units},
                    {"pollutant", "COD"}, {"region", "350500"}, {"valid_from", "2026-01-01"}, {"valid_to", "2099-12-31"}};
    return json::canonical(ledger::sign_transaction(ledger::make_transaction(ledger_id, "issue-" + account_name(i), "asset.issue", body),
                                                    *registry, "registry#k1"));
  });
  submit_all(ledger, issues, batch, now_ms);

  // The plan is fixed by the seed; each sender gives the first unit of its
  // remaining issuance lot, so every lot id is known before signing.
  std::mt19937_64 random(42);
  std::uniform_int_distribution<std::size_t> pick(0, accounts - 1);
  std::vector<std::size_t> next_unit(accounts, 1);
  struct Planned { std::size_t from, to, unit; };
  std::vector<Planned> plan;
  plan.reserve(transfers);
  for (std::size_t i = 0; i < transfers; ++i) {
    std::size_t from = pick(random), to = pick(random);
    if (to == from) to = (to + 1) % accounts;
    plan.push_back({from, to, next_unit[from]++});
  }
  auto texts = build_parallel(transfers, [&](std::size_t i) {
    const Planned& p = plan[i];
    std::string lot = "PRT-" + account_name(p.from) + ":" + std::to_string(p.unit) + "-" + std::to_string(lot_units);
    json::Json body{{"from", account_name(p.from)}, {"to", account_name(p.to)}, {"lot", lot}, {"quantity", 1}};
    return json::canonical(ledger::sign_transaction(ledger::make_transaction(ledger_id, "t" + std::to_string(i), "transfer", body), keys[p.from],
                                                    account_name(p.from) + "#k1"));
  });

  std::uint64_t records_before = ledger.head().size;
  auto start = std::chrono::steady_clock::now();
  submit_all(ledger, texts, batch, now_ms);
  double seconds = seconds_since(start);
  ECOLEDGER_CHECK(ledger.head().size == records_before + transfers);
  std::uint64_t records = ledger.head().size;
  created->reset();
  report("append", {{"tx_per_s", static_cast<double>(transfers) / seconds},
                    {"seconds", seconds},
                    {"transfers", transfers},
                    {"batch", batch},
                    {"records", records},
                    {"disk_bytes_per_record", static_cast<double>(directory_bytes(dir)) / static_cast<double>(records)},
                    {"peak_rss_bytes", peak_rss_bytes_self()}});
  return 0;
}

}  // namespace ecoledger::bench
