// itimer.cc: alarm, setitimer, getitimer (Linux's kernel/time/itimer.c).
// ITIMER_REAL runs on the kernel's timer service. ITIMER_VIRTUAL (user CPU
// time) and ITIMER_PROF (user + system) are checked on the same service
// against the CPU time the host accounted to the program's stub process.
#include <sys/time.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <thread>

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

// The process's CPU time as the host accounted it to the stub: user only
// (ITIMER_VIRTUAL, 1/100 s resolution) or user + system (ITIMER_PROF).
absl::Duration ProcessCpu(int host_pid, int which) {
  if (host_pid <= 0) return absl::ZeroDuration();
  if (which == ITIMER_PROF) {
    const clockid_t clock = static_cast<clockid_t>((~static_cast<unsigned>(host_pid) << 3) | 2);
    struct timespec ts {};
    if (clock_gettime(clock, &ts) != 0) return absl::ZeroDuration();
    return absl::DurationFromTimespec(ts);
  }
  char path[64];
  snprintf(path, sizeof(path), "/proc/%d/stat", host_pid);
  FILE* f = fopen(path, "re");
  if (f == nullptr) return absl::ZeroDuration();
  char buf[1024] = {};
  size_t n = fread(buf, 1, sizeof(buf) - 1, f);
  fclose(f);
  buf[n] = 0;
  const char* p = strrchr(buf, ')');
  unsigned long long utime = 0;
  if (p == nullptr ||
      sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu", &utime) != 1) {
    return absl::ZeroDuration();
  }
  return absl::Seconds(1) * utime / sysconf(_SC_CLK_TCK);
}

void PollCpuLocked(Kernel& k, const ThreadGroupRef& tg, int which, absl::Duration used)
    ABSL_EXCLUSIVE_LOCKS_REQUIRED(tg->signal_mu_);

// Checks a CPU timer; signals and re-arms when its CPU time is used up.
void CheckCpu(Kernel* k, std::weak_ptr<ThreadGroup> weak, int which, uint64_t generation) {
  ThreadGroupRef tg = weak.lock();
  if (!tg) return;
  const absl::Duration used = ProcessCpu(tg->host_pid_, which);
  bool fire = false;
  {
    absl::MutexLock lock(&tg->signal_mu_);
    auto& ct = tg->cpu_timers_[which == ITIMER_PROF ? 1 : 0];
    if (ct.generation != generation || tg->exiting_) return;
    if (used - ct.base >= ct.value) {
      fire = true;
      if (ct.interval > absl::ZeroDuration()) {
        ct.base += ct.value;
        ct.value = ct.interval;
      } else {
        ct.value = absl::ZeroDuration();
        ct.poll_id = 0;
        ++ct.generation;
      }
    }
    if (ct.value > absl::ZeroDuration()) PollCpuLocked(*k, tg, which, used);
  }
  if (fire) {
    siginfo_t info{};
    info.si_signo = which == ITIMER_PROF ? SIGPROF : SIGVTALRM;
    info.si_code = SI_KERNEL;
    SendProcessSignal(*k, tg, info);
  }
}

void PollCpuLocked(Kernel& k, const ThreadGroupRef& tg, int which, absl::Duration used) {
  auto& ct = tg->cpu_timers_[which == ITIMER_PROF ? 1 : 0];
  // CPU time cannot run faster than wall time on every CPU: look again
  // when the rest could at the earliest be used up (at least 1 ms away).
  const unsigned ncpu = std::max(1u, std::thread::hardware_concurrency());
  absl::Duration left = ct.value - (used - ct.base);
  absl::Duration wait = std::max(left / ncpu, absl::Milliseconds(1));
  ct.poll_id = k.timers().Schedule(absl::Now() + wait,
                                   [kp = &k, weak = std::weak_ptr<ThreadGroup>(tg), which,
                                    gen = ct.generation] { CheckCpu(kp, weak, which, gen); });
}

void ScheduleRlimitCpuLocked(Kernel& k, const ThreadGroupRef& tg, absl::Duration used)
    ABSL_EXCLUSIVE_LOCKS_REQUIRED(tg->signal_mu_);

// RLIMIT_CPU (Linux's check_process_timers): at the hard limit SIGKILL;
// at the soft limit SIGXCPU, and the soft limit goes up by a second so the
// next one comes a CPU second later.
void CheckRlimitCpu(Kernel* k, std::weak_ptr<ThreadGroup> weak, uint64_t generation) {
  ThreadGroupRef tg = weak.lock();
  if (!tg) return;
  const absl::Duration used = ProcessCpu(tg->host_pid_, ITIMER_PROF);
  int sig = 0;
  {
    absl::MutexLock lock(&tg->signal_mu_);
    if (tg->rlimit_cpu_generation_ != generation || tg->exiting_) return;
    struct rlimit& rl = tg->rlimits_[RLIMIT_CPU];
    if (rl.rlim_cur == RLIM_INFINITY) return;
    if (rl.rlim_max != RLIM_INFINITY && used >= absl::Seconds(rl.rlim_max)) {
      sig = SIGKILL;
    } else if (used >= absl::Seconds(rl.rlim_cur)) {
      sig = SIGXCPU;
      if (rl.rlim_cur < rl.rlim_max) ++rl.rlim_cur;
    }
    if (sig != SIGKILL) ScheduleRlimitCpuLocked(*k, tg, used);
  }
  if (sig != 0) {
    siginfo_t info{};
    info.si_signo = sig;
    info.si_code = SI_KERNEL;
    SendProcessSignal(*k, tg, info);
  }
}

void ScheduleRlimitCpuLocked(Kernel& k, const ThreadGroupRef& tg, absl::Duration used) {
  const struct rlimit& rl = tg->rlimits_[RLIMIT_CPU];
  if (rl.rlim_cur == RLIM_INFINITY) return;
  // As for the CPU itimers: the limit cannot be reached sooner than the
  // rest spread over every CPU.
  const unsigned ncpu = std::max(1u, std::thread::hardware_concurrency());
  absl::Duration left = absl::Seconds(rl.rlim_cur) - used;
  absl::Duration wait = std::max(left / ncpu, absl::Milliseconds(5));
  k.timers().Schedule(absl::Now() + wait,
                      [kp = &k, weak = std::weak_ptr<ThreadGroup>(tg),
                       gen = tg->rlimit_cpu_generation_] { CheckRlimitCpu(kp, weak, gen); });
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

// Sets ITIMER_VIRTUAL or ITIMER_PROF; returns the old setting.
struct itimerval SetCpu(Task& t, int which, const struct itimerval& nv) {
  Kernel& k = t.kernel();
  const ThreadGroupRef& tg = t.thread_group_ref();
  const absl::Duration used = ProcessCpu(tg->host_pid_, which);
  absl::MutexLock lock(&tg->signal_mu_);
  auto& ct = tg->cpu_timers_[which == ITIMER_PROF ? 1 : 0];
  struct itimerval old {};
  if (ct.value > absl::ZeroDuration()) {
    old.it_value = absl::ToTimeval(std::max(ct.value - (used - ct.base), absl::Microseconds(1)));
    old.it_interval = absl::ToTimeval(ct.interval);
  }
  if (ct.poll_id != 0) k.timers().Cancel(ct.poll_id);
  ct.poll_id = 0;
  ++ct.generation;
  ct.value = absl::DurationFromTimeval(nv.it_value);
  ct.interval = absl::DurationFromTimeval(nv.it_interval);
  ct.base = used;
  if (ct.value > absl::ZeroDuration()) PollCpuLocked(k, tg, which, used);
  return old;
}

bool ValidTimeval(const struct timeval& tv) {
  return tv.tv_sec >= 0 && tv.tv_usec >= 0 && tv.tv_usec < 1000000;
}

}  // namespace

void RestartRlimitCpuTimer(Kernel& k, const ThreadGroupRef& tg) {
  absl::MutexLock lock(&tg->signal_mu_);
  ++tg->rlimit_cpu_generation_;
  ScheduleRlimitCpuLocked(k, tg, ProcessCpu(tg->host_pid_, ITIMER_PROF));
}

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
  if (which != ITIMER_REAL && which != ITIMER_VIRTUAL && which != ITIMER_PROF) {
    return Errno(EINVAL);
  }
  if (!ValidTimeval(nv.it_value) || !ValidTimeval(nv.it_interval)) return Errno(EINVAL);
  struct itimerval old = which == ITIMER_REAL ? SetReal(t, nv) : SetCpu(t, which, nv);
  if (a.addr(2) != 0) SB_TRY(t.CopyOutObj(a.addr(2), old));
  return 0;
}

SyscallResult Getitimer(Task& t, const SyscallArgs& a) {
  const int which = a.i32(0);
  struct itimerval v {};
  if (which == ITIMER_VIRTUAL || which == ITIMER_PROF) {
    const ThreadGroupRef& tg = t.thread_group_ref();
    const absl::Duration used = ProcessCpu(tg->host_pid_, which);
    absl::MutexLock lock(&tg->signal_mu_);
    const auto& ct = tg->cpu_timers_[which == ITIMER_PROF ? 1 : 0];
    if (ct.value > absl::ZeroDuration()) {
      v.it_value = absl::ToTimeval(std::max(ct.value - (used - ct.base), absl::Microseconds(1)));
      v.it_interval = absl::ToTimeval(ct.interval);
    }
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
