// mount.cc: mount, umount2, pivot_root, chroot (Linux's fs/namespace.c
// and fs/open.c). Decodes and checks the arguments in Linux's order, then
// asks the task's mount namespace (fs/namespace_mount.cc) to change its
// table. New filesystems: tmpfs, proc (for the caller's PID namespace) and
// any type registered by name (fs/filesystem_types.h, e.g. sysfs); other
// types are ENODEV, logged once by name.
#include <sys/mount.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "fs/filesystem_types.h"
#include "fs/tmpfs.h"
#include "kernel/base/abi.h"
#include "kernel/base/log_once.h"
#include "kernel/kernel.h"
#include "kernel/procfs/procfs.h"
#include "kernel/syscalls/at_path.h"
#include "kernel/syscalls/handlers.h"

namespace sb::kernel {
namespace {

constexpr int kCapSysChroot = 18;
constexpr int kCapSysAdmin = 21;
constexpr uint64_t kMsMgcMask = 0xffff0000, kMsMgcVal = 0xC0ED0000;
constexpr uint64_t kMsNoSymfollow = MS_NOSYMFOLLOW;

// copy_mount_string(): a NULL pointer is no string.
ErrnoOr<std::optional<std::string>> CopyMountString(Task& t, uint64_t addr) {
  if (addr == 0) return std::optional<std::string>();
  auto s = t.CopyInString(addr, abi::kPageSize);
  if (!s.ok()) return Errno(s.error().value() == ENAMETOOLONG ? EINVAL : s.error().value());
  return std::optional<std::string>(std::move(s).value());
}

ErrnoOr<fs::Location> LookupPath(Task& t, const std::string& path, fs::FollowFinal follow) {
  if (path.empty()) return Errno(ENOENT);
  SB_ASSIGN_OR_RETURN(fs::Location start, t.AtLocation(AT_FDCWD, path));
  return t.mount_namespace().Lookup(t.FsContext(), start, path, follow);
}

// The root inode of a new filesystem of `type` with mount data `data`.
ErrnoOr<fs::InodeRef> NewFilesystem(Task& t, const std::string& type, const std::string& data) {
  if (type == "tmpfs") return fs::NewTmpfs(data);
  if (type == "proc") {
    // Linux's proc options: hidepid=, gid=, subset= are not implemented.
    for (absl::string_view opt : absl::StrSplit(data, ',', absl::SkipEmpty())) {
      ReportUnsupported(absl::StrCat("mount proc option ", std::string(opt)));
      return Errno(EINVAL);
    }
    return NewProcfs(t.kernel(), t.thread_group().pid()->ns());
  }
  if (auto factory = fs::FindFilesystemType(type)) return (*factory)(data);
  ReportUnsupported(absl::StrCat("mount type ", type));
  return Errno(ENODEV);
}

// Replaces `old` by `now` as the root and cwd of every task (Linux's
// chroot_fs_refs after pivot_root).
void MoveFsRefs(Kernel& k, const fs::Location& old, const fs::Location& now) {
  std::vector<TaskRef> tasks;
  {
    absl::MutexLock lock(&k.tree_mu_);
    for (const auto& [tid, task] : k.tasks_) tasks.push_back(task);
  }
  for (const TaskRef& task : tasks) {
    FsStateRef fs = task->SnapshotResources().fs;
    if (!fs) continue;
    absl::MutexLock lock(&fs->mu);
    auto same = [](const fs::Location& a, const fs::Location& b) {
      return a.mount == b.mount && a.dentry == b.dentry;
    };
    if (same(fs->root, old)) fs->root = now;
    if (same(fs->cwd, old)) fs->cwd = now;
  }
}

}  // namespace

SyscallResult Mount(Task& t, const SyscallArgs& a) {
  SB_ASSIGN_OR_RETURN(std::optional<std::string> type, CopyMountString(t, a.addr(2)));
  SB_ASSIGN_OR_RETURN(std::optional<std::string> source, CopyMountString(t, a.addr(0)));
  std::string data;
  if (a.addr(4) != 0) {
    // copy_mount_options(): up to a page; only an unreadable start faults.
    auto d = t.CopyInString(a.addr(4), abi::kPageSize - 1);
    if (!d.ok() && d.error().value() == EFAULT) return Errno(EFAULT);
    if (d.ok()) data = std::move(d).value();
  }
  SB_ASSIGN_OR_RETURN(std::string target_path, CopyInPath(t, a.addr(1)));
  SB_ASSIGN_OR_RETURN(fs::Location target, LookupPath(t, target_path, fs::FollowFinal::kYes));

  // path_mount().
  uint64_t flags = a.u64(3);
  if ((flags & kMsMgcMask) == kMsMgcVal) flags &= ~kMsMgcMask;
  if (flags & MS_NOUSER) return Errno(EINVAL);
  if (!t.creds().HasCapability(kCapSysAdmin)) return Errno(EPERM);
  fs::MountOptions opts;
  opts.read_only = flags & MS_RDONLY;
  opts.nosuid = flags & MS_NOSUID;
  opts.nodev = flags & MS_NODEV;
  opts.noexec = flags & MS_NOEXEC;
  opts.nodiratime = flags & MS_NODIRATIME;
  opts.nosymfollow = flags & kMsNoSymfollow;
  if (flags & MS_NOATIME) opts.atime = fs::AtimeMode::kNoatime;
  if (flags & MS_STRICTATIME) opts.atime = fs::AtimeMode::kStrict;
  // A remount that names no atime flag keeps the mount's.
  const bool keep_atime = !(flags & (MS_NOATIME | MS_NODIRATIME | MS_RELATIME | MS_STRICTATIME));
  flags &= ~(MS_NOSUID | MS_NOEXEC | MS_NODEV | MS_NOATIME | MS_NODIRATIME | MS_RELATIME |
             MS_STRICTATIME | kMsNoSymfollow | MS_ACTIVE | MS_BORN | MS_KERNMOUNT);
  fs::MountNamespace& ns = t.mount_namespace();

  if ((flags & (MS_REMOUNT | MS_BIND)) == (MS_REMOUNT | MS_BIND)) {
    SB_TRY(ns.Remount(target, opts, keep_atime, /*superblock=*/false));
    return 0;
  }
  if (flags & MS_REMOUNT) {
    // The filesystem's own options (tmpfs size=...) cannot change yet.
    if (!data.empty()) {
      ReportUnsupported("mount MS_REMOUNT with filesystem data");
      return Errno(EINVAL);
    }
    SB_TRY(ns.Remount(target, opts, keep_atime, /*superblock=*/true));
    return 0;
  }
  if (flags & MS_BIND) {
    if (!source || source->empty()) return Errno(EINVAL);
    SB_ASSIGN_OR_RETURN(fs::Location src, LookupPath(t, *source, fs::FollowFinal::kYes));
    SB_TRY(ns.BindMount(src, target, flags & MS_REC));
    return 0;
  }
  constexpr uint64_t kPropagation = MS_SHARED | MS_PRIVATE | MS_SLAVE | MS_UNBINDABLE;
  if (flags & kPropagation) {
    // do_change_type(): exactly one propagation type (MS_REC, MS_SILENT aside).
    uint64_t kind = flags & ~(MS_REC | MS_SILENT);
    if (kind == MS_SHARED) {
      // Shared subtrees are not implemented: refused, never pretended.
      ReportUnsupported("mount MS_SHARED (shared subtrees)");
      return Errno(EINVAL);
    }
    fs::Propagation p;
    if (kind == MS_PRIVATE || kind == MS_SLAVE) {
      // With no shared mounts, a slave has no master: it is private.
      p = fs::Propagation::kPrivate;
    } else if (kind == MS_UNBINDABLE) {
      p = fs::Propagation::kUnbindable;
    } else {
      return Errno(EINVAL);
    }
    SB_TRY(ns.ChangePropagation(target, p, flags & MS_REC));
    return 0;
  }
  if (flags & MS_MOVE) {
    if (!source || source->empty()) return Errno(EINVAL);
    SB_ASSIGN_OR_RETURN(fs::Location src, LookupPath(t, *source, fs::FollowFinal::kYes));
    SB_TRY(ns.MoveMount(src, target));
    return 0;
  }
  // do_new_mount().
  if (!type) return Errno(EINVAL);
  if (type->empty()) return Errno(ENODEV);
  SB_ASSIGN_OR_RETURN(fs::InodeRef root, NewFilesystem(t, *type, data));
  std::string name = source ? *source : "none";
  SB_TRY(ns.MountAt(target, std::move(root), std::move(name), opts));
  return 0;
}

SyscallResult Umount2(Task& t, const SyscallArgs& a) {
  const int flags = a.i32(1);
  if (flags & ~(MNT_FORCE | MNT_DETACH | MNT_EXPIRE | UMOUNT_NOFOLLOW)) return Errno(EINVAL);
  SB_ASSIGN_OR_RETURN(std::string path, CopyInPath(t, a.addr(0)));
  fs::Location root;
  {
    fs::FsContext ctx = t.FsContext();
    root = ctx.root;
    SB_ASSIGN_OR_RETURN(fs::Location start, t.AtLocation(AT_FDCWD, path));
    if (path.empty()) return Errno(ENOENT);
    auto loc = t.mount_namespace().Lookup(
        ctx, start, path, (flags & UMOUNT_NOFOLLOW) ? fs::FollowFinal::kNo : fs::FollowFinal::kYes);
    if (!loc.ok()) return loc.error();
    if (!t.creds().HasCapability(kCapSysAdmin)) return Errno(EPERM);
    start = fs::Location{};
    ctx.cwd = fs::Location{};
    ctx.root = fs::Location{};
    fs::Location target = std::move(loc).value();
    // The namespace counts the references to the mount: ours is `target`
    // alone (plus `root`, which it knows of).
    SB_TRY(t.mount_namespace().Unmount(std::move(target), flags, root));
  }
  return 0;
}

SyscallResult PivotRoot(Task& t, const SyscallArgs& a) {
  if (!t.creds().HasCapability(kCapSysAdmin)) return Errno(EPERM);
  // Both must be directories (LOOKUP_DIRECTORY), walked in turn.
  auto dir = [&t](uint64_t addr) -> ErrnoOr<fs::Location> {
    SB_ASSIGN_OR_RETURN(std::string path, CopyInPath(t, addr));
    SB_ASSIGN_OR_RETURN(fs::Location loc, LookupPath(t, path, fs::FollowFinal::kYes));
    SB_ASSIGN_OR_RETURN(struct stat st, t.mount_namespace().Stat(loc));
    if (!S_ISDIR(st.st_mode)) return Errno(ENOTDIR);
    return loc;
  };
  SB_ASSIGN_OR_RETURN(fs::Location new_root, dir(a.addr(0)));
  SB_ASSIGN_OR_RETURN(fs::Location put_old, dir(a.addr(1)));
  SB_ASSIGN_OR_RETURN(fs::Location old_root,
                      t.mount_namespace().PivotRoot(t.FsContext(), new_root, put_old));
  MoveFsRefs(t.kernel(), old_root, new_root);
  return 0;
}

SyscallResult Chroot(Task& t, const SyscallArgs& a) {
  SB_ASSIGN_OR_RETURN(std::string path, CopyInPath(t, a.addr(0)));
  SB_ASSIGN_OR_RETURN(fs::Location loc, LookupPath(t, path, fs::FollowFinal::kYes));
  SB_ASSIGN_OR_RETURN(struct stat st, t.mount_namespace().Stat(loc));
  if (!S_ISDIR(st.st_mode)) return Errno(ENOTDIR);
  SB_TRY(t.mount_namespace().Access(t.FsContext(), loc, X_OK));
  if (!t.creds().HasCapability(kCapSysChroot)) return Errno(EPERM);
  absl::MutexLock lock(&t.fs_state().mu);
  t.fs_state().root = std::move(loc);
  return 0;
}

}  // namespace sb::kernel
