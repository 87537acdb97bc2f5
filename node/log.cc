#include "node/log.h"

#include <cstdio>
#include <mutex>

#include "ledger/ledger.h"

namespace ecoledger::node {

void log_event(json::Json event) {
  static std::mutex mutex;
  event["ts"] = ledger::format_time_ms(ledger::now_unix_ms());
  // dump, not canonical: a message may hold any text; replace bad UTF-8.
  std::string line = event.dump(-1, ' ', false, json::Json::error_handler_t::replace);
  line.push_back('\n');
  std::lock_guard lock(mutex);
  std::fwrite(line.data(), 1, line.size(), stderr);
  std::fflush(stderr);
}

}  // namespace ecoledger::node
