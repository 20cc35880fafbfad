// fallocate.cc: fallocate.
#include <linux/falloc.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include "kernel/syscalls/handlers.h"

namespace sb::kernel {
namespace {

// Linux's FALLOC_FL_SUPPORTED_MASK: the modes any filesystem may know.
constexpr int kFallocSupported = FALLOC_FL_KEEP_SIZE | FALLOC_FL_PUNCH_HOLE |
                                 FALLOC_FL_NO_HIDE_STALE | FALLOC_FL_COLLAPSE_RANGE |
                                 FALLOC_FL_ZERO_RANGE | FALLOC_FL_INSERT_RANGE |
                                 FALLOC_FL_UNSHARE_RANGE;

}  // namespace

// Linux's vfs_fallocate() checks in its order, then the filesystem
// (tmpfs: shmem_fallocate; host-backed files: the host's fallocate). A
// growth past RLIMIT_FSIZE raises SIGXFSZ with EFBIG (inode_newsize_ok).
SyscallResult Fallocate(Task& t, const SyscallArgs& a) {
  SB_ASSIGN_OR_RETURN(fs::FileRef f, t.fds().Get(a.fd(0)));
  const int mode = a.i32(1);
  const int64_t offset = a.s64(2), len = a.s64(3);
  if (offset < 0 || len <= 0) return Errno(EINVAL);
  if (mode & ~kFallocSupported) return Errno(EOPNOTSUPP);
  if ((mode & (FALLOC_FL_PUNCH_HOLE | FALLOC_FL_ZERO_RANGE)) ==
      (FALLOC_FL_PUNCH_HOLE | FALLOC_FL_ZERO_RANGE)) {
    return Errno(EOPNOTSUPP);
  }
  if ((mode & FALLOC_FL_PUNCH_HOLE) && !(mode & FALLOC_FL_KEEP_SIZE)) return Errno(EOPNOTSUPP);
  if ((mode & FALLOC_FL_COLLAPSE_RANGE) && (mode & ~FALLOC_FL_COLLAPSE_RANGE)) {
    return Errno(EINVAL);
  }
  if ((mode & FALLOC_FL_INSERT_RANGE) && (mode & ~FALLOC_FL_INSERT_RANGE)) return Errno(EINVAL);
  if ((mode & FALLOC_FL_UNSHARE_RANGE) &&
      (mode & ~(FALLOC_FL_UNSHARE_RANGE | FALLOC_FL_KEEP_SIZE))) {
    return Errno(EINVAL);
  }
  if (!f->writable()) return Errno(EBADF);
  // No inode of ours is append-only or immutable (chattr +a/+i), so the
  // EPERM checks that follow in Linux never apply.
  SB_ASSIGN_OR_RETURN(struct stat st, f->Stat());
  if (S_ISFIFO(st.st_mode)) return Errno(ESPIPE);
  if (S_ISDIR(st.st_mode)) return Errno(EISDIR);
  if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode)) return Errno(ENODEV);
  // s_maxbytes is LLONG_MAX on tmpfs; the sum must not wrap either.
  if (offset > INT64_MAX - len) return Errno(EFBIG);
  const uint64_t limit = t.RlimitCur(RLIMIT_FSIZE);
  auto r = f->Allocate(mode, static_cast<uint64_t>(offset), static_cast<uint64_t>(len), limit);
  if (!r.ok() && r.error().value() == EFBIG && limit != RLIM_INFINITY &&
      static_cast<uint64_t>(offset + len) > limit) {
    siginfo_t info{};
    info.si_signo = SIGXFSZ;
    info.si_code = SI_USER;
    t.SendSignal(info);
  }
  SB_TRY(r);
  return 0;
}

}  // namespace sb::kernel
