#include <doctest/doctest.h>

#include <pthread.h>

#include <array>
#include <atomic>
#include <latch>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "base/parallel.h"
#include "base/thread_name.h"

namespace {
std::string this_thread_name() {
  char name[64] = {};
  REQUIRE(pthread_getname_np(pthread_self(), name, sizeof name) == 0);
  return name;
}
}  // namespace

TEST_CASE("start_named_thread, name_this_thread: the name top -H and perf show; cut at 15 bytes, as Linux keeps") {
  std::string short_name, long_name;
  ecoledger::start_named_thread("el-commit", [&] {
    short_name = this_thread_name();
    ecoledger::name_this_thread("el-a-name-longer-than-fifteen");
    long_name = this_thread_name();
  }).join();
  CHECK(short_name == "el-commit");
  CHECK(long_name == "el-a-name-longe");
  CHECK(long_name.size() == ecoledger::thread_name_bytes_max);
}

TEST_CASE("parallel_for_index: every index once; the caller is worker 0, the started workers are named") {
  constexpr std::size_t count = 1000;
  std::vector<std::atomic<int>> visits(count);
  std::mutex mutex;
  std::set<std::string> worker_names;  // of workers other than 0
  std::set<unsigned> workers_seen;
  const std::string caller = this_thread_name();
  // Each worker's first item waits for the other two, so all three take
  // part and the name checks below cannot pass for want of a started worker.
  std::latch all_started(3);
  std::array<std::atomic<bool>, 3> arrived{};
  ecoledger::parallel_for_index(count, 3, [&](unsigned worker, std::size_t i) {
    if (worker < arrived.size() && !arrived[worker].exchange(true)) all_started.arrive_and_wait();
    ++visits[i];
    std::lock_guard lock(mutex);
    workers_seen.insert(worker);
    if (worker == 0) CHECK(this_thread_name() == caller);
    else worker_names.insert(this_thread_name());
  });
  for (std::size_t i = 0; i < count; ++i) CHECK(visits[i].load() == 1);
  CHECK(*workers_seen.rbegin() < 3);
  CHECK(workers_seen.size() == 3);
  for (const auto& name : worker_names) CHECK(name == "el-worker");

  // Fewer items than threads start no thread for nothing: two items, two workers at most.
  std::set<unsigned> few;
  ecoledger::parallel_for_index(2, 8, [&](unsigned worker, std::size_t) {
    std::lock_guard lock(mutex);
    few.insert(worker);
  });
  CHECK(*few.rbegin() <= 1);
}
