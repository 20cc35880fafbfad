#include "daemon/container_fs.h"

#include "absl/strings/str_cat.h"

namespace sb::daemon {

absl::StatusOr<fs::MountNamespaceRef> BuildContainerNamespace(const OciSpec& spec) {
  fs::MountOptions mopts;
  mopts.read_only = spec.root_readonly;
  auto ns = fs::NewHostRootedNamespace(spec.root_path, mopts);
  if (!ns.ok()) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot open root ", spec.root_path, ": ", ns.status().message()));
  }
  std::vector<OciMount> mounts = {{"/tmp", "tmpfs"}};
  mounts.insert(mounts.end(), spec.mounts.begin(), spec.mounts.end());
  if (spec.mounts.empty()) mounts.push_back({"/dev", "devtmpfs"});
  bool dev_mounted = false;
  for (const auto& m : mounts) {
    if (m.type == "proc") continue;  // needs the PID namespace: the caller's
    std::string data = !m.data.empty() ? m.data : m.type == "tmpfs" ? "mode=1777" : "mode=755";
    fs::MountOptions o;
    o.read_only = m.read_only;
    o.nosuid = m.nosuid;
    o.nodev = m.nodev;
    if (auto s = (*ns)->MountFilesystem(m.destination, m.type, data, o); !s.ok()) {
      if (absl::IsNotFound(s)) continue;  // the root has no such directory
      return absl::FailedPreconditionError(
          absl::StrCat("mounting ", m.type, " at ", m.destination, ": ", s.message()));
    }
    if (m.type == "devtmpfs" && m.destination == "/dev") dev_mounted = true;
  }
  if (dev_mounted) {
    // POSIX shared memory (shm_open, multiprocessing) lives in /dev/shm.
    Credentials root = Credentials::Root();
    fs::FsContext ctx{root, (*ns)->Root(), (*ns)->Root(), 0};
    if ((*ns)->MkdirAt(ctx, ctx.root, "/dev/shm", 01777).ok()) {
      if (auto s = (*ns)->MountFilesystem("/dev/shm", "tmpfs", "mode=1777", {}); !s.ok()) {
        return absl::FailedPreconditionError(absl::StrCat("mounting /dev/shm: ", s.message()));
      }
    }
  }
  return *ns;
}

Credentials UserCreds(uid_t uid, gid_t gid) {
  Credentials c = Credentials::Root();
  c.ruid = c.euid = c.suid = c.fsuid = uid;
  c.rgid = c.egid = c.sgid = c.fsgid = gid;
  if (uid != 0) c.cap_permitted = c.cap_effective = c.cap_ambient = 0;
  return c;
}

}  // namespace sb::daemon
