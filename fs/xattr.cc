// xattr.cc: xattr namespaces, permissions and the in-memory store.
#include "fs/xattr.h"

#include <linux/capability.h>
#include <sys/xattr.h>

#include "fs/inode.h"
#include "kernel/base/log_once.h"

namespace sb::fs {
namespace {

constexpr std::string_view kUser = "user.";
constexpr std::string_view kTrusted = "trusted.";
constexpr std::string_view kSecurity = "security.";
constexpr std::string_view kSystem = "system.";

bool HasPrefix(std::string_view name, std::string_view prefix) {
  return name.substr(0, prefix.size()) == prefix;
}

}  // namespace

ErrnoStatus XattrPermission(const Credentials& creds, const struct stat& st, std::string_view name,
                            XattrAccess access) {
  const bool write = access == XattrAccess::kWrite;
  // No VFS restriction for security.* and system.*: the filesystem and the
  // LSM decide (commoncap: changing security.* needs CAP_SYS_ADMIN).
  if (HasPrefix(name, kSecurity)) {
    if (write && !creds.HasCapability(CAP_SYS_ADMIN)) return Errno(EPERM);
    return Ok();
  }
  if (HasPrefix(name, kSystem)) return Ok();
  if (HasPrefix(name, kTrusted)) {
    if (!creds.HasCapability(CAP_SYS_ADMIN)) return Errno(write ? EPERM : ENODATA);
    return Ok();
  }
  if (HasPrefix(name, kUser)) {
    if (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode)) return Errno(write ? EPERM : ENODATA);
    if (S_ISDIR(st.st_mode) && (st.st_mode & S_ISVTX) && write && !IsOwnerOrFowner(creds, st)) {
      return Errno(EPERM);
    }
  }
  return CheckPermission(creds, st, write ? W_OK : R_OK);
}

bool XattrListable(const Credentials& creds, std::string_view name) {
  return !HasPrefix(name, kTrusted) || creds.HasCapability(CAP_SYS_ADMIN);
}

ErrnoStatus XattrMap::CheckName(std::string_view name) {
  for (std::string_view prefix : {kUser, kTrusted, kSecurity}) {
    if (HasPrefix(name, prefix)) {
      if (name.size() == prefix.size()) return Errno(EINVAL);
      return Ok();
    }
  }
  if (HasPrefix(name, kSystem)) {
    if (name.size() == kSystem.size()) return Errno(EINVAL);
    // system.posix_acl_access/default: POSIX ACLs are not implemented.
    if (name == "system.posix_acl_access" || name == "system.posix_acl_default") {
      ReportUnsupported("POSIX ACL xattrs on tmpfs");
    }
  }
  return Errno(EOPNOTSUPP);
}

ErrnoOr<std::string> XattrMap::Get(std::string_view name) const {
  SB_TRY(CheckName(name));
  auto it = attrs_.find(name);
  if (it == attrs_.end()) return Errno(ENODATA);
  return it->second;
}

ErrnoStatus XattrMap::Set(std::string_view name, std::string_view value, int flags) {
  SB_TRY(CheckName(name));
  auto it = attrs_.find(name);
  if (it != attrs_.end()) {
    if (flags & XATTR_CREATE) return Errno(EEXIST);
    it->second = std::string(value);
    return Ok();
  }
  if (flags & XATTR_REPLACE) return Errno(ENODATA);
  attrs_.emplace(std::string(name), std::string(value));
  return Ok();
}

ErrnoStatus XattrMap::Remove(std::string_view name) {
  SB_TRY(CheckName(name));
  auto it = attrs_.find(name);
  if (it == attrs_.end()) return Errno(ENODATA);
  attrs_.erase(it);
  return Ok();
}

std::vector<std::string> XattrMap::Names() const {
  std::vector<std::string> out;
  out.reserve(attrs_.size());
  for (const auto& [name, value] : attrs_) out.push_back(name);
  return out;
}

}  // namespace sb::fs
