#include <unistd.h>

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <filesystem>
#include <memory>
#include <string>

#include "base/check.h"
#include "base/json.h"
#include "ledger/ledger.h"
#include "ledger/transaction.h"
#include "node/handler.h"
#include "node/http_request.h"
#include "node/limits.h"
#include "node/read_cache.h"
#include "tests/fuzz/fuzz_targets.h"

namespace ecoledger::fuzz {
namespace {

namespace http = boost::beast::http;

// A real RocksDB ledger in a temporary directory, made once per process:
// genesis, a holder and a bank, and a PRT lot, so that reads find things.
struct Fixture {
  std::string dir;
  crypto::PrivateKey registry_key = *crypto::PrivateKey::generate();
  crypto::PrivateKey node_key = *crypto::PrivateKey::generate();
  std::unique_ptr<ledger::Ledger> ledger;
  node::ReadCache cache{1 << 20};

  Fixture() {
    char templ[] = "/tmp/ecoledger-fuzz-http-XXXXXX";
    ECOLEDGER_CHECK(::mkdtemp(templ) != nullptr);
    dir = templ;
    auto created = ledger::Ledger::create(dir + "/ledger", registry_key, node_key, "ecoledger", 1'790'000'000'000);
    ECOLEDGER_CHECK(created.has_value());
    ledger = std::move(*created);
    std::vector<std::string> txs;
    auto signed_by_registry = [&](const std::string& id, const std::string& type, json::Json body) {
      txs.push_back(json::canonical(ledger::sign_transaction(ledger::make_transaction("ecoledger", id, type, std::move(body)),
                                                             registry_key, "registry#k1")));
    };
    for (const char* role : {"holder", "bank"}) {
      auto key = *crypto::PrivateKey::generate();
      std::string account = std::string(role) + ".a";
      signed_by_registry("open-" + account, "account.open",
                         {{"account", account}, {"role", role}, {"name", account}, {"keys", {{{"id", "k1"}, {"pub", key.public_base64()}}}}});
    }
    signed_by_registry("issue-1", "asset.issue",
                       {{"asset", "PRT"}, {"serial", "PRT-A"}, {"holder", "holder.a"}, {"quantity", 1000}, {"pollutant", "COD"},
                        {"region", "350428"}, {"valid_from", "2026-01-01"}, {"valid_to", "2030-12-31"}});
    for (const auto& r : ledger->submit(txs, 1'790'000'000'001)) ECOLEDGER_CHECK(r.has_value());
  }
  ~Fixture() {
    ledger.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
};

Fixture& fixture() {
  static Fixture f;
  return f;
}

bool is_error_object(const std::string& body) {
  auto doc = json::Json::parse(body, nullptr, false);
  return doc.is_object() && doc.contains("error") && doc["error"].is_object() && doc["error"].contains("code") &&
         doc["error"]["code"].is_string() && doc["error"].contains("message") && doc["error"]["message"].is_string();
}

}  // namespace

void http_request(std::string_view input) {
  // Parse the bytes as the server's reader would, with its limits; what does
  // not parse as one whole request is the transport's refusal, not route()'s.
  http::request_parser<http::string_body> parser;
  parser.header_limit(static_cast<std::uint32_t>(node::limits::header_bytes_max));
  parser.body_limit(node::limits::body_bytes_max);
  parser.eager(true);
  boost::beast::error_code ec;
  std::size_t used = parser.put(boost::asio::buffer(input.data(), input.size()), ec);
  if (!ec && !parser.is_done()) parser.put_eof(ec);
  if (ec || !parser.is_done() || used > input.size()) return;

  Fixture& f = fixture();
  const ledger::Head before = f.ledger->head();
  node::Request request = node::request_from_http(parser.get());
  node::Context context{*f.ledger,
                        f.node_key,
                        node::HandlerConfig{node::limits::json_depth_max, node::limits::request_transactions_max,
                                            node::limits::records_page_max},
                        nullptr,
                        {},
                        nullptr,
                        nullptr,
                        &f.cache};
  std::string route_name;
  node::Routed routed = node::route(request, context, route_name);

  // route() never writes: writes come back as a Submit for the sequencer.
  ECOLEDGER_CHECK(f.ledger->head().size == before.size && f.ledger->head().head == before.head);
  ECOLEDGER_CHECK(!route_name.empty());
  if (auto* response = std::get_if<node::Response>(&routed)) {
    // Nothing a client sends is the node's fault; every refusal is an error object.
    ECOLEDGER_CHECK(response->status >= 200 && response->status < 600 && response->status != 500);
    if (response->status >= 400 && response->content_type == "application/json") ECOLEDGER_CHECK(is_error_object(response->body));
    if (response->status == 405) ECOLEDGER_CHECK(!response->allow.empty());
  } else if (auto* submit = std::get_if<node::Submit>(&routed)) {
    ECOLEDGER_CHECK(request.method == "POST");
    ECOLEDGER_CHECK(submit->early.size() == submit->ids.size() && submit->ids.size() == submit->types.size());
    std::size_t accepted = 0;
    for (const auto& e : submit->early) accepted += e ? 0 : 1;
    ECOLEDGER_CHECK(accepted == submit->texts.size());
    ECOLEDGER_CHECK(submit->early.size() <= node::limits::request_transactions_max);
    if (!submit->ndjson) ECOLEDGER_CHECK(submit->early.size() == 1);
  } else {
    const auto& range = std::get<node::RecordRange>(routed);
    ECOLEDGER_CHECK(range.from <= range.to && range.to <= before.size);
    ECOLEDGER_CHECK(range.to - range.from <= node::limits::records_page_max);
  }
}

}  // namespace ecoledger::fuzz
