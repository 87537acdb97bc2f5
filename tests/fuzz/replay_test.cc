// Replays every seed-corpus file of every fuzz target through the target's
// input function under the normal build: the targets stay compiled, and
// every property they check holds on the seeds.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "tests/fuzz/fuzz_targets.h"

namespace ecoledger::fuzz {
namespace {

std::size_t replay(const char* target, void (*input)(std::string_view)) {
  std::filesystem::path dir = std::filesystem::path(ECOLEDGER_SOURCE_DIR) / "tests/fuzz/corpus" / target;
  REQUIRE(std::filesystem::is_directory(dir));
  std::size_t count = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (!entry.is_regular_file()) continue;
    std::ifstream file(entry.path(), std::ios::binary);
    std::stringstream bytes;
    bytes << file.rdbuf();
    INFO("corpus file: " << entry.path().string());
    input(bytes.str());
    ++count;
  }
  CHECK(count > 0);
  return count;
}

}  // namespace

TEST_CASE("fuzz corpus replay: json_parse") { replay("json_parse", json_parse); }
TEST_CASE("fuzz corpus replay: transaction_decode") { replay("transaction_decode", transaction_decode); }
TEST_CASE("fuzz corpus replay: state_machine") { replay("state_machine", state_machine); }
TEST_CASE("fuzz corpus replay: merkle_verify") { replay("merkle_verify", merkle_verify); }
TEST_CASE("fuzz corpus replay: base64_decode") { replay("base64_decode", base64_decode); }
TEST_CASE("fuzz corpus replay: http_request") { replay("http_request", http_request); }

}  // namespace ecoledger::fuzz
