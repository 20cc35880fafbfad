// signal.cc: rt_sigaction, rt_sigprocmask, sigaltstack, rt_sigreturn,
// kill, tkill, tgkill.
#include <signal.h>
#include <sys/auxv.h>

#include "kernel/base/abi.h"
#include "kernel/kernel.h"
#include "kernel/syscalls/handlers.h"

namespace sb::kernel {
namespace {

// pause and rt_sigsuspend: sleeps until a signal the current mask lets
// through is pending (or the process is exiting).
void WaitForDeliverableSignal(Task& t) {
  while (!t.HasDeliverableSignal()) {
    t.waiter().ResetEvents();
    if (t.HasDeliverableSignal()) break;
    t.waiter().Wait(absl::InfiniteFuture());
    t.waiter().ClearInterrupt();
  }
}

}  // namespace

namespace {

constexpr uint64_t kSigsetSize = 8;

bool ValidSignal(int sig) { return sig >= 1 && sig <= kNumSignals; }

}  // namespace

SyscallResult RtSigaction(Task& t, const SyscallArgs& a) {
  const int sig = a.i32(0);
  if (a.u64(3) != kSigsetSize) return Errno(EINVAL);
  if (!ValidSignal(sig)) return Errno(EINVAL);
  std::optional<SigAction> act;
  if (a.addr(1) != 0) {
    SB_ASSIGN_OR_RETURN(SigAction in, t.CopyInObj<SigAction>(a.addr(1)));
    if (sig == SIGKILL || sig == SIGSTOP) return Errno(EINVAL);
    in.mask &= ~kUnblockableSignals;
    act = in;
  }
  SigAction old;
  {
    ThreadGroup& tg = t.thread_group();
    absl::MutexLock tree_lock(&t.kernel().tree_mu_);  // tg.tasks_
    absl::MutexLock lock(&tg.signal_mu_);
    old = tg.actions_[sig - 1];
    if (act) {
      tg.actions_[sig - 1] = *act;
      // Setting SIG_IGN (or SIG_DFL for a default-ignored signal) discards
      // that signal if pending (Linux's do_sigaction).
      if (act->handler == reinterpret_cast<uint64_t>(SIG_IGN) ||
          (act->handler == 0 && (sig == SIGCHLD || sig == SIGURG || sig == SIGWINCH))) {
        tg.shared_pending_.Discard(SigBit(sig));
        for (Task* task : tg.tasks_) task->DiscardPendingLocked(SigBit(sig));
      }
    }
  }
  if (a.addr(2) != 0) SB_TRY(t.CopyOutObj(a.addr(2), old));
  return 0;
}

SyscallResult RtSigprocmask(Task& t, const SyscallArgs& a) {
  const int how = a.i32(0);
  if (a.u64(3) != kSigsetSize) return Errno(EINVAL);
  const uint64_t old = t.signal_mask();
  if (a.addr(1) != 0) {
    SB_ASSIGN_OR_RETURN(uint64_t set, t.CopyInObj<uint64_t>(a.addr(1)));
    uint64_t mask;
    switch (how) {
      case SIG_BLOCK:
        mask = old | set;
        break;
      case SIG_UNBLOCK:
        mask = old & ~set;
        break;
      case SIG_SETMASK:
        mask = set;
        break;
      default:
        return Errno(EINVAL);
    }
    absl::MutexLock lock(&t.thread_group().signal_mu_);
    t.set_signal_mask(mask);
  }
  if (a.addr(2) != 0) SB_TRY(t.CopyOutObj(a.addr(2), old));
  return 0;
}

SyscallResult RtSigsuspend(Task& t, const SyscallArgs& a) {
  if (a.u64(1) != kSigsetSize) return Errno(EINVAL);
  SB_ASSIGN_OR_RETURN(uint64_t mask, t.CopyInObj<uint64_t>(a.addr(0)));
  t.saved_mask = t.signal_mask();
  {
    absl::MutexLock lock(&t.thread_group().signal_mu_);
    t.set_signal_mask(mask);
  }
  // The mask is restored at delivery (after the handler, through the frame).
  WaitForDeliverableSignal(t);
  return Errno(sb::abi::ERESTARTNOHAND);
}

SyscallResult RtSigpending(Task& t, const SyscallArgs& a) {
  if (a.u64(1) > kSigsetSize) return Errno(EINVAL);
  uint64_t pending = t.PendingSignals() & t.signal_mask();
  SB_TRY(t.CopyOut(a.addr(0), &pending, a.u64(1)));
  return 0;
}

SyscallResult Sigaltstack(Task& t, const SyscallArgs& a) {
  const uint64_t sp = t.regs.rsp;
  const stack_t& cur = t.alt_stack;
  const bool on_stack =
      cur.ss_flags != SS_DISABLE && sp - reinterpret_cast<uint64_t>(cur.ss_sp) < cur.ss_size;
  stack_t old = cur;
  if (old.ss_flags != SS_DISABLE) old.ss_flags = on_stack ? SS_ONSTACK : 0;
  if (a.addr(0) != 0) {
    SB_ASSIGN_OR_RETURN(stack_t in, t.CopyInObj<stack_t>(a.addr(0)));
    if (on_stack) return Errno(EPERM);
    const int flags = in.ss_flags & ~(1 << 31) /* SS_AUTODISARM */;
    if (flags != 0 && flags != SS_DISABLE && flags != SS_ONSTACK) return Errno(EINVAL);
    if (flags == SS_DISABLE) {
      t.alt_stack = {nullptr, SS_DISABLE, 0};
    } else {
      uint64_t min = getauxval(AT_MINSIGSTKSZ) ? getauxval(AT_MINSIGSTKSZ) : MINSIGSTKSZ;
      if (in.ss_size < min) return Errno(ENOMEM);
      t.alt_stack = {in.ss_sp, 0, in.ss_size};
    }
  }
  if (a.addr(1) != 0) SB_TRY(t.CopyOutObj(a.addr(1), old));
  return 0;
}

SyscallResult RtSigreturn(Task& t, const SyscallArgs& a) {
  if (!t.SignalReturn().ok()) {
    siginfo_t info{};
    info.si_signo = SIGSEGV;
    info.si_code = SI_KERNEL;
    t.SendSignal(info);
  }
  t.control = SyscallControl::kNoReturn;
  return 0;
}

namespace {

// kill()'s siginfo: the sender's process ID as the target's PID namespace
// numbers it (0 if the target cannot see the sender).
siginfo_t UserSiginfo(Task& t, int sig, const Task& target) {
  siginfo_t info{};
  info.si_signo = sig;
  info.si_code = SI_USER;
  info.si_pid = t.thread_group().pid()->In(target.pid_namespace());
  info.si_uid = t.creds().ruid;
  return info;
}

// Linux's kill_ok_by_cred: root, or matching real/effective/saved IDs.
bool MaySignal(const Task& sender, const Task& target) {
  const Credentials& s = sender.creds();
  const Credentials& r = target.creds();
  return s.HasCapability(5 /*CAP_KILL*/) || s.euid == r.suid || s.euid == r.ruid ||
         s.ruid == r.suid || s.ruid == r.ruid;
}

ErrnoStatus SignalTask(Task& t, const TaskRef& target, int sig) {
  if (!MaySignal(t, *target)) return Errno(EPERM);
  siginfo_t info = UserSiginfo(t, sig, *target);
  info.si_code = SI_TKILL;  // tkill and tgkill
  if (sig != 0) target->SendSignal(info);
  return Ok();
}

// The task named by a process's ID (its leader, live or not), which the
// kernel keeps until the process is reaped.
TaskRef LeaderLocked(Kernel& k, const ThreadGroup& tg) ABSL_EXCLUSIVE_LOCKS_REQUIRED(k.tree_mu_) {
  auto it = k.tasks_.find(tg.tgid());
  return it == k.tasks_.end() ? nullptr : it->second;
}

ErrnoStatus SignalProcess(Task& t, const TaskRef& any_thread, int sig) {
  if (!MaySignal(t, *any_thread)) return Errno(EPERM);
  if (sig != 0)
    SendProcessSignal(t.kernel(), any_thread->thread_group_ref(), UserSiginfo(t, sig, *any_thread));
  return Ok();
}

}  // namespace

SyscallResult Kill(Task& t, const SyscallArgs& a) {
  const pid_t pid = static_cast<pid_t>(a.i32(0));
  const int sig = a.i32(1);
  if (sig < 0 || sig > kNumSignals) return Errno(EINVAL);
  Kernel& k = t.kernel();
  std::vector<TaskRef> targets;
  {
    absl::MutexLock lock(&k.tree_mu_);
    PidNamespace& ns = t.pid_namespace();
    if (pid > 0) {
      // Any thread's ID names its process.
      // Any thread's ID names its process; a zombie can still be signalled
      // (to no effect) until it is reaped.
      TaskRef task = k.FindTaskInLocked(ns, pid);
      if (task) targets.push_back(LeaderLocked(k, task->thread_group()));
    } else {
      const PidRef my_pgid = t.thread_group().pgid_;
      for (const auto& [gid, tg] : k.groups_) {
        const pid_t vnr = tg->pid()->In(ns);
        if (vnr == 0) continue;  // outside our namespace
        // kill(-1): everyone we see but our init and ourselves (Linux).
        bool match = (pid == 0 && SamePid(tg->pgid_, my_pgid)) ||
                     (pid == -1 && vnr > 1 && tg.get() != &t.thread_group()) ||
                     (pid < -1 && PidIn(tg->pgid_, ns) == -pid);
        if (match) targets.push_back(LeaderLocked(k, *tg));
      }
    }
  }
  if (targets.empty()) return Errno(ESRCH);
  if (pid == -1) {
    // Linux's kill(-1): the last error other than EPERM, else success.
    ErrnoStatus result = Ok();
    for (const auto& target : targets) {
      if (!target) continue;
      auto r = SignalProcess(t, target, sig);
      if (!r.ok() && r.error().value() != EPERM) result = r;
    }
    SB_TRY(result);
    return 0;
  }
  bool any_ok = false;
  for (const auto& target : targets) {
    if (target && SignalProcess(t, target, sig).ok()) any_ok = true;
  }
  return any_ok ? 0 : SyscallResult(Errno(EPERM));
}

SyscallResult RtSigtimedwait(Task& t, const SyscallArgs& a) {
  if (a.u64(3) != kSigsetSize) return Errno(EINVAL);
  SB_ASSIGN_OR_RETURN(uint64_t set, t.CopyInObj<uint64_t>(a.addr(0)));
  set &= ~kUnblockableSignals;
  absl::Time deadline = absl::InfiniteFuture();
  if (a.addr(2) != 0) {
    SB_ASSIGN_OR_RETURN(struct timespec ts, t.CopyInObj<struct timespec>(a.addr(2)));
    if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000) return Errno(EINVAL);
    deadline = absl::Now() + absl::DurationFromTimespec(ts);
  }
  // The awaited signals stay blocked (so they are queued, not delivered or
  // discarded); sending any signal interrupts our waiter and we look again.
  for (;;) {
    t.waiter().ResetEvents();
    if (auto info = t.DequeueSignal(set)) {
      if (a.addr(1) != 0) SB_TRY(t.CopyOutObj(a.addr(1), *info));
      return info->si_signo;
    }
    if (t.HasDeliverableSignal()) return Errno(EINTR);
    if (absl::Now() >= deadline) return Errno(EAGAIN);
    Waiter::Result r = t.waiter().Wait(deadline);
    t.waiter().ClearInterrupt();
    if (r == Waiter::Result::kTimedOut && !(t.PendingSignals() & set)) return Errno(EAGAIN);
  }
}

SyscallResult Pause(Task& t, const SyscallArgs& a) {
  WaitForDeliverableSignal(t);
  return Errno(sb::abi::ERESTARTNOHAND);
}

namespace {

// rt_sigqueueinfo's rules: a process may not forge kernel or kill() codes
// for another process.
ErrnoOr<siginfo_t> QueuedInfo(Task& t, pid_t target_pid, int sig, uint64_t addr) {
  SB_ASSIGN_OR_RETURN(siginfo_t info, t.CopyInObj<siginfo_t>(addr));
  if ((info.si_code >= 0 || info.si_code == SI_TKILL) && target_pid != t.pid()->local()) {
    return Errno(EPERM);
  }
  info.si_signo = sig;
  return info;
}

// The thread `tid` of process `tgid`, for tgkill and rt_tgsigqueueinfo.
ErrnoOr<TaskRef> ThreadTarget(Task& t, pid_t tgid, pid_t tid, int sig) {
  if (tgid <= 0 || tid <= 0 || sig < 0 || sig > kNumSignals) return Errno(EINVAL);
  TaskRef target = t.kernel().FindTaskIn(t.pid_namespace(), tid);
  if (!target || target->thread_group().pid()->In(t.pid_namespace()) != tgid) return Errno(ESRCH);
  return target;
}

}  // namespace

SyscallResult RtSigqueueinfo(Task& t, const SyscallArgs& a) {
  const pid_t pid = a.i32(0);
  const int sig = a.i32(1);
  if (sig < 0 || sig > kNumSignals) return Errno(EINVAL);
  TaskRef target;
  {
    absl::MutexLock lock(&t.kernel().tree_mu_);
    TaskRef task = t.kernel().FindTaskInLocked(t.pid_namespace(), pid);
    if (!task) return Errno(ESRCH);
    target = LeaderLocked(t.kernel(), task->thread_group());
    if (!target) return Errno(ESRCH);
  }
  SB_ASSIGN_OR_RETURN(siginfo_t info, QueuedInfo(t, pid, sig, a.addr(2)));
  if (!MaySignal(t, *target)) return Errno(EPERM);
  if (sig != 0) SendProcessSignal(t.kernel(), target->thread_group_ref(), info);
  return 0;
}

SyscallResult RtTgsigqueueinfo(Task& t, const SyscallArgs& a) {
  const pid_t tgid = a.i32(0);
  const int sig = a.i32(2);
  SB_ASSIGN_OR_RETURN(TaskRef target, ThreadTarget(t, tgid, a.i32(1), sig));
  SB_ASSIGN_OR_RETURN(siginfo_t info, QueuedInfo(t, tgid, sig, a.addr(3)));
  if (!MaySignal(t, *target)) return Errno(EPERM);
  if (sig != 0) target->SendSignal(info);
  return 0;
}

SyscallResult Tgkill(Task& t, const SyscallArgs& a) {
  const int sig = a.i32(2);
  SB_ASSIGN_OR_RETURN(TaskRef target, ThreadTarget(t, a.i32(0), a.i32(1), sig));
  SB_TRY(SignalTask(t, target, sig));
  return 0;
}

SyscallResult Tkill(Task& t, const SyscallArgs& a) {
  const pid_t tid = a.i32(0);
  const int sig = a.i32(1);
  if (tid <= 0 || sig < 0 || sig > kNumSignals) return Errno(EINVAL);
  TaskRef target = t.kernel().FindTaskIn(t.pid_namespace(), tid);
  if (!target) return Errno(ESRCH);
  SB_TRY(SignalTask(t, target, sig));
  return 0;
}

}  // namespace sb::kernel
