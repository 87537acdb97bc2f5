#pragma once
namespace ecoledger::cli {
// ecoledger show --data DIR account|lots|lot|serial|pledge|bank-pledges|prices ID
int cmd_show(int argc, char** argv);
}  // namespace ecoledger::cli
