// SharedLoop: a parallel loop run by one thread (the owner) that one other
// thread (the helper) may join while it runs, claiming items as the owner's
// workers do.
//
// Why: on two cores the node's preparer verified each batch's signatures on
// two threads while the committer applied the batch before on a third, so the
// preparer finished early and waited for the hand-off, then the committer
// alone kept one core busy (`ecoledger_bench append`: 1.72-1.75 cores of 2).
// Now the preparer keeps one thread fewer than there are cores, and the
// committer, when it finds no prepared batch waiting, helps verify the batch
// being prepared instead of sleeping (bench/RESULTS.md, 2026-12-06 night).
//
// Thread-safety: run() from one thread at a time; has_items() and help()
// from any thread. At most one helper takes part in a run at once.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <mutex>

namespace ecoledger {

class SharedLoop {
 public:
  using Body = std::function<void(unsigned worker, std::size_t i)>;

  // on_offer runs on the owner's thread, holding no lock of the loop, each
  // time a run begins: a would-be helper asleep on a condition of its own
  // can be woken there.
  explicit SharedLoop(std::function<void()> on_offer = {}) : on_offer_(std::move(on_offer)) {}
  // A loop whose run's start notifies `wake` under `wake_mutex`: for a helper
  // that waits with help_until() on that pair. Both must outlive the loop.
  SharedLoop(std::mutex& wake_mutex, std::condition_variable& wake)
      : SharedLoop([&wake_mutex, &wake] {
          std::lock_guard lock(wake_mutex);
          wake.notify_all();
        }) {}
  SharedLoop(const SharedLoop&) = delete;
  SharedLoop& operator=(const SharedLoop&) = delete;

  // The workers a run on `threads` threads has: the owner's and the helper's
  // together, and at least those two. Worker indexes are below this.
  static unsigned workers_for(unsigned threads) { return threads < 2 ? 2 : threads; }

  // Runs body(worker, i) once for every i in [0, count) on `threads` threads
  // in all, one of them left to the helper: this thread is worker 0, threads
  // started here are workers 1 .. workers_for(threads) - 2, and a thread
  // calling help() meanwhile is worker workers_for(threads) - 1. Returns once
  // every call of body has returned.
  // REQUIRES: threads >= 1; no other run() on this loop at the same time.
  void run(std::size_t count, unsigned threads, const Body& body);

  // True while a run has items that no worker has claimed yet.
  bool has_items() const;
  // Claims and runs items of the current run until none is left. False when
  // there was nothing to take (no run, every item claimed, or another helper
  // already in).
  bool help();
  // Waits on wake (lock held, as cv.wait does) until ready() holds, helping
  // every run that offers items meanwhile; returns with lock held. ready()
  // is evaluated under lock, and whoever makes it true notifies wake under
  // the same mutex. REQUIRES: the loop was built on (lock's mutex, wake).
  template <typename Ready>
  void help_until(std::unique_lock<std::mutex>& lock, std::condition_variable& wake, Ready ready) {
    for (;;) {
      wake.wait(lock, [&] { return ready() || has_items(); });
      if (ready()) return;
      lock.unlock();
      help();
      lock.lock();
    }
  }

 private:
  std::function<void()> on_offer_;
  mutable std::mutex mutex_;
  std::condition_variable helper_left_;
  const Body* body_ = nullptr;     // guarded by mutex_: set while a run takes helpers
  std::size_t count_ = 0;          // guarded by mutex_
  unsigned helper_worker_ = 0;     // guarded by mutex_
  bool helping_ = false;           // guarded by mutex_
  std::atomic<std::size_t> next_{0};  // the next index to claim
};

}  // namespace ecoledger
