// ecoledger: the command-line tool. Each subcommand prints JSON on stdout;
// every error is one line on stderr and a non-zero exit, with nothing written.
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <iostream>
#include <sstream>

#include "cli/cli_util.h"
#include "cli/journal_commands.h"
#include "cli/show_command.h"
#include "cli/value_command.h"

namespace {

constexpr const char* help_text = R"(ecoledger - a verifiable registry for ecological assets

usage: ecoledger COMMAND [options]

journal
  keygen --out FILE                         new Ed25519 private key (PKCS#8 PEM, mode 0600)
  init --data DIR --registry-key PEM --node-key PEM [--ledger ID]
                                            create a ledger and write its genesis record
  sign --key PEM --as ACCOUNT#KEYID [FILE|-] add a signature to a transaction
  submit --data DIR [FILE|-]                append one transaction or NDJSON; prints receipts
  export --data DIR [--from N] [--to N]     NDJSON of records, exactly the hashed bytes
  checkpoint --data DIR                     signed tree head
  proof inclusion --data DIR --seq I [--size N]
  proof consistency --data DIR --from M --to N
  proof verify [FILE|-]                     verify a proof offline
  audit (--data DIR | --records FILE | --url http://HOST:PORT) [--checkpoint FILE --node-pub PEM] [--no-sigs]
                                            replay and prove the journal intact
                                            (--no-sigs: hashes, links, JCS and state; Ed25519 trusted)

registry
  show --data DIR account|lots|lot|serial|pledge|bank-pledges ID [--open]
  show --data DIR prices

valuation
  value carbon|gep|pledge|stress|grade --in FILE [--tables DIR] [--csv]
  value pledge|stress --data DIR (--pledge ID | --bank BANK) [--date YYYY-MM-DD] [--tables DIR] [--csv]
                                            mark-to-market from the ledger's own pledges and prices
)";

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || std::string(argv[1]) == "help" || std::string(argv[1]) == "--help") {
    std::fputs(help_text, stdout);
    return argc < 2 ? 2 : 0;
  }
  std::string command = argv[1];
  using namespace ecoledger::cli;
  if (command == "keygen") return cmd_keygen(argc, argv);
  if (command == "init") return cmd_init(argc, argv);
  if (command == "sign") return cmd_sign(argc, argv);
  if (command == "submit") return cmd_submit(argc, argv);
  if (command == "export") return cmd_export(argc, argv);
  if (command == "checkpoint") return cmd_checkpoint(argc, argv);
  if (command == "proof") return cmd_proof(argc, argv);
  if (command == "audit") return cmd_audit(argc, argv);
  if (command == "show") return cmd_show(argc, argv);
  if (command == "value") return run_value_command(argc - 1, argv + 1);
  return usage_exit("unknown command \"" + command + "\"; see ecoledger help");
}
