// xattr.cc: setxattr, getxattr, listxattr, removexattr and their l*
// (no final symlink) and f* (descriptor) forms. Arguments are checked
// before the path is walked, as Linux does; fs/xattr.h has the rules.
#include <sys/xattr.h>

#include "fs/xattr.h"
#include "kernel/syscalls/at_path.h"
#include "kernel/syscalls/handlers.h"

namespace sb::kernel {
namespace {

// Linux's import_xattr_name(): ERANGE for an empty name or one longer than
// XATTR_NAME_MAX.
ErrnoOr<std::string> NameArg(Task& t, uint64_t addr) {
  auto name = t.CopyInString(addr, fs::kXattrNameMax + 1);
  if (!name.ok()) {
    return Errno(name.error().value() == ENAMETOOLONG ? ERANGE : name.error().value());
  }
  if (name->empty()) return Errno(ERANGE);
  return name;
}

// getxattr/listxattr's reply: with size 0 only the length, ERANGE if it
// does not fit in `size`.
SyscallResult CopyOutSized(Task& t, uint64_t addr, size_t size, const std::string& data) {
  if (size == 0) return data.size();
  if (data.size() > size) return Errno(ERANGE);
  SB_TRY(t.CopyOut(addr, data.data(), data.size()));
  return data.size();
}

// A target: a path (following the final symlink or not) or a descriptor.
enum class Form { kPath, kLink, kFd };

ErrnoOr<AtTarget> Target(Task& t, Form form, uint64_t arg) {
  if (form == Form::kFd) {
    SB_ASSIGN_OR_RETURN(fs::FileRef f, FileForFd(t, static_cast<int>(arg)));
    return TargetOf(std::move(f));
  }
  SB_ASSIGN_OR_RETURN(std::string path, CopyInPath(t, arg));
  return ResolveAt(t, AT_FDCWD, path, /*empty_path=*/false,
                   form == Form::kLink ? fs::FollowFinal::kNo : fs::FollowFinal::kYes);
}

// The call's target, with its own argument checks (`checks`) in Linux's
// order: a descriptor is looked up first (EBADF wins), a path after them.
template <class Checks>
ErrnoOr<AtTarget> CheckedTarget(Task& t, Form form, uint64_t arg, Checks&& checks) {
  if (form == Form::kFd) {
    SB_ASSIGN_OR_RETURN(AtTarget target, Target(t, form, arg));
    SB_TRY(checks());
    return target;
  }
  SB_TRY(checks());
  return Target(t, form, arg);
}

// Files with no place in the tree (pipes) keep no attributes: Linux's
// pipefs has no xattr handlers, after the generic permission check.
Errno AnonymousXattr(Task& t, const AtTarget& target, std::string_view name,
                     fs::XattrAccess access) {
  auto st = target.file->Stat();
  if (!st.ok()) return st.error();
  if (auto r = fs::XattrPermission(t.creds(), *st, name, access); !r.ok()) return r.error();
  return Errno(EOPNOTSUPP);
}

SyscallResult DoSetxattr(Task& t, Form form, const SyscallArgs& a) {
  const size_t size = a.size(3);
  const int flags = a.i32(4);
  std::string name, value;
  SB_ASSIGN_OR_RETURN(AtTarget target, CheckedTarget(t, form, a.u64(0), [&]() -> ErrnoStatus {
                        if (flags & ~(XATTR_CREATE | XATTR_REPLACE)) return Errno(EINVAL);
                        SB_ASSIGN_OR_RETURN(name, NameArg(t, a.addr(1)));
                        if (size > fs::kXattrSizeMax) return Errno(E2BIG);
                        value.resize(size);
                        if (size > 0) SB_TRY(t.CopyIn(a.addr(2), value.data(), size));
                        return Ok();
                      }));
  if (!target.loc) return AnonymousXattr(t, target, name, fs::XattrAccess::kWrite);
  SB_TRY(t.mount_namespace().SetXattr(t.FsContext(), *target.loc, name, value, flags));
  return 0;
}

SyscallResult DoGetxattr(Task& t, Form form, const SyscallArgs& a) {
  const size_t size = std::min(a.size(3), fs::kXattrSizeMax);
  std::string name;
  SB_ASSIGN_OR_RETURN(AtTarget target, CheckedTarget(t, form, a.u64(0), [&]() -> ErrnoStatus {
                        SB_ASSIGN_OR_RETURN(name, NameArg(t, a.addr(1)));
                        return Ok();
                      }));
  if (!target.loc) return AnonymousXattr(t, target, name, fs::XattrAccess::kRead);
  SB_ASSIGN_OR_RETURN(std::string value,
                      t.mount_namespace().GetXattr(t.FsContext(), *target.loc, name));
  return CopyOutSized(t, a.addr(2), size, value);
}

SyscallResult DoListxattr(Task& t, Form form, const SyscallArgs& a) {
  const uint64_t list_addr = a.addr(1);
  const size_t size = std::min(a.size(2), fs::kXattrListMax);
  SB_ASSIGN_OR_RETURN(AtTarget target, Target(t, form, a.u64(0)));
  if (!target.loc) return 0;  // nothing to list
  SB_ASSIGN_OR_RETURN(std::vector<std::string> names,
                      t.mount_namespace().ListXattr(t.FsContext(), *target.loc));
  std::string list;
  for (const std::string& n : names) {
    list += n;
    list.push_back('\0');
  }
  return CopyOutSized(t, list_addr, size, list);
}

SyscallResult DoRemovexattr(Task& t, Form form, const SyscallArgs& a) {
  std::string name;
  SB_ASSIGN_OR_RETURN(AtTarget target, CheckedTarget(t, form, a.u64(0), [&]() -> ErrnoStatus {
                        SB_ASSIGN_OR_RETURN(name, NameArg(t, a.addr(1)));
                        return Ok();
                      }));
  if (!target.loc) return AnonymousXattr(t, target, name, fs::XattrAccess::kWrite);
  SB_TRY(t.mount_namespace().RemoveXattr(t.FsContext(), *target.loc, name));
  return 0;
}

}  // namespace

SyscallResult Setxattr(Task& t, const SyscallArgs& a) { return DoSetxattr(t, Form::kPath, a); }
SyscallResult Lsetxattr(Task& t, const SyscallArgs& a) { return DoSetxattr(t, Form::kLink, a); }
SyscallResult Fsetxattr(Task& t, const SyscallArgs& a) { return DoSetxattr(t, Form::kFd, a); }
SyscallResult Getxattr(Task& t, const SyscallArgs& a) { return DoGetxattr(t, Form::kPath, a); }
SyscallResult Lgetxattr(Task& t, const SyscallArgs& a) { return DoGetxattr(t, Form::kLink, a); }
SyscallResult Fgetxattr(Task& t, const SyscallArgs& a) { return DoGetxattr(t, Form::kFd, a); }
SyscallResult Listxattr(Task& t, const SyscallArgs& a) { return DoListxattr(t, Form::kPath, a); }
SyscallResult Llistxattr(Task& t, const SyscallArgs& a) { return DoListxattr(t, Form::kLink, a); }
SyscallResult Flistxattr(Task& t, const SyscallArgs& a) { return DoListxattr(t, Form::kFd, a); }
SyscallResult Removexattr(Task& t, const SyscallArgs& a) {
  return DoRemovexattr(t, Form::kPath, a);
}
SyscallResult Lremovexattr(Task& t, const SyscallArgs& a) {
  return DoRemovexattr(t, Form::kLink, a);
}
SyscallResult Fremovexattr(Task& t, const SyscallArgs& a) { return DoRemovexattr(t, Form::kFd, a); }

}  // namespace sb::kernel
