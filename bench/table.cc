// table: the Markdown table bench/run prints, from the report lines of every
// run of every bench (one JSON object a line, see bench_util.h). Each figure
// is the median of its runs with the min and max beside it; the ratio is of
// medians; "met" compares the median with the target. A ratio's peer
// is measured in turn with the figure, run by run (bench/run): the append
// runs beside the ceiling's, a ceiling beside each replay, an append beside
// each http-write. Results without those paired runs (an older bench/run)
// fall back to the peer measured on its own.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <map>
#include <string_view>

#include "bench/bench_util.h"
#include "bench/benches.h"

namespace ecoledger::bench {
namespace {

struct Stats {
  double median = 0, min = 0, max = 0;
  std::size_t runs = 0;
};

using Results = std::map<std::string, std::vector<json::Json>>;  // bench -> figures of each run

// The runs' values of `key` in `bench`, in the order they ran.
std::vector<double> values_of(const Results& results, const std::string& bench, const std::string& key) {
  std::vector<double> values;
  auto it = results.find(bench);
  if (it == results.end()) return values;
  for (const auto& figures : it->second)
    if (figures.contains(key) && figures[key].is_number()) values.push_back(figures[key].get<double>());
  return values;
}

std::optional<Stats> stats_of(std::vector<double> values) {
  if (values.empty()) return std::nullopt;
  std::sort(values.begin(), values.end());
  std::size_t n = values.size();
  double median = n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
  return Stats{median, values.front(), values.back(), n};
}

std::optional<Stats> stats(const Results& results, const std::string& bench, const std::string& key) {
  return stats_of(values_of(results, bench, key));
}

// The ratios bench/run measures in turn since b141c6a: the figure's bench,
// the peer's bench run beside it, and the bench that measured that peer on
// its own before (empty where the peer kept its name). peer-postgres runs on
// its own.
struct Pairing {
  std::string_view figure, peer, unpaired;
};
inline constexpr Pairing pairings[] = {
    {"append", "ceiling", ""},
    {"replay", "ceiling_replay", "ceiling"},
    {"http_write", "append_write", "append"},
};

// Whether `figure`'s runs and `peer`'s ran in turn, one of each after the
// other: growth's pairs (both in one report), or a pairing above in results
// from a bench/run that makes it. A peer that kept its name says nothing by
// itself; a renamed one present says the run paired them all.
bool ran_in_turn(const Results& results, const std::string& figure, const std::string& peer) {
  if (figure == peer) return figure == "growth_pairs";
  auto renamed_present = [&](const Pairing& p) { return !p.unpaired.empty() && results.contains(std::string(p.peer)); };
  for (const Pairing& p : pairings)
    if (p.figure == figure && p.peer == peer)
      return p.unpaired.empty() ? std::any_of(std::begin(pairings), std::end(pairings), renamed_present) : renamed_present(p);
  return false;
}

// The bench that measured a paired peer on its own, for results from before
// the pairing; empty for the rest.
std::string unpaired_bench(const std::string& peer) {
  for (const Pairing& p : pairings)
    if (p.peer == peer) return std::string(p.unpaired);
  return "";
}

// The ratio of each run to the peer's run beside it, when the two ran in turn
// (as many runs of each, more than one): how much of a ratio's spread is the
// machine's and how much the bench's.
std::optional<Stats> pair_ratios(const std::vector<double>& figure, const std::vector<double>& peer) {
  if (figure.size() != peer.size() || figure.size() < 2) return std::nullopt;
  std::vector<double> ratios;
  for (std::size_t i = 0; i < figure.size(); ++i)
    if (peer[i] > 0) ratios.push_back(figure[i] / peer[i]);
  if (ratios.size() != figure.size()) return std::nullopt;
  return stats_of(std::move(ratios));
}

std::string number(double v) {
  char buffer[64];
  if (std::fabs(v) >= 1e9) std::snprintf(buffer, sizeof buffer, "%.2fe9", v / 1e9);
  else if (std::fabs(v) >= 100) {
    // Thousands separated, no decimals.
    std::string digits = std::to_string(static_cast<long long>(std::llround(v)));
    std::string out;
    for (std::size_t i = 0; i < digits.size(); ++i) {
      if (i > 0 && (digits.size() - i) % 3 == 0) out.push_back(',');
      out.push_back(digits[i]);
    }
    return out;
  } else if (std::fabs(v) >= 10) std::snprintf(buffer, sizeof buffer, "%.1f", v);
  else std::snprintf(buffer, sizeof buffer, "%.3g", v);
  return buffer;
}

std::string cell(const Stats& s, double scale) {
  if (s.runs == 1) return number(s.median * scale) + " (1 run)";
  return number(s.median * scale) + " (" + number(s.min * scale) + "–" + number(s.max * scale) + ", " + std::to_string(s.runs) + " runs)";
}

// A figure used in a row's label: by default its median, or another of its
// statistics (the min: where a series of runs began).
std::string size_of(const Results& results, const std::string& bench, const std::string& key, double Stats::*pick = &Stats::median) {
  auto s = stats(results, bench, key);
  return s ? number((*s).*pick) : "?";
}

std::string load_of(const Results& results, const std::string& bench) {
  auto s = stats(results, bench, "load1");
  if (!s) return "";
  return s->min == s->max ? number(s->min) : number(s->min) + "–" + number(s->max);
}

// A row: the figure (median of `key` in `bench`, times scale) and, when
// `against` is set, its ratio to that other median; the target is checked
// on the ratio when there is one, else on the figure.
struct Row {
  std::string name, figure, bench, key;
  double scale = 1;
  std::optional<std::pair<std::string, std::string>> against;  // (bench, key)
  std::string against_label;
  enum class Want { none, at_least, at_most } want = Want::none;
  double target = 0;
  std::string target_label;
};

}  // namespace

int run_table(const Args& args) {
  const std::string path = args.text("results", "");
  if (path.empty()) die("table needs --results FILE");
  std::ifstream in(path);
  if (!in) die("cannot read " + path);
  Results results;
  std::string line;
  while (std::getline(in, line)) {
    auto doc = json::Json::parse(line, nullptr, false);
    if (doc.is_object() && doc.contains("bench") && doc["bench"].is_string() && doc.contains("figures"))
      results[doc["bench"].get<std::string>()].push_back(doc["figures"]);
  }
  using Want = Row::Want;
  const double mib = 1.0 / (1024 * 1024);
  const std::string growth_end = size_of(results, "growth", "records");
  const std::string growth_early = size_of(results, "growth", "early_records");
  // A figure shown for reference, with no target of its own.
  auto info = [](std::string name, std::string figure, std::string bench, std::string key) {
    Row r;
    r.name = std::move(name);
    r.figure = std::move(figure);
    r.bench = std::move(bench);
    r.key = std::move(key);
    return r;
  };
  // The ceiling is OpenSSL's; ecoledger verifies valid signatures with
  // libsodium, about twice as fast, so its ratio is shown beside, untargeted.
  auto against_libsodium = [&](std::string name, std::string figure, std::string bench, std::string key, std::string ceiling) {
    Row r = info(std::move(name), std::move(figure), std::move(bench), std::move(key));
    r.against = std::pair<std::string, std::string>{std::move(ceiling), "ed25519_libsodium_verify_per_s"};
    r.against_label = "libsodium ceiling";
    r.target_label = "(none: #7's ceiling is OpenSSL's)";
    return r;
  };
  std::vector<Row> rows = {
      info("ceiling", "Ed25519 verifications/s, all cores", "ceiling", "ed25519_verify_per_s"),
      info("ceiling", "Ed25519 verifications/s, one core", "ceiling", "ed25519_verify_per_s_one_core"),
      info("ceiling", "libsodium Ed25519 verifications/s, all cores (ecoledger's verifier for valid signatures)", "ceiling",
           "ed25519_libsodium_verify_per_s"),
      info("ceiling", "SHA-256 bytes/s, one core", "ceiling", "sha256_bytes_per_s"),
      info("ceiling", "fdatasync of 512 B, ms (p50)", "ceiling", "fdatasync_ms"),
      {"append", "signed transfers/s (" + size_of(results, "append", "transfers") + ", durable)", "append", "tx_per_s", 1,
       std::pair<std::string, std::string>{"ceiling", "ed25519_verify_per_s"}, "Ed25519 ceiling", Want::at_least, 0.7, "≥ 0.7 × ceiling"},
      against_libsodium("append", "the same, against libsodium's ceiling", "append", "tx_per_s", "ceiling"),
      {"replay", "records/s, `audit` of " + size_of(results, "replay", "records") + " records", "replay", "records_per_s", 1,
       std::pair<std::string, std::string>{"ceiling_replay", "ed25519_verify_per_s"}, "Ed25519 ceiling", Want::at_least, 0.8, "≥ 0.8 × ceiling"},
      against_libsodium("replay", "the same, against libsodium's ceiling", "replay", "records_per_s", "ceiling_replay"),
      {"replay", "peak RSS of `audit`, MiB", "replay", "peak_rss_bytes", mib, std::nullopt, "", Want::at_most, 64, "≤ 64 MiB"},
      {"replay --no-sigs", "records/s, `audit --no-sigs`", "replay_no_sigs", "records_per_s", 1, std::nullopt, "", Want::at_least, 250000,
       "≥ 250,000/s"},
      {"http-read", "GET /v1/accounts/{id} req/s (wrk, 64 conns)", "http_read", "req_per_s", 1, std::nullopt, "", Want::at_least, 20000,
       "≥ 20,000/s"},
      {"http-read", "p99 latency, ms", "http_read", "p99_ms", 1, std::nullopt, "", Want::at_most, 5, "≤ 5 ms"},
      info("http-read", "read cache off: req/s", "http_read_uncached", "req_per_s"),
      info("http-read", "read cache off: p99 latency, ms", "http_read_uncached", "p99_ms"),
      {"http-write", "signed transfers/s over HTTP (64 conns)", "http_write", "tx_per_s", 1,
       std::pair<std::string, std::string>{"append_write", "tx_per_s"}, "`append`", Want::at_least, 0.5, "≥ 0.5 × append"},
      {"http-write", "p99 latency, ms", "http_write", "p99_ms", 1, std::nullopt, "", Want::at_most, 25, "≤ 25 ms"},
      info("http-write", "the load client's CPU on the same machine, cores", "http_write", "client_cpu_cores"),
      {"proofs", "inclusion proof p99, µs (" + size_of(results, "proofs", "records") + " records)", "proofs", "inclusion_p99_us", 1,
       std::nullopt, "", Want::at_most, 200, "≤ 200 µs"},
      {"proofs", "consistency proof p99, µs", "proofs", "consistency_p99_us", 1, std::nullopt, "", Want::at_most, 200, "≤ 200 µs"},
      info("growth", "transfers/s on a fresh ledger at " + size_of(results, "growth_pairs", "early_records") + " records (pairs)",
           "growth_pairs", "early_tx_per_s"),
      {"growth", "transfers/s on the grown ledger, from " + size_of(results, "growth_pairs", "grown_records", &Stats::min) + " records (pairs)",
       "growth_pairs", "grown_tx_per_s", 1, std::pair<std::string, std::string>{"growth_pairs", "early_tx_per_s"}, "fresh ledger",
       Want::at_least, 0.8, "≥ 0.8 × early rate"},
      info("growth", "one run: transfers/s at " + growth_early + " records", "growth", "early_tx_per_s"),
      {"growth", "one run: transfers/s at " + growth_end + " records", "growth", "end_tx_per_s", 1,
       std::pair<std::string, std::string>{"growth", "early_tx_per_s"}, "rate at " + growth_early, Want::none, 0,
       "(the pairs above decide)"},
      {"footprint", "ecoledgerd peak RSS under http-write, MiB (" + size_of(results, "footprint", "records") + " records)", "footprint",
       "node_peak_rss_bytes", mib, std::nullopt, "", Want::at_most, 256, "≤ 256 MiB"},
      {"footprint", "disk bytes per record after compaction", "compact", "bytes_per_record", 1, std::nullopt, "", Want::at_most, 1024,
       "≤ 1 KiB"},
      info("peer-postgres", "signed transfers/s into PostgreSQL 15 (" + size_of(results, "peer_postgres", "transfers") + ", 64 conns)",
           "peer_postgres", "tx_per_s"),
      {"peer-postgres", "`append` ÷ PostgreSQL", "append", "tx_per_s", 1, std::pair<std::string, std::string>{"peer_postgres", "tx_per_s"},
       "PostgreSQL", Want::at_least, 3, "≥ 3 × PostgreSQL"},
  };

  std::printf("| bench | figure | median (min–max) | ceiling or peer | ratio | target | met | load avg |\n");
  std::printf("|---|---|---|---|---|---|---|---|\n");
  for (const Row& r : rows) {
    auto s = stats(results, r.bench, r.key);
    if (!s) {
      std::printf("| %s | %s | not run | | | %s | not run | |\n", r.name.c_str(), r.figure.c_str(), r.target_label.c_str());
      continue;
    }
    std::string peer_cell, ratio_cell;
    double checked = s->median * r.scale;
    bool have_checked = true;
    if (r.against) {
      auto peer = stats(results, r.against->first, r.against->second);
      const bool in_turn = ran_in_turn(results, r.bench, r.against->first);
      std::string label = r.against_label + (in_turn ? " (runs in turn)" : "");
      if (const std::string unpaired = unpaired_bench(r.against->first); !peer && !unpaired.empty()) {
        peer = stats(results, unpaired, r.against->second);
        label = r.against_label + " (runs of its own)";
      }
      if (peer && peer->median > 0) {
        peer_cell = label + ": " + number(peer->median);
        checked = s->median / peer->median;
        char buffer[96];
        std::snprintf(buffer, sizeof buffer, "%.2f", checked);
        ratio_cell = buffer;
        // The target stays on the ratio of medians; each pair's is shown beside.
        auto pairs = in_turn ? pair_ratios(values_of(results, r.bench, r.key), values_of(results, r.against->first, r.against->second))
                         : std::nullopt;
        if (pairs) {
          std::snprintf(buffer, sizeof buffer, " (pairs %.2f–%.2f)", pairs->min, pairs->max);
          ratio_cell += buffer;
        }
      } else {
        peer_cell = r.against_label + ": not run";
        have_checked = false;
      }
    }
    std::string met;
    if (r.want != Want::none)
      met = !have_checked ? "not run" : (r.want == Want::at_least ? checked >= r.target : checked <= r.target) ? "met" : "**not met**";
    std::printf("| %s | %s | %s | %s | %s | %s | %s | %s |\n", r.name.c_str(), r.figure.c_str(), cell(*s, r.scale).c_str(), peer_cell.c_str(),
                ratio_cell.c_str(), r.target_label.c_str(), met.c_str(), load_of(results, r.bench).c_str());
  }
  return 0;
}

}  // namespace ecoledger::bench
