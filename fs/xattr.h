// xattr.h: extended attributes: the checks every filesystem shares
// (Linux's fs/xattr.c xattr_permission and name resolution) and XattrMap,
// the in-memory store tmpfs keeps per inode (Linux's simple_xattrs).
//
// Namespaces: "user." (regular files and directories only; the file's
// permission bits decide), "trusted." (CAP_SYS_ADMIN, invisible without
// it), "security." (CAP_SYS_ADMIN to change, as the commoncap LSM) and
// "system." (POSIX ACLs, which we do not have: EOPNOTSUPP). Any other
// prefix is EOPNOTSUPP. Called by the VFS (namespace_attr.cc) and tmpfs.
#pragma once

#include <sys/stat.h>

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "kernel/base/credentials.h"
#include "kernel/base/errno.h"

namespace sb::fs {

// Linux's limits (include/uapi/linux/limits.h).
inline constexpr size_t kXattrNameMax = 255;
inline constexpr size_t kXattrSizeMax = 65536;
inline constexpr size_t kXattrListMax = 65536;

// What an access to an xattr wants.
enum class XattrAccess { kRead, kWrite };

// Linux's xattr_permission(): may `creds` read or write attribute `name` of
// a file with attributes `st`? EPERM (write) or ENODATA (read) where the
// namespace forbids it; EACCES from the permission bits.
ErrnoStatus XattrPermission(const Credentials& creds, const struct stat& st, std::string_view name,
                            XattrAccess access);

// Whether a listing by `creds` shows `name` (trusted.* needs CAP_SYS_ADMIN).
bool XattrListable(const Credentials& creds, std::string_view name);

// The attributes of one inode: name -> value. Plain data (a checkpoint
// saves the map as it is). Not thread-safe: the owning inode guards it.
class XattrMap {
 public:
  // EOPNOTSUPP for names outside user./trusted./security.; EINVAL for a
  // bare prefix.
  static ErrnoStatus CheckName(std::string_view name);

  ErrnoOr<std::string> Get(std::string_view name) const;
  // setxattr flags XATTR_CREATE (EEXIST) / XATTR_REPLACE (ENODATA).
  ErrnoStatus Set(std::string_view name, std::string_view value, int flags);
  ErrnoStatus Remove(std::string_view name);
  std::vector<std::string> Names() const;

 private:
  std::map<std::string, std::string, std::less<>> attrs_;
};

}  // namespace sb::fs
