// Fuzz targets: one input function per decoder or verifier. Each takes any
// bytes, must never crash, and aborts (ECOLEDGER_CHECK) when a property of
// the code under test is broken. libfuzzer_main.cc wraps one of them as a
// libFuzzer target (scripts/fuzz, clang); replay_test.cc runs them over the
// seed corpora and the regression inputs under the normal g++ build, so the
// targets compile and pass with every `make test`.
// Thread-safety: none; one input at a time.
#pragma once

#include <string_view>

namespace ecoledger::fuzz {

// json::parse_strict and parse_measurements against nlohmann's own parser, then
// canonical(parse(canonical(x))) == canonical(x).
void json_parse(std::string_view input);
// ledger::parse_transaction; an accepted transaction re-encodes to itself.
void transaction_decode(std::string_view input);
// A fuzzed transaction (signed by the harness when it asks to be) applied to
// a small registry state: a refusal writes nothing; an acceptance keeps the
// registry's invariants.
void state_machine(std::string_view input);
// merkle_verify_inclusion/consistency with fuzzed sizes and paths against a
// MemoryMerkleStore: never accepts a path the store would not produce.
void merkle_verify(std::string_view input);
// Bytes parsed as one HTTP request (Beast, the server's limits), then the
// node's route() against a real RocksDB ledger: never writes, never a 500,
// every refusal an error object, a write's lines all accounted for.
void http_request(std::string_view input);
// crypto::base64_decode: what it accepts re-encodes to exactly the input.
void base64_decode(std::string_view input);

}  // namespace ecoledger::fuzz
