// fd.cc: dup, dup2, dup3, fcntl, ioctl, pipe, pipe2. fcntl's lock
// commands are in lock.cc.
#include <sys/ioctl.h>

#include "fs/pipe.h"
#include "kernel/base/log_once.h"
#include "kernel/syscalls/handlers.h"

namespace sb::kernel {

SyscallResult Dup(Task& t, const SyscallArgs& a) {
  SB_ASSIGN_OR_RETURN(fs::FileRef f, t.fds().Get(a.fd(0)));
  SB_ASSIGN_OR_RETURN(int fd, t.fds().Install(std::move(f), false, 0, t.RlimitCur(RLIMIT_NOFILE)));
  return fd;
}

SyscallResult Dup2(Task& t, const SyscallArgs& a) {
  SB_ASSIGN_OR_RETURN(fs::FileRef f, t.fds().Get(a.fd(0)));
  if (a.fd(0) == a.fd(1)) return a.fd(1);
  SB_TRY(t.fds().InstallAt(a.fd(1), std::move(f), false, t.RlimitCur(RLIMIT_NOFILE)));
  return a.fd(1);
}

SyscallResult Dup3(Task& t, const SyscallArgs& a) {
  if (a.i32(2) & ~O_CLOEXEC) return Errno(EINVAL);
  if (a.fd(0) == a.fd(1)) return Errno(EINVAL);
  SB_ASSIGN_OR_RETURN(fs::FileRef f, t.fds().Get(a.fd(0)));
  SB_TRY(
      t.fds().InstallAt(a.fd(1), std::move(f), a.i32(2) & O_CLOEXEC, t.RlimitCur(RLIMIT_NOFILE)));
  return a.fd(1);
}

namespace {

// Every seal Linux knows (F_SEAL_EXEC, 0x20, since 6.3).
constexpr unsigned kAllSeals =
    F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_FUTURE_WRITE | 0x20;

// Linux's memfd_fcntl().
SyscallResult FcntlSeals(Task& t, fs::FileDescription& f, int cmd, uint64_t arg) {
  if (cmd == F_GET_SEALS) {
    SB_ASSIGN_OR_RETURN(unsigned seals, f.GetSeals());
    return seals;
  }
  if (arg > UINT32_MAX) return Errno(EINVAL);
  if (!f.writable()) return Errno(EPERM);
  if (arg & ~uint64_t{kAllSeals}) return Errno(EINVAL);
  SB_TRY(f.AddSeals(static_cast<unsigned>(arg)));
  return 0;
}

// Linux's check_fcntl_cmd(): what an O_PATH descriptor allows.
bool AllowedOnPath(int cmd) {
  return cmd == F_DUPFD || cmd == F_DUPFD_CLOEXEC || cmd == F_GETFD || cmd == F_SETFD ||
         cmd == F_GETFL;
}

}  // namespace

SyscallResult Fcntl(Task& t, const SyscallArgs& a) {
  const int fd = a.fd(0);
  const int cmd = a.i32(1);
  SB_ASSIGN_OR_RETURN(FdTable::Entry e, t.fds().GetEntry(fd));
  if ((e.file->status_flags() & O_PATH) && !AllowedOnPath(cmd)) return Errno(EBADF);
  switch (cmd) {
    case F_GETLK:
    case F_SETLK:
    case F_SETLKW:
    case F_OFD_GETLK:
    case F_OFD_SETLK:
    case F_OFD_SETLKW:
      return FcntlLock(t, e.file, cmd, a.u64(2));
    case F_ADD_SEALS:
    case F_GET_SEALS:
      return FcntlSeals(t, *e.file, cmd, a.u64(2));
    case F_DUPFD:
    case F_DUPFD_CLOEXEC: {
      const int min = a.i32(2);
      const uint64_t limit = t.RlimitCur(RLIMIT_NOFILE);
      if (min < 0 || static_cast<uint64_t>(min) >= limit) return Errno(EINVAL);
      SB_ASSIGN_OR_RETURN(int nfd, t.fds().Install(e.file, cmd == F_DUPFD_CLOEXEC, min, limit));
      return nfd;
    }
    case F_GETFD:
      return e.cloexec ? FD_CLOEXEC : 0;
    case F_SETFD:
      SB_TRY(t.fds().SetCloexec(fd, a.i32(2) & FD_CLOEXEC));
      return 0;
    case F_GETFL:
      return static_cast<uint32_t>(e.file->status_flags());
    case F_SETFL:
      e.file->SetStatusFlags(a.i32(2));
      return 0;
    case F_GETPIPE_SZ: {
      fs::Pipe* p = fs::AsPipe(*e.file);
      if (p == nullptr) return Errno(EBADF);
      return p->Capacity();
    }
    case F_SETPIPE_SZ: {
      fs::Pipe* p = fs::AsPipe(*e.file);
      if (p == nullptr) return Errno(EBADF);
      SB_ASSIGN_OR_RETURN(
          size_t n, p->SetCapacity(a.u32(2), t.creds().HasCapability(24 /*CAP_SYS_RESOURCE*/)));
      return n;
    }
    default:
      ReportUnsupported("fcntl command " + std::to_string(cmd));
      return Errno(EINVAL);
  }
}

SyscallResult Ioctl(Task& t, const SyscallArgs& a) {
  SB_ASSIGN_OR_RETURN(FdTable::Entry e, t.fds().GetEntry(a.fd(0)));
  const uint32_t cmd = a.u32(1);
  switch (cmd) {
    case FIOCLEX:
    case FIONCLEX:
      SB_TRY(t.fds().SetCloexec(a.fd(0), cmd == FIOCLEX));
      return 0;
    case FIONBIO: {
      SB_ASSIGN_OR_RETURN(int on, t.CopyInObj<int>(a.addr(2)));
      int flags = e.file->status_flags();
      e.file->SetStatusFlags(on ? (flags | O_NONBLOCK) : (flags & ~O_NONBLOCK));
      return 0;
    }
    default: {
      SB_ASSIGN_OR_RETURN(int64_t r, e.file->Ioctl(cmd, a.u64(2), t));
      return static_cast<uint64_t>(r);
    }
  }
}

namespace {

SyscallResult DoPipe(Task& t, uint64_t addr, int flags) {
  if (flags & ~(O_CLOEXEC | O_NONBLOCK | O_DIRECT)) return Errno(EINVAL);
  auto [r, w] = fs::NewPipe(flags);
  fs::AsPipe(*r)->SetOwner(t.creds().fsuid, t.creds().fsgid);
  const uint64_t limit = t.RlimitCur(RLIMIT_NOFILE);
  const bool cloexec = flags & O_CLOEXEC;
  SB_ASSIGN_OR_RETURN(int rfd, t.fds().Install(std::move(r), cloexec, 0, limit));
  auto wfd = t.fds().Install(std::move(w), cloexec, 0, limit);
  if (!wfd.ok()) {
    (void)t.fds().Remove(rfd);
    return wfd.error();
  }
  int fds[2] = {rfd, *wfd};
  if (auto c = t.CopyOut(addr, fds, sizeof(fds)); !c.ok()) {
    (void)t.fds().Remove(rfd);
    (void)t.fds().Remove(*wfd);
    return c.error();
  }
  return 0;
}

}  // namespace

SyscallResult Pipe(Task& t, const SyscallArgs& a) { return DoPipe(t, a.addr(0), 0); }
SyscallResult Pipe2(Task& t, const SyscallArgs& a) { return DoPipe(t, a.addr(0), a.i32(1)); }

}  // namespace sb::kernel
