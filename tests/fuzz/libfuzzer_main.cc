// libFuzzer entry for one target of fuzz_targets.h, chosen at compile time
// with -DECOLEDGER_FUZZ_TARGET=<name> (tests/fuzz/CMakeLists.txt).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "tests/fuzz/fuzz_targets.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  ecoledger::fuzz::ECOLEDGER_FUZZ_TARGET(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
