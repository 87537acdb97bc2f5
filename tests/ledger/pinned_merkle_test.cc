// The Merkle tree's upper levels held in memory: proofs and roots read
// through them must equal those of an independent in-memory tree, on a ledger
// that has pinned nodes, in the process that wrote them and after reopening.
#include <random>

#include "ledger/merkle.h"
#include "ledger/pinned_merkle_levels.h"
#include "ledger/store.h"
#include "tests/ledger/test_support.h"

using namespace ecoledger;
using ecoledger::testing::TestLedger;

namespace {

crypto::Hash hash_of(int n) { return crypto::sha256("node " + std::to_string(n)); }

// Checks roots and proofs of l against a tree built from its exported records.
void check_against_memory_tree(const ledger::Ledger& l, std::mt19937_64& random) {
  ledger::MemoryMerkleStore memory;
  for (const auto& record : ecoledger::testing::export_records(l)) memory.append(ledger::merkle_leaf_hash(record));
  const std::uint64_t n = l.head().size;
  REQUIRE(memory.size() == n);
  // Sizes on both sides of the first two pinned subtrees and the head.
  const std::uint64_t subtree = std::uint64_t{1} << ledger::merkle_pinned_level_min;
  std::vector<std::uint64_t> sizes{subtree - 1, subtree, subtree + 1, 2 * subtree - 1, 2 * subtree, 2 * subtree + 1, n - 1, n};
  for (std::uint64_t size : sizes) {
    CAPTURE(size);
    auto root = l.root(size);
    REQUIRE(root.has_value());
    CHECK(*root == *ledger::merkle_root(memory, size));
    std::uniform_int_distribution<std::uint64_t> pick(0, size - 1);
    for (int i = 0; i < 40; ++i) {
      const std::uint64_t seq = i == 0 ? 0 : i == 1 ? size - 1 : pick(random);
      auto proof = l.inclusion_proof(seq, size);
      REQUIRE(proof.has_value());
      CHECK(testing::proof_path(*proof) == *ledger::merkle_inclusion_path(memory, seq, size));
    }
    auto consistency = l.consistency_proof(size, n);
    REQUIRE(consistency.has_value());
    CHECK(testing::proof_path(*consistency) == *ledger::merkle_consistency_path(memory, size, n));
  }
}

}  // namespace

TEST_CASE("pinned Merkle levels: only pinned levels, each in index order from 0") {
  ledger::PinnedMerkleLevels pinned;
  pinned.add(ledger::merkle_pinned_level_min - 1, 0, hash_of(1));  // below the pinned levels
  pinned.add(ledger::merkle_pinned_level_min, 1, hash_of(2));      // not next: index 0 missing
  CHECK(pinned.size() == 0);
  CHECK_FALSE(pinned.find(ledger::merkle_pinned_level_min - 1, 0));
  CHECK_FALSE(pinned.find(ledger::merkle_pinned_level_min, 1));
  pinned.add(ledger::merkle_pinned_level_min, 0, hash_of(3));
  pinned.add(ledger::merkle_pinned_level_min, 1, hash_of(4));
  pinned.add(ledger::merkle_pinned_level_min, 1, hash_of(5));  // already held: the first stays
  pinned.add(ledger::merkle_pinned_level_min + 2, 0, hash_of(6));
  CHECK(pinned.size() == 3);
  CHECK(pinned.find(ledger::merkle_pinned_level_min, 0) == hash_of(3));
  CHECK(pinned.find(ledger::merkle_pinned_level_min, 1) == hash_of(4));
  CHECK_FALSE(pinned.find(ledger::merkle_pinned_level_min, 2));
  CHECK_FALSE(pinned.find(ledger::merkle_pinned_level_min + 1, 0));
  CHECK(pinned.find(ledger::merkle_pinned_level_min + 2, 0) == hash_of(6));
}

TEST_CASE("proofs through the pinned Merkle levels equal an in-memory tree's, before and after reopening") {
  TestLedger t;
  std::mt19937_64 random(11);
  // 700 records: complete subtrees at the lowest pinned level and the two
  // above it, and a partial right edge.
  static_assert(ledger::merkle_pinned_level_min <= 7, "700 records must hold two subtrees of the lowest pinned level and more");
  std::vector<std::string> batch;
  for (int i = 0; batch.size() + 1 < 700; ++i) {
    auto key = *crypto::PrivateKey::generate();
    batch.push_back(json::canonical(t.signed_by(
        t.tx("account.open", {{"account", "p" + std::to_string(i)}, {"role", "holder"}, {"name", "p"},
                              {"keys", {{{"id", "k1"}, {"pub", key.public_base64()}}}}}),
        {"registry"})));
  }
  // In batches of 100, so the pinned levels grow across writes.
  for (std::size_t at = 0; at < batch.size(); at += 100) {
    std::vector<std::string> part(batch.begin() + static_cast<std::ptrdiff_t>(at),
                                  batch.begin() + static_cast<std::ptrdiff_t>(std::min(batch.size(), at + 100)));
    for (const auto& r : t.ledger->submit(part, ++t.now_ms)) REQUIRE(r.has_value());
  }
  REQUIRE(t.ledger->head().size == 700);
  check_against_memory_tree(*t.ledger, random);
  t.ledger.reset();
  {
    // The store's leaf scan (what proofs read below the pinned levels, and
    // fall back from without failing): the stored leaves, ending at the head.
    auto store = ledger::Store::open(t.dir, false);
    REQUIRE(store.has_value());
    const ledger::MerkleNodeReader& nodes = (*store)->merkle();
    auto scanned = nodes.leaves(64, 64);
    REQUIRE(scanned.size() == 64);
    for (std::uint64_t i = 0; i < 64; ++i) CHECK(scanned[i] == *nodes.node(0, 64 + i));
    CHECK(nodes.leaves(690, 64).size() == 10);
    CHECK(nodes.leaves(699, 1) == std::vector<crypto::Hash>{*nodes.node(0, 699)});
    CHECK(nodes.leaves(700, 64).empty());
  }
  auto reopened = ledger::Ledger::open(t.dir);
  REQUIRE(reopened.has_value());
  t.ledger = std::move(*reopened);
  check_against_memory_tree(*t.ledger, random);
}
