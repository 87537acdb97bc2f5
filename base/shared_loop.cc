#include "base/shared_loop.h"

#include "base/check.h"
#include "base/parallel.h"

namespace ecoledger {

void SharedLoop::run(std::size_t count, unsigned threads, const Body& body) {
  ECOLEDGER_CHECK(threads >= 1);
  if (count == 0) return;
  const unsigned own_threads = workers_for(threads) - 1;
  {
    std::lock_guard lock(mutex_);
    // A helper of the run before has left (run() waits for it), so the
    // counter is free to reset.
    ECOLEDGER_CHECK(body_ == nullptr && !helping_);
    body_ = &body;
    count_ = count;
    helper_worker_ = own_threads;
    next_ = 0;
  }
  if (on_offer_) on_offer_();
  claim_indexes_on_threads(next_, count, own_threads, body);
  // Every index is claimed; a helper may still be running its last ones,
  // which refer to the caller's data: wait for it before returning.
  std::unique_lock lock(mutex_);
  body_ = nullptr;
  helper_left_.wait(lock, [&] { return !helping_; });
}

bool SharedLoop::has_items() const {
  std::lock_guard lock(mutex_);
  return body_ != nullptr && next_.load() < count_;
}

bool SharedLoop::help() {
  const Body* body = nullptr;
  std::size_t count = 0;
  unsigned worker = 0;
  {
    std::lock_guard lock(mutex_);
    if (body_ == nullptr || helping_ || next_.load() >= count_) return false;
    helping_ = true;
    body = body_;
    count = count_;
    worker = helper_worker_;
  }
  claim_indexes(next_, count, worker, *body);
  {
    std::lock_guard lock(mutex_);
    helping_ = false;
  }
  helper_left_.notify_all();
  return true;
}

}  // namespace ecoledger
