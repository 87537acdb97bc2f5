// name_this_thread: gives the calling thread a name that top -H, perf
// (--sort comm) and gdb show, so a profile of ecoledgerd says which of its
// threads (I/O, preparer, committer, signature workers) spends the time.
// Linux keeps at most 15 bytes of it; a longer name is cut there.
#pragma once

#include <pthread.h>

#include <cstddef>
#include <string>
#include <string_view>

namespace ecoledger {

inline constexpr std::size_t thread_name_bytes_max = 15;

inline void name_this_thread(std::string_view name) {
  const std::string kept(name.substr(0, thread_name_bytes_max));
  pthread_setname_np(pthread_self(), kept.c_str());
}

}  // namespace ecoledger
