// The HTTP status of every refusal code (docs/FORMAT.md §9). One function, so
// the API's statuses are decided in one place and tested as a table.
// Thread-safety: pure.
#pragma once

#include <string_view>

namespace ecoledger::node {

// 400 malformed, 401 no read token, 403 not authorized, 404 unknown, 405, 409 state conflicts,
// 413 too large, 429 overloaded, 503 shutting down / storage; 500 otherwise.
unsigned http_status_for(std::string_view code);

}  // namespace ecoledger::node
