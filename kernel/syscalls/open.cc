// open.cc: open, openat, creat, close.
#include <linux/close_range.h>

#include "kernel/base/abi.h"
#include "kernel/syscalls/blocking.h"
#include "kernel/syscalls/handlers.h"

namespace sb::kernel {
namespace {

SyscallResult DoOpenAt(Task& t, int dirfd, uint64_t path_addr, int flags, mode_t mode) {
  SB_ASSIGN_OR_RETURN(std::string path, t.CopyInString(path_addr, sb::abi::kPathMax));
  if (path.empty()) return Errno(ENOENT);
  SB_ASSIGN_OR_RETURN(fs::Location start, t.AtLocation(dirfd, path));
  flags |= O_LARGEFILE;
  SB_ASSIGN_OR_RETURN(fs::FileRef f,
                      t.mount_namespace().OpenAt(t.FsContext(), start, path, flags, mode & 07777));
  // A FIFO's open waits for the other end (Linux's fifo_open).
  SB_TRY(BlockOn(t, *f, POLLIN | POLLOUT, [&] { return f->OpenWait(); }));
  SB_ASSIGN_OR_RETURN(
      int fd, t.fds().Install(std::move(f), flags & O_CLOEXEC, 0, t.RlimitCur(RLIMIT_NOFILE)));
  return static_cast<uint64_t>(fd);
}

}  // namespace

SyscallResult Open(Task& t, const SyscallArgs& a) {
  return DoOpenAt(t, AT_FDCWD, a.addr(0), a.i32(1), a.u32(2));
}

SyscallResult Openat(Task& t, const SyscallArgs& a) {
  return DoOpenAt(t, a.fd(0), a.addr(1), a.i32(2), a.u32(3));
}

SyscallResult Creat(Task& t, const SyscallArgs& a) {
  return DoOpenAt(t, AT_FDCWD, a.addr(0), O_CREAT | O_WRONLY | O_TRUNC, a.u32(1));
}

SyscallResult Close(Task& t, const SyscallArgs& a) {
  SB_TRY(t.fds().Remove(a.fd(0)));
  return 0;
}

SyscallResult Ftruncate(Task& t, const SyscallArgs& a) {
  SB_ASSIGN_OR_RETURN(fs::FileRef f, t.fds().Get(a.fd(0)));
  if (a.s64(1) < 0) return Errno(EINVAL);
  if (!f->writable()) return Errno(EINVAL);  // Linux's do_sys_ftruncate
  if (static_cast<uint64_t>(a.s64(1)) > t.RlimitCur(RLIMIT_FSIZE)) return Errno(EFBIG);
  SB_TRY(f->Truncate(a.u64(1)));
  return 0;
}

SyscallResult Truncate(Task& t, const SyscallArgs& a) {
  if (a.s64(1) < 0) return Errno(EINVAL);
  SB_ASSIGN_OR_RETURN(std::string path, t.CopyInString(a.addr(0), sb::abi::kPathMax));
  if (path.empty()) return Errno(ENOENT);
  SB_ASSIGN_OR_RETURN(fs::Location start, t.AtLocation(AT_FDCWD, path));
  // Opening for writing checks what truncate(2) checks: write permission,
  // EISDIR, EROFS.
  SB_ASSIGN_OR_RETURN(fs::FileRef f,
                      t.mount_namespace().OpenAt(t.FsContext(), start, path, O_WRONLY, 0));
  if (static_cast<uint64_t>(a.s64(1)) > t.RlimitCur(RLIMIT_FSIZE)) return Errno(EFBIG);
  SB_TRY(f->Truncate(a.u64(1)));
  return 0;
}

SyscallResult CloseRange(Task& t, const SyscallArgs& a) {
  const unsigned first = a.u32(0), last = a.u32(1), flags = a.u32(2);
  if (flags & ~(CLOSE_RANGE_CLOEXEC | CLOSE_RANGE_UNSHARE)) return Errno(EINVAL);
  if (first > last) return Errno(EINVAL);
  // CLOSE_RANGE_UNSHARE: our tables are unshared by the caller's clone
  // flags already when they matter; closing in the shared table is what
  // Linux does without the flag, so honour the rest of the request.
  for (int fd : t.fds().Fds()) {
    if (static_cast<unsigned>(fd) < first || static_cast<unsigned>(fd) > last) continue;
    if (flags & CLOSE_RANGE_CLOEXEC) {
      (void)t.fds().SetCloexec(fd, true);
    } else {
      (void)t.fds().Remove(fd);
    }
  }
  return 0;
}

}  // namespace sb::kernel
