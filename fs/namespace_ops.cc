// namespace_ops.cc: the directory-changing operations of VfsNamespace
// (mkdir, unlink, rmdir, rename, symlink, link), with Linux's checks and
// their order from fs/namei.c (may_create, may_delete, vfs_rename).
#include <linux/capability.h>
#include <linux/fs.h>

#include "fs/inotify.h"
#include "fs/mount.h"

namespace sb::fs {
namespace {

ErrnoOr<struct stat> StatOf(const DentryRef& d) { return d->inode()->Stat(); }

// Linux's may_delete(): may the caller remove `child` from `dir`?
ErrnoStatus MayDelete(const FsContext& ctx, const Location& dir, const DentryRef& child,
                      bool want_dir) {
  SB_ASSIGN_OR_RETURN(struct stat dir_st, StatOf(dir.dentry));
  SB_ASSIGN_OR_RETURN(struct stat st, StatOf(child));
  SB_TRY(CheckPermission(ctx.creds, dir_st, W_OK | X_OK));
  SB_TRY(CheckSticky(ctx.creds, dir_st, st));
  if (want_dir) {
    if (!S_ISDIR(st.st_mode)) return Errno(ENOTDIR);
  } else if (S_ISDIR(st.st_mode)) {
    return Errno(EISDIR);
  }
  if (child->mount_count.load() > 0) return Errno(EBUSY);
  return Ok();
}

}  // namespace

ErrnoOr<InodeRef> VfsNamespace::CreateIn(const FsContext& ctx, const ParentWalk& pw,
                                         CreateRequest req) {
  if (pw.last_is_dot()) return Errno(EEXIST);
  auto existing = pw.dir.dentry->Child(pw.last);
  if (existing.ok()) return Errno(EEXIST);
  if (existing.error().value() != ENOENT) return existing.error();
  SB_TRY(CheckWritableMount(pw.dir));
  SB_ASSIGN_OR_RETURN(struct stat dir_st, StatOf(pw.dir.dentry));
  if (dir_st.st_nlink == 0) return Errno(ENOENT);  // a deleted directory
  SB_TRY(CheckPermission(ctx.creds, dir_st, W_OK | X_OK));
  // Linux's vfs_mknod(): device nodes need CAP_MKNOD (after may_create).
  if ((S_ISCHR(req.mode) || S_ISBLK(req.mode)) && !ctx.creds.HasCapability(CAP_MKNOD)) {
    return Errno(EPERM);
  }
  if (dir_st.st_mode & S_ISGID) {
    req.gid = dir_st.st_gid;
    if (S_ISDIR(req.mode)) req.mode |= S_ISGID;
  }
  SB_ASSIGN_OR_RETURN(InodeRef created, pw.dir.dentry->inode()->CreateChild(pw.last, req));
  NotifyDirEntry(*pw.dir.dentry->inode(), IN_CREATE, pw.last, S_ISDIR(req.mode));
  return created;
}

ErrnoStatus VfsNamespace::MkdirAt(const FsContext& ctx, const Location& start,
                                  std::string_view path, mode_t mode) {
  SB_ASSIGN_OR_RETURN(ParentWalk pw, WalkParent(ctx, start, path));
  CreateRequest req{S_IFDIR | (mode & 07777 & ~ctx.umask & ~S_ISGID & ~S_ISUID), ctx.creds.fsuid,
                    ctx.creds.fsgid};
  SB_TRY(CreateIn(ctx, pw, req));
  return Ok();
}

// Linux's do_mknodat(): the type is checked before the path is walked.
ErrnoStatus VfsNamespace::MknodAt(const FsContext& ctx, const Location& start,
                                  std::string_view path, mode_t mode, dev_t dev) {
  mode_t type = mode & S_IFMT;
  switch (type) {
    case 0:
      type = S_IFREG;
      break;
    case S_IFREG:
    case S_IFCHR:
    case S_IFBLK:
    case S_IFIFO:
    case S_IFSOCK:
      break;
    case S_IFDIR:
      return Errno(EPERM);
    default:
      return Errno(EINVAL);
  }
  SB_ASSIGN_OR_RETURN(ParentWalk pw, WalkParent(ctx, start, path));
  if (pw.trailing_slash && !pw.last_is_dot()) {
    if (pw.dir.dentry->Child(pw.last).ok()) return Errno(EEXIST);
    return Errno(ENOENT);
  }
  const bool device = S_ISCHR(type) || S_ISBLK(type);
  CreateRequest req{
      type | (mode & 07777 & ~ctx.umask), ctx.creds.fsuid, ctx.creds.fsgid, {}, device ? dev : 0};
  SB_TRY(CreateIn(ctx, pw, req));
  return Ok();
}

ErrnoStatus VfsNamespace::SymlinkAt(const FsContext& ctx, std::string_view target,
                                    const Location& start, std::string_view path) {
  if (target.empty()) return Errno(ENOENT);
  if (target.size() >= 4096) return Errno(ENAMETOOLONG);
  SB_ASSIGN_OR_RETURN(ParentWalk pw, WalkParent(ctx, start, path));
  if (pw.trailing_slash && !pw.last_is_dot()) {
    if (pw.dir.dentry->Child(pw.last).ok()) return Errno(EEXIST);
    return Errno(ENOENT);
  }
  CreateRequest req{S_IFLNK | 0777, ctx.creds.fsuid, ctx.creds.fsgid, target};
  SB_TRY(CreateIn(ctx, pw, req));
  return Ok();
}

ErrnoStatus VfsNamespace::BindSocketAt(const FsContext& ctx, const Location& start,
                                       std::string_view path, mode_t mode,
                                       std::weak_ptr<BoundSocket> socket) {
  SB_ASSIGN_OR_RETURN(ParentWalk pw, WalkParent(ctx, start, path));
  if (pw.last_is_dot()) return Errno(EADDRINUSE);
  if (pw.trailing_slash) return Errno(pw.dir.dentry->Child(pw.last).ok() ? EADDRINUSE : ENOENT);
  CreateRequest req{S_IFSOCK | (mode & 0777 & ~ctx.umask), ctx.creds.fsuid, ctx.creds.fsgid};
  req.socket = std::move(socket);
  auto created = CreateIn(ctx, pw, req);
  if (!created.ok())
    return Errno(created.error().value() == EEXIST ? EADDRINUSE : created.error().value());
  return Ok();
}

ErrnoOr<std::shared_ptr<BoundSocket>> VfsNamespace::FindBoundSocket(const FsContext& ctx,
                                                                    const Location& start,
                                                                    std::string_view path) {
  SB_ASSIGN_OR_RETURN(Location loc, Lookup(ctx, start, path, FollowFinal::kYes));
  SB_ASSIGN_OR_RETURN(struct stat st, StatOf(loc.dentry));
  SB_TRY(CheckPermission(ctx.creds, st, W_OK));  // Linux's unix_find_bsd
  if (!S_ISSOCK(st.st_mode)) return Errno(ECONNREFUSED);
  std::shared_ptr<BoundSocket> s = loc.dentry->inode()->bound_socket();
  if (!s) return Errno(ECONNREFUSED);
  return s;
}

ErrnoStatus VfsNamespace::LinkAt(const FsContext& ctx, const Location& old_start,
                                 std::string_view old_path, const Location& new_start,
                                 std::string_view new_path, FollowFinal follow) {
  SB_ASSIGN_OR_RETURN(Location old_loc, Lookup(ctx, old_start, old_path, follow));
  SB_ASSIGN_OR_RETURN(ParentWalk pw, WalkParent(ctx, new_start, new_path));
  if (pw.dir.mount != old_loc.mount) return Errno(EXDEV);
  if (pw.last_is_dot()) return Errno(EEXIST);
  if (pw.dir.dentry->Child(pw.last).ok()) return Errno(EEXIST);
  if (pw.trailing_slash) return Errno(ENOENT);
  SB_TRY(CheckWritableMount(pw.dir));
  SB_ASSIGN_OR_RETURN(struct stat dir_st, StatOf(pw.dir.dentry));
  SB_TRY(CheckPermission(ctx.creds, dir_st, W_OK | X_OK));
  SB_ASSIGN_OR_RETURN(struct stat st, StatOf(old_loc.dentry));
  if (S_ISDIR(st.st_mode)) return Errno(EPERM);
  // fs.protected_hardlinks=1 (Linux's may_linkat()).
  if (!IsOwnerOrFowner(ctx.creds, st)) {
    bool safe = S_ISREG(st.st_mode) && !(st.st_mode & S_ISUID) &&
                !((st.st_mode & (S_ISGID | S_IXGRP)) == (S_ISGID | S_IXGRP)) &&
                CheckPermission(ctx.creds, st, R_OK | W_OK).ok();
    if (!safe) return Errno(EPERM);
  }
  if (st.st_nlink == 0) return Errno(ENOENT);
  SB_TRY(pw.dir.dentry->inode()->LinkChild(pw.last, old_loc.dentry->inode()));
  // Linux's fsnotify_link: the link count, then the new name.
  NotifyInode(*old_loc.dentry->inode(), IN_ATTRIB);
  NotifyDirEntry(*pw.dir.dentry->inode(), IN_CREATE, pw.last, false);
  return Ok();
}

ErrnoStatus VfsNamespace::Remove(const FsContext& ctx, const Location& start, std::string_view path,
                                 bool dir) {
  SB_ASSIGN_OR_RETURN(ParentWalk pw, WalkParent(ctx, start, path));
  if (dir) {
    if (pw.last.empty()) return Errno(EBUSY);
    if (pw.last == ".") return Errno(EINVAL);
    if (pw.last == "..") return Errno(ENOTEMPTY);
  } else if (pw.last_is_dot()) {
    return Errno(EISDIR);
  }
  SB_TRY(CheckWritableMount(pw.dir));
  SB_ASSIGN_OR_RETURN(DentryRef child, pw.dir.dentry->Child(pw.last));
  if (!dir && pw.trailing_slash) {
    SB_ASSIGN_OR_RETURN(struct stat st, StatOf(child));
    return Errno(S_ISDIR(st.st_mode) ? EISDIR : ENOTDIR);
  }
  SB_TRY(MayDelete(ctx, pw.dir, child, dir));
  SB_TRY(pw.dir.dentry->inode()->RemoveChild(pw.last, dir));
  pw.dir.dentry->ChildRemoved(pw.last);
  // Linux's vfs_unlink/vfs_rmdir: the link count, the inode's end, then
  // the name's.
  if (!dir) NotifyInode(*child->inode(), IN_ATTRIB);
  NotifyUnlinked(*child->inode(), dir);
  NotifyDirEntry(*pw.dir.dentry->inode(), IN_DELETE, pw.last, dir);
  return Ok();
}

ErrnoStatus VfsNamespace::UnlinkAt(const FsContext& ctx, const Location& start,
                                   std::string_view path) {
  return Remove(ctx, start, path, /*dir=*/false);
}

ErrnoStatus VfsNamespace::RmdirAt(const FsContext& ctx, const Location& start,
                                  std::string_view path) {
  return Remove(ctx, start, path, /*dir=*/true);
}

ErrnoStatus VfsNamespace::RenameAt(const FsContext& ctx, const Location& old_start,
                                   std::string_view old_path, const Location& new_start,
                                   std::string_view new_path, unsigned flags) {
  if (flags & ~(RENAME_NOREPLACE | RENAME_EXCHANGE)) return Errno(EINVAL);
  if ((flags & RENAME_NOREPLACE) && (flags & RENAME_EXCHANGE)) return Errno(EINVAL);
  const bool exchange = flags & RENAME_EXCHANGE;
  SB_ASSIGN_OR_RETURN(ParentWalk op, WalkParent(ctx, old_start, old_path));
  SB_ASSIGN_OR_RETURN(ParentWalk np, WalkParent(ctx, new_start, new_path));
  if (op.dir.mount != np.dir.mount) return Errno(EXDEV);
  if (op.last_is_dot()) return Errno(EBUSY);
  if (np.last_is_dot()) return Errno((flags & RENAME_NOREPLACE) ? EEXIST : EBUSY);
  SB_TRY(CheckWritableMount(op.dir));

  Filesystem& fs = op.dir.dentry->inode()->fs();
  absl::MutexLock rename_lock(&fs.rename_mu);
  SB_ASSIGN_OR_RETURN(DentryRef source, op.dir.dentry->Child(op.last));
  auto target_or = np.dir.dentry->Child(np.last);
  if (!target_or.ok() && target_or.error().value() != ENOENT) return target_or.error();
  DentryRef target = target_or.ok() ? *target_or : nullptr;
  if (exchange && !target) return Errno(ENOENT);
  if ((flags & RENAME_NOREPLACE) && target) return Errno(EEXIST);

  SB_ASSIGN_OR_RETURN(struct stat src_st, StatOf(source));
  const bool src_dir = S_ISDIR(src_st.st_mode);
  bool tgt_dir = false;
  if (target) {
    SB_ASSIGN_OR_RETURN(struct stat tgt_st, StatOf(target));
    tgt_dir = S_ISDIR(tgt_st.st_mode);
  }
  if (!src_dir && (op.trailing_slash || (!exchange && np.trailing_slash))) return Errno(ENOTDIR);
  if (exchange && !tgt_dir && np.trailing_slash) return Errno(ENOTDIR);
  // Moving a directory beneath itself (Linux: lock_rename()'s trap).
  if (source->IsAncestorOf(np.dir.dentry.get())) return Errno(EINVAL);
  if (target && target->IsAncestorOf(op.dir.dentry.get())) {
    return Errno(exchange ? EINVAL : ENOTEMPTY);
  }
  if (target && source->inode() == target->inode()) return Ok();

  SB_TRY(MayDelete(ctx, op.dir, source, src_dir));
  if (target) {
    SB_TRY(MayDelete(ctx, np.dir, target, exchange ? tgt_dir : src_dir));
  } else {
    SB_ASSIGN_OR_RETURN(struct stat dir_st, StatOf(np.dir.dentry));
    SB_TRY(CheckPermission(ctx.creds, dir_st, W_OK | X_OK));
  }
  if (op.dir.dentry != np.dir.dentry) {
    // A moved directory's ".." changes: Linux wants write access to it.
    if (src_dir) SB_TRY(CheckPermission(ctx.creds, src_st, W_OK));
    if (exchange && tgt_dir) {
      SB_ASSIGN_OR_RETURN(struct stat tgt_st, StatOf(target));
      SB_TRY(CheckPermission(ctx.creds, tgt_st, W_OK));
    }
  }
  SB_TRY(op.dir.dentry->inode()->RenameChild(op.last, *np.dir.dentry->inode(), np.last, flags));
  Dentry::Moved(*op.dir.dentry, op.last, *np.dir.dentry, np.last, exchange);
  // Linux's fsnotify_move, once per moved inode, each with its cookie.
  Inode& old_dir = *op.dir.dentry->inode();
  Inode& new_dir = *np.dir.dentry->inode();
  uint32_t cookie = NewInotifyCookie();
  NotifyDirEntry(old_dir, IN_MOVED_FROM, op.last, src_dir, cookie);
  NotifyDirEntry(new_dir, IN_MOVED_TO, np.last, src_dir, cookie);
  if (target && !exchange) NotifyInode(*target->inode(), IN_ATTRIB);
  NotifyInode(*source->inode(), IN_MOVE_SELF);
  if (exchange) {
    cookie = NewInotifyCookie();
    NotifyDirEntry(new_dir, IN_MOVED_FROM, np.last, tgt_dir, cookie);
    NotifyDirEntry(old_dir, IN_MOVED_TO, op.last, tgt_dir, cookie);
    NotifyInode(*target->inode(), IN_MOVE_SELF);
  } else if (target) {
    NotifyUnlinked(*target->inode(), tgt_dir);
  }
  return Ok();
}

}  // namespace sb::fs
