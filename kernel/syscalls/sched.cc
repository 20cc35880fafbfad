// sched.cc: sched_setaffinity, sched_{get,set}{param,scheduler},
// sched_get_priority_{min,max}, sched_rr_get_interval, getpriority,
// setpriority, getcpu.
#include <sched.h>
#include <sys/resource.h>

#include <thread>

#include "kernel/kernel.h"
#include "kernel/syscalls/handlers.h"

namespace sb::kernel {
namespace {

constexpr int kCapSysNice = 23;

// The task a sched_* call names: 0 is the caller.
ErrnoOr<TaskRef> TargetTask(Task& t, pid_t pid) {
  if (pid < 0) return Errno(EINVAL);
  if (pid == 0) {
    TaskRef self = t.kernel().FindTask(t.tid());
    if (!self) return Errno(ESRCH);
    return self;
  }
  TaskRef other = t.kernel().FindTaskIn(t.pid_namespace(), pid);
  if (!other) return Errno(ESRCH);
  return other;
}

bool ValidPolicy(int policy) {
  return policy == SCHED_OTHER || policy == SCHED_BATCH || policy == SCHED_IDLE ||
         policy == SCHED_FIFO || policy == SCHED_RR;
}

}  // namespace

SyscallResult SchedSetaffinity(Task& t, const SyscallArgs& a) {
  SB_ASSIGN_OR_RETURN(TaskRef target, TargetTask(t, a.i32(0)));
  const size_t len = std::min<size_t>(a.size(1), 1024);
  std::vector<uint8_t> mask(len);
  if (len) SB_TRY(t.CopyIn(a.addr(2), mask.data(), len));
  // The mask must name at least one CPU we have (Linux: EINVAL otherwise).
  const unsigned ncpu = std::max(1u, std::thread::hardware_concurrency());
  bool any = false;
  for (unsigned i = 0; i < ncpu && i / 8 < len; ++i) any |= (mask[i / 8] >> (i % 8)) & 1;
  if (!any) return Errno(EINVAL);
  // The mask is kept and reported by sched_getaffinity; placement on host
  // CPUs stays the host's (table note).
  mask.resize(std::min<size_t>(len, (ncpu + 63) / 64 * 8));
  absl::MutexLock lock(&target->thread_group().signal_mu_);
  target->affinity = std::move(mask);
  return 0;
}

SyscallResult SchedGetscheduler(Task& t, const SyscallArgs& a) {
  SB_ASSIGN_OR_RETURN(TaskRef target, TargetTask(t, a.i32(0)));
  absl::MutexLock lock(&target->thread_group().signal_mu_);
  return target->sched_policy;
}

SyscallResult SchedGetparam(Task& t, const SyscallArgs& a) {
  SB_ASSIGN_OR_RETURN(TaskRef target, TargetTask(t, a.i32(0)));
  struct sched_param p {};
  SB_TRY(t.CopyOutObj(a.addr(1), p));  // priority 0 for the normal policies
  return 0;
}

SyscallResult SchedSetscheduler(Task& t, const SyscallArgs& a) {
  const int policy = a.i32(1) & ~SCHED_RESET_ON_FORK;
  if (!ValidPolicy(policy)) return Errno(EINVAL);
  SB_ASSIGN_OR_RETURN(TaskRef target, TargetTask(t, a.i32(0)));
  if (a.addr(2) == 0) return Errno(EINVAL);
  SB_ASSIGN_OR_RETURN(struct sched_param p, t.CopyInObj<struct sched_param>(a.addr(2)));
  const bool realtime = policy == SCHED_FIFO || policy == SCHED_RR;
  if (realtime ? (p.sched_priority < 1 || p.sched_priority > 99) : p.sched_priority != 0) {
    return Errno(EINVAL);
  }
  if (realtime) {
    // Real-time scheduling would need the host's CAP_SYS_NICE for the stub;
    // a sandbox does not give it. Linux refuses unprivileged callers alike.
    return Errno(EPERM);
  }
  absl::MutexLock lock(&target->thread_group().signal_mu_);
  target->sched_policy = policy;
  return 0;
}

SyscallResult SchedSetparam(Task& t, const SyscallArgs& a) {
  SB_ASSIGN_OR_RETURN(TaskRef target, TargetTask(t, a.i32(0)));
  if (a.addr(1) == 0) return Errno(EINVAL);
  SB_ASSIGN_OR_RETURN(struct sched_param p, t.CopyInObj<struct sched_param>(a.addr(1)));
  if (p.sched_priority != 0) return Errno(EINVAL);  // normal policies take 0
  return 0;
}

SyscallResult SchedGetPriorityMax(Task& t, const SyscallArgs& a) {
  const int policy = a.i32(0);
  if (!ValidPolicy(policy)) return Errno(EINVAL);
  return (policy == SCHED_FIFO || policy == SCHED_RR) ? 99 : 0;
}

SyscallResult SchedGetPriorityMin(Task& t, const SyscallArgs& a) {
  const int policy = a.i32(0);
  if (!ValidPolicy(policy)) return Errno(EINVAL);
  return (policy == SCHED_FIFO || policy == SCHED_RR) ? 1 : 0;
}

SyscallResult SchedRrGetInterval(Task& t, const SyscallArgs& a) {
  SB_ASSIGN_OR_RETURN(TaskRef target, TargetTask(t, a.i32(0)));
  SB_TRY(t.CopyOutObj(a.addr(1), timespec{0, 100000000}));  // SCHED_RR_TIMESLICE
  return 0;
}

SyscallResult Getpriority(Task& t, const SyscallArgs& a) {
  const int which = a.i32(0), who = a.i32(1);
  if (which != PRIO_PROCESS) {
    if (which == PRIO_PGRP || which == PRIO_USER) {
      if (who != 0) return Errno(ESRCH);  // only the caller's group/user for now
    } else {
      return Errno(EINVAL);
    }
  }
  SB_ASSIGN_OR_RETURN(TaskRef target, TargetTask(t, which == PRIO_PROCESS ? who : 0));
  absl::MutexLock lock(&target->thread_group().signal_mu_);
  return 20 - target->nice;  // the raw syscall returns 20 - nice
}

SyscallResult Setpriority(Task& t, const SyscallArgs& a) {
  const int which = a.i32(0), who = a.i32(1);
  int nice = std::clamp(a.i32(2), -20, 19);
  if (which != PRIO_PROCESS && which != PRIO_PGRP && which != PRIO_USER) return Errno(EINVAL);
  if (which != PRIO_PROCESS && who != 0) return Errno(ESRCH);
  SB_ASSIGN_OR_RETURN(TaskRef target, TargetTask(t, which == PRIO_PROCESS ? who : 0));
  absl::MutexLock lock(&target->thread_group().signal_mu_);
  // Lowering nice (raising priority) needs CAP_SYS_NICE or RLIMIT_NICE.
  const uint64_t rlim = target->thread_group().rlimits_[RLIMIT_NICE].rlim_cur;
  if (nice < target->nice && !t.creds().HasCapability(kCapSysNice) &&
      20 - nice > static_cast<int64_t>(rlim)) {
    return Errno(EACCES);
  }
  target->nice = nice;
  return 0;
}

SyscallResult Getcpu(Task& t, const SyscallArgs& a) {
  unsigned cpu = 0, node = 0;
  if (getcpu(&cpu, &node) != 0) cpu = node = 0;  // where our thread (and likely the stub) is
  if (a.addr(0) != 0) SB_TRY(t.CopyOutObj<uint32_t>(a.addr(0), cpu));
  if (a.addr(1) != 0) SB_TRY(t.CopyOutObj<uint32_t>(a.addr(1), node));
  return 0;
}

}  // namespace sb::kernel
