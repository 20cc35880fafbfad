// wait.cc: wait4 and waitid (Linux's kernel/exit.c do_wait).
#include <sys/wait.h>

#include "kernel/base/abi.h"
#include "kernel/kernel.h"
#include "kernel/syscalls/handlers.h"

namespace sb::kernel {
namespace {

// What a wait found.
struct WaitResult {
  pid_t pid = 0;
  int status = 0;  // wait4's status word
  int code = 0;    // waitid's si_code: CLD_EXITED, CLD_KILLED, ...
  int child_status = 0;
  uid_t uid = 0;
  // wait4's and waitid's rusage: for an exited child, Linux's
  // getrusage(RUSAGE_BOTH) of it (its CPU time and its reaped children's;
  // the larger peak RSS). Zero for a stopped or continued child.
  struct rusage usage {};
};

enum class Which { kAny, kPid, kPgid };

struct WaitRequest {
  Which which = Which::kAny;
  pid_t id = 0;  // as the caller's PID namespace numbers it
  bool exited = true, stopped = false, continued = false, nohang = false, nowait = false;
  bool wclone = false, wall = false;
};

// Linux's eligible_child: the id matches, and the child is a "clone
// child" (exit signal other than SIGCHLD) exactly when __WCLONE asks for
// those, unless __WALL takes both.
bool Matches(const WaitRequest& r, const PidNamespace& ns, const ThreadGroup& child) {
  if (!r.wall && r.wclone != (child.exit_signal_ != SIGCHLD)) return false;
  switch (r.which) {
    case Which::kAny:
      return true;
    case Which::kPid:
      return child.pid()->In(ns) == r.id;
    case Which::kPgid:
      return PidIn(child.pgid_, ns) == r.id;
  }
  return false;
}

// The caller's own process group, as its namespace numbers it.
pid_t OwnPgrp(Task& t) {
  absl::MutexLock lock(&t.kernel().tree_mu_);
  return t.IdOf(t.thread_group().pgid_);
}

// One pass over the children; nullopt when none is ready.
ErrnoOr<std::optional<WaitResult>> TryWait(Task& t, const WaitRequest& r) {
  Kernel& k = t.kernel();
  ThreadGroup& self = t.thread_group();
  ThreadGroupRef reaped;
  WaitResult out;
  {
    absl::MutexLock lock(&k.tree_mu_);
    bool any = false;
    for (const auto& child : self.children_) {
      if (!Matches(r, t.pid_namespace(), *child)) continue;
      any = true;
      out.pid = child->pid()->In(t.pid_namespace());
      out.uid = k.RealUidOfLocked(*child);
      if (child->zombie_) {
        if (!r.exited) continue;
        const int st = child->exit_status_;
        out.status = st;
        if (WIFEXITED(st)) {
          out.code = CLD_EXITED;
          out.child_status = WEXITSTATUS(st);
        } else {
          out.code = WCOREDUMP(st) ? CLD_DUMPED : CLD_KILLED;
          out.child_status = WTERMSIG(st);
        }
        out.usage.ru_utime = absl::ToTimeval(child->exit_utime_ + child->children_utime_);
        out.usage.ru_stime = absl::ToTimeval(child->exit_stime_ + child->children_stime_);
        out.usage.ru_maxrss =
            static_cast<long>(std::max(child->maxrss_, child->children_maxrss_) / 1024);
        if (!r.nowait) reaped = child;
        break;
      }
      absl::MutexLock sig_lock(&child->signal_mu_);
      if (r.stopped && child->stopped_ && !child->stop_reported_) {
        out.status = (child->stop_signal_ << 8) | 0x7f;
        out.code = CLD_STOPPED;
        out.child_status = child->stop_signal_;
        if (!r.nowait) child->stop_reported_ = true;
        return std::optional<WaitResult>(out);
      }
      if (r.continued && child->continued_) {
        out.status = 0xffff;
        out.code = CLD_CONTINUED;
        out.child_status = SIGCONT;
        if (!r.nowait) child->continued_ = false;
        return std::optional<WaitResult>(out);
      }
    }
    if (!any) return Errno(ECHILD);
    if (!reaped && !(r.nowait && out.code != 0)) return std::optional<WaitResult>();
    if (reaped) {
      self.children_utime_ += reaped->exit_utime_ + reaped->children_utime_;
      self.children_stime_ += reaped->exit_stime_ + reaped->children_stime_;
      self.children_maxrss_ =
          std::max({self.children_maxrss_, reaped->maxrss_, reaped->children_maxrss_});
      k.ReleaseLocked(reaped);
    }
  }
  if (reaped) k.JoinFinishedThreads();
  return std::optional<WaitResult>(out);
}

ErrnoOr<std::optional<WaitResult>> DoWait(Task& t, const WaitRequest& r) {
  Waiter& w = t.waiter();
  ScopedWaitRegistration reg(&t.thread_group().child_events_, &w, POLLIN);
  for (;;) {
    w.ResetEvents();
    SB_ASSIGN_OR_RETURN(auto res, TryWait(t, r));
    if (res || r.nohang) return res;
    if (w.Wait(absl::InfiniteFuture()) == Waiter::Result::kInterrupted) {
      return Errno(sb::abi::ERESTARTSYS);
    }
  }
}

}  // namespace

SyscallResult Wait4(Task& t, const SyscallArgs& a) {
  const pid_t pid = static_cast<pid_t>(a.i32(0));
  const int options = a.i32(2);
  if (options & ~(WNOHANG | WUNTRACED | WCONTINUED | __WNOTHREAD | __WALL | __WCLONE)) {
    return Errno(EINVAL);
  }
  if (pid == INT32_MIN) return Errno(ESRCH);
  WaitRequest r;
  if (pid > 0) {
    r.which = Which::kPid;
    r.id = pid;
  } else if (pid == 0) {
    r.which = Which::kPgid;
    r.id = OwnPgrp(t);
  } else if (pid < -1) {
    r.which = Which::kPgid;
    r.id = -pid;
  }
  r.stopped = options & WUNTRACED;
  r.continued = options & WCONTINUED;
  r.nohang = options & WNOHANG;
  r.wclone = options & __WCLONE;
  r.wall = options & __WALL;
  SB_ASSIGN_OR_RETURN(auto res, DoWait(t, r));
  if (!res) return 0;
  if (a.addr(1)) SB_TRY(t.CopyOutObj<int32_t>(a.addr(1), res->status));
  if (a.addr(3)) SB_TRY(t.CopyOutObj(a.addr(3), res->usage));
  return res->pid;
}

SyscallResult Waitid(Task& t, const SyscallArgs& a) {
  const int idtype = a.i32(0);
  const pid_t id = static_cast<pid_t>(a.i32(1));
  const int options = a.i32(3);
  if (options &
      ~(WNOHANG | WNOWAIT | WEXITED | WSTOPPED | WCONTINUED | __WNOTHREAD | __WALL | __WCLONE)) {
    return Errno(EINVAL);
  }
  if (!(options & (WEXITED | WSTOPPED | WCONTINUED))) return Errno(EINVAL);
  WaitRequest r;
  switch (idtype) {
    case P_ALL:
      break;
    case P_PID:
      if (id <= 0) return Errno(EINVAL);
      r.which = Which::kPid;
      r.id = id;
      break;
    case P_PGID:
      if (id < 0) return Errno(EINVAL);
      r.which = Which::kPgid;
      if (id == 0) {
        r.id = OwnPgrp(t);
      } else {
        r.id = id;
      }
      break;
    default:
      return Errno(EINVAL);  // P_PIDFD comes with pidfds
  }
  r.exited = options & WEXITED;
  r.stopped = options & WSTOPPED;
  r.continued = options & WCONTINUED;
  r.nohang = options & WNOHANG;
  r.nowait = options & WNOWAIT;
  r.wclone = options & __WCLONE;
  r.wall = options & __WALL;
  SB_ASSIGN_OR_RETURN(auto res, DoWait(t, r));
  if (a.addr(2)) {
    siginfo_t info{};
    if (res) {
      info.si_signo = SIGCHLD;
      info.si_code = res->code;
      info.si_pid = res->pid;
      info.si_uid = res->uid;
      info.si_status = res->child_status;
    }
    SB_TRY(t.CopyOutObj(a.addr(2), info));
  }
  if (a.addr(4)) SB_TRY(t.CopyOutObj(a.addr(4), res ? res->usage : rusage{}));
  return 0;
}

}  // namespace sb::kernel
