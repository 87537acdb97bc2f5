// A small synchronous HTTP/1.1 client (Boost.Beast) for talking to an
// ecoledgerd: `ecoledger audit --url` pulls /v1/checkpoint and pages of
// /v1/records with it. Plain http only. One connection, kept alive.
// Thread-safety: none; one client per thread.
#pragma once

#include <memory>
#include <string>

#include "base/result.h"

namespace ecoledger::cli {

inline constexpr std::size_t http_fetch_body_bytes_max = 512 * 1024 * 1024;

class HttpFetch {
 public:
  // url: http://HOST:PORT (a trailing slash is allowed). Error "bad_argument".
  static Result<HttpFetch> connect(const std::string& url);
  HttpFetch(HttpFetch&&) noexcept;
  ~HttpFetch();
  // GET target; an answer other than 200 is an error carrying the server's
  // refusal code (or "http_error"). Errors "io_error" for the network.
  Result<std::string> get(const std::string& target);

 private:
  struct Impl;
  explicit HttpFetch(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace ecoledger::cli
