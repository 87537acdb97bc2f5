// The subcommands of ecoledger_bench. Each prints one report line (see
// bench_util.h) and returns the process exit code.
#pragma once

#include "bench/bench_util.h"

namespace ecoledger::bench {

int run_ceiling(const Args& args);   // --dir D [--ms M] [--syncs N]
int run_append(const Args& args);    // --dir D [--transfers N] [--accounts A] [--batch B]
int run_replay(const Args& args);    // --cli PATH --records FILE [--no-sigs]
int run_proofs(const Args& args);    // --dir D [--samples K]

}  // namespace ecoledger::bench
