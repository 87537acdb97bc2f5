// Sequencer: every job is answered with its own transactions' results, in
// the order jobs were enqueued, however the preparer groups and joins them.
#include <future>
#include <thread>

#include "node/sequencer.h"
#include "tests/ledger/test_support.h"

using namespace ecoledger;
using ecoledger::testing::TestLedger;

namespace {

std::string transfer_text(TestLedger& t, const std::string& from, const std::string& to, const std::string& lot) {
  return json::canonical(t.signed_by(t.tx("transfer", {{"from", from}, {"to", to}, {"lot", lot}, {"quantity", 1}}), {from}));
}

json::Json issue(TestLedger& t, const std::string& serial, const std::string& holder) {
  return t.signed_by(t.tx("asset.issue", {{"asset", "PRT"}, {"serial", serial}, {"holder", holder}, {"quantity", 1000},
                                          {"pollutant", "COD"}, {"region", "350500"}, {"valid_from", "2026-01-01"},
                                          {"valid_to", "2030-12-31"}}),
                     {"registry"});
}

}  // namespace

TEST_CASE("sequencer: jobs enqueued faster than they commit are answered in order, each with its own receipt") {
  TestLedger t;
  constexpr int holders = 4;
  constexpr int spends = 60;  // per holder, each spending the lot the one before left
  for (int h = 0; h < holders; ++h) {
    t.open_account("holder." + std::to_string(h), "holder");
    REQUIRE(t.submit(issue(t, "S" + std::to_string(h), "holder." + std::to_string(h))));
  }
  // Jobs of one holder must commit in enqueue order: unit k of its lot exists
  // only once unit k-1 has gone. One job in five carries two holders' spends.
  struct Job {
    std::vector<std::string> texts;
    std::promise<std::vector<Result<ledger::Receipt>>> answer;
  };
  std::vector<Job> jobs;
  for (int k = 1; k <= spends; ++k)
    for (int h = 0; h < holders; ++h) {
      const std::string from = "holder." + std::to_string(h);
      const std::string lot = "S" + std::to_string(h) + ":" + std::to_string(k) + "-1000";
      std::string text = transfer_text(t, from, "holder." + std::to_string((h + 1) % holders), lot);
      if (h % 2 == 1 && k % 5 == 0) jobs.back().texts.push_back(std::move(text));
      else jobs.push_back(Job{{std::move(text)}, {}});
    }

  const std::uint64_t size_before = t.ledger->head().size;
  node::Sequencer sequencer(*t.ledger, node::SequencerLimits{1024, 0, 4096}, nullptr);
  // Paced, so that the preparer takes small batches and some are prepared
  // while the one before still waits for the committer (and are joined onto it).
  for (auto& job : jobs) {
    REQUIRE(sequencer.enqueue(job.texts, [&job](std::vector<Result<ledger::Receipt>> r) { job.answer.set_value(std::move(r)); }));
    std::this_thread::sleep_for(std::chrono::microseconds(50));
  }

  std::uint64_t next_seq = size_before;
  for (auto& job : jobs) {
    auto results = job.answer.get_future().get();
    REQUIRE(results.size() == job.texts.size());
    for (std::size_t i = 0; i < results.size(); ++i) {
      REQUIRE_MESSAGE(results[i].has_value(), (results[i] ? "" : results[i].error().code + ": " + results[i].error().message));
      CHECK(results[i]->seq == next_seq++);
      // The record at that seq holds this job's transaction.
      auto record = t.ledger->store().record(results[i]->seq);
      REQUIRE(record.has_value());
      CHECK(json::Json::parse(*record)["tx"]["id"] == json::Json::parse(job.texts[i])["id"]);
    }
  }
  sequencer.stop();
  CHECK(t.ledger->head().size == size_before + holders * spends);
  CHECK(testing::audit(testing::export_records(*t.ledger)).ok);
}
