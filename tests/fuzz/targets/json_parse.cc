#include "base/check.h"
#include "base/json.h"
#include "tests/fuzz/fuzz_targets.h"

namespace ecoledger::fuzz {

void json_parse(std::string_view input) {
  auto doc = json::parse_strict(input);
  if (!doc) {
    ECOLEDGER_CHECK(!doc.error().code.empty());
    return;
  }
  // Whatever the profile accepts has exactly one canonical form, and that
  // form is itself accepted and maps to itself.
  std::string once = json::canonical(*doc);
  auto again = json::parse_strict(once);
  ECOLEDGER_CHECK(again.has_value());
  ECOLEDGER_CHECK(*again == *doc);
  ECOLEDGER_CHECK(json::canonical(*again) == once);
}

}  // namespace ecoledger::fuzz
