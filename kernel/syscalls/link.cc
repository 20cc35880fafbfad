// link.cc: mkdir(at), mknod(at), rmdir, unlink(at), rename(at,at2),
// symlink(at), link(at): the calls that change names in directories.
#include <sys/sysmacros.h>

#include "kernel/base/abi.h"
#include "kernel/syscalls/handlers.h"

namespace sb::kernel {
namespace {

ErrnoOr<std::string> PathArg(Task& t, uint64_t addr) {
  SB_ASSIGN_OR_RETURN(std::string p, t.CopyInString(addr, sb::abi::kPathMax));
  if (p.empty()) return Errno(ENOENT);
  return p;
}

SyscallResult DoMkdirAt(Task& t, int dirfd, uint64_t path_addr, mode_t mode) {
  SB_ASSIGN_OR_RETURN(std::string path, PathArg(t, path_addr));
  SB_ASSIGN_OR_RETURN(fs::Location start, t.AtLocation(dirfd, path));
  SB_TRY(t.mount_namespace().MkdirAt(t.FsContext(), start, path, mode & 07777));
  return 0;
}

// Linux's mknod takes the device as a 32-bit new_encode_dev() value.
SyscallResult DoMknodAt(Task& t, int dirfd, uint64_t path_addr, mode_t mode, uint32_t dev) {
  SB_ASSIGN_OR_RETURN(std::string path, PathArg(t, path_addr));
  SB_ASSIGN_OR_RETURN(fs::Location start, t.AtLocation(dirfd, path));
  const unsigned major_nr = (dev & 0xfff00) >> 8;
  const unsigned minor_nr = (dev & 0xff) | ((dev >> 12) & 0xfff00);
  SB_TRY(
      t.mount_namespace().MknodAt(t.FsContext(), start, path, mode, makedev(major_nr, minor_nr)));
  return 0;
}

SyscallResult DoUnlinkAt(Task& t, int dirfd, uint64_t path_addr, int flags) {
  if (flags & ~AT_REMOVEDIR) return Errno(EINVAL);
  SB_ASSIGN_OR_RETURN(std::string path, PathArg(t, path_addr));
  SB_ASSIGN_OR_RETURN(fs::Location start, t.AtLocation(dirfd, path));
  if (flags & AT_REMOVEDIR) {
    SB_TRY(t.mount_namespace().RmdirAt(t.FsContext(), start, path));
  } else {
    SB_TRY(t.mount_namespace().UnlinkAt(t.FsContext(), start, path));
  }
  return 0;
}

SyscallResult DoRenameAt(Task& t, int olddirfd, uint64_t oldpath, int newdirfd, uint64_t newpath,
                         unsigned flags) {
  SB_ASSIGN_OR_RETURN(std::string from, PathArg(t, oldpath));
  SB_ASSIGN_OR_RETURN(std::string to, PathArg(t, newpath));
  SB_ASSIGN_OR_RETURN(fs::Location from_start, t.AtLocation(olddirfd, from));
  SB_ASSIGN_OR_RETURN(fs::Location to_start, t.AtLocation(newdirfd, to));
  SB_TRY(t.mount_namespace().RenameAt(t.FsContext(), from_start, from, to_start, to, flags));
  return 0;
}

SyscallResult DoSymlinkAt(Task& t, uint64_t target_addr, int dirfd, uint64_t path_addr) {
  SB_ASSIGN_OR_RETURN(std::string target, PathArg(t, target_addr));
  SB_ASSIGN_OR_RETURN(std::string path, PathArg(t, path_addr));
  SB_ASSIGN_OR_RETURN(fs::Location start, t.AtLocation(dirfd, path));
  SB_TRY(t.mount_namespace().SymlinkAt(t.FsContext(), target, start, path));
  return 0;
}

SyscallResult DoLinkAt(Task& t, int olddirfd, uint64_t oldpath, int newdirfd, uint64_t newpath,
                       int flags) {
  if (flags & ~(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH)) return Errno(EINVAL);
  SB_ASSIGN_OR_RETURN(std::string from, PathArg(t, oldpath));
  SB_ASSIGN_OR_RETURN(std::string to, PathArg(t, newpath));
  SB_ASSIGN_OR_RETURN(fs::Location from_start, t.AtLocation(olddirfd, from));
  SB_ASSIGN_OR_RETURN(fs::Location to_start, t.AtLocation(newdirfd, to));
  fs::FollowFinal follow =
      (flags & AT_SYMLINK_FOLLOW) ? fs::FollowFinal::kYes : fs::FollowFinal::kNo;
  SB_TRY(t.mount_namespace().LinkAt(t.FsContext(), from_start, from, to_start, to, follow));
  return 0;
}

}  // namespace

SyscallResult Mkdir(Task& t, const SyscallArgs& a) {
  return DoMkdirAt(t, AT_FDCWD, a.addr(0), a.u32(1));
}
SyscallResult Mkdirat(Task& t, const SyscallArgs& a) {
  return DoMkdirAt(t, a.fd(0), a.addr(1), a.u32(2));
}
SyscallResult Mknod(Task& t, const SyscallArgs& a) {
  return DoMknodAt(t, AT_FDCWD, a.addr(0), a.u32(1) & 0xffff, a.u32(2));  // umode_t
}
SyscallResult Mknodat(Task& t, const SyscallArgs& a) {
  return DoMknodAt(t, a.fd(0), a.addr(1), a.u32(2) & 0xffff, a.u32(3));
}
SyscallResult Rmdir(Task& t, const SyscallArgs& a) {
  return DoUnlinkAt(t, AT_FDCWD, a.addr(0), AT_REMOVEDIR);
}
SyscallResult Unlink(Task& t, const SyscallArgs& a) {
  return DoUnlinkAt(t, AT_FDCWD, a.addr(0), 0);
}
SyscallResult Unlinkat(Task& t, const SyscallArgs& a) {
  return DoUnlinkAt(t, a.fd(0), a.addr(1), a.i32(2));
}
SyscallResult Rename(Task& t, const SyscallArgs& a) {
  return DoRenameAt(t, AT_FDCWD, a.addr(0), AT_FDCWD, a.addr(1), 0);
}
SyscallResult Renameat(Task& t, const SyscallArgs& a) {
  return DoRenameAt(t, a.fd(0), a.addr(1), a.fd(2), a.addr(3), 0);
}
SyscallResult Renameat2(Task& t, const SyscallArgs& a) {
  return DoRenameAt(t, a.fd(0), a.addr(1), a.fd(2), a.addr(3), a.u32(4));
}
SyscallResult Symlink(Task& t, const SyscallArgs& a) {
  return DoSymlinkAt(t, a.addr(0), AT_FDCWD, a.addr(1));
}
SyscallResult Symlinkat(Task& t, const SyscallArgs& a) {
  return DoSymlinkAt(t, a.addr(0), a.fd(1), a.addr(2));
}
SyscallResult Link(Task& t, const SyscallArgs& a) {
  return DoLinkAt(t, AT_FDCWD, a.addr(0), AT_FDCWD, a.addr(1), 0);
}
SyscallResult Linkat(Task& t, const SyscallArgs& a) {
  return DoLinkAt(t, a.fd(0), a.addr(1), a.fd(2), a.addr(3), a.i32(4));
}

}  // namespace sb::kernel
