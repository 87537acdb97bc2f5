#include "bench/bench_util.h"

#include <sys/resource.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "base/check.h"

namespace ecoledger::bench {

Args::Args(int argc, char** argv, int first) {
  for (int i = first; i < argc; ++i) {
    std::string arg = argv[i];
    if (!arg.starts_with("--")) die("unexpected argument " + arg);
    std::string name = arg.substr(2);
    if (i + 1 < argc && !std::string(argv[i + 1]).starts_with("--")) options_[name] = argv[++i];
    else options_[name] = "1";
  }
}

std::optional<std::string> Args::option(const std::string& name) const {
  auto it = options_.find(name);
  if (it == options_.end()) return std::nullopt;
  return it->second;
}

std::uint64_t Args::u64(const std::string& name, std::uint64_t fallback) const {
  auto text = option(name);
  if (!text) return fallback;
  std::uint64_t v = 0;
  auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), v);
  if (ec != std::errc() || end != text->data() + text->size()) die("--" + name + " must be a non-negative integer");
  return v;
}

double quantile(std::vector<double> samples, double q) {
  ECOLEDGER_CHECK(!samples.empty() && q >= 0 && q <= 1);
  std::sort(samples.begin(), samples.end());
  auto rank = static_cast<std::size_t>(std::ceil(q * static_cast<double>(samples.size())));
  return samples[rank == 0 ? 0 : rank - 1];
}

std::uint64_t peak_rss_bytes_self() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<std::uint64_t>(usage.ru_maxrss) * 1024;  // Linux reports KiB
}

void report(const std::string& name, const json::Json& figures) {
  std::string line = json::Json{{"bench", name}, {"figures", figures}}.dump();
  std::printf("%s\n", line.c_str());
  std::fflush(stdout);
}

void die(const std::string& message) {
  std::fprintf(stderr, "ecoledger_bench: %s\n", message.c_str());
  std::exit(2);
}

}  // namespace ecoledger::bench
