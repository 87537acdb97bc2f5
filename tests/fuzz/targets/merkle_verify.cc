#include <map>
#include <memory>

#include "base/check.h"
#include "ledger/merkle.h"
#include "tests/fuzz/fuzz_targets.h"

namespace ecoledger::fuzz {
namespace {

constexpr std::uint64_t store_leaves_max = 300;

// Reads the input front to back; past the end every read is zero.
struct Reader {
  std::string_view in;
  std::uint8_t byte() {
    if (in.empty()) return 0;
    auto b = static_cast<std::uint8_t>(in.front());
    in.remove_prefix(1);
    return b;
  }
  std::uint64_t u16() { return byte() | (std::uint64_t{byte()} << 8); }
  crypto::Hash hash() {
    crypto::Hash h{};
    for (auto& b : h) b = byte();
    return h;
  }
};

const ledger::MemoryMerkleStore& store_of_size(std::uint64_t n) {
  static std::map<std::uint64_t, std::unique_ptr<ledger::MemoryMerkleStore>> stores;
  auto& s = stores[n];
  if (!s) {
    s = std::make_unique<ledger::MemoryMerkleStore>();
    for (std::uint64_t i = 0; i < n; ++i) s->append(ledger::merkle_leaf_hash("record " + std::to_string(i)));
  }
  return *s;
}

// Sizes and indices: mostly small and near the store, sometimes anything.
std::uint64_t pick(Reader& r, std::uint64_t n) {
  std::uint8_t how = r.byte();
  if (how < 200) return r.u16() % (n + 2);
  if (how < 250) return n;
  std::uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | r.byte();
  return v;
}

// Starts from the true path and applies fuzzed edits.
std::vector<crypto::Hash> mutate(Reader& r, std::vector<crypto::Hash> path, const ledger::MemoryMerkleStore& store) {
  int edits = r.byte() % 4;
  for (int e = 0; e < edits; ++e) {
    std::uint8_t op = r.byte() % 6;
    std::size_t k = path.empty() ? 0 : r.byte() % path.size();
    if (op == 0 && !path.empty()) path.erase(path.begin() + static_cast<std::ptrdiff_t>(k));
    else if (op == 1 && !path.empty()) path.insert(path.begin() + static_cast<std::ptrdiff_t>(k), path[k]);
    else if (op == 2 && path.size() > 1) std::swap(path[k], path[(k + 1) % path.size()]);
    else if (op == 3 && !path.empty()) path[k][r.byte() % 32] ^= static_cast<std::uint8_t>(1u << (r.byte() % 8));
    else if (op == 4) {  // some other stored node
      auto node = store.node(r.byte() % 9, r.u16() % (store.size() + 1));
      if (node) path.insert(path.begin() + static_cast<std::ptrdiff_t>(std::min(k, path.size())), *node);
    } else if (op == 5) path.push_back(r.hash());
  }
  return path;
}

crypto::Hash root_or_zero(const ledger::MemoryMerkleStore& store, std::uint64_t size) {
  if (size > store.size()) return crypto::Hash{};
  auto root = ledger::merkle_root(store, size);
  ECOLEDGER_CHECK(root.has_value());
  return *root;
}

void inclusion(Reader& r, const ledger::MemoryMerkleStore& store) {
  std::uint64_t n = store.size();
  std::uint64_t index = pick(r, n), size = pick(r, n);
  std::vector<crypto::Hash> truth;
  if (index < size && size <= n) truth = *ledger::merkle_inclusion_path(store, index, size);
  std::uint64_t leaf_at = r.byte() < 220 ? index : pick(r, n);
  std::uint64_t root_at = r.byte() < 220 ? size : pick(r, n);
  crypto::Hash leaf = leaf_at < n ? *store.node(0, leaf_at) : r.hash();
  crypto::Hash root = root_or_zero(store, root_at);
  std::vector<crypto::Hash> path = mutate(r, truth, store);
  const bool genuine = size >= 1 && size <= n && root == root_or_zero(store, size);
  if (!ledger::merkle_verify_inclusion(index, size, leaf, path, root)) {
    ECOLEDGER_CHECK(!(index < size && genuine && path == truth && leaf == *store.node(0, index)));
    return;
  }
  // A verifier trusts (size, root) as a pair (a checkpoint signs both), so
  // the property is about genuine pairs: against the store's root of that
  // size only the store's leaf with the store's path is accepted. Against a
  // made-up pair acceptance says nothing (a size-1 tree whose root is the
  // leaf accepts any leaf), so only the index is checked there.
  ECOLEDGER_CHECK(index < size);
  if (!genuine) return;
  ECOLEDGER_CHECK(leaf == *store.node(0, index));
  ECOLEDGER_CHECK(path == truth);
}

void consistency(Reader& r, const ledger::MemoryMerkleStore& store) {
  std::uint64_t n = store.size();
  std::uint64_t from = pick(r, n), to = pick(r, n);
  std::vector<crypto::Hash> truth;
  if (from > 0 && from <= to && to <= n) truth = *ledger::merkle_consistency_path(store, from, to);
  std::uint64_t from_root_at = r.byte() < 220 ? from : pick(r, n);
  std::uint64_t to_root_at = r.byte() < 220 ? to : pick(r, n);
  crypto::Hash old_root = root_or_zero(store, from_root_at), new_root = root_or_zero(store, to_root_at);
  std::vector<crypto::Hash> path = mutate(r, truth, store);
  const bool genuine = from > 0 && from <= to && to <= n && old_root == root_or_zero(store, from) &&
                       new_root == root_or_zero(store, to);
  if (!ledger::merkle_verify_consistency(from, to, old_root, new_root, path)) {
    ECOLEDGER_CHECK(!(genuine && path == truth));
    return;
  }
  // As for inclusion: the property is about genuine (size, root) pairs.
  ECOLEDGER_CHECK(from > 0 && from <= to);
  if (from == to) {
    // Any tree is consistent with itself (RFC 9162, 2.1.4.2): accepted for
    // any size and root, but only with an empty path and equal roots.
    ECOLEDGER_CHECK(path.empty() && old_root == new_root);
    return;
  }
  if (!genuine) return;
  ECOLEDGER_CHECK(path == truth);
}

}  // namespace

void merkle_verify(std::string_view input) {
  Reader r{input};
  bool is_inclusion = (r.byte() & 1) == 0;
  const auto& store = store_of_size(1 + r.u16() % store_leaves_max);
  if (is_inclusion) inclusion(r, store);
  else consistency(r, store);
}

}  // namespace ecoledger::fuzz
