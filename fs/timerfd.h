// timerfd.h: timerfd_create(2) files (Linux's fs/timerfd.c).
//
// A timerfd counts expirations of a one-shot or periodic timer on
// CLOCK_REALTIME, CLOCK_MONOTONIC or CLOCK_BOOTTIME (the *_ALARM variants
// behave as their base clock: the sandbox never suspends, and no
// CAP_WAKE_ALARM check is made). read returns the expirations since the
// last read as a uint64_t; it never blocks (EAGAIN while none).
//
// Expirations are counted lazily from the clock whenever the file is
// looked at (read, poll, timerfd_gettime), so periodic overruns are exact
// however late the host runs us. The TimerService is asked for one wake-up
// only when readiness would change (count 0 -> 1), as Linux re-arms the
// hrtimer only on read; a 1 ns interval therefore costs nothing while
// nobody reads.
//
// Called by the timerfd_create syscall (NewTimerFd), timerfd_settime and
// timerfd_gettime (AsTimerFd, then SetTime/GetTime), and through the
// FileDescription interface (read, poll, epoll, fstat).
//
// Locking: one leaf mutex per timerfd (its shared state), held while
// calling TimerService::Schedule/Cancel (whose lock is a leaf below it);
// WaitQueue::Notify is called after releasing it. The service callback
// holds only a weak reference, so a timerfd may be closed at any time.
#pragma once

#include <sys/timerfd.h>
#include <time.h>

#include <memory>

#include "fs/file.h"
#include "kernel/base/timer_service.h"

namespace sb::fs {

class TimerFd : public FileDescription {
 public:
  struct State;
  // Use NewTimerFd.
  TimerFd(std::shared_ptr<State> state, int flags);
  ~TimerFd() override;

  // timerfd_settime: arms (it_value non-zero) or disarms the timer and
  // resets the expiration count; returns the previous setting as GetTime
  // would have. `flags`: TFD_TIMER_ABSTIME (it_value is a time on the
  // timer's clock). EINVAL for other flags, for TFD_TIMER_CANCEL_ON_SET
  // (unsupported, reported) and for a timespec with tv_sec < 0 or tv_nsec
  // outside [0, 1e9).
  ErrnoOr<struct itimerspec> SetTime(int flags, const struct itimerspec& value);
  // timerfd_gettime: time left until the next expiration (zero when
  // disarmed) and the interval.
  struct itimerspec GetTime();

  // read: needs 8 bytes (EINVAL otherwise); EAGAIN while nothing expired.
  ErrnoOr<size_t> Read(HostIoVecs dst, int64_t offset) override;
  ErrnoOr<struct stat> Stat() override;
  // POLLIN while the expiration count is non-zero.
  uint32_t Readiness(uint32_t mask) override;
  WaitQueue* wait_queue() override;
  std::string AnonymousName() const override { return "anon_inode:[timerfd]"; }

 private:
  const std::shared_ptr<State> state_;  // immutable pointer; shared with timer callbacks
};

// timerfd_create(clock, flags): `flags` of TFD_NONBLOCK and TFD_CLOEXEC
// (the caller keeps TFD_CLOEXEC). EINVAL for other flags or clocks.
// `timers` must outlive the file (the kernel owns one service).
ErrnoOr<FileRef> NewTimerFd(clockid_t clock, int flags, TimerService& timers);

// The timerfd behind `f`, or nullptr (timerfd_settime/gettime then fail
// with EINVAL, as Linux).
TimerFd* AsTimerFd(FileDescription& f);

}  // namespace sb::fs
