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

absl::Status PrepareChildContainersDir(fs::MountNamespace& root_ns) {
  Credentials root = Credentials::Root();
  fs::FsContext ctx{root, root_ns.Root(), root_ns.Root(), 0};
  if (!root_ns.Lookup(ctx, ctx.root, kChildContainersDir, fs::FollowFinal::kYes).ok()) {
    if (auto s = root_ns.MkdirAt(ctx, ctx.root, kChildContainersDir, 0700); !s.ok()) {
      return ErrnoToStatus(s.error(), absl::StrCat("cannot make ", kChildContainersDir,
                                                   " in the root container's root"));
    }
  }
  fs::MountOptions o;
  o.nosuid = o.nodev = true;
  return root_ns.MountFilesystem(kChildContainersDir, "tmpfs", "mode=0700", o);
}

absl::Status AttachChildContainer(fs::MountNamespace& root_ns, const std::string& id,
                                  fs::MountNamespace& child_ns) {
  Credentials root = Credentials::Root();
  fs::FsContext ctx{root, root_ns.Root(), root_ns.Root(), 0};
  const std::string dir = absl::StrCat(kChildContainersDir, "/", id);
  if (auto s = root_ns.MkdirAt(ctx, ctx.root, dir, 0755); !s.ok()) {
    return ErrnoToStatus(s.error(), absl::StrCat("cannot make ", dir));
  }
  if (auto s = root_ns.GraftNamespace(dir, child_ns); !s.ok()) {
    (void)root_ns.RmdirAt(ctx, ctx.root, dir);
    return s;
  }
  return absl::OkStatus();
}

absl::Status DetachChildContainer(fs::MountNamespace& root_ns, const std::string& id) {
  const std::string dir = absl::StrCat(kChildContainersDir, "/", id);
  if (auto s = root_ns.UnmountTree(dir); !s.ok()) return s;
  Credentials root = Credentials::Root();
  fs::FsContext ctx{root, root_ns.Root(), root_ns.Root(), 0};
  if (auto s = root_ns.RmdirAt(ctx, ctx.root, dir); !s.ok()) {
    return ErrnoToStatus(s.error(), absl::StrCat("cannot remove ", dir));
  }
  return absl::OkStatus();
}

Credentials UserCreds(uid_t uid, gid_t gid) {
  Credentials c = Credentials::Root();
  c.ruid = c.euid = c.suid = c.fsuid = uid;
  c.rgid = c.egid = c.sgid = c.fsgid = gid;
  if (uid != 0) c.cap_permitted = c.cap_effective = c.cap_ambient = 0;
  return c;
}

}  // namespace sb::daemon
