// read_write.cc: read, write, readv, writev, pread64, pwrite64, lseek.
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include "kernel/syscalls/blocking.h"
#include "kernel/syscalls/handlers.h"
#include "kernel/tty/terminal.h"

namespace sb::kernel {
namespace {

SyscallResult DoRead(Task& t, int fd, const std::vector<struct iovec>& dst, int64_t offset) {
  SB_ASSIGN_OR_RETURN(fs::FileRef f, t.fds().Get(fd));
  if (!f->readable()) return Errno(EBADF);
  if (tty::ReplicaFile* tf = tty::AsReplicaFile(*f); tf != nullptr && offset < 0) {
    // VMIN/VTIME timers and SIGTTIN need more than BlockOn.
    SB_ASSIGN_OR_RETURN(size_t n, tty::ReadReplica(t, *tf, HostIoVecs(dst.data(), dst.size())));
    return n;
  }
  SB_ASSIGN_OR_RETURN(size_t n, BlockOn(t, *f, POLLIN, [&] {
                        return f->Read(HostIoVecs(dst.data(), dst.size()), offset);
                      }));
  return n;
}

SyscallResult DoWrite(Task& t, int fd, const std::vector<struct iovec>& src_in, int64_t offset) {
  SB_ASSIGN_OR_RETURN(fs::FileRef f, t.fds().Get(fd));
  if (!f->writable()) return Errno(EBADF);
  // A blocking write to a pipe or socket returns only when all of it is
  // written (Linux's pipe_write), or with the count so far on a signal.
  std::vector<struct iovec> src = src_in;
  size_t total = TotalLength(HostIoVecs(src.data(), src.size()));
  // RLIMIT_FSIZE: a regular file may not grow past the limit (SIGXFSZ and
  // EFBIG at the limit, a short write before it). Linux's
  // generic_write_check_limits.
  const uint64_t fsize = t.RlimitCur(RLIMIT_FSIZE);
  if (fsize != RLIM_INFINITY && total > 0) {
    auto st = f->Stat();
    if (st.ok() && S_ISREG(st->st_mode)) {
      int64_t pos = offset;
      if (pos < 0) {
        auto cur =
            (f->status_flags() & O_APPEND) ? ErrnoOr<int64_t>(st->st_size) : f->Seek(0, SEEK_CUR);
        pos = cur.ok() ? *cur : 0;
      }
      if (static_cast<uint64_t>(pos) >= fsize) {
        siginfo_t info{};
        info.si_signo = SIGXFSZ;
        info.si_code = SI_USER;
        t.SendSignal(info);
        return Errno(EFBIG);
      }
      if (pos + total > fsize) {
        AdvanceIoVecs(src, 0);
        size_t keep = fsize - pos, acc = 0;
        for (size_t i = 0; i < src.size(); ++i) {
          if (acc + src[i].iov_len >= keep) {
            src[i].iov_len = keep - acc;
            src.resize(i + 1);
            break;
          }
          acc += src[i].iov_len;
        }
        total = keep;
      }
    }
  }
  size_t done = 0;
  ErrnoOr<size_t> r = size_t{0};
  for (;;) {
    r = BlockOn(t, *f, POLLOUT,
                [&] { return f->Write(HostIoVecs(src.data(), src.size()), offset); });
    if (!r.ok() || *r == 0) break;
    done += *r;
    if (done >= total || f->nonblocking() || offset >= 0) break;
    AdvanceIoVecs(src, *r);
  }
  if (done > 0) return done;
  if (!r.ok() && r.error().value() == EPIPE) SendSigpipe(t);
  if (!r.ok()) return r.error();
  return *r;
}

}  // namespace

SyscallResult Read(Task& t, const SyscallArgs& a) {
  SB_ASSIGN_OR_RETURN(fs::FileRef f, t.fds().Get(a.fd(0)));  // EBADF before EFAULT
  SB_ASSIGN_OR_RETURN(auto dst, t.UserBuffer(a.addr(1), a.size(2), PROT_WRITE));
  return DoRead(t, a.fd(0), dst, -1);
}

SyscallResult Write(Task& t, const SyscallArgs& a) {
  SB_ASSIGN_OR_RETURN(fs::FileRef f, t.fds().Get(a.fd(0)));
  SB_ASSIGN_OR_RETURN(auto src, t.UserBuffer(a.addr(1), a.size(2), PROT_READ));
  return DoWrite(t, a.fd(0), src, -1);
}

SyscallResult Readv(Task& t, const SyscallArgs& a) {
  SB_ASSIGN_OR_RETURN(fs::FileRef f, t.fds().Get(a.fd(0)));
  SB_ASSIGN_OR_RETURN(auto dst, t.UserIoVecs(a.addr(1), a.i32(2), PROT_WRITE));
  return DoRead(t, a.fd(0), dst, -1);
}

SyscallResult Writev(Task& t, const SyscallArgs& a) {
  SB_ASSIGN_OR_RETURN(fs::FileRef f, t.fds().Get(a.fd(0)));
  SB_ASSIGN_OR_RETURN(auto src, t.UserIoVecs(a.addr(1), a.i32(2), PROT_READ));
  return DoWrite(t, a.fd(0), src, -1);
}

SyscallResult Pread64(Task& t, const SyscallArgs& a) {
  SB_ASSIGN_OR_RETURN(fs::FileRef f, t.fds().Get(a.fd(0)));
  if (a.s64(3) < 0) return Errno(EINVAL);
  SB_ASSIGN_OR_RETURN(auto dst, t.UserBuffer(a.addr(1), a.size(2), PROT_WRITE));
  return DoRead(t, a.fd(0), dst, a.s64(3));
}

SyscallResult Pwrite64(Task& t, const SyscallArgs& a) {
  SB_ASSIGN_OR_RETURN(fs::FileRef f, t.fds().Get(a.fd(0)));
  if (a.s64(3) < 0) return Errno(EINVAL);
  SB_ASSIGN_OR_RETURN(auto src, t.UserBuffer(a.addr(1), a.size(2), PROT_READ));
  return DoWrite(t, a.fd(0), src, a.s64(3));
}

SyscallResult Lseek(Task& t, const SyscallArgs& a) {
  SB_ASSIGN_OR_RETURN(fs::FileRef f, t.fds().Get(a.fd(0)));
  int whence = a.i32(2);
  if (whence < SEEK_SET || whence > SEEK_HOLE) return Errno(EINVAL);
  SB_ASSIGN_OR_RETURN(int64_t off, f->Seek(a.s64(1), whence));
  return static_cast<uint64_t>(off);
}

}  // namespace sb::kernel
