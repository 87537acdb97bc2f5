#include <doctest/doctest.h>

#include "base/json.h"

using ecoledger::json::canonical;
using ecoledger::json::parse_strict;

namespace {
std::string jcs(std::string_view text) {
  auto parsed = parse_strict(text);
  REQUIRE(parsed.has_value());
  return canonical(*parsed);
}
std::string refusal(std::string_view text) {
  auto parsed = parse_strict(text);
  REQUIRE_FALSE(parsed.has_value());
  return parsed.error().code;
}
}  // namespace

TEST_CASE("JCS: RFC 8785 3.2.3 sorting example (UTF-16 key order)") {
  const char* input = R"({
   "\u20ac": "Euro Sign",
   "\r": "Carriage Return",
   "\ufb33": "Hebrew Letter Dalet With Dagesh",
   "1": "One",
   "\ud83d\ude00": "Emoji: Grinning Face",
   "\u0080": "Control",
   "\u00f6": "Latin Small Letter O With Diaeresis"
})";
  std::string expected =
      "{\"\\r\":\"Carriage Return\",\"1\":\"One\",\"\xc2\x80\":\"Control\",\"\xc3\xb6\":\"Latin Small Letter O With "
      "Diaeresis\",\"\xe2\x82\xac\":\"Euro Sign\",\"\xf0\x9f\x98\x80\":\"Emoji: Grinning Face\",\"\xef\xac\xb3\":\"Hebrew "
      "Letter Dalet With Dagesh\"}";
  CHECK(jcs(input) == expected);
}

TEST_CASE("JCS: RFC 8785 3.2.2.2 string and literal serialization") {
  const char* input = R"({"string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/", "literals": [null, true, false]})";
  std::string expected = "{\"literals\":[null,true,false],\"string\":\"\xe2\x82\xac$\\u000f\\nA'B\\\"\\\\\\\\\\\"/\"}";
  CHECK(jcs(input) == expected);
}

TEST_CASE("JCS: integers, whitespace and nesting") {
  CHECK(jcs(" { \"b\" : [ 1 , -2 , 9007199254740991 ] , \"a\" : {} } ") == R"({"a":{},"b":[1,-2,9007199254740991]})");
  CHECK(jcs("-9007199254740991") == "-9007199254740991");
  CHECK(jcs(R"("\u0001\b\t")") == R"("\u0001\b\t")");
}

TEST_CASE("strict JSON profile refusals") {
  CHECK(refusal(R"({"a":1,"a":2})") == "json_duplicate_key");
  CHECK(refusal("1.5") == "json_number");
  CHECK(refusal("1e3") == "json_number");
  CHECK(refusal("9007199254740992") == "json_number");
  CHECK(refusal("-9007199254740992") == "json_number");
  CHECK(refusal("18446744073709551616") == "json_number");
  CHECK(refusal("{\"a\":\"\xff\"}") == "bad_json");
  CHECK(refusal("\"\xc0\xaf\"") == "bad_json");
  CHECK(refusal(R"("\ud800")") == "bad_json");
  CHECK(refusal("{") == "bad_json");
  CHECK(refusal("{} x") == "bad_json");
  CHECK(refusal("") == "bad_json");
  std::string deep(33, '[');
  deep += std::string(33, ']');
  CHECK(refusal(deep) == "json_too_deep");
  std::string ok_depth = std::string(32, '[') + std::string(32, ']');
  CHECK(parse_strict(ok_depth).has_value());
  CHECK(refusal(R"({"a":{"b":1,"b":1}})") == "json_duplicate_key");
  // Whatever comes first in the text decides the code.
  CHECK(refusal(R"({"a":1,"a":2.5)") == "json_duplicate_key");
  CHECK(refusal("[1.5,") == "json_number");
  CHECK(refusal("[1.,") == "bad_json");
}

TEST_CASE("strict JSON profile: what it reads, byte for byte") {
  // Escapes, a surrogate pair, raw UTF-8, DEL and -0 read as they mean.
  auto doc = parse_strict("\xEF\xBB\xBF [\"\\u00e9\\ud83d\\ude00\\/\\u0000\x7f\", \"\xe6\xa3\xae\", -0, true, false, null, {}]\r\n");
  REQUIRE(doc.has_value());
  CHECK((*doc)[0] == std::string("\xc3\xa9\xf0\x9f\x98\x80/\0\x7f", 9));
  CHECK((*doc)[1] == "\xe6\xa3\xae");
  CHECK((*doc)[2] == 0);
  CHECK(canonical(*doc) == std::string("[\"\xc3\xa9\xf0\x9f\x98\x80/\\u0000\x7f\",\"\xe6\xa3\xae\",0,true,false,null,{}]"));
  // nlohmann's parser took a NUL byte for the end of the text and ignored
  // what followed it; the profile refuses those bytes.
  CHECK(refusal(std::string("{}\0garbage", 10)) == "bad_json");
  CHECK(refusal(R"("\udc00")") == "bad_json");        // a low surrogate alone
  CHECK(refusal(R"("\ud800\u0041")") == "bad_json");  // a high one without its low half
  CHECK(refusal("\"\x01\"") == "bad_json");           // a control character unescaped
  CHECK(refusal("01") == "bad_json");
  CHECK(refusal("-") == "bad_json");
  CHECK(refusal("tru") == "bad_json");
  CHECK(refusal("[1,]") == "bad_json");
  CHECK(refusal("{\"a\"1}") == "bad_json");
  CHECK(refusal(R"("\x")") == "bad_json");
}

TEST_CASE("measurement inputs: the same profile, fractions allowed") {
  using ecoledger::json::parse_measurements;
  auto doc = parse_measurements(R"({"k_factor":0.03,"area":1e2,"n":7})");
  REQUIRE(doc.has_value());
  CHECK((*doc)["k_factor"].get<double>() == 0.03);
  CHECK((*doc)["area"].get<double>() == 100.0);
  CHECK((*doc)["n"].is_number_integer());
  CHECK(parse_measurements(R"({"a":1,"a":2})").error().code == "json_duplicate_key");
  CHECK(parse_measurements(std::string(33, '[') + std::string(33, ']')).error().code == "json_too_deep");
  CHECK(parse_measurements("9007199254740992").error().code == "json_number");
  CHECK_FALSE(parse_measurements("1e999").has_value());  // not a finite number
  CHECK(parse_measurements("{\"a\":\"\xff\"}").error().code == "bad_json");
  CHECK(parse_strict("0.5").error().code == "json_number");  // the wire profile is unchanged
}

TEST_CASE("utf8_or_replacement keeps well-formed UTF-8 and replaces every other byte") {
  using ecoledger::json::utf8_or_replacement;
  const std::string fffd = "\xEF\xBF\xBD";
  CHECK(utf8_or_replacement("plain ascii") == "plain ascii");
  CHECK(utf8_or_replacement("\xE7\xA2\xB3\xE7\xA5\xA8 \xF0\x9F\x8C\xB2") == "\xE7\xA2\xB3\xE7\xA5\xA8 \xF0\x9F\x8C\xB2");  // 碳票 🌲
  CHECK(utf8_or_replacement("siz1\xCCproofs") == "siz1" + fffd + "proofs");  // a lead byte without its tail
  CHECK(utf8_or_replacement("\xC0\xAF") == fffd + fffd);                    // overlong '/'
  CHECK(utf8_or_replacement("\xED\xA0\x80") == fffd + fffd + fffd);          // a UTF-16 surrogate
  CHECK(utf8_or_replacement("\xF4\x90\x80\x80") == fffd + fffd + fffd + fffd);  // above U+10FFFF
  CHECK(utf8_or_replacement("\xE2\x82") == fffd + fffd);                    // cut short at the end
  CHECK(utf8_or_replacement(std::string("a\0b", 3)) == std::string("a\0b", 3));
  // What it returns always parses as a JSON string.
  std::string raw;
  for (int b = 0; b < 256; ++b) raw.push_back(static_cast<char>(b));
  std::string text = canonical(ecoledger::json::Json(utf8_or_replacement(raw)));
  CHECK(parse_strict(text).has_value());
}

TEST_CASE("CanonicalObject writes what canonical() writes for the same object") {
  using ecoledger::json::CanonicalObject;
  using ecoledger::json::Json;
  CanonicalObject built;
  built.add_string("lot", "FCT-1:1-10").add_int("quantity", 10).add_int("first", -9007199254740991);
  built.add_string("name", "三明 \"village\"\n\x01");
  built.add_string("\xEF\xBC\x91", "x").add_string("\xF0\x9F\x98\x80", "y");  // UTF-16 order differs from byte order
  built.add_json("params", Json{{"b", 1}, {"a", Json::array({1, "two"})}});
  built.add_int("0", 0);
  Json same{{"lot", "FCT-1:1-10"},
            {"quantity", 10},
            {"first", -9007199254740991},
            {"name", "三明 \"village\"\n\x01"},
            {"\xEF\xBC\x91", "x"},
            {"\xF0\x9F\x98\x80", "y"},
            {"params", Json{{"b", 1}, {"a", Json::array({1, "two"})}}},
            {"0", 0}};
  CHECK(built.str() == canonical(same));
  CHECK(CanonicalObject().str() == "{}");
}

TEST_CASE("read_flat_object reads the flat canonical form and refuses everything else") {
  using ecoledger::json::read_flat_object;
  auto members = read_flat_object(R"({"asset":"PRT","first":1,"last":-9007199254740991,"lot":"a:1-2"})");
  REQUIRE(members.has_value());
  REQUIRE(members->size() == 4);
  CHECK((*members)[0].key == "asset");
  CHECK((*members)[0].string == "PRT");
  CHECK_FALSE((*members)[1].string.has_value());
  CHECK((*members)[1].integer == 1);
  CHECK((*members)[2].integer == -9007199254740991);
  CHECK((*members)[3].string == "a:1-2");
  CHECK(read_flat_object("{}")->empty());
  CHECK(read_flat_object(R"({"a":9007199254740991})").has_value());
  CHECK(read_flat_object(R"({"a":"","b":0})").has_value());
  // Valid JSON in another form, and text that is not JSON at all: the caller parses those in full.
  for (const char* other : {
           R"({"a":9007199254740992})", R"({"a":12345678901234567})", R"({"a":01})", R"({"a":-0})", R"({"a":+1})",
           R"({"a":1.5})", R"({"a":1e3})", R"({"a":true})", R"({"a":null})", R"({"a":[1]})", R"({"a":{"b":1}})",
           R"({"a":"x\"y"})", R"({"a":"\u0041"})", "{\"a\":\"\xC3\xA9\"}", "{\"a\":\"\t\"}", R"({ "a":1})",
           R"({"a" :1})", R"({"a":1 })", R"({"a":1,"a":2})", R"({"a":1,})", R"({"a":1}x)", R"({"a":1)", R"({"a")",
           R"({"a":)", R"({"a":-})", R"({)", R"("a")", R"([])", "", R"({"a":1}{"b":2})", R"({"a""b"})"}) {
    CAPTURE(other);
    CHECK_FALSE(read_flat_object(other).has_value());
  }
  std::string many = "{";
  for (std::size_t i = 0; i <= ecoledger::json::flat_object_members_max; ++i)
    many += (i ? ",\"k" : "\"k") + std::to_string(i) + "\":1";
  CHECK_FALSE(read_flat_object(many + "}").has_value());
}

TEST_CASE("OrderedCanonicalWriter writes what canonical() writes, members given in key order") {
  using ecoledger::json::Json;
  // In UTF-16 order: é (U+00E9), then U+1F600 (a surrogate pair, 0xD83D...),
  // then U+FF11, though U+FF11 comes before U+1F600 byte for byte in UTF-8.
  const std::string e_acute = "\xC3\xA9", smile = "\xF0\x9F\x98\x80", fullwidth_one = "\xEF\xBC\x91";
  ecoledger::json::OrderedCanonicalWriter writer(8);
  writer.add_string("", "empty key").add_int("a", -9007199254740991).add_string("b", "tab\there \"quoted\" back\\slash \x01");
  writer.add_int("c", 0).add_string(e_acute, smile).add_int(smile, 9007199254740991).add_string(fullwidth_one, "");
  Json doc{{"", "empty key"}, {"a", -9007199254740991}, {"b", "tab\there \"quoted\" back\\slash \x01"}, {"c", 0},
           {e_acute, smile}, {smile, 9007199254740991}, {fullwidth_one, ""}};
  CHECK(std::move(writer).finish() == ecoledger::json::canonical(doc));
  CHECK(ecoledger::json::OrderedCanonicalWriter().finish() == "{}");
}
