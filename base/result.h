// Result<T>: the value-or-error type used at every module boundary.
//
// An Error carries a stable machine code (for example "units_pledged",
// "bad_json") that the CLI and the HTTP API show unchanged, and a human
// message. Codes are part of the public contract: never rename one.
// Thread-safety: plain values; no shared state.
#pragma once

#include <expected>
#include <string>
#include <utility>

namespace ecoledger {

struct Error {
  std::string code;
  std::string message;
};

template <typename T>
using Result = std::expected<T, Error>;

// Result<void> spelled for readability at call sites.
using Status = std::expected<void, Error>;

inline std::unexpected<Error> fail(std::string code, std::string message) {
  return std::unexpected<Error>(Error{std::move(code), std::move(message)});
}

inline Status ok() { return {}; }

}  // namespace ecoledger

// Binds var to the value of a Result expression, or returns its error from
// the enclosing function (which must return a Result or Status).
#define ECOLEDGER_TRY(var, expr) \
  auto var = (expr);             \
  if (!var) return std::unexpected(var.error())
