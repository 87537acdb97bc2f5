// Sequencer: the one thread that calls Ledger::commit, and the one before it
// that calls Ledger::prepare.
//
// Requests enqueue their transaction texts with a completion; the preparer
// takes jobs until it has up to batch_transactions_max transactions (waiting
// at most batch_wait_us for more after the first), parses them and verifies
// their signatures on every core (Ledger::prepare), and hands the batch to
// the committer, which applies it as one group commit (one synced RocksDB
// WriteBatch) and then calls each job's completion with its results, so
// every client is answered only once its transaction is durable. While batch
// N commits (apply, write, fdatasync) batch N+1 is prepared; at most one
// prepared batch waits, and a batch prepared while one waits joins it when
// the two fit batch_transactions_max. The preparer verifies on one thread
// fewer than there are cores, and the committer, finding no prepared batch,
// helps verify the one being prepared rather than wait for it
// (base/shared_loop.h), so the committer, the preparer and its workers do not
// all contend for the cores while the commit goes on. The queue is bounded:
// enqueue() refuses with "overloaded" when it would exceed
// queue_transactions_max, and with "shutting_down" after stop().
//
// Thread-safety: enqueue() from any thread; completions run on the committer
// thread and must only post work elsewhere. stop() drains every accepted job
// (it commits and completes them) before the threads end; call it once.
// Lifetime: the ledger must outlive the sequencer.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "base/result.h"
#include "base/shared_loop.h"
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
  // Jobs taken together, their texts prepared in chunks of at most
  // batch_transactions_max (more than one only for a job larger than that).
  struct Prepared {
    std::vector<Job> jobs;
    std::vector<ledger::PreparedBatch> chunks;
  };
  void prepare_loop();
  void commit_loop();
  std::vector<Job> take_batch();

  ledger::Ledger& ledger_;
  const SequencerLimits limits_;
  Metrics* metrics_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Job> queue_;           // guarded by mutex_
  std::size_t queued_texts_ = 0;    // guarded by mutex_
  bool stopping_ = false;           // guarded by mutex_
  std::mutex handoff_mutex_;
  std::condition_variable handoff_changed_;
  std::optional<Prepared> handoff_;  // guarded by handoff_mutex_: the next batch to commit
  bool prepared_all_ = false;        // guarded by handoff_mutex_: the preparer has ended
  // The preparer's signature verification, which the committer joins while
  // it has nothing to commit; a run's start wakes it on handoff_changed_.
  SharedLoop verify_loop_{handoff_mutex_, handoff_changed_};
  std::thread preparer_;
  std::thread committer_;
};

}  // namespace ecoledger::node
