#include "ledger/merkle.h"

#include <bit>

#include "base/check.h"

namespace ecoledger::ledger {
namespace {

crypto::Hash node_hash(const crypto::Hash& left, const crypto::Hash& right) { return crypto::sha256_pair(0x01, left, right); }

// Largest power of two strictly less than n. REQUIRES: n >= 2.
std::uint64_t split_point(std::uint64_t n) {
  ECOLEDGER_CHECK(n >= 2);
  return std::bit_floor(n - 1);
}

// MTH(D[lo : lo+n]) from stored complete subtrees. REQUIRES: n >= 1 and lo
// aligned to the subtree boundaries the RFC recursion produces.
Result<crypto::Hash> subtree_hash(const MerkleNodeReader& reader, std::uint64_t lo, std::uint64_t n) {
  if (std::has_single_bit(n)) {
    auto level = static_cast<std::uint32_t>(std::countr_zero(n));
    return reader.node(level, lo >> level);
  }
  std::uint64_t k = split_point(n);
  auto left = subtree_hash(reader, lo, k);
  if (!left) return left;
  auto right = subtree_hash(reader, lo + k, n - k);
  if (!right) return right;
  return node_hash(*left, *right);
}

// PATH(m, D[lo : lo+n]) of RFC 9162 2.1.3.1, leaf-to-root order.
Status inclusion(const MerkleNodeReader& reader, std::uint64_t m, std::uint64_t lo, std::uint64_t n, std::vector<crypto::Hash>& out) {
  if (n <= 1) return ok();
  std::uint64_t k = split_point(n);
  if (m < k) {
    if (Status s = inclusion(reader, m, lo, k, out); !s) return s;
    auto right = subtree_hash(reader, lo + k, n - k);
    if (!right) return std::unexpected(right.error());
    out.push_back(*right);
  } else {
    if (Status s = inclusion(reader, m - k, lo + k, n - k, out); !s) return s;
    auto left = subtree_hash(reader, lo, k);
    if (!left) return std::unexpected(left.error());
    out.push_back(*left);
  }
  return ok();
}

// SUBPROOF(m, D[lo : lo+n], b) of RFC 9162 2.1.4.1.
Status subproof(const MerkleNodeReader& reader, std::uint64_t m, std::uint64_t lo, std::uint64_t n, bool b, std::vector<crypto::Hash>& out) {
  if (m == n) {
    if (b) return ok();
    auto h = subtree_hash(reader, lo, n);
    if (!h) return std::unexpected(h.error());
    out.push_back(*h);
    return ok();
  }
  std::uint64_t k = split_point(n);
  if (m <= k) {
    if (Status s = subproof(reader, m, lo, k, b, out); !s) return s;
    auto right = subtree_hash(reader, lo + k, n - k);
    if (!right) return std::unexpected(right.error());
    out.push_back(*right);
  } else {
    if (Status s = subproof(reader, m - k, lo + k, n - k, false, out); !s) return s;
    auto left = subtree_hash(reader, lo, k);
    if (!left) return std::unexpected(left.error());
    out.push_back(*left);
  }
  return ok();
}

}  // namespace

Result<std::vector<std::pair<MerkleNodeId, crypto::Hash>>> merkle_append(const MerkleNodeReader& reader, std::uint64_t leaf_index,
                                                                          const crypto::Hash& leaf_hash) {
  std::vector<std::pair<MerkleNodeId, crypto::Hash>> out;
  out.push_back({MerkleNodeId{0, leaf_index}, leaf_hash});
  crypto::Hash current = leaf_hash;
  std::uint64_t index = leaf_index;
  std::uint32_t level = 0;
  // Each odd index completes its parent with the left sibling already stored.
  while (index & 1) {
    auto left = reader.node(level, index - 1);
    if (!left) return std::unexpected(left.error());
    current = node_hash(*left, current);
    index >>= 1;
    ++level;
    out.push_back({MerkleNodeId{level, index}, current});
  }
  return out;
}

Result<crypto::Hash> merkle_root(const MerkleNodeReader& reader, std::uint64_t size) {
  if (size == 0) return crypto::sha256("");
  return subtree_hash(reader, 0, size);
}

Result<std::vector<crypto::Hash>> merkle_inclusion_path(const MerkleNodeReader& reader, std::uint64_t leaf_index, std::uint64_t size) {
  if (leaf_index >= size) return fail("proof_range", "leaf index must be below the tree size");
  std::vector<crypto::Hash> path;
  if (Status s = inclusion(reader, leaf_index, 0, size, path); !s) return std::unexpected(s.error());
  return path;
}

Result<std::vector<crypto::Hash>> merkle_consistency_path(const MerkleNodeReader& reader, std::uint64_t old_size, std::uint64_t new_size) {
  if (old_size == 0 || old_size > new_size) return fail("proof_range", "need 0 < old size <= new size");
  std::vector<crypto::Hash> path;
  if (Status s = subproof(reader, old_size, 0, new_size, true, path); !s) return std::unexpected(s.error());
  return path;
}

bool merkle_verify_inclusion(std::uint64_t leaf_index, std::uint64_t size, const crypto::Hash& leaf_hash,
                             const std::vector<crypto::Hash>& path, const crypto::Hash& root) {
  if (leaf_index >= size) return false;
  std::uint64_t fn = leaf_index;
  std::uint64_t sn = size - 1;
  crypto::Hash r = leaf_hash;
  for (const crypto::Hash& p : path) {
    if (sn == 0) return false;
    if ((fn & 1) || fn == sn) {
      r = node_hash(p, r);
      if (!(fn & 1))
        while (fn != 0 && !(fn & 1)) {
          fn >>= 1;
          sn >>= 1;
        }
    } else {
      r = node_hash(r, p);
    }
    fn >>= 1;
    sn >>= 1;
  }
  return sn == 0 && r == root;
}

bool merkle_verify_consistency(std::uint64_t old_size, std::uint64_t new_size, const crypto::Hash& old_root, const crypto::Hash& new_root,
                               const std::vector<crypto::Hash>& path_in) {
  if (old_size == 0 || old_size > new_size) return false;
  if (old_size == new_size) return path_in.empty() && old_root == new_root;
  if (path_in.empty()) return false;
  std::vector<crypto::Hash> path = path_in;
  // If the old tree is a complete subtree, its root starts the path.
  if (std::has_single_bit(old_size)) path.insert(path.begin(), old_root);
  std::uint64_t fn = old_size - 1;
  std::uint64_t sn = new_size - 1;
  while (fn & 1) {
    fn >>= 1;
    sn >>= 1;
  }
  crypto::Hash fr = path[0];
  crypto::Hash sr = path[0];
  for (std::size_t i = 1; i < path.size(); ++i) {
    const crypto::Hash& c = path[i];
    if (sn == 0) return false;
    if ((fn & 1) || fn == sn) {
      fr = node_hash(c, fr);
      sr = node_hash(c, sr);
      if (!(fn & 1))
        while (fn != 0 && !(fn & 1)) {
          fn >>= 1;
          sn >>= 1;
        }
    } else {
      sr = node_hash(sr, c);
    }
    fn >>= 1;
    sn >>= 1;
  }
  return fr == old_root && sr == new_root && sn == 0;
}

Result<crypto::Hash> MemoryMerkleStore::node(std::uint32_t level, std::uint64_t index) const {
  auto it = nodes_.find({level, index});
  if (it == nodes_.end()) return fail("corruption", "no Merkle node");
  return it->second;
}

void MemoryMerkleStore::append(const crypto::Hash& leaf_hash) {
  auto nodes = merkle_append(*this, size_, leaf_hash);
  ECOLEDGER_CHECK(nodes.has_value());
  for (const auto& [id, h] : *nodes) nodes_[{id.level, id.index}] = h;
  ++size_;
}

}  // namespace ecoledger::ledger
