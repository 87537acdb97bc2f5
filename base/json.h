// Strict JSON decoding and RFC 8785 (JCS) canonical encoding.
//
// The wire format admits one JSON profile (docs/FORMAT.md): UTF-8 text,
// no duplicate object keys, nesting at most json_depth_max, and numbers
// that are integers within +-(2^53 - 1). Anything else is refused, so every
// accepted document has exactly one canonical byte form, the one that is
// hashed and signed.
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/result.h"

namespace ecoledger::json {

using Json = nlohmann::json;

inline constexpr int json_depth_max = 32;
inline constexpr std::int64_t json_integer_abs_max = (std::int64_t{1} << 53) - 1;

// Parses text under the wire profile. Error codes: "bad_json" (syntax or
// invalid UTF-8), "json_duplicate_key", "json_too_deep", "json_number".
Result<Json> parse_strict(std::string_view text, int depth_max = json_depth_max);

// The same profile except that a number may also have a fraction or an
// exponent (a finite double): for inputs that are measurements (valuation
// inputs), never for anything hashed or signed. Such a value is not
// canonical()-encodable.
Result<Json> parse_measurements(std::string_view text, int depth_max = json_depth_max);

// RFC 8785 canonical form. REQUIRES: value satisfies the wire profile
// (integers only, in range); checked.
std::string canonical(const Json& value);
void canonical_append(const Json& value, std::string& out);

// The canonical form of a flat object built member by member, without a
// Json tree: for the state values written on every transaction (lots,
// history events), where building, sorting and walking a Json cost about a
// tenth of the commit path. str() is byte for byte canonical() of the same
// object; members may be added in any order.
class CanonicalObject {
 public:
  CanonicalObject() { members_.reserve(16); }
  CanonicalObject& add_string(std::string_view key, std::string_view value);
  CanonicalObject& add_int(std::string_view key, std::int64_t value);  // REQUIRES: in the wire profile's range
  CanonicalObject& add_json(std::string_view key, const Json& value);
  // REQUIRES: value_canonical is the canonical form of a JSON value (as canonical() writes it).
  CanonicalObject& add_canonical(std::string_view key, std::string value_canonical);
  std::string str() const;  // REQUIRES: keys unique (checked)

 private:
  std::vector<std::pair<std::string, std::string>> members_;  // key, value in canonical form
};

// Writes a JSON object's canonical form member by member, for a caller that
// knows its members in canonical key order: no member is kept apart, sorted
// or copied, which CanonicalObject does (a lot is written twice by every
// transfer). Each key must sort after the one before (checked).
class OrderedCanonicalWriter {
 public:
  explicit OrderedCanonicalWriter(std::size_t bytes_expected = 256);
  OrderedCanonicalWriter& add_string(std::string_view key, std::string_view value);
  OrderedCanonicalWriter& add_int(std::string_view key, std::int64_t value);  // REQUIRES: in the wire profile's range
  // REQUIRES: value_canonical is the canonical form of a JSON value (as canonical() writes it).
  OrderedCanonicalWriter& add_canonical(std::string_view key, std::string_view value_canonical);
  std::string finish() &&;

 private:
  void key(std::string_view key);
  std::string out_;
  std::string last_key_;
};

// A member of a flat object as read_flat_object() found it.
struct FlatMember {
  std::string_view key;
  std::optional<std::string_view> string;  // a string, or else
  std::int64_t integer = 0;                // an integer
};
inline constexpr std::size_t flat_object_members_max = 32;

// Reads an object in the narrow form CanonicalObject writes for ASCII data:
// no whitespace, members whose values are strings of printable ASCII without
// escapes or integers in the wire range, unique keys, at most
// flat_object_members_max of them. Returns nullopt for any other text, valid
// JSON or not: the caller then parses it in full, so the fast path never
// decides what a value means.
std::optional<std::vector<FlatMember>> read_flat_object(std::string_view text);

// s with every byte that does not belong to a well-formed UTF-8 sequence
// (RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF)
// replaced by U+FFFD. For messages that quote what a client sent, so that
// they stay canonical()-encodable.
std::string utf8_or_replacement(std::string_view s);

// Typed field access that never throws; errors name the field.
Result<std::string> get_string(const Json& object, const char* field);
Result<std::int64_t> get_int(const Json& object, const char* field);
Result<const Json*> get_object(const Json& object, const char* field);
Result<const Json*> get_array(const Json& object, const char* field);

}  // namespace ecoledger::json
