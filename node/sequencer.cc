#include "node/sequencer.h"

#include <chrono>

#include "base/check.h"
#include "base/thread_name.h"
#include "node/log.h"

namespace ecoledger::node {

Sequencer::Sequencer(ledger::Ledger& ledger, SequencerLimits limits, Metrics* metrics)
    : ledger_(ledger), limits_(limits), metrics_(metrics) {
  ECOLEDGER_CHECK(limits_.batch_transactions_max > 0 && limits_.batch_transactions_max <= ledger::batch_transactions_max);
  ECOLEDGER_CHECK(limits_.queue_transactions_max >= limits_.batch_transactions_max);
  committer_ = start_named_thread("el-commit", [this] { commit_loop(); });
  preparer_ = start_named_thread("el-prepare", [this] { prepare_loop(); });
}

Sequencer::~Sequencer() {
  stop();
}

Status Sequencer::enqueue(std::vector<std::string> texts, Completion done) {
  ECOLEDGER_CHECK(!texts.empty());
  std::lock_guard lock(mutex_);
  if (stopping_) return fail("shutting_down", "the node is shutting down");
  if (queued_texts_ + texts.size() > limits_.queue_transactions_max)
    return fail("overloaded", "the write queue is full; retry later");
  queued_texts_ += texts.size();
  queue_.push_back(Job{std::move(texts), std::move(done)});
  wake_.notify_one();
  return ok();
}

void Sequencer::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    wake_.notify_one();
  }
  // The preparer drains the queue and ends; the committer then drains the handoff.
  if (preparer_.joinable()) preparer_.join();
  if (committer_.joinable()) committer_.join();
}

// Takes whole jobs while they fit one batch; a job larger than a batch is
// taken alone and split by prepare_loop(). Empty when stopping with nothing queued.
std::vector<Sequencer::Job> Sequencer::take_batch() {
  std::unique_lock lock(mutex_);
  wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
  if (queue_.empty()) return {};
  auto deadline = std::chrono::steady_clock::now() + std::chrono::microseconds(limits_.batch_wait_us);
  while (!stopping_ && queued_texts_ < limits_.batch_transactions_max) {
    if (wake_.wait_until(lock, deadline) == std::cv_status::timeout) break;
  }
  std::vector<Job> jobs;
  std::size_t texts = 0;
  while (!queue_.empty() && (jobs.empty() || texts + queue_.front().texts.size() <= limits_.batch_transactions_max)) {
    texts += queue_.front().texts.size();
    queued_texts_ -= queue_.front().texts.size();
    jobs.push_back(std::move(queue_.front()));
    queue_.pop_front();
  }
  return jobs;
}

void Sequencer::prepare_loop() {
  for (;;) {
    std::vector<Job> jobs = take_batch();
    if (jobs.empty()) break;  // stopping and drained
    Prepared prepared;
    std::vector<std::string> chunk;
    // The texts move into the chunks; each job keeps its count of them.
    for (auto& job : jobs)
      for (auto& text : job.texts) {
        chunk.push_back(std::move(text));
        if (chunk.size() == limits_.batch_transactions_max) {
          prepared.chunks.push_back(ledger_.prepare(chunk, &verify_loop_));
          chunk.clear();
        }
      }
    if (!chunk.empty()) prepared.chunks.push_back(ledger_.prepare(chunk, &verify_loop_));
    prepared.jobs = std::move(jobs);
    std::unique_lock lock(handoff_mutex_);
    // Group commit: while a prepared batch still waits for the committer, this
    // one joins it (when both fit one batch) rather than waiting its turn. With
    // few clients, each waiting for its answer, batches are small and each pays
    // a sync; joined, the committer takes all that is ready at once.
    if (handoff_ && handoff_->chunks.size() == 1 && prepared.chunks.size() == 1 &&
        handoff_->chunks.front().size() + prepared.chunks.front().size() <= limits_.batch_transactions_max) {
      handoff_->chunks.front().append(std::move(prepared.chunks.front()));
      for (auto& job : prepared.jobs) handoff_->jobs.push_back(std::move(job));
      continue;
    }
    handoff_changed_.wait(lock, [&] { return !handoff_.has_value(); });
    handoff_ = std::move(prepared);
    handoff_changed_.notify_all();
  }
  std::lock_guard lock(handoff_mutex_);
  prepared_all_ = true;
  handoff_changed_.notify_all();
}

void Sequencer::commit_loop() {
  for (;;) {
    Prepared prepared;
    {
      std::unique_lock lock(handoff_mutex_);
      // While the next batch is being verified, take part rather than wait.
      verify_loop_.help_until(lock, handoff_changed_, [&] { return handoff_.has_value() || prepared_all_; });
      if (!handoff_) return;  // the preparer has ended and nothing waits
      prepared = std::move(*handoff_);
      handoff_.reset();
      handoff_changed_.notify_all();
    }
    std::vector<Result<ledger::Receipt>> results;
    for (auto& chunk : prepared.chunks) {
      const std::size_t size = chunk.size();
      auto began = std::chrono::steady_clock::now();
      auto chunk_results = ledger_.commit(std::move(chunk), ledger::now_unix_ms());
      std::chrono::duration<double> took = std::chrono::steady_clock::now() - began;
      ECOLEDGER_CHECK(chunk_results.size() == size);
      if (metrics_) metrics_->batch(size, took.count());
      for (auto& r : chunk_results) results.push_back(std::move(r));
    }
    std::size_t at = 0;
    for (auto& job : prepared.jobs) {
      ECOLEDGER_CHECK(at + job.texts.size() <= results.size());
      std::vector<Result<ledger::Receipt>> mine(std::make_move_iterator(results.begin() + at),
                                                std::make_move_iterator(results.begin() + at + job.texts.size()));
      at += job.texts.size();
      job.done(std::move(mine));
    }
  }
}

}  // namespace ecoledger::node
