// parse_strict and parse_measurements: a recursive-descent parser written for
// the wire profile, building nlohmann's Json.
//
// It replaced nlohmann's parser driven through its SAX interface, which cost
// about 50 thousand instructions for a 500-byte transfer record (callgrind,
// `audit --no-sigs`): nlohmann's lexer copies every byte it reads twice, once
// into the token and once into the text it keeps for error messages, and the
// duplicate-key check kept a set of each object's keys beside the object.
// Here runs of plain bytes are copied once, straight into the value, and an
// object's own map finds a duplicate. Every record the auditor replays and
// every request body the node takes goes through this parser.
//
// It accepts what nlohmann's parser accepts (a byte order mark at the start
// included) and nothing else, with one exception: nlohmann stops at a NUL
// byte outside a string and ignores the rest, which this parser refuses.
// tests/fuzz/targets/json_parse.cc holds it to that against nlohmann's own
// parser.
#include <cmath>
#include <cstdlib>
#include <limits>

#include "base/json.h"
#include "base/utf8.h"

namespace ecoledger::json {
namespace {

class StrictParser {
 public:
  StrictParser(std::string_view text, int depth_max, bool fractions) : text_(text), depth_max_(depth_max), fractions_(fractions) {}

  Result<Json> parse() {
    if (text_.starts_with("\xEF\xBB\xBF")) pos_ = 3;
    Json root;
    skip_space();
    if (!value(root, 0)) return std::unexpected(std::move(error_));
    skip_space();
    if (pos_ != text_.size()) {
      malformed();
      return std::unexpected(std::move(error_));
    }
    return root;
  }

 private:
  // Each reader starts at its value's first byte and leaves pos_ just after it.
  bool value(Json& out, int depth) {
    if (pos_ >= text_.size()) return malformed();
    switch (text_[pos_]) {
      case '{': return object(out, depth);
      case '[': return array(out, depth);
      case '"':
        out = Json::string_t();
        return string(out.get_ref<Json::string_t&>());
      case 't': return literal("true", Json(true), out);
      case 'f': return literal("false", Json(false), out);
      case 'n': return literal("null", Json(nullptr), out);
      default: return number(out);
    }
  }

  bool object(Json& out, int depth) {
    out = Json::object();
    auto& members = out.get_ref<Json::object_t&>();
    return items('}', depth, [&] {
      if (pos_ >= text_.size() || text_[pos_] != '"') return malformed();
      std::string key;
      if (!string(key)) return false;
      // A duplicate is refused as its key is read, before what follows it.
      // try_emplace moves the key only when it adds a member.
      auto [member, added] = members.try_emplace(std::move(key));
      if (!added) return refuse("json_duplicate_key", "duplicate key \"" + key + "\"");
      skip_space();
      if (!take(':')) return malformed();
      skip_space();
      return value(member->second, depth + 1);
    });
  }

  bool array(Json& out, int depth) {
    out = Json::array();
    auto& elements = out.get_ref<Json::array_t&>();
    return items(']', depth, [&] {
      elements.emplace_back();
      return value(elements.back(), depth + 1);
    });
  }

  // The items of the object or array whose opening bracket is at pos_, each
  // read by read_item (a member, an element), separated by commas, up to
  // `close`. depth counts the containers around this one, as the profile's
  // limit does.
  template <typename ReadItem>
  bool items(char close, int depth, ReadItem read_item) {
    if (depth >= depth_max_) return too_deep();
    ++pos_;
    skip_space();
    if (take(close)) return true;
    while (true) {
      if (!read_item()) return false;
      skip_space();
      if (take(close)) return true;
      if (!take(',')) return malformed();
      skip_space();
    }
  }

  // Appends the decoded text of the string at pos_ (its opening quote) to out.
  bool string(std::string& out) {
    ++pos_;
    const char* const data = text_.data();
    const std::size_t size = text_.size();
    while (true) {
      std::size_t run = pos_;
      while (run < size) {
        const auto c = static_cast<unsigned char>(data[run]);
        if (c < 0x20 || c >= 0x80 || c == '"' || c == '\\') break;
        ++run;
      }
      out.append(data + pos_, run - pos_);
      pos_ = run;
      if (pos_ >= size) return malformed();
      const auto c = static_cast<unsigned char>(data[pos_]);
      if (c == '"') {
        ++pos_;
        return true;
      }
      if (c == '\\') {
        if (!escape(out)) return false;
        continue;
      }
      if (c < 0x20) return malformed();  // control characters must be escaped
      const std::size_t n = utf8_sequence_length(text_, pos_);
      if (n == 0) return malformed();
      out.append(data + pos_, n);
      pos_ += n;
    }
  }

  bool escape(std::string& out) {
    ++pos_;
    if (pos_ >= text_.size()) return malformed();
    switch (text_[pos_++]) {
      case '"': out.push_back('"'); return true;
      case '\\': out.push_back('\\'); return true;
      case '/': out.push_back('/'); return true;
      case 'b': out.push_back('\b'); return true;
      case 'f': out.push_back('\f'); return true;
      case 'n': out.push_back('\n'); return true;
      case 'r': out.push_back('\r'); return true;
      case 't': out.push_back('\t'); return true;
      case 'u': break;
      default: return malformed();
    }
    std::uint32_t code_point;
    if (!hex4(code_point)) return malformed();
    if (code_point >= 0xDC00 && code_point <= 0xDFFF) return malformed();  // a low surrogate first
    if (code_point >= 0xD800 && code_point <= 0xDBFF) {
      // A high surrogate is half of a pair: its low half must follow.
      std::uint32_t low;
      if (!text_.substr(pos_).starts_with("\\u")) return malformed();
      pos_ += 2;
      if (!hex4(low) || low < 0xDC00 || low > 0xDFFF) return malformed();
      code_point = 0x10000 + ((code_point - 0xD800) << 10) + (low - 0xDC00);
    }
    append_utf8(code_point, out);
    return true;
  }

  bool hex4(std::uint32_t& out) {
    if (text_.size() - pos_ < 4) return false;
    out = 0;
    for (int k = 0; k < 4; ++k) {
      const char c = text_[pos_++];
      std::uint32_t digit;
      if (c >= '0' && c <= '9') digit = c - '0';
      else if (c >= 'a' && c <= 'f') digit = c - 'a' + 10;
      else if (c >= 'A' && c <= 'F') digit = c - 'A' + 10;
      else return false;
      out = out * 16 + digit;
    }
    return true;
  }

  static void append_utf8(std::uint32_t cp, std::string& out) {
    if (cp < 0x80) {
      out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
      out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
      out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
      out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
  }

  // RFC 8259's grammar: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
  bool number(Json& out) {
    const std::size_t start = pos_;
    const bool negative = take('-');
    if (!digit_here()) return malformed();
    std::uint64_t magnitude = 0;
    bool fits_64_bits = true;
    if (!take('0')) {
      for (; digit_here(); ++pos_) {
        const auto digit = static_cast<std::uint64_t>(text_[pos_] - '0');
        if (magnitude > (std::numeric_limits<std::uint64_t>::max() - digit) / 10) fits_64_bits = false;
        else magnitude = magnitude * 10 + digit;
      }
    }
    bool integral = true;
    if (take('.')) {
      if (!skip_digits()) return malformed();
      integral = false;
    }
    if (take('e') || take('E')) {
      if (!take('+')) take('-');
      if (!skip_digits()) return malformed();
      integral = false;
    }
    // As nlohmann does, an integer too wide for 64 bits is read as a double.
    if (negative && magnitude > std::uint64_t{1} << 63) fits_64_bits = false;
    if (integral && fits_64_bits) {
      if (magnitude > static_cast<std::uint64_t>(json_integer_abs_max)) return refuse("json_number", "integer out of range +-(2^53-1)");
      const auto v = static_cast<std::int64_t>(magnitude);
      out = negative ? -v : v;
      return true;
    }
    if (!fractions_) return refuse("json_number", "numbers must be integers (no fraction or exponent)");
    const std::string token(text_.substr(start, pos_ - start));
    const double v = std::strtod(token.c_str(), nullptr);
    if (!std::isfinite(v)) return refuse("json_number", "number out of range");
    out = v;
    return true;
  }

  bool literal(std::string_view word, Json v, Json& out) {
    if (text_.substr(pos_, word.size()) != word) return malformed();
    pos_ += word.size();
    out = std::move(v);
    return true;
  }

  bool digit_here() const { return pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9'; }
  bool skip_digits() {
    if (!digit_here()) return false;
    while (digit_here()) ++pos_;
    return true;
  }
  bool take(char c) {
    if (pos_ >= text_.size() || text_[pos_] != c) return false;
    ++pos_;
    return true;
  }
  void skip_space() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\n' || text_[pos_] == '\r' || text_[pos_] == '\t')) ++pos_;
  }

  bool malformed() { return refuse("bad_json", "malformed JSON near byte " + std::to_string(pos_)); }
  bool too_deep() { return refuse("json_too_deep", "nesting deeper than " + std::to_string(depth_max_)); }
  bool refuse(std::string code, std::string message) {
    error_ = Error{std::move(code), std::move(message)};
    return false;
  }

  std::string_view text_;
  std::size_t pos_ = 0;
  int depth_max_;
  bool fractions_;
  Error error_;
};

}  // namespace

Result<Json> parse_strict(std::string_view text, int depth_max) { return StrictParser(text, depth_max, false).parse(); }

Result<Json> parse_measurements(std::string_view text, int depth_max) { return StrictParser(text, depth_max, true).parse(); }

}  // namespace ecoledger::json
