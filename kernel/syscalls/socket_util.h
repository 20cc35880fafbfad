// socket_util.h: what socket.cc and socket_msg.cc share: finding the
// socket behind an fd, moving sockaddrs across the user boundary, the
// caller's identity as fs/ wants it, and blocking with SO_RCVTIMEO /
// SO_SNDTIMEO.
#pragma once

#include <string>

#include "fs/socket.h"
#include "kernel/base/abi.h"
#include "kernel/syscalls/syscall.h"

namespace sb::kernel {

// sizeof(struct sockaddr_storage): the most a sockaddr may be.
inline constexpr int kMaxSockAddrLen = 128;

struct SocketRef {
  fs::FileRef file;  // keeps `sock` alive
  fs::Socket* sock;
};
// EBADF, or ENOTSOCK if `fd` is not a socket.
ErrnoOr<SocketRef> GetSocket(Task& t, int fd);

// The caller as a socket credential (its process's Pid, euid, egid).
fs::SocketCred CredOf(Task& t);
// The pid of `c` as `t` sees it.
pid_t PidFor(Task& t, const fs::SocketCred& c);

// Copies in a sockaddr of `len` bytes (EINVAL past kMaxSockAddrLen).
ErrnoOr<std::string> CopyInSockAddr(Task& t, uint64_t addr, uint64_t len);
// Writes `name` to `addr` truncated to *lenp, then its real length to
// *lenp (Linux's move_addr_to_user). Nothing if `addr` is 0.
ErrnoStatus CopyOutSockAddr(Task& t, const std::string& name, uint64_t addr, uint64_t lenp);

// Retries `op` while it says EAGAIN, waiting on `q` for `events`, unless
// `nonblock`. `timeout` (zero: none) ends the wait with EAGAIN; a signal
// ends it with ERESTARTSYS, or EINTR when a timeout is set (Linux's
// sock_intr_errno).
template <class Op>
auto SocketBlock(Task& t, WaitQueue* q, uint32_t events, bool nonblock, absl::Duration timeout,
                 Op&& op) -> decltype(op()) {
  auto r = op();
  if (r.ok() || r.error().value() != EAGAIN || nonblock || q == nullptr) return r;
  const bool timed = timeout != absl::ZeroDuration();
  const absl::Time deadline = timed ? absl::Now() + timeout : absl::InfiniteFuture();
  Waiter& w = t.waiter();
  ScopedWaitRegistration reg(q, &w, events | POLLHUP | POLLERR);
  for (;;) {
    w.ResetEvents();
    r = op();
    if (r.ok() || r.error().value() != EAGAIN) return r;
    switch (w.Wait(deadline)) {
      case Waiter::Result::kInterrupted:
        return Errno(timed ? EINTR : abi::ERESTARTSYS);
      case Waiter::Result::kTimedOut:
        return Errno(EAGAIN);
      case Waiter::Result::kNotified:
        break;
    }
  }
}

}  // namespace sb::kernel
