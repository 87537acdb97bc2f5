// The pure request handler and the code -> status table, without sockets.
#include <doctest/doctest.h>

#include <fstream>
#include <sstream>

#include "ledger/valuations.h"
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
      {"unauthorized", 401}, {"forbidden", 403},
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

TEST_CASE("an account's lots come in pages that together list every lot once") {
  Fixture f;
  f.t.open_account("h", "holder");
  for (int i = 0; i < 25; ++i) {
    auto issued = f.t.submit(f.t.signed_by(f.t.tx("asset.issue", {{"asset", "PRT"}, {"serial", "PRT-P-" + std::to_string(100 + i)}, {"holder", "h"},
                                                                 {"quantity", 10}, {"pollutant", "COD"}, {"region", "350500"},
                                                                 {"valid_from", "2026-01-01"}, {"valid_to", "2030-12-31"}}),
                                           {"registry"}));
    REQUIRE(issued.has_value());
  }
  Json all = Json::parse(f.answer("/v1/accounts/h/lots").body);
  REQUIRE(all["lots"].size() == 25);
  CHECK_FALSE(all.contains("next"));
  Json paged = Json::array();
  std::string target = "/v1/accounts/h/lots?limit=10";
  int pages = 0;
  for (;;) {
    Response r = f.answer(target);
    REQUIRE(r.status == 200);
    Json page = Json::parse(r.body);
    CHECK(page["lots"].size() <= 10);
    for (const Json& lot : page["lots"]) paged.push_back(lot);
    ++pages;
    if (!page.contains("next")) break;
    CHECK(page["next"] == page["lots"].back()["lot"]);
    target = "/v1/accounts/h/lots?limit=10&after=" + page["next"].get<std::string>();
  }
  CHECK(pages == 3);
  CHECK(paged == all["lots"]);
  // After the last lot: an empty page; after a lot that no longer exists: the lots that sort after its range.
  CHECK(Json::parse(f.answer("/v1/accounts/h/lots?after=PRT-P-124:1-10").body)["lots"].empty());
  CHECK(Json::parse(f.answer("/v1/accounts/h/lots?after=PRT-P-123:1-9&limit=1").body)["lots"][0]["lot"] == "PRT-P-123:1-10");
  for (const char* bad : {"?limit=0", "?limit=1001", "?limit=x", "?limit=1&limit=2", "?after=~", "?after=PRT-P-100:01-10", "?after=PRT-P-100"}) {
    CAPTURE(bad);
    Response r = f.answer(std::string("/v1/accounts/h/lots") + bad);
    CHECK(r.status == 400);
    CHECK(code_of(r) == "bad_query");
  }
}

TEST_CASE("an account's lots of one serial come in the order of their ranges") {
  Fixture f;
  f.t.open_account("h", "holder");
  f.t.open_account("g", "holder");
  REQUIRE(f.t.submit(f.t.signed_by(f.t.tx("asset.issue", {{"asset", "PRT"}, {"serial", "PRT-R"}, {"holder", "h"}, {"quantity", 1000},
                                                        {"pollutant", "COD"}, {"region", "350500"}, {"valid_from", "2026-01-01"},
                                                        {"valid_to", "2030-12-31"}}),
                                   {"registry"})));
  // h ends with six lots of PRT-R; as text their ids would sort
  // 1-9, 100-299, 1000-1000, 10-20, 21-99, 300-999.
  auto move = [&](const std::string& from, const std::string& to, const std::string& id, int quantity) {
    auto r = f.t.submit(f.t.signed_by(f.t.tx("transfer", {{"from", from}, {"to", to}, {"lot", id}, {"quantity", quantity}}), {from}));
    REQUIRE_MESSAGE(r.has_value(), (r ? "" : r.error().code + ": " + r.error().message));
  };
  move("h", "g", "PRT-R:1-1000", 999);   // g: 1-999; h keeps 1000-1000
  move("g", "h", "PRT-R:1-999", 9);      // h: 1-9
  move("g", "h", "PRT-R:10-999", 11);    // h: 10-20
  move("g", "h", "PRT-R:21-999", 79);    // h: 21-99
  move("g", "h", "PRT-R:100-999", 200);  // h: 100-299
  move("g", "h", "PRT-R:300-999", 700);  // h: 300-999
  Json lots = Json::parse(f.answer("/v1/accounts/h/lots").body)["lots"];
  std::vector<std::string> ids;
  for (const Json& l : lots) ids.push_back(l["lot"]);
  CHECK(ids == std::vector<std::string>{"PRT-R:1-9", "PRT-R:10-20", "PRT-R:21-99", "PRT-R:100-299", "PRT-R:300-999", "PRT-R:1000-1000"});
  CHECK(Json::parse(f.answer("/v1/accounts/g/lots").body)["lots"].empty());
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

// ---- /v1/valuations and the pledge view's valuation -------------------------

std::string read_source(const std::string& relative) {
  std::ifstream in(std::string(ECOLEDGER_SOURCE_DIR) + "/" + relative, std::ios::binary);
  REQUIRE_MESSAGE(in.good(), relative);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// A ledger with a village, a bank and an oracle, the node's table files, and
// helpers to append transactions and ask the handler.
struct ValuationFixture {
  testing::TestLedger t;
  Metrics metrics;
  valuation::TableSet tables = *ledger::load_table_files(std::string(ECOLEDGER_SOURCE_DIR) + "/valuation/data");
  HandlerConfig config{limits::json_depth_max, 4, 3};
  Context context{*t.ledger, t.node, config, &metrics, nullptr, nullptr, &tables};

  ValuationFixture() {
    t.open_account("village.a", "holder");
    t.open_account("bank.b", "bank");
    t.open_account("oracle.o", "oracle");
    t.open_account("verifier.v", "verifier");
  }
  void ok(const Json& tx) {
    auto r = t.submit(tx);
    REQUIRE_MESSAGE(r.has_value(), (r ? "" : r.error().code + ": " + r.error().message));
  }
  Response ask(const std::string& method, const std::string& target, const std::string& body = "",
               const std::string& type = "application/json") {
    std::string name;
    Routed r = route(Request{method, target, type, body}, context, name);
    REQUIRE(std::holds_alternative<Response>(r));
    return std::get<Response>(r);
  }
  Json get_json(const std::string& target) {
    Response r = ask("GET", target);
    REQUIRE_MESSAGE(r.status == 200, r.body);
    return Json::parse(r.body);
  }
  void publish_default_methodology() {
    Json doc = Json::parse(read_source("valuation/data/methodology_default.json"));
    ok(t.signed_by(t.tx("methodology.publish", {{"id", doc["id"]}, {"version", doc["version"]}, {"params", doc["params"]}}), {"registry"}));
  }
  void issue_prt(const std::string& serial, std::int64_t kg) {
    ok(t.signed_by(t.tx("asset.issue", {{"asset", "PRT"}, {"serial", serial}, {"holder", "village.a"}, {"quantity", kg}, {"pollutant", "COD"},
                                        {"region", "350428"}, {"valid_from", "2026-01-01"}, {"valid_to", "2030-12-31"}}),
                   {"registry"}));
  }
  void pledge(const std::string& id, const std::string& lot, std::int64_t kg, const std::string& loan, std::int64_t principal_fen) {
    ok(t.signed_by(t.tx("pledge.create", {{"pledge", id}, {"holder", "village.a"}, {"bank", "bank.b"}, {"lot", lot}, {"quantity", kg},
                                          {"loan", {{"id", loan}, {"principal_fen", principal_fen}, {"maturity", "2028-12-31"}}}}),
                   {"village.a", "bank.b"}));
  }
  void price_cod(std::int64_t fen_per_t_year, const std::string& as_of) {
    ok(t.signed_by(t.tx("price.publish", {{"asset", "PRT"}, {"kind", "COD"}, {"market", "haixia"}, {"price_fen_per_t", fen_per_t_year},
                                          {"as_of", as_of}, {"source", "test"}}),
                   {"oracle.o"}));
  }
};

TEST_CASE("POST /v1/valuations/carbon quantifies with the methodology published on the ledger") {
  ValuationFixture f;
  const std::string example = read_source("valuation/examples/carbon_changkou.json");
  // Nothing published yet: the node does not fall back on its table files.
  Response none = f.ask("POST", "/v1/valuations/carbon", example);
  CHECK(none.status == 409);
  CHECK(code_of(none) == "table_missing");
  Json named = Json::parse(example);
  named.erase("tables");
  named["methodology"] = {{"id", "smcer-stock-change-default"}, {"version", 1}};
  CHECK(code_of(f.ask("POST", "/v1/valuations/carbon", named.dump())) == "methodology_unknown");

  f.publish_default_methodology();
  Json result = Json::parse(f.ask("POST", "/v1/valuations/carbon", example).body);
  CHECK(result["kg_co2e"] == 12722948);  // docs/VALUATION.md, Changkou ticket 0000001
  CHECK(result["methodology"]["id"] == "smcer-stock-change-default");
  CHECK(Json::parse(f.ask("POST", "/v1/valuations/carbon", named.dump()).body) == result);
  // The same as the table files give (what `ecoledger value carbon` prints)...
  CHECK(valuation::carbon_result_to_json(*ledger::quantify_with_tables(f.tables, Json::parse(example))) == result);
  // ...and the quantity an issuance must carry.
  Json provenance = named;
  provenance.erase("methodology");
  provenance.erase("note");
  provenance["county"] = "350428";
  provenance["village"] = "Changkou";
  auto issue = [&](std::int64_t kg) {
    return f.t.signed_by(f.t.tx("asset.issue", {{"asset", "FCT"}, {"serial", "FCT-350428-2021-000001"}, {"holder", "village.a"},
                                                {"quantity", kg}, {"methodology", named["methodology"]}, {"provenance", provenance}}),
                         {"registry", "verifier.v"});
  };
  CHECK(f.t.error_of(issue(result["kg_co2e"].get<std::int64_t>() + 1)) == "quantity_mismatch");
  f.ok(issue(result["kg_co2e"].get<std::int64_t>()));

  // Refusals: method, media type, JSON, input.
  Response get = f.ask("GET", "/v1/valuations/carbon");
  CHECK(get.status == 405);
  CHECK(get.allow == "POST");
  CHECK(code_of(f.ask("POST", "/v1/valuations/carbon", example, "text/plain")) == "unsupported_media_type");
  CHECK(code_of(f.ask("POST", "/v1/valuations/carbon", "{nope")) == "bad_json");
  CHECK(code_of(f.ask("POST", "/v1/valuations/carbon", "[1]")) == "bad_input");
  CHECK(code_of(f.ask("POST", "/v1/valuations/carbon", "{\"a\":1,\"a\":2}")) == "json_duplicate_key");
  Json shrunk = Json::parse(example);
  shrunk["plots"][0]["stock_end_dm3"] = 1;
  Response negative = f.ask("POST", "/v1/valuations/carbon", shrunk.dump());
  CHECK(negative.status == 400);
  CHECK(code_of(negative) == "growth_negative");
  CHECK(f.ask("POST", "/v1/valuations/nothing", example).status == 404);
}

TEST_CASE("GET /v1/pledges/{id} carries the current valuation and the loan's coverage") {
  ValuationFixture f;
  f.issue_prt("PRT-350428-COD-0001", 100000);
  f.pledge("p1", "PRT-350428-COD-0001:1-100000", 60000, "L1", 1000000);
  // No price yet: the pledge is shown, with the reason it has no value.
  Json before = f.get_json("/v1/pledges/p1");
  CHECK(before["pledge"]["status"] == "open");
  CHECK(before["valuation_error"]["code"] == "price_missing");
  CHECK_FALSE(before.contains("coverage"));

  f.price_cod(141900, "2026-01-05");
  Json view = f.get_json("/v1/pledges/p1");
  REQUIRE(view.contains("coverage"));
  CHECK(view["valuation"]["valuation_date"] == "2026-11-28");
  CHECK(view["valuation"]["pledges"][0]["price_fen"] == 141900);
  CHECK(view["coverage"]["loan_id"] == "bank.b/L1");
  CHECK(view["coverage"]["principal_fen"] == 1000000);
  // Same state, same answer; only the checkpoint's signing time (and so its
  // signature) may differ, since each view carries a freshly signed one.
  Json again = f.get_json("/v1/pledges/p1");
  for (Json* v : {&view, &again}) {
    REQUIRE((*v)["checkpoint"].contains("time"));
    (*v)["checkpoint"].erase("time");
    (*v)["checkpoint"].erase("sig");
  }
  CHECK(view == again);
  CHECK(view["proofs"].size() == 2);

  // A second pledge for the same loan counts in its coverage, from either pledge.
  f.pledge("p2", "PRT-350428-COD-0001:60001-100000", 40000, "L1", 1000000);
  Json both = f.get_json("/v1/pledges/p1");
  CHECK(both["valuation"]["pledges"].size() == 2);
  CHECK(both["coverage"]["collateral_value_fen"].get<std::int64_t>() > view["coverage"]["collateral_value_fen"].get<std::int64_t>());
  CHECK(both["coverage"] == f.get_json("/v1/pledges/p2")["coverage"]);

  // Without tables the view still answers; the valuation says why not.
  f.context.tables = nullptr;
  CHECK(f.get_json("/v1/pledges/p1")["valuation_error"]["code"] == "tables_unavailable");
}

TEST_CASE("GET /v1/valuations/pledges/{id} and banks/{id}[/stress] are the CLI's reports from the ledger") {
  ValuationFixture f;
  f.issue_prt("PRT-350428-COD-0001", 100000);
  f.pledge("p1", "PRT-350428-COD-0001:1-100000", 100000, "L1", 1000000);
  CHECK(code_of(f.ask("GET", "/v1/valuations/pledges/p1")) == "price_missing");
  f.price_cod(141900, "2026-01-05");
  f.price_cod(100000, "2026-06-01");

  const auto& state = f.t.ledger->store().state();
  auto book_on = [&](const std::string& date) {
    auto book = ledger::ledger_pledge_book(state, {"p1"}, date, f.t.ledger->head().time);
    REQUIRE(book.has_value());
    return *book;
  };
  Json report = f.get_json("/v1/valuations/pledges/p1?date=2026-12-01");
  CHECK(report == valuation::pledge_report_to_json(*ledger::mark_to_market(book_on("2026-12-01"), f.tables, Json::object())));
  CHECK(report["pledges"][0]["price_fen"] == 100000);
  CHECK(report["pledges"][0]["remaining_days"] == 1492);
  // An earlier date takes the price in force then.
  CHECK(f.get_json("/v1/valuations/pledges/p1?date=2026-03-01")["pledges"][0]["price_fen"] == 141900);
  CHECK(f.get_json("/v1/valuations/pledges/p1")["valuation_date"] == "2026-11-28");  // default: the last record's date

  Json bank = f.get_json("/v1/valuations/banks/bank.b?date=2026-12-01");
  CHECK(bank == report);
  Json stress = f.get_json("/v1/valuations/banks/bank.b/stress?date=2026-12-01");
  CHECK(stress == valuation::stress_report_to_json(*ledger::stress_book(book_on("2026-12-01"), f.tables, Json::object())));
  CHECK(stress["scenarios"].size() == 6);
  CHECK(f.get_json("/v1/valuations/banks/village.a")["pledges"].empty());  // no open pledges: an empty book

  CHECK(code_of(f.ask("GET", "/v1/valuations/pledges/p1?date=2026-13-01")) == "bad_date");
  CHECK(f.ask("GET", "/v1/valuations/pledges/p1?date=tomorrow").status == 400);
  CHECK(code_of(f.ask("GET", "/v1/valuations/pledges/nope")) == "unknown_pledge");
  CHECK(f.ask("GET", "/v1/valuations/banks/nobody/stress").status == 404);
  CHECK(code_of(f.ask("GET", "/v1/valuations/pledges/a%2F..")) == "bad_path");
  CHECK(f.ask("GET", "/v1/valuations/banks/bank.b/other").status == 404);
  CHECK(f.ask("POST", "/v1/valuations/banks/bank.b/stress").status == 405);
  f.context.tables = nullptr;
  Response unavailable = f.ask("GET", "/v1/valuations/banks/bank.b/stress");
  CHECK(unavailable.status == 503);
  CHECK(code_of(unavailable) == "tables_unavailable");
}

TEST_CASE("POST /v1/valuations/gep and /grade use the node's tables; GET /v1/valuations/tables lists them") {
  ValuationFixture f;
  for (const auto& [kind, file] : {std::pair{"gep", "valuation/examples/gep_county.json"}, std::pair{"grade", "valuation/examples/enterprise.json"}}) {
    CAPTURE(kind);
    const std::string input = read_source(file);
    Response r = f.ask("POST", std::string("/v1/valuations/") + kind, input);
    REQUIRE_MESSAGE(r.status == 200, r.body);
    Json expected = std::string(kind) == "gep" ? valuation::gep_account_to_json(*ledger::gep_account(f.tables, Json::parse(input)))
                                               : valuation::grade_result_to_json(*ledger::grade(f.tables, Json::parse(input)));
    CHECK(Json::parse(r.body) == expected);
    CHECK(f.ask("GET", std::string("/v1/valuations/") + kind).status == 405);
  }
  CHECK(f.ask("POST", "/v1/valuations/gep", "{\"items\":1e999}").status == 400);  // not a finite number
  CHECK(f.ask("POST", "/v1/valuations/grade", "{}").status == 400);
  Json unknown_table = Json::parse(read_source("valuation/examples/enterprise.json"));
  unknown_table["tables"]["grade_rates"] = {{"id", "no-such-table"}};
  CHECK(code_of(f.ask("POST", "/v1/valuations/grade", unknown_table.dump())) == "table_missing");

  f.publish_default_methodology();
  Json tables = f.get_json("/v1/valuations/tables");
  CHECK(tables["files"].size() == f.tables.list().size());
  REQUIRE(tables["published"].size() == 1);
  CHECK(tables["published"][0] == Json{{"id", "smcer-stock-change-default"}, {"kind", "methodology"}, {"version", 1}});
}

}  // namespace
}  // namespace ecoledger::node
