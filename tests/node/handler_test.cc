// The pure request handler and the code -> status table, without sockets.
#include <doctest/doctest.h>

#include "node/handler.h"
#include "node/limits.h"
#include "node/status.h"
#include "tests/ledger/test_support.h"

namespace ecoledger::node {
namespace {

using json::Json;

struct Fixture {
  testing::TestLedger t;
  Metrics metrics;
  HandlerConfig config{limits::json_depth_max, 4, 3};
  Context context{*t.ledger, t.node, config, &metrics, nullptr};

  Routed get(const std::string& target, const std::string& method = "GET") {
    std::string name;
    return route(Request{method, target, "", ""}, context, name);
  }
  Response answer(const std::string& target, const std::string& method = "GET") {
    Routed r = get(target, method);
    REQUIRE(std::holds_alternative<Response>(r));
    return std::get<Response>(r);
  }
  Routed post(const std::string& body, const std::string& type = "application/json") {
    std::string name;
    return route(Request{"POST", "/v1/tx", type, body}, context, name);
  }
};

std::string code_of(const Response& r) { return Json::parse(r.body)["error"]["code"].get<std::string>(); }

TEST_CASE("every refusal code has its HTTP status") {
  const std::vector<std::pair<const char*, unsigned>> table = {
      {"bad_json", 400}, {"json_duplicate_key", 400}, {"json_too_deep", 400}, {"json_number", 400}, {"bad_tx", 400},
      {"missing_field", 400}, {"wrong_type", 400}, {"wrong_ledger", 400}, {"bad_base64", 400}, {"bad_signature_encoding", 400},
      {"bad_key", 400}, {"bad_signature", 400}, {"bad_quantity", 400}, {"bad_date", 400}, {"growth_negative", 400},
      {"growth_implausible", 400}, {"period_invalid", 400}, {"plot_duplicate", 400}, {"species_unknown", 400}, {"bad_input", 400},
      {"not_authorized", 403}, {"unknown_key", 403}, {"unknown_account", 404}, {"unknown_lot", 404}, {"unknown_pledge", 404},
      {"unknown_case", 404}, {"unknown_serial", 404}, {"unknown_type", 404}, {"not_found", 404}, {"method_not_allowed", 405},
      {"id_reused", 409}, {"account_exists", 409}, {"units_pledged", 409}, {"units_frozen", 409}, {"units_retired", 409},
      {"insufficient_free_units", 409}, {"not_holder", 409}, {"right_expired", 409}, {"serial_exists", 409},
      {"plot_period_issued", 409}, {"pledge_exists", 409}, {"pledge_closed", 409}, {"not_matured", 409}, {"case_closed", 409},
      {"quantity_mismatch", 409}, {"methodology_exists", 409}, {"methodology_unknown", 409}, {"too_large", 413},
      {"overloaded", 429}, {"shutting_down", 503}, {"storage_unavailable", 503}, {"corruption", 500}};
  for (const auto& [code, status] : table) {
    CAPTURE(code);
    CHECK(http_status_for(code) == status);
  }
}

TEST_CASE("path ids are percent-decoded and checked") {
  CHECK(decode_path_id("FCT-350428-2021-000001:1-100").value() == "FCT-350428-2021-000001:1-100");
  CHECK(decode_path_id("village.changkou").value() == "village.changkou");
  CHECK(decode_path_id("a%3Ab").value() == "a:b");
  for (const char* bad : {"", "..", ".", "a..b", "a%2Fb", "%2e%2e", "a%zz", "a%4", "a%", "a b", "a%00", "\xc3\xa9"}) {
    CAPTURE(bad);
    CHECK(decode_path_id(bad).error().code == "bad_path");
  }
  CHECK_FALSE(decode_path_id(std::string(limits::path_id_bytes_max + 1, 'a')));
}

TEST_CASE("routes: reads, unknown routes, wrong methods, bad ids") {
  Fixture f;
  CHECK(f.answer("/healthz").status == 200);
  CHECK(f.answer("/metrics").body.find("ecoledger_ledger_records 1") != std::string::npos);
  Response unknown = f.answer("/v2/nothing");
  CHECK(unknown.status == 404);
  CHECK(code_of(unknown) == "not_found");
  CHECK(f.answer("/v1/accounts/a/b/c/d").status == 404);
  Response wrong = f.answer("/v1/checkpoint", "POST");
  CHECK(wrong.status == 405);
  CHECK(wrong.allow == "GET");
  CHECK(f.answer("/v1/tx").status == 405);
  CHECK(f.answer("/v1/accounts/registry").status == 200);
  CHECK(code_of(f.answer("/v1/accounts/nobody")) == "unknown_account");
  CHECK(f.answer("/v1/accounts/nobody").status == 404);
  CHECK(code_of(f.answer("/v1/accounts/a%2F..%2Fb")) == "bad_path");
  CHECK(code_of(f.answer("/v1/lots/%zz")) == "bad_path");
  CHECK(code_of(f.answer("/v1/pledges/p1")) == "unknown_pledge");
  CHECK(f.answer("/v1/banks/registry/pledges").status == 200);
  CHECK(f.answer("/v1/prices").status == 200);
  CHECK(Json::parse(f.answer("/v1/checkpoint").body)["size"] == 1);
  CHECK(f.answer("/v1/proofs/inclusion?seq=0&size=1").status == 200);
  CHECK(code_of(f.answer("/v1/proofs/inclusion?seq=5")) == "proof_range");
  CHECK(code_of(f.answer("/v1/proofs/inclusion?seq=x")) == "bad_query");
  CHECK(code_of(f.answer("/v1/proofs/inclusion")) == "bad_query");
  CHECK(f.answer("/v1/proofs/consistency?from=1&to=1").status == 200);
  CHECK(code_of(f.answer("/v1/records?from=1&from=2")) == "bad_query");
}

TEST_CASE("records ranges are clamped to the ledger and the page limit") {
  Fixture f;
  for (int i = 0; i < 5; ++i) f.t.open_account("acct" + std::to_string(i), "holder");
  auto range = std::get<RecordRange>(f.get("/v1/records?from=1&limit=100"));
  CHECK(range.from == 1);
  CHECK(range.to == 4);  // records_page_max is 3 here
  range = std::get<RecordRange>(f.get("/v1/records?from=50"));
  CHECK(range.from == range.to);
}

TEST_CASE("POST /v1/tx: media types, JSON limits, NDJSON counts") {
  Fixture f;
  CHECK(code_of(std::get<Response>(f.post("{}", "text/plain"))) == "unsupported_media_type");
  Response bad = std::get<Response>(f.post("{nope"));
  CHECK(bad.status == 400);
  CHECK(code_of(bad) == "bad_json");
  std::string deep(limits::json_depth_max + 1, '[');
  deep += std::string(limits::json_depth_max + 1, ']');
  CHECK(code_of(std::get<Response>(f.post(deep))) == "json_too_deep");
  CHECK(code_of(std::get<Response>(f.post("{}\n{}\n{}\n{}\n{}\n", "application/x-ndjson"))) == "too_large");
  CHECK(code_of(std::get<Response>(f.post("\n\n", "application/x-ndjson"))) == "bad_tx");

  auto submit = std::get<Submit>(f.post("{\"id\":\"a\"}\n{bad\n{\"id\":\"b\"}\n", "application/x-ndjson"));
  CHECK(submit.texts.size() == 2);
  REQUIRE(submit.early.size() == 3);
  CHECK(submit.early[1]->code == "bad_json");
  std::vector<Result<ledger::Receipt>> results = {ledger::Receipt{7, std::string(64, 'a'), "t"},
                                                  std::unexpected(Error{"id_reused", "x"})};
  Response r = submit_response(submit, results);
  CHECK(r.status == 200);
  CHECK(r.body == "{\"hash\":\"" + std::string(64, 'a') + "\",\"seq\":7,\"time\":\"t\"}\n"
                  "{\"error\":{\"code\":\"bad_json\",\"message\":\"" + submit.early[1]->message + "\"}}\n"
                  "{\"error\":{\"code\":\"id_reused\",\"message\":\"x\"}}\n");
}

TEST_CASE("a single transaction's refusal carries its status") {
  Fixture f;
  auto t = f.t.signed_by(f.t.tx("account.open", {{"account", "v1"}, {"role", "holder"}, {"name", "v"},
                                                 {"keys", {{{"id", "k1"}, {"pub", f.t.node.public_base64()}}}}}),
                         {"registry"});
  auto submit = std::get<Submit>(f.post(json::canonical(t)));
  auto results = f.t.ledger->submit(submit.texts, testing::t0_ms);
  Response ok = submit_response(submit, results);
  CHECK(ok.status == 200);
  CHECK(Json::parse(ok.body)["seq"] == 1);
  Response again = submit_response(submit, {std::unexpected(Error{"account_exists", "exists"})});
  CHECK(again.status == 409);
  CHECK(code_of(again) == "account_exists");
}

}  // namespace
}  // namespace ecoledger::node
