#include "cli/journal_commands.h"

#include <malloc.h>
#include <unistd.h>

#include <charconv>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <sstream>

#include "base/json.h"
#include "cli/cli_util.h"
#include "cli/http_fetch.h"
#include "ledger/audit.h"
#include "ledger/crypto.h"
#include "ledger/ledger.h"
#include "ledger/merkle.h"
#include "ledger/transaction.h"

namespace ecoledger::cli {
namespace {

using json::Json;
using ledger::Ledger;

void print_json(const Json& value) {
  std::string out = json::canonical(value);
  out.push_back('\n');
  std::fwrite(out.data(), 1, out.size(), stdout);
}

std::string node_key_path(const std::string& dir) { return dir + "/node.key"; }

Result<std::unique_ptr<Ledger>> open_ledger(const Args& args) {
  auto dir = args.option("data");
  if (!dir) return fail("bad_argument", "--data DIR is required");
  return Ledger::open(*dir);
}

// Splits NDJSON (or one JSON document) into non-empty lines.
std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t") != std::string::npos) out.push_back(line);
  }
  return out;
}

}  // namespace

int cmd_keygen(int argc, char** argv) {
  Args args(argc, argv, 2);
  if (auto bad = args.unknown_option({"out"}, {})) return usage_exit("keygen: unknown option " + *bad);
  auto out = args.option("out");
  if (!out) return usage_exit("keygen --out FILE");
  auto key = crypto::PrivateKey::generate();
  if (!key) return error_exit(key.error());
  if (auto s = write_private_file(*out, key->to_pem()); !s) return error_exit(s.error());
  print_json(Json{{"key", *out}, {"pub", key->public_base64()}});
  return 0;
}

int cmd_init(int argc, char** argv) {
  Args args(argc, argv, 2);
  if (auto bad = args.unknown_option({"data", "registry-key", "node-key", "ledger"}, {})) return usage_exit("init: unknown option " + *bad);
  auto dir = args.option("data");
  auto registry_path = args.option("registry-key");
  auto node_path = args.option("node-key");
  if (!dir || !registry_path || !node_path) return usage_exit("init --data DIR --registry-key PEM --node-key PEM [--ledger ID]");
  auto registry_key = crypto::PrivateKey::load_file(*registry_path);
  if (!registry_key) return error_exit(registry_key.error());
  auto node_key = crypto::PrivateKey::load_file(*node_path);
  if (!node_key) return error_exit(node_key.error());
  std::string ledger_id = args.option("ledger").value_or("ecoledger");
  if (!ledger::is_valid_tx_id(ledger_id)) return error_exit(Error{"bad_argument", "--ledger must be 1-64 of [A-Za-z0-9._:-]"});
  if (std::filesystem::exists(*dir) && !std::filesystem::is_empty(*dir))
    return error_exit(Error{"exists", *dir + " is not empty"});
  auto created = Ledger::create(*dir, *registry_key, *node_key, ledger_id, ledger::now_unix_ms());
  if (!created) {
    std::error_code ec;
    std::filesystem::remove_all(*dir, ec);
    return error_exit(created.error());
  }
  // The node signs checkpoints with its key; keep a private copy beside the data.
  if (auto s = write_private_file(node_key_path(*dir), node_key->to_pem()); !s) return error_exit(s.error());
  if (auto s = write_private_file(*dir + "/node.pub.pem", node_key->public_pem()); !s) return error_exit(s.error());
  print_json(Json{{"ledger", ledger_id}, {"data", *dir}, {"genesis", crypto::to_hex((*created)->head().head)}});
  return 0;
}

int cmd_sign(int argc, char** argv) {
  Args args(argc, argv, 2);
  if (auto bad = args.unknown_option({"key", "as"}, {})) return usage_exit("sign: unknown option " + *bad);
  auto key_path = args.option("key");
  auto as = args.option("as");
  if (!key_path || !as || as->find('#') == std::string::npos) return usage_exit("sign --key PEM --as ACCOUNT#KEYID [FILE|-]");
  auto key = crypto::PrivateKey::load_file(*key_path);
  if (!key) return error_exit(key.error());
  auto text = read_input(args.positional().empty() ? "" : args.positional()[0]);
  if (!text) return error_exit(text.error());
  auto doc = json::parse_strict(*text);
  if (!doc) return error_exit(doc.error());
  if (!doc->is_object()) return error_exit(Error{"bad_tx", "a transaction is a JSON object"});
  if (doc->contains("sigs") && !(*doc)["sigs"].is_array()) return error_exit(Error{"bad_tx", "sigs must be an array"});
  print_json(ledger::sign_transaction(std::move(*doc), *key, *as));
  return 0;
}

int cmd_submit(int argc, char** argv) {
  Args args(argc, argv, 2);
  if (auto bad = args.unknown_option({"data"}, {})) return usage_exit("submit: unknown option " + *bad);
  auto ledger = open_ledger(args);
  if (!ledger) return error_exit(ledger.error());
  auto text = read_input(args.positional().empty() ? "" : args.positional()[0]);
  if (!text) return error_exit(text.error());
  auto lines = split_lines(*text);
  if (lines.empty()) return error_exit(Error{"bad_tx", "no transaction given"});
  // A pretty-printed single document spans lines: take it whole.
  if (lines.size() > 1 && !json::parse_strict(lines[0])) lines = {*text};
  int status = 0;
  for (std::size_t start = 0; start < lines.size(); start += ledger::batch_transactions_max) {
    std::vector<std::string> chunk(lines.begin() + start,
                                   lines.begin() + std::min(lines.size(), start + ledger::batch_transactions_max));
    auto results = (*ledger)->submit(chunk, ledger::now_unix_ms());
    for (const auto& r : results) {
      if (r) {
        print_json(r->to_json());
      } else {
        print_json(Json{{"error", {{"code", r.error().code}, {"message", r.error().message}}}});
        std::fprintf(stderr, "ecoledger: %s: %s\n", r.error().code.c_str(), r.error().message.c_str());
        status = 1;
      }
    }
  }
  return status;
}

int cmd_export(int argc, char** argv) {
  Args args(argc, argv, 2);
  if (auto bad = args.unknown_option({"data", "from", "to"}, {})) return usage_exit("export: unknown option " + *bad);
  auto ledger = open_ledger(args);
  if (!ledger) return error_exit(ledger.error());
  std::uint64_t size = (*ledger)->head().size;
  std::uint64_t from = 0, to = size;
  if (auto f = args.option("from")) {
    auto v = parse_u64("from", *f);
    if (!v) return error_exit(v.error());
    from = *v;
  }
  if (auto t = args.option("to")) {
    auto v = parse_u64("to", *t);
    if (!v) return error_exit(v.error());
    to = std::min(*v, size);
  }
  Status s = (*ledger)->store().scan_records(from, to, [](std::uint64_t, std::string_view bytes) {
    std::fwrite(bytes.data(), 1, bytes.size(), stdout);
    std::fputc('\n', stdout);
    return true;
  });
  if (!s) return error_exit(s.error());
  return 0;
}

int cmd_checkpoint(int argc, char** argv) {
  Args args(argc, argv, 2);
  if (auto bad = args.unknown_option({"data"}, {})) return usage_exit("checkpoint: unknown option " + *bad);
  auto ledger = open_ledger(args);
  if (!ledger) return error_exit(ledger.error());
  auto key = crypto::PrivateKey::load_file(node_key_path(*args.option("data")));
  if (!key) return error_exit(key.error());
  print_json((*ledger)->checkpoint(*key, ledger::now_unix_ms()));
  return 0;
}

namespace {

Result<std::vector<crypto::Hash>> hashes_of(const Json& path) {
  if (!path.is_array()) return fail("bad_proof", "path must be an array of hex hashes");
  std::vector<crypto::Hash> out;
  for (const Json& h : path) {
    if (!h.is_string()) return fail("bad_proof", "path must be an array of hex hashes");
    auto parsed = crypto::hash_from_hex(h.get<std::string>());
    if (!parsed) return std::unexpected(parsed.error());
    out.push_back(*parsed);
  }
  return out;
}

Result<bool> verify_proof(const Json& proof) {
  auto path = json::get_array(proof, "path");
  if (!path) return std::unexpected(path.error());
  auto hashes = hashes_of(**path);
  if (!hashes) return std::unexpected(hashes.error());
  if (proof.contains("seq")) {
    auto seq = json::get_int(proof, "seq");
    auto size = json::get_int(proof, "size");
    auto leaf = json::get_string(proof, "leaf");
    auto root = json::get_string(proof, "root");
    if (!seq || !size || !leaf || !root || *seq < 0 || *size < 0) return fail("bad_proof", "inclusion proof is {seq,size,leaf,path,root}");
    auto leaf_hash = crypto::hash_from_hex(*leaf);
    auto root_hash = crypto::hash_from_hex(*root);
    if (!leaf_hash || !root_hash) return fail("bad_proof", "leaf and root are hex hashes");
    return ledger::merkle_verify_inclusion(*seq, *size, *leaf_hash, *hashes, *root_hash);
  }
  auto from = json::get_int(proof, "from");
  auto to = json::get_int(proof, "to");
  auto root_from = json::get_string(proof, "root_from");
  auto root_to = json::get_string(proof, "root_to");
  if (!from || !to || !root_from || !root_to || *from < 0 || *to < 0)
    return fail("bad_proof", "consistency proof is {from,to,path,root_from,root_to}");
  auto a = crypto::hash_from_hex(*root_from);
  auto b = crypto::hash_from_hex(*root_to);
  if (!a || !b) return fail("bad_proof", "roots are hex hashes");
  return ledger::merkle_verify_consistency(*from, *to, *a, *b, *hashes);
}

}  // namespace

int cmd_proof(int argc, char** argv) {
  if (argc < 3) return usage_exit("proof inclusion|consistency|verify ...");
  std::string kind = argv[2];
  Args args(argc, argv, 3);
  if (kind == "verify") {
    if (auto bad = args.unknown_option({}, {})) return usage_exit("proof verify: unknown option " + *bad);
    auto text = read_input(args.positional().empty() ? "" : args.positional()[0]);
    if (!text) return error_exit(text.error());
    auto doc = json::parse_strict(*text);
    if (!doc) return error_exit(doc.error());
    if (!doc->is_object()) return error_exit(Error{"bad_proof", "a proof is a JSON object"});
    auto verified = verify_proof(*doc);
    if (!verified) return error_exit(verified.error());
    print_json(Json{{"ok", *verified}});
    return *verified ? 0 : 1;
  }
  auto ledger = open_ledger(args);
  if (!ledger) return error_exit(ledger.error());
  std::uint64_t size = (*ledger)->head().size;
  Result<Json> proof = fail("bad_argument", "");
  if (kind == "inclusion") {
    if (auto bad = args.unknown_option({"data", "seq", "size"}, {})) return usage_exit("proof inclusion: unknown option " + *bad);
    auto seq_text = args.option("seq");
    if (!seq_text) return usage_exit("proof inclusion --data DIR --seq I [--size N]");
    auto seq = parse_u64("seq", *seq_text);
    if (!seq) return error_exit(seq.error());
    std::uint64_t n = size;
    if (auto s = args.option("size")) {
      auto v = parse_u64("size", *s);
      if (!v) return error_exit(v.error());
      n = *v;
    }
    proof = (*ledger)->inclusion_proof(*seq, n);
  } else if (kind == "consistency") {
    if (auto bad = args.unknown_option({"data", "from", "to"}, {})) return usage_exit("proof consistency: unknown option " + *bad);
    auto f = args.option("from");
    auto t = args.option("to");
    if (!f || !t) return usage_exit("proof consistency --data DIR --from M --to N");
    auto from = parse_u64("from", *f);
    auto to = parse_u64("to", *t);
    if (!from) return error_exit(from.error());
    if (!to) return error_exit(to.error());
    proof = (*ledger)->consistency_proof(*from, *to);
  } else {
    return usage_exit("proof inclusion|consistency|verify ...");
  }
  if (!proof) return error_exit(proof.error());
  print_json(*proof);
  return 0;
}

// Heap arenas of the audit process (see cmd_audit).
constexpr int audit_malloc_arenas_max = 2;

int cmd_audit(int argc, char** argv) {
  Args args(argc, argv, 2);
  if (auto bad = args.unknown_option({"data", "records", "checkpoint", "node-pub", "url"}, {"no-sigs"})) return usage_exit("audit: unknown option " + *bad);
  auto data = args.option("data");
  auto records = args.option("records");
  auto url = args.option("url");
  if (int(data.has_value()) + int(records.has_value()) + int(url.has_value()) != 1)
    return usage_exit("audit (--data DIR | --records FILE | --url http://HOST:PORT) [--checkpoint FILE --node-pub PEM] [--no-sigs]");
  std::optional<Json> checkpoint;
  std::optional<std::string> node_pub;
  std::optional<HttpFetch> node;
  if (url) {
    // The node's signed checkpoint, checked with the node key declared at genesis.
    auto connected = HttpFetch::connect(*url);
    if (!connected) return error_exit(connected.error());
    node.emplace(std::move(*connected));
    auto cp_text = node->get("/v1/checkpoint");
    if (!cp_text) return error_exit(cp_text.error());
    auto cp = json::parse_strict(*cp_text);
    if (!cp || !cp->is_object()) return error_exit(Error{"bad_checkpoint", "the node's checkpoint is not a JSON object"});
    checkpoint = *cp;
    auto genesis_text = node->get("/v1/records?from=0&limit=1");
    if (!genesis_text) return error_exit(genesis_text.error());
    auto genesis = json::parse_strict(genesis_text->substr(0, genesis_text->find('\n')));
    if (!genesis) return error_exit(genesis.error());
    const Json* pub = nullptr;
    Json::json_pointer where("/tx/body/node/keys/0/pub");
    if (genesis->contains(where)) pub = &(*genesis)[where];
    if (pub == nullptr || !pub->is_string()) return error_exit(Error{"bad_genesis", "record 0 declares no node key"});
    auto raw = crypto::base64_decode(pub->get<std::string>());
    if (!raw) return error_exit(raw.error());
    node_pub = *raw;
  }
  if (auto cp = args.option("checkpoint")) {
    auto text = read_file(*cp);
    if (!text) return error_exit(text.error());
    auto doc = json::parse_strict(*text);
    if (!doc) return error_exit(doc.error());
    checkpoint = *doc;
    auto pub_path = args.option("node-pub");
    if (!pub_path) return usage_exit("audit --checkpoint FILE needs --node-pub PEM");
    auto pem = read_file(*pub_path);
    if (!pem) return error_exit(pem.error());
    auto raw = crypto::public_raw_from_pem(*pem);
    if (!raw) return error_exit(raw.error());
    node_pub = *raw;
  }
  const bool progress = isatty(STDERR_FILENO);
  // glibc gives each thread that allocates its own arena and keeps what is
  // freed there; with the chunk workers that was 6 MiB of the auditor's
  // memory bound (peak RSS 65 MiB on a 1,000,000-record replay, 59 MiB
  // with two arenas). This is for builds on glibc's malloc (sanitizers,
  // -DECOLEDGER_JEMALLOC=OFF); with jemalloc the call changes nothing and
  // base/jemalloc_options.cc sets two arenas for the same reason.
  mallopt(M_ARENA_MAX, audit_malloc_arenas_max);
  // --no-sigs: hashes, links, JCS form and state only; Ed25519 is trusted.
  // Only --data compares the replayed state with a node's, entry by entry;
  // otherwise the query indexes, which decide nothing, are not kept (a
  // quarter less work for the scratch store; bench/RESULTS.md).
  ledger::Auditor auditor(ledger::Auditor::StateStore::scratch_disk,
                          args.flag("no-sigs") ? ledger::Auditor::Signatures::trust : ledger::Auditor::Signatures::check,
                          data ? ledger::QueryIndexes::kept : ledger::QueryIndexes::dropped);
  // Records go to the auditor a chunk at a time, so that parsing, hashing and
  // signature checks use every core; the verdict is the same as one by one.
  const unsigned threads = ledger::signature_check_threads();
  std::vector<std::string> chunk;
  std::size_t chunk_bytes = 0;
  auto flush = [&] {
    bool ok = auditor.feed_chunk(chunk, threads);
    chunk.clear();
    chunk_bytes = 0;
    if (progress) std::fprintf(stderr, "\raudit: %llu records", static_cast<unsigned long long>(auditor.report().records));
    return ok;
  };
  auto feed = [&](std::string_view bytes) {
    chunk.emplace_back(bytes);
    chunk_bytes += bytes.size();
    if (chunk.size() < ledger::audit_chunk_records && chunk_bytes < ledger::audit_chunk_bytes_max) return true;
    return flush();
  };
  std::unique_ptr<Ledger> opened;
  if (data) {
    auto ledger = Ledger::open(*data);
    if (!ledger) return error_exit(ledger.error());
    opened = std::move(*ledger);
    Status s = opened->store().scan_records(0, opened->head().size, [&](std::uint64_t, std::string_view bytes) { return feed(bytes); });
    if (!s && flush()) {
      print_json(Json{{"ok", false}, {"seq", auditor.report().records}, {"reason", s.error().message}});
      return 1;
    }
  } else if (node) {
    // Pages of /v1/records up to the checkpoint's size.
    constexpr std::uint64_t page_records = 10000;
    std::uint64_t size = (*checkpoint).value("size", std::uint64_t{0});
    bool going = true;
    for (std::uint64_t from = 0; going && from < size;) {
      std::uint64_t limit = std::min(page_records, size - from);
      auto page = node->get("/v1/records?from=" + std::to_string(from) + "&limit=" + std::to_string(limit));
      if (!page) return error_exit(page.error());
      std::string_view rest = *page;
      std::uint64_t got = 0;
      while (going && !rest.empty()) {
        auto nl = rest.find('\n');
        going = feed(rest.substr(0, nl));
        ++got;
        rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
      }
      if (got == 0) break;
      from += got;
    }
  } else {
    FILE* in = *records == "-" ? stdin : std::fopen(records->c_str(), "rb");
    if (in == nullptr) return error_exit(Error{"io_error", "cannot read " + *records});
    // Whole blocks, split at newlines: reading a byte at a time cost a tenth
    // of an `audit --no-sigs`.
    constexpr std::size_t read_block_bytes = 1 << 20;
    std::vector<char> block(read_block_bytes);
    std::string pending;
    bool going = true;
    while (going) {
      std::size_t n = std::fread(block.data(), 1, block.size(), in);
      if (n == 0) break;
      pending.append(block.data(), n);
      std::size_t start = 0;
      for (std::size_t nl; going && (nl = pending.find('\n', start)) != std::string::npos; start = nl + 1)
        going = feed(std::string_view(pending).substr(start, nl - start));
      pending.erase(0, start);
    }
    if (going && !pending.empty()) feed(pending);
    if (in != stdin) std::fclose(in);
  }
  flush();
  if (progress) std::fputc('\n', stderr);
  ledger::AuditReport report = auditor.finish(checkpoint, node_pub);
  if (report.ok && opened) {
    // The re-derived state must equal the node's stored state, entry by entry.
    std::string mismatch = ledger::first_state_difference(auditor.state(), opened->store().state());
    if (!mismatch.empty()) {
      print_json(Json{{"ok", false}, {"seq", report.records}, {"reason", "stored state differs from the replay at key \"" + mismatch + "\""}});
      return 1;
    }
  }
  print_json(report.to_json());
  return report.ok ? 0 : 1;
}

}  // namespace ecoledger::cli
