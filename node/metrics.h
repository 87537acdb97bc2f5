// Metrics: counters and fixed-bucket histograms rendered in the Prometheus
// text format for GET /metrics. Thread-safety: every method may be called
// from any thread; one mutex guards all of it (updates are a few adds).
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <utility>

namespace ecoledger::node {

class Histogram {
 public:
  static constexpr std::array<double, 12> bounds = {0.0001, 0.0005, 0.001, 0.0025, 0.005, 0.01,
                                                    0.025,  0.05,   0.1,   0.25,   1.0,   5.0};
  void observe(double value);
  void render(std::string& out, const std::string& name, const std::string& labels) const;

 private:
  std::array<std::uint64_t, bounds.size()> counts_{};
  std::uint64_t count_ = 0;
  double sum_ = 0;
};

class Metrics {
 public:
  void request(const std::string& route, unsigned status, double seconds);
  void batch(std::size_t transactions, double sync_seconds);
  // ledger_size is read at render time (it is the store's head).
  std::string render(std::uint64_t ledger_size, std::size_t connections) const;

 private:
  mutable std::mutex mutex_;
  std::map<std::pair<std::string, unsigned>, std::uint64_t> requests_;  // guarded by mutex_
  std::map<std::string, Histogram> latency_;                            // guarded by mutex_
  std::map<std::size_t, std::uint64_t> batch_sizes_;                    // bucket upper bound -> count
  Histogram sync_;                                                      // guarded by mutex_
  std::uint64_t batches_ = 0;
  std::uint64_t transactions_ = 0;
};

}  // namespace ecoledger::node
