#include "ledger/state.h"

namespace ecoledger::ledger {

std::optional<std::string> StateOverlay::get(std::string_view key) const {
  auto it = writes_.find(key);
  if (it != writes_.end()) return it->second;
  return base_.get(key);
}

void StateOverlay::scan(std::string_view prefix, const std::function<bool(std::string_view, std::string_view)>& visit) const {
  // Nothing written under the prefix: the base's scan is the answer, without
  // copying it (most scans in a batch touch keys the batch has not written).
  auto first = writes_.lower_bound(prefix);
  if (first == writes_.end() || !first->first.starts_with(prefix)) return base_.scan(prefix, visit);
  // Merge the base's keys with this overlay's writes, overlay winning.
  std::map<std::string, std::optional<std::string>, std::less<>> merged;
  base_.scan(prefix, [&](std::string_view k, std::string_view v) {
    merged.emplace(std::string(k), std::string(v));
    return true;
  });
  for (auto it = first; it != writes_.end() && it->first.starts_with(prefix); ++it) merged[it->first] = it->second;
  for (const auto& [k, v] : merged)
    if (v && !visit(k, *v)) return;
}

std::optional<json::Json> StateOverlay::get_json(std::string_view key) const {
  auto raw = get(key);
  if (!raw) return std::nullopt;
  auto parsed = json::Json::parse(*raw, nullptr, false);
  if (parsed.is_discarded()) return std::nullopt;
  return parsed;
}

void StateOverlay::commit_into(StateOverlay& parent) {
  // Moves the map nodes themselves, so no key is copied or allocated again,
  // in key order, each inserted just before where the next one goes.
  auto next = parent.writes_.begin();
  while (!writes_.empty()) {
    auto node = writes_.extract(writes_.begin());
    auto it = parent.writes_.insert(next, std::move(node));
    if (node) it->second = std::move(node.mapped());  // the key was there: unchanged node, its value wins
    next = std::next(it);
  }
}

std::optional<std::string> MemoryState::get(std::string_view key) const {
  auto it = entries_.find(key);
  if (it == entries_.end()) return std::nullopt;
  return it->second;
}

void MemoryState::scan(std::string_view prefix, const std::function<bool(std::string_view, std::string_view)>& visit) const {
  for (auto it = entries_.lower_bound(prefix); it != entries_.end() && it->first.starts_with(prefix); ++it)
    if (!visit(it->first, it->second)) return;
}

void MemoryState::apply(const StateOverlay& overlay) {
  for (const auto& [k, v] : overlay.writes()) {
    if (v) entries_[k] = *v;
    else entries_.erase(k);
  }
}

std::string first_state_difference(const StateReader& a, const StateReader& b) {
  // Point lookups from each side: two passes, no copy of either state.
  auto missing_or_changed = [](const StateReader& from, const StateReader& in) {
    std::string difference;
    from.scan("", [&](std::string_view k, std::string_view v) {
      auto other = in.get(k);
      if (!other || *other != v) {
        difference = std::string(k);
        return false;
      }
      return true;
    });
    return difference;
  };
  std::string difference = missing_or_changed(a, b);
  if (difference.empty()) difference = missing_or_changed(b, a);
  return difference;
}

}  // namespace ecoledger::ledger
