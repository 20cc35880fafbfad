// signalfd.cc: signalfd, signalfd4 (the files: kernel/task/signalfd.h).
#include <sys/signalfd.h>

#include "kernel/syscalls/handlers.h"
#include "kernel/task/signalfd.h"

namespace sb::kernel {
namespace {

// The size of the kernel's sigset_t, the only `sizemask` accepted.
constexpr uint64_t kSigsetSize = 8;

// signalfd4(fd, mask, sizemask, flags). The order of the checks is Linux's:
// sizemask, the mask's address, flags, then the descriptor.
SyscallResult DoSignalfd(Task& t, int fd, uint64_t mask_addr, uint64_t sizemask, int flags) {
  if (sizemask != kSigsetSize) return Errno(EINVAL);
  SB_ASSIGN_OR_RETURN(uint64_t mask, t.CopyInObj<uint64_t>(mask_addr));
  if (flags & ~(SFD_NONBLOCK | SFD_CLOEXEC)) return Errno(EINVAL);
  if (fd == -1) {
    SB_ASSIGN_OR_RETURN(fs::FileRef f, NewSignalFd(mask, flags & ~SFD_CLOEXEC));
    SB_ASSIGN_OR_RETURN(int newfd, t.fds().Install(std::move(f), flags & SFD_CLOEXEC, 0,
                                                   t.RlimitCur(RLIMIT_NOFILE)));
    return newfd;
  }
  // An existing signalfd takes the new mask; its flags stay as they are.
  SB_ASSIGN_OR_RETURN(fs::FileRef f, t.fds().Get(fd));  // EBADF
  SignalFd* sfd = AsSignalFd(*f);
  if (sfd == nullptr) return Errno(EINVAL);
  sfd->SetMask(mask);
  // Pollers of this process look again with the new mask.
  NotifySignalFds(t.thread_group());
  return fd;
}

}  // namespace

SyscallResult Signalfd(Task& t, const SyscallArgs& a) {
  return DoSignalfd(t, a.fd(0), a.addr(1), a.u64(2), 0);
}

SyscallResult Signalfd4(Task& t, const SyscallArgs& a) {
  return DoSignalfd(t, a.fd(0), a.addr(1), a.u64(2), a.i32(3));
}

}  // namespace sb::kernel
