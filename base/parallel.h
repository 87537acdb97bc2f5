// parallel_for_index: runs body(worker, i) for every i in [0, count) on
// `threads` threads (the caller's thread is worker 0) and returns after
// joining them. Workers claim indexes one at a time, so uneven items (a
// transaction with three signatures beside one with one) balance out.
// body must be safe to call concurrently for different i; a worker index lets
// it keep per-worker results without a lock.
#pragma once

#include <atomic>
#include <cstddef>
#include <thread>
#include <vector>

#include "base/check.h"
#include "base/thread_name.h"

namespace ecoledger {

// Runs body(worker, i) for the indexes claimed from `next` until it reaches
// count: one worker's part of a loop whose workers share the counter.
template <typename Body>
void claim_indexes(std::atomic<std::size_t>& next, std::size_t count, unsigned worker, Body& body) {
  for (std::size_t i = next++; i < count; i = next++) body(worker, i);
}

// Runs body(worker, i) for the indexes claimed from `next` (each once) until
// it reaches count, on workers 0 .. threads - 1: the caller's thread is worker
// 0, the others are started here and joined. Other threads may claim from the
// same counter meanwhile (SharedLoop's helper).
template <typename Body>
void claim_indexes_on_threads(std::atomic<std::size_t>& next, std::size_t count, unsigned threads, Body& body) {
  ECOLEDGER_CHECK(threads >= 1);
  // No thread is worth starting for fewer items than threads.
  if (threads > count) threads = count == 0 ? 1 : static_cast<unsigned>(count);
  auto work = [&](unsigned worker) { claim_indexes(next, count, worker, body); };
  std::vector<std::thread> workers;
  workers.reserve(threads - 1);
  for (unsigned w = 1; w < threads; ++w) workers.push_back(start_named_thread("el-worker", [&work, w] { work(w); }));
  work(0);
  for (auto& w : workers) w.join();
}

template <typename Body>
void parallel_for_index(std::size_t count, unsigned threads, Body&& body) {
  std::atomic<std::size_t> next{0};
  claim_indexes_on_threads(next, count, threads, body);
}

}  // namespace ecoledger
