// Thread names that top -H, perf (--sort comm) and gdb show, so a profile
// of ecoledgerd says which of its threads (I/O, preparer, committer,
// signature workers) spends the time. Linux keeps at most 15 bytes of a
// name; a longer one is cut there.
#pragma once

#include <pthread.h>

#include <cstddef>
#include <string>
#include <string_view>
#include <thread>
#include <utility>

namespace ecoledger {

inline constexpr std::size_t thread_name_bytes_max = 15;

inline void name_this_thread(std::string_view name) {
  const std::string kept(name.substr(0, thread_name_bytes_max));
  pthread_setname_np(pthread_self(), kept.c_str());
}

// A thread that takes the name, then runs body.
template <typename Body>
std::thread start_named_thread(std::string name, Body&& body) {
  return std::thread([name = std::move(name), body = std::forward<Body>(body)]() mutable {
    name_this_thread(name);
    body();
  });
}

}  // namespace ecoledger
