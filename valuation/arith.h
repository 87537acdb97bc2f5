// Exact integer arithmetic and calendar helpers shared by the valuation
// library: half-even division on 128-bit integers, proleptic Gregorian day
// numbers, and never-throwing JSON field access that maps every decoding
// problem to the stable refusal code "bad_input".
// Thread-safety: pure functions, no shared state.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "base/result.h"

namespace ecoledger::valuation {

__extension__ typedef __int128 Int128;  // GNU extension; -Wpedantic needs the marker

// numerator / denominator rounded to nearest, ties to even.
// REQUIRES: denominator > 0 (checked).
Int128 divide_round_half_even(Int128 numerator, Int128 denominator);

// Days since 1970-01-01 in the proleptic Gregorian calendar.
std::int64_t days_from_civil(std::int64_t year, unsigned month, unsigned day);

// Parses exactly "YYYY-MM-DD" (years 1900..9999, real calendar dates).
// Error code: "period_invalid" (the date errors of every caller are period
// errors; callers re-code where another code is wanted).
Result<std::int64_t> parse_date_days(std::string_view text);

// Narrows an Int128 known to fit; error "bad_input" when it does not.
Result<std::int64_t> narrow_int64(Int128 value, const char* what);

// Field access for input documents: missing or mistyped fields are
// "bad_input" with the field named.
Result<std::int64_t> input_int(const nlohmann::json& object, const char* field);
Result<std::string> input_string(const nlohmann::json& object, const char* field);
Result<double> input_number(const nlohmann::json& object, const char* field);

}  // namespace ecoledger::valuation
