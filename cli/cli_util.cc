#include "cli/cli_util.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <charconv>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

namespace ecoledger::cli {

Args::Args(int argc, char** argv, int first) {
  for (int i = first; i < argc; ++i) {
    std::string a = argv[i];
    if (a.starts_with("--")) {
      std::string name = a.substr(2);
      auto eq = name.find('=');
      if (eq != std::string::npos) {
        options_.emplace_back(name.substr(0, eq), name.substr(eq + 1));
      } else if (i + 1 < argc && !std::string(argv[i + 1]).starts_with("--")) {
        options_.emplace_back(name, argv[++i]);
      } else {
        flags_.push_back(name);
      }
    } else {
      positional_.push_back(a);
    }
  }
}

std::optional<std::string> Args::option(const std::string& name) const {
  for (const auto& [k, v] : options_)
    if (k == name) return v;
  return std::nullopt;
}

bool Args::flag(const std::string& name) const {
  for (const auto& f : flags_)
    if (f == name) return true;
  return false;
}

std::optional<std::string> Args::unknown_option(const std::vector<std::string>& allowed, const std::vector<std::string>& flags) const {
  auto in = [](const std::vector<std::string>& list, const std::string& s) {
    for (const auto& x : list)
      if (x == s) return true;
    return false;
  };
  for (const auto& [k, v] : options_)
    if (!in(allowed, k)) return "--" + k;
  for (const auto& f : flags_)
    if (!in(flags, f)) return in(allowed, f) ? "--" + f + " (needs a value)" : "--" + f;
  return std::nullopt;
}

Result<std::string> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail("io_error", "cannot read " + path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

Result<std::string> read_input(const std::string& path) {
  if (path.empty() || path == "-") {
    std::string all((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
    return all;
  }
  return read_file(path);
}

Status write_private_file(const std::string& path, const std::string& contents) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
  if (fd < 0) return fail("io_error", "cannot create " + path + " (it may exist already)");
  bool ok = ::write(fd, contents.data(), contents.size()) == static_cast<ssize_t>(contents.size()) && ::fsync(fd) == 0;
  ::close(fd);
  if (!ok) return fail("io_error", "cannot write " + path);
  return {};
}

Result<std::uint64_t> parse_u64(const std::string& name, const std::string& text) {
  std::uint64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size()) return fail("bad_argument", "--" + name + " must be a non-negative integer");
  return v;
}

int error_exit(const Error& error) {
  std::fprintf(stderr, "ecoledger: %s: %s\n", error.code.c_str(), error.message.c_str());
  return 1;
}

int usage_exit(const std::string& message) {
  std::fprintf(stderr, "ecoledger: usage: %s\n", message.c_str());
  return 2;
}

}  // namespace ecoledger::cli
