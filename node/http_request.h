// The handler's Request from a parsed Beast request: what the server does
// with every request it reads, and what the http_request fuzz target does
// with bytes parsed in memory, so both hand route() the same thing.
#pragma once

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <string>
#include <string_view>

#include "node/handler.h"

namespace ecoledger::node {

// "Application/JSON; charset=utf-8" -> "application/json".
std::string lower_media_type(std::string_view value);

// Moves the body out of msg.
Request request_from_http(boost::beast::http::request<boost::beast::http::string_body>& msg);

}  // namespace ecoledger::node
