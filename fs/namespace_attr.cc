// namespace_attr.cc: the attribute operations of VfsNamespace: chmod,
// chown, utimensat, statfs and extended attributes. Each makes Linux's
// generic checks in Linux's order (mnt_want_write's EROFS, then
// setattr_prepare / xattr_permission) and then asks the filesystem.
#include "fs/mount.h"
#include "fs/vfs_file.h"
#include "fs/xattr.h"

namespace sb::fs {
namespace {

ErrnoStatus Apply(const Location& loc, const ErrnoOr<AttrChange>& change) {
  if (!change.ok()) return change.error();
  return loc.dentry->inode()->SetAttr(*change);
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
  return Apply(loc, ChownChange(ctx.creds, st, uid, gid));
}

ErrnoStatus VfsNamespace::Utimens(const FsContext& ctx, const Location& loc,
                                  const UtimesRequest* times) {
  SB_TRY(CheckWritableMount(loc));
  SB_ASSIGN_OR_RETURN(struct stat st, loc.dentry->inode()->Stat());
  return Apply(loc, UtimesChange(ctx.creds, st, times));
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
  return loc.dentry->inode()->SetXattr(name, value, flags);
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
  return loc.dentry->inode()->RemoveXattr(name);
}

}  // namespace sb::fs
