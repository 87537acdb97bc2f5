#include "cli/http_fetch.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "base/json.h"

namespace ecoledger::cli {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

struct HttpFetch::Impl {
  std::string host;
  std::string port;
  asio::io_context io;
  beast::tcp_stream stream{io};
  beast::flat_buffer buffer;

  Status open() {
    beast::error_code ec;
    tcp::resolver resolver(io);
    auto endpoints = resolver.resolve(host, port, ec);
    if (!ec) stream.connect(endpoints, ec);
    if (ec) return fail("io_error", "cannot connect to " + host + ":" + port + ": " + ec.message());
    return ok();
  }
};

HttpFetch::HttpFetch(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
HttpFetch::HttpFetch(HttpFetch&&) noexcept = default;
HttpFetch::~HttpFetch() = default;

Result<HttpFetch> HttpFetch::connect(const std::string& url) {
  const std::string scheme = "http://";
  if (!url.starts_with(scheme)) return fail("bad_argument", "--url must be http://HOST:PORT");
  std::string rest = url.substr(scheme.size());
  while (!rest.empty() && rest.back() == '/') rest.pop_back();
  auto colon = rest.rfind(':');
  if (rest.empty() || rest.find('/') != std::string::npos) return fail("bad_argument", "--url must be http://HOST:PORT");
  auto impl = std::make_unique<Impl>();
  impl->host = colon == std::string::npos ? rest : rest.substr(0, colon);
  impl->port = colon == std::string::npos ? "80" : rest.substr(colon + 1);
  if (auto s = impl->open(); !s) return std::unexpected(s.error());
  return HttpFetch(std::move(impl));
}

Result<std::string> HttpFetch::get(const std::string& target) {
  for (int attempt = 0; attempt < 2; ++attempt) {
    beast::error_code ec;
    if (!impl_->stream.socket().is_open())
      if (auto s = impl_->open(); !s) return std::unexpected(s.error());
    http::request<http::empty_body> req(http::verb::get, target, 11);
    req.set(http::field::host, impl_->host);
    http::write(impl_->stream, req, ec);
    http::response_parser<http::string_body> parser;
    parser.body_limit(http_fetch_body_bytes_max);
    if (!ec) http::read(impl_->stream, impl_->buffer, parser, ec);
    if (ec) {
      // A keep-alive connection the server closed: reconnect once.
      impl_->stream.socket().close(ec);
      impl_->buffer.clear();
      continue;
    }
    auto& res = parser.get();
    if (!res.keep_alive()) impl_->stream.socket().close(ec);
    if (res.result_int() != 200) {
      auto doc = json::Json::parse(res.body(), nullptr, false);
      std::string code = "http_error";
      if (doc.is_object() && doc.contains("error") && doc["error"].is_object()) code = doc["error"].value("code", code);
      return fail(code, "GET " + target + " answered " + std::to_string(res.result_int()));
    }
    return std::move(res.body());
  }
  return fail("io_error", "GET " + target + " failed");
}

}  // namespace ecoledger::cli
