#include "daemon/container_fs.h"

#include <limits.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "fs/overlay.h"

namespace sb::daemon {
namespace {

// Makes the mount point `dest` (its parents as directories, itself a
// directory or, for a file bind mount, an empty file), walking with root
// credentials inside the namespace (symlinks resolve within its root).
// EROFS when the root is read-only and something is missing; the error
// names the path.
absl::Status MakeMountPoint(fs::MountNamespace& ns, const std::string& dest, bool file) {
  Credentials root = Credentials::Root();
  fs::FsContext ctx{root, ns.Root(), ns.Root(), 0};
  std::vector<std::string> parts = absl::StrSplit(dest, '/', absl::SkipEmpty());
  std::string path;
  for (size_t i = 0; i < parts.size(); ++i) {
    absl::StrAppend(&path, "/", parts[i]);
    if (ns.Lookup(ctx, ctx.root, path, fs::FollowFinal::kYes).ok()) continue;
    if (file && i + 1 == parts.size()) {
      auto f = ns.OpenAt(ctx, ctx.root, path, O_CREAT | O_WRONLY | O_NOFOLLOW, 0644);
      if (!f.ok()) return ErrnoToStatus(f.error(), absl::StrCat("creating the mount point ", path));
      continue;
    }
    auto r = ns.MkdirAt(ctx, ctx.root, path, 0755);
    if (!r.ok() && r.error().value() != EEXIST) {
      return ErrnoToStatus(r.error(), absl::StrCat("creating the mount point ", path));
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<fs::MountNamespaceRef> BuildContainerNamespace(const OciSpec& spec) {
  absl::StatusOr<fs::MountNamespaceRef> ns;
  if (!spec.root_readonly && spec.overlay) {
    ns = fs::NewOverlayRootedNamespace(spec.root_path, {});
  } else {
    fs::MountOptions mopts;
    mopts.read_only = spec.root_readonly;
    ns = fs::NewHostRootedNamespace(spec.root_path, mopts);
  }
  if (!ns.ok()) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot open root ", spec.root_path, ": ", ns.status().message()));
  }
  OciMount tmp{"/tmp", "tmpfs"};
  tmp.optional = true;
  std::vector<OciMount> mounts = {tmp};
  mounts.insert(mounts.end(), spec.mounts.begin(), spec.mounts.end());
  if (spec.mounts.empty()) {
    OciMount dev{"/dev", "devtmpfs"};
    dev.optional = true;
    mounts.push_back(dev);
  }
  bool dev_mounted = false;
  for (const auto& m : mounts) {
    if (m.type == "proc") continue;  // needs the PID namespace: the caller's
    fs::MountOptions o;
    o.read_only = m.read_only;
    o.nosuid = m.nosuid;
    o.nodev = m.nodev;
    o.noexec = m.noexec;
    std::string source;
    bool file = false;
    if (m.type == "bind") {
      char real[PATH_MAX];
      if (realpath(m.source.c_str(), real) == nullptr) {
        return absl::FailedPreconditionError(absl::StrCat(
            "bind mount at ", m.destination, ": source ", m.source, ": ", strerror(errno)));
      }
      source = real;
      struct stat st;
      file = stat(real, &st) == 0 && !S_ISDIR(st.st_mode);
    }
    if (auto s = MakeMountPoint(**ns, m.destination, file); !s.ok()) {
      if (m.optional) continue;  // a read-only root without it: not ours to add
      return absl::FailedPreconditionError(absl::StrCat("mounting ", m.type, " at ", m.destination,
                                                        ": the root has no mount point for it (",
                                                        s.message(), ")"));
    }
    absl::Status s;
    if (m.type == "bind") {
      s = (*ns)->MountHostPath(m.destination, source, o);
    } else {
      std::string data = !m.data.empty() ? m.data : m.type == "tmpfs" ? "mode=1777" : "mode=755";
      s = (*ns)->MountFilesystem(m.destination, m.type, data, o);
    }
    if (!s.ok()) {
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
