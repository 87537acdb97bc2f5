// proofs: latency of inclusion and consistency proofs (as the node answers
// them: path and roots read from the store, JSON built) on the ledger in
// --dir, each at its own random position against the full size. p50 and
// p99 in µs.
#include <random>

#include "bench/bench_util.h"
#include "bench/benches.h"
#include "ledger/ledger.h"

namespace ecoledger::bench {

inline constexpr std::size_t proof_samples_max = 1'000'000;

int run_proofs(const Args& args) {
  const std::string dir = args.text("dir", "");
  const std::size_t samples = std::min<std::size_t>(args.u64("samples", 20'000), proof_samples_max);
  auto opened = ledger::Ledger::open(dir);
  if (!opened) die("open: " + opened.error().message);
  const ledger::Ledger& ledger = **opened;
  const std::uint64_t size = ledger.head().size;
  if (size < 2) die("the ledger needs at least 2 records");
  std::mt19937_64 random(7);
  std::uniform_int_distribution<std::uint64_t> position(0, size - 2);
  std::vector<double> inclusion_us, consistency_us;
  for (std::size_t i = 0; i < samples; ++i) {
    std::uint64_t seq = position(random);
    auto start = std::chrono::steady_clock::now();
    auto proof = ledger.inclusion_proof(seq, size);
    inclusion_us.push_back(seconds_since(start) * 1e6);
    if (!proof) die("inclusion proof: " + proof.error().message);
    // A position of its own: at the inclusion proof's, the consistency proof
    // would find the nodes it needs already in the block cache.
    const std::uint64_t from = position(random) + 1;
    start = std::chrono::steady_clock::now();
    auto consistency = ledger.consistency_proof(from, size);
    consistency_us.push_back(seconds_since(start) * 1e6);
    if (!consistency) die("consistency proof: " + consistency.error().message);
  }
  report("proofs", {{"records", size},
                    {"inclusion_p50_us", quantile(inclusion_us, 0.5)},
                    {"inclusion_p99_us", quantile(inclusion_us, 0.99)},
                    {"consistency_p50_us", quantile(consistency_us, 0.5)},
                    {"consistency_p99_us", quantile(consistency_us, 0.99)}});
  return 0;
}

}  // namespace ecoledger::bench
