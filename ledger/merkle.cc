#include "ledger/merkle.h"

#include <bit>
#include <limits>
#include <string>

#include "base/check.h"

namespace ecoledger::ledger {
namespace {

using Path = std::vector<crypto::Hash>;

// RFC 9162 k: the largest power of two strictly less than n. REQUIRES: n >= 2.
std::uint64_t split_point(std::uint64_t n) {
  ECOLEDGER_CHECK(n >= 2);
  return std::bit_floor(n - 1);
}

// MTH(D[lo : lo+n]) from stored complete subtrees: a power-of-two range is one
// read; otherwise the RFC split gives a complete left part and a smaller right
// part, so the recursion is at most 64 deep and reads popcount(n) nodes.
// REQUIRES: n >= 1 and lo + n does not overflow; every range the RFC
// recursion produces from lo = 0 is aligned to its own power-of-two size.
Result<crypto::Hash> subtree_hash(const MerkleNodeReader& reader, std::uint64_t lo, std::uint64_t n) {
  ECOLEDGER_CHECK(n >= 1 && lo <= std::numeric_limits<std::uint64_t>::max() - n);
  if (std::has_single_bit(n)) {
    ECOLEDGER_CHECK(lo % n == 0);
    return reader.node(static_cast<std::uint32_t>(std::countr_zero(n)), lo / n);
  }
  std::uint64_t k = split_point(n);
  ECOLEDGER_TRY(left, subtree_hash(reader, lo, k));
  ECOLEDGER_TRY(right, subtree_hash(reader, lo + k, n - k));
  return merkle_node_hash(*left, *right);
}

// Appends MTH(D[lo : lo+n]) to out.
Status push_subtree(const MerkleNodeReader& reader, std::uint64_t lo, std::uint64_t n, Path& out) {
  ECOLEDGER_TRY(hash, subtree_hash(reader, lo, n));
  out.push_back(*hash);
  return ok();
}

// PATH(m, D[lo : lo+n]) of RFC 9162 §2.1.3.1. The recursion appends the
// deepest sibling first, so out ends in leaf-to-root order as the RFC's
// concatenation PATH(...) : MTH(...) does.
Status inclusion(const MerkleNodeReader& reader, std::uint64_t m, std::uint64_t lo, std::uint64_t n, Path& out) {
  if (n <= 1) return ok();
  std::uint64_t k = split_point(n);
  if (m < k) {
    ECOLEDGER_TRY(deeper, inclusion(reader, m, lo, k, out));
    return push_subtree(reader, lo + k, n - k, out);
  }
  ECOLEDGER_TRY(deeper, inclusion(reader, m - k, lo + k, n - k, out));
  return push_subtree(reader, lo, k, out);
}

// SUBPROOF(m, D[lo : lo+n], b) of RFC 9162 §2.1.4.1. b says whether the
// range is the whole old tree's ancestor chain, whose root the verifier
// already holds and so is left out.
Status subproof(const MerkleNodeReader& reader, std::uint64_t m, std::uint64_t lo, std::uint64_t n, bool b, Path& out) {
  if (m == n) return b ? ok() : push_subtree(reader, lo, n, out);
  std::uint64_t k = split_point(n);
  if (m <= k) {
    ECOLEDGER_TRY(deeper, subproof(reader, m, lo, k, b, out));
    return push_subtree(reader, lo + k, n - k, out);
  }
  ECOLEDGER_TRY(deeper, subproof(reader, m - k, lo + k, n - k, false, out));
  return push_subtree(reader, lo, k, out);
}

// RFC 9162 "right-shift fn and sn equally until LSB(fn) is set or fn is 0".
void shift_to_set_bit_or_zero(std::uint64_t& fn, std::uint64_t& sn) {
  while (fn != 0 && (fn & 1) == 0) {
    fn >>= 1;
    sn >>= 1;
  }
}

}  // namespace

crypto::Hash merkle_node_hash(const crypto::Hash& left, const crypto::Hash& right) { return crypto::sha256_pair(0x01, left, right); }

crypto::Hash merkle_leaf_hash(std::string_view record_bytes) { return crypto::sha256_prefixed(0x00, record_bytes); }

Result<std::vector<std::pair<MerkleNodeId, crypto::Hash>>> merkle_append(const MerkleNodeReader& reader, std::uint64_t leaf_index,
                                                                          const crypto::Hash& leaf_hash) {
  // Sizes are uint64 everywhere (proofs, checkpoints); the last index would
  // make the size wrap to 0.
  if (leaf_index == std::numeric_limits<std::uint64_t>::max()) return fail("tree_full", "the Merkle tree holds 2^64 - 1 leaves");
  std::vector<std::pair<MerkleNodeId, crypto::Hash>> out;
  out.push_back({MerkleNodeId{0, leaf_index}, leaf_hash});
  crypto::Hash current = leaf_hash;
  std::uint64_t index = leaf_index;
  std::uint32_t level = 0;
  // A node with an odd index is a right child: its arrival completes the
  // parent, whose left child was completed (and stored) earlier.
  while ((index & 1) == 1) {
    ECOLEDGER_TRY(left, reader.node(level, index - 1));
    current = merkle_node_hash(*left, current);
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
  if (leaf_index >= size)
    return fail("proof_range", "leaf " + std::to_string(leaf_index) + " is not below tree size " + std::to_string(size));
  Path path;
  ECOLEDGER_TRY(built, inclusion(reader, leaf_index, 0, size, path));
  return path;
}

Result<std::vector<crypto::Hash>> merkle_consistency_path(const MerkleNodeReader& reader, std::uint64_t old_size, std::uint64_t new_size) {
  if (old_size == 0 || old_size > new_size)
    return fail("proof_range", "need 0 < old size <= new size, got " + std::to_string(old_size) + " and " + std::to_string(new_size));
  Path path;
  ECOLEDGER_TRY(built, subproof(reader, old_size, 0, new_size, true, path));
  return path;
}

bool merkle_verify_inclusion(std::uint64_t leaf_index, std::uint64_t size, const crypto::Hash& leaf_hash, const Path& path,
                             const crypto::Hash& root) {
  if (leaf_index >= size) return false;  // step 1; also keeps size - 1 from wrapping
  std::uint64_t fn = leaf_index;
  std::uint64_t sn = size - 1;
  crypto::Hash r = leaf_hash;
  for (const crypto::Hash& p : path) {
    if (sn == 0) return false;  // path longer than the tree is deep
    if ((fn & 1) == 1 || fn == sn) {
      r = merkle_node_hash(p, r);
      shift_to_set_bit_or_zero(fn, sn);  // skips levels where this node has no right sibling
    } else {
      r = merkle_node_hash(r, p);
    }
    fn >>= 1;
    sn >>= 1;
  }
  return sn == 0 && r == root;  // sn != 0: path shorter than the tree is deep
}

bool merkle_verify_consistency(std::uint64_t old_size, std::uint64_t new_size, const crypto::Hash& old_root, const crypto::Hash& new_root,
                               const Path& path) {
  if (old_size == 0 || old_size > new_size) return false;
  if (old_size == new_size) return path.empty() && old_root == new_root;
  if (path.empty()) return false;  // step 1
  // Step 2 without copying the path: when the old tree is complete its root
  // is the (implicit) first element and every given element is consumed.
  std::size_t next = 0;
  crypto::Hash fr = std::has_single_bit(old_size) ? old_root : path[next++];
  crypto::Hash sr = fr;
  std::uint64_t fn = old_size - 1;
  std::uint64_t sn = new_size - 1;
  while ((fn & 1) == 1) {  // step 4
    fn >>= 1;
    sn >>= 1;
  }
  for (; next < path.size(); ++next) {
    const crypto::Hash& c = path[next];
    if (sn == 0) return false;
    if ((fn & 1) == 1 || fn == sn) {
      fr = merkle_node_hash(c, fr);
      sr = merkle_node_hash(c, sr);
      shift_to_set_bit_or_zero(fn, sn);
    } else {
      sr = merkle_node_hash(sr, c);
    }
    fn >>= 1;
    sn >>= 1;
  }
  return fr == old_root && sr == new_root && sn == 0;
}

std::vector<crypto::Hash> MerkleNodeReader::leaves(std::uint64_t first, std::uint64_t count) const {
  std::vector<crypto::Hash> out;
  for (std::uint64_t i = 0; i < count && first <= std::numeric_limits<std::uint64_t>::max() - i; ++i) {
    auto leaf = node(0, first + i);
    if (!leaf) break;
    out.push_back(*leaf);
  }
  return out;
}

Result<crypto::Hash> MemoryMerkleStore::node(std::uint32_t level, std::uint64_t index) const {
  auto it = nodes_.find({level, index});
  if (it == nodes_.end())
    return fail("not_found", "no complete Merkle node at level " + std::to_string(level) + " index " + std::to_string(index));
  return it->second;
}

void MemoryMerkleStore::append(const crypto::Hash& leaf_hash) {
  // Every left sibling was stored by an earlier append, so only a full tree
  // (2^64 - 1 leaves, unreachable in memory) can fail here.
  auto nodes = merkle_append(*this, size_, leaf_hash);
  ECOLEDGER_CHECK(nodes.has_value());
  for (const auto& [id, hash] : *nodes) nodes_[{id.level, id.index}] = hash;
  ++size_;
}

}  // namespace ecoledger::ledger
