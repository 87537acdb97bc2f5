#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <latch>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "base/shared_loop.h"

using ecoledger::SharedLoop;

TEST_CASE("SharedLoop without a helper: every index once, on the owner's threads only") {
  constexpr std::size_t count = 500;
  int offers = 0;
  SharedLoop loop([&] { ++offers; });
  CHECK_FALSE(loop.has_items());
  CHECK_FALSE(loop.help());  // no run: nothing to take
  std::vector<std::atomic<int>> visits(count);
  std::mutex mutex;
  std::set<unsigned> workers;
  // Three threads in all, one of them left to a helper that never comes.
  loop.run(count, 3, [&](unsigned worker, std::size_t i) {
    ++visits[i];
    std::lock_guard lock(mutex);
    workers.insert(worker);
  });
  for (std::size_t i = 0; i < count; ++i) CHECK(visits[i].load() == 1);
  CHECK(*workers.rbegin() <= 1);  // workers 0 and 1 are the owner's; 2 would be the helper
  CHECK(SharedLoop::workers_for(3) == 3);
  CHECK(offers == 1);
  CHECK_FALSE(loop.has_items());
  CHECK_FALSE(loop.help());  // the run is over

  // An empty run offers nothing and calls nothing.
  loop.run(0, 2, [&](unsigned, std::size_t) { FAIL("no item to run"); });
  CHECK(offers == 1);
}

TEST_CASE("SharedLoop with a helper: it joins as the last worker, every index once, run() returns after its items") {
  constexpr std::size_t count = 200;
  std::vector<std::atomic<int>> visits(count);
  std::atomic<std::size_t> finished{0};
  std::atomic<bool> offered{false};
  SharedLoop loop([&] { offered = true; });
  // The owner's first item waits until the helper has run one, so the
  // helper surely takes part (there are items enough left for it).
  std::latch helper_ran(1);
  std::atomic<bool> owner_waited{false}, helper_counted{false};
  std::set<unsigned> workers;
  std::mutex mutex;
  std::thread owner([&] {
    // One thread: the owner's, and a helper's place beside it.
    CHECK(SharedLoop::workers_for(1) == 2);
    loop.run(count, 1, [&](unsigned worker, std::size_t i) {
      if (worker == 0 && !owner_waited.exchange(true)) helper_ran.wait();
      {
        std::lock_guard lock(mutex);
        workers.insert(worker);
      }
      ++visits[i];
      if (worker == 1) {
        if (!helper_counted.exchange(true)) helper_ran.count_down();
        // The helper is slow, so the owner runs out of items while the
        // helper is still inside one: run() must wait for it.
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
      }
      ++finished;
    });
    // Every item, the helper's included, has finished before run() returns.
    CHECK(finished.load() == count);
  });
  while (!offered) std::this_thread::yield();
  bool helped = false;
  while (!helped) helped = loop.help();  // the run may have every item claimed only after the owner's wait
  owner.join();
  CHECK(helped);
  for (std::size_t i = 0; i < count; ++i) CHECK(visits[i].load() == 1);
  CHECK(workers == std::set<unsigned>{0, 1});
}

TEST_CASE("SharedLoop: one helper at a time; a second one is refused while the first is in") {
  SharedLoop loop;
  std::latch helper_in(1), second_refused(1);
  std::atomic<bool> owner_waited{false}, helper_waited{false};
  std::atomic<int> ran{0};
  std::thread owner([&] {
    loop.run(8, 1, [&](unsigned worker, std::size_t) {
      // Both the owner and the first helper hold an item until the second
      // helper has been refused, so items remain claimable meanwhile.
      if (worker == 0 && !owner_waited.exchange(true)) second_refused.wait();
      if (worker == 1 && !helper_waited.exchange(true)) {
        helper_in.count_down();
        second_refused.wait();
      }
      ++ran;
    });
  });
  std::thread first([&] {
    while (!loop.help()) std::this_thread::yield();
  });
  helper_in.wait();
  CHECK(loop.has_items());  // 8 items, at most 2 claimed
  CHECK_FALSE(loop.help());  // a second helper
  second_refused.count_down();
  first.join();
  owner.join();
  CHECK(ran.load() == 8);
}

TEST_CASE("SharedLoop::help_until: a waiter helps each run that starts meanwhile and returns once ready") {
  std::mutex mutex;
  std::condition_variable wake;
  SharedLoop loop(mutex, wake);
  constexpr std::size_t count = 100;
  std::vector<std::atomic<int>> visits(count);
  std::atomic<bool> helper_took_part{false};
  bool done = false;  // guarded by mutex
  std::thread owner([&] {
    // Two runs, as the auditor's worker makes (parsing, then signatures);
    // each waits for the helper's first item, so the waiter must help both.
    for (int run = 0; run < 2; ++run) {
      std::latch helper_ran(1);
      std::atomic<bool> owner_waited{false}, helper_counted{false};
      loop.run(count, 1, [&](unsigned worker, std::size_t i) {
        if (worker == 0 && !owner_waited.exchange(true)) helper_ran.wait();
        if (worker == 1) {
          helper_took_part = true;
          if (!helper_counted.exchange(true)) helper_ran.count_down();
        }
        ++visits[i];
      });
    }
    std::lock_guard lock(mutex);
    done = true;
    wake.notify_all();
  });
  {
    std::unique_lock lock(mutex);
    loop.help_until(lock, wake, [&] { return done; });
    CHECK(lock.owns_lock());
    CHECK(done);
  }
  owner.join();
  CHECK(helper_took_part.load());
  for (std::size_t i = 0; i < count; ++i) CHECK(visits[i].load() == 2);
}
