// Transaction: what a client signs (docs/FORMAT.md, "Transaction").
//
//   {"v":1,"ledger":L,"id":ID,"type":T,"body":{...},"sigs":[{"key":"acct#kid","sig":B64}]}
//
// The signed bytes are JCS of the transaction without "sigs". Decoding is
// context-free (shape, sizes, encodings); whether a key is in force is the
// state machine's question. Thread-safety: plain values.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/json.h"
#include "base/result.h"
#include "ledger/crypto.h"

namespace ecoledger::ledger {

inline constexpr std::size_t tx_id_bytes_max = 64;
inline constexpr std::size_t tx_sigs_max = 8;
inline constexpr std::size_t tx_bytes_max = 256 * 1024;

struct Signature {
  std::string account;
  std::string key_id;
  std::string sig_raw;  // 64 bytes
};

struct Transaction {
  json::Json doc;                // the whole transaction as received
  std::string id;
  std::string type;
  std::string signed_bytes;      // JCS of doc without "sigs"
  std::string canonical_bytes;   // JCS of the whole doc, as the record holds it
  std::vector<Signature> sigs;
  const json::Json& body() const { return doc["body"]; }
};

bool is_valid_tx_id(std::string_view id);
bool is_valid_account_id(std::string_view id);  // 1-64 of [a-z0-9._:-]

// Decodes and checks the shape of a transaction for ledger `ledger_id`.
// Error codes: bad_tx, wrong_ledger, bad_base64, bad_signature_encoding.
Result<Transaction> decode_transaction(json::Json doc, std::string_view ledger_id);
Result<Transaction> parse_transaction(std::string_view text, std::string_view ledger_id);

// Builds the unsigned transaction document; sign_transaction adds a signature.
json::Json make_transaction(std::string_view ledger_id, std::string_view id, std::string_view type, json::Json body);
// Adds (or replaces) the signature of key_ref ("account#keyid") over JCS of tx without "sigs".
json::Json sign_transaction(json::Json tx, const crypto::PrivateKey& key, std::string_view key_ref);

}  // namespace ecoledger::ledger
