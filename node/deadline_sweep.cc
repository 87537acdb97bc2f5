#include "node/deadline_sweep.h"

#include <algorithm>
#include <chrono>

#include "base/check.h"

namespace ecoledger::node {

std::int64_t steady_now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

DeadlineSweep::DeadlineSweep(boost::asio::io_context& io, std::int64_t shortest_timeout_ms)
    : timer_(io), interval_ms_(std::clamp<std::int64_t>(shortest_timeout_ms / 4, 1, sweep_interval_ms_max)) {
  ECOLEDGER_CHECK(shortest_timeout_ms > 0);
}

void DeadlineSweep::start() { schedule(); }

void DeadlineSweep::add(std::weak_ptr<Expirable> connection) {
  std::lock_guard lock(mutex_);
  connections_.push_back(std::move(connection));
}

void DeadlineSweep::schedule() {
  timer_.expires_after(std::chrono::milliseconds(interval_ms_));
  timer_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
    if (ec) return;
    self->sweep();
    self->schedule();
  });
}

void DeadlineSweep::sweep() {
  const std::int64_t now = steady_now_ms();
  std::vector<std::shared_ptr<Expirable>> due;
  {
    std::lock_guard lock(mutex_);
    // Connections that ended are dropped here, in place.
    std::erase_if(connections_, [&](const std::weak_ptr<Expirable>& weak) {
      auto connection = weak.lock();
      if (!connection) return true;
      if (connection->deadline.due(now)) due.push_back(std::move(connection));
      return false;
    });
  }
  for (auto& connection : due) connection->expire();
}

}  // namespace ecoledger::node
