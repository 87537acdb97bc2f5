#include "ledger/transaction.h"

#include "ledger/crypto.h"

namespace ecoledger::ledger {

namespace {
bool id_char(char c, bool allow_upper) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == ':' || c == '-' ||
         (allow_upper && c >= 'A' && c <= 'Z');
}
bool valid_id(std::string_view id, bool allow_upper) {
  if (id.empty() || id.size() > tx_id_bytes_max) return false;
  for (char c : id)
    if (!id_char(c, allow_upper)) return false;
  return true;
}
}  // namespace

bool is_valid_tx_id(std::string_view id) { return valid_id(id, true); }
bool is_valid_account_id(std::string_view id) { return valid_id(id, false); }

Result<Transaction> decode_transaction(json::Json doc, std::string_view ledger_id) {
  if (!doc.is_object()) return fail("bad_tx", "a transaction is a JSON object");
  for (auto it = doc.begin(); it != doc.end(); ++it) {
    const std::string& k = it.key();
    if (k != "v" && k != "ledger" && k != "id" && k != "type" && k != "body" && k != "sigs")
      return fail("bad_tx", "unknown transaction member \"" + k + "\"");
  }
  auto v = json::get_int(doc, "v");
  if (!v) return fail("bad_tx", v.error().message);
  if (*v != 1) return fail("bad_tx", "unsupported transaction version");
  auto ledger = json::get_string(doc, "ledger");
  if (!ledger) return fail("bad_tx", ledger.error().message);
  if (*ledger != ledger_id) return fail("wrong_ledger", "transaction is for ledger \"" + *ledger + "\"");
  auto id = json::get_string(doc, "id");
  if (!id) return fail("bad_tx", id.error().message);
  if (!is_valid_tx_id(*id)) return fail("bad_tx", "id must be 1-64 of [A-Za-z0-9._:-]");
  auto type = json::get_string(doc, "type");
  if (!type) return fail("bad_tx", type.error().message);
  auto body = json::get_object(doc, "body");
  if (!body) return fail("bad_tx", body.error().message);
  auto sigs = json::get_array(doc, "sigs");
  if (!sigs) return fail("bad_tx", sigs.error().message);
  if ((*sigs)->empty()) return fail("bad_tx", "a transaction needs at least one signature");
  if ((*sigs)->size() > tx_sigs_max) return fail("bad_tx", "too many signatures");

  Transaction tx;
  for (const json::Json& s : **sigs) {
    if (!s.is_object() || s.size() != 2) return fail("bad_tx", "a signature is {\"key\",\"sig\"}");
    auto key = json::get_string(s, "key");
    auto sig = json::get_string(s, "sig");
    if (!key || !sig) return fail("bad_tx", "a signature is {\"key\",\"sig\"}");
    auto hash_pos = key->find('#');
    if (hash_pos == std::string::npos) return fail("bad_tx", "signature key must be <account>#<key id>");
    Signature parsed{key->substr(0, hash_pos), key->substr(hash_pos + 1), {}};
    if (!is_valid_account_id(parsed.account) || !is_valid_tx_id(parsed.key_id))
      return fail("bad_tx", "signature key must be <account>#<key id>");
    for (const Signature& other : tx.sigs)
      if (other.account == parsed.account && other.key_id == parsed.key_id) return fail("bad_tx", "duplicate signature key");
    auto raw = crypto::base64_decode(*sig);
    if (!raw) return std::unexpected(raw.error());
    if (raw->size() != crypto::ed25519_signature_bytes) return fail("bad_signature_encoding", "a signature is 64 bytes");
    parsed.sig_raw = std::move(*raw);
    tx.sigs.push_back(std::move(parsed));
  }
  tx.id = std::move(*id);
  tx.type = std::move(*type);
  // Both canonical forms from one encoding of each member, without copying
  // the document; this runs before commit, off the committing thread.
  json::CanonicalObject members;
  for (auto it = doc.begin(); it != doc.end(); ++it)
    if (it.key() != "sigs") members.add_json(it.key(), it.value());
  tx.signed_bytes = members.str();
  tx.canonical_bytes = members.add_json("sigs", **sigs).str();
  tx.doc = std::move(doc);
  return tx;
}

Result<Transaction> parse_transaction(std::string_view text, std::string_view ledger_id) {
  if (text.size() > tx_bytes_max) return fail("too_large", "transaction exceeds " + std::to_string(tx_bytes_max) + " bytes");
  auto doc = json::parse_strict(text);
  if (!doc) return std::unexpected(doc.error());
  return decode_transaction(std::move(*doc), ledger_id);
}

json::Json make_transaction(std::string_view ledger_id, std::string_view id, std::string_view type, json::Json body) {
  return json::Json{{"v", 1}, {"ledger", ledger_id}, {"id", id}, {"type", type}, {"body", std::move(body)}, {"sigs", json::Json::array()}};
}

json::Json sign_transaction(json::Json tx, const crypto::PrivateKey& key, std::string_view key_ref) {
  json::Json unsigned_doc = tx;
  unsigned_doc.erase("sigs");
  std::string sig = crypto::base64_encode(key.sign(json::canonical(unsigned_doc)));
  json::Json kept = json::Json::array();
  if (tx.contains("sigs") && tx["sigs"].is_array())
    for (const json::Json& s : tx["sigs"])
      if (!(s.is_object() && s.contains("key") && s["key"] == key_ref)) kept.push_back(s);
  kept.push_back({{"key", key_ref}, {"sig", sig}});
  tx["sigs"] = std::move(kept);
  return tx;
}

}  // namespace ecoledger::ledger
