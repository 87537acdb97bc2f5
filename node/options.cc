#include "node/options.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <charconv>
#include <filesystem>
#include <map>

#include "node/limits.h"

namespace ecoledger::node {

const char* const usage_text = R"(usage: ecoledgerd --data DIR --listen HOST:PORT [--threads N]
                  [--tls-cert PEM --tls-key PEM] [--read-tokens FILE] [--registry-key PEM --node-key PEM] [--ledger ID]
                  [--body-bytes-max N] [--json-depth-max N] [--header-timeout-ms N] [--idle-timeout-ms N]
                  [--connections-max N] [--batch-transactions-max N] [--batch-wait-us N]
                  [--queue-transactions-max N] [--records-page-max N] [--read-cache-bytes-max N] [--tables DIR]
On an empty or missing DIR it creates the registry key (DIR/keys/registry.key), the node key
(DIR/node.key, DIR/node.pub.pem) and the genesis record, unless --registry-key/--node-key are given.
With --tls-cert/--tls-key the --listen address speaks HTTPS only (TLS 1.2+); the node then has no
plain-HTTP listener at all. Private keys (--tls-key, node and registry keys) and the --read-tokens
file must not be readable by group or others, or the node refuses to start.
--read-tokens FILE restricts reads to bearer tokens bound to accounts or to the auditor/regulator
role (docs/FORMAT.md, section 11); /healthz, /metrics, /v1/checkpoint and /v1/proofs/* stay public
and writes stay governed by signatures alone.
--read-cache-bytes-max N: answers to account, lot, serial and bank-pledge reads are kept until the
next append (node/read_cache.h); 0 turns the cache off.
--tables DIR: the valuation parameter tables (*.json) for /v1/valuations and the pledge view's
coverage; default $ECOLEDGER_TABLES, else the valuation/data found beside the executable. Carbon
is always quantified with the methodology tables published on the ledger.
)";

namespace {

namespace fs = std::filesystem;
using json::Json;

Result<std::uint64_t> number(const std::string& name, const std::string& text, std::uint64_t low, std::uint64_t high) {
  std::uint64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || v < low || v > high)
    return fail("bad_argument", "--" + name + " must be an integer in [" + std::to_string(low) + ", " + std::to_string(high) + "]");
  return v;
}

Status write_private_file(const std::string& path, const std::string& contents) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
  if (fd < 0) return fail("io_error", "cannot create " + path + " (it may exist already)");
  bool good = ::write(fd, contents.data(), contents.size()) == static_cast<ssize_t>(contents.size()) && ::fsync(fd) == 0;
  ::close(fd);
  if (!good) return fail("io_error", "cannot write " + path);
  return ok();
}

Result<crypto::PrivateKey> load_key(const std::string& path) {
  if (auto s = check_key_file(path); !s) return std::unexpected(s.error());
  return crypto::PrivateKey::load_file(path);
}

Result<Opened> create(const Options& o) {
  Opened out;
  crypto::PrivateKey registry, node_key;
  if (o.registry_key) {
    ECOLEDGER_TRY(k, load_key(*o.registry_key));
    registry = *k;
  } else {
    ECOLEDGER_TRY(k, crypto::PrivateKey::generate());
    registry = *k;
  }
  if (o.node_key) {
    ECOLEDGER_TRY(k, load_key(*o.node_key));
    node_key = *k;
  } else {
    ECOLEDGER_TRY(k, crypto::PrivateKey::generate());
    node_key = *k;
  }
  ECOLEDGER_TRY(created, ledger::Ledger::create(o.data, registry, node_key, o.ledger_id, ledger::now_unix_ms()));
  std::string registry_path = o.registry_key.value_or(o.data + "/keys/registry.key");
  if (!o.registry_key) {
    std::error_code ec;
    fs::create_directories(o.data + "/keys", ec);
    fs::permissions(o.data + "/keys", fs::perms::owner_all, ec);
    if (auto s = write_private_file(registry_path, registry.to_pem()); !s) return std::unexpected(s.error());
  }
  if (auto s = write_private_file(o.data + "/node.key", node_key.to_pem()); !s) return std::unexpected(s.error());
  if (auto s = write_private_file(o.data + "/node.pub.pem", node_key.public_pem()); !s) return std::unexpected(s.error());
  out.ledger = std::move(*created);
  out.node_key = node_key;
  out.started = Json{{"created", true},
                     {"ledger", o.ledger_id},
                     {"data", o.data},
                     {"keys", {{"registry", registry_path}, {"registry_ref", "registry#k1"}, {"node", o.data + "/node.key"},
                               {"node_pub", o.data + "/node.pub.pem"}}}};
  return out;
}

}  // namespace

Status check_key_file(const std::string& path) {
  struct stat st{};
  if (::stat(path.c_str(), &st) != 0) return fail("io_error", "cannot read " + path);
  if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0)
    return fail("key_permissions", path + " may be read by group or others; chmod 600 it");
  return ok();
}

Result<Options> parse_options(int argc, char** argv) {
  Options o;
  o.threads = std::max(1u, std::min(4u, std::thread::hardware_concurrency()));
  o.server = ServerConfig{"127.0.0.1", 8080, limits::body_bytes_max, limits::header_bytes_max, limits::header_timeout_ms,
                          limits::idle_timeout_ms, limits::connections_max,
                          HandlerConfig{limits::json_depth_max, limits::request_transactions_max, limits::records_page_max},
                          limits::read_cache_bytes_max};
  o.sequencer = SequencerLimits{limits::batch_transactions_max, limits::batch_wait_us, limits::queue_transactions_max};
  std::optional<std::string> listen;
  for (int i = 1; i < argc; ++i) {
    std::string name = argv[i];
    if (!name.starts_with("--") || i + 1 >= argc) return fail("bad_argument", "expected --name VALUE at \"" + name + "\"");
    name = name.substr(2);
    std::string value = argv[++i];
    auto num = [&](std::uint64_t low, std::uint64_t high) { return number(name, value, low, high); };
    Result<std::uint64_t> n = 0;
    if (name == "data") o.data = value;
    else if (name == "listen") listen = value;
    else if (name == "tls-cert") o.tls_cert = value;
    else if (name == "tls-key") o.tls_key = value;
    else if (name == "registry-key") o.registry_key = value;
    else if (name == "node-key") o.node_key = value;
    else if (name == "ledger") o.ledger_id = value;
    else if (name == "read-tokens") o.read_tokens = value;
    else if (name == "tables") o.tables = value;
    else if (name == "threads" && (n = num(1, limits::threads_max))) o.threads = *n;
    else if (name == "body-bytes-max" && (n = num(1024, 64 * limits::body_bytes_max))) o.server.body_bytes_max = *n;
    else if (name == "json-depth-max" && (n = num(2, limits::json_depth_max))) o.server.handler.json_depth_max = static_cast<int>(*n);
    else if (name == "header-timeout-ms" && (n = num(10, 3'600'000))) o.server.header_timeout_ms = static_cast<std::int64_t>(*n);
    else if (name == "idle-timeout-ms" && (n = num(10, 3'600'000))) o.server.idle_timeout_ms = static_cast<std::int64_t>(*n);
    else if (name == "connections-max" && (n = num(1, 1'000'000))) o.server.connections_max = *n;
    else if (name == "batch-transactions-max" && (n = num(1, limits::batch_transactions_max))) o.sequencer.batch_transactions_max = *n;
    else if (name == "batch-wait-us" && (n = num(0, 1'000'000))) o.sequencer.batch_wait_us = static_cast<std::int64_t>(*n);
    else if (name == "queue-transactions-max" && (n = num(1, 1'000'000))) o.sequencer.queue_transactions_max = *n;
    else if (name == "read-cache-bytes-max" && (n = num(0, 1024 * limits::read_cache_bytes_max))) o.server.read_cache_bytes_max = *n;
    else if (name == "records-page-max" && (n = num(1, limits::records_page_max))) o.server.handler.records_page_max = *n;
    else if (!n) return std::unexpected(n.error());
    else return fail("bad_argument", "unknown option --" + name);
  }
  if (o.data.empty() || !listen) return fail("bad_argument", "--data and --listen are required");
  auto colon = listen->rfind(':');
  if (colon == std::string::npos) return fail("bad_argument", "--listen is HOST:PORT");
  o.server.address = listen->substr(0, colon);
  auto port = number("listen", listen->substr(colon + 1), 0, 65535);
  if (!port) return std::unexpected(port.error());
  o.server.port = static_cast<unsigned short>(*port);
  if (o.tls_cert.has_value() != o.tls_key.has_value()) return fail("bad_argument", "--tls-cert and --tls-key go together");
  if (o.sequencer.queue_transactions_max < std::max(o.sequencer.batch_transactions_max, o.server.handler.request_transactions_max))
    o.sequencer.queue_transactions_max = std::max(o.sequencer.batch_transactions_max, o.server.handler.request_transactions_max);
  return o;
}

Result<Opened> open_or_create(const Options& o) {
  if (!fs::exists(o.data + "/CURRENT")) return create(o);
  std::string node_path = o.node_key.value_or(o.data + "/node.key");
  std::string registry_path = o.data + "/keys/registry.key";
  if (fs::exists(registry_path))
    if (auto s = check_key_file(registry_path); !s) return std::unexpected(s.error());
  ECOLEDGER_TRY(key, load_key(node_path));
  ECOLEDGER_TRY(opened, ledger::Ledger::open(o.data));
  // The node key must be the one declared at genesis, or checkpoints would not verify.
  Json keys = (*opened)->node_keys();
  bool declared = false;
  for (const auto& k : keys)
    if (k.value("pub", "") == key->public_base64()) declared = true;
  if (!declared) return fail("bad_key", node_path + " is not the node key declared at genesis");
  Opened out{std::move(*opened), *key, Json{{"created", false}, {"ledger", ""}, {"data", o.data},
                                             {"keys", {{"node", node_path}, {"node_pub", o.data + "/node.pub.pem"}}}}};
  out.started["ledger"] = out.ledger->id();
  if (fs::exists(registry_path)) out.started["keys"]["registry"] = registry_path;
  return out;
}

}  // namespace ecoledger::node
