#include "base/check.h"
#include "base/json.h"
#include "tests/fuzz/fuzz_targets.h"

namespace ecoledger::fuzz {
namespace {

using Parse = Result<json::Json> (*)(std::string_view, int);

// The profile's parser (base/json_parse.cc) against nlohmann's own, which it
// replaced: what is malformed for one is malformed for the other, and what
// the profile accepts reads as the same value in both. The profile's other
// refusals (duplicate keys, depth, numbers) are of text nlohmann reads.
void same_as_nlohmann(std::string_view input, Parse parse) {
  const Result<json::Json> doc = parse(input, json::json_depth_max);
  const json::Json reference = json::Json::parse(input.begin(), input.end(), nullptr, /*allow_exceptions=*/false);
  if (reference.is_discarded()) ECOLEDGER_CHECK(!doc.has_value());
  if (doc) {
    ECOLEDGER_CHECK(*doc == reference);
    return;
  }
  ECOLEDGER_CHECK(!doc.error().code.empty());
  if (doc.error().code != "bad_json" || reference.is_discarded()) return;
  // nlohmann ends its input at a NUL byte outside a string, as at the end of
  // a C string, and ignores what follows; the profile refuses those bytes.
  const std::size_t nul = input.find('\0');
  ECOLEDGER_CHECK(nul != std::string_view::npos);
  same_as_nlohmann(input.substr(0, nul), parse);
}

}  // namespace

void json_parse(std::string_view input) {
  same_as_nlohmann(input, json::parse_strict);
  same_as_nlohmann(input, json::parse_measurements);
  auto doc = json::parse_strict(input);
  if (!doc) return;
  // Whatever the profile accepts has exactly one canonical form, and that
  // form is itself accepted and maps to itself.
  std::string once = json::canonical(*doc);
  auto again = json::parse_strict(once);
  ECOLEDGER_CHECK(again.has_value());
  ECOLEDGER_CHECK(*again == *doc);
  ECOLEDGER_CHECK(json::canonical(*again) == once);
}

}  // namespace ecoledger::fuzz
