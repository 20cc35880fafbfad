// stat.cc: fstat, stat, lstat, newfstatat, statx, readlink(at), access,
// faccessat, faccessat2, statfs, fstatfs.
#include <linux/stat.h>
#include <sys/sysmacros.h>

#include "kernel/base/abi.h"
#include "kernel/syscalls/handlers.h"

namespace sb::kernel {
namespace {

// Resolves (dirfd, path, flags) for the *at() stat family.
ErrnoOr<struct stat> StatAt(Task& t, int dirfd, uint64_t path_addr, int flags) {
  if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | AT_NO_AUTOMOUNT | AT_STATX_SYNC_TYPE)) {
    return Errno(EINVAL);
  }
  SB_ASSIGN_OR_RETURN(std::string path, t.CopyInString(path_addr, sb::abi::kPathMax));
  if (path.empty()) {
    if (!(flags & AT_EMPTY_PATH)) return Errno(ENOENT);
    if (dirfd == AT_FDCWD) {
      SB_ASSIGN_OR_RETURN(fs::Location cwd, t.AtLocation(AT_FDCWD, "."));
      return t.mount_namespace().Stat(cwd);
    }
    SB_ASSIGN_OR_RETURN(fs::FileRef f, t.fds().Get(dirfd));
    return f->Stat();
  }
  SB_ASSIGN_OR_RETURN(fs::Location start, t.AtLocation(dirfd, path));
  fs::FollowFinal follow =
      (flags & AT_SYMLINK_NOFOLLOW) ? fs::FollowFinal::kNo : fs::FollowFinal::kYes;
  SB_ASSIGN_OR_RETURN(fs::Location loc,
                      t.mount_namespace().Lookup(t.FsContext(), start, path, follow));
  return t.mount_namespace().Stat(loc);
}

SyscallResult CopyOutStat(Task& t, uint64_t addr, const struct stat& st) {
  SB_TRY(t.CopyOutObj(addr, st));
  return 0;
}

}  // namespace

SyscallResult Fstat(Task& t, const SyscallArgs& a) {
  SB_ASSIGN_OR_RETURN(fs::FileRef f, t.fds().Get(a.fd(0)));
  SB_ASSIGN_OR_RETURN(struct stat st, f->Stat());
  return CopyOutStat(t, a.addr(1), st);
}

SyscallResult Stat(Task& t, const SyscallArgs& a) {
  SB_ASSIGN_OR_RETURN(struct stat st, StatAt(t, AT_FDCWD, a.addr(0), 0));
  return CopyOutStat(t, a.addr(1), st);
}

SyscallResult Lstat(Task& t, const SyscallArgs& a) {
  SB_ASSIGN_OR_RETURN(struct stat st, StatAt(t, AT_FDCWD, a.addr(0), AT_SYMLINK_NOFOLLOW));
  return CopyOutStat(t, a.addr(1), st);
}

SyscallResult Newfstatat(Task& t, const SyscallArgs& a) {
  SB_ASSIGN_OR_RETURN(struct stat st, StatAt(t, a.fd(0), a.addr(1), a.i32(3)));
  return CopyOutStat(t, a.addr(2), st);
}

SyscallResult Statx(Task& t, const SyscallArgs& a) {
  const int flags = a.i32(2);
  const uint32_t mask = a.u32(3);
  if (mask & STATX__RESERVED) return Errno(EINVAL);
  if ((flags & AT_STATX_SYNC_TYPE) == AT_STATX_SYNC_TYPE) return Errno(EINVAL);
  SB_ASSIGN_OR_RETURN(struct stat st, StatAt(t, a.fd(0), a.addr(1), flags));
  struct statx sx {};
  sx.stx_mask = STATX_BASIC_STATS;
  sx.stx_blksize = st.st_blksize;
  sx.stx_nlink = st.st_nlink;
  sx.stx_uid = st.st_uid;
  sx.stx_gid = st.st_gid;
  sx.stx_mode = st.st_mode;
  sx.stx_ino = st.st_ino;
  sx.stx_size = st.st_size;
  sx.stx_blocks = st.st_blocks;
  sx.stx_atime = {st.st_atim.tv_sec, static_cast<uint32_t>(st.st_atim.tv_nsec)};
  sx.stx_mtime = {st.st_mtim.tv_sec, static_cast<uint32_t>(st.st_mtim.tv_nsec)};
  sx.stx_ctime = {st.st_ctim.tv_sec, static_cast<uint32_t>(st.st_ctim.tv_nsec)};
  sx.stx_rdev_major = major(st.st_rdev);
  sx.stx_rdev_minor = minor(st.st_rdev);
  sx.stx_dev_major = major(st.st_dev);
  sx.stx_dev_minor = minor(st.st_dev);
  SB_TRY(t.CopyOutObj(a.addr(4), sx));
  return 0;
}

namespace {

SyscallResult DoReadlinkAt(Task& t, int dirfd, uint64_t path_addr, uint64_t buf, int64_t size) {
  if (size <= 0) return Errno(EINVAL);
  SB_ASSIGN_OR_RETURN(std::string path, t.CopyInString(path_addr, sb::abi::kPathMax));
  if (path.empty()) return Errno(ENOENT);
  SB_ASSIGN_OR_RETURN(fs::Location start, t.AtLocation(dirfd, path));
  SB_ASSIGN_OR_RETURN(fs::Location loc,
                      t.mount_namespace().Lookup(t.FsContext(), start, path, fs::FollowFinal::kNo));
  SB_ASSIGN_OR_RETURN(std::string target, t.mount_namespace().Readlink(loc));
  size_t n = std::min<size_t>(target.size(), static_cast<size_t>(size));
  SB_TRY(t.CopyOut(buf, target.data(), n));
  return n;
}

SyscallResult DoAccess(Task& t, int dirfd, uint64_t path_addr, int mode, int flags) {
  if (mode & ~(R_OK | W_OK | X_OK)) return Errno(EINVAL);
  if (flags & ~(AT_EACCESS | AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)) return Errno(EINVAL);
  SB_ASSIGN_OR_RETURN(std::string path, t.CopyInString(path_addr, sb::abi::kPathMax));
  fs::Location loc;
  if (path.empty()) {
    if (!(flags & AT_EMPTY_PATH)) return Errno(ENOENT);
    SB_ASSIGN_OR_RETURN(loc, t.AtLocation(dirfd, "x"));
  } else {
    SB_ASSIGN_OR_RETURN(fs::Location start, t.AtLocation(dirfd, path));
    fs::FollowFinal follow =
        (flags & AT_SYMLINK_NOFOLLOW) ? fs::FollowFinal::kNo : fs::FollowFinal::kYes;
    SB_ASSIGN_OR_RETURN(loc, t.mount_namespace().Lookup(t.FsContext(), start, path, follow));
  }
  // access(2) checks with the real IDs unless AT_EACCESS (Linux's
  // do_faccessat overriding fsuid/fsgid and capabilities).
  Credentials c = t.creds();
  if (!(flags & AT_EACCESS)) {
    c.fsuid = c.ruid;
    c.fsgid = c.rgid;
    if (c.ruid != 0) c.cap_effective = 0;
  }
  fs::FsContext ctx = t.FsContext();
  fs::FsContext real{c, ctx.root, ctx.cwd, ctx.umask};
  SB_TRY(t.mount_namespace().Access(real, loc, mode));
  return 0;
}

}  // namespace

SyscallResult Readlink(Task& t, const SyscallArgs& a) {
  return DoReadlinkAt(t, AT_FDCWD, a.addr(0), a.addr(1), a.s64(2));
}

SyscallResult Readlinkat(Task& t, const SyscallArgs& a) {
  return DoReadlinkAt(t, a.fd(0), a.addr(1), a.addr(2), a.s64(3));
}

SyscallResult Access(Task& t, const SyscallArgs& a) {
  return DoAccess(t, AT_FDCWD, a.addr(0), a.i32(1), 0);
}

SyscallResult Faccessat(Task& t, const SyscallArgs& a) {
  return DoAccess(t, a.fd(0), a.addr(1), a.i32(2), 0);
}

SyscallResult Faccessat2(Task& t, const SyscallArgs& a) {
  return DoAccess(t, a.fd(0), a.addr(1), a.i32(2), a.i32(3));
}

SyscallResult Statfs(Task& t, const SyscallArgs& a) {
  SB_ASSIGN_OR_RETURN(std::string path, t.CopyInString(a.addr(0), sb::abi::kPathMax));
  if (path.empty()) return Errno(ENOENT);
  SB_ASSIGN_OR_RETURN(fs::Location start, t.AtLocation(AT_FDCWD, path));
  SB_ASSIGN_OR_RETURN(fs::Location loc, t.mount_namespace().Lookup(t.FsContext(), start, path,
                                                                   fs::FollowFinal::kYes));
  SB_ASSIGN_OR_RETURN(struct statfs sfs, t.mount_namespace().StatFs(loc));
  SB_TRY(t.CopyOutObj(a.addr(1), sfs));
  return 0;
}

SyscallResult Fstatfs(Task& t, const SyscallArgs& a) {
  SB_ASSIGN_OR_RETURN(fs::FileRef f, t.fds().Get(a.fd(0)));  // O_PATH is fine (fdget_raw)
  SB_ASSIGN_OR_RETURN(struct statfs sfs, f->StatFs());
  SB_TRY(t.CopyOutObj(a.addr(1), sfs));
  return 0;
}

}  // namespace sb::kernel
