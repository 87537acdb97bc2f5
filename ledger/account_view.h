// AccountView: the parts of an account (its acct/ value) that every signed
// transaction reads, its role and its keys in force, decoded once per
// distinct stored value.
//
// Decoding the account's JSON for its role and again for its keys was about
// a tenth of the commit path (bench/RESULTS.md). An account's value changes
// only on key.rotate, so the views are kept per thread, keyed by account id
// and checked against the stored bytes: a view is used only for the exact
// value it was decoded from, whatever state or overlay the bytes came from,
// so the memo can never answer for an older or a different value.
// Thread-safety: account_view() keeps one memo per calling thread.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ledger/state.h"

namespace ecoledger::ledger {

// Views kept per thread; past this, one is dropped for each new one. About
// 500 bytes each, so at most about 4 MiB per thread, whatever the ledger's size.
inline constexpr std::size_t account_views_per_thread_max = 8192;

struct AccountView {
  std::optional<std::string> role;  // nullopt when the value has no string "role"
  struct Key {
    std::string id;
    std::string public_raw;  // base64-decoded "pub"; empty when it does not decode
  };
  std::vector<Key> keys_in_force;  // in stored order, without revoked keys

  // The first key in force with this id, or nullptr.
  const Key* key_in_force(std::string_view key_id) const;
};

// Decodes an acct/ value; nullopt when it is not a JSON object. Keys that are
// not objects with string "id" and "pub" are left out.
std::optional<AccountView> decode_account_view(std::string_view stored);

// The view of account as state holds it, from this thread's memo when the
// stored bytes are the ones it was decoded from; nullptr when the account does
// not exist or its value is damaged.
std::shared_ptr<const AccountView> account_view(const StateReader& state, std::string_view account);

}  // namespace ecoledger::ledger
