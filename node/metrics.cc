#include "node/metrics.h"

#include <cstdio>

namespace ecoledger::node {
namespace {

std::string number(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.9g", v);
  return buf;
}

constexpr std::array<std::size_t, 8> batch_bounds = {1, 2, 4, 16, 64, 256, 1024, 4096};

}  // namespace

void Histogram::observe(double value) {
  for (std::size_t i = 0; i < bounds.size(); ++i)
    if (value <= bounds[i]) ++counts_[i];
  ++count_;
  sum_ += value;
}

void Histogram::render(std::string& out, const std::string& name, const std::string& labels) const {
  std::string sep = labels.empty() ? "" : ",";
  for (std::size_t i = 0; i < bounds.size(); ++i)
    out += name + "_bucket{" + labels + sep + "le=\"" + number(bounds[i]) + "\"} " + std::to_string(counts_[i]) + "\n";
  out += name + "_bucket{" + labels + sep + "le=\"+Inf\"} " + std::to_string(count_) + "\n";
  std::string braces = labels.empty() ? "" : "{" + labels + "}";
  out += name + "_sum" + braces + " " + number(sum_) + "\n";
  out += name + "_count" + braces + " " + std::to_string(count_) + "\n";
}

void Metrics::request(const std::string& route, unsigned status, double seconds) {
  std::lock_guard lock(mutex_);
  ++requests_[{route, status}];
  latency_[route].observe(seconds);
}

void Metrics::batch(std::size_t transactions, double sync_seconds) {
  std::lock_guard lock(mutex_);
  for (std::size_t b : batch_bounds)
    if (transactions <= b) ++batch_sizes_[b];
  ++batches_;
  transactions_ += transactions;
  sync_.observe(sync_seconds);
}

std::string Metrics::render(std::uint64_t ledger_size, std::size_t connections) const {
  std::lock_guard lock(mutex_);
  std::string out;
  out += "# HELP ecoledger_http_requests_total HTTP requests by route and status.\n";
  out += "# TYPE ecoledger_http_requests_total counter\n";
  for (const auto& [key, n] : requests_)
    out += "ecoledger_http_requests_total{route=\"" + key.first + "\",status=\"" + std::to_string(key.second) + "\"} " +
           std::to_string(n) + "\n";
  out += "# HELP ecoledger_http_request_duration_seconds Time from a request read to its answer.\n";
  out += "# TYPE ecoledger_http_request_duration_seconds histogram\n";
  for (const auto& [route, h] : latency_) h.render(out, "ecoledger_http_request_duration_seconds", "route=\"" + route + "\"");
  out += "# HELP ecoledger_batch_transactions Transactions per group commit.\n";
  out += "# TYPE ecoledger_batch_transactions histogram\n";
  for (std::size_t b : batch_bounds) {
    auto it = batch_sizes_.find(b);
    out += "ecoledger_batch_transactions_bucket{le=\"" + std::to_string(b) + "\"} " +
           std::to_string(it == batch_sizes_.end() ? 0 : it->second) + "\n";
  }
  out += "ecoledger_batch_transactions_bucket{le=\"+Inf\"} " + std::to_string(batches_) + "\n";
  out += "ecoledger_batch_transactions_sum " + std::to_string(transactions_) + "\n";
  out += "ecoledger_batch_transactions_count " + std::to_string(batches_) + "\n";
  out += "# HELP ecoledger_sync_duration_seconds Time of one Ledger::commit (in-order validation and the synced write; signatures are verified before, in Ledger::prepare).\n";
  out += "# TYPE ecoledger_sync_duration_seconds histogram\n";
  sync_.render(out, "ecoledger_sync_duration_seconds", "");
  out += "# HELP ecoledger_ledger_records Records in the ledger.\n";
  out += "# TYPE ecoledger_ledger_records gauge\n";
  out += "ecoledger_ledger_records " + std::to_string(ledger_size) + "\n";
  out += "# HELP ecoledger_http_connections Open connections.\n";
  out += "# TYPE ecoledger_http_connections gauge\n";
  out += "ecoledger_http_connections " + std::to_string(connections) + "\n";
  return out;
}

}  // namespace ecoledger::node
