#include "bench/bench_util.h"

#include <sys/resource.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <thread>

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

double cpu_seconds_self() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

std::string bench_account_name(std::size_t i) {
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "a%06zu", i);
  return buffer;
}

crypto::PrivateKey bench_account_key(std::size_t i) {
  // PKCS#8 wrapping of a raw Ed25519 seed (RFC 8410): a fixed 16-byte prefix.
  static constexpr unsigned char pkcs8_prefix[] = {0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06,
                                                   0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20};
  crypto::Hash seed = crypto::sha256("ecoledger-bench-account-" + std::to_string(i));
  std::string der(reinterpret_cast<const char*>(pkcs8_prefix), sizeof pkcs8_prefix);
  der.append(reinterpret_cast<const char*>(seed.data()), seed.size());
  auto key = crypto::PrivateKey::from_pem("-----BEGIN PRIVATE KEY-----\n" + crypto::base64_encode(der) + "\n-----END PRIVATE KEY-----\n");
  if (!key) die("cannot derive a bench key: " + key.error().message);
  return *key;
}

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

double load_average_1min() {
  double load = -1;
  if (FILE* f = std::fopen("/proc/loadavg", "r")) {
    if (std::fscanf(f, "%lf", &load) != 1) load = -1;
    std::fclose(f);
  }
  return load;
}

void report(const std::string& name, const json::Json& figures) {
  json::Json with_load = figures;
  with_load["load1"] = load_average_1min();
  std::string line = json::Json{{"bench", name}, {"figures", with_load}}.dump();
  std::printf("%s\n", line.c_str());
  std::fflush(stdout);
}

void die(const std::string& message) {
  std::fprintf(stderr, "ecoledger_bench: %s\n", message.c_str());
  std::exit(2);
}

}  // namespace ecoledger::bench
