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
extern "C" {
// NOLINTNEXTLINE(cppcoreguidelines-avoid-non-const-global-variables): jemalloc's interface.
const char* malloc_conf = "narenas:2";
}
