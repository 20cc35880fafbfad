#include "daemon/config.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace sb::daemon {
namespace {

constexpr size_t kMaxLineLength = 4096;

absl::Status LineError(absl::string_view file, int line, absl::string_view reason) {
  return absl::InvalidArgumentError(absl::StrCat(file, ":", line, ": ", reason));
}

bool ValidHostname(absl::string_view h) {
  if (h.empty() || h.size() > 64) return false;
  for (char c : h) {
    if (!absl::ascii_isalnum(c) && c != '-' && c != '.') return false;
  }
  return true;
}

bool ValidGroupName(absl::string_view g) {
  if (g.empty() || g.size() > 32) return false;
  for (char c : g) {
    if (!absl::ascii_isalnum(c) && c != '_' && c != '-' && c != '.') return false;
  }
  return true;
}

}  // namespace

absl::StatusOr<DaemonConfig> ParseConfig(absl::string_view text, absl::string_view filename) {
  DaemonConfig cfg;
  std::set<std::string> seen;
  int lineno = 0;
  for (absl::string_view raw : absl::StrSplit(text, '\n')) {
    ++lineno;
    if (raw.size() > kMaxLineLength) return LineError(filename, lineno, "line too long");
    absl::string_view line = absl::StripAsciiWhitespace(raw);
    if (line.empty() || line[0] == '#') continue;
    size_t eq = line.find('=');
    if (eq == absl::string_view::npos) {
      return LineError(filename, lineno, "expected \"key = value\"");
    }
    std::string key(absl::StripAsciiWhitespace(line.substr(0, eq)));
    absl::string_view value = absl::StripAsciiWhitespace(line.substr(eq + 1));
    if (!seen.insert(key).second) {
      return LineError(filename, lineno, absl::StrCat("\"", key, "\" is set twice"));
    }
    if (key == "hostname") {
      if (!ValidHostname(value)) {
        return LineError(filename, lineno,
                         absl::StrCat("hostname \"", value, "\" is not 1-64 of [A-Za-z0-9.-]"));
      }
      cfg.hostname = std::string(value);
    } else if (key == "admin_group") {
      if (!ValidGroupName(value)) {
        return LineError(filename, lineno,
                         absl::StrCat("admin_group \"", value, "\" is not a group name"));
      }
      cfg.admin_group = std::string(value);
    } else if (key == "stop_timeout_sec") {
      int n;
      if (!absl::SimpleAtoi(value, &n) || n < 0 || n > 3600) {
        return LineError(filename, lineno,
                         absl::StrCat("stop_timeout_sec \"", value, "\" is not 0..3600"));
      }
      cfg.stop_timeout = absl::Seconds(n);
    } else if (key == "log_level") {
      static const std::set<absl::string_view> kLevels = {"trace", "debug", "info", "warn",
                                                          "error"};
      if (!kLevels.contains(value)) {
        return LineError(filename, lineno,
                         absl::StrCat("log_level \"", value,
                                      "\" is not one of trace, debug, info, warn, error"));
      }
      cfg.log_level = std::string(value);
    } else if (key == "max_containers") {
      size_t n;
      if (!absl::SimpleAtoi(value, &n) || n < 1 || n > 4096) {
        return LineError(filename, lineno,
                         absl::StrCat("max_containers \"", value, "\" is not 1..4096"));
      }
      cfg.max_containers = n;
    } else {
      return LineError(filename, lineno,
                       absl::StrCat("unknown key \"", key,
                                    "\" (known: hostname, admin_group, stop_timeout_sec, "
                                    "log_level, max_containers)"));
    }
  }
  return cfg;
}

absl::StatusOr<DaemonConfig> LoadConfig(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    if (errno == ENOENT) return DaemonConfig{};
    return absl::FailedPreconditionError(absl::StrCat("cannot read ", path, ": ", strerror(errno)));
  }
  std::stringstream ss;
  ss << in.rdbuf();
  return ParseConfig(ss.str(), path);
}

}  // namespace sb::daemon
