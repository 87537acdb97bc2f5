#include "base/json.h"

#include <algorithm>
#include <charconv>
#include <vector>

#include "base/check.h"
#include "base/utf8.h"

namespace ecoledger::json {
namespace {

// RFC 8785 orders keys by their UTF-16 code units. For UTF-8 text that is
// byte order except where a supplementary-plane character (4-byte UTF-8,
// surrogates 0xD800..0xDFFF in UTF-16) meets U+E000..U+FFFF.
std::u16string utf16_of(std::string_view s) {
  std::u16string out;
  for (std::size_t i = 0; i < s.size();) {
    auto c = static_cast<unsigned char>(s[i]);
    std::uint32_t cp;
    int len;
    if (c < 0x80) { cp = c; len = 1; }
    else if (c < 0xE0) { cp = c & 0x1F; len = 2; }
    else if (c < 0xF0) { cp = c & 0x0F; len = 3; }
    else { cp = c & 0x07; len = 4; }
    for (int k = 1; k < len && i + k < s.size(); ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
    i += len;
    if (cp >= 0x10000) {
      cp -= 0x10000;
      out.push_back(static_cast<char16_t>(0xD800 + (cp >> 10)));
      out.push_back(static_cast<char16_t>(0xDC00 + (cp & 0x3FF)));
    } else {
      out.push_back(static_cast<char16_t>(cp));
    }
  }
  return out;
}

bool key_less(std::string_view a, std::string_view b) {
  // Up to the first byte where they differ the two decode alike. When that
  // byte is ASCII in both, or one key ends there, it starts a character in
  // both and decides alone, as it does in UTF-16; only a difference between
  // multi-byte characters needs the UTF-16 comparison.
  const auto [at_a, at_b] = std::mismatch(a.begin(), a.end(), b.begin(), b.end());
  if (at_b == b.end()) return false;
  if (at_a == a.end()) return true;
  const auto ca = static_cast<unsigned char>(*at_a), cb = static_cast<unsigned char>(*at_b);
  if (ca < 0x80 && cb < 0x80) return ca < cb;
  return utf16_of(a) < utf16_of(b);
}

void append_string(std::string_view s, std::string& out) {
  static constexpr char hex[] = "0123456789abcdef";
  out.push_back('"');
  // Runs of bytes that need no escape are copied whole.
  auto plain = [](unsigned char c) { return c >= 0x20 && c != '"' && c != '\\'; };
  std::size_t i = 0;
  while (i < s.size()) {
    std::size_t run = i;
    while (run < s.size() && plain(static_cast<unsigned char>(s[run]))) ++run;
    out.append(s.data() + i, run - i);
    if (run == s.size()) break;
    i = run + 1;
    const auto c = static_cast<unsigned char>(s[run]);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          out += "\\u00";
          out.push_back(hex[c >> 4]);
          out.push_back(hex[c & 0xF]);
        }
    }
  }
  out.push_back('"');
}

}  // namespace

void canonical_append(const Json& value, std::string& out) {
  switch (value.type()) {
    case Json::value_t::null: out += "null"; return;
    case Json::value_t::boolean: out += value.get<bool>() ? "true" : "false"; return;
    case Json::value_t::number_integer: {
      std::int64_t v = value.get<std::int64_t>();
      ECOLEDGER_CHECK(v <= json_integer_abs_max && v >= -json_integer_abs_max);
      out += std::to_string(v);
      return;
    }
    case Json::value_t::number_unsigned: {
      std::uint64_t v = value.get<std::uint64_t>();
      ECOLEDGER_CHECK(v <= static_cast<std::uint64_t>(json_integer_abs_max));
      out += std::to_string(v);
      return;
    }
    case Json::value_t::string: append_string(value.get_ref<const std::string&>(), out); return;
    case Json::value_t::array: {
      out.push_back('[');
      bool first = true;
      for (const Json& item : value) {
        if (!first) out.push_back(',');
        first = false;
        canonical_append(item, out);
      }
      out.push_back(']');
      return;
    }
    case Json::value_t::object: {
      std::vector<const std::string*> keys;
      keys.reserve(value.size());
      for (auto it = value.begin(); it != value.end(); ++it) keys.push_back(&it.key());
      // nlohmann keeps keys in byte order; only non-ASCII keys can differ.
      std::stable_sort(keys.begin(), keys.end(), [](const std::string* a, const std::string* b) { return key_less(*a, *b); });
      out.push_back('{');
      bool first = true;
      for (const std::string* key : keys) {
        if (!first) out.push_back(',');
        first = false;
        append_string(*key, out);
        out.push_back(':');
        canonical_append(value.find(*key).value(), out);
      }
      out.push_back('}');
      return;
    }
    default:
      ECOLEDGER_CHECK(false && "value outside the wire profile");
  }
}

std::string canonical(const Json& value) {
  std::string out;
  canonical_append(value, out);
  return out;
}

CanonicalObject& CanonicalObject::add_string(std::string_view key, std::string_view value) {
  std::string encoded;
  encoded.reserve(value.size() + 2);
  append_string(value, encoded);
  members_.emplace_back(std::string(key), std::move(encoded));
  return *this;
}

CanonicalObject& CanonicalObject::add_int(std::string_view key, std::int64_t value) {
  ECOLEDGER_CHECK(value <= json_integer_abs_max && value >= -json_integer_abs_max);
  members_.emplace_back(std::string(key), std::to_string(value));
  return *this;
}

CanonicalObject& CanonicalObject::add_json(std::string_view key, const Json& value) {
  return add_canonical(key, canonical(value));
}

CanonicalObject& CanonicalObject::add_canonical(std::string_view key, std::string value_canonical) {
  members_.emplace_back(std::string(key), std::move(value_canonical));
  return *this;
}

std::string CanonicalObject::str() const {
  std::vector<const std::pair<std::string, std::string>*> order;
  order.reserve(members_.size());
  std::size_t bytes = 2;
  for (const auto& member : members_) {
    order.push_back(&member);
    bytes += member.first.size() + member.second.size() + 4;
  }
  std::sort(order.begin(), order.end(), [](const auto* a, const auto* b) { return key_less(a->first, b->first); });
  std::string out;
  out.reserve(bytes);
  out.push_back('{');
  for (std::size_t i = 0; i < order.size(); ++i) {
    ECOLEDGER_CHECK(i == 0 || order[i - 1]->first != order[i]->first);
    if (i > 0) out.push_back(',');
    append_string(order[i]->first, out);
    out.push_back(':');
    out += order[i]->second;
  }
  out.push_back('}');
  return out;
}

OrderedCanonicalWriter::OrderedCanonicalWriter(std::size_t bytes_expected) {
  out_.reserve(bytes_expected);
  out_.push_back('{');
}

void OrderedCanonicalWriter::key(std::string_view key) {
  ECOLEDGER_CHECK(out_.size() == 1 || key_less(last_key_, key));
  if (out_.size() > 1) out_.push_back(',');
  last_key_.assign(key);
  append_string(key, out_);
  out_.push_back(':');
}

OrderedCanonicalWriter& OrderedCanonicalWriter::add_string(std::string_view key, std::string_view value) {
  this->key(key);
  append_string(value, out_);
  return *this;
}

OrderedCanonicalWriter& OrderedCanonicalWriter::add_int(std::string_view key, std::int64_t value) {
  ECOLEDGER_CHECK(value <= json_integer_abs_max && value >= -json_integer_abs_max);
  this->key(key);
  char digits[24];
  auto [end, ec] = std::to_chars(digits, digits + sizeof digits, value);
  ECOLEDGER_CHECK(ec == std::errc());
  out_.append(digits, end);
  return *this;
}

OrderedCanonicalWriter& OrderedCanonicalWriter::add_canonical(std::string_view key, std::string_view value_canonical) {
  this->key(key);
  out_.append(value_canonical);
  return *this;
}

std::string OrderedCanonicalWriter::finish() && {
  out_.push_back('}');
  return std::move(out_);
}

namespace {

// A string of printable ASCII other than '"' and '\\' at text[pos]; advances pos.
std::optional<std::string_view> take_plain_string(std::string_view text, std::size_t& pos) {
  if (pos >= text.size() || text[pos] != '"') return std::nullopt;
  const std::size_t start = ++pos;
  while (pos < text.size() && text[pos] != '"') {
    const auto c = static_cast<unsigned char>(text[pos]);
    if (c < 0x20 || c > 0x7E || c == '\\') return std::nullopt;
    ++pos;
  }
  if (pos >= text.size()) return std::nullopt;
  return text.substr(start, pos++ - start);
}

// An integer in canonical form (no '+', no leading zeros, no "-0") within
// the wire range at text[pos]; advances pos.
std::optional<std::int64_t> take_plain_integer(std::string_view text, std::size_t& pos) {
  const bool negative = pos < text.size() && text[pos] == '-';
  std::size_t at = pos + (negative ? 1 : 0);
  const std::size_t digits_start = at;
  std::int64_t value = 0;
  while (at < text.size() && text[at] >= '0' && text[at] <= '9') {
    if (at - digits_start >= 16) return std::nullopt;  // 2^53 has 16 digits
    value = value * 10 + (text[at] - '0');
    ++at;
  }
  const std::size_t digits = at - digits_start;
  if (digits == 0 || (digits > 1 && text[digits_start] == '0') || value > json_integer_abs_max) return std::nullopt;
  if (negative && value == 0) return std::nullopt;
  pos = at;
  return negative ? -value : value;
}

}  // namespace

std::optional<std::vector<FlatMember>> read_flat_object(std::string_view text) {
  std::vector<FlatMember> members;
  std::size_t pos = 0;
  if (text.size() < 2 || text.front() != '{' || text.back() != '}') return std::nullopt;
  pos = 1;
  if (text.size() == 2) return members;
  while (true) {
    if (members.size() == flat_object_members_max) return std::nullopt;
    FlatMember member;
    auto key = take_plain_string(text, pos);
    if (!key || pos >= text.size() || text[pos++] != ':') return std::nullopt;
    member.key = *key;
    for (const FlatMember& seen : members)
      if (seen.key == member.key) return std::nullopt;
    if (pos < text.size() && text[pos] == '"') {
      member.string = take_plain_string(text, pos);
      if (!member.string) return std::nullopt;
    } else {
      auto integer = take_plain_integer(text, pos);
      if (!integer) return std::nullopt;
      member.integer = *integer;
    }
    members.push_back(member);
    if (pos >= text.size()) return std::nullopt;
    const char next = text[pos++];
    if (next == '}') return pos == text.size() ? std::optional(std::move(members)) : std::nullopt;
    if (next != ',') return std::nullopt;
  }
}

Result<std::string> get_string(const Json& object, const char* field) {
  auto it = object.find(field);
  if (it == object.end()) return fail("missing_field", std::string("missing field \"") + field + "\"");
  if (!it->is_string()) return fail("wrong_type", std::string("field \"") + field + "\" must be a string");
  return it->get<std::string>();
}

Result<std::int64_t> get_int(const Json& object, const char* field) {
  auto it = object.find(field);
  if (it == object.end()) return fail("missing_field", std::string("missing field \"") + field + "\"");
  if (!it->is_number_integer()) return fail("wrong_type", std::string("field \"") + field + "\" must be an integer");
  return it->get<std::int64_t>();
}

Result<const Json*> get_object(const Json& object, const char* field) {
  auto it = object.find(field);
  if (it == object.end()) return fail("missing_field", std::string("missing field \"") + field + "\"");
  if (!it->is_object()) return fail("wrong_type", std::string("field \"") + field + "\" must be an object");
  return &*it;
}

Result<const Json*> get_array(const Json& object, const char* field) {
  auto it = object.find(field);
  if (it == object.end()) return fail("missing_field", std::string("missing field \"") + field + "\"");
  if (!it->is_array()) return fail("wrong_type", std::string("field \"") + field + "\" must be an array");
  return &*it;
}

std::string utf8_or_replacement(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    if (std::size_t n = utf8_sequence_length(s, i); n > 0) {
      out.append(s.substr(i, n));
      i += n;
    } else {
      out += "\xEF\xBF\xBD";  // U+FFFD
      ++i;
    }
  }
  return out;
}

}  // namespace ecoledger::json
