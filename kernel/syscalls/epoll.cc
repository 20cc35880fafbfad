// epoll.cc: epoll_create, epoll_create1, epoll_ctl, epoll_wait, epoll_pwait,
// epoll_pwait2, and the other anonymous-inode files: eventfd, eventfd2,
// timerfd_create, timerfd_settime, timerfd_gettime.
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>

#include "fs/epoll.h"
#include "fs/eventfd.h"
#include "fs/timerfd.h"
#include "kernel/base/abi.h"
#include "kernel/kernel.h"
#include "kernel/syscalls/handlers.h"

namespace sb::kernel {
namespace {

constexpr int kMaxEvents = INT32_MAX / sizeof(struct epoll_event);

SyscallResult Install(Task& t, fs::FileRef f, bool cloexec) {
  SB_ASSIGN_OR_RETURN(int fd,
                      t.fds().Install(std::move(f), cloexec, 0, t.RlimitCur(RLIMIT_NOFILE)));
  return fd;
}

// Whether an interruption ends epoll_wait (EINTR): a signal the task will
// take, an exit, or a group stop (signal(7): epoll_wait fails with EINTR
// after a stop). Task::Interrupt also fires for signals the task blocks;
// those (typically read through a watched signalfd) only make us look
// again, as Linux does not wake a task for a blocked signal.
bool EndsWait(Task& t) {
  if (t.HasDeliverableSignal()) return true;
  ThreadGroup& tg = t.thread_group();
  absl::MutexLock lock(&tg.signal_mu_);
  return tg.stopped_;
}

// The epoll_wait loop: collect, else sleep until the epoll is notified.
SyscallResult EpollWaitUntil(Task& t, int epfd, uint64_t events_addr, int max,
                             absl::Time deadline) {
  if (max <= 0 || max > kMaxEvents) return Errno(EINVAL);
  SB_ASSIGN_OR_RETURN(fs::FileRef f, t.fds().Get(epfd));
  fs::EpollFile* ep = fs::AsEpoll(*f);
  if (ep == nullptr) return Errno(EINVAL);
  // The output buffer must be writable before we wait (Linux: EFAULT).
  SB_TRY(t.UserBuffer(events_addr, max * sizeof(struct epoll_event), PROT_WRITE));
  std::vector<struct epoll_event> out(max);
  Waiter& w = t.waiter();
  ScopedWaitRegistration reg(ep->wait_queue(), &w, POLLIN);
  for (;;) {
    w.ResetEvents();
    SB_ASSIGN_OR_RETURN(int n, ep->Collect(out.data(), max));
    if (n > 0) {
      SB_TRY(t.CopyOut(events_addr, out.data(), n * sizeof(struct epoll_event)));
      return n;
    }
    if (absl::Now() >= deadline) return 0;
    if (t.HasDeliverableSignal()) return Errno(EINTR);
    if (w.Wait(deadline) == Waiter::Result::kInterrupted) {
      // Cleared before looking, so a signal sent after the look interrupts
      // the next Wait.
      w.ClearInterrupt();
      if (EndsWait(t)) return Errno(EINTR);
    }
  }
}

absl::Time DeadlineMs(int timeout_ms) {
  return timeout_ms < 0 ? absl::InfiniteFuture() : absl::Now() + absl::Milliseconds(timeout_ms);
}

// epoll_pwait's temporary mask; restored on return unless a handler will
// run (then after it, through the frame).
SyscallResult WithMask(Task& t, uint64_t mask_addr, uint64_t size,
                       const std::function<SyscallResult()>& body) {
  if (mask_addr != 0) {
    if (size != 8) return Errno(EINVAL);
    SB_ASSIGN_OR_RETURN(uint64_t mask, t.CopyInObj<uint64_t>(mask_addr));
    t.saved_mask = t.signal_mask();
    absl::MutexLock lock(&t.thread_group().signal_mu_);
    t.set_signal_mask(mask);
  }
  SyscallResult r = body();
  if (t.saved_mask && (r.ok() || r.error().value() != EINTR || !t.HasDeliverableSignal())) {
    absl::MutexLock lock(&t.thread_group().signal_mu_);
    t.set_signal_mask(*t.saved_mask);
    t.saved_mask.reset();
  }
  return r;
}

}  // namespace

SyscallResult EpollCreate(Task& t, const SyscallArgs& a) {
  if (a.i32(0) <= 0) return Errno(EINVAL);
  return Install(t, fs::NewEpoll(), false);
}

SyscallResult EpollCreate1(Task& t, const SyscallArgs& a) {
  if (a.i32(0) & ~EPOLL_CLOEXEC) return Errno(EINVAL);
  return Install(t, fs::NewEpoll(), a.i32(0) & EPOLL_CLOEXEC);
}

SyscallResult EpollCtl(Task& t, const SyscallArgs& a) {
  const int epfd = a.fd(0), op = a.i32(1), fd = a.fd(2);
  SB_ASSIGN_OR_RETURN(fs::FileRef ef, t.fds().Get(epfd));
  SB_ASSIGN_OR_RETURN(fs::FileRef target, t.fds().Get(fd));
  fs::EpollFile* ep = fs::AsEpoll(*ef);
  if (ep == nullptr) return Errno(EINVAL);
  struct epoll_event ev {};
  if (op != EPOLL_CTL_DEL) SB_TRY(t.CopyIn(a.addr(3), &ev, sizeof(ev)));
  SB_TRY(ep->Ctl(op, fd, target, ev));
  return 0;
}

SyscallResult EpollWait(Task& t, const SyscallArgs& a) {
  return EpollWaitUntil(t, a.fd(0), a.addr(1), a.i32(2), DeadlineMs(a.i32(3)));
}

SyscallResult EpollPwait(Task& t, const SyscallArgs& a) {
  return WithMask(t, a.addr(4), a.u64(5), [&] {
    return EpollWaitUntil(t, a.fd(0), a.addr(1), a.i32(2), DeadlineMs(a.i32(3)));
  });
}

SyscallResult EpollPwait2(Task& t, const SyscallArgs& a) {
  absl::Time deadline = absl::InfiniteFuture();
  if (a.addr(3) != 0) {
    SB_ASSIGN_OR_RETURN(struct timespec ts, t.CopyInObj<struct timespec>(a.addr(3)));
    if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000) return Errno(EINVAL);
    deadline = absl::Now() + absl::DurationFromTimespec(ts);
  }
  return WithMask(t, a.addr(4), a.u64(5),
                  [&] { return EpollWaitUntil(t, a.fd(0), a.addr(1), a.i32(2), deadline); });
}

SyscallResult Eventfd2(Task& t, const SyscallArgs& a) {
  const int flags = a.i32(1);
  SB_ASSIGN_OR_RETURN(fs::FileRef f, fs::NewEventFd(a.u32(0), flags & ~EFD_CLOEXEC));
  return Install(t, std::move(f), flags & EFD_CLOEXEC);
}

SyscallResult Eventfd(Task& t, const SyscallArgs& a) {
  SB_ASSIGN_OR_RETURN(fs::FileRef f, fs::NewEventFd(a.u32(0), 0));
  return Install(t, std::move(f), false);
}

SyscallResult TimerfdCreate(Task& t, const SyscallArgs& a) {
  const int flags = a.i32(1);
  SB_ASSIGN_OR_RETURN(fs::FileRef f, fs::NewTimerFd(static_cast<clockid_t>(a.i32(0)),
                                                    flags & ~TFD_CLOEXEC, t.kernel().timers()));
  return Install(t, std::move(f), flags & TFD_CLOEXEC);
}

SyscallResult TimerfdSettime(Task& t, const SyscallArgs& a) {
  SB_ASSIGN_OR_RETURN(fs::FileRef f, t.fds().Get(a.fd(0)));
  fs::TimerFd* tfd = fs::AsTimerFd(*f);
  if (tfd == nullptr) return Errno(EINVAL);
  SB_ASSIGN_OR_RETURN(struct itimerspec value, t.CopyInObj<struct itimerspec>(a.addr(2)));
  SB_ASSIGN_OR_RETURN(struct itimerspec old, tfd->SetTime(a.i32(1), value));
  if (a.addr(3) != 0) SB_TRY(t.CopyOutObj(a.addr(3), old));
  return 0;
}

SyscallResult TimerfdGettime(Task& t, const SyscallArgs& a) {
  SB_ASSIGN_OR_RETURN(fs::FileRef f, t.fds().Get(a.fd(0)));
  fs::TimerFd* tfd = fs::AsTimerFd(*f);
  if (tfd == nullptr) return Errno(EINVAL);
  SB_TRY(t.CopyOutObj(a.addr(1), tfd->GetTime()));
  return 0;
}

}  // namespace sb::kernel
