// Hostile-input catalogue: the real ecoledgerd over real sockets gets bad
// requests, each of which must be answered with one exact HTTP status and
// error code, and must leave the ledger as it was (the checkpoint's size and
// root are read after every case). The transport-level cases (framing,
// slow header, connection limit) follow the table.
#include <fstream>
#include <functional>

#include "tests/node/node_process.h"

namespace ecoledger::testing {
namespace {

using json::Json;

// Keys by reference ("account#k1") so tests can sign with rotated-out keys.
struct Keyring {
  std::map<std::string, crypto::PrivateKey> keys;
  int counter = 0;

  std::string next_id() { return "cat-" + std::to_string(++counter); }
  // A signed transaction with an explicit id and ledger; refs name the keys.
  std::string sign(const std::string& ledger_id, const std::string& id, const std::string& type, Json body,
                   std::initializer_list<std::string> refs) {
    Json t = ledger::make_transaction(ledger_id, id, type, std::move(body));
    for (const auto& ref : refs) t = ledger::sign_transaction(std::move(t), keys.at(ref), ref);
    return json::canonical(t);
  }
  // Signed as each account's k1.
  std::string tx(const std::string& type, Json body, std::initializer_list<std::string> accounts) {
    Json t = ledger::make_transaction("ecoledger", next_id(), type, std::move(body));
    for (const auto& a : accounts) t = ledger::sign_transaction(std::move(t), keys.at(a + "#k1"), a + "#k1");
    return json::canonical(t);
  }
  std::string open(const std::string& account, const std::string& role) {
    auto key = *crypto::PrivateKey::generate();
    keys.emplace(account + "#k1", key);
    return tx("account.open", {{"account", account}, {"role", role}, {"name", account}, {"keys", {{{"id", "k1"}, {"pub", key.public_base64()}}}}},
              {"registry"});
  }
};

Json prt(const std::string& serial, const std::string& holder, std::int64_t quantity, const std::string& from, const std::string& to) {
  return {{"asset", "PRT"}, {"serial", serial}, {"holder", holder}, {"quantity", quantity}, {"pollutant", "COD"},
          {"region", "350428"}, {"valid_from", from}, {"valid_to", to}};
}

Json transfer(const std::string& from, const std::string& to, const std::string& lot, Json quantity) {
  return {{"from", from}, {"to", to}, {"lot", lot}, {"quantity", std::move(quantity)}};
}

Json pledge_body(const std::string& id, const std::string& holder, const std::string& bank, const std::string& lot, std::int64_t q,
                 const std::string& maturity = "2040-12-31") {
  return {{"pledge", id}, {"holder", holder}, {"bank", bank}, {"lot", lot}, {"quantity", q},
          {"loan", {{"id", "L-" + id}, {"principal_fen", 100000}, {"maturity", maturity}}}};
}

std::string replace_first(std::string text, const std::string& from, const std::string& to) {
  auto at = text.find(from);
  REQUIRE(at != std::string::npos);
  return text.replace(at, from.size(), to);
}

// Replaces the text of member `name` (a string) in a signed transaction's
// JSON text; the rest stays byte for byte.
std::string with_member(const std::string& tx_text, const std::string& name, Json value) {
  Json doc = Json::parse(tx_text);
  doc[name] = std::move(value);
  return doc.dump();
}

struct BadRequest {
  std::string name;
  std::string method;  // "GET" or "POST"
  std::string target;
  std::string body;
  std::string content_type;
  unsigned status;
  std::string code;
};

struct Catalogue {
  std::vector<BadRequest> cases;
  void post(std::string name, std::string body, unsigned status, std::string code, std::string type = "application/json") {
    cases.push_back({std::move(name), "POST", "/v1/tx", std::move(body), std::move(type), status, std::move(code)});
  }
  void get(std::string name, std::string target, unsigned status, std::string code) {
    cases.push_back({std::move(name), "GET", std::move(target), "", "", status, std::move(code)});
  }
};

// The ledger the catalogue runs against: every role, and lots in every
// status (pledged, frozen, retired, expired, free).
struct World {
  std::string dir = make_temp_dir("catalogue");
  std::string data = dir + "/data";
  static constexpr std::size_t connections_max = 6;
  NodeProcess node{data, {"--body-bytes-max", "16384", "--header-timeout-ms", "300", "--connections-max", std::to_string(connections_max),
                          "--threads", "2"}};
  Keyring k;
  HttpClient client{node.port()};
  crypto::PrivateKey buyer_k2 = *crypto::PrivateKey::generate();
  std::string accepted_tx;  // an acknowledged transaction, for id reuse

  World() {
    k.keys.emplace("registry#k1", *crypto::PrivateKey::load_file(data + "/keys/registry.key"));
    for (auto [account, role] : std::initializer_list<std::pair<const char*, const char*>>{
             {"village.a", "holder"}, {"buyer.c", "holder"}, {"bank.b", "bank"}, {"regulator.r", "regulator"},
             {"oracle.o", "oracle"}, {"verifier.v", "verifier"}, {"auditor.x", "auditor"}})
      must(k.open(account, role));
    must(k.tx("asset.issue", prt("PRT-A", "village.a", 1000, "2026-01-01", "2040-12-31"), {"registry"}));
    // PRT-A:1-300 pledged, 301-500 frozen, 501-600 retired, 601-1000 free
    // (until the last transfer below moves 601 to buyer.c: 602-1000 free).
    must(k.tx("pledge.create", pledge_body("p1", "village.a", "bank.b", "PRT-A:1-1000", 300), {"village.a", "bank.b"}));
    must(k.tx("freeze", {{"case", "case-1"}, {"lot", "PRT-A:301-1000"}, {"quantity", 200}}, {"regulator.r"}));
    must(k.tx("retire", {{"holder", "village.a"}, {"lot", "PRT-A:501-1000"}, {"quantity", 100}, {"beneficiary", "town"}, {"purpose", "offset"}},
              {"village.a"}));
    // An expired pollution right: valid_to is before every record's date.
    must(k.tx("asset.issue", prt("PRT-OLD", "village.a", 50, "2020-01-01", "2020-12-31"), {"registry"}));
    must(k.tx("asset.issue", prt("PRT-C", "buyer.c", 10, "2026-01-01", "2040-12-31"), {"registry"}));
    // buyer.c rotates k1 out for k2.
    k.keys.emplace("buyer.c#k2", buyer_k2);
    must(k.tx("key.rotate", {{"account", "buyer.c"}, {"add", {{{"id", "k2"}, {"pub", buyer_k2.public_base64()}}}}, {"revoke", {"k1"}}},
              {"buyer.c"}));
    accepted_tx = k.tx("transfer", transfer("village.a", "buyer.c", "PRT-A:601-1000", 1), {"village.a"});
    must(accepted_tx);
  }
  ~World() {
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
  void must(const std::string& tx) {
    auto a = client.post(tx);
    REQUIRE_MESSAGE(a.status == 200, a.body);
  }
  std::pair<std::uint64_t, std::string> checkpoint() {
    HttpClient c(node.port());
    auto doc = c.get("/v1/checkpoint").json();
    REQUIRE(doc.is_object());
    return {doc["size"].get<std::uint64_t>(), doc["root"].get<std::string>()};
  }
};

void add_json_profile_cases(Catalogue& cat, Keyring& k) {
  std::string good = k.tx("transfer", transfer("village.a", "buyer.c", "PRT-A:602-1000", 1), {"village.a"});
  cat.post("malformed: truncated object", "{\"v\":1", 400, "bad_json");
  cat.post("malformed: single quotes", "{'v':1}", 400, "bad_json");
  cat.post("malformed: trailing garbage", good + "x", 400, "bad_json");
  cat.post("malformed: two documents", good + good, 400, "bad_json");
  cat.post("JSON null", "null", 400, "bad_tx");
  cat.post("duplicate key at top level", "{\"v\":1,\"v\":1,\"ledger\":\"ecoledger\"}", 400, "json_duplicate_key");
  cat.post("duplicate key in the body",
           "{\"v\":1,\"ledger\":\"ecoledger\",\"id\":\"d1\",\"type\":\"transfer\",\"body\":{\"quantity\":1,\"quantity\":2},\"sigs\":[]}",
           400, "json_duplicate_key");
  cat.post("nesting deeper than 32", "{\"a\":" + std::string(40, '[') + std::string(40, ']') + "}", 400, "json_too_deep");
  cat.post("fraction in a quantity", replace_first(good, "\"quantity\":1", "\"quantity\":1.5"), 400, "json_number");
  cat.post("exponent in a quantity", "{\"v\":1e0}", 400, "json_number");
  cat.post("integer above 2^53-1", "{\"v\":9007199254740992}", 400, "json_number");
  cat.post("integer below -(2^53-1)", "{\"v\":-9007199254740992}", 400, "json_number");
  cat.post("huge integer", "{\"v\":123456789012345678901234567890}", 400, "json_number");
  cat.post("invalid UTF-8 in a string", "{\"v\":1,\"id\":\"a\xff\xfe\"}", 400, "bad_json");
  cat.post("overlong UTF-8 encoding", "{\"v\":1,\"id\":\"\xc0\xaf\"}", 400, "bad_json");
  cat.post("lone surrogate escape", "{\"v\":1,\"id\":\"\\ud800\"}", 400, "bad_json");
  cat.post("empty body (no content type)", "", 400, "unsupported_media_type");
  cat.post("whitespace only", "  \n ", 400, "bad_json");
}

void add_shape_cases(Catalogue& cat, Keyring& k) {
  std::string good = k.tx("transfer", transfer("village.a", "buyer.c", "PRT-A:602-1000", 1), {"village.a"});
  cat.post("wrong type: top level is an array", "[" + good + "]", 400, "bad_tx");
  cat.post("wrong type: v is a string", with_member(good, "v", "1"), 400, "bad_tx");
  cat.post("wrong type: body is an array", with_member(good, "body", Json::array()), 400, "bad_tx");
  cat.post("wrong type: sigs is an object", with_member(good, "sigs", Json::object()), 400, "bad_tx");
  cat.post("wrong type: quantity is a string",
           k.tx("transfer", transfer("village.a", "buyer.c", "PRT-A:602-1000", "1"), {"village.a"}), 400, "wrong_type");
  cat.post("wrong type: to is a number", k.tx("transfer", {{"from", "village.a"}, {"to", 7}, {"lot", "PRT-A:602-1000"}, {"quantity", 1}},
                                              {"village.a"}),
           400, "wrong_type");
  cat.post("unknown top-level member", with_member(good, "memo", "hi"), 400, "bad_tx");
  Json extra = transfer("village.a", "buyer.c", "PRT-A:602-1000", 1);
  extra["memo"] = "free money";
  cat.post("unknown body member", k.tx("transfer", extra, {"village.a"}), 400, "bad_tx");
  Json doc = Json::parse(good);
  doc.erase("id");
  cat.post("missing id", doc.dump(), 400, "bad_tx");
  cat.post("missing lot in the body", k.tx("transfer", {{"from", "village.a"}, {"to", "buyer.c"}, {"quantity", 1}}, {"village.a"}), 400,
           "missing_field");
  cat.post("version 2", with_member(good, "v", 2), 400, "bad_tx");
  cat.post("unknown transaction type", k.tx("mint.money", {{"amount", 1}}, {"registry"}), 404, "unknown_type");
  cat.post("no signatures", with_member(good, "sigs", Json::array()), 400, "bad_tx");
  Json nine = Json::array();
  for (int i = 0; i < 9; ++i) nine.push_back({{"key", "village.a#k" + std::to_string(i)}, {"sig", Json::parse(good)["sigs"][0]["sig"]}});
  cat.post("nine signatures", with_member(good, "sigs", nine), 400, "bad_tx");
  cat.post("signature key without #", with_member(good, "sigs", Json::array({{{"key", "village.a"}, {"sig", Json::parse(good)["sigs"][0]["sig"]}}})),
           400, "bad_tx");
  cat.post("bad base64 in a signature", with_member(good, "sigs", Json::array({{{"key", "village.a#k1"}, {"sig", "!!!not base64!!!"}}})), 400,
           "bad_base64");
  std::string sig = Json::parse(good)["sigs"][0]["sig"];
  std::string nonzero_padding = sig;
  // 64 bytes end in one byte: two characters and "==", the second carrying
  // 2 data bits and 4 padding bits; 'B' (000001) sets a padding bit.
  nonzero_padding[nonzero_padding.size() - 3] = 'B';
  cat.post("base64 with non-zero padding bits", with_member(good, "sigs", Json::array({{{"key", "village.a#k1"}, {"sig", nonzero_padding}}})),
           400, "bad_base64");
  cat.post("signature of 63 bytes", with_member(good, "sigs", Json::array({{{"key", "village.a#k1"}, {"sig", crypto::base64_encode(std::string(63, 'x'))}}})),
           400, "bad_signature_encoding");
  cat.post("text/plain body", good, 400, "unsupported_media_type", "text/plain");
  std::string many;
  for (int i = 0; i < 1025; ++i) many += "{}\n";
  cat.post("NDJSON of 1025 transactions", many, 413, "too_large", "application/x-ndjson");
  cat.post("body over the 16 KiB limit", std::string(20000, ' ') + good, 413, "too_large");
}

void add_signature_cases(Catalogue& cat, Keyring& k, const World& w) {
  // Signed, then the quantity changed: the signature no longer covers the bytes.
  Json doc = Json::parse(k.tx("transfer", transfer("village.a", "buyer.c", "PRT-A:602-1000", 1), {"village.a"}));
  doc["body"]["quantity"] = 399;
  cat.post("bad signature (body changed after signing)", doc.dump(), 400, "bad_signature");
  Json other = Json::parse(k.tx("transfer", transfer("village.a", "buyer.c", "PRT-A:602-1000", 1), {"village.a"}));
  other["sigs"] = Json::parse(k.tx("transfer", transfer("village.a", "buyer.c", "PRT-A:602-1000", 2), {"village.a"}))["sigs"];
  cat.post("signature of another transaction", other.dump(), 400, "bad_signature");
  cat.post("signed for another ledger id",
           k.sign("other-ledger", k.next_id(), "transfer", transfer("village.a", "buyer.c", "PRT-A:602-1000", 1), {"village.a#k1"}), 400,
           "wrong_ledger");
  std::string reused_id = Json::parse(w.accepted_tx)["id"];
  cat.post("reused id with other content",
           k.sign("ecoledger", reused_id, "transfer", transfer("village.a", "buyer.c", "PRT-A:602-1000", 2), {"village.a#k1"}), 409, "id_reused");
  cat.post("revoked (rotated-out) key", k.tx("transfer", transfer("buyer.c", "village.a", "PRT-C:1-10", 1), {"buyer.c"}), 403, "unknown_key");
  Json undeclared = ledger::make_transaction("ecoledger", k.next_id(), "transfer", transfer("buyer.c", "village.a", "PRT-C:1-10", 1));
  undeclared = ledger::sign_transaction(std::move(undeclared), k.keys.at("buyer.c#k2"), "buyer.c#k9");
  cat.post("key id never declared", json::canonical(undeclared), 403, "unknown_key");
  Json ghost = ledger::make_transaction("ecoledger", k.next_id(), "transfer", transfer("ghost", "village.a", "PRT-C:1-10", 1));
  ghost = ledger::sign_transaction(std::move(ghost), k.keys.at("buyer.c#k2"), "ghost#k1");
  cat.post("signature by an unknown account", json::canonical(ghost), 403, "unknown_key");
}

void add_registry_cases(Catalogue& cat, Keyring& k) {
  const std::string free_lot = "PRT-A:602-1000";
  cat.post("unknown account (transfer to nobody)", k.tx("transfer", transfer("village.a", "nobody", free_lot, 1), {"village.a"}), 404,
           "unknown_account");
  cat.post("unknown lot", k.tx("transfer", transfer("village.a", "buyer.c", "PRT-A:1-1000", 1), {"village.a"}), 404, "unknown_lot");
  cat.post("zero quantity", k.tx("transfer", transfer("village.a", "buyer.c", free_lot, 0), {"village.a"}), 400, "bad_quantity");
  cat.post("negative quantity", k.tx("transfer", transfer("village.a", "buyer.c", free_lot, -5), {"village.a"}), 400, "bad_quantity");
  cat.post("quantity 2^53-1 (more than the lot)",
           k.tx("transfer", transfer("village.a", "buyer.c", free_lot, 9007199254740991LL), {"village.a"}), 409, "insufficient_free_units");
  cat.post("issue of zero units",
           k.tx("asset.issue", prt("PRT-Z", "village.a", 0, "2026-01-01", "2030-12-31"), {"registry"}), 400, "bad_quantity");
  cat.post("transfer of pledged units", k.tx("transfer", transfer("village.a", "buyer.c", "PRT-A:1-300", 1), {"village.a"}), 409, "units_pledged");
  cat.post("transfer of frozen units", k.tx("transfer", transfer("village.a", "buyer.c", "PRT-A:301-500", 1), {"village.a"}), 409, "units_frozen");
  cat.post("transfer of retired units", k.tx("transfer", transfer("village.a", "buyer.c", "PRT-A:501-600", 1), {"village.a"}), 409, "units_retired");
  cat.post("transfer of an expired pollution right", k.tx("transfer", transfer("village.a", "buyer.c", "PRT-OLD:1-50", 1), {"village.a"}), 409,
           "right_expired");
  cat.post("pledge of expired units", k.tx("pledge.create", pledge_body("p-old", "village.a", "bank.b", "PRT-OLD:1-50", 5), {"village.a", "bank.b"}),
           409, "right_expired");
  cat.post("transfer of another's lot", k.tx("transfer", transfer("village.a", "bank.b", "PRT-C:1-10", 1), {"village.a"}), 409, "not_holder");
  cat.post("pledge id taken", k.tx("pledge.create", pledge_body("p1", "village.a", "bank.b", free_lot, 5), {"village.a", "bank.b"}), 409,
           "pledge_exists");
  cat.post("enforce before maturity", k.tx("pledge.enforce", {{"pledge", "p1"}}, {"bank.b", "registry"}), 409, "not_matured");
  cat.post("release of an unknown pledge", k.tx("pledge.release", {{"pledge", "p-none"}}, {"bank.b"}), 404, "unknown_pledge");
  cat.post("unfreeze of an unknown case", k.tx("unfreeze", {{"case", "case-none"}}, {"regulator.r"}), 404, "unknown_case");
  cat.post("serial issued twice", k.tx("asset.issue", prt("PRT-A", "village.a", 5, "2026-01-01", "2030-12-31"), {"registry"}), 409,
           "serial_exists");
  cat.post("account opened twice", k.tx("account.open", {{"account", "village.a"}, {"role", "holder"}, {"name", "again"},
                                                        {"keys", {{{"id", "k1"}, {"pub", k.keys.at("village.a#k1").public_base64()}}}}},
                                        {"registry"}),
           409, "account_exists");
  cat.post("bad date", k.tx("asset.issue", prt("PRT-D", "village.a", 5, "2026-01-01", "2030-13-01"), {"registry"}), 400, "bad_date");
  cat.post("bad public key", k.tx("account.open", {{"account", "bad.key"}, {"role", "holder"}, {"name", "x"}, {"keys", {{{"id", "k1"}, {"pub", "AAAA"}}}}},
                                  {"registry"}),
           400, "bad_key");
}

// Every rule about who may sign what (docs/FORMAT.md §7-8): 403 not_authorized.
void add_role_cases(Catalogue& cat, Keyring& k) {
  const std::string free_lot = "PRT-A:602-1000";
  auto role = [&](std::string name, const std::string& type, Json body, std::initializer_list<std::string> signers) {
    cat.post("role: " + name, k.tx(type, std::move(body), signers), 403, "not_authorized");
  };
  auto key = k.keys.at("village.a#k1").public_base64();
  role("account.open by a holder", "account.open",
       {{"account", "mallory"}, {"role", "registry"}, {"name", "m"}, {"keys", {{{"id", "k1"}, {"pub", key}}}}}, {"village.a"});
  role("key.rotate of another account", "key.rotate", {{"account", "village.a"}, {"revoke", {"k1"}}}, {"bank.b"});
  role("asset.issue by a holder", "asset.issue", prt("PRT-X", "village.a", 5, "2026-01-01", "2030-12-31"), {"village.a"});
  role("CSC issue without a verifier", "asset.issue",
       {{"asset", "CSC"}, {"serial", "CSC-X"}, {"holder", "village.a"}, {"quantity", 5}, {"standard", "CCER"}, {"project", "p"}, {"vintage", 2025}},
       {"registry"});
  role("asset.issue to a verifier", "asset.issue", prt("PRT-V", "verifier.v", 5, "2026-01-01", "2030-12-31"), {"registry"});
  role("transfer signed by another account", "transfer", transfer("village.a", "buyer.c", free_lot, 1), {"bank.b"});
  role("transfer to a regulator", "transfer", transfer("village.a", "regulator.r", free_lot, 1), {"village.a"});
  role("retire signed by a bank", "retire",
       {{"holder", "village.a"}, {"lot", free_lot}, {"quantity", 1}, {"beneficiary", "b"}, {"purpose", "p"}}, {"bank.b"});
  role("pledge.create without the bank", "pledge.create", pledge_body("p2", "village.a", "bank.b", free_lot, 5), {"village.a"});
  role("pledge.create to a holder as bank", "pledge.create", pledge_body("p3", "village.a", "village.a", free_lot, 5), {"village.a"});
  role("pledge.release by the holder", "pledge.release", {{"pledge", "p1"}}, {"village.a"});
  role("pledge.enforce without the registry", "pledge.enforce", {{"pledge", "p1"}}, {"bank.b"});
  role("freeze by a bank", "freeze", {{"case", "case-2"}, {"lot", free_lot}, {"quantity", 1}}, {"bank.b"});
  role("unfreeze by the holder", "unfreeze", {{"case", "case-1"}}, {"village.a"});
  role("price.publish by the registry", "price.publish",
       {{"asset", "FCT"}, {"market", "fj"}, {"price_fen_per_t", 100}, {"as_of", "2026-01-01"}, {"source", "s"}}, {"registry"});
  role("methodology.publish by an oracle", "methodology.publish", {{"id", "m"}, {"version", 1}, {"params", Json::object()}}, {"oracle.o"});
  role("a second genesis", "genesis",
       {{"registry", {{"account", "registry"}, {"keys", {{{"id", "k1"}, {"pub", key}}}}}}, {"node", {{"keys", {{{"id", "n1"}, {"pub", key}}}}}}},
       {"registry"});
}

void add_path_cases(Catalogue& cat, Keyring& k) {
  cat.get("path: ../ escapes", "/v1/accounts/..%2F..%2Fetc%2Fpasswd", 400, "bad_path");
  cat.get("path: encoded slash", "/v1/accounts/a%2Fb", 400, "bad_path");
  cat.get("path: dot-dot segment", "/v1/accounts/..", 400, "bad_path");
  cat.get("path: NUL byte", "/v1/lots/a%00b", 400, "bad_path");
  cat.get("path: bad percent escape", "/v1/serials/%zz", 400, "bad_path");
  cat.get("path: truncated percent escape", "/v1/pledges/a%2", 400, "bad_path");
  cat.get("path: backslash", "/v1/accounts/a%5Cb", 400, "bad_path");
  cat.get("path: 129 characters", "/v1/accounts/" + std::string(129, 'a'), 400, "bad_path");
  cat.get("path: extra segments", "/v1/accounts/a/../../healthz", 404, "not_found");
  cat.get("path: unknown route", "/v1/secrets", 404, "not_found");
  cat.get("query: negative from", "/v1/records?from=-1", 400, "bad_query");
  cat.get("query: parameter twice", "/v1/records?from=1&from=2", 400, "bad_query");
  cat.get("query: a key that is not UTF-8, given twice (quoted in the message)", "/v1/records?k\xcc=1&k\xcc=2", 400, "bad_query");
  cat.get("query: proof beyond the head", "/v1/proofs/inclusion?seq=100000", 400, "proof_range");
  cat.get("GET on the write route", "/v1/tx", 405, "method_not_allowed");
  cat.post("tx id with a slash", k.sign("ecoledger", "a/b", "transfer", transfer("village.a", "buyer.c", "PRT-A:602-1000", 1), {"village.a#k1"}),
           400, "bad_tx");
  cat.post("tx id with ../", k.sign("ecoledger", "../x", "transfer", transfer("village.a", "buyer.c", "PRT-A:602-1000", 1), {"village.a#k1"}), 400,
           "bad_tx");
  cat.post("account id with a slash",
           k.tx("account.open", {{"account", "a/b"}, {"role", "holder"}, {"name", "x"}, {"keys", {{{"id", "k1"}, {"pub", k.keys.at("village.a#k1").public_base64()}}}}},
                {"registry"}),
           400, "bad_tx");
  cat.post("serial with a slash", k.tx("asset.issue", prt("PRT/../A", "village.a", 5, "2026-01-01", "2030-12-31"), {"registry"}), 400, "bad_tx");
  cat.post("pledge id with a slash", k.tx("pledge.create", pledge_body("p/../1", "village.a", "bank.b", "PRT-A:602-1000", 5), {"village.a", "bank.b"}),
           400, "bad_tx");
}

// Polls /metrics over `probe` until the node counts only the probe and the
// world's keep-alive checkpoint client, i.e. until it has seen every earlier
// connection close. A refusal (status 0: still over the limit) closes the
// probe; its next get reconnects.
static void wait_until_only_probe_and_client(HttpClient& probe) {
  for (int i = 0; i < 200; ++i) {
    if (probe.get("/metrics").body.find("ecoledger_http_connections 2\n") != std::string::npos) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

TEST_CASE("ecoledgerd: hostile-input catalogue, each refused with its status and code, the checkpoint unchanged") {
  World w;
  Catalogue cat;
  add_json_profile_cases(cat, w.k);
  add_shape_cases(cat, w.k);
  add_signature_cases(cat, w.k, w);
  add_registry_cases(cat, w.k);
  add_role_cases(cat, w.k);
  add_path_cases(cat, w.k);
  CHECK(cat.cases.size() >= 40);
  MESSAGE("catalogue cases over HTTP: " << cat.cases.size());

  const auto before = w.checkpoint();
  for (const auto& bad : cat.cases) {
    CAPTURE(bad.name);
    HttpClient c(w.node.port());
    HttpAnswer a = bad.method == "GET" ? c.get(bad.target) : c.request(http::verb::post, bad.target, bad.body, bad.content_type);
    CAPTURE(a.body);
    CHECK(a.status == bad.status);
    CHECK(a.code() == bad.code);
    CHECK(a.json()["error"]["message"].is_string());
    CHECK(w.checkpoint() == before);
  }

  {
    INFO("both Content-Length and Transfer-Encoding: 400 and closed");
    RawConnection raw(w.node.port());
    raw.send("POST /v1/tx HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 5\r\n"
             "Transfer-Encoding: chunked\r\n\r\n5\r\n{\"a\":\r\n0\r\n\r\n");
    auto [bytes, closed] = raw.read_until_closed(5000);
    CHECK(bytes.starts_with("HTTP/1.1 400"));
    CHECK(bytes.find("\"code\":\"bad_request\"") != std::string::npos);
    CHECK(closed);
  }
  {
    INFO("a header that never ends (bytes trickling in) is cut off");
    RawConnection raw(w.node.port());
    raw.send("GET /healthz HTTP/1.1\r\nHost: x\r\n");
    // One header line every 50 ms; the node closes after --header-timeout-ms
    // (300 ms) of header, however slowly it keeps coming.
    bool closed = false;
    std::string bytes;
    for (int i = 0; i < 100 && !closed; ++i) {
      raw.send("X-Slow-" + std::to_string(i) + ": y\r\n");
      std::tie(bytes, closed) = raw.read_until_closed(50);
    }
    CHECK(closed);
    CHECK(bytes.empty());
  }
  {
    INFO("more connections than --connections-max: the extra one is closed unanswered");
    // The first held connection is also the probe: wait until the node counts
    // only it and the catalogue's keep-alive client, i.e. until it has seen
    // every earlier connection close. (A fresh probe per try would itself be
    // an earlier connection whose close the node may not have seen yet.)
    auto first = std::make_unique<HttpClient>(w.node.port());
    wait_until_only_probe_and_client(*first);
    std::vector<std::unique_ptr<HttpClient>> held;
    held.push_back(std::move(first));
    for (std::size_t i = 1; i + 1 < World::connections_max; ++i) {
      held.push_back(std::make_unique<HttpClient>(w.node.port()));
      CHECK(held.back()->get("/healthz").status == 200);
    }
    HttpClient extra(w.node.port());
    CHECK(extra.get("/healthz").status == 0);
    held.clear();
  }
  {
    INFO("a request line that is not HTTP: 400 and closed");
    // The held connections above may not have been seen closing yet; until
    // they are, a new connection is over the limit and closed unanswered.
    HttpClient probe(w.node.port());
    wait_until_only_probe_and_client(probe);
    RawConnection raw(w.node.port());
    raw.send("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03 not http\r\n\r\n");
    auto [bytes, closed] = raw.read_until_closed(5000);
    CHECK(bytes.starts_with("HTTP/1.1 400"));
    CHECK(closed);
  }
  // The node still serves and the ledger is as it was.
  for (int i = 0; i < 200; ++i) {
    HttpClient probe(w.node.port());
    if (probe.get("/healthz").status == 200) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  CHECK(w.checkpoint() == before);
  HttpClient after(w.node.port());
  CHECK(after.post(w.k.tx("transfer", transfer("village.a", "buyer.c", "PRT-A:602-1000", 1), {"village.a"})).status == 200);

  // The log names refusals by code; it holds no request body, no signature
  // and no key material.
  std::ifstream log(w.data + ".stderr");
  std::string logged((std::istreambuf_iterator<char>(log)), std::istreambuf_iterator<char>());
  CHECK(logged.find("\"code\":\"units_pledged\"") != std::string::npos);
  CHECK(logged.find("free money") == std::string::npos);
  CHECK(logged.find("PRIVATE KEY") == std::string::npos);
  std::size_t signatures_checked = 0;
  for (const auto& bad : cat.cases) {
    Json doc = Json::parse(bad.body, nullptr, false);
    if (!doc.is_object() || !doc.contains("sigs") || !doc["sigs"].is_array()) continue;
    for (const auto& sig : doc["sigs"])
      if (sig.is_object() && sig.contains("sig") && sig["sig"].is_string() && sig["sig"].get<std::string>().size() > 16) {
        CHECK(logged.find(sig["sig"].get<std::string>().substr(0, 16)) == std::string::npos);
        ++signatures_checked;
      }
  }
  CHECK(signatures_checked > 40);
}

}  // namespace
}  // namespace ecoledger::testing
