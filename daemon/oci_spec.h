// oci_spec.h: the part of an OCI bundle's config.json sandboxd honours.
//
// Read: ociVersion, root.path (relative to the bundle or absolute),
// root.readonly, process.args/env/cwd/user.uid/user.gid/terminal, hostname,
// mounts. Mounts of the runtime-spec defaults (/proc, /dev, /dev/pts,
// /dev/shm, /dev/mqueue, /sys, /sys/fs/cgroup) are accepted; the ones the
// kernel cannot provide yet are listed in `unprovided_mounts` for a warning.
// Any other mount, hooks, and process.terminal are refused with an error
// naming the field (and the mount type).
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>
#include "absl/strings/string_view.h"

#include "absl/status/statusor.h"

namespace sb::daemon {

struct OciMount {
  std::string destination;
  std::string type;
  // For a tmpfs the spec asks for: the filesystem's options ("mode=1777,
  // size=..."; empty: our defaults) and the mount's flags.
  std::string data;
  bool read_only = false, nosuid = false, nodev = false;
};

struct OciSpec {
  std::string root_path;  // absolute host path of the container's root
  bool root_readonly = false;
  std::vector<std::string> args;
  std::vector<std::string> env;
  std::string cwd = "/";
  uid_t uid = 0;
  gid_t gid = 0;
  std::string hostname;
  std::vector<OciMount> mounts;             // defaults we provide (tmpfs, devtmpfs)
  std::vector<OciMount> unprovided_mounts;  // defaults the kernel has no fs for yet
};

inline constexpr size_t kMaxConfigJsonBytes = 1 << 20;

// Parses config.json text; `bundle_dir` is absolute.
absl::StatusOr<OciSpec> ParseOciSpec(absl::string_view json, const std::string& bundle_dir);
// Reads BUNDLE/config.json and checks that the root is an existing directory.
absl::StatusOr<OciSpec> LoadOciSpec(const std::string& bundle_dir);

}  // namespace sb::daemon
