// ecoledgerd's command line and data directory: flags (each limit has one,
// named after its constant), and opening the ledger, or on an empty data dir
// creating its keys (0600) and genesis record. Key files readable by group or
// others are refused. Thread-safety: called once from main.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "base/json.h"
#include "base/result.h"
#include "ledger/crypto.h"
#include "ledger/ledger.h"
#include "node/sequencer.h"
#include "node/server.h"

namespace ecoledger::node {

extern const char* const usage_text;

struct Options {
  std::string data;
  std::size_t threads = 2;
  std::optional<std::string> tls_cert, tls_key, registry_key, node_key, read_tokens;
  std::optional<std::string> tables;  // valuation table files; default ledger::find_tables_dir
  std::string ledger_id = "ecoledger";
  ServerConfig server;
  SequencerLimits sequencer;
};

Result<Options> parse_options(int argc, char** argv);

struct Opened {
  std::unique_ptr<ledger::Ledger> ledger;
  crypto::PrivateKey node_key;
  json::Json started;  // what to print: ledger, data, key paths
};

Result<Opened> open_or_create(const Options& options);

// Refuses ("key_permissions") a key file that group or others may read.
Status check_key_file(const std::string& path);

}  // namespace ecoledger::node
