#include "node/http_request.h"

#include <cctype>

namespace ecoledger::node {

namespace http = boost::beast::http;

std::string lower_media_type(std::string_view value) {
  std::string out(value.substr(0, value.find(';')));
  while (!out.empty() && out.back() == ' ') out.pop_back();
  for (char& ch : out) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return out;
}

Request request_from_http(http::request<http::string_body>& msg) {
  auto content_type = msg[http::field::content_type];
  return Request{std::string(msg.method_string()), std::string(msg.target()),
                 lower_media_type(std::string_view(content_type.data(), content_type.size())), std::move(msg.body()),
                 std::string(msg[http::field::authorization])};
}

}  // namespace ecoledger::node
