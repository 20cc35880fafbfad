// config.h: /etc/sandboxd/NAME.conf, the instance's configuration.
//
// One "key = value" per line; '#' starts a comment line; blank lines are
// ignored. Keys:
//   hostname = NAME          the kernel's hostname (default "sandbox")
//   admin_group = GROUP      a group whose members may call the API besides root
//   stop_timeout_sec = N     grace between SIGTERM and SIGKILL on stop (default 10)
//   log_level = LEVEL        trace, debug, info, warn, error (default info)
//   max_containers = N       1..4096 (default 64)
// An unknown key, a bad value or a repeated key refuses the whole file with
// "FILE:LINE: reason".
#pragma once

#include <cstddef>
#include <string>
#include "absl/strings/string_view.h"

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace sb::daemon {

struct DaemonConfig {
  std::string hostname = "sandbox";
  std::string admin_group;  // empty: root only
  absl::Duration stop_timeout = absl::Seconds(10);
  std::string log_level = "info";
  size_t max_containers = 64;
};

absl::StatusOr<DaemonConfig> ParseConfig(absl::string_view text, absl::string_view filename);
// Reads and parses `path`; the defaults when it does not exist.
absl::StatusOr<DaemonConfig> LoadConfig(const std::string& path);

}  // namespace sb::daemon
