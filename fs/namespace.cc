// namespace.cc: VfsNamespace open, stat, access, readlink and the set-up
// mounts, the mount list, plus NewHostRootedNamespace. The directory-changing operations
// are in namespace_ops.cc; the walk in path_walk.cc.
#include <algorithm>
#include <atomic>

#include "absl/strings/str_cat.h"
#include "fs/devfs.h"
#include "fs/host_fs.h"
#include "fs/inotify.h"
#include "fs/mount.h"
#include "fs/tmpfs.h"
#include "fs/vfs_file.h"
#include "kernel/base/abi.h"
#include "kernel/base/log_once.h"

namespace sb::fs {
namespace {

// Linux's may_open() + do_open() checks for an existing file.
ErrnoStatus MayOpen(const FsContext& ctx, const Location& loc, const struct stat& st, int flags,
                    bool created) {
  if (S_ISLNK(st.st_mode)) return Errno(ELOOP);
  bool is_dir = S_ISDIR(st.st_mode);
  if ((flags & O_DIRECTORY) && !is_dir) return Errno(ENOTDIR);
  int acc = flags & O_ACCMODE;
  int may = 0;
  if (acc == O_RDONLY || acc == O_RDWR || acc == O_ACCMODE) may |= R_OK;
  if (acc == O_WRONLY || acc == O_RDWR || acc == O_ACCMODE || (flags & O_TRUNC)) may |= W_OK;
  if (is_dir && (may & W_OK)) return Errno(EISDIR);
  if ((S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)) && loc.mount->options().nodev) {
    return Errno(EACCES);
  }
  if ((may & W_OK) && (S_ISREG(st.st_mode) || is_dir) && loc.mount->read_only()) {
    return Errno(EROFS);
  }
  if (!created) SB_TRY(CheckPermission(ctx.creds, st, may));
  return Ok();
}

}  // namespace

ErrnoOr<FileRef> VfsNamespace::Open(const FsContext& ctx, const Location& loc, int flags) {
  SB_ASSIGN_OR_RETURN(struct stat st, loc.dentry->inode()->Stat());
  if (flags & O_PATH) {
    if ((flags & O_DIRECTORY) && !S_ISDIR(st.st_mode)) return Errno(ENOTDIR);
    return FileRef(std::make_shared<PathFile>(loc, O_PATH | (flags & O_NOFOLLOW)));
  }
  SB_TRY(MayOpen(ctx, loc, st, flags, /*created=*/false));
  const bool trunc = (flags & O_TRUNC) && S_ISREG(st.st_mode);
  if (trunc) SB_TRY(loc.dentry->inode()->Truncate(0));
  SB_ASSIGN_OR_RETURN(FileRef f, loc.dentry->inode()->Open(loc, flags));
  NotifyLocation(loc, IN_OPEN);  // Linux's vfs_open, then handle_truncate
  if (trunc) NotifyLocation(loc, IN_MODIFY);
  return f;
}

ErrnoOr<FileRef> VfsNamespace::OpenAt(const FsContext& ctx, const Location& start,
                                      std::string_view path, int flags, mode_t mode) {
  if ((flags & O_TMPFILE) == O_TMPFILE) {
    ReportUnsupported("open O_TMPFILE");
    return Errno(EOPNOTSUPP);
  }
  if (flags & O_PATH) {
    flags &= O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
  }
  if ((flags & O_CREAT) && (flags & O_DIRECTORY)) return Errno(EINVAL);
  FollowFinal follow = (flags & O_NOFOLLOW) ? FollowFinal::kNo : FollowFinal::kYes;
  if (!(flags & O_CREAT)) {
    SB_ASSIGN_OR_RETURN(Location loc, Lookup(ctx, start, path, follow));
    if (flags & O_PATH) return Open(ctx, loc, flags);
    SB_ASSIGN_OR_RETURN(struct stat st, loc.dentry->inode()->Stat());
    if (S_ISLNK(st.st_mode)) return Errno(ELOOP);  // O_NOFOLLOW on a symlink
    return Open(ctx, loc, flags);
  }
  int links = 0;
  return OpenCreate(ctx, start, path, flags, mode, &links);
}

// O_CREAT: Linux's open_last_lookups()/lookup_open(). A final symlink is
// followed, and its target created if missing, as Linux does.
ErrnoOr<FileRef> VfsNamespace::OpenCreate(const FsContext& ctx, const Location& start,
                                          std::string_view path, int flags, mode_t mode,
                                          int* links) {
  SB_ASSIGN_OR_RETURN(ParentWalk pw, WalkParent(ctx, start, path));
  if (pw.last_is_dot() || pw.trailing_slash) return Errno(EISDIR);
  auto existing = Step(pw.dir, pw.last);
  if (!existing.ok() && existing.error().value() != ENOENT) return existing.error();
  if (!existing.ok()) {
    CreateRequest req{S_IFREG | (mode & 07777 & ~ctx.umask), ctx.creds.fsuid, ctx.creds.fsgid};
    auto created = CreateIn(ctx, pw, req);
    if (!created.ok()) {
      if (created.error().value() != EEXIST || (flags & O_EXCL)) return created.error();
      // Lost a race with another creator: open what is there.
      SB_ASSIGN_OR_RETURN(existing, Step(pw.dir, pw.last));
    } else {
      SB_ASSIGN_OR_RETURN(Location loc, Step(pw.dir, pw.last));
      SB_ASSIGN_OR_RETURN(struct stat st, loc.dentry->inode()->Stat());
      SB_TRY(MayOpen(ctx, loc, st, flags & ~O_TRUNC, /*created=*/true));
      SB_ASSIGN_OR_RETURN(FileRef f, loc.dentry->inode()->Open(loc, flags));
      NotifyLocation(loc, IN_OPEN);
      return f;
    }
  }
  if (flags & O_EXCL) return Errno(EEXIST);
  Location loc = std::move(existing).value();
  SB_ASSIGN_OR_RETURN(struct stat st, loc.dentry->inode()->Stat());
  if (S_ISLNK(st.st_mode)) {
    if (flags & O_NOFOLLOW) return Errno(ELOOP);
    SB_TRY(CheckFollowAllowed(ctx, loc));
    if (++*links > abi::kMaxSymlinks) return Errno(ELOOP);
    SB_ASSIGN_OR_RETURN(std::string target, loc.dentry->inode()->Readlink());
    if (target.empty()) return Errno(ENOENT);
    return OpenCreate(ctx, pw.dir, target, flags, mode, links);
  }
  if (S_ISDIR(st.st_mode)) return Errno(EISDIR);
  return Open(ctx, loc, flags & ~O_CREAT);
}

ErrnoOr<struct stat> VfsNamespace::Stat(const Location& loc) { return loc.dentry->inode()->Stat(); }

ErrnoStatus VfsNamespace::Access(const FsContext& ctx, const Location& loc, int mode) {
  if (mode & ~(R_OK | W_OK | X_OK)) return Errno(EINVAL);
  SB_ASSIGN_OR_RETURN(struct stat st, loc.dentry->inode()->Stat());
  if ((mode & W_OK) && loc.mount->read_only() &&
      (S_ISREG(st.st_mode) || S_ISDIR(st.st_mode) || S_ISLNK(st.st_mode))) {
    return Errno(EROFS);
  }
  if (mode == 0) return Ok();
  return CheckPermission(ctx.creds, st, mode);
}

ErrnoOr<std::string> VfsNamespace::Readlink(const Location& loc) {
  return loc.dentry->inode()->Readlink();
}

absl::Status VfsNamespace::AddMount(std::string_view target, FilesystemRef fs, DentryRef root,
                                    const MountOptions& opts) {
  Credentials creds = Credentials::Root();
  FsContext ctx{creds, Root(), Root()};
  auto loc = Lookup(ctx, Root(), target, FollowFinal::kYes);
  if (!loc.ok())
    return ErrnoToStatus(loc.error(), absl::StrCat("mount target ", std::string(target)));
  auto st = loc->dentry->inode()->Stat();
  if (!st.ok())
    return ErrnoToStatus(st.error(), absl::StrCat("mount target ", std::string(target)));
  if (!S_ISDIR(st->st_mode)) {
    return ErrnoToStatus(Errno(ENOTDIR), absl::StrCat("mount target ", std::string(target)));
  }
  auto mount =
      std::make_shared<Mount>(std::move(fs), std::move(root), loc->mount, loc->dentry, opts);
  absl::MutexLock lock(&mu_);
  AttachLocked(mount, *loc);
  return absl::OkStatus();
}

absl::Status VfsNamespace::MountFilesystem(std::string_view target, std::string_view type,
                                           std::string_view data, const MountOptions& opts) {
  ErrnoOr<InodeRef> root = Errno(ENODEV);
  if (type == "tmpfs") {
    root = NewTmpfs(data);
  } else if (type == "devtmpfs") {
    root = NewDevfs(data);
  } else {
    return absl::InvalidArgumentError(absl::StrCat("unknown filesystem type ", std::string(type)));
  }
  if (!root.ok())
    return ErrnoToStatus(root.error(),
                         absl::StrCat("mount ", std::string(type), " ", std::string(data)));
  FilesystemRef fs = (*root)->fs_ref();
  return AddMount(target, std::move(fs), Dentry::NewRoot(std::move(root).value()), opts);
}

absl::Status VfsNamespace::MountHostDirectory(std::string_view target, std::string_view host_dir,
                                              const MountOptions& opts) {
  auto root = NewHostFs(host_dir);
  if (!root.ok())
    return ErrnoToStatus(root.error(), absl::StrCat("open host dir ", std::string(host_dir)));
  FilesystemRef fs = (*root)->fs_ref();
  MountOptions o = opts;
  o.nodev = true;  // host device nodes are never opened
  return AddMount(target, std::move(fs), Dentry::NewRoot(std::move(root).value()), o);
}

absl::Status VfsNamespace::MountFilesystemRoot(std::string_view target, InodeRef root,
                                               const MountOptions& opts) {
  FilesystemRef fs = root->fs_ref();
  return AddMount(target, std::move(fs), Dentry::NewRoot(std::move(root)), opts);
}

uint64_t NextMountId() {
  // Linux's first IDs go to its internal mounts; ours start where a
  // booted system's visible ones do.
  static std::atomic<uint64_t> next{21};
  return next.fetch_add(1, std::memory_order_relaxed);
}

uint64_t MountNamespace::MountId(const Location& loc) { return loc.mount ? loc.mount->id() : 0; }

namespace {

// The path of `d` within its filesystem (mountinfo's root field).
std::string PathInFilesystem(const DentryRef& d) {
  std::vector<std::string> parts;
  for (DentryRef cur = d; cur; cur = cur->parent()) {
    if (cur->parent()) parts.push_back(cur->name());
  }
  if (parts.empty()) return "/";
  std::string out;
  for (auto it = parts.rbegin(); it != parts.rend(); ++it) absl::StrAppend(&out, "/", *it);
  return out;
}

}  // namespace

std::vector<MountInfo> VfsNamespace::Mounts(const Location& root) {
  std::vector<MountRef> all;
  {
    absl::ReaderMutexLock lock(&mu_);
    all.push_back(root_);
    for (const auto& [key, m] : mounts_) all.push_back(m);
  }
  // Linux lists a namespace's mounts in the order they were attached;
  // pivot_root and MS_MOVE keep IDs, so ID order is our approximation.
  std::sort(all.begin() + 1, all.end(),
            [](const MountRef& a, const MountRef& b) { return a->id() < b->id(); });
  std::vector<MountInfo> out;
  for (const MountRef& m : all) {
    // The mount point as `root` sees it; mounts outside it are not shown.
    Location at{m, m->root()};
    auto path = PathOf(root, at);
    if (!path.ok() || path->starts_with("(unreachable)")) continue;
    MountInfo mi;
    mi.id = m->id();
    MountRef parent = m->parent();
    mi.parent_id = parent ? parent->id() : m->id();
    auto st = m->root()->inode()->Stat();
    mi.dev = st.ok() ? st->st_dev : m->fs()->dev();
    mi.root = PathInFilesystem(m->root());
    mi.mount_point = std::move(path).value();
    // A deleted root keeps Linux's suffix on the root, not the mount point.
    if (mi.mount_point.ends_with(" (deleted)")) mi.mount_point.resize(mi.mount_point.size() - 10);
    mi.type = m->fs()->type();
    mi.source = m->source();
    mi.options = m->options();
    mi.propagation = m->propagation();
    mi.super_read_only = m->fs()->read_only.load();
    out.push_back(std::move(mi));
  }
  return out;
}

absl::StatusOr<MountNamespaceRef> NewHostRootedNamespace(std::string_view host_root,
                                                         const MountOptions& opts) {
  auto root = NewHostFs(host_root);
  if (!root.ok())
    return ErrnoToStatus(root.error(), absl::StrCat("open host root ", std::string(host_root)));
  FilesystemRef fs = (*root)->fs_ref();
  MountOptions o = opts;
  o.nodev = true;
  auto mount = std::make_shared<Mount>(std::move(fs), Dentry::NewRoot(std::move(root).value()),
                                       nullptr, nullptr, o);
  return MountNamespaceRef(std::make_shared<VfsNamespace>(std::move(mount)));
}

}  // namespace sb::fs
