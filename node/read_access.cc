#include "node/read_access.h"

#include <openssl/crypto.h>

#include <fstream>
#include <sstream>

#include "base/json.h"
#include "ledger/lot.h"
#include "ledger/queries.h"
#include "ledger/transaction.h"
#include "node/handler.h"
#include "node/options.h"

namespace ecoledger::node {
namespace {

using json::Json;

bool is_token_char(char ch) {
  return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '.' || ch == '_' || ch == '~' ||
         ch == '+' || ch == '/' || ch == '=' || ch == '-';
}

bool is_valid_token(std::string_view token) {
  if (token.size() < limits::read_token_bytes_min || token.size() > limits::read_token_bytes_max) return false;
  for (char ch : token)
    if (!is_token_char(ch)) return false;
  return true;
}

Result<ReadGrant> parse_grant(const Json& doc) {
  if (!doc.is_object() || doc.size() != 1) return fail("bad_tokens", "a grant is {\"account\"}, {\"accounts\"} or {\"role\"}");
  ReadGrant grant;
  if (doc.contains("role")) {
    if (doc["role"] != "auditor" && doc["role"] != "regulator") return fail("bad_tokens", "a role grant is \"auditor\" or \"regulator\"");
    grant.everything = true;
    return grant;
  }
  Json accounts = doc.contains("account") ? Json::array({doc["account"]}) : doc.value("accounts", Json());
  if (!accounts.is_array() || accounts.empty() || accounts.size() > limits::read_token_accounts_max)
    return fail("bad_tokens", "\"accounts\" is an array of 1 to " + std::to_string(limits::read_token_accounts_max) + " account ids");
  for (const Json& a : accounts) {
    if (!a.is_string() || !ledger::is_valid_account_id(a.get<std::string>())) return fail("bad_tokens", "an account id is 1-64 of [a-z0-9._:-]");
    grant.accounts.insert(a.get<std::string>());
  }
  return grant;
}

// The token of an "Authorization: Bearer <token>" value, or "".
std::string_view bearer_token(std::string_view authorization) {
  constexpr std::string_view scheme = "bearer ";
  if (authorization.size() <= scheme.size()) return {};
  for (std::size_t i = 0; i < scheme.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(authorization[i])) != scheme[i]) return {};
  std::string_view token = authorization.substr(scheme.size());
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  while (!token.empty() && token.back() == ' ') token.remove_suffix(1);
  return token;
}

std::vector<std::string_view> segments(std::string_view path) {
  std::vector<std::string_view> parts;
  std::size_t at = 1;
  while (at <= path.size()) {
    auto slash = path.find('/', at);
    if (slash == std::string_view::npos) slash = path.size();
    parts.push_back(path.substr(at, slash - at));
    at = slash + 1;
  }
  return parts;
}

Error forbidden() { return Error{"forbidden", "this token may not read that"}; }

// May an account-bound grant read this path? (Role grants read everything.)
bool account_may_read(const ReadGrant& grant, std::vector<std::string_view> parts, const ledger::StateReader& state, bool& bad_id) {
  if (parts.size() == 2 && parts[1] == "prices") return true;
  if (parts.size() == 3 && parts[1] == "valuations" && parts[2] == "tables") return true;
  // A valuation of a pledge or a bank's book reads what the pledge or the
  // bank's pledges read: /v1/valuations/pledges/{id}, /v1/valuations/banks/{id}[/stress].
  bool valuation = false;
  if (parts.size() >= 4 && parts[1] == "valuations") {
    parts.erase(parts.begin() + 1);
    valuation = true;
  }
  if (parts.size() < 3) return false;
  auto id = decode_path_id(parts[2]);
  if (!id) {
    bad_id = true;  // the router answers bad_path; nothing is read
    return true;
  }
  const std::string_view what = parts[1];
  const bool own = grant.accounts.contains(*id);
  if (valuation && what == "banks" && (parts.size() == 3 || (parts.size() == 4 && parts[3] == "stress"))) return own;
  if (valuation && what != "pledges") return false;
  if (what == "accounts" && (parts.size() == 3 || (parts.size() == 4 && parts[3] == "lots"))) return own;
  if (what == "banks" && parts.size() == 4 && parts[3] == "pledges") return own;
  if (what == "lots" && parts.size() == 3) {
    auto lot = ledger::load_lot(state, *id);
    if (!lot) return false;  // unknown lots are nobody's: no existence oracle
    if (grant.accounts.contains(lot->holder)) return true;
    if (lot->status != ledger::LotStatus::pledged) return false;
    auto pledge = ledger::query_pledge(state, lot->pledge);
    return pledge && grant.accounts.contains(pledge->value("bank", ""));
  }
  if (what == "pledges" && parts.size() == 3) {
    auto pledge = ledger::query_pledge(state, *id);
    return pledge && (grant.accounts.contains(pledge->value("holder", "")) || grant.accounts.contains(pledge->value("bank", "")));
  }
  return false;
}

}  // namespace

Result<ReadTokens> ReadTokens::load(const std::string& path) {
  if (auto s = check_key_file(path); !s) return std::unexpected(s.error());
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail("io_error", "cannot read " + path);
  std::string text(limits::read_tokens_file_bytes_max + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<std::size_t>(in.gcount()));
  if (text.size() > limits::read_tokens_file_bytes_max) return fail("bad_tokens", path + " is over 16 MiB");
  auto tokens = parse(text);
  if (!tokens) return fail(tokens.error().code, path + ": " + tokens.error().message);
  return tokens;
}

Result<ReadTokens> ReadTokens::parse(std::string_view text) {
  auto doc = json::parse_strict(text);  // duplicate tokens are duplicate keys: refused
  if (!doc) return fail("bad_tokens", doc.error().message);
  if (!doc->is_object() || doc->empty()) return fail("bad_tokens", "the token file is a non-empty object {\"<token>\": grant}");
  if (doc->size() > limits::read_tokens_max) return fail("bad_tokens", "too many tokens");
  ReadTokens out;
  for (auto it = doc->begin(); it != doc->end(); ++it) {
    // The message never quotes the token.
    if (!is_valid_token(it.key()))
      return fail("bad_tokens", "token #" + std::to_string(out.entries_.size() + 1) + " is not 32-256 of [A-Za-z0-9._~+/=-]");
    auto grant = parse_grant(it.value());
    if (!grant) return fail(grant.error().code, "token #" + std::to_string(out.entries_.size() + 1) + ": " + grant.error().message);
    out.entries_.emplace_back(crypto::sha256(it.key()), std::move(*grant));
  }
  return out;
}

const ReadGrant* ReadTokens::find(std::string_view token) const {
  // Digests have one length whatever the token's, and CRYPTO_memcmp reads
  // every byte; every entry is compared, so the time does not tell which.
  const crypto::Hash digest = crypto::sha256(token);
  const ReadGrant* found = nullptr;
  for (const auto& [hash, grant] : entries_) {
    const bool same = CRYPTO_memcmp(hash.data(), digest.data(), digest.size()) == 0;
    found = same ? &grant : found;
  }
  return found;
}

std::optional<Error> authorize_read(const ReadTokens& tokens, std::string_view authorization, std::string_view path,
                                    const ledger::StateReader& state) {
  if (path == "/healthz" || path == "/metrics" || path == "/v1/checkpoint" || path.starts_with("/v1/proofs/") || path == "/openapi.json" ||
      path == "/v1/openapi.json")
    return std::nullopt;
  std::string_view token = bearer_token(authorization);
  if (token.empty()) return Error{"unauthorized", "this node restricts reads: send Authorization: Bearer <token>"};
  const ReadGrant* grant = tokens.find(token);
  if (grant == nullptr) return Error{"unauthorized", "unknown token"};
  if (grant->everything) return std::nullopt;
  auto parts = segments(path);
  if (parts.size() < 2 || parts[0] != "v1") return forbidden();
  bool bad_id = false;
  if (account_may_read(*grant, parts, state, bad_id) || bad_id) return std::nullopt;
  return forbidden();
}

}  // namespace ecoledger::node
