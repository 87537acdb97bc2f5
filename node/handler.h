// The request handler: a pure function from an HTTP request to what to do
// with it. It touches no socket, so routing, validation and every answer are
// tested without a network (tests/node/handler_test.cc).
//
// route() answers reads itself (they are safe from any thread). A write
// comes back as a Submit for the sequencer, whose results submit_response()
// turns into the answer; GET /v1/records comes back as a RecordRange that the
// session streams in chunks.
// Thread-safety: route() may run on any I/O thread concurrently.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "base/result.h"
#include "ledger/crypto.h"
#include "ledger/ledger.h"
#include "node/metrics.h"
#include "node/read_cache.h"
#include "valuation/tables.h"

namespace ecoledger::node {

class ReadTokens;

struct Request {
  std::string method;        // "GET", "POST", ...
  std::string target;        // path and query, as received
  std::string content_type;  // without parameters, lower case
  std::string body;
  std::string authorization = {};  // the Authorization header (read tokens); never logged
};

struct Response {
  unsigned status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::string allow;  // for 405
};

// Transactions to append. early[i] is set when line i was refused before the
// sequencer (bad JSON); texts holds the others in order.
struct Submit {
  bool ndjson = false;
  std::vector<std::string> texts;
  std::vector<std::optional<Error>> early;
  std::vector<std::string> ids;    // per line, for the logs ("" if unknown)
  std::vector<std::string> types;  // per line
};

struct RecordRange {
  std::uint64_t from = 0;
  std::uint64_t to = 0;  // exclusive
};

using Routed = std::variant<Response, Submit, RecordRange>;

struct HandlerConfig {
  int json_depth_max;
  std::size_t request_transactions_max;
  std::size_t records_page_max;
};

struct Context {
  const ledger::Ledger& ledger;
  const crypto::PrivateKey& node_key;
  HandlerConfig config;
  const Metrics* metrics = nullptr;
  std::function<std::size_t()> connections;  // for /metrics; may be empty
  const ReadTokens* read_tokens = nullptr;    // --read-tokens; null: reads are open
  const valuation::TableSet* tables = nullptr;  // valuation tables; null: /v1/valuations answers tables_unavailable
  ReadCache* read_cache = nullptr;              // answers to state reads; null: every read is computed
};

// `route_name` receives the route pattern for metrics ("/v1/accounts/{id}").
Routed route(const Request& request, const Context& context, std::string& route_name);

// The answer to a Submit given the sequencer's results (one per text).
// Logs every write and every refusal.
Response submit_response(const Submit& submit, const std::vector<Result<ledger::Receipt>>& results);

Response error_response(const Error& error);

// Percent-decodes and validates one path segment: 1..path_id_bytes_max of
// [A-Za-z0-9._:-], not "." or "..", no "..". Error "bad_path".
Result<std::string> decode_path_id(std::string_view segment);

}  // namespace ecoledger::node
