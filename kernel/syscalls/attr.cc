// attr.cc: chmod, fchmod, fchmodat, chown, fchown, lchown, fchownat,
// utime, utimes, futimesat, utimensat: changing a file's mode, owner and
// times (fs/attr.h has the rules).
#include <sys/time.h>
#include <utime.h>

#include "kernel/base/log_once.h"
#include "kernel/syscalls/at_path.h"
#include "kernel/syscalls/handlers.h"

namespace sb::kernel {
namespace {

// A file with no place in the tree: a pipe keeps its own attributes;
// other anonymous files (eventfd, epoll) share Linux's one anon inode,
// whose changes we do not model.
ErrnoStatus ApplyAnonymous(fs::FileDescription& f, const ErrnoOr<fs::AttrChange>& change) {
  SB_TRY(change);
  ErrnoStatus r = f.SetAttr(*change);
  if (!r.ok() && r.error().value() == EOPNOTSUPP) {
    ReportUnsupported("attribute change of an anonymous file (eventfd, epoll, ...)");
  }
  return r;
}

ErrnoStatus ChmodTarget(Task& t, const AtTarget& target, mode_t mode) {
  if (!target.loc) {
    SB_ASSIGN_OR_RETURN(struct stat st, target.file->Stat());
    return ApplyAnonymous(*target.file, fs::ChmodChange(t.creds(), st, mode & 07777));
  }
  return t.mount_namespace().Chmod(t.FsContext(), *target.loc, mode & 07777);
}

ErrnoStatus ChownTarget(Task& t, const AtTarget& target, uid_t uid, gid_t gid) {
  if (!target.loc) {
    SB_ASSIGN_OR_RETURN(struct stat st, target.file->Stat());
    return ApplyAnonymous(*target.file, fs::ChownChange(t.creds(), st, uid, gid));
  }
  return t.mount_namespace().Chown(t.FsContext(), *target.loc, uid, gid);
}

ErrnoStatus UtimesTarget(Task& t, const AtTarget& target, const fs::UtimesRequest* times) {
  if (!target.loc) {
    SB_ASSIGN_OR_RETURN(struct stat st, target.file->Stat());
    return ApplyAnonymous(*target.file, fs::UtimesChange(t.creds(), st, times));
  }
  return t.mount_namespace().Utimens(t.FsContext(), *target.loc, times);
}

SyscallResult DoFchmodat(Task& t, int dirfd, uint64_t path_addr, mode_t mode, int flags) {
  if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)) return Errno(EINVAL);
  SB_ASSIGN_OR_RETURN(AtTarget target, ResolveAtFlags(t, dirfd, path_addr, flags));
  SB_TRY(ChmodTarget(t, target, mode));
  return 0;
}

SyscallResult DoFchownat(Task& t, int dirfd, uint64_t path_addr, uid_t uid, gid_t gid, int flags) {
  if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)) return Errno(EINVAL);
  SB_ASSIGN_OR_RETURN(AtTarget target, ResolveAtFlags(t, dirfd, path_addr, flags));
  SB_TRY(ChownTarget(t, target, uid, gid));
  return 0;
}

// Linux's do_utimes(): `times` null means "now"; a null path with a real
// dirfd acts on that descriptor.
SyscallResult DoUtimes(Task& t, int dirfd, uint64_t path_addr, const fs::UtimesRequest* times,
                       int flags) {
  if (times != nullptr &&
      (!fs::ValidUtimeNsec(times->atime.tv_nsec) || !fs::ValidUtimeNsec(times->mtime.tv_nsec))) {
    return Errno(EINVAL);
  }
  if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)) return Errno(EINVAL);
  if (path_addr == 0 && dirfd != AT_FDCWD) {
    if (flags) return Errno(EINVAL);
    SB_ASSIGN_OR_RETURN(fs::FileRef f, FileForFd(t, dirfd));
    SB_TRY(UtimesTarget(t, TargetOf(std::move(f)), times));
    return 0;
  }
  SB_ASSIGN_OR_RETURN(AtTarget target, ResolveAtFlags(t, dirfd, path_addr, flags));
  SB_TRY(UtimesTarget(t, target, times));
  return 0;
}

// futimesat(2)/utimes(2): microseconds, checked before conversion (so
// UTIME_NOW/UTIME_OMIT values are EINVAL here).
SyscallResult DoFutimesat(Task& t, int dirfd, uint64_t path_addr, uint64_t times_addr) {
  if (times_addr == 0) return DoUtimes(t, dirfd, path_addr, nullptr, 0);
  SB_ASSIGN_OR_RETURN(auto tv, (t.CopyInObj<std::array<struct timeval, 2>>(times_addr)));
  for (const struct timeval& v : tv) {
    if (v.tv_usec < 0 || v.tv_usec >= 1000000) return Errno(EINVAL);
  }
  fs::UtimesRequest req{{tv[0].tv_sec, tv[0].tv_usec * 1000}, {tv[1].tv_sec, tv[1].tv_usec * 1000}};
  return DoUtimes(t, dirfd, path_addr, &req, 0);
}

}  // namespace

SyscallResult Chmod(Task& t, const SyscallArgs& a) {
  return DoFchmodat(t, AT_FDCWD, a.addr(0), a.u32(1), 0);
}

SyscallResult Fchmodat(Task& t, const SyscallArgs& a) {
  return DoFchmodat(t, a.fd(0), a.addr(1), a.u32(2), 0);
}

SyscallResult Fchmod(Task& t, const SyscallArgs& a) {
  SB_ASSIGN_OR_RETURN(fs::FileRef f, FileForFd(t, a.fd(0)));
  SB_TRY(ChmodTarget(t, TargetOf(std::move(f)), a.u32(1)));
  return 0;
}

SyscallResult Chown(Task& t, const SyscallArgs& a) {
  return DoFchownat(t, AT_FDCWD, a.addr(0), a.u32(1), a.u32(2), 0);
}

SyscallResult Lchown(Task& t, const SyscallArgs& a) {
  return DoFchownat(t, AT_FDCWD, a.addr(0), a.u32(1), a.u32(2), AT_SYMLINK_NOFOLLOW);
}

SyscallResult Fchownat(Task& t, const SyscallArgs& a) {
  return DoFchownat(t, a.fd(0), a.addr(1), a.u32(2), a.u32(3), a.i32(4));
}

SyscallResult Fchown(Task& t, const SyscallArgs& a) {
  SB_ASSIGN_OR_RETURN(fs::FileRef f, FileForFd(t, a.fd(0)));
  SB_TRY(ChownTarget(t, TargetOf(std::move(f)), a.u32(1), a.u32(2)));
  return 0;
}

SyscallResult Utime(Task& t, const SyscallArgs& a) {
  if (a.addr(1) == 0) return DoUtimes(t, AT_FDCWD, a.addr(0), nullptr, 0);
  SB_ASSIGN_OR_RETURN(struct utimbuf buf, t.CopyInObj<struct utimbuf>(a.addr(1)));
  fs::UtimesRequest req{{buf.actime, 0}, {buf.modtime, 0}};
  return DoUtimes(t, AT_FDCWD, a.addr(0), &req, 0);
}

SyscallResult Utimes(Task& t, const SyscallArgs& a) {
  return DoFutimesat(t, AT_FDCWD, a.addr(0), a.addr(1));
}

SyscallResult Futimesat(Task& t, const SyscallArgs& a) {
  return DoFutimesat(t, a.fd(0), a.addr(1), a.addr(2));
}

SyscallResult Utimensat(Task& t, const SyscallArgs& a) {
  if (a.addr(2) == 0) return DoUtimes(t, a.fd(0), a.addr(1), nullptr, a.i32(3));
  SB_ASSIGN_OR_RETURN(auto ts, (t.CopyInObj<std::array<struct timespec, 2>>(a.addr(2))));
  // Nothing to do: not even the path is looked at.
  if (ts[0].tv_nsec == UTIME_OMIT && ts[1].tv_nsec == UTIME_OMIT) return 0;
  fs::UtimesRequest req{ts[0], ts[1]};
  return DoUtimes(t, a.fd(0), a.addr(1), &req, a.i32(3));
}

}  // namespace sb::kernel
