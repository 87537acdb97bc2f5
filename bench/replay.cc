// replay: `ecoledger audit --records FILE [--no-sigs]` as a child process;
// records per second (wall clock) and the child's peak RSS (getrusage
// RUSAGE_CHILDREN), so the figure is what an auditor running the CLI sees.
#include <sys/resource.h>

#include <cstdio>

#include "bench/bench_util.h"
#include "bench/benches.h"

namespace ecoledger::bench {

inline constexpr std::size_t audit_output_bytes_max = 1 << 16;

int run_replay(const Args& args) {
  auto cli = args.option("cli");
  auto records = args.option("records");
  if (!cli || !records) die("replay needs --cli PATH --records FILE");
  const bool no_sigs = args.flag("no-sigs");
  std::string command = "exec '" + *cli + "' audit --records '" + *records + "'" + (no_sigs ? " --no-sigs" : "");
  auto start = std::chrono::steady_clock::now();
  FILE* out = ::popen(command.c_str(), "r");
  if (out == nullptr) die("cannot run " + command);
  std::string text;
  char buffer[4096];
  while (std::size_t n = std::fread(buffer, 1, sizeof buffer, out)) {
    if (text.size() < audit_output_bytes_max) text.append(buffer, n);
  }
  int status = ::pclose(out);
  double seconds = seconds_since(start);
  auto doc = json::Json::parse(text, nullptr, false);
  if (status != 0 || doc.is_discarded() || !doc.value("ok", false)) die("audit failed: " + text);
  rusage usage{};
  getrusage(RUSAGE_CHILDREN, &usage);
  auto count = doc["records"].get<std::uint64_t>();
  report(no_sigs ? "replay_no_sigs" : "replay", {{"records_per_s", static_cast<double>(count) / seconds},
                                                 {"records", count},
                                                 {"seconds", seconds},
                                                 {"peak_rss_bytes", static_cast<std::uint64_t>(usage.ru_maxrss) * 1024}});
  return 0;
}

}  // namespace ecoledger::bench
