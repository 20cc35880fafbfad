// oci_spec.h: the part of an OCI bundle's config.json sandboxd honours.
//
// Read: ociVersion, root.path (relative to the bundle or absolute),
// root.readonly, process.args/env/cwd/user.uid/user.gid/terminal, hostname,
// annotations["dev.sandboxd.overlay"], mounts. Mounts of the runtime-spec
// defaults (/proc, /dev, /dev/pts, /dev/shm, /dev/mqueue, /sys,
// /sys/fs/cgroup) are accepted; the ones the kernel cannot provide yet are
// listed in `unprovided_mounts` for a warning. tmpfs mounts anywhere, and
// bind mounts (type "bind", or any type with the option bind/rbind) of a
// host directory or file (source absolute or relative to the bundle).
// Any other mount, an option we do not honour, hooks, and
// process.terminal are refused with an error naming the field, the mount
// type or the option.
//
// The root: root.readonly=true is the host directory read-only.
// root.readonly=false (the default) is an overlay: the host directory
// read-only below a tmpfs upper, so writes never reach the host, unless
// the annotation "dev.sandboxd.overlay" is "none": then the host directory
// itself is mounted read-write and writes reach it. ("tmpfs", the default,
// names the overlay explicitly.)
//
// Mount options honoured: ro, rw; nosuid (set-id bits are never honoured
// in the sandbox anyway), nodev (host-backed mounts never open device
// nodes, whatever the option says; "dev" only matters on tmpfs), noexec
// (execve EACCES, mmap PROT_EXEC EPERM), exec, suid. Accepted as
// documented no-ops: noatime, relatime, strictatime, nodiratime (a
// host-backed mount's atimes are kept by the host under its own policy;
// tmpfs keeps relatime); private, rprivate, slave, rslave (propagation
// means nothing in a sandbox where mounts are never shared with the
// host); bind and rbind are the same (a host directory is seen with the
// host mounts beneath it, but host pseudo-filesystems show as empty
// directories). shared/rshared and everything else are refused.
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
  bool read_only = false, nosuid = false, nodev = false, noexec = false;
  // A bind mount (type "bind"): `source` is the absolute host path.
  std::string source;
  // A runtime-spec default mount (or one we add): skipped when a read-only
  // root has no mount point for it, instead of failing.
  bool optional = false;
};

struct OciSpec {
  std::string root_path;  // absolute host path of the container's root
  bool root_readonly = false;
  // root.readonly=false gets an overlay unless the annotation
  // dev.sandboxd.overlay is "none" (or `sandboxctl run --overlay=none`).
  bool overlay = true;
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
// The annotation that turns the root overlay off ("none") or names it ("tmpfs").
inline constexpr char kOverlayAnnotation[] = "dev.sandboxd.overlay";

// Parses config.json text; `bundle_dir` is absolute.
absl::StatusOr<OciSpec> ParseOciSpec(absl::string_view json, const std::string& bundle_dir);
// Reads BUNDLE/config.json and checks that the root is an existing directory.
absl::StatusOr<OciSpec> LoadOciSpec(const std::string& bundle_dir);

}  // namespace sb::daemon
