#include "cli/show_command.h"

#include <cstdio>

#include "cli/cli_util.h"
#include "ledger/ledger.h"
#include "ledger/queries.h"

namespace ecoledger::cli {

int cmd_show(int argc, char** argv) {
  Args args(argc, argv, 2);
  if (auto bad = args.unknown_option({"data", "after", "limit"}, {"open"})) return usage_exit("show: unknown option " + *bad);
  const auto& pos = args.positional();
  const char* usage = "show --data DIR account|lots|lot|serial|pledge|bank-pledges ID | prices  (lots: [--after LOT] [--limit N])";
  if (pos.empty() || !args.option("data")) return usage_exit(usage);
  auto ledger = ledger::Ledger::open(*args.option("data"));
  if (!ledger) return error_exit(ledger.error());
  const auto& state = (*ledger)->store().state();
  const std::string time = (*ledger)->head().time;
  const std::string& what = pos[0];
  Result<json::Json> doc = fail("bad_argument", usage);
  if (what == "prices") {
    doc = ledger::query_prices(state);
  } else if (pos.size() != 2) {
    return usage_exit(usage);
  } else if (what == "account") {
    doc = ledger::query_account(state, pos[1], time);
  } else if (what == "lots") {
    std::uint64_t limit = ledger::account_lots_page_max;
    if (auto text = args.option("limit")) {
      auto n = parse_u64("limit", *text);
      if (!n) return error_exit(n.error());
      limit = *n;  // query_account_lots refuses 0 and over the maximum
    }
    doc = ledger::query_account_lots(state, pos[1], time, args.option("after").value_or(""), limit);
  } else if (what == "lot") {
    doc = ledger::query_lot(state, pos[1], time);
  } else if (what == "serial") {
    doc = ledger::query_serial(state, pos[1], time);
  } else if (what == "pledge") {
    doc = ledger::query_pledge(state, pos[1]);
  } else if (what == "bank-pledges") {
    doc = ledger::query_bank_pledges(state, pos[1], args.flag("open"));
  } else {
    return usage_exit(usage);
  }
  if (!doc) return error_exit(doc.error());
  std::string out = json::canonical(*doc) + "\n";
  std::fwrite(out.data(), 1, out.size(), stdout);
  return 0;
}

}  // namespace ecoledger::cli
