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
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/json.h"

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

// Prints {"bench":name,"figures":figures} and a newline on stdout.
void report(const std::string& name, const json::Json& figures);

// Exits with a message on stderr: benches stop at the first setup error.
[[noreturn]] void die(const std::string& message);

}  // namespace ecoledger::bench
