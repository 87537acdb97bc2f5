// append: in-process, durable, signed transfers through the node's Sequencer
// (node/sequencer.h), in batches of --batch transactions.
//
// Setup (not timed): genesis, `accounts` account.open and one PRT issuance of
// bench_lot_units per account. Then `transfers` transfers of one unit each,
// from a random account's remaining issuance lot to another random account,
// are built and signed on all cores a round at a time, and only their way
// through the sequencer is timed, so memory stays bounded however many
// transfers there are.
// With --early E the rate of the window of W transfers ending at transfer E
// and of the last W transfers are reported too (the growth bench). With
// --marks FILE, each batch's end is written there as "transfers seconds", so
// rates over any window can be computed afterwards. With --pairs P (and
// --early E), P pairs follow the run: a fresh ledger's rate over the window
// of W transfers ending at transfer E, then the grown ledger's over W more
// transfers, each reported as bench "<name>_pairs" (see run_append).
// The ledger is left in --dir, with its node key (node.key, node.pub.pem) so
// ecoledgerd can serve it, for the replay, proofs and footprint benches.
#include <fcntl.h>
#include <time.h>
#include <unistd.h>

#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <optional>
#include <random>
#include <thread>

#include "base/check.h"
#include "bench/bench_util.h"
#include "bench/benches.h"
#include "ledger/ledger.h"
#include "ledger/transaction.h"
#include "node/limits.h"
#include "node/sequencer.h"

namespace ecoledger::bench {
namespace {

inline constexpr const char* ledger_id = "bench-ledger";
// Transfers signed ahead of each timed round: bounds memory (about 400 bytes each).
inline constexpr std::size_t round_transfers = 100'000;
// Jobs (of one batch each) queued at the sequencer at once: enough that its
// preparer never waits for work.
inline constexpr std::size_t jobs_in_flight_max = 4;
// Growth pairs (--pairs) one run may make: each builds a fresh ledger.
inline constexpr std::size_t growth_pairs_max = 20;
// How long a pair waits for RocksDB's background work to end before and after
// a measured window, and how often it looks.
inline constexpr double settle_ms_max = 300'000;
inline constexpr int settle_poll_ms = 20;

// CPU seconds on a clock: CLOCK_THREAD_CPUTIME_ID for the calling thread,
// CLOCK_PROCESS_CPUTIME_ID for every thread of the process.
double cpu_seconds(clockid_t clock) {
  timespec t{};
  ::clock_gettime(clock, &t);
  return static_cast<double>(t.tv_sec) + 1e-9 * static_cast<double>(t.tv_nsec);
}

// (transfers submitted, seconds spent in submit) at the end of each batch.
struct Progress {
  std::vector<std::pair<std::size_t, double>> marks{{0, 0.0}};
  // CPU seconds of the sequencer's committer thread between its first and
  // last completion of each call, and the transfers committed in them: the
  // serial part of the append path, which bounds the rate however many cores
  // verify. It includes the signatures the committer helps verify while no
  // prepared batch waits (base/shared_loop.h), so it is an upper bound of
  // the serial part.
  double commit_cpu_seconds = 0;
  std::size_t commit_cpu_transfers = 0;
  // The committer's CPU clock at the last completion of the current call.
  std::optional<double> commit_cpu_at;
  // CPU seconds of the whole process while submitting: with the wall seconds,
  // how many cores were busy.
  double process_cpu_seconds = 0;
  // Transfers per second over the window of `window` transfers ending at or
  // just before `end` (batch boundaries).
  double rate(std::size_t end, std::size_t window) const {
    std::size_t hi = 0;
    while (hi + 1 < marks.size() && marks[hi + 1].first <= end) ++hi;
    std::size_t lo = hi;
    while (lo > 0 && marks[hi].first - marks[lo].first < window) --lo;
    double seconds = marks[hi].second - marks[lo].second;
    return seconds > 0 ? static_cast<double>(marks[hi].first - marks[lo].first) / seconds : 0.0;
  }
};

// Submits texts through the node's own Sequencer, in jobs of `batch`
// transactions, so batches form, are prepared (parsed, signatures verified on
// every core) and are committed exactly as in ecoledgerd: the preparer runs
// ahead of the committer by up to one prepared batch. With pipeline false,
// each batch is submitted whole in turn (Ledger::submit). Every transaction
// must be accepted. Returns the wall seconds from the first enqueue to the
// last completion; with progress, marks each batch's end.
double submit_all(ledger::Ledger& ledger, const std::vector<std::string>& texts, std::size_t batch, bool pipeline,
                  Progress* progress = nullptr) {
  std::vector<std::vector<std::string>> chunks;
  for (std::size_t i = 0; i < texts.size(); i += batch)
    chunks.emplace_back(texts.begin() + static_cast<std::ptrdiff_t>(i),
                        texts.begin() + static_cast<std::ptrdiff_t>(std::min(texts.size(), i + batch)));
  if (chunks.empty()) return 0;
  const double marked = progress ? progress->marks.back().second : 0.0;
  const auto start = std::chrono::steady_clock::now();
  const double process_cpu_before = cpu_seconds(CLOCK_PROCESS_CPUTIME_ID);
  auto count_cpu = [&] {
    if (progress) progress->process_cpu_seconds += cpu_seconds(CLOCK_PROCESS_CPUTIME_ID) - process_cpu_before;
  };
  auto check = [](const std::vector<Result<ledger::Receipt>>& results) {
    for (const auto& r : results)
      if (!r) die("submit refused a bench transaction: " + r.error().code + ": " + r.error().message);
  };
  if (!pipeline) {
    for (const auto& chunk : chunks) {
      check(ledger.submit(chunk, ledger::now_unix_ms()));
      if (progress) progress->marks.emplace_back(progress->marks.back().first + chunk.size(), marked + seconds_since(start));
    }
    count_cpu();
    return seconds_since(start);
  }
  node::Sequencer sequencer(ledger, node::SequencerLimits{batch, node::limits::batch_wait_us, jobs_in_flight_max * batch},
                            nullptr);
  std::mutex mutex;
  std::condition_variable completed;
  std::size_t in_flight = 0;   // guarded by mutex
  std::size_t completions = 0; // guarded by mutex
  for (std::size_t k = 0; k < chunks.size(); ++k) {
    std::unique_lock lock(mutex);
    completed.wait(lock, [&] { return in_flight < jobs_in_flight_max; });
    ++in_flight;
    lock.unlock();
    const std::size_t size = chunks[k].size();
    // Completions run in order on the committer thread: its CPU clock, read
    // there, is the committing thread's CPU time.
    Status queued = sequencer.enqueue(std::move(chunks[k]), [&, size](std::vector<Result<ledger::Receipt>> results) {
      check(results);
      const double cpu = cpu_seconds(CLOCK_THREAD_CPUTIME_ID);
      std::lock_guard guard(mutex);
      if (progress) {
        progress->marks.emplace_back(progress->marks.back().first + size, marked + seconds_since(start));
        if (progress->commit_cpu_at) {
          progress->commit_cpu_seconds += cpu - *progress->commit_cpu_at;
          progress->commit_cpu_transfers += size;
        }
        progress->commit_cpu_at = cpu;
      }
      --in_flight;
      ++completions;
      completed.notify_all();
    });
    if (!queued) die("enqueue: " + queued.error().message);
  }
  std::unique_lock lock(mutex);
  completed.wait(lock, [&] { return completions == chunks.size(); });
  lock.unlock();
  const double seconds = seconds_since(start);
  count_cpu();
  sequencer.stop();
  if (progress) progress->commit_cpu_at.reset();  // the next call's committer is another thread
  return seconds;
}

std::uint64_t directory_bytes(const std::string& dir) {
  std::uint64_t total = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir))
    if (entry.is_regular_file()) total += entry.file_size();
  return total;
}

void write_private(const std::string& path, const std::string& contents) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  if (fd < 0 || ::write(fd, contents.data(), contents.size()) != static_cast<ssize_t>(contents.size())) die("cannot write " + path);
  ::close(fd);
}

// A ledger with the bench population: genesis, then `accounts` account.open
// and one PRT issuance of bench_lot_units per account, through the sequencer
// like the transfers. With keep_key, the node key is left in dir (node.key,
// node.pub.pem) so ecoledgerd can serve the ledger.
std::unique_ptr<ledger::Ledger> create_bench_ledger(const std::string& dir, const std::vector<crypto::PrivateKey>& keys, std::size_t batch,
                                                    bool pipeline, bool keep_key) {
  auto registry = crypto::PrivateKey::generate();
  auto node = crypto::PrivateKey::generate();
  if (!registry || !node) die("key generation failed");
  auto created = ledger::Ledger::create(dir, *registry, *node, ledger_id, ledger::now_unix_ms());
  if (!created) die("create: " + created.error().message);
  std::unique_ptr<ledger::Ledger> ledger = std::move(*created);
  if (keep_key) {
    write_private(dir + "/node.key", node->to_pem());
    write_private(dir + "/node.pub.pem", node->public_pem());
  }
  auto opens = build_parallel(keys.size(), [&](std::size_t i) {
    json::Json body{{"account", bench_account_name(i)}, {"role", "holder"}, {"name", bench_account_name(i)},
                    {"keys", {{{"id", "k1"}, {"pub", keys[i].public_base64()}}}}};
    return json::canonical(ledger::sign_transaction(
        ledger::make_transaction(ledger_id, "open-" + bench_account_name(i), "account.open", body), *registry, "registry#k1"));
  });
  submit_all(*ledger, opens, batch, pipeline);
  auto issues = build_parallel(keys.size(), [&](std::size_t i) {
    json::Json body{{"asset", "PRT"}, {"serial", "PRT-" + bench_account_name(i)}, {"holder", bench_account_name(i)},
                    {"quantity", bench_lot_units}, {"pollutant", "COD"}, {"region", "350500"}, {"valid_from", "2026-01-01"},
                    {"valid_to", "2099-12-31"}};
    return json::canonical(ledger::sign_transaction(
        ledger::make_transaction(ledger_id, "issue-" + bench_account_name(i), "asset.issue", body), *registry, "registry#k1"));
  });
  submit_all(*ledger, issues, batch, pipeline);
  return ledger;
}

// The transfers of one bench ledger, fixed by the seed: each sender gives the
// first unit of its remaining issuance lot, so every lot id is known before
// signing. Transfer n has the id "t<n>".
class TransferPlan {
 public:
  explicit TransferPlan(const std::vector<crypto::PrivateKey>& keys) : keys_(keys), next_unit_(keys.size(), 1) {}

  // Signs, then appends, the next `count` transfers, signing a round of at
  // most round_transfers at a time on every core; only their way through the
  // sequencer is timed. Returns those seconds.
  double append(ledger::Ledger& ledger, std::size_t count, std::size_t batch, bool pipeline, Progress* progress) {
    double seconds = 0;
    for (std::size_t done = 0; done < count;) {
      const std::size_t round = std::min(round_transfers, count - done);
      seconds += submit_all(ledger, sign(round), batch, pipeline, progress);
      done += round;
    }
    return seconds;
  }

 private:
  struct Planned { std::size_t from, to, unit; };

  std::vector<std::string> sign(std::size_t count) {
    std::uniform_int_distribution<std::size_t> pick(0, keys_.size() - 1);
    std::vector<Planned> plan;
    plan.reserve(count);
    for (std::size_t i = 0; i < count; ++i) {
      std::size_t from = pick(random_), to = pick(random_);
      if (to == from) to = (to + 1) % keys_.size();
      plan.push_back({from, to, next_unit_[from]++});
    }
    const std::size_t first_id = signed_;
    signed_ += count;
    return build_parallel(count, [&](std::size_t i) {
      const Planned& p = plan[i];
      std::string lot = "PRT-" + bench_account_name(p.from) + ":" + std::to_string(p.unit) + "-" + std::to_string(bench_lot_units);
      json::Json body{{"from", bench_account_name(p.from)}, {"to", bench_account_name(p.to)}, {"lot", lot}, {"quantity", 1}};
      return json::canonical(ledger::sign_transaction(
          ledger::make_transaction(ledger_id, "t" + std::to_string(first_id + i), "transfer", body), keys_[p.from],
          bench_account_name(p.from) + "#k1"));
    });
  }

  const std::vector<crypto::PrivateKey>& keys_;
  std::mt19937_64 random_{42};
  std::vector<std::size_t> next_unit_;
  std::size_t signed_ = 0;
};

// Waits until the ledger's store has no flush or compaction running or
// pending, at most settle_ms_max; returns the milliseconds waited.
double settle(const ledger::Ledger& ledger) {
  const auto start = std::chrono::steady_clock::now();
  while (ledger.store().background_work_pending() && seconds_since(start) * 1000 < settle_ms_max)
    std::this_thread::sleep_for(std::chrono::milliseconds(settle_poll_ms));
  return seconds_since(start) * 1000;
}

}  // namespace

int run_append(const Args& args) {
  const std::string dir = args.text("dir", "");
  if (dir.empty()) die("append needs --dir DIR (an empty or missing directory)");
  const std::size_t transfers = args.u64("transfers", 200'000);
  const std::size_t accounts = args.u64("accounts", 10'000);
  const std::size_t batch = args.u64("batch", 512);
  const std::size_t early = args.u64("early", 0);
  const std::size_t window = args.u64("window", 20'000);
  const std::size_t pairs = args.u64("pairs", 0);
  const bool pipeline = args.u64("pipeline", 1) != 0;
  if (accounts < 2 || accounts > bench_accounts_max) die("--accounts must be in [2, 1000000]");
  if (batch < 1 || batch > ledger::batch_transactions_max) die("--batch must be in [1, 4096]");
  if (early > transfers || window < 1) die("--early must be at most --transfers, --window at least 1");
  if (pairs > growth_pairs_max || (pairs > 0 && early == 0)) die("--pairs must be at most 20, and needs --early");
  if ((transfers + pairs * window) / accounts >= static_cast<std::size_t>(bench_lot_units) / 2) die("too many transfers per account");

  std::vector<crypto::PrivateKey> keys;
  keys.reserve(accounts);
  for (std::size_t i = 0; i < accounts; ++i) keys.push_back(bench_account_key(i));
  std::unique_ptr<ledger::Ledger> ledger = create_bench_ledger(dir, keys, batch, pipeline, true);
  const std::uint64_t records_before = ledger->head().size;
  TransferPlan plan(keys);
  Progress progress;
  const double seconds = plan.append(*ledger, transfers, batch, pipeline, &progress);
  ECOLEDGER_CHECK(ledger->head().size == records_before + transfers);
  const std::uint64_t records = ledger->head().size;

  // Growth in pairs: the rate of a fresh ledger's window ending at `early`
  // transfers, then of `window` more transfers on the grown ledger, in turn,
  // so that the machine's own drift over a long run (its speed moved by 40%
  // within a day, bench/RESULTS.md) falls on both sides of each pair. Each
  // window starts with neither ledger flushing or compacting, and the time
  // its own background work took after it is reported beside (settle_ms).
  // Each pair is reported on its own line (bench "<name>_pairs").
  // The grown run's own background work first; each pair's grown window
  // then ends with its ledger settled again.
  if (pairs > 0) settle(*ledger);
  for (std::size_t k = 0; k < pairs; ++k) {
    const std::string fresh_dir = dir + ".fresh";
    std::filesystem::remove_all(fresh_dir);
    std::unique_ptr<ledger::Ledger> fresh = create_bench_ledger(fresh_dir, keys, batch, pipeline, false);
    const std::uint64_t fresh_records = fresh->head().size + early;
    TransferPlan fresh_plan(keys);
    Progress fresh_progress;
    settle(*fresh);
    fresh_plan.append(*fresh, early, batch, pipeline, &fresh_progress);
    const double early_settle_ms = settle(*fresh);
    fresh.reset();
    std::filesystem::remove_all(fresh_dir);
    const std::uint64_t grown_records = ledger->head().size;
    const double grown_seconds = plan.append(*ledger, window, batch, pipeline, nullptr);
    const double grown_settle_ms = settle(*ledger);
    report(args.text("name", "append") + "_pairs",
           {{"early_records", fresh_records},
            {"early_tx_per_s", fresh_progress.rate(early, window)},
            {"early_settle_ms", early_settle_ms},
            {"grown_records", grown_records},
            {"grown_tx_per_s", static_cast<double>(window) / grown_seconds},
            {"grown_settle_ms", grown_settle_ms}});
  }

  ledger.reset();
  json::Json figures{{"tx_per_s", static_cast<double>(transfers) / seconds},
                     {"seconds", seconds},
                     {"transfers", transfers},
                     {"batch", batch},
                     {"pipeline", pipeline},
                     {"records", records},
                     {"disk_bytes_per_record", static_cast<double>(directory_bytes(dir)) / static_cast<double>(records)},
                     {"peak_rss_bytes", peak_rss_bytes_self()},
                     {"cores_busy", progress.process_cpu_seconds / seconds}};
  if (pipeline) figures["commit_cpu_us_per_tx"] = 1e6 * progress.commit_cpu_seconds / static_cast<double>(progress.commit_cpu_transfers);
  if (const std::string marks = args.text("marks", ""); !marks.empty()) {
    std::string text;
    for (const auto& [count, at] : progress.marks) text += std::to_string(count) + " " + std::to_string(at) + "\n";
    write_private(marks, text);
  }
  if (early > 0) {
    figures["early_records"] = records_before + early;
    figures["early_tx_per_s"] = progress.rate(early, window);
    figures["end_tx_per_s"] = progress.rate(transfers, window);
  }
  report(args.text("name", "append"), figures);
  return 0;
}

}  // namespace ecoledger::bench
