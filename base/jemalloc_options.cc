// jemalloc's options for every ecoledger executable linked with it
// (ecoledger::allocator in CMakeLists.txt). jemalloc reads this symbol once,
// when it starts; MALLOC_CONF in the environment still overrides it.
//
// Two arenas, not jemalloc's default of four per core: each arena keeps what
// was freed in it, and with the auditor's chunk workers the default's eight
// arenas cost about 4 MiB of its 64 MiB bound (peak RSS of `audit --no-sigs`
// on 220,001 records: 53.6 MiB with eight, 49.4 MiB with two, no slower;
// bench/RESULTS.md, "jemalloc"). The threads that allocate most (the
// committer, the preparers, RocksDB's) share them through jemalloc's
// per-thread caches.
//
// The CLI (ECOLEDGER_JEMALLOC_AUDITOR, set in cli/CMakeLists.txt) also hands
// freed pages back after one second instead of ten: the auditor frees and
// allocates a chunk's documents over and over, and pages freed but kept
// were what the RSS of `audit` of 300,001 records peaked with: 57.0-57.7 MiB
// against 59.7-61.3 with the default, no slower (3 interleaved pairs;
// bench/RESULTS.md). The node keeps the default: `ecoledger_bench append`
// was 3-7% slower with it in 2 pairs.
extern "C" {
#ifdef ECOLEDGER_JEMALLOC_AUDITOR
// NOLINTNEXTLINE(cppcoreguidelines-avoid-non-const-global-variables): jemalloc's interface.
const char* malloc_conf = "narenas:2,dirty_decay_ms:1000";
#else
// NOLINTNEXTLINE(cppcoreguidelines-avoid-non-const-global-variables): jemalloc's interface.
const char* malloc_conf = "narenas:2";
#endif
}
