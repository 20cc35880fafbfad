// itimer.cc: alarm, setitimer, getitimer (Linux's kernel/time/itimer.c).
// ITIMER_REAL runs on the kernel's timer service; ITIMER_VIRTUAL and
// ITIMER_PROF need CPU-time accounting, which comes later: refused loudly.
#include <sys/time.h>

#include "kernel/base/log_once.h"
#include "kernel/kernel.h"
#include "kernel/syscalls/handlers.h"

namespace sb::kernel {
namespace {

void ArmLocked(Kernel& k, const ThreadGroupRef& tg, absl::Time when)
    ABSL_EXCLUSIVE_LOCKS_REQUIRED(tg->signal_mu_);

// Fires ITIMER_REAL: SIGALRM to the process, and re-arms a periodic timer.
void Fire(Kernel* k, std::weak_ptr<ThreadGroup> weak, uint64_t generation) {
  ThreadGroupRef tg = weak.lock();
  if (!tg) return;
  {
    absl::MutexLock lock(&tg->signal_mu_);
    if (tg->real_generation_ != generation || tg->exiting_) return;
    if (tg->real_interval_ > absl::ZeroDuration()) {
      // The next expiry follows the schedule, not the callback's lateness.
      absl::Time next = tg->real_expires_ + tg->real_interval_;
      if (next < absl::Now()) next = absl::Now() + tg->real_interval_;
      ArmLocked(*k, tg, next);
    } else {
      tg->real_expires_ = absl::InfinitePast();
      tg->real_timer_id_ = 0;
    }
  }
  siginfo_t info{};
  info.si_signo = SIGALRM;
  info.si_code = SI_TIMER;
  SendProcessSignal(*k, tg, info);
}

void ArmLocked(Kernel& k, const ThreadGroupRef& tg, absl::Time when) {
  uint64_t gen = tg->real_generation_;
  tg->real_expires_ = when;
  tg->real_timer_id_ = k.timers().Schedule(
      when, [kp = &k, weak = std::weak_ptr<ThreadGroup>(tg), gen] { Fire(kp, weak, gen); });
}

struct itimerval CurrentLocked(const ThreadGroup& tg) ABSL_EXCLUSIVE_LOCKS_REQUIRED(tg.signal_mu_) {
  struct itimerval v {};
  if (tg.real_timer_id_ != 0) {
    absl::Duration left = std::max(tg.real_expires_ - absl::Now(), absl::Microseconds(1));
    v.it_value = absl::ToTimeval(left);
    v.it_interval = absl::ToTimeval(tg.real_interval_);
  }
  return v;
}

// Sets ITIMER_REAL; returns the old setting.
struct itimerval SetReal(Task& t, const struct itimerval& nv) {
  Kernel& k = t.kernel();
  const ThreadGroupRef& tg = t.thread_group_ref();
  absl::MutexLock lock(&tg->signal_mu_);
  struct itimerval old = CurrentLocked(*tg);
  if (tg->real_timer_id_ != 0) k.timers().Cancel(tg->real_timer_id_);
  tg->real_timer_id_ = 0;
  ++tg->real_generation_;
  tg->real_interval_ = absl::DurationFromTimeval(nv.it_interval);
  absl::Duration value = absl::DurationFromTimeval(nv.it_value);
  if (value > absl::ZeroDuration()) ArmLocked(k, tg, absl::Now() + value);
  return old;
}

bool ValidTimeval(const struct timeval& tv) {
  return tv.tv_sec >= 0 && tv.tv_usec >= 0 && tv.tv_usec < 1000000;
}

}  // namespace

SyscallResult Alarm(Task& t, const SyscallArgs& a) {
  struct itimerval nv {};
  nv.it_value.tv_sec = a.u32(0);
  struct itimerval old = SetReal(t, nv);
  // Seconds left, rounded to nearest, at least 1 if a timer was pending.
  uint64_t secs = old.it_value.tv_sec + (old.it_value.tv_usec >= 500000 ? 1 : 0);
  if (secs == 0 && (old.it_value.tv_sec || old.it_value.tv_usec)) secs = 1;
  return secs;
}

SyscallResult Setitimer(Task& t, const SyscallArgs& a) {
  const int which = a.i32(0);
  struct itimerval nv {};
  if (a.addr(1) != 0) SB_TRY(t.CopyIn(a.addr(1), &nv, sizeof(nv)));
  if (which == ITIMER_VIRTUAL || which == ITIMER_PROF) {
    ReportUnsupported("setitimer ITIMER_VIRTUAL/ITIMER_PROF");
    return Errno(EINVAL);
  }
  if (which != ITIMER_REAL) return Errno(EINVAL);
  if (!ValidTimeval(nv.it_value) || !ValidTimeval(nv.it_interval)) return Errno(EINVAL);
  struct itimerval old = SetReal(t, nv);
  if (a.addr(2) != 0) SB_TRY(t.CopyOutObj(a.addr(2), old));
  return 0;
}

SyscallResult Getitimer(Task& t, const SyscallArgs& a) {
  const int which = a.i32(0);
  struct itimerval v {};
  if (which == ITIMER_VIRTUAL || which == ITIMER_PROF) {
    // Never armed (setitimer refuses them), so they read as zero, as
    // Linux's do for a process that never set them.
  } else if (which == ITIMER_REAL) {
    const ThreadGroupRef& tg = t.thread_group_ref();
    absl::MutexLock lock(&tg->signal_mu_);
    v = CurrentLocked(*tg);
  } else {
    return Errno(EINVAL);
  }
  SB_TRY(t.CopyOutObj(a.addr(1), v));
  return 0;
}

}  // namespace sb::kernel
