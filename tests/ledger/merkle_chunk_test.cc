// Tests of ledger/merkle_chunk: proofs and roots read through a chunk equal
// those read node by node, for every leaf and size around two chunks, and
// below the pinned levels a chunk asks its reader for nothing but the one
// scan of leaves.
#include "ledger/merkle_chunk.h"

#include <doctest/doctest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "ledger/crypto.h"

namespace ecoledger::ledger {
namespace {

constexpr std::uint64_t chunk_leaves = std::uint64_t{1} << merkle_chunk_levels;

// A MemoryMerkleStore that counts what it is asked.
class CountingReader final : public MerkleNodeReader {
 public:
  explicit CountingReader(std::uint64_t size) {
    for (std::uint64_t i = 0; i < size; ++i) store_.append(merkle_leaf_hash("leaf-" + std::to_string(i)));
  }
  Result<crypto::Hash> node(std::uint32_t level, std::uint64_t index) const override {
    if (level < merkle_chunk_levels) ++low_node_reads;
    return store_.node(level, index);
  }
  std::vector<crypto::Hash> leaves(std::uint64_t first, std::uint64_t count) const override {
    ++scans;
    last_scan_count = count;
    return store_.leaves(first, count);
  }
  const MemoryMerkleStore& store() const { return store_; }

  mutable int low_node_reads = 0;
  mutable int scans = 0;
  mutable std::uint64_t last_scan_count = 0;

 private:
  MemoryMerkleStore store_;
};

}  // namespace

TEST_CASE("merkle chunk: the default leaf scan stops before the first leaf the reader lacks") {
  CountingReader reader(10);
  const MerkleNodeReader& plain = reader.store();
  CHECK(plain.leaves(0, 10).size() == 10);
  CHECK(plain.leaves(4, 100).size() == 6);
  CHECK(plain.leaves(10, 5).empty());
  CHECK(plain.leaves(3, 0).empty());
  CHECK(plain.leaves(7, 2) == std::vector<crypto::Hash>{*plain.node(0, 7), *plain.node(0, 8)});
}

TEST_CASE("merkle chunk: proofs and roots through a chunk equal those read node by node") {
  const std::uint64_t n = 2 * chunk_leaves + 5;
  CountingReader reader(n);
  const MerkleNodeReader& plain = reader.store();
  for (std::uint64_t size = 1; size <= n; ++size) {
    for (std::uint64_t index = 0; index < size; ++index) {
      CAPTURE(size);
      CAPTURE(index);
      const MerkleChunkReader chunk(reader, index, size);
      CHECK(*chunk.node(0, index) == *plain.node(0, index));
      CHECK(*merkle_inclusion_path(chunk, index, size) == *merkle_inclusion_path(plain, index, size));
      // The same chunk serves a consistency proof from old size index + 1,
      // whose last leaf it holds.
      CHECK(*merkle_consistency_path(chunk, index + 1, size) == *merkle_consistency_path(plain, index + 1, size));
      CHECK(*merkle_root(chunk, index + 1) == *merkle_root(plain, index + 1));
    }
  }
}

TEST_CASE("merkle chunk: below the pinned levels an inclusion proof in a complete chunk reads one scan and no node") {
  // The reader holds more leaves than the proved tree: the scan must stop at its size.
  const std::uint64_t size = 3 * chunk_leaves;
  CountingReader reader(size + 7);
  for (std::uint64_t index : {std::uint64_t{0}, std::uint64_t{1}, chunk_leaves - 1, chunk_leaves + 17, size - 1}) {
    CAPTURE(index);
    reader.low_node_reads = 0;
    reader.scans = 0;
    const MerkleChunkReader chunk(reader, index, size);
    auto path = merkle_inclusion_path(chunk, index, size);
    REQUIRE(path.has_value());
    CHECK(reader.scans == 1);
    CHECK(reader.last_scan_count == chunk_leaves);
    CHECK(reader.low_node_reads == 0);
    CHECK(*path == *merkle_inclusion_path(reader.store(), index, size));
  }
  // In the tree's partial last chunk the scan asks only for the leaves below the size.
  const MerkleChunkReader edge(reader, size - 1 + 3, size + 3);
  CHECK(reader.last_scan_count == 3);
}

TEST_CASE("merkle chunk: a leaf the scan cannot return is left to the reader and its error") {
  CountingReader reader(chunk_leaves / 2);
  const MerkleChunkReader chunk(reader, 3, chunk_leaves / 2);
  CHECK(chunk.node(0, 3).has_value());
  reader.low_node_reads = 0;
  // Leaf chunk_leaves / 2 is beyond the tree: not made up, asked of the reader.
  auto missing = chunk.node(0, chunk_leaves / 2);
  CHECK_FALSE(missing.has_value());
  CHECK(reader.low_node_reads == 1);
  // A node over leaves the chunk lacks (the second half of the chunk) too;
  // one over leaves it holds (the first half) it answers itself.
  CHECK_FALSE(chunk.node(merkle_chunk_levels - 1, 1).has_value());
  CHECK(reader.low_node_reads == 2);
  CHECK(*chunk.node(merkle_chunk_levels - 1, 0) == *reader.store().node(merkle_chunk_levels - 1, 0));
  CHECK(reader.low_node_reads == 2);
}

}  // namespace ecoledger::ledger
