// Sequencer: the one thread that calls Ledger::submit.
//
// Requests enqueue their transaction texts with a completion; the sequencer
// takes jobs until it has up to batch_transactions_max transactions (waiting
// at most batch_wait_us for more after the first), submits them as one group
// commit (one synced RocksDB WriteBatch), then calls each job's completion
// with its results, so every client is answered only once its transaction is
// durable. The queue is bounded: enqueue() refuses with "overloaded" when it
// would exceed queue_transactions_max, and with "shutting_down" after stop().
//
// Thread-safety: enqueue() from any thread; completions run on the sequencer
// thread and must only post work elsewhere. stop() drains every accepted job
// (it commits and completes them) before the thread ends; call it once.
// Lifetime: the ledger must outlive the sequencer.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "base/result.h"
#include "ledger/ledger.h"
#include "node/metrics.h"

namespace ecoledger::node {

struct SequencerLimits {
  std::size_t batch_transactions_max;
  std::int64_t batch_wait_us;
  std::size_t queue_transactions_max;
};

class Sequencer {
 public:
  using Completion = std::function<void(std::vector<Result<ledger::Receipt>>)>;

  Sequencer(ledger::Ledger& ledger, SequencerLimits limits, Metrics* metrics);
  ~Sequencer();
  Sequencer(const Sequencer&) = delete;
  Sequencer& operator=(const Sequencer&) = delete;

  // REQUIRES: 0 < texts.size() <= queue_transactions_max.
  Status enqueue(std::vector<std::string> texts, Completion done);
  void stop();

 private:
  struct Job {
    std::vector<std::string> texts;
    Completion done;
  };
  void run();
  std::vector<Job> take_batch();

  ledger::Ledger& ledger_;
  const SequencerLimits limits_;
  Metrics* metrics_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Job> queue_;           // guarded by mutex_
  std::size_t queued_texts_ = 0;    // guarded by mutex_
  bool stopping_ = false;           // guarded by mutex_
  std::thread thread_;
};

}  // namespace ecoledger::node
