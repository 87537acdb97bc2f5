// DeadlineSweep: the timeouts of every open connection, checked by one timer.
//
// Beast's tcp_stream arms a timer for every read and write when given a
// timeout: an insert into and a removal from the reactor's timer queue under
// its lock, often a timerfd_settime, and a cancelled wait that completes as
// one more handler. Here a connection only stores the time its current wait
// must end by (Deadline::arm, a clock read and a store), and one timer per
// server looks at every connection each interval and expires those past
// their deadline. A connection is closed between its deadline and one
// interval after it; the interval is a quarter of the shortest timeout, at
// most sweep_interval_ms_max.
//
// Thread-safety: a Deadline is armed on its connection's strand and read by
// the sweep on any thread (an atomic); add() from any thread. Expirable::
// expire() is called from the sweep's timer and must post to the
// connection's strand. Lifetime: the sweep holds connections weakly.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

namespace ecoledger::node {

inline constexpr std::int64_t sweep_interval_ms_max = 100;

// Milliseconds on the steady clock (only differences mean anything).
std::int64_t steady_now_ms();

class Deadline {
 public:
  void arm(std::int64_t timeout_ms) { at_ms_.store(steady_now_ms() + timeout_ms, std::memory_order_relaxed); }
  void disarm() { at_ms_.store(none, std::memory_order_relaxed); }
  bool due(std::int64_t now_ms) const {
    std::int64_t at = at_ms_.load(std::memory_order_relaxed);
    return at != none && at <= now_ms;
  }

 private:
  static constexpr std::int64_t none = 0;
  std::atomic<std::int64_t> at_ms_{none};
};

// What the sweep knows of a connection.
class Expirable {
 public:
  virtual ~Expirable() = default;
  Deadline deadline;
  // The deadline was found past: re-check it on the connection's strand and,
  // if it still is, close the connection.
  virtual void expire() = 0;
};

class DeadlineSweep : public std::enable_shared_from_this<DeadlineSweep> {
 public:
  // REQUIRES: shortest_timeout_ms > 0.
  DeadlineSweep(boost::asio::io_context& io, std::int64_t shortest_timeout_ms);
  std::int64_t interval_ms() const { return interval_ms_; }
  void start();
  void add(std::weak_ptr<Expirable> connection);

 private:
  void schedule();
  void sweep();

  boost::asio::steady_timer timer_;
  const std::int64_t interval_ms_;
  std::mutex mutex_;
  std::vector<std::weak_ptr<Expirable>> connections_;  // guarded by mutex_
};

}  // namespace ecoledger::node
