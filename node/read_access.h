// Read restriction (`ecoledgerd --read-tokens FILE`): bearer tokens bound to
// accounts, or to a role that may read everything. Writes are not governed
// here: every write is a signed transaction and stays open to anyone.
//
// File (JSON, strict profile; mode 0600 or stricter, like a key):
//   {"<token>": {"account": "village.a"},
//    "<token>": {"accounts": ["bank.cib", "bank.cib.sm"]},
//    "<token>": {"role": "auditor"}}            // or "regulator"
// A token is 32-256 characters of [A-Za-z0-9._~+/=-] (RFC 6750 b64token).
//
// What a request may read (GET; docs/FORMAT.md §11):
//   public, no token:  /healthz, /metrics, /v1/checkpoint, /v1/proofs/*, /openapi.json
//   any valid token:   /v1/prices, /v1/valuations/tables
//   account tokens:    /v1/accounts/{own}[/lots], /v1/banks/{own}/pledges,
//                      /v1/valuations/banks/{own}[/stress],
//                      /v1/lots/{lot} held by an own account or pledged to
//                      one as bank, /v1/pledges/{id} and
//                      /v1/valuations/pledges/{id} whose holder or bank is own
//   auditor/regulator: everything, including /v1/records and /v1/serials/*
// Anything else (including routes added later) needs auditor or regulator.
// POSTs are not reads: /v1/tx is governed by signatures, and the valuation
// calculators (POST /v1/valuations/{carbon,gep,grade}) value the request's
// own input.
// No or an unknown token: 401 `unauthorized`; another's data: 403 `forbidden`.
//
// Tokens are kept only as SHA-256 digests and a presented token is compared
// with every one of them in constant time; no token is ever logged.
// Thread-safety: immutable after load; find() and authorize_read() from any thread.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "ledger/crypto.h"
#include "ledger/state.h"

namespace ecoledger::node {

namespace limits {
inline constexpr std::size_t read_token_bytes_min = 32;
inline constexpr std::size_t read_token_bytes_max = 256;
inline constexpr std::size_t read_tokens_max = 100'000;
inline constexpr std::size_t read_tokens_file_bytes_max = 16 * 1024 * 1024;
inline constexpr std::size_t read_token_accounts_max = 64;
}  // namespace limits

struct ReadGrant {
  bool everything = false;             // auditor or regulator
  std::set<std::string> accounts;      // otherwise: what it may see
};

class ReadTokens {
 public:
  // Refuses ("key_permissions") a file that group or others may read.
  static Result<ReadTokens> load(const std::string& path);
  static Result<ReadTokens> parse(std::string_view text);

  // The grant of `token`, or null. Takes the same time whichever entry (if
  // any) matches and wherever the first differing byte is.
  const ReadGrant* find(std::string_view token) const;
  std::size_t size() const { return entries_.size(); }

 private:
  std::vector<std::pair<crypto::Hash, ReadGrant>> entries_;
};

// Whether a GET of `path` (no query) with the given Authorization header value
// may be answered. nullopt: yes; otherwise the refusal ("unauthorized",
// "forbidden"). A path the router will refuse anyway (bad id) is let through.
std::optional<Error> authorize_read(const ReadTokens& tokens, std::string_view authorization, std::string_view path,
                                    const ledger::StateReader& state);

}  // namespace ecoledger::node
