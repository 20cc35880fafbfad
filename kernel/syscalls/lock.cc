// lock.cc: flock(2) and fcntl(2)'s advisory record locks (F_GETLK,
// F_SETLK, F_SETLKW and their F_OFD_* forms) over fs/locks.h. Locks live
// in our kernel only. Blocking waits are interruptible (ERESTARTSYS).
#include <sys/file.h>

#include "fs/locks.h"
#include "kernel/base/abi.h"
#include "kernel/syscalls/blocking.h"
#include "kernel/syscalls/handlers.h"

namespace sb::kernel {
namespace {

// flock(2)'s LOCK_MAND: ignored since Linux 5.16, the call succeeds.
constexpr unsigned kLockMand = 32;

// Linux's flock64_to_posix_lock(): the byte range of `fl` as
// [*start, *end], and its type checked.
ErrnoStatus DecodeRange(fs::FileDescription& f, const struct flock& fl, int64_t* start,
                        int64_t* end) {
  int64_t base;
  switch (fl.l_whence) {
    case SEEK_SET:
      base = 0;
      break;
    case SEEK_CUR: {
      auto pos = f.Seek(0, SEEK_CUR);
      base = pos.ok() ? *pos : 0;  // a pipe's position is 0
      break;
    }
    case SEEK_END: {
      SB_ASSIGN_OR_RETURN(struct stat st, f.Stat());
      base = st.st_size;
      break;
    }
    default:
      return Errno(EINVAL);
  }
  if (fl.l_start > fs::kLockOffsetMax - base) return Errno(EOVERFLOW);
  int64_t s = base + fl.l_start;
  if (s < 0) return Errno(EINVAL);
  int64_t e;
  if (fl.l_len > 0) {
    if (fl.l_len - 1 > fs::kLockOffsetMax - s) return Errno(EOVERFLOW);
    e = s + (fl.l_len - 1);
  } else if (fl.l_len < 0) {
    if (s + fl.l_len < 0) return Errno(EINVAL);
    e = s - 1;
    s += fl.l_len;
  } else {
    e = fs::kLockOffsetMax;
  }
  if (fl.l_type != F_RDLCK && fl.l_type != F_WRLCK && fl.l_type != F_UNLCK) return Errno(EINVAL);
  *start = s;
  *end = e;
  return Ok();
}

fs::LockOwner OwnerOf(Task& t, fs::FileDescription& f, bool ofd) {
  if (ofd) return fs::LockOwner{&f, -1, true};
  return fs::LockOwner{&t.fds(), t.thread_group().tgid(), false};
}

SyscallResult GetLock(Task& t, fs::FileDescription& f, bool ofd, uint64_t addr) {
  SB_ASSIGN_OR_RETURN(struct flock fl, t.CopyInObj<struct flock>(addr));
  if (fl.l_type != F_RDLCK && fl.l_type != F_WRLCK) return Errno(EINVAL);
  int64_t start, end;
  SB_TRY(DecodeRange(f, fl, &start, &end));
  if (ofd && fl.l_pid != 0) return Errno(EINVAL);
  std::optional<fs::RecordLock> held;
  if (auto ctx = f.LockContext(/*create=*/false)) {
    held = ctx->TestLock(OwnerOf(t, f, ofd), fl.l_type, start, end);
  }
  if (!held) {
    fl.l_type = F_UNLCK;
  } else {
    fl.l_type = held->type;
    fl.l_whence = SEEK_SET;
    fl.l_start = held->start;
    fl.l_len = held->end == fs::kLockOffsetMax ? 0 : held->end - held->start + 1;
    fl.l_pid = held->owner.ofd ? -1 : held->owner.pid;
  }
  SB_TRY(t.CopyOutObj(addr, fl));
  return 0;
}

SyscallResult SetLock(Task& t, const fs::FileRef& f, bool ofd, bool wait, uint64_t addr) {
  SB_ASSIGN_OR_RETURN(struct flock fl, t.CopyInObj<struct flock>(addr));
  int64_t start, end;
  SB_TRY(DecodeRange(*f, fl, &start, &end));
  // Linux's check_fmode_for_setlk().
  if ((fl.l_type == F_RDLCK && !f->readable()) || (fl.l_type == F_WRLCK && !f->writable())) {
    return Errno(EBADF);
  }
  if (ofd && fl.l_pid != 0) return Errno(EINVAL);
  std::shared_ptr<fs::FileLockContext> ctx = f->LockContext(/*create=*/true);
  if (ofd) f->NoteLocksHeld(ctx);
  const fs::LockOwner owner = OwnerOf(t, *f, ofd);
  fs::LockOwner blocker;
  ErrnoStatus r = ctx->SetLock(owner, fl.l_type, start, end, &blocker);
  if (r.ok() || r.error().value() != EAGAIN || !wait) {
    SB_TRY(r);
    return 0;
  }
  Waiter& w = t.waiter();
  ScopedWaitRegistration reg(ctx->queue(), &w, ~0u);
  for (;;) {
    w.ResetEvents();
    r = ctx->SetLock(owner, fl.l_type, start, end, &blocker);
    if (r.ok() || r.error().value() != EAGAIN) break;
    // Only POSIX owners take part in deadlock detection, as on Linux.
    std::optional<fs::ScopedLockWait> waiting;
    if (!ofd && !blocker.ofd) {
      waiting.emplace(owner.id, blocker.id);
      if (waiting->deadlock()) return Errno(EDEADLK);
    }
    if (w.Wait(absl::InfiniteFuture()) == Waiter::Result::kInterrupted) {
      return Errno(abi::ERESTARTSYS);
    }
  }
  SB_TRY(r);
  return 0;
}

}  // namespace

SyscallResult FcntlLock(Task& t, const fs::FileRef& f, int cmd, uint64_t arg) {
  switch (cmd) {
    case F_GETLK:
      return GetLock(t, *f, /*ofd=*/false, arg);
    case F_OFD_GETLK:
      return GetLock(t, *f, /*ofd=*/true, arg);
    case F_SETLK:
      return SetLock(t, f, /*ofd=*/false, /*wait=*/false, arg);
    case F_SETLKW:
      return SetLock(t, f, /*ofd=*/false, /*wait=*/true, arg);
    case F_OFD_SETLK:
      return SetLock(t, f, /*ofd=*/true, /*wait=*/false, arg);
    case F_OFD_SETLKW:
      return SetLock(t, f, /*ofd=*/true, /*wait=*/true, arg);
    default:
      return Errno(EINVAL);
  }
}

SyscallResult Flock(Task& t, const SyscallArgs& a) {
  const unsigned cmd = a.u32(1);
  if (cmd & kLockMand) return 0;
  short type;
  switch (cmd & ~LOCK_NB) {
    case LOCK_SH:
      type = F_RDLCK;
      break;
    case LOCK_EX:
      type = F_WRLCK;
      break;
    case LOCK_UN:
      type = F_UNLCK;
      break;
    default:
      return Errno(EINVAL);
  }
  SB_ASSIGN_OR_RETURN(fs::FileRef f, t.fds().Get(a.fd(0)));
  if (f->status_flags() & O_PATH) return Errno(EBADF);
  std::shared_ptr<fs::FileLockContext> ctx = f->LockContext(/*create=*/type != F_UNLCK);
  if (!ctx) return 0;  // unlocking a file that never had a lock
  if (type != F_UNLCK) f->NoteLocksHeld(ctx);
  auto op = [&] { return ctx->Flock(f.get(), type); };
  if (cmd & LOCK_NB) {
    SB_TRY(op());
  } else {
    SB_TRY(BlockOnQueue(t, ctx->queue(), op));
  }
  return 0;
}

}  // namespace sb::kernel
