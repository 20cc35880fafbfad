// container_fs.h: a container's mount namespace from its OCI spec, shared
// by the daemon's containers and `sandboxctl run`.
//
// The root from root.path: read-only if root.readonly; otherwise an
// overlay (the host directory read-only below a tmpfs upper) unless
// spec.overlay is off, when the host directory is mounted read-write.
// Then a tmpfs at /tmp, the spec's mounts in order (tmpfs, devtmpfs, bind
// mounts of host directories and files; proc is mounted by the caller,
// which knows the PID namespace), our /dev when the spec mounts none, and
// a tmpfs at /dev/shm under our /dev. Mount points are created as needed
// (in the overlay's upper, or in a writable host root); where the root is
// read-only and lacks one, a spec mount fails with an error naming it,
// while our defaults (/tmp, /dev, the runtime-spec's standard mounts) are
// skipped. Mount types the kernel has no filesystem for were already
// refused or listed by ParseOciSpec.
#pragma once

#include "absl/status/statusor.h"
#include "daemon/oci_spec.h"
#include "fs/vfs.h"

namespace sb::daemon {

absl::StatusOr<fs::MountNamespaceRef> BuildContainerNamespace(const OciSpec& spec);

// Multi-container (as runsc): the first container is the root container;
// every other one's whole mount tree is also mounted (grafted) at
// /__runsc_containers__/ID in the root container's namespace, a root-only
// (0700) tmpfs, so the root container reaches its children's files while a
// child sees only its own root.
inline constexpr char kChildContainersDir[] = "/__runsc_containers__";
// Mounts the root-only tmpfs at kChildContainersDir in `root_ns`, making
// the directory first when the root lacks it (FailedPrecondition when the
// root is read-only and has no such directory).
absl::Status PrepareChildContainersDir(fs::MountNamespace& root_ns);
// Grafts `child_ns` at kChildContainersDir/ID in `root_ns`.
absl::Status AttachChildContainer(fs::MountNamespace& root_ns, const std::string& id,
                                  fs::MountNamespace& child_ns);
// Unmounts kChildContainersDir/ID and removes the directory.
absl::Status DetachChildContainer(fs::MountNamespace& root_ns, const std::string& id);

// A container process's credentials: the spec's user and group; a user
// other than root has no capabilities, as under runc.
Credentials UserCreds(uid_t uid, gid_t gid);

}  // namespace sb::daemon
