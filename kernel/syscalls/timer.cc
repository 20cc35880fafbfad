// timer.cc: POSIX timers: timer_create, timer_settime, timer_gettime,
// timer_getoverrun, timer_delete (Linux's kernel/time/posix-timers.c), on
// the kernel's timer service. Notification by signal to the process
// (SIGEV_SIGNAL), to one thread (SIGEV_THREAD_ID), or none (SIGEV_NONE).
#include <signal.h>
#include <time.h>

#include "kernel/base/log_once.h"
#include "kernel/kernel.h"
#include "kernel/syscalls/handlers.h"

namespace sb::kernel {
namespace {

constexpr int kMaxTimers = 4096;

bool SupportedClock(clockid_t c) {
  return c == CLOCK_REALTIME || c == CLOCK_MONOTONIC || c == CLOCK_BOOTTIME ||
         c == CLOCK_REALTIME_ALARM || c == CLOCK_BOOTTIME_ALARM || c == CLOCK_TAI;
}

void ArmLocked(Kernel& k, const ThreadGroupRef& tg, int id, PosixTimer& pt)
    ABSL_EXCLUSIVE_LOCKS_REQUIRED(tg->signal_mu_);

void Expire(Kernel* k, std::weak_ptr<ThreadGroup> weak, int id, uint64_t generation) {
  ThreadGroupRef tg = weak.lock();
  if (!tg) return;
  siginfo_t info{};
  pid_t tid = 0;
  int notify;
  {
    absl::MutexLock lock(&tg->signal_mu_);
    auto it = tg->posix_timers_.find(id);
    if (it == tg->posix_timers_.end() || it->second.generation != generation || tg->exiting_) {
      return;
    }
    PosixTimer& pt = it->second;
    pt.overrun = 0;
    if (pt.interval > absl::ZeroDuration()) {
      // Periods missed while we were late count as overruns.
      absl::Time next = pt.expires + pt.interval;
      const absl::Time now = absl::Now();
      if (next <= now) {
        const int64_t missed = (now - next) / pt.interval + 1;
        pt.overrun = static_cast<int>(std::min<int64_t>(missed, INT32_MAX));
        next += pt.interval * missed;
      }
      pt.expires = next;
      ArmLocked(*k, tg, id, pt);
    } else {
      pt.expires = absl::InfinitePast();
      pt.service_id = 0;
    }
    notify = pt.notify;
    info.si_signo = pt.signo;
    info.si_code = SI_TIMER;
    info.si_timerid = id;
    info.si_overrun = pt.overrun;
    info.si_value = pt.value;
    tid = pt.target_tid;
  }
  if (notify == SIGEV_NONE) return;
  if (notify == SIGEV_THREAD_ID) {
    if (TaskRef t = k->FindTask(tid)) t->SendSignal(info);
    return;
  }
  SendProcessSignal(*k, tg, info);
}

void ArmLocked(Kernel& k, const ThreadGroupRef& tg, int id, PosixTimer& pt) {
  pt.service_id =
      k.timers().Schedule(pt.expires, [kp = &k, weak = std::weak_ptr<ThreadGroup>(tg), id,
                                       gen = pt.generation] { Expire(kp, weak, id, gen); });
}

struct itimerspec CurrentLocked(const PosixTimer& pt) {
  struct itimerspec v {};
  if (pt.expires != absl::InfinitePast()) {
    v.it_value = absl::ToTimespec(std::max(pt.expires - absl::Now(), absl::Nanoseconds(1)));
    v.it_interval = absl::ToTimespec(pt.interval);
  }
  return v;
}

bool ValidTimespec(const struct timespec& ts) {
  return ts.tv_sec >= 0 && ts.tv_nsec >= 0 && ts.tv_nsec < 1000000000;
}

}  // namespace

SyscallResult TimerCreate(Task& t, const SyscallArgs& a) {
  const clockid_t clock = static_cast<clockid_t>(a.i32(0));
  if (!SupportedClock(clock)) {
    if (clock == CLOCK_PROCESS_CPUTIME_ID || clock == CLOCK_THREAD_CPUTIME_ID || clock < 0) {
      ReportUnsupported("timer_create on a CPU-time clock");
    }
    return Errno(EINVAL);
  }
  PosixTimer pt;
  pt.clock = clock;
  if (a.addr(1) != 0) {
    SB_ASSIGN_OR_RETURN(struct sigevent ev, t.CopyInObj<struct sigevent>(a.addr(1)));
    pt.notify = ev.sigev_notify;
    pt.signo = ev.sigev_signo;
    pt.value = ev.sigev_value;
    switch (ev.sigev_notify) {
      case SIGEV_NONE:
        break;
      case SIGEV_SIGNAL:
        if (pt.signo < 1 || pt.signo > kNumSignals) return Errno(EINVAL);
        break;
      case SIGEV_THREAD_ID: {
        if (pt.signo < 1 || pt.signo > kNumSignals) return Errno(EINVAL);
        // Kept as the global ID: the timer fires from outside any task.
        TaskRef target = t.kernel().FindTaskIn(t.pid_namespace(), ev._sigev_un._tid);
        if (!target || &target->thread_group() != &t.thread_group()) return Errno(EINVAL);
        pt.target_tid = target->tid();
        break;
      }
      default:
        return Errno(EINVAL);  // SIGEV_THREAD is a C-library construct
    }
  }
  const ThreadGroupRef& tg = t.thread_group_ref();
  int id;
  {
    absl::MutexLock lock(&tg->signal_mu_);
    if (tg->posix_timers_.size() >= kMaxTimers) return Errno(EAGAIN);
    id = tg->next_timer_id_++;
    if (a.addr(1) == 0) pt.value.sival_int = id;  // default: the timer id
    tg->posix_timers_[id] = pt;
  }
  if (auto r = t.CopyOutObj<int>(a.addr(2), id); !r.ok()) {
    absl::MutexLock lock(&tg->signal_mu_);
    tg->posix_timers_.erase(id);
    return r.error();
  }
  return 0;
}

SyscallResult TimerSettime(Task& t, const SyscallArgs& a) {
  const int id = a.i32(0), flags = a.i32(1);
  SB_ASSIGN_OR_RETURN(struct itimerspec nv, t.CopyInObj<struct itimerspec>(a.addr(2)));
  if (!ValidTimespec(nv.it_value) || !ValidTimespec(nv.it_interval)) return Errno(EINVAL);
  Kernel& k = t.kernel();
  const ThreadGroupRef& tg = t.thread_group_ref();
  struct itimerspec old;
  {
    absl::MutexLock lock(&tg->signal_mu_);
    auto it = tg->posix_timers_.find(id);
    if (it == tg->posix_timers_.end()) return Errno(EINVAL);
    PosixTimer& pt = it->second;
    old = CurrentLocked(pt);
    if (pt.service_id != 0) k.timers().Cancel(pt.service_id);
    pt.service_id = 0;
    ++pt.generation;
    pt.overrun = 0;
    pt.expires = absl::InfinitePast();
    pt.interval = absl::DurationFromTimespec(nv.it_interval);
    const absl::Duration value = absl::DurationFromTimespec(nv.it_value);
    if (value > absl::ZeroDuration()) {
      if (flags & TIMER_ABSTIME) {
        struct timespec now;
        clock_gettime(pt.clock == CLOCK_REALTIME_ALARM   ? CLOCK_REALTIME
                      : pt.clock == CLOCK_BOOTTIME_ALARM ? CLOCK_BOOTTIME
                                                         : pt.clock,
                      &now);
        pt.expires = absl::Now() + (value - absl::DurationFromTimespec(now));
      } else {
        pt.expires = absl::Now() + value;
      }
      ArmLocked(k, tg, id, pt);
    }
  }
  if (a.addr(3) != 0) SB_TRY(t.CopyOutObj(a.addr(3), old));
  return 0;
}

SyscallResult TimerGettime(Task& t, const SyscallArgs& a) {
  struct itimerspec v;
  {
    const ThreadGroupRef& tg = t.thread_group_ref();
    absl::MutexLock lock(&tg->signal_mu_);
    auto it = tg->posix_timers_.find(a.i32(0));
    if (it == tg->posix_timers_.end()) return Errno(EINVAL);
    v = CurrentLocked(it->second);
  }
  SB_TRY(t.CopyOutObj(a.addr(1), v));
  return 0;
}

SyscallResult TimerGetoverrun(Task& t, const SyscallArgs& a) {
  const ThreadGroupRef& tg = t.thread_group_ref();
  absl::MutexLock lock(&tg->signal_mu_);
  auto it = tg->posix_timers_.find(a.i32(0));
  if (it == tg->posix_timers_.end()) return Errno(EINVAL);
  return it->second.overrun;
}

SyscallResult TimerDelete(Task& t, const SyscallArgs& a) {
  const ThreadGroupRef& tg = t.thread_group_ref();
  absl::MutexLock lock(&tg->signal_mu_);
  auto it = tg->posix_timers_.find(a.i32(0));
  if (it == tg->posix_timers_.end()) return Errno(EINVAL);
  if (it->second.service_id != 0) t.kernel().timers().Cancel(it->second.service_id);
  tg->posix_timers_.erase(it);
  return 0;
}

}  // namespace sb::kernel
