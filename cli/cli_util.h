// Small helpers shared by the ecoledger subcommands: argument lookup, file
// and stdin reading, and the one-line error convention (message on stderr,
// non-zero exit, nothing written).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "base/result.h"

namespace ecoledger::cli {

class Args {
 public:
  Args(int argc, char** argv, int first);
  // --name VALUE
  std::optional<std::string> option(const std::string& name) const;
  bool flag(const std::string& name) const;
  // Arguments that are neither options nor their values.
  const std::vector<std::string>& positional() const { return positional_; }
  // Names of options given that are not in allowed; empty when all known.
  std::optional<std::string> unknown_option(const std::vector<std::string>& allowed, const std::vector<std::string>& flags) const;

 private:
  std::vector<std::pair<std::string, std::string>> options_;
  std::vector<std::string> flags_;
  std::vector<std::string> positional_;
};

Result<std::string> read_file(const std::string& path);
// Reads FILE, or standard input when path is empty or "-".
Result<std::string> read_input(const std::string& path);
Status write_private_file(const std::string& path, const std::string& contents);
// The value of option --name as a non-negative integer; error "bad_argument".
Result<std::uint64_t> parse_u64(const std::string& name, const std::string& text);
int error_exit(const Error& error);
int usage_exit(const std::string& message);

}  // namespace ecoledger::cli
