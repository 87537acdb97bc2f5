// The journal's move into its column families (ledger/journal_move.h) under
// SIGKILL. `ecoledger show --data DIR prices` opens a ledger written in the
// layout before the families, which moves its journal, and is killed at a
// random moment, twice a cycle, so that a kill also lands in a move resumed
// after one. After every kill each record and each Merkle node is in exactly
// one place, old or new, with its bytes, and nothing else is; the next open
// finishes the move to the same head and root. scripts/move-crash-test runs
// more cycles.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <random>

#include "ledger/journal_move.h"
#include "ledger/store_keys.h"
#include "tests/ledger/legacy_journal.h"
#include "tests/ledger/raw_store.h"
#include "tests/ledger/test_support.h"

using namespace ecoledger;
namespace keys = ecoledger::ledger::store_keys;

namespace {

constexpr int move_crash_cycles_default = 4;
constexpr int kills_per_cycle = 2;
// Nothing this test runs takes a minute; a child still running then is hung.
constexpr std::chrono::seconds child_run_max{60};

int env_int(const char* name, int fallback) {
  const char* text = std::getenv(name);
  return text == nullptr ? fallback : std::atoi(text);
}

// Runs the CLI on dir, which opens the ledger, and SIGKILLs it after
// kill_after unless it ended before. Returns whether the kill ended it; a run
// that ended by itself must have succeeded.
bool run_cli_killed_after(const std::string& dir, std::chrono::microseconds kill_after) {
  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    const int null = ::open("/dev/null", O_WRONLY);
    if (null < 0 || ::dup2(null, STDOUT_FILENO) < 0 || ::dup2(null, STDERR_FILENO) < 0) _exit(126);
    ::execl(ECOLEDGER_CLI_PATH, "ecoledger", "show", "--data", dir.c_str(), "prices", static_cast<char*>(nullptr));
    _exit(127);
  }
  const auto deadline = std::chrono::steady_clock::now() + kill_after;
  int status = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    const pid_t ended = ::waitpid(child, &status, WNOHANG);
    REQUIRE(ended >= 0);
    if (ended == child) {
      CHECK((WIFEXITED(status) && WEXITSTATUS(status) == 0));
      return false;
    }
    ::usleep(100);
  }
  ::kill(child, SIGKILL);
  REQUIRE(::waitpid(child, &status, 0) == child);
  if (WIFSIGNALED(status)) return true;
  CHECK((WIFEXITED(status) && WEXITSTATUS(status) == 0));
  return false;
}

// The journal as the new layout holds it: family -> key -> bytes.
using Journal = std::map<std::string, std::map<std::string, std::string>>;

Journal read_journal(const std::string& dir) {
  testing::RawStore raw(dir, testing::RawStore::Mode::read_only);
  Journal journal;
  for (const char* family : {keys::records_family, keys::merkle_family})
    for (auto& [key, value] : raw.entries(family)) journal[family].emplace(std::move(key), std::move(value));
  return journal;
}

// Checks that every entry of the journal is in exactly one place, old or new,
// with its bytes, and that neither layout holds anything else. Returns how
// many entries are still in the old layout.
std::uint64_t check_each_entry_in_one_place(const std::string& dir, const Journal& journal) {
  testing::RawStore raw(dir, testing::RawStore::Mode::read_only);
  std::map<std::string, std::string> old_layout;
  for (auto& [key, value] : raw.entries(rocksdb::kDefaultColumnFamilyName))
    if (testing::is_legacy_journal_key(key)) old_layout.emplace(std::move(key), std::move(value));
  std::uint64_t in_old = 0;
  for (const auto& [family, entries] : journal) {
    CAPTURE(family);
    std::map<std::string, std::string> in_new;
    for (auto& [key, value] : raw.entries(family)) in_new.emplace(std::move(key), std::move(value));
    // Counted, not checked one by one: tens of thousands of entries a look.
    std::uint64_t found_new = 0, in_both_or_neither = 0, changed = 0;
    for (const auto& [key, value] : entries) {
      const auto now = in_new.find(key);
      const auto before = old_layout.find(testing::legacy_key(family, key));
      const bool is_new = now != in_new.end(), is_old = before != old_layout.end();
      if (is_new == is_old) ++in_both_or_neither;
      else if (is_new) found_new++, changed += now->second != value;
      else in_old++, changed += before->second != value;
    }
    CHECK(in_both_or_neither == 0);
    CHECK(changed == 0);
    CHECK(in_new.size() == found_new);
  }
  CHECK(old_layout.size() == in_old);
  return in_old;
}

std::uint64_t entry_count(const Journal& journal) {
  std::uint64_t n = 0;
  for (const auto& [family, entries] : journal) n += entries.size();
  return n;
}

}  // namespace

TEST_CASE("crash: SIGKILL during the journal's move leaves every entry in one place, and the next open finishes it") {
  const int cycles = env_int("ECOLEDGER_MOVE_CRASH_CYCLES", move_crash_cycles_default);
  const auto seed = static_cast<std::uint64_t>(env_int("ECOLEDGER_MOVE_CRASH_SEED", static_cast<int>(std::random_device()() >> 1)));
  testing::TestLedger t;
  // About three entries a record: a move of about nine batches.
  const int accounts = 3 * static_cast<int>(ledger::journal_move_entries_per_batch);
  testing::open_holders_sharing_a_key(t, accounts);
  const ledger::Head head = t.ledger->head();
  const auto records = testing::export_records(*t.ledger);
  const auto root = *t.ledger->root(head.size);
  t.ledger.reset();
  const Journal journal = read_journal(t.dir);
  const std::uint64_t entries = entry_count(journal);
  REQUIRE(journal.at(keys::records_family).size() == head.size);

  // How long a whole move and open take here, on a copy: kills fall within it.
  testing::rewrite_journal_as_before_families(t.dir, 0);
  const std::string copy = t.dir + "-timing";
  std::filesystem::copy(t.dir, copy, std::filesystem::copy_options::recursive);
  const auto started = std::chrono::steady_clock::now();
  REQUIRE_FALSE(run_cli_killed_after(copy, child_run_max));
  const auto whole = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started);
  std::filesystem::remove_all(copy);
  MESSAGE("seed " << seed << " (ECOLEDGER_MOVE_CRASH_SEED), " << entries << " entries, a whole move and open took "
                  << whole.count() / 1000 << " ms");

  std::mt19937_64 random(seed);
  // A cycle's first kill falls between the latest kill that came before any
  // batch and the earliest that came after the last: most of a run is the
  // process starting and the ledger's checks, not the move. Its second kill
  // falls anywhere in a whole run, into the move resumed.
  std::int64_t first_kill_min_us = 0, first_kill_max_us = whole.count();
  int before_move = 0, during_move = 0, after_move = 0, not_killed = 0;
  for (int cycle = 0; cycle < cycles; ++cycle) {
    CAPTURE(cycle);
    if (cycle > 0) testing::rewrite_journal_as_before_families(t.dir, 0);
    std::uint64_t in_old = check_each_entry_in_one_place(t.dir, journal);
    REQUIRE(in_old == entries);
    for (int kill = 0; kill < kills_per_cycle; ++kill) {
      if (first_kill_min_us >= first_kill_max_us) first_kill_min_us = 0, first_kill_max_us = whole.count();
      const std::int64_t after_us = kill == 0 ? std::uniform_int_distribution<std::int64_t>(first_kill_min_us, first_kill_max_us)(random)
                                              : std::uniform_int_distribution<std::int64_t>(0, whole.count())(random);
      const bool killed = run_cli_killed_after(t.dir, std::chrono::microseconds(after_us));
      const std::uint64_t in_old_now = check_each_entry_in_one_place(t.dir, journal);
      CHECK(in_old_now <= in_old);
      if (!killed) {
        // It ran to its end: the move is done.
        CHECK(in_old_now == 0);
        ++not_killed;
        if (kill == 0) first_kill_max_us = after_us;
      } else if (in_old_now == in_old && in_old > 0) {
        ++before_move;
        if (kill == 0) first_kill_min_us = after_us;
      } else if (in_old_now == 0) {
        ++after_move;
        if (kill == 0) first_kill_max_us = after_us;
      } else {
        ++during_move;
      }
      in_old = in_old_now;
    }
    // The next open finishes the move, to the same journal.
    auto reopened = ledger::Ledger::open(t.dir);
    REQUIRE_MESSAGE(reopened.has_value(), (reopened ? "" : reopened.error().message));
    CHECK((*reopened)->head().head == head.head);
    CHECK(*(*reopened)->root(head.size) == root);
    reopened->reset();
    CHECK(check_each_entry_in_one_place(t.dir, journal) == 0);
  }
  MESSAGE("kills before the move's first batch " << before_move << ", during it " << during_move << ", after it "
                                                << after_move << "; runs that ended first " << not_killed);
  // The first kills close in on the move: some must land inside it.
  CHECK(during_move > 0);

  auto reopened = ledger::Ledger::open(t.dir);
  REQUIRE(reopened.has_value());
  CHECK(testing::export_records(**reopened) == records);
}
