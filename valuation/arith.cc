#include "valuation/arith.h"

#include <limits>

#include "base/check.h"

namespace ecoledger::valuation {

Int128 divide_round_half_even(Int128 numerator, Int128 denominator) {
  ECOLEDGER_CHECK(denominator > 0);
  bool negative = numerator < 0;
  Int128 magnitude = negative ? -numerator : numerator;
  Int128 quotient = magnitude / denominator;
  Int128 remainder = magnitude % denominator;
  Int128 twice = remainder * 2;
  if (twice > denominator || (twice == denominator && quotient % 2 == 1)) ++quotient;
  return negative ? -quotient : quotient;
}

// H. Hinnant's days_from_civil: exact for every proleptic Gregorian date.
std::int64_t days_from_civil(std::int64_t year, unsigned month, unsigned day) {
  year -= month <= 2 ? 1 : 0;
  const std::int64_t era = (year >= 0 ? year : year - 399) / 400;
  const std::int64_t year_of_era = year - era * 400;
  const std::int64_t day_of_year = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
  const std::int64_t day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  return era * 146097 + day_of_era - 719468;
}

namespace {

bool is_leap(std::int64_t year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

unsigned days_in_month(std::int64_t year, unsigned month) {
  static constexpr unsigned days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && is_leap(year) ? 29 : days[month - 1];
}

}  // namespace

Result<std::int64_t> parse_date_days(std::string_view text) {
  auto bad = [&] { return fail("period_invalid", "date \"" + std::string(text) + "\" is not a calendar date YYYY-MM-DD"); };
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return bad();
  auto digits = [&](std::size_t from, std::size_t count, std::int64_t& out) {
    out = 0;
    for (std::size_t i = from; i < from + count; ++i) {
      if (text[i] < '0' || text[i] > '9') return false;
      out = out * 10 + (text[i] - '0');
    }
    return true;
  };
  std::int64_t year = 0, month = 0, day = 0;
  if (!digits(0, 4, year) || !digits(5, 2, month) || !digits(8, 2, day)) return bad();
  if (year < 1900 || month < 1 || month > 12 || day < 1) return bad();
  if (day > days_in_month(year, static_cast<unsigned>(month))) return bad();
  return days_from_civil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
}

Result<std::int64_t> narrow_int64(Int128 value, const char* what) {
  if (value > std::numeric_limits<std::int64_t>::max() || value < std::numeric_limits<std::int64_t>::min())
    return fail("bad_input", std::string(what) + " out of 64-bit range");
  return static_cast<std::int64_t>(value);
}

Result<std::int64_t> input_int(const nlohmann::json& object, const char* field) {
  if (!object.is_object()) return fail("bad_input", std::string("expected an object holding \"") + field + "\"");
  auto it = object.find(field);
  if (it == object.end()) return fail("bad_input", std::string("missing field \"") + field + "\"");
  if (it->is_number_unsigned()) {
    auto v = it->get<std::uint64_t>();
    if (v > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
      return fail("bad_input", std::string("field \"") + field + "\" out of range");
    return static_cast<std::int64_t>(v);
  }
  if (!it->is_number_integer()) return fail("bad_input", std::string("field \"") + field + "\" must be an integer");
  return it->get<std::int64_t>();
}

Result<std::string> input_string(const nlohmann::json& object, const char* field) {
  if (!object.is_object()) return fail("bad_input", std::string("expected an object holding \"") + field + "\"");
  auto it = object.find(field);
  if (it == object.end()) return fail("bad_input", std::string("missing field \"") + field + "\"");
  if (!it->is_string()) return fail("bad_input", std::string("field \"") + field + "\" must be a string");
  return it->get<std::string>();
}

Result<double> input_number(const nlohmann::json& object, const char* field) {
  if (!object.is_object()) return fail("bad_input", std::string("expected an object holding \"") + field + "\"");
  auto it = object.find(field);
  if (it == object.end()) return fail("bad_input", std::string("missing field \"") + field + "\"");
  if (!it->is_number()) return fail("bad_input", std::string("field \"") + field + "\" must be a number");
  return it->get<double>();
}

}  // namespace ecoledger::valuation
