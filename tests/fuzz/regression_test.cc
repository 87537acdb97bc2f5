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
  // Found by scripts/fuzz, 2026-12-07, when the profile got a parser of its
  // own: nlohmann's took the NUL for the end of the text and read "[]".
  json_parse(std::string("[]\0\0\0\x06", 6));
  json_parse("[1.5e400, 18446744073709551616, -9223372036854775809, 1E-400]");
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

TEST_CASE("fuzz regression: Merkle proof edges") {
  // Found by scripts/fuzz, 2026-11-23: a consistency "proof" from a size to
  // the same size (2^64 - 1, beyond the store) with equal roots and an empty
  // path. The verifier rightly accepts it (a tree is consistent with itself);
  // the harness wrongly required every accepted size to be in the store.
  merkle_verify(std::string("\xff\xff\x99\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x00\x01\x00\x00\x00\x00\x00\x00\x00", 44));
  // Found next: inclusion of a made-up leaf (all zero) at index 0 of a size-1
  // tree whose made-up root is that same hash. Accepted, rightly: a size-1
  // tree's root is its leaf. The harness now checks acceptance only against
  // genuine (size, root) pairs, which is what a checkpoint binds.
  merkle_verify(std::string("\x0a\x01\x00\x60\x20\x01\x3a\x21\x99\xf5\x6c\x0e\x80\xff\xff\xff\x7a\x2b", 18));
}

TEST_CASE("fuzz regression: HTTP requests") {
  // Found by scripts/fuzz, 2026-11-23: a query key with a byte that is not
  // UTF-8, given twice. The "given twice" message quoted the key and the node
  // answered a 400 whose body was not valid JSON; messages now replace such
  // bytes with U+FFFD.
  http_request(std::string("\x47\x45\x54\x20\x2f\x76\x31\x2f\x70\x72\x6f\x6f\x66\x73\x2f\x69\x6e\x63\x6c\x75\x73\x69\x6f\x6e\x3f\x73\x65\x71\x3d\x76\x76\x76\x76\x76\x76\x73\x69\x7a\x76\x76\x76\x76\x76\x76\x76\x76\x76\x76\x76\x76\x76\x76\x76\x76\x76\x76\x76\x76\x76\x76\x76\x76\x76\x76\x76\x76\x30\x26\x73\x69\x7a\x31\xcc\x70\x72\x6f\x6f\x66\x73\x2f\x69\x6e\x63\x6c\x75\x73\x69\x6f\x6e\x3f\x73\x73\x69\x6f\x6e\x3f\x73\x65\x71\x3d\x76\x76\x76\x76\x76\x76\x76\x76\x76\x76\x76\x76\x76\x76\x76\x76\x76\x76\x76\x76\x76\x76\x76\x76\x76\x76\x76\x76\x76\x76\x76\x76\x76\x76\x76\x76\x76\x76\x76\x76\x30\x26\x73\x69\x7a\x31\xcc\x70\x72\x6f\x6f\x66\x73\x2f\x69\x6e\x63\x6c\x75\x73\x69\x6f\x6e\x3f\x73\x73\x69\x6f\x6e\x3f\x73\x65\x71\x3d\x3d\x34\x20\x48\x54\x54\x50\x2f\x31\x2e\x31\x0d\x0a\x48\x6f\x73\x74\x3a\x71\x3d\x76\x76\x76\x76\x76\x76\x76\x76\x65\x3d\x34\x20\x48\x54\x54\x50\x2f\x31\x2e\x31\x0d\x0a\x48\x6f\x73\x74\x3a\x20\x78\x0d\x0a\x0d\x0a", 227));
}

}  // namespace ecoledger::fuzz
