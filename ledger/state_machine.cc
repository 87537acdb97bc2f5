#include "ledger/state_machine.h"

#include <algorithm>
#include <map>

#include "ledger/account_view.h"
#include "ledger/crypto.h"
#include "ledger/registry.h"

namespace ecoledger::ledger {

bool is_query_index_key(std::string_view key) {
  return key.starts_with(history_key_prefix) || key.starts_with(account_lot_key_prefix);
}

bool is_read_back_key(std::string_view key) { return !is_query_index_key(key); }

std::string account_key(std::string_view account) { return "acct/" + std::string(account); }

std::optional<std::string> account_role(const StateReader& state, std::string_view account) {
  auto view = account_view(state, account);
  if (!view) return std::nullopt;
  return view->role;
}

bool signed_by_role(const TxContext& ctx, const StateReader& state, std::string_view role) {
  return std::any_of(ctx.signers.begin(), ctx.signers.end(),
                     [&](const std::string& a) { return account_role(state, a) == role; });
}

namespace {

bool is_role(std::string_view role) {
  return std::find(std::begin(account_roles), std::end(account_roles), role) != std::end(account_roles);
}

// Keys: [{"id","pub"}] with unique ids and 32-byte base64 public keys.
Result<json::Json> decode_keys(const json::Json& keys, std::uint64_t seq) {
  if (!keys.is_array() || keys.empty() || keys.size() > account_keys_max)
    return fail("bad_tx", "keys must be a non-empty array of at most " + std::to_string(account_keys_max));
  json::Json out = json::Json::array();
  std::set<std::string> ids;
  for (const json::Json& k : keys) {
    if (!k.is_object() || k.size() != 2) return fail("bad_tx", "a key is {\"id\",\"pub\"}");
    auto id = json::get_string(k, "id");
    auto pub = json::get_string(k, "pub");
    if (!id || !pub || !is_valid_tx_id(*id)) return fail("bad_tx", "a key is {\"id\",\"pub\"} with id of [A-Za-z0-9._:-]");
    if (!ids.insert(*id).second) return fail("bad_tx", "duplicate key id \"" + *id + "\"");
    auto raw = crypto::base64_decode(*pub);
    if (!raw) return std::unexpected(raw.error());
    if (raw->size() != crypto::ed25519_public_key_bytes) return fail("bad_key", "a public key is 32 bytes");
    out.push_back({{"id", *id}, {"pub", *pub}, {"since", seq}});
  }
  return out;
}

Result<std::set<std::string>> verify_signatures(const Transaction& tx, const StateReader& state, const SignatureCheck& check) {
  std::set<std::string> signers;
  for (const Signature& sig : tx.sigs) {
    auto account = account_view(state, sig.account);
    if (!account) return fail("unknown_key", "no account \"" + sig.account + "\"");
    const AccountView::Key* key = account->key_in_force(sig.key_id);
    if (key == nullptr) return fail("unknown_key", "key \"" + sig.account + "#" + sig.key_id + "\" is not in force");
    if (!check.verify(key->public_raw, tx.signed_bytes, sig.sig_raw))
      return fail("bad_signature", "signature by \"" + sig.account + "#" + sig.key_id + "\" does not verify");
    signers.insert(sig.account);
  }
  return signers;
}

Status apply_genesis(const Transaction& tx, std::uint64_t seq, const std::string& time, StateOverlay& state, const SignatureCheck& check) {
  if (seq != 0) return fail("not_authorized", "genesis is only record 0");
  const json::Json& body = tx.body();
  if (!body.contains("registry") || !body["registry"].is_object() || !body.contains("node") || !body["node"].is_object())
    return fail("bad_tx", "genesis body is {\"registry\":{\"account\",\"keys\"},\"node\":{\"keys\"}}");
  auto registry = json::get_string(body["registry"], "account");
  if (!registry || !is_valid_account_id(*registry)) return fail("bad_tx", "genesis registry account id is invalid");
  auto registry_keys = decode_keys(body["registry"].value("keys", json::Json()), seq);
  if (!registry_keys) return std::unexpected(registry_keys.error());
  auto node_keys = decode_keys(body["node"].value("keys", json::Json()), seq);
  if (!node_keys) return std::unexpected(node_keys.error());
  json::Json account{{"account", *registry}, {"role", "registry"}, {"name", body["registry"].value("name", "registry")},
                     {"keys", *registry_keys}, {"opened", seq}};
  StateOverlay scratch(state);
  scratch.put_json(account_key(*registry), account);
  // The registry's signature must verify against the keys genesis declares.
  auto signers = verify_signatures(tx, scratch, check);
  if (!signers) return std::unexpected(signers.error());
  if (!signers->contains(*registry)) return fail("not_authorized", "genesis must be signed by the registry key");
  scratch.put_json("meta/genesis", json::Json{{"ledger", tx.doc["ledger"]}, {"registry", *registry}, {"node_keys", *node_keys}, {"time", time}});
  scratch.put(state_version_key, state_version);
  scratch.commit_into(state);
  return ok();
}

Status apply_account_open(const TxContext& ctx, StateOverlay& state) {
  const json::Json& body = ctx.tx.body();
  if (!signed_by_role(ctx, state, "registry")) return fail("not_authorized", "account.open is signed by the registry");
  auto account = json::get_string(body, "account");
  if (!account) return std::unexpected(account.error());
  if (!is_valid_account_id(*account)) return fail("bad_tx", "account id must be 1-64 of [a-z0-9._:-]");
  auto role = json::get_string(body, "role");
  if (!role) return std::unexpected(role.error());
  if (!is_role(*role)) return fail("bad_tx", "unknown role \"" + *role + "\"");
  auto name = json::get_string(body, "name");
  if (!name) return std::unexpected(name.error());
  if (name->size() > account_name_bytes_max) return fail("bad_tx", "name too long");
  if (!body.contains("keys")) return fail("missing_field", "missing field \"keys\"");
  auto keys = decode_keys(body["keys"], ctx.seq);
  if (!keys) return std::unexpected(keys.error());
  if (state.get(account_key(*account))) return fail("account_exists", "account \"" + *account + "\" exists");
  state.put_json(account_key(*account),
                 json::Json{{"account", *account}, {"role", *role}, {"name", *name}, {"keys", *keys}, {"opened", ctx.seq}});
  return ok();
}

Status apply_key_rotate(const TxContext& ctx, StateOverlay& state) {
  const json::Json& body = ctx.tx.body();
  auto account_id = json::get_string(body, "account");
  if (!account_id) return std::unexpected(account_id.error());
  auto existing = state.get_json(account_key(*account_id));
  if (!existing) return fail("unknown_account", "no account \"" + *account_id + "\"");
  if (!ctx.signers.contains(*account_id) && !signed_by_role(ctx, state, "registry"))
    return fail("not_authorized", "key.rotate is signed by the account or the registry");
  json::Json account = *existing;
  json::Json add = body.value("add", json::Json::array());
  json::Json revoke = body.value("revoke", json::Json::array());
  if (!revoke.is_array()) return fail("bad_tx", "revoke is an array of key ids");
  if (add.empty() && revoke.empty()) return fail("bad_tx", "key.rotate adds or revokes at least one key");
  for (const json::Json& id : revoke) {
    if (!id.is_string()) return fail("bad_tx", "revoke is an array of key ids");
    bool found = false;
    for (json::Json& k : account["keys"])
      if (k["id"] == id && !k.contains("revoked")) {
        k["revoked"] = ctx.seq;
        found = true;
      }
    if (!found) return fail("unknown_key", "no key \"" + id.get<std::string>() + "\" in force");
  }
  if (!add.empty()) {
    auto keys = decode_keys(add, ctx.seq);
    if (!keys) return std::unexpected(keys.error());
    for (const json::Json& k : *keys) {
      for (const json::Json& old : account["keys"])
        if (old["id"] == k["id"]) return fail("bad_tx", "key id \"" + k["id"].get<std::string>() + "\" was used before");
      account["keys"].push_back(k);
    }
  }
  std::size_t in_force = 0;
  for (const json::Json& k : account["keys"]) in_force += k.contains("revoked") ? 0 : 1;
  if (in_force == 0) return fail("bad_tx", "an account keeps at least one key in force");
  if (in_force > account_keys_max) return fail("bad_tx", "too many keys");
  state.put_json(account_key(*account_id), account);
  return ok();
}

// The members each body may have; anything else is refused, so a field a
// client misspells is never silently ignored.
Status check_body_members(const Transaction& tx) {
  static const std::map<std::string, std::set<std::string>, std::less<>> allowed = {
      {"genesis", {"registry", "node"}},
      {"account.open", {"account", "role", "name", "keys"}},
      {"key.rotate", {"account", "add", "revoke"}},
      {"methodology.publish", {"id", "version", "params"}},
      {"asset.issue:FCT", {"asset", "serial", "holder", "quantity", "methodology", "provenance"}},
      {"asset.issue:PRT", {"asset", "serial", "holder", "quantity", "pollutant", "region", "valid_from", "valid_to"}},
      {"asset.issue:CSC", {"asset", "serial", "holder", "quantity", "standard", "project", "vintage", "plots"}},
      {"transfer", {"from", "to", "lot", "quantity"}},
      {"retire", {"holder", "lot", "quantity", "beneficiary", "purpose"}},
      {"pledge.create", {"pledge", "holder", "bank", "lot", "quantity", "loan"}},
      {"pledge.release", {"pledge"}},
      {"pledge.enforce", {"pledge", "to"}},
      {"freeze", {"case", "lot", "quantity"}},
      {"unfreeze", {"case"}},
      {"price.publish", {"asset", "kind", "market", "price_fen_per_t", "as_of", "source"}},
  };
  std::string key = tx.type;
  const json::Json& body = tx.body();
  if (tx.type == "asset.issue" && body.contains("asset") && body["asset"].is_string()) key += ":" + body["asset"].get<std::string>();
  auto it = allowed.find(key);
  if (it == allowed.end()) return ok();  // unknown types and assets are refused by their handlers
  for (auto member = body.begin(); member != body.end(); ++member)
    if (!it->second.contains(member.key())) return fail("bad_tx", "unknown field \"" + member.key() + "\" in " + tx.type);
  return ok();
}

}  // namespace

Status apply_transaction(const Transaction& tx, std::uint64_t seq, const std::string& time, StateOverlay& state,
                         const SignatureCheck& signatures) {
  if (Status members = check_body_members(tx); !members) return members;
  if (tx.type == "genesis") return apply_genesis(tx, seq, time, state, signatures);
  if (seq == 0) return fail("bad_tx", "record 0 must be the genesis");
  auto signers = verify_signatures(tx, state, signatures);
  if (!signers) return std::unexpected(signers.error());
  TxContext ctx{tx, seq, time, std::move(*signers)};
  auto apply_type = [&](StateOverlay& into) {
    if (tx.type == "account.open") return apply_account_open(ctx, into);
    if (tx.type == "key.rotate") return apply_key_rotate(ctx, into);
    return apply_registry_transaction(ctx, into);
  };
  // A refusal leaves no trace. Into an overlay holding nothing yet (every
  // caller's: one per transaction) the handler writes directly and a refusal
  // empties it; a scratch layer there cost every state read one more map
  // lookup and every write one more move.
  if (state.writes().empty()) {
    Status applied = apply_type(state);
    if (!applied) state.discard();
    return applied;
  }
  StateOverlay scratch(state);
  Status applied = apply_type(scratch);
  if (!applied) return applied;
  scratch.commit_into(state);
  return ok();
}

}  // namespace ecoledger::ledger
