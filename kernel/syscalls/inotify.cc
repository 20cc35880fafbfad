// inotify.cc: inotify_init, inotify_init1, inotify_add_watch,
// inotify_rm_watch (Linux's fs/notify/inotify/inotify_user.c). The
// instances and the events are fs/'s (fs/inotify.h); reads, poll and
// FIONREAD go through the ordinary file paths.
#include <sys/inotify.h>
#include <sys/resource.h>

#include "fs/inotify.h"
#include "kernel/base/abi.h"
#include "kernel/kernel.h"
#include "kernel/syscalls/handlers.h"

namespace sb::kernel {
namespace {

constexpr uint32_t kAllBits = IN_ALL_EVENTS | IN_UNMOUNT | IN_Q_OVERFLOW | IN_IGNORED | IN_ONLYDIR |
                              IN_DONT_FOLLOW | IN_EXCL_UNLINK | IN_MASK_CREATE | IN_MASK_ADD |
                              IN_ISDIR | IN_ONESHOT;

SyscallResult DoInit(Task& t, int flags) {
  if (flags & ~(IN_CLOEXEC | IN_NONBLOCK)) return Errno(EINVAL);
  SB_ASSIGN_OR_RETURN(fs::FileRef f, fs::NewInotify(t.creds().ruid, flags & IN_NONBLOCK));
  SB_ASSIGN_OR_RETURN(
      int fd, t.fds().Install(std::move(f), flags & IN_CLOEXEC, 0, t.RlimitCur(RLIMIT_NOFILE)));
  return fd;
}

}  // namespace

SyscallResult InotifyInit(Task& t, const SyscallArgs& a) { return DoInit(t, 0); }

SyscallResult InotifyInit1(Task& t, const SyscallArgs& a) { return DoInit(t, a.i32(0)); }

SyscallResult InotifyAddWatch(Task& t, const SyscallArgs& a) {
  const uint32_t mask = a.u32(2);
  if ((mask & IN_MASK_ADD) && (mask & IN_MASK_CREATE)) return Errno(EINVAL);
  if (mask & ~kAllBits) return Errno(EINVAL);
  if (!(mask & kAllBits)) return Errno(EINVAL);
  SB_ASSIGN_OR_RETURN(fs::FileRef f, t.fds().Get(a.fd(0)));
  if (!fs::IsInotify(*f)) return Errno(EINVAL);
  SB_ASSIGN_OR_RETURN(std::string path, t.CopyInString(a.addr(1), sb::abi::kPathMax));
  if (path.empty()) return Errno(ENOENT);
  SB_ASSIGN_OR_RETURN(fs::Location start, t.AtLocation(AT_FDCWD, path));
  fs::FollowFinal follow = (mask & IN_DONT_FOLLOW) ? fs::FollowFinal::kNo : fs::FollowFinal::kYes;
  fs::FsContext ctx = t.FsContext();
  SB_ASSIGN_OR_RETURN(fs::Location loc, t.mount_namespace().Lookup(ctx, start, path, follow));
  if (mask & IN_ONLYDIR) {
    SB_ASSIGN_OR_RETURN(struct stat st, t.mount_namespace().Stat(loc));
    if (!S_ISDIR(st.st_mode)) return Errno(ENOTDIR);
  }
  // Linux's inotify_find_inode: read permission on the watched file.
  SB_TRY(t.mount_namespace().Access(ctx, loc, R_OK));
  SB_ASSIGN_OR_RETURN(int wd, fs::InotifyAddWatch(*f, loc, mask));
  return wd;
}

SyscallResult InotifyRmWatch(Task& t, const SyscallArgs& a) {
  SB_ASSIGN_OR_RETURN(fs::FileRef f, t.fds().Get(a.fd(0)));
  if (!fs::IsInotify(*f)) return Errno(EINVAL);
  SB_TRY(fs::InotifyRmWatch(*f, a.i32(1)));
  return 0;
}

}  // namespace sb::kernel
