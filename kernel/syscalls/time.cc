// time.cc: clock_gettime, clock_getres, gettimeofday, time, nanosleep,
// clock_nanosleep.
#include <sys/time.h>
#include <time.h>

#include "kernel/base/abi.h"
#include "kernel/base/log_once.h"
#include "kernel/syscalls/handlers.h"

namespace sb::kernel {
namespace {

// The clocks a program can read that we serve from the host's clocks.
// Per-process and per-thread CPU clocks come with the process issue.
ErrnoOr<clockid_t> HostClock(clockid_t id) {
  switch (id) {
    case CLOCK_REALTIME:
    case CLOCK_MONOTONIC:
    case CLOCK_MONOTONIC_RAW:
    case CLOCK_REALTIME_COARSE:
    case CLOCK_MONOTONIC_COARSE:
    case CLOCK_BOOTTIME:
    case CLOCK_TAI:
      return id;
    case CLOCK_REALTIME_ALARM:
    case CLOCK_BOOTTIME_ALARM:
      return id == CLOCK_REALTIME_ALARM ? CLOCK_REALTIME : CLOCK_BOOTTIME;
    default:
      return Errno(EINVAL);
  }
}

bool ValidTimespec(const struct timespec& ts) {
  return ts.tv_sec >= 0 && ts.tv_nsec >= 0 && ts.tv_nsec < 1000000000;
}

// Sleeps until `deadline` on `clock` (absolute), interruptibly.
SyscallResult SleepUntil(Task& t, clockid_t clock, const struct timespec& deadline,
                         uint64_t rem_addr, bool absolute) {
  struct timespec now;
  clock_gettime(clock, &now);
  absl::Duration left = absl::DurationFromTimespec(deadline) - absl::DurationFromTimespec(now);
  absl::Time until = absl::Now() + left;
  Waiter& w = t.waiter();
  w.ResetEvents();
  while (absl::Now() < until) {
    if (w.Wait(until) == Waiter::Result::kInterrupted) {
      if (!absolute && rem_addr != 0) {
        absl::Duration rem = std::max(until - absl::Now(), absl::ZeroDuration());
        SB_TRY(t.CopyOutObj(rem_addr, absl::ToTimespec(rem)));
      }
      // Restart if no handler runs; EINTR otherwise (Linux restarts
      // through restart_syscall with the remaining time).
      return Errno(sb::abi::ERESTARTNOHAND);
    }
    w.ResetEvents();
  }
  return 0;
}

}  // namespace

SyscallResult ClockGettime(Task& t, const SyscallArgs& a) {
  const clockid_t id = static_cast<clockid_t>(a.i32(0));
  if (id == CLOCK_PROCESS_CPUTIME_ID || id == CLOCK_THREAD_CPUTIME_ID || id < 0) {
    SB_ASSIGN_OR_RETURN(absl::Duration d, CpuClock(t, id));
    SB_TRY(t.CopyOutObj(a.addr(1), absl::ToTimespec(d)));
    return 0;
  }
  SB_ASSIGN_OR_RETURN(clockid_t c, HostClock(id));
  struct timespec ts;
  clock_gettime(c, &ts);
  SB_TRY(t.CopyOutObj(a.addr(1), ts));
  return 0;
}

SyscallResult ClockGetres(Task& t, const SyscallArgs& a) {
  const clockid_t id = static_cast<clockid_t>(a.i32(0));
  if (id == CLOCK_PROCESS_CPUTIME_ID || id == CLOCK_THREAD_CPUTIME_ID || id < 0) {
    SB_TRY(CpuClock(t, id));
    if (a.addr(1) != 0) SB_TRY(t.CopyOutObj(a.addr(1), timespec{0, 1}));
    return 0;
  }
  SB_ASSIGN_OR_RETURN(clockid_t c, HostClock(id));
  struct timespec ts;
  clock_getres(c, &ts);
  if (a.addr(1) != 0) SB_TRY(t.CopyOutObj(a.addr(1), ts));
  return 0;
}

SyscallResult Gettimeofday(Task& t, const SyscallArgs& a) {
  struct timeval tv;
  gettimeofday(&tv, nullptr);
  if (a.addr(0) != 0) SB_TRY(t.CopyOutObj(a.addr(0), tv));
  if (a.addr(1) != 0) SB_TRY(t.CopyOutObj(a.addr(1), (struct timezone){0, 0}));
  return 0;
}

SyscallResult Time(Task& t, const SyscallArgs& a) {
  time_t now = time(nullptr);
  if (a.addr(0) != 0) SB_TRY(t.CopyOutObj(a.addr(0), now));
  return static_cast<uint64_t>(now);
}

SyscallResult Nanosleep(Task& t, const SyscallArgs& a) {
  SB_ASSIGN_OR_RETURN(struct timespec req, t.CopyInObj<struct timespec>(a.addr(0)));
  if (!ValidTimespec(req)) return Errno(EINVAL);
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  struct timespec deadline =
      absl::ToTimespec(absl::DurationFromTimespec(now) + absl::DurationFromTimespec(req));
  return SleepUntil(t, CLOCK_MONOTONIC, deadline, a.addr(1), false);
}

SyscallResult ClockNanosleep(Task& t, const SyscallArgs& a) {
  const clockid_t id = static_cast<clockid_t>(a.i32(0));
  const int flags = a.i32(1);
  if (id == CLOCK_THREAD_CPUTIME_ID) return Errno(EINVAL);
  SB_ASSIGN_OR_RETURN(clockid_t c, HostClock(id));
  if (c == CLOCK_REALTIME_COARSE || c == CLOCK_MONOTONIC_COARSE || c == CLOCK_MONOTONIC_RAW) {
    return Errno(EINVAL);
  }
  SB_ASSIGN_OR_RETURN(struct timespec req, t.CopyInObj<struct timespec>(a.addr(2)));
  if (!ValidTimespec(req)) return Errno(EINVAL);
  if (flags & TIMER_ABSTIME) return SleepUntil(t, c, req, 0, true);
  struct timespec now;
  clock_gettime(c, &now);
  struct timespec deadline =
      absl::ToTimespec(absl::DurationFromTimespec(now) + absl::DurationFromTimespec(req));
  return SleepUntil(t, c, deadline, a.addr(3), false);
}

}  // namespace sb::kernel
