// Inputs that once broke a fuzz target, or that sit on an edge the fuzzer
// must keep covering, inline so they run with every `make test`.
#include <doctest/doctest.h>

#include <string>

#include "tests/fuzz/fuzz_targets.h"

namespace ecoledger::fuzz {

TEST_CASE("fuzz regression: JSON edges") {
  json_parse(std::string(40, '[') + std::string(40, ']'));  // deeper than json_depth_max
  json_parse("{\"a\":1,\"a\":2}");
  json_parse("9007199254740992");
  json_parse("-9007199254740991");
  json_parse("\"\\ud800\"");
  json_parse(std::string("\"\xff\"", 3));
  json_parse(std::string("\"a\0b\"", 5));
  json_parse("{\"\\u00e9\":1,\"e\":2,\"\\ud83d\\ude00\":3,\"\\uffff\":4}");
}

TEST_CASE("fuzz regression: base64 edges") {
  base64_decode("");
  base64_decode("=");
  base64_decode("====");
  base64_decode("QQ==");
  base64_decode("QR==");  // non-zero padding bits
  base64_decode("QUI=");
  base64_decode("QU=I");
  base64_decode(std::string("\x80\xff\x00=", 4));
}

}  // namespace ecoledger::fuzz
