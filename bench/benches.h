// The subcommands of ecoledger_bench. Each prints one report line (see
// bench_util.h) and returns the process exit code.
#pragma once

#include "bench/bench_util.h"

namespace ecoledger::bench {

int run_ceiling(const Args& args);   // --dir D [--ms M] [--syncs N] [--name NAME]
int run_append(const Args& args);    // --dir D [--transfers N] [--accounts A] [--batch B] [--early E --window W] [--name N]
int run_replay(const Args& args);    // --cli PATH --records FILE [--no-sigs]
int run_proofs(const Args& args);    // --dir D [--samples K]
int run_compact(const Args& args);   // --dir D
int run_http_write(const Args& args);  // --port P [--accounts A] [--transfers N] [--connections C] [--tag T]
int run_table(const Args& args);     // --results FILE

}  // namespace ecoledger::bench
