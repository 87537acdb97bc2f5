#include "node/handler.h"

#include <charconv>
#include <map>
#include <thread>

#include "ledger/queries.h"
#include "ledger/state_machine.h"
#include "ledger/transaction.h"
#include "ledger/valuations.h"
#include "node/limits.h"
#include "node/log.h"
#include "node/read_access.h"
#include "node/status.h"

namespace ecoledger::node {
namespace {

using json::Json;

Response json_response(unsigned status, const Json& doc) {
  Response r;
  r.status = status;
  r.body = json::canonical(doc);
  r.body.push_back('\n');
  return r;
}

Response from_result(const Result<Json>& result) {
  if (!result) return error_response(result.error());
  return json_response(200, *result);
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

Result<std::string> percent_decode(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out.push_back(text[i]);
      continue;
    }
    if (i + 2 >= text.size()) return fail("bad_path", "truncated percent escape");
    int hi = hex_value(text[i + 1]), lo = hex_value(text[i + 2]);
    if (hi < 0 || lo < 0) return fail("bad_path", "bad percent escape");
    out.push_back(static_cast<char>(hi * 16 + lo));
    i += 2;
  }
  return out;
}

Result<std::uint64_t> parse_u64(std::string_view name, std::string_view text) {
  std::uint64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size())
    return fail("bad_query", std::string(name) + " must be a non-negative integer");
  return v;
}

using Query = std::map<std::string, std::string, std::less<>>;

Result<Query> parse_query(std::string_view query) {
  Query out;
  while (!query.empty()) {
    auto amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (pair.empty()) continue;
    auto eq = pair.find('=');
    std::string_view key = pair.substr(0, eq);
    std::string_view value = eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1);
    auto v = percent_decode(value);
    if (!v) return fail("bad_query", "bad percent escape in the query");
    if (!out.emplace(std::string(key), *v).second) return fail("bad_query", "parameter " + std::string(key) + " given twice");
  }
  return out;
}

Result<std::uint64_t> query_u64(const Query& q, std::string_view name, std::optional<std::uint64_t> fallback) {
  auto it = q.find(name);
  if (it == q.end()) {
    if (fallback) return *fallback;
    return fail("bad_query", "parameter " + std::string(name) + " is required");
  }
  return parse_u64(name, it->second);
}

std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> parts;
  std::size_t at = 1;  // path starts with '/'
  while (at <= path.size()) {
    auto slash = path.find('/', at);
    if (slash == std::string_view::npos) slash = path.size();
    parts.push_back(path.substr(at, slash - at));
    at = slash + 1;
  }
  return parts;
}

std::string state_time(const ledger::Ledger& ledger) { return ledger.head().time; }

Response not_found() { return error_response(Error{"not_found", "no such route"}); }

Response method_not_allowed(const char* allow) {
  Response r = error_response(Error{"method_not_allowed", "this route takes " + std::string(allow)});
  r.allow = allow;
  return r;
}

// ---- valuations (/v1/valuations/...; ledger/valuations.h) -----------------

std::optional<std::string> query_text(const Query& q, std::string_view name) {
  auto it = q.find(name);
  if (it == q.end()) return std::nullopt;
  return it->second;
}

Result<const valuation::TableSet*> node_tables(const Context& c) {
  if (c.tables == nullptr) return fail("tables_unavailable", "this node has no valuation tables (ecoledgerd --tables DIR)");
  return c.tables;
}

// Mark-to-market of the pledges that secure `pledge_id`'s loan on `date`.
Result<Json> pledge_valuation(const Context& c, const std::string& pledge_id, const std::optional<std::string>& date) {
  const auto& state = c.ledger.store().state();
  ECOLEDGER_TRY(tables, node_tables(c));
  ECOLEDGER_TRY(pledges, ledger::pledges_of_loan(state, pledge_id));
  ECOLEDGER_TRY(book, ledger::ledger_pledge_book(state, *pledges, date, state_time(c.ledger)));
  ECOLEDGER_TRY(report, ledger::mark_to_market(*book, **tables, Json::object()));
  return valuation::pledge_report_to_json(*report);
}

// The pledge view's current valuation and its loan's coverage, or why there
// is none (no price published yet, no tables): the pledge is shown either way.
void add_pledge_valuation(const Context& c, const std::string& pledge_id, Json& doc) {
  auto report = pledge_valuation(c, pledge_id, std::nullopt);
  if (!report) {
    doc["valuation_error"] = Json{{"code", report.error().code}, {"message", report.error().message}};
    return;
  }
  const std::string loan_key = doc["pledge"]["bank"].get<std::string>() + "/" + doc["pledge"]["loan"]["id"].get<std::string>();
  for (const Json& loan : (*report)["loans"])
    if (loan["loan_id"] == loan_key) doc["coverage"] = loan;
  doc["valuation"] = std::move(*report);
}

// A bank's open pledges, marked to market or stress-tested.
Result<Json> bank_valuation(const Context& c, const std::string& bank, const std::optional<std::string>& date, bool stress) {
  const auto& state = c.ledger.store().state();
  ECOLEDGER_TRY(tables, node_tables(c));
  if (!state.get(ledger::account_key(bank))) return fail("unknown_account", "no account \"" + bank + "\"");
  ECOLEDGER_TRY(book, ledger::ledger_pledge_book(state, ledger::open_pledges_of_bank(state, bank), date, state_time(c.ledger)));
  if (!stress) {
    ECOLEDGER_TRY(report, ledger::mark_to_market(*book, **tables, Json::object()));
    return valuation::pledge_report_to_json(*report);
  }
  ECOLEDGER_TRY(report, ledger::stress_book(*book, **tables, Json::object()));
  return valuation::stress_report_to_json(*report);
}

// POST bodies are measurements: fractions allowed (json::parse_measurements).
Result<Json> valuation_input(const Request& request, const Context& c) {
  if (request.content_type != "application/json") return fail("unsupported_media_type", "valuation inputs are application/json");
  ECOLEDGER_TRY(input, json::parse_measurements(request.body, c.config.json_depth_max));
  if (!input->is_object()) return fail("bad_input", "a valuation input is a JSON object");
  return input;
}

Result<Json> post_valuation(std::string_view what, const Request& request, const Context& c) {
  ECOLEDGER_TRY(input, valuation_input(request, c));
  if (what == "carbon") {
    ECOLEDGER_TRY(result, ledger::quantify_on_ledger(c.ledger.store().state(), *input));
    return valuation::carbon_result_to_json(*result);
  }
  ECOLEDGER_TRY(tables, node_tables(c));
  if (what == "gep") {
    ECOLEDGER_TRY(account, ledger::gep_account(**tables, *input));
    return valuation::gep_account_to_json(*account);
  }
  ECOLEDGER_TRY(result, ledger::grade(**tables, *input));
  return valuation::grade_result_to_json(*result);
}

// The tables this node values with: its table files and the methodologies
// published on the ledger.
Json tables_document(const Context& c) {
  auto list = [](const valuation::TableSet& set) {
    Json out = Json::array();
    for (const auto& t : set.list()) out.push_back(Json{{"kind", t.kind}, {"id", t.id}, {"version", t.version}});
    return out;
  };
  return Json{{"files", c.tables ? list(*c.tables) : Json::array()},
              {"published", list(ledger::published_methodologies(c.ledger.store().state()))}};
}

// Valuation reports may hold fractions (GEP), so they are not JCS-encoded.
Response report_response(const Result<Json>& result) {
  if (!result) return error_response(result.error());
  Response r;
  r.body = result->dump(-1, ' ', false, Json::error_handler_t::replace);
  r.body.push_back('\n');
  return r;
}

// /v1/valuations/...: POST carbon|gep|grade; GET tables, pledges/{id},
// banks/{id}, banks/{id}/stress (?date=YYYY-MM-DD, default the last record's).
Routed valuation_route(const Request& request, const Context& c, const std::vector<std::string_view>& parts, const Query& query,
                       std::string& name) {
  const bool get = request.method == "GET";
  std::string_view kind = parts.size() > 2 ? parts[2] : std::string_view();
  if (parts.size() == 3 && (kind == "carbon" || kind == "gep" || kind == "grade")) {
    name = kind == "carbon" ? "/v1/valuations/carbon" : kind == "gep" ? "/v1/valuations/gep" : "/v1/valuations/grade";
    if (request.method != "POST") return method_not_allowed("POST");
    return report_response(post_valuation(kind, request, c));
  }
  if (parts.size() == 3 && kind == "tables") {
    name = "/v1/valuations/tables";
    if (!get) return method_not_allowed("GET");
    return report_response(tables_document(c));
  }
  const bool pledge = kind == "pledges" && parts.size() == 4;
  const bool bank = kind == "banks" && parts.size() == 4;
  const bool stress = kind == "banks" && parts.size() == 5 && parts[4] == "stress";
  if (!pledge && !bank && !stress) return not_found();
  name = pledge ? "/v1/valuations/pledges/{id}" : bank ? "/v1/valuations/banks/{id}" : "/v1/valuations/banks/{id}/stress";
  if (!get) return method_not_allowed("GET");
  auto id = decode_path_id(parts[3]);
  if (!id) return error_response(id.error());
  auto date = query_text(query, "date");
  if (pledge) return report_response(pledge_valuation(c, *id, date));
  return report_response(bank_valuation(c, *id, date, stress));
}

// The pledge, the current checkpoint and inclusion proofs against it of the
// records that made the pledge: its creation, its closing, its serial's issuance;
// its current valuation and its loan's coverage (or "valuation_error").
Result<Json> pledge_document(const Context& c, const std::string& id) {
  const auto& state = c.ledger.store().state();
  auto pledge = ledger::query_pledge(state, id);
  if (!pledge) return pledge;
  std::vector<std::pair<std::string, std::uint64_t>> made;
  for (const char* what : {"created", "closed"})
    if (pledge->contains(what) && (*pledge)[what].is_number_unsigned()) made.emplace_back(what, (*pledge)[what].get<std::uint64_t>());
  if (auto serial = ledger::query_serial(state, pledge->value("serial", ""), state_time(c.ledger)); serial) {
    const Json& issuance = (*serial)["issuance"];
    if (issuance.contains("issued") && issuance["issued"].is_number_unsigned())
      made.emplace_back("issued", issuance["issued"].get<std::uint64_t>());
  }
  std::uint64_t seq_max = 0;
  for (const auto& m : made) seq_max = std::max(seq_max, m.second);
  // The state may be a moment ahead of the published head; wait for the head.
  Json checkpoint;
  constexpr int head_waits_max = 100;
  for (int i = 0; i < head_waits_max; ++i) {
    checkpoint = c.ledger.checkpoint(c.node_key, ledger::now_unix_ms());
    if (checkpoint["size"].get<std::uint64_t>() > seq_max) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  std::uint64_t size = checkpoint["size"].get<std::uint64_t>();
  Json proofs = Json::array();
  for (const auto& [what, seq] : made) {
    if (seq >= size) return fail("storage_unavailable", "the head is behind the state; retry");
    auto record = c.ledger.store().record(seq);
    auto proof = c.ledger.inclusion_proof(seq, size);
    if (!record || !proof) return fail("storage_unavailable", "cannot read record " + std::to_string(seq));
    proofs.push_back(Json{{"made", what}, {"seq", seq}, {"record", *record}, {"proof", *proof}});
  }
  Json doc{{"pledge", *pledge}, {"checkpoint", checkpoint}, {"proofs", proofs}};
  add_pledge_valuation(c, id, doc);
  return doc;
}

Routed post_tx(const Request& request, const Context& c) {
  Submit submit;
  submit.ndjson = request.content_type == "application/x-ndjson";
  if (!submit.ndjson && request.content_type != "application/json")
    return error_response(Error{"unsupported_media_type", "POST /v1/tx takes application/json or application/x-ndjson"});
  std::vector<std::string> lines;
  if (submit.ndjson) {
    std::string_view rest = request.body;
    while (!rest.empty()) {
      auto nl = rest.find('\n');
      std::string_view line = rest.substr(0, nl);
      rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      if (line.find_first_not_of(" \t") == std::string_view::npos) continue;
      if (lines.size() == c.config.request_transactions_max)
        return error_response(Error{"too_large", "at most " + std::to_string(c.config.request_transactions_max) + " transactions a request"});
      lines.emplace_back(line);
    }
  } else {
    lines.push_back(request.body);
  }
  if (lines.empty()) return error_response(Error{"bad_tx", "no transaction given"});
  for (auto& line : lines) {
    auto doc = json::parse_strict(line, c.config.json_depth_max);
    std::string id, type;
    if (doc && doc->is_object()) {
      id = doc->value("id", Json()).is_string() ? (*doc)["id"].get<std::string>() : "";
      type = doc->value("type", Json()).is_string() ? (*doc)["type"].get<std::string>() : "";
    }
    submit.ids.push_back(id);
    submit.types.push_back(type);
    if (!doc) {
      submit.early.emplace_back(doc.error());
      if (!submit.ndjson) return submit_response(submit, {});
      continue;
    }
    submit.early.emplace_back();
    submit.texts.push_back(std::move(line));
  }
  if (submit.texts.empty()) return submit_response(submit, {});
  return submit;
}

}  // namespace

Response error_response(const Error& error) {
  // A message may quote what the client sent (a query key, an id), which need not be UTF-8.
  return json_response(http_status_for(error.code),
                       Json{{"error", {{"code", error.code}, {"message", json::utf8_or_replacement(error.message)}}}});
}

Result<std::string> decode_path_id(std::string_view segment) {
  auto decoded = percent_decode(segment);
  if (!decoded) return decoded;
  if (decoded->empty() || decoded->size() > limits::path_id_bytes_max) return fail("bad_path", "an id is 1 to 128 characters");
  for (char ch : *decoded) {
    bool good = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '.' || ch == '_' ||
                ch == ':' || ch == '-';
    if (!good) return fail("bad_path", "an id is made of [A-Za-z0-9._:-]");
  }
  if (decoded->find("..") != std::string::npos || *decoded == ".") return fail("bad_path", "an id may not contain \"..\"");
  return decoded;
}

Routed route(const Request& request, const Context& c, std::string& name) {
  std::string_view target = request.target;
  auto qmark = target.find('?');
  std::string_view path = target.substr(0, qmark);
  std::string_view query_text = qmark == std::string_view::npos ? std::string_view() : target.substr(qmark + 1);
  name = "other";
  if (path.empty() || path[0] != '/') return error_response(Error{"bad_path", "the target must be a path"});
  auto parts = split_path(path);
  const bool get = request.method == "GET";
  auto query = parse_query(query_text);
  if (!query) return error_response(query.error());
  const auto& state = c.ledger.store().state();
  if (c.read_tokens != nullptr && get)
    if (auto refused = authorize_read(*c.read_tokens, request.authorization, path, state)) return error_response(*refused);

  if (path == "/v1/tx") {
    name = "/v1/tx";
    if (request.method != "POST") return method_not_allowed("POST");
    return post_tx(request, c);
  }
  if (path == "/healthz") {
    name = "/healthz";
    if (!get) return method_not_allowed("GET");
    return json_response(200, Json{{"ok", true}, {"ledger", c.ledger.id()}, {"size", c.ledger.head().size}});
  }
  if (path == "/metrics") {
    name = "/metrics";
    if (!get) return method_not_allowed("GET");
    Response r;
    r.content_type = "text/plain; version=0.0.4";
    r.body = c.metrics ? c.metrics->render(c.ledger.head().size, c.connections ? c.connections() : 0) : "";
    if (c.read_cache) r.body += c.read_cache->metrics_text();
    return r;
  }
  if (parts.size() < 2 || parts[0] != "v1") return not_found();
  std::string_view what = parts[1];
  auto fixed = [&](const char* route_name) -> std::optional<Response> {
    name = route_name;
    if (!get) return method_not_allowed("GET");
    return std::nullopt;
  };
  if (parts.size() == 2) {
    if (what == "checkpoint") {
      if (auto r = fixed("/v1/checkpoint")) return *r;
      return json_response(200, c.ledger.checkpoint(c.node_key, ledger::now_unix_ms()));
    }
    if (what == "prices") {
      if (auto r = fixed("/v1/prices")) return *r;
      return json_response(200, ledger::query_prices(state));
    }
    if (what == "records") {
      if (auto r = fixed("/v1/records")) return *r;
      auto from = query_u64(*query, "from", 0);
      auto limit = query_u64(*query, "limit", c.config.records_page_max);
      if (!from) return error_response(from.error());
      if (!limit) return error_response(limit.error());
      std::uint64_t size = c.ledger.head().size;
      std::uint64_t begin = std::min(*from, size);
      std::uint64_t count = std::min<std::uint64_t>(*limit, c.config.records_page_max);
      return RecordRange{begin, begin + std::min(count, size - begin)};
    }
    return not_found();
  }
  if (what == "proofs" && parts.size() == 3) {
    std::uint64_t size = c.ledger.head().size;
    if (parts[2] == "inclusion") {
      if (auto r = fixed("/v1/proofs/inclusion")) return *r;
      auto seq = query_u64(*query, "seq", std::nullopt);
      auto n = query_u64(*query, "size", size);
      if (!seq) return error_response(seq.error());
      if (!n) return error_response(n.error());
      return from_result(c.ledger.inclusion_proof(*seq, *n));
    }
    if (parts[2] == "consistency") {
      if (auto r = fixed("/v1/proofs/consistency")) return *r;
      auto from = query_u64(*query, "from", std::nullopt);
      auto to = query_u64(*query, "to", size);
      if (!from) return error_response(from.error());
      if (!to) return error_response(to.error());
      return from_result(c.ledger.consistency_proof(*from, *to));
    }
    return not_found();
  }
  if (what == "valuations") return valuation_route(request, c, parts, *query, name);
  // /v1/{collection}/{id}[/{sub}]
  if (parts.size() > 4) return not_found();
  std::string_view sub = parts.size() == 4 ? parts[3] : std::string_view();
  const char* pattern = nullptr;
  if (what == "accounts" && parts.size() == 3) pattern = "/v1/accounts/{id}";
  else if (what == "accounts" && sub == "lots") pattern = "/v1/accounts/{id}/lots";
  else if (what == "lots" && parts.size() == 3) pattern = "/v1/lots/{lot}";
  else if (what == "serials" && parts.size() == 3) pattern = "/v1/serials/{serial}";
  else if (what == "pledges" && parts.size() == 3) pattern = "/v1/pledges/{id}";
  else if (what == "banks" && sub == "pledges") pattern = "/v1/banks/{id}/pledges";
  if (pattern == nullptr) return not_found();
  if (auto r = fixed(pattern)) return *r;
  auto id = decode_path_id(parts[2]);
  if (!id) return error_response(id.error());
  // The pledge view carries a freshly signed checkpoint: never cached.
  if (what == "pledges") return from_result(pledge_document(c, *id));
  // Read the head first: the state is then at least as new (see node/read_cache.h).
  const ledger::Head head = c.ledger.head();
  if (c.read_cache != nullptr)
    if (auto body = c.read_cache->find(request.target, head.size)) {
      Response r;
      r.body = std::move(*body);
      return r;
    }
  const std::string& time = head.time;
  Response r;
  if (what == "accounts" && parts.size() == 3) r = from_result(ledger::query_account(state, *id, time));
  else if (what == "accounts") {
    auto after = query->find("after");
    auto limit = query_u64(*query, "limit", ledger::account_lots_page_max);
    if (!limit) return error_response(limit.error());
    r = from_result(ledger::query_account_lots(state, *id, time, after == query->end() ? std::string_view() : std::string_view(after->second), *limit));
  }
  else if (what == "lots") r = from_result(ledger::query_lot(state, *id, time));
  else if (what == "serials") r = from_result(ledger::query_serial(state, *id, time));
  else {
    auto open = query->find("open");
    r = from_result(ledger::query_bank_pledges(state, *id, open != query->end() && (open->second == "true" || open->second == "1")));
  }
  if (c.read_cache != nullptr && r.status == 200) c.read_cache->store(request.target, head.size, r.body);
  return r;
}

Response submit_response(const Submit& submit, const std::vector<Result<ledger::Receipt>>& results) {
  std::vector<Result<ledger::Receipt>> all;
  std::size_t next = 0;
  for (const auto& early : submit.early) {
    if (early) all.push_back(std::unexpected(*early));
    else all.push_back(next < results.size() ? results[next++] : Result<ledger::Receipt>(std::unexpected(Error{"storage_unavailable", "no result"})));
  }
  for (std::size_t i = 0; i < all.size(); ++i) {
    Json event{{"event", all[i] ? "tx" : "refused"}, {"id", submit.ids[i]}, {"type", submit.types[i]}};
    if (all[i]) event["seq"] = all[i]->seq;
    else event["code"] = all[i].error().code;
    log_event(std::move(event));
  }
  if (!submit.ndjson) {
    if (!all.at(0)) return error_response(all[0].error());
    return json_response(200, all[0]->to_json());
  }
  // NDJSON: 200 and one line per transaction, a receipt or its refusal.
  Response r;
  r.content_type = "application/x-ndjson";
  for (const auto& one : all) {
    Json line = one ? one->to_json() : Json{{"error", {{"code", one.error().code}, {"message", one.error().message}}}};
    r.body += json::canonical(line);
    r.body.push_back('\n');
  }
  return r;
}

}  // namespace ecoledger::node
