// sys.cc: uname, sysinfo, getrandom, prlimit64, getrlimit, setrlimit,
// sched_getaffinity, sched_yield, the get*id family, getgroups.
#include <sched.h>
#include <sys/random.h>
#include <sys/sysinfo.h>

#include <thread>

#include "kernel/base/abi.h"
#include "kernel/kernel.h"
#include "kernel/syscalls/handlers.h"
#include "kernel/tty/terminal.h"

namespace sb::kernel {

SyscallResult Uname(Task& t, const SyscallArgs& a) {
  SB_TRY(t.CopyOutObj(a.addr(0), t.uts_namespace().Get()));
  return 0;
}

SyscallResult Sysinfo(Task& t, const SyscallArgs& a) {
  struct sysinfo host;
  sysinfo(&host);
  struct sysinfo si {};
  si.uptime = absl::ToInt64Seconds(absl::Now() - t.kernel().boot_time());
  si.totalram = host.totalram;
  si.freeram = host.freeram;
  si.mem_unit = host.mem_unit;
  size_t procs;
  {
    absl::MutexLock lock(&t.kernel().tree_mu_);
    procs = t.kernel().tasks_.size();
  }
  si.procs = static_cast<uint16_t>(procs);
  SB_TRY(t.CopyOutObj(a.addr(0), si));
  return 0;
}

SyscallResult Getrandom(Task& t, const SyscallArgs& a) {
  const unsigned flags = a.u32(2);
  if (flags & ~(GRND_NONBLOCK | GRND_RANDOM | GRND_INSECURE)) return Errno(EINVAL);
  if ((flags & GRND_INSECURE) && (flags & GRND_RANDOM)) return Errno(EINVAL);
  size_t len = std::min<size_t>(a.size(1), 33554431);  // Linux caps one call
  SB_ASSIGN_OR_RETURN(auto dst, t.UserBuffer(a.addr(0), len, PROT_WRITE));
  size_t done = 0;
  for (const auto& v : dst) {
    ssize_t n = getrandom(v.iov_base, v.iov_len, 0);
    if (n < 0) return done ? SyscallResult(done) : SyscallResult(HostErrno());
    done += n;
  }
  return done;
}

namespace {

// The process or thread `pid` names in the caller's PID namespace (0: the
// caller), as Linux's find_task_by_vpid then its thread group.
ThreadGroupRef FindProcessLocked(Task& t, pid_t pid)
    ABSL_EXCLUSIVE_LOCKS_REQUIRED(t.kernel().tree_mu_) {
  if (pid == 0) return t.thread_group_ref();
  TaskRef task = t.kernel().FindTaskInLocked(t.pid_namespace(), pid);
  return task ? task->thread_group_ref() : nullptr;
}

SyscallResult DoPrlimit(Task& t, pid_t pid, int resource, uint64_t new_addr, uint64_t old_addr) {
  if (resource < 0 || resource >= RLIM_NLIMITS) return Errno(EINVAL);
  ThreadGroupRef tg;
  {
    absl::MutexLock lock(&t.kernel().tree_mu_);
    tg = FindProcessLocked(t, pid);
  }
  if (!tg) return Errno(ESRCH);
  std::optional<struct rlimit> nl;
  if (new_addr != 0) {
    SB_ASSIGN_OR_RETURN(struct rlimit r, t.CopyInObj<struct rlimit>(new_addr));
    if (r.rlim_cur > r.rlim_max) return Errno(EINVAL);
    if (resource == RLIMIT_NOFILE && r.rlim_max > abi::kNrOpen) return Errno(EPERM);
    nl = r;
  }
  struct rlimit old;
  {
    absl::MutexLock lock(&tg->signal_mu_);
    old = tg->rlimits_[resource];
    if (nl) {
      if (nl->rlim_max > old.rlim_max && !t.creds().HasCapability(24 /*CAP_SYS_RESOURCE*/)) {
        return Errno(EPERM);
      }
      tg->rlimits_[resource] = *nl;
    }
  }
  if (nl && resource == RLIMIT_CPU) RestartRlimitCpuTimer(t.kernel(), tg);
  if (old_addr != 0) SB_TRY(t.CopyOutObj(old_addr, old));
  return 0;
}

}  // namespace

SyscallResult Prlimit64(Task& t, const SyscallArgs& a) {
  return DoPrlimit(t, a.i32(0), a.i32(1), a.addr(2), a.addr(3));
}
SyscallResult Getrlimit(Task& t, const SyscallArgs& a) {
  return DoPrlimit(t, 0, a.i32(0), 0, a.addr(1));
}
SyscallResult Setrlimit(Task& t, const SyscallArgs& a) {
  return DoPrlimit(t, 0, a.i32(0), a.addr(1), 0);
}

SyscallResult SchedGetaffinity(Task& t, const SyscallArgs& a) {
  const size_t len = a.size(1);
  if (len < sizeof(uint64_t) || (len & (sizeof(uint64_t) - 1))) return Errno(EINVAL);
  // Every CPU the host gives us; the mask is as wide as the kernel's
  // cpumask (nr_cpu_ids rounded up to longs).
  unsigned ncpu = std::max(1u, std::thread::hardware_concurrency());
  size_t bytes = ((ncpu + 63) / 64) * 8;
  std::vector<uint8_t> mask(bytes, 0);
  for (unsigned i = 0; i < ncpu; ++i) mask[i / 8] |= 1 << (i % 8);
  if (len < bytes) return Errno(EINVAL);
  {
    // A mask set with sched_setaffinity (ours or another task's).
    TaskRef target = a.i32(0) == 0 ? t.kernel().FindTask(t.tid())
                                   : t.kernel().FindTaskIn(t.pid_namespace(), a.i32(0));
    if (!target) return Errno(ESRCH);
    absl::MutexLock lock(&target->thread_group().signal_mu_);
    for (size_t i = 0; i < target->affinity.size() && i < bytes; ++i) {
      mask[i] &= target->affinity[i];
    }
  }
  SB_TRY(t.CopyOut(a.addr(2), mask.data(), bytes));
  return bytes;
}

SyscallResult SchedYield(Task& t, const SyscallArgs& a) {
  std::this_thread::yield();
  return 0;
}

SyscallResult Getuid(Task& t, const SyscallArgs& a) { return t.creds().ruid; }
SyscallResult Geteuid(Task& t, const SyscallArgs& a) { return t.creds().euid; }
SyscallResult Getgid(Task& t, const SyscallArgs& a) { return t.creds().rgid; }
SyscallResult Getegid(Task& t, const SyscallArgs& a) { return t.creds().egid; }

SyscallResult Getgroups(Task& t, const SyscallArgs& a) {
  const int size = a.i32(0);
  const auto& groups = t.creds().groups;
  if (size < 0) return Errno(EINVAL);
  if (size == 0) return groups.size();
  if (static_cast<size_t>(size) < groups.size()) return Errno(EINVAL);
  if (!groups.empty()) SB_TRY(t.CopyOut(a.addr(1), groups.data(), groups.size() * sizeof(gid_t)));
  return groups.size();
}

SyscallResult Getpgrp(Task& t, const SyscallArgs& a) {
  absl::MutexLock lock(&t.kernel().tree_mu_);
  return t.IdOf(t.thread_group().pgid_);
}

SyscallResult Getpgid(Task& t, const SyscallArgs& a) {
  absl::MutexLock lock(&t.kernel().tree_mu_);
  ThreadGroupRef tg = FindProcessLocked(t, a.i32(0));
  if (!tg) return Errno(ESRCH);
  return t.IdOf(tg->pgid_);
}

SyscallResult Getsid(Task& t, const SyscallArgs& a) {
  absl::MutexLock lock(&t.kernel().tree_mu_);
  ThreadGroupRef tg = FindProcessLocked(t, a.i32(0));
  if (!tg) return Errno(ESRCH);
  return t.IdOf(tg->sid_);
}

// Linux's setpgid, check for check.
SyscallResult Setpgid(Task& t, const SyscallArgs& a) {
  pid_t pid = a.i32(0), pgid = a.i32(1);
  if (pgid < 0) return Errno(EINVAL);
  Kernel& k = t.kernel();
  absl::MutexLock lock(&k.tree_mu_);
  ThreadGroupRef self = t.thread_group_ref();
  ThreadGroupRef target = self;
  if (pid != 0) {
    TaskRef task = k.FindTaskInLocked(t.pid_namespace(), pid);
    if (!task) return Errno(ESRCH);
    target = task->thread_group_ref();
    // Only ourselves (by our process ID) or one of our children.
    if (target->parent_ == self) {
      if (!SamePid(target->sid_, self->sid_)) return Errno(EPERM);
      if (target->execed_) return Errno(EACCES);
    } else if (target != self || task->tid() != self->tgid()) {
      return Errno(ESRCH);
    }
  }
  if (SamePid(target->sid_, target->pid())) return Errno(EPERM);  // a session leader
  PidRef pgrp = target->pid();
  if (pgid != 0 && pgid != t.IdOf(target->pid())) {
    // Joining an existing group: it must be in our session.
    pgrp = nullptr;
    for (auto& [id, g] : k.groups_) {
      if (PidIn(g->pgid_, t.pid_namespace()) == pgid && SamePid(g->sid_, self->sid_)) {
        pgrp = g->pgid_;
        break;
      }
    }
    if (!pgrp) return Errno(EPERM);
  }
  target->pgid_ = pgrp;
  return 0;
}

SyscallResult Setsid(Task& t, const SyscallArgs& a) {
  Kernel& k = t.kernel();
  absl::MutexLock lock(&k.tree_mu_);
  ThreadGroup& self = t.thread_group();
  for (auto& [id, g] : k.groups_) {
    if (SamePid(g->pgid_, self.pid())) return Errno(EPERM);  // already a group leader
  }
  self.sid_ = self.pgid_ = self.pid();
  tty::DropControllingTtyLocked(self);  // a new session has no terminal
  return t.IdOf(self.sid_);
}

}  // namespace sb::kernel
