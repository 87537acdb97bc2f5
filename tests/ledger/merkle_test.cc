// Tests of ledger/merkle: the CT reference vectors, agreement with a naive
// transcription of RFC 9162 §2.1 for every small tree, tampering, bad sizes,
// and O(log n) reads on trees near the 64-bit limit.
#include "ledger/merkle.h"

#include <doctest/doctest.h>

#include <bit>
#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ledger/crypto.h"

namespace ecoledger::ledger {
namespace {

using crypto::Hash;
using Path = std::vector<Hash>;
using namespace std::string_view_literals;

constexpr std::uint64_t u64_max = std::numeric_limits<std::uint64_t>::max();

Hash hex_hash(std::string_view hex) {
  auto h = crypto::hash_from_hex(hex);
  REQUIRE(h.has_value());
  return *h;
}

Path hex_path(std::initializer_list<std::string_view> hexes) {
  Path out;
  for (auto hex : hexes) out.push_back(hex_hash(hex));
  return out;
}

// ---- Naive RFC 9162 §2.1, transcribed over a vector of leaf hashes. ----

std::size_t naive_k(std::size_t n) {  // largest power of two < n
  std::size_t k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

Hash naive_mth(std::span<const Hash> d) {
  if (d.empty()) return crypto::sha256("");
  if (d.size() == 1) return d[0];
  std::size_t k = naive_k(d.size());
  return crypto::sha256_pair(0x01, naive_mth(d.first(k)), naive_mth(d.subspan(k)));
}

Path naive_path(std::size_t m, std::span<const Hash> d) {
  if (d.size() == 1) return {};
  std::size_t k = naive_k(d.size());
  Path out = m < k ? naive_path(m, d.first(k)) : naive_path(m - k, d.subspan(k));
  out.push_back(m < k ? naive_mth(d.subspan(k)) : naive_mth(d.first(k)));
  return out;
}

Path naive_subproof(std::size_t m, std::span<const Hash> d, bool b) {
  std::size_t n = d.size();
  if (m == n) return b ? Path{} : Path{naive_mth(d)};
  std::size_t k = naive_k(n);
  Path out = m <= k ? naive_subproof(m, d.first(k), b) : naive_subproof(m - k, d.subspan(k), false);
  out.push_back(m <= k ? naive_mth(d.subspan(k)) : naive_mth(d.first(k)));
  return out;
}

std::vector<Hash> test_leaves(std::size_t count) {
  std::vector<Hash> out;
  for (std::size_t i = 0; i < count; ++i) out.push_back(merkle_leaf_hash("leaf-" + std::to_string(i)));
  return out;
}

MemoryMerkleStore store_of(std::span<const Hash> leaves) {
  MemoryMerkleStore store;
  for (const Hash& leaf : leaves) store.append(leaf);
  return store;
}

// ---- CT reference data (certificate-transparency merkle tests). ----

const std::vector<std::string_view> ct_inputs = {
    ""sv,         "\x00"sv,     "\x10"sv,
    "\x20\x21"sv, "\x30\x31"sv, "\x40\x41\x42\x43"sv,
    "\x50\x51\x52\x53\x54\x55\x56\x57"sv,
    "\x60\x61\x62\x63\x64\x65\x66\x67\x68\x69\x6a\x6b\x6c\x6d\x6e\x6f"sv,
};

const std::vector<std::string_view> ct_roots = {
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
};

std::vector<Hash> ct_leaves() {
  std::vector<Hash> out;
  for (auto input : ct_inputs) out.push_back(merkle_leaf_hash(input));
  return out;
}

TEST_CASE("merkle: CT reference roots, stored nodes and empty tree") {
  REQUIRE(ct_inputs[1].size() == 1);  // the NUL byte is an input, not a terminator
  REQUIRE(ct_inputs[7].size() == 16);
  MemoryMerkleStore store;
  CHECK(crypto::to_hex(*merkle_root(store, 0)) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  for (const Hash& leaf : ct_leaves()) {
    store.append(leaf);
    CAPTURE(store.size());
    CHECK(crypto::to_hex(*merkle_root(store, store.size())) == ct_roots[store.size() - 1]);
  }
  // The complete subtrees the store keeps, level by level (CT tile test data).
  const std::vector<std::vector<std::string_view>> levels = {
      {"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
       "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
       "0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7",
       "07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7",
       "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
       "4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658",
       "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
       "46f6ffadd3d06a09ff3c5860d2755c8b9819db7df44251788c7d8e3180de8eb1"},
      {"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
       "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
       "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
       "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0"},
      {"d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
       "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"},
      {"5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"},
  };
  for (std::uint32_t level = 0; level < levels.size(); ++level)
    for (std::uint64_t index = 0; index < levels[level].size(); ++index) {
      CAPTURE(level);
      CAPTURE(index);
      CHECK(crypto::to_hex(*store.node(level, index)) == levels[level][index]);
    }
  CHECK(!store.node(4, 0).has_value());
  CHECK(store.node(0, 8).error().code == "not_found");
}

TEST_CASE("merkle: CT reference inclusion and consistency proofs") {
  MemoryMerkleStore store = store_of(ct_leaves());
  auto root = [&](std::uint64_t size) { return hex_hash(ct_roots[size - 1]); };
  struct Inclusion {
    std::uint64_t index, size;
    Path path;
  };
  // CT's vectors count leaves from 1; these are 0-based.
  const std::vector<Inclusion> inclusions = {
      {0, 1, {}},
      {0, 8,
       hex_path({"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                 "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                 "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"})},
      {5, 8,
       hex_path({"bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
                 "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                 "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"})},
      {2, 3, hex_path({"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"})},
      {1, 5,
       hex_path({"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
                 "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                 "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"})},
  };
  for (const auto& v : inclusions) {
    CAPTURE(v.index);
    CAPTURE(v.size);
    CHECK(*merkle_inclusion_path(store, v.index, v.size) == v.path);
    CHECK(merkle_verify_inclusion(v.index, v.size, *store.node(0, v.index), v.path, root(v.size)));
  }
  struct Consistency {
    std::uint64_t old_size, new_size;
    Path path;
  };
  const std::vector<Consistency> consistencies = {
      {1, 1, {}},
      {1, 8,
       hex_path({"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                 "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                 "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"})},
      {6, 8,
       hex_path({"0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
                 "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                 "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"})},
      {2, 5,
       hex_path({"5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                 "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"})},
      {6, 7,
       hex_path({"0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
                 "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
                 "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"})},
  };
  for (const auto& v : consistencies) {
    CAPTURE(v.old_size);
    CAPTURE(v.new_size);
    CHECK(*merkle_consistency_path(store, v.old_size, v.new_size) == v.path);
    CHECK(merkle_verify_consistency(v.old_size, v.new_size, root(v.old_size), root(v.new_size), v.path));
  }
}

constexpr std::size_t small_size_max = 64;

TEST_CASE("merkle: append and roots agree with the naive MTH") {
  const std::vector<Hash> leaves = test_leaves(small_size_max);
  MemoryMerkleStore store;
  CHECK(*merkle_root(store, 0) == naive_mth({}));
  for (std::size_t i = 0; i < leaves.size(); ++i) {
    CAPTURE(i);
    auto nodes = merkle_append(store, i, leaves[i]);
    REQUIRE(nodes.has_value());
    // Leaf i completes one node per trailing one bit of i, plus the leaf.
    CHECK(nodes->size() == 1 + static_cast<std::size_t>(std::countr_one(i)));
    for (const auto& [id, hash] : *nodes) {
      std::size_t width = std::size_t{1} << id.level;
      CHECK(hash == naive_mth(std::span(leaves).subspan(id.index * width, width)));
    }
    store.append(leaves[i]);
    REQUIRE(store.size() == i + 1);
    for (std::size_t size = 0; size <= store.size(); ++size) {
      CAPTURE(size);
      CHECK(*merkle_root(store, size) == naive_mth(std::span(leaves).first(size)));
    }
  }
}

TEST_CASE("merkle: every inclusion path up to 64 leaves matches the naive PATH and verifies") {
  const std::vector<Hash> leaves = test_leaves(small_size_max);
  MemoryMerkleStore store = store_of(leaves);
  for (std::size_t size = 1; size <= small_size_max; ++size) {
    std::span<const Hash> d = std::span(leaves).first(size);
    Hash root = naive_mth(d);
    for (std::size_t index = 0; index < size; ++index) {
      CAPTURE(size);
      CAPTURE(index);
      auto path = merkle_inclusion_path(store, index, size);
      REQUIRE(path.has_value());
      CHECK(*path == naive_path(index, d));
      CHECK(merkle_verify_inclusion(index, size, leaves[index], *path, root));
    }
  }
}

TEST_CASE("merkle: every consistency path up to 64 leaves matches the naive PROOF and verifies") {
  const std::vector<Hash> leaves = test_leaves(small_size_max);
  MemoryMerkleStore store = store_of(leaves);
  for (std::size_t new_size = 1; new_size <= small_size_max; ++new_size) {
    std::span<const Hash> d = std::span(leaves).first(new_size);
    Hash new_root = naive_mth(d);
    for (std::size_t old_size = 1; old_size <= new_size; ++old_size) {
      CAPTURE(old_size);
      CAPTURE(new_size);
      auto path = merkle_consistency_path(store, old_size, new_size);
      REQUIRE(path.has_value());
      CHECK(*path == naive_subproof(old_size, d, true));
      CHECK(merkle_verify_consistency(old_size, new_size, naive_mth(d.first(old_size)), new_root, *path));
    }
  }
}

Hash flipped(Hash h, std::size_t byte) {
  h[byte % h.size()] ^= 0x01;
  return h;
}

TEST_CASE("merkle: tampered inclusion proofs fail") {
  constexpr std::size_t size_max = 33;
  const std::vector<Hash> leaves = test_leaves(size_max + 1);
  MemoryMerkleStore store = store_of(leaves);
  const Hash junk = merkle_leaf_hash("junk");
  for (std::uint64_t size = 1; size <= size_max; ++size) {
    const Hash root = *merkle_root(store, size);
    for (std::uint64_t index = 0; index < size; ++index) {
      CAPTURE(size);
      CAPTURE(index);
      const Path path = *merkle_inclusion_path(store, index, size);
      const Hash& leaf = leaves[index];
      REQUIRE(merkle_verify_inclusion(index, size, leaf, path, root));
      // A flipped byte anywhere: each path element, the leaf, the root.
      for (std::size_t i = 0; i < path.size(); ++i) {
        Path bad = path;
        bad[i] = flipped(bad[i], i * 7);
        CHECK_FALSE(merkle_verify_inclusion(index, size, leaf, bad, root));
      }
      CHECK_FALSE(merkle_verify_inclusion(index, size, flipped(leaf, 31), path, root));
      CHECK_FALSE(merkle_verify_inclusion(index, size, leaf, path, flipped(root, 0)));
      // Wrong length: one element too many (at either end) or too few.
      Path longer = path;
      longer.push_back(junk);
      CHECK_FALSE(merkle_verify_inclusion(index, size, leaf, longer, root));
      longer = path;
      longer.insert(longer.begin(), junk);
      CHECK_FALSE(merkle_verify_inclusion(index, size, leaf, longer, root));
      if (!path.empty()) {
        CHECK_FALSE(merkle_verify_inclusion(index, size, leaf, Path(path.begin(), path.end() - 1), root));
        CHECK_FALSE(merkle_verify_inclusion(index, size, leaf, Path(path.begin() + 1, path.end()), root));
      }
      // Wrong index: every other index, and indexes at or past the size.
      for (std::uint64_t other = 0; other < size + 2; ++other)
        if (other != index) CHECK_FALSE(merkle_verify_inclusion(other, size, leaf, path, root));
      // Wrong size, checked against the root a checkpoint of that size has.
      for (std::uint64_t other = index + 1; other <= size_max; ++other)
        if (other != size) CHECK_FALSE(merkle_verify_inclusion(index, other, leaf, path, *merkle_root(store, other)));
      CHECK_FALSE(merkle_verify_inclusion(index, 0, leaf, path, root));
    }
  }
}

TEST_CASE("merkle: an inclusion proof binds the root, not the size; checkpoints bind the two") {
  // PATH(0, 3) and PATH(0, 4) have the same shape, so RFC 9162 2.1.3.2 also
  // accepts the size-3 proof with size 4 against the size-3 root. This is why
  // callers must take (size, root) together from one signed checkpoint.
  MemoryMerkleStore store = store_of(test_leaves(4));
  Path path = *merkle_inclusion_path(store, 0, 3);
  Hash root3 = *merkle_root(store, 3);
  CHECK(merkle_verify_inclusion(0, 3, *store.node(0, 0), path, root3));
  CHECK(merkle_verify_inclusion(0, 4, *store.node(0, 0), path, root3));
  CHECK_FALSE(merkle_verify_inclusion(0, 4, *store.node(0, 0), path, *merkle_root(store, 4)));
}

TEST_CASE("merkle: tampered consistency proofs fail") {
  constexpr std::size_t size_max = 33;
  MemoryMerkleStore store = store_of(test_leaves(size_max));
  const Hash junk = merkle_leaf_hash("junk");
  auto root = [&](std::uint64_t size) { return *merkle_root(store, size); };
  for (std::uint64_t new_size = 1; new_size <= size_max; ++new_size) {
    for (std::uint64_t old_size = 1; old_size <= new_size; ++old_size) {
      CAPTURE(old_size);
      CAPTURE(new_size);
      const Path path = *merkle_consistency_path(store, old_size, new_size);
      const Hash old_root = root(old_size);
      const Hash new_root = root(new_size);
      REQUIRE(merkle_verify_consistency(old_size, new_size, old_root, new_root, path));
      for (std::size_t i = 0; i < path.size(); ++i) {
        Path bad = path;
        bad[i] = flipped(bad[i], i * 5);
        CHECK_FALSE(merkle_verify_consistency(old_size, new_size, old_root, new_root, bad));
      }
      CHECK_FALSE(merkle_verify_consistency(old_size, new_size, flipped(old_root, 3), new_root, path));
      CHECK_FALSE(merkle_verify_consistency(old_size, new_size, old_root, flipped(new_root, 3), path));
      Path longer = path;
      longer.push_back(junk);
      CHECK_FALSE(merkle_verify_consistency(old_size, new_size, old_root, new_root, longer));
      longer = path;
      longer.insert(longer.begin(), old_root);  // the old root spelled out although the RFC leaves it implicit
      if (std::has_single_bit(old_size)) CHECK_FALSE(merkle_verify_consistency(old_size, new_size, old_root, new_root, longer));
      if (!path.empty()) {
        CHECK_FALSE(merkle_verify_consistency(old_size, new_size, old_root, new_root, Path(path.begin(), path.end() - 1)));
        CHECK_FALSE(merkle_verify_consistency(old_size, new_size, old_root, new_root, Path(path.begin() + 1, path.end())));
      }
      // Wrong sizes, each with the root a checkpoint of that size has.
      for (std::uint64_t other = 1; other <= size_max; ++other) {
        if (other != old_size && other <= new_size)
          CHECK_FALSE(merkle_verify_consistency(other, new_size, root(other), new_root, path));
        if (other != new_size && other >= old_size)
          CHECK_FALSE(merkle_verify_consistency(old_size, other, old_root, root(other), path));
      }
      CHECK_FALSE(merkle_verify_consistency(0, new_size, old_root, new_root, path));
      CHECK_FALSE(merkle_verify_consistency(new_size + 1, new_size, old_root, new_root, path));
    }
  }
}

TEST_CASE("merkle: equal sizes need an empty proof and equal roots") {
  MemoryMerkleStore store = store_of(test_leaves(5));
  Hash r = *merkle_root(store, 5);
  CHECK(merkle_consistency_path(store, 5, 5)->empty());
  CHECK(merkle_verify_consistency(5, 5, r, r, {}));
  CHECK_FALSE(merkle_verify_consistency(5, 5, r, flipped(r, 0), {}));
  CHECK_FALSE(merkle_verify_consistency(5, 5, r, r, {r}));
  CHECK_FALSE(merkle_verify_consistency(4, 5, *merkle_root(store, 4), r, {}));  // RFC step 1
}

TEST_CASE("merkle: out-of-range requests are errors, not crashes") {
  MemoryMerkleStore store = store_of(test_leaves(5));
  CHECK(merkle_inclusion_path(store, 5, 5).error().code == "proof_range");
  CHECK(merkle_inclusion_path(store, 0, 0).error().code == "proof_range");
  CHECK(merkle_inclusion_path(store, u64_max, u64_max).error().code == "proof_range");
  CHECK(merkle_consistency_path(store, 0, 5).error().code == "proof_range");
  CHECK(merkle_consistency_path(store, 0, 0).error().code == "proof_range");
  CHECK(merkle_consistency_path(store, 6, 5).error().code == "proof_range");
  // Sizes beyond what the store holds surface the reader's error.
  CHECK(merkle_root(store, 6).error().code == "not_found");
  CHECK(merkle_inclusion_path(store, 0, 7).error().code == "not_found");
  CHECK(merkle_consistency_path(store, 2, 9).error().code == "not_found");
  CHECK(merkle_append(store, 7, merkle_leaf_hash("gap")).error().code == "not_found");
}

TEST_CASE("merkle: verifiers reject extreme sizes and long paths without overflow") {
  const Hash h = merkle_leaf_hash("x");
  const Path long_path(1000, h);
  CHECK_FALSE(merkle_verify_inclusion(0, 0, h, {}, h));
  CHECK_FALSE(merkle_verify_inclusion(u64_max, u64_max, h, {}, h));
  CHECK_FALSE(merkle_verify_inclusion(u64_max - 1, u64_max, h, long_path, h));
  CHECK_FALSE(merkle_verify_inclusion(0, u64_max, h, long_path, h));
  CHECK_FALSE(merkle_verify_inclusion(0, 1, h, {h}, h));  // a one-leaf tree has an empty path
  CHECK(merkle_verify_inclusion(0, 1, h, {}, h));
  CHECK_FALSE(merkle_verify_consistency(0, 0, h, h, {}));
  CHECK_FALSE(merkle_verify_consistency(u64_max, u64_max - 1, h, h, {h}));
  CHECK_FALSE(merkle_verify_consistency(1, u64_max, h, h, long_path));
  CHECK_FALSE(merkle_verify_consistency(u64_max - 1, u64_max, h, h, long_path));
}

// A tree of any size whose leaves are all the same hash: a complete subtree's
// hash depends only on its level, so trees near 2^64 leaves are cheap to
// serve. Refuses any node that is not complete within `size` and counts reads.
class UniformReader final : public MerkleNodeReader {
 public:
  explicit UniformReader(std::uint64_t size) : size_(size) {
    level_hashes_.push_back(merkle_leaf_hash("same"));
    for (int level = 1; level < 64; ++level) level_hashes_.push_back(crypto::sha256_pair(0x01, level_hashes_.back(), level_hashes_.back()));
  }
  Result<Hash> node(std::uint32_t level, std::uint64_t index) const override {
    ++reads;
    if (level >= 64 || index >= (size_ >> level)) return fail("not_found", "incomplete node");
    return level_hashes_[level];
  }
  mutable std::size_t reads = 0;

 private:
  std::uint64_t size_;
  std::vector<Hash> level_hashes_;
};

TEST_CASE("merkle: proofs on trees near 2^64 leaves take O(log n) reads and verify") {
  constexpr std::size_t reads_max = 3 * 64;  // siblings, plus one incomplete subtree of popcount(n) nodes
  const std::vector<std::uint64_t> sizes = {std::uint64_t{1} << 63, (std::uint64_t{1} << 63) + 1, (std::uint64_t{1} << 63) + 12345,
                                            u64_max - 1, u64_max};
  for (std::uint64_t size : sizes) {
    CAPTURE(size);
    UniformReader reader(size);
    const Hash root = *merkle_root(reader, size);
    for (std::uint64_t index : {std::uint64_t{0}, std::uint64_t{1}, size / 2, size - 2, size - 1}) {
      CAPTURE(index);
      reader.reads = 0;
      auto path = merkle_inclusion_path(reader, index, size);
      REQUIRE(path.has_value());
      CHECK(reader.reads <= reads_max);
      CHECK(path->size() <= 64);
      CHECK(merkle_verify_inclusion(index, size, *reader.node(0, index), *path, root));
      CHECK_FALSE(merkle_verify_inclusion(index, size, flipped(*reader.node(0, index), 0), *path, root));
    }
    for (std::uint64_t old_size : {std::uint64_t{1}, std::uint64_t{3}, size / 2, size - 1, size}) {
      CAPTURE(old_size);
      reader.reads = 0;
      auto path = merkle_consistency_path(reader, old_size, size);
      REQUIRE(path.has_value());
      CHECK(reader.reads <= reads_max);
      CHECK(path->size() <= 65);
      CHECK(merkle_verify_consistency(old_size, size, *merkle_root(reader, old_size), root, *path));
    }
  }
}

TEST_CASE("merkle: append reads only left siblings and stops at 2^64 - 1 leaves") {
  UniformReader reader(u64_max);
  auto nodes = merkle_append(reader, (std::uint64_t{1} << 63) - 1, merkle_leaf_hash("same"));
  REQUIRE(nodes.has_value());
  CHECK(reader.reads == 63);
  REQUIRE(nodes->size() == 64);
  CHECK(nodes->back().first.level == 63);
  CHECK(nodes->back().first.index == 0);
  CHECK(nodes->back().second == *reader.node(63, 0));
  CHECK(merkle_append(reader, u64_max - 1, merkle_leaf_hash("same"))->size() == 1);
  CHECK(merkle_append(reader, u64_max, merkle_leaf_hash("same")).error().code == "tree_full");
}

}  // namespace
}  // namespace ecoledger::ledger
