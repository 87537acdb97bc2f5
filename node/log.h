// Structured logs: one JSON object a line on stderr. Callers pass only
// public facts (route, status, code, tx id, seq); never keys, signatures or
// request bodies. Thread-safety: any thread; lines never interleave.
#pragma once

#include "base/json.h"

namespace ecoledger::node {

void log_event(json::Json event);

}  // namespace ecoledger::node
