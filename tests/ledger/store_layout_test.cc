// The store's key layout (ledger/store_keys.h) and the move of a ledger
// written before the journal's column families (ledger/journal_move.h).
#include <rocksdb/table_properties.h>

#include <algorithm>

#include "ledger/journal_move.h"
#include "ledger/merkle.h"
#include "ledger/store_keys.h"
#include "tests/ledger/legacy_journal.h"
#include "tests/ledger/raw_store.h"
#include "tests/ledger/test_support.h"

using namespace ecoledger;
namespace keys = ecoledger::ledger::store_keys;

TEST_CASE("store keys: a Merkle node's key follows those of every node completed before it") {
  // Nodes below the pinned levels, in the order an append completes them:
  // leaf i, then the nodes leaf i completes, lowest first.
  std::vector<std::string> in_order;
  for (std::uint64_t leaf = 0; leaf < 300; ++leaf)
    for (std::uint32_t level = 0; level < ledger::merkle_pinned_level_min; ++level) {
      if ((leaf + 1) % (std::uint64_t{1} << level) != 0) break;
      auto key = keys::chunk_node_key(level, leaf >> level);
      REQUIRE(key.has_value());
      CHECK(key->size() == keys::chunk_node_key_bytes);
      in_order.push_back(*key);
    }
  CHECK(std::is_sorted(in_order.begin(), in_order.end()));
  CHECK(std::adjacent_find(in_order.begin(), in_order.end()) == in_order.end());
  // The pinned levels are not in the merkle family; nodes past the last leaf do not exist.
  CHECK_FALSE(keys::chunk_node_key(ledger::merkle_pinned_level_min, 0).has_value());
  const std::uint64_t all = ~std::uint64_t{0};
  CHECK(keys::chunk_node_key(0, all) == keys::be64(all) + '\0');
  CHECK(keys::chunk_node_key(5, all >> 5) == keys::be64(all) + '\x05');
  CHECK_FALSE(keys::chunk_node_key(5, (all >> 5) + 1).has_value());
  CHECK(keys::read_be64(keys::record_key(0x0102030405060708)) == 0x0102030405060708);
}

namespace {

// Inclusion of every record in the tree of size n, and consistency of every
// tenth size with n, verified against the root.
void check_proofs(const ledger::Ledger& l) {
  const std::uint64_t n = l.head().size;
  auto root = *l.root(n);
  for (std::uint64_t seq = 0; seq < n; ++seq) {
    auto proof = l.inclusion_proof(seq, n);
    REQUIRE(proof.has_value());
    CHECK(ledger::merkle_verify_inclusion(seq, n, *crypto::hash_from_hex((*proof)["leaf"].get<std::string>()), testing::proof_path(*proof), root));
  }
  for (std::uint64_t size = 1; size < n; size += 10) {
    auto c = l.consistency_proof(size, n);
    REQUIRE(c.has_value());
    CHECK(ledger::merkle_verify_consistency(size, n, *l.root(size), root, testing::proof_path(*c)));
  }
}

}  // namespace

TEST_CASE("a ledger of the journal layout before the column families is moved into them on open, in batches") {
  testing::TestLedger t;
  // Enough records that the move takes more than one batch (about three entries a record).
  const int accounts = static_cast<int>(ledger::journal_move_entries_per_batch) / 2;
  testing::open_holders_sharing_a_key(t, accounts);
  const ledger::Head head = t.ledger->head();
  const auto records = testing::export_records(*t.ledger);
  const auto root = *t.ledger->root(head.size);
  REQUIRE(head.size == static_cast<std::uint64_t>(accounts) + 1);

  for (std::uint64_t kept_seq : {std::uint64_t{0}, head.size / 3}) {
    CAPTURE(kept_seq);
    t.ledger.reset();
    const std::uint64_t written = testing::rewrite_journal_as_before_families(t.dir, kept_seq);
    CHECK(written > (kept_seq == 0 ? ledger::journal_move_entries_per_batch : 0));
    {
      // The old layout as written: the journal's families hold only what was kept.
      testing::RawStore raw(t.dir);
      CHECK(raw.entries(keys::records_family).size() == kept_seq);
    }
    auto reopened = ledger::Ledger::open(t.dir);
    REQUIRE_MESSAGE(reopened.has_value(), (reopened ? "" : reopened.error().message));
    t.ledger = std::move(*reopened);
    CHECK(t.ledger->head().size == head.size);
    CHECK(t.ledger->head().head == head.head);
    CHECK(*t.ledger->root(head.size) == root);
    CHECK(testing::export_records(*t.ledger) == records);
    check_proofs(*t.ledger);
    CHECK(testing::audit(records).ok);
    t.ledger.reset();
    {
      // Nothing of the old layout is left in the default family.
      testing::RawStore raw(t.dir);
      CHECK(raw.entries(keys::records_family).size() == head.size);
      for (const auto& [key, value] : raw.entries(rocksdb::kDefaultColumnFamilyName)) {
        CAPTURE(key);
        CHECK_FALSE(testing::is_legacy_journal_key(key));
      }
    }
    auto again = ledger::Ledger::open(t.dir);
    REQUIRE(again.has_value());
    t.ledger = std::move(*again);
  }
  // The ledger goes on appending in the new layout.
  t.open_account("after-move", "holder");
  CHECK(t.ledger->head().size == head.size + 1);
  check_proofs(*t.ledger);
}

TEST_CASE("an old journal entry with a damaged key stops the open as corruption") {
  testing::TestLedger t;
  t.open_account("h0", "holder");
  t.ledger.reset();
  {
    testing::RawStore raw(t.dir);
    REQUIRE(raw.db().Put(rocksdb::WriteOptions(), std::string(keys::legacy_record_prefix) + "short", "x").ok());
  }
  auto reopened = ledger::Ledger::open(t.dir);
  REQUIRE_FALSE(reopened.has_value());
  CHECK(reopened.error().code == "corruption");
}

TEST_CASE("the store's tables keep a partitioned index, and a bloom filter only in the state's family") {
  // Index and filter partitions go to the block cache, so the node's memory
  // does not follow the journal's size; the journal's lookups are of entries
  // that exist, so its tables carry no filter (docs/FORMAT.md §10).
  testing::TestLedger t;
  for (int i = 0; i < 50; ++i) t.open_account("h" + std::to_string(i), "holder");
  t.ledger.reset();
  {
    auto store = ledger::Store::open(t.dir, false);
    REQUIRE(store.has_value());
    REQUIRE((*store)->compact_fully().has_value());
  }
  testing::RawStore raw(t.dir);
  const std::string families[] = {rocksdb::kDefaultColumnFamilyName, std::string(keys::records_family), std::string(keys::merkle_family)};
  for (const std::string& family : families) {
    CAPTURE(family);
    rocksdb::TablePropertiesCollection tables;
    REQUIRE(raw.db().GetPropertiesOfAllTables(raw.family(family), &tables).ok());
    REQUIRE_FALSE(tables.empty());
    for (const auto& [file, properties] : tables) {
      CAPTURE(file);
      CHECK(properties->index_partitions > 0);
      if (family == rocksdb::kDefaultColumnFamilyName) CHECK(properties->filter_size > 0);
      else CHECK(properties->filter_size == 0);
    }
  }
}
