// namespace_attr.cc: the attribute operations of VfsNamespace: chmod,
// chown, utimensat, statfs and extended attributes. Each makes Linux's
// generic checks in Linux's order (mnt_want_write's EROFS, then
// setattr_prepare / xattr_permission) and then asks the filesystem.
#include "fs/inotify.h"
#include "fs/mount.h"
#include "fs/vfs_file.h"
#include "fs/xattr.h"

namespace sb::fs {
namespace {

// Applies `change` and reports `event` (Linux's fsnotify_change) if any.
ErrnoStatus Apply(const Location& loc, const ErrnoOr<AttrChange>& change,
                  uint32_t event = IN_ATTRIB) {
  if (!change.ok()) return change.error();
  SB_TRY(loc.dentry->inode()->SetAttr(*change));
  if (event != 0) NotifyLocation(loc, event);
  return Ok();
}

// What utimensat reports: both times IN_ATTRIB, atime alone IN_ACCESS,
// mtime alone IN_MODIFY.
uint32_t UtimesEvent(const UtimesRequest* times) {
  if (times == nullptr) return IN_ATTRIB;
  const bool a = times->atime.tv_nsec != UTIME_OMIT, m = times->mtime.tv_nsec != UTIME_OMIT;
  return a && m ? IN_ATTRIB : a ? IN_ACCESS : m ? IN_MODIFY : 0;
}

}  // namespace

ErrnoStatus VfsNamespace::Chmod(const FsContext& ctx, const Location& loc, mode_t mode) {
  SB_TRY(CheckWritableMount(loc));
  SB_ASSIGN_OR_RETURN(struct stat st, loc.dentry->inode()->Stat());
  return Apply(loc, ChmodChange(ctx.creds, st, mode));
}

ErrnoStatus VfsNamespace::Chown(const FsContext& ctx, const Location& loc, uid_t uid, gid_t gid) {
  SB_TRY(CheckWritableMount(loc));
  SB_ASSIGN_OR_RETURN(struct stat st, loc.dentry->inode()->Stat());
  return Apply(loc, ChownChange(ctx.creds, st, uid, gid),
               (uid != static_cast<uid_t>(-1) || gid != static_cast<gid_t>(-1)) ? IN_ATTRIB : 0);
}

ErrnoStatus VfsNamespace::Utimens(const FsContext& ctx, const Location& loc,
                                  const UtimesRequest* times) {
  SB_TRY(CheckWritableMount(loc));
  SB_ASSIGN_OR_RETURN(struct stat st, loc.dentry->inode()->Stat());
  return Apply(loc, UtimesChange(ctx.creds, st, times), UtimesEvent(times));
}

ErrnoOr<struct statfs> VfsNamespace::StatFs(const Location& loc) { return StatFsAt(loc); }

ErrnoOr<std::string> VfsNamespace::GetXattr(const FsContext& ctx, const Location& loc,
                                            std::string_view name) {
  SB_ASSIGN_OR_RETURN(struct stat st, loc.dentry->inode()->Stat());
  SB_TRY(XattrPermission(ctx.creds, st, name, XattrAccess::kRead));
  return loc.dentry->inode()->GetXattr(name);
}

ErrnoStatus VfsNamespace::SetXattr(const FsContext& ctx, const Location& loc, std::string_view name,
                                   std::string_view value, int flags) {
  SB_TRY(CheckWritableMount(loc));
  SB_ASSIGN_OR_RETURN(struct stat st, loc.dentry->inode()->Stat());
  SB_TRY(XattrPermission(ctx.creds, st, name, XattrAccess::kWrite));
  SB_TRY(loc.dentry->inode()->SetXattr(name, value, flags));
  NotifyLocation(loc, IN_ATTRIB);  // Linux's fsnotify_xattr
  return Ok();
}

ErrnoOr<std::vector<std::string>> VfsNamespace::ListXattr(const FsContext& ctx,
                                                          const Location& loc) {
  SB_ASSIGN_OR_RETURN(std::vector<std::string> names, loc.dentry->inode()->ListXattr());
  std::vector<std::string> visible;
  for (std::string& n : names) {
    if (XattrListable(ctx.creds, n)) visible.push_back(std::move(n));
  }
  return visible;
}

ErrnoStatus VfsNamespace::RemoveXattr(const FsContext& ctx, const Location& loc,
                                      std::string_view name) {
  SB_TRY(CheckWritableMount(loc));
  SB_ASSIGN_OR_RETURN(struct stat st, loc.dentry->inode()->Stat());
  SB_TRY(XattrPermission(ctx.creds, st, name, XattrAccess::kWrite));
  SB_TRY(loc.dentry->inode()->RemoveXattr(name));
  NotifyLocation(loc, IN_ATTRIB);
  return Ok();
}

}  // namespace sb::fs
