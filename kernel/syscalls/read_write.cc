// read_write.cc: read, write, readv, writev, pread64, pwrite64, preadv,
// pwritev, preadv2, pwritev2, lseek.
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/uio.h>

#include <optional>

#include "kernel/syscalls/blocking.h"
#include "kernel/syscalls/handlers.h"
#include "kernel/tty/terminal.h"

namespace sb::kernel {
namespace {

// What preadv2/pwritev2's RWF_* flags ask of one transfer.
struct RwOptions {
  bool nowait = false;         // RWF_NOWAIT: never wait
  std::optional<bool> append;  // RWF_APPEND / RWF_NOAPPEND
  bool nosignal = false;       // RWF_NOSIGNAL: EPIPE without SIGPIPE
  bool sync = false;           // RWF_DSYNC / RWF_SYNC
};

SyscallResult DoRead(Task& t, int fd, const std::vector<struct iovec>& dst, int64_t offset,
                     const RwOptions& o = {}) {
  SB_ASSIGN_OR_RETURN(fs::FileRef f, t.fds().Get(fd));
  if (!f->readable()) return Errno(EBADF);
  if (o.nowait) {
    SB_ASSIGN_OR_RETURN(size_t n, f->Read(HostIoVecs(dst.data(), dst.size()), offset));
    return n;
  }
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

SyscallResult DoWrite(Task& t, int fd, const std::vector<struct iovec>& src_in, int64_t offset,
                      const RwOptions& o = {}) {
  SB_ASSIGN_OR_RETURN(fs::FileRef f, t.fds().Get(fd));
  if (!f->writable()) return Errno(EBADF);
  const bool append = o.append.value_or(f->status_flags() & O_APPEND);
  auto write_once = [&](HostIoVecs v) {
    return o.append ? f->WriteAppend(v, offset, append) : f->Write(v, offset);
  };
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
        auto cur = append ? ErrnoOr<int64_t>(st->st_size) : f->Seek(0, SEEK_CUR);
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
    if (o.nowait) {
      r = write_once(HostIoVecs(src.data(), src.size()));
    } else {
      r = BlockOn(t, *f, POLLOUT, [&] { return write_once(HostIoVecs(src.data(), src.size())); });
    }
    if (!r.ok() || *r == 0) break;
    done += *r;
    if (done >= total || f->nonblocking() || o.nowait || offset >= 0) break;
    AdvanceIoVecs(src, *r);
  }
  if (done > 0 && o.sync) (void)f->Sync(/*data_only=*/false);
  if (done > 0) return done;
  if (!r.ok() && r.error().value() == EPIPE && !o.nosignal) SendSigpipe(t);
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

namespace {

// RWF_* (include/uapi/linux/fs.h), as Linux 6.16+ knows them.
constexpr int kRwfHipri = 0x1, kRwfDsync = 0x2, kRwfSync = 0x4, kRwfNowait = 0x8, kRwfAppend = 0x10,
              kRwfNoappend = 0x20, kRwfAtomic = 0x40, kRwfDontcache = 0x80, kRwfNosignal = 0x100;
constexpr int kRwfSupported = kRwfHipri | kRwfDsync | kRwfSync | kRwfNowait | kRwfAppend |
                              kRwfNoappend | kRwfAtomic | kRwfDontcache | kRwfNosignal;

// Linux's kiocb_set_rw_flags() for our own files: EOPNOTSUPP for unknown
// flags, RWF_NOWAIT on a file without FMODE_NOWAIT, RWF_ATOMIC (no file of
// ours does atomic writes) and RWF_DONTCACHE (nothing is cached); EINVAL for
// RWF_APPEND with RWF_NOAPPEND. RWF_HIPRI means nothing without polled I/O.
ErrnoOr<RwOptions> DecodeRwf(const fs::FileDescription& f, int flags) {
  RwOptions o;
  if (flags == 0) return o;
  if (flags & ~kRwfSupported) return Errno(EOPNOTSUPP);
  if ((flags & kRwfAppend) && (flags & kRwfNoappend)) return Errno(EINVAL);
  if (flags & kRwfNowait) {
    if (!f.SupportsNowait()) return Errno(EOPNOTSUPP);
    o.nowait = true;
  }
  if (flags & (kRwfAtomic | kRwfDontcache)) return Errno(EOPNOTSUPP);
  if (flags & kRwfAppend) o.append = true;
  if (flags & kRwfNoappend) o.append = false;
  o.nosignal = flags & kRwfNosignal;
  o.sync = flags & (kRwfDsync | kRwfSync);
  return o;
}

// Whether `f` has a position pread/pwrite may use (Linux's FMODE_PREAD):
// pipes, sockets and terminals do not (ESPIPE).
bool Positional(fs::FileDescription& f) {
  auto r = f.Seek(0, SEEK_CUR);
  return r.ok() || r.error().value() != ESPIPE;
}

// preadv, preadv2 (`flags`; `pos` -1 is the file position) and the write
// twins: Linux's do_preadv()/do_readv() and vfs_readv() order: a bad
// offset, the descriptor, ESPIPE, the access mode, the iovec array, an
// empty transfer (0 before any flag check), then the flags.
SyscallResult VectorIo(Task& t, const SyscallArgs& a, bool write, int64_t pos, int flags, bool v2) {
  if (pos < (v2 ? -1 : 0)) return Errno(EINVAL);
  SB_ASSIGN_OR_RETURN(fs::FileRef f, t.fds().Get(a.fd(0)));
  if (pos >= 0 && !Positional(*f)) return Errno(ESPIPE);
  if (write ? !f->writable() : !f->readable()) return Errno(EBADF);
  if (a.u64(2) > IOV_MAX) return Errno(EINVAL);
  SB_ASSIGN_OR_RETURN(auto vecs, t.UserIoVecs(a.addr(1), a.i32(2), write ? PROT_READ : PROT_WRITE));
  HostIoVecs io(vecs.data(), vecs.size());
  if (TotalLength(io) == 0) return 0;
  // A host-backed file hands the flags to the host filesystem.
  if (flags != 0) {
    auto host = write ? f->HostWriteV2(io, pos, flags) : f->HostReadV2(io, pos, flags);
    if (host.has_value()) {
      SB_ASSIGN_OR_RETURN(size_t n, std::move(*host));
      return n;
    }
  }
  SB_ASSIGN_OR_RETURN(RwOptions o, DecodeRwf(*f, flags));
  return write ? DoWrite(t, a.fd(0), vecs, pos, o) : DoRead(t, a.fd(0), vecs, pos, o);
}

}  // namespace

// preadv(fd, iov, iovcnt, pos_l, pos_h): on 64-bit Linux the offset is the
// whole of pos_l (pos_from_hilo shifts pos_h out entirely).
SyscallResult Preadv(Task& t, const SyscallArgs& a) {
  return VectorIo(t, a, /*write=*/false, a.s64(3), 0, /*v2=*/false);
}

SyscallResult Pwritev(Task& t, const SyscallArgs& a) {
  return VectorIo(t, a, /*write=*/true, a.s64(3), 0, /*v2=*/false);
}

SyscallResult Preadv2(Task& t, const SyscallArgs& a) {
  return VectorIo(t, a, /*write=*/false, a.s64(3), a.i32(5), /*v2=*/true);
}

SyscallResult Pwritev2(Task& t, const SyscallArgs& a) {
  return VectorIo(t, a, /*write=*/true, a.s64(3), a.i32(5), /*v2=*/true);
}

SyscallResult Lseek(Task& t, const SyscallArgs& a) {
  SB_ASSIGN_OR_RETURN(fs::FileRef f, t.fds().Get(a.fd(0)));
  int whence = a.i32(2);
  if (whence < SEEK_SET || whence > SEEK_HOLE) return Errno(EINVAL);
  SB_ASSIGN_OR_RETURN(int64_t off, f->Seek(a.s64(1), whence));
  return static_cast<uint64_t>(off);
}

}  // namespace sb::kernel
