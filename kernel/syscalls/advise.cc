// advise.cc: fadvise64, readahead.
#include <fcntl.h>
#include <sys/stat.h>

#include "kernel/syscalls/handlers.h"

namespace sb::kernel {
namespace {

// fdget(): O_PATH descriptors do not count for these calls (EBADF).
ErrnoOr<fs::FileRef> GetIoFile(Task& t, int fd) {
  SB_ASSIGN_OR_RETURN(fs::FileRef f, t.fds().Get(fd));
  if (f->status_flags() & O_PATH) return Errno(EBADF);
  return f;
}

// Linux's generic_fadvise(): ESPIPE on a FIFO, EINVAL for a negative length
// or an unknown advice; otherwise a hint (passed to the host for
// host-backed files, nothing to do for memory-backed ones).
ErrnoStatus DoFadvise(fs::FileDescription& f, int64_t offset, int64_t len, int advice) {
  SB_ASSIGN_OR_RETURN(struct stat st, f.Stat());
  if (S_ISFIFO(st.st_mode)) return Errno(ESPIPE);
  if (len < 0) return Errno(EINVAL);
  switch (advice) {
    case POSIX_FADV_NORMAL:
    case POSIX_FADV_RANDOM:
    case POSIX_FADV_SEQUENTIAL:
    case POSIX_FADV_WILLNEED:
    case POSIX_FADV_DONTNEED:
    case POSIX_FADV_NOREUSE:
      break;
    default:
      return Errno(EINVAL);
  }
  return f.Advise(offset, len, advice);
}

}  // namespace

SyscallResult Fadvise64(Task& t, const SyscallArgs& a) {
  SB_ASSIGN_OR_RETURN(fs::FileRef f, GetIoFile(t, a.fd(0)));
  SB_TRY(DoFadvise(*f, a.s64(1), a.s64(2), a.i32(3)));
  return 0;
}

// Linux's ksys_readahead(): readable, then regular files (or block
// devices) only, then fadvise(WILLNEED).
SyscallResult Readahead(Task& t, const SyscallArgs& a) {
  SB_ASSIGN_OR_RETURN(fs::FileRef f, GetIoFile(t, a.fd(0)));
  if (!f->readable()) return Errno(EBADF);
  SB_ASSIGN_OR_RETURN(struct stat st, f->Stat());
  if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode)) return Errno(EINVAL);
  SB_TRY(DoFadvise(*f, a.s64(1), static_cast<int64_t>(a.u64(2)), POSIX_FADV_WILLNEED));
  return 0;
}

}  // namespace sb::kernel
