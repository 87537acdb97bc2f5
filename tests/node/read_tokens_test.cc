// --read-tokens over real HTTP: who may read what with which bearer token,
// public routes, writes by signature alone, tokens never logged, and the
// refusal to start with a token file others may read.
#include <fstream>

#include "tests/node/node_process.h"

namespace ecoledger::testing {
namespace {

using json::Json;

const std::string holder_token = "holder-token-0123456789abcdefghijklmnopqrstuv";
const std::string bank_token = "bank-token-0123456789abcdefghijklmnopqrstuvwxyz";
const std::string auditor_token = "auditor-token-0123456789abcdefghijklmnopqrstu";
const std::string regulator_token = "regulator-token-0123456789abcdefghijklmnopqr";

// One GET on a fresh connection with an optional Authorization header.
HttpAnswer get(unsigned short port, const std::string& target, const std::string& authorization = "") {
  asio::io_context io;
  beast::tcp_stream stream(io);
  beast::error_code ec;
  stream.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), ec);
  if (ec) return {};
  http::request<http::string_body> req(http::verb::get, target, 11);
  req.set(http::field::host, "127.0.0.1");
  if (!authorization.empty()) req.set(http::field::authorization, authorization);
  http::write(stream, req, ec);
  if (ec) return {};
  beast::flat_buffer buffer;
  http::response<http::string_body> res;
  http::read(stream, buffer, res, ec);
  if (ec) return {};
  HttpAnswer out{res.result_int(), res.body(), std::string(res[http::field::content_type])};
  if (res.result_int() == 401) CHECK(res[http::field::www_authenticate].starts_with("Bearer"));
  return out;
}

std::string bearer(const std::string& token) { return "Bearer " + token; }

void write_file(const std::string& path, const std::string& text, std::filesystem::perms mode) {
  std::ofstream(path) << text;
  std::filesystem::permissions(path, mode);
}

struct TokenNode {
  std::string dir = make_temp_dir("tokens");
  std::string data = dir + "/data";
  std::string tokens = dir + "/tokens.json";
  std::unique_ptr<NodeProcess> process;
  std::unique_ptr<Signer> signer;
  TokenNode() {
    Json file{{holder_token, {{"account", "village.a"}}},
              {bank_token, {{"accounts", {"bank.b"}}}},
              {auditor_token, {{"role", "auditor"}}},
              {regulator_token, {{"role", "regulator"}}}};
    write_file(tokens, file.dump(), std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
    process = std::make_unique<NodeProcess>(data, std::vector<std::string>{"--read-tokens", tokens});
    signer = std::make_unique<Signer>(data);
  }
  ~TokenNode() {
    process.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
  unsigned short port() const { return process->port(); }
  void must(const std::string& tx) {
    HttpClient c(port());
    auto a = c.post(tx);  // no token: writes are governed by signatures only
    REQUIRE_MESSAGE(a.status == 200, a.body);
  }
};

TEST_CASE("ecoledgerd --read-tokens: holders and banks see their own, auditors everything, public stays public") {
  TokenNode node;
  Signer& s = *node.signer;
  node.must(s.open_account("village.a", "holder"));
  node.must(s.open_account("buyer.c", "holder"));
  node.must(s.open_account("bank.b", "bank"));
  node.must(s.issue_prt("PRT-T-1", "village.a", 1000));
  node.must(s.issue_prt("PRT-T-2", "buyer.c", 10));
  node.must(s.tx("pledge.create",
                 {{"pledge", "p1"}, {"holder", "village.a"}, {"bank", "bank.b"}, {"lot", "PRT-T-1:1-1000"}, {"quantity", 300},
                  {"loan", {{"id", "L1"}, {"principal_fen", 100000}, {"maturity", "2040-12-31"}}}},
                 {"village.a", "bank.b"}));
  const unsigned short port = node.port();
  const std::string pledged = "/v1/lots/PRT-T-1:1-300", village_free = "/v1/lots/PRT-T-1:301-1000", buyer_lot = "/v1/lots/PRT-T-2:1-10";

  // Public without a token.
  for (const char* path : {"/healthz", "/metrics", "/v1/checkpoint", "/v1/proofs/inclusion?seq=1", "/v1/proofs/consistency?from=1&to=3"})
    CHECK_MESSAGE(get(port, path).status == 200, path);

  // No token, an unknown token, another scheme: 401 unauthorized.
  for (const char* path : {"/v1/accounts/village.a", "/v1/records", "/v1/prices", "/v1/pledges/p1", "/v1/serials/PRT-T-1",
                           "/v1/valuations/pledges/p1", "/v1/valuations/banks/bank.b"}) {
    CAPTURE(path);
    CHECK(get(port, path).status == 401);
    CHECK(get(port, path).code() == "unauthorized");
    CHECK(get(port, path, bearer(holder_token + "x")).code() == "unauthorized");
    CHECK(get(port, path, bearer(holder_token.substr(1))).code() == "unauthorized");
    CHECK(get(port, path, "Basic " + holder_token).code() == "unauthorized");
    CHECK(get(port, path, "Bearer ").code() == "unauthorized");
  }

  struct Expect {
    const std::string& token;
    std::string path;
    unsigned status;
  };
  const std::vector<Expect> table = {
      // The holder: its account, lots, pledges; nobody else's.
      {holder_token, "/v1/accounts/village.a", 200},
      {holder_token, "/v1/accounts/village.a/lots", 200},
      {holder_token, pledged, 200},
      {holder_token, village_free, 200},
      {holder_token, "/v1/pledges/p1", 200},
      {holder_token, "/v1/prices", 200},
      {holder_token, "/v1/accounts/buyer.c", 403},
      {holder_token, "/v1/accounts/buyer.c/lots", 403},
      {holder_token, buyer_lot, 403},
      {holder_token, "/v1/lots/PRT-T-9:1-5", 403},  // unknown: no existence oracle
      {holder_token, "/v1/pledges/p-none", 403},
      {holder_token, "/v1/banks/bank.b/pledges", 403},
      {holder_token, "/v1/records", 403},
      {holder_token, "/v1/records?from=0&limit=1", 403},
      {holder_token, "/v1/serials/PRT-T-1", 403},
      {holder_token, "/v1/no-such-route", 403},
      {holder_token, "/v1/accounts/a%2F..", 400},  // refused by the router, nothing read
      // The bank: its pledges and the collateral pledged to it.
      {bank_token, "/v1/banks/bank.b/pledges", 200},
      {bank_token, "/v1/pledges/p1", 200},
      {bank_token, pledged, 200},
      {bank_token, "/v1/accounts/bank.b", 200},
      {bank_token, village_free, 403},
      {bank_token, "/v1/accounts/village.a", 403},
      {bank_token, "/v1/records", 403},
      // Auditor and regulator: everything.
      {auditor_token, "/v1/records", 200},
      {auditor_token, "/v1/serials/PRT-T-1", 200},
      {auditor_token, "/v1/accounts/buyer.c", 200},
      {auditor_token, buyer_lot, 200},
      {auditor_token, "/v1/banks/bank.b/pledges", 200},
      {regulator_token, "/v1/records?from=2", 200},
      {regulator_token, "/v1/accounts/village.a/lots", 200},
      // Valuations read what their pledge or bank book reads (0: allowed,
      // whatever the valuation answers).
      {holder_token, "/v1/valuations/pledges/p1", 0},
      {bank_token, "/v1/valuations/pledges/p1", 0},
      {bank_token, "/v1/valuations/banks/bank.b", 0},
      {bank_token, "/v1/valuations/banks/bank.b/stress", 0},
      {holder_token, "/v1/valuations/tables", 0},
      {holder_token, "/v1/valuations/banks/bank.b", 403},
      {holder_token, "/v1/valuations/banks/bank.b/stress", 403},
      {holder_token, "/v1/valuations/pledges/p-none", 403},
      {auditor_token, "/v1/valuations/banks/bank.b", 0},
  };
  for (const auto& e : table) {
    CAPTURE(e.path);
    CAPTURE(e.token.substr(0, 4));
    auto a = get(port, e.path, bearer(e.token));
    CAPTURE(a.body);
    if (e.status == 0) {
      CHECK(a.status != 0);
      CHECK(a.status != 401);
      CHECK(a.status != 403);
    } else {
      CHECK(a.status == e.status);
    }
    if (e.status == 403) CHECK(a.code() == "forbidden");
  }
  // "bearer" is case-insensitive (RFC 7235).
  CHECK(get(port, "/v1/accounts/village.a", "bEaReR " + holder_token).status == 200);
  // The auditor pulls the whole journal.
  auto records = get(port, "/v1/records", bearer(auditor_token));
  CHECK(std::count(records.body.begin(), records.body.end(), '\n') == 7);

  // No token ever reaches the log.
  std::ifstream log(node.data + ".stderr");
  std::string logged((std::istreambuf_iterator<char>(log)), std::istreambuf_iterator<char>());
  CHECK(logged.find("\"event\":\"refused\"") != std::string::npos);
  for (const auto& t : {holder_token, bank_token, auditor_token, regulator_token}) CHECK(logged.find(t.substr(0, 20)) == std::string::npos);
}

TEST_CASE("ecoledgerd --read-tokens: refuses a token file others may read, or a malformed one") {
  std::string dir = make_temp_dir("tokens-bad");
  std::string tokens = dir + "/tokens.json";
  auto refused = [&](const std::string& why) {
    std::string out = dir + "/out.txt";
    std::string cmd = std::string(ECOLEDGERD_PATH) + " --data " + dir + "/data --listen 127.0.0.1:0 --read-tokens " + tokens + " >" + out + " 2>&1";
    CHECK(std::system(cmd.c_str()) != 0);
    std::ifstream in(out);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    CHECK_MESSAGE(text.find(why) != std::string::npos, text);
    CHECK_FALSE(std::filesystem::exists(dir + "/data/CURRENT"));  // nothing created
  };
  const auto owner = std::filesystem::perms::owner_read | std::filesystem::perms::owner_write;
  write_file(tokens, Json{{holder_token, {{"account", "village.a"}}}}.dump(), owner | std::filesystem::perms::others_read);
  refused("key_permissions");
  write_file(tokens, Json{{holder_token, {{"account", "village.a"}}}}.dump(), owner | std::filesystem::perms::group_read);
  refused("key_permissions");
  write_file(tokens, Json{{"short", {{"account", "village.a"}}}}.dump(), owner);
  refused("bad_tokens");
  write_file(tokens, Json{{holder_token, {{"role", "holder"}}}}.dump(), owner);
  refused("bad_tokens");
  write_file(tokens, "{\"" + holder_token + "\":{\"account\":\"a\"},\"" + holder_token + "\":{\"role\":\"auditor\"}}", owner);
  refused("bad_tokens");
  write_file(tokens, Json{{holder_token, {{"account", "Not/An/Account"}}}}.dump(), owner);
  refused("bad_tokens");
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
}

}  // namespace
}  // namespace ecoledger::testing
