// Helpers shared by the benches: argument parsing, clocks, percentiles, and
// the one-line JSON report each bench prints for bench/run to aggregate.
//
// A bench prints exactly one JSON object per run on stdout:
//   {"bench":"append","figures":{"tx_per_s":...,...}}
// bench/run collects those lines, takes medians, and prints the table.
// Thread-safety: plain functions; Args is read-only after construction.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/json.h"
#include "ledger/crypto.h"

namespace ecoledger::bench {

// --name value options after the subcommand; --flag alone means "1".
class Args {
 public:
  Args(int argc, char** argv, int first);
  std::optional<std::string> option(const std::string& name) const;
  std::uint64_t u64(const std::string& name, std::uint64_t fallback) const;
  bool flag(const std::string& name) const { return options_.contains(name); }
  std::string text(const std::string& name, const std::string& fallback) const { return option(name).value_or(fallback); }

 private:
  std::map<std::string, std::string> options_;
};

inline double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// The q-quantile (0..1) of samples by nearest rank. REQUIRES: samples non-empty.
double quantile(std::vector<double> samples, double q);

// Peak resident set of this process, bytes (getrusage ru_maxrss).
std::uint64_t peak_rss_bytes_self();
// CPU time this process has used so far, user and system, seconds.
double cpu_seconds_self();

// The bench population: account i is named a%06zu and signs with an Ed25519
// key derived from a fixed seed and i, so the append bench, the HTTP load
// client and the PostgreSQL peer sign for the same accounts without sharing
// key files.
inline constexpr std::size_t bench_accounts_max = 1'000'000;
std::string bench_account_name(std::size_t i);
crypto::PrivateKey bench_account_key(std::size_t i);
// Units issued to each account (one lot, serial PRT-<name>) before any transfer.
inline constexpr std::int64_t bench_lot_units = 1'000'000;

// Runs make(i) for i in [0, n) on every core; results in order.
std::vector<std::string> build_parallel(std::size_t n, const std::function<std::string(std::size_t)>& make);

// The 1-minute load average (/proc/loadavg), -1 when unreadable: every
// report carries it, as other work on the machine disturbs the figures.
double load_average_1min();

// Prints {"bench":name,"figures":figures+{"load1"}} and a newline on stdout.
void report(const std::string& name, const json::Json& figures);

// Exits with a message on stderr: benches stop at the first setup error.
[[noreturn]] void die(const std::string& message);

}  // namespace ecoledger::bench
