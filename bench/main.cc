// ecoledger_bench: microbenchmarks against the machine's ceilings.
// Usage: ecoledger_bench ceiling|append|replay|proofs|compact|http-write|table [--options]
// bench/run drives it; see bench/RESULTS.md for the latest figures.
#include <cstdio>
#include <string>

#include "bench/benches.h"

int main(int argc, char** argv) {
  using namespace ecoledger::bench;
  if (argc < 2) {
    std::fprintf(stderr, "usage: ecoledger_bench ceiling|append|replay|proofs|compact|http-write|table [--options]\n");
    return 2;
  }
  std::string command = argv[1];
  Args args(argc, argv, 2);
  if (command == "ceiling") return run_ceiling(args);
  if (command == "append") return run_append(args);
  if (command == "replay") return run_replay(args);
  if (command == "proofs") return run_proofs(args);
  if (command == "compact") return run_compact(args);
  if (command == "http-write") return run_http_write(args);
  if (command == "table") return run_table(args);
  std::fprintf(stderr, "ecoledger_bench: unknown bench %s\n", command.c_str());
  return 2;
}
