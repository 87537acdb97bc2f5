// The journal subcommands of ecoledger (see `ecoledger help`).
#pragma once

namespace ecoledger::cli {

int cmd_keygen(int argc, char** argv);
int cmd_init(int argc, char** argv);
int cmd_sign(int argc, char** argv);
int cmd_submit(int argc, char** argv);
int cmd_export(int argc, char** argv);
int cmd_checkpoint(int argc, char** argv);
int cmd_proof(int argc, char** argv);
int cmd_audit(int argc, char** argv);

}  // namespace ecoledger::cli
