// task_exit.cc: exit, zombies and reparenting (Linux's kernel/exit.c).
#include <sys/wait.h>

#include "kernel/kernel.h"
#include "kernel/syscalls/handlers.h"
#include "kernel/task/task.h"
#include "kernel/tty/terminal.h"

namespace sb::kernel {
namespace {

// Whether process group `pgrp` has no member (but `ignore`) with a parent
// in another group of its session (Linux's will_become_orphaned_pgrp).
bool PgrpWillBeOrphanedLocked(Kernel& kernel, const PidRef& pgrp, const ThreadGroup* ignore)
    ABSL_EXCLUSIVE_LOCKS_REQUIRED(kernel.tree_mu_) {
  // A parent that is the root init does not count.
  ThreadGroupRef global_init = kernel.root_pid_namespace()->init_.lock();
  for (const auto& [pid, g] : kernel.groups_) {
    if (g.get() == ignore || g->zombie_ || !SamePid(g->pgid_, pgrp)) continue;
    const ThreadGroupRef& p = g->parent_;
    if (!p || p == global_init) continue;
    if (!SamePid(p->pgid_, pgrp) && SamePid(p->sid_, g->sid_)) return false;
  }
  return true;
}

bool PgrpHasStoppedJobsLocked(Kernel& kernel, const PidRef& pgrp)
    ABSL_EXCLUSIVE_LOCKS_REQUIRED(kernel.tree_mu_) {
  for (const auto& [pid, g] : kernel.groups_) {
    if (!SamePid(g->pgid_, pgrp)) continue;
    absl::MutexLock lock(&g->signal_mu_);
    if (g->stopped_) return true;
  }
  return false;
}

}  // namespace

// Not annotated in task.h, where Kernel is incomplete; callers hold tree_mu_.
bool IsPgrpOrphanedLocked(Kernel& kernel, const PidRef& pgrp) ABSL_NO_THREAD_SAFETY_ANALYSIS {
  return PgrpWillBeOrphanedLocked(kernel, pgrp, nullptr);
}

void Task::ExitGroup(int status) {
  std::vector<Task*> others;
  {
    absl::MutexLock lock(&kernel_.tree_mu_);
    absl::MutexLock sig_lock(&tg_->signal_mu_);
    if (!tg_->exiting_) {
      tg_->exiting_ = true;
      tg_->group_exit_status_ = status;
    }
    for (Task* t : tg_->tasks_) {
      if (t != this) others.push_back(t);
    }
  }
  for (Task* t : others) t->Interrupt();
  control = SyscallControl::kExit;
}

void Task::ExitThread(int code) {
  exit_code = W_EXITCODE(code & 0xff, 0);
  thread_exit_ = true;
  control = SyscallControl::kExit;
}

void Task::KillThread(int sig) {
  exit_code = sig;
  thread_exit_ = true;
  control = SyscallControl::kExit;
}

void Task::DoExit() {
  exited_ = true;
  if (vfork_done_) vfork_done_->Notify();
  vfork_done_.reset();
  ExitRobustList();
  // CLONE_CHILD_CLEARTID: clear the word and wake one waiter (pthread_join),
  // as Linux's mm_release.
  if (clear_child_tid != 0 && mm_) {
    if (CopyOutObj<int32_t>(clear_child_tid, 0).ok()) {
      if (auto iov = mm_->Translate(clear_child_tid, 4, PROT_READ); iov.ok()) {
        kernel_.futexes().Wake(FutexKeyMm(*mm_, clear_child_tid, false),
                               static_cast<uint32_t*>((*iov)[0].iov_base), 1, ~0u);
      }
    }
  }
  bool last;
  {
    absl::MutexLock lock(&kernel_.tree_mu_);
    absl::MutexLock sig_lock(&tg_->signal_mu_);
    last = tg_->tasks_.size() <= 1;
    // The last thread to leave by exit(2) (or KillThread) gives the
    // process its status.
    if (last && !tg_->exiting_) {
      tg_->exiting_ = true;
      tg_->group_exit_status_ = thread_exit_ ? exit_code : SIGKILL;
    }
  }
  {
    absl::MutexLock lock(&ctx_mu_);
    live_ctx_ = nullptr;
  }
  if (ctx_ && last) {
    platform::Context::CpuTimes times = ctx_->ProcessCpuTimes();
    // Sampled before the address space goes (Linux's do_exit).
    const uint64_t hiwater = mm_ ? mm_->HiwaterRss() : 0;
    absl::MutexLock lock(&kernel_.tree_mu_);
    tg_->exit_utime_ = times.user;
    tg_->exit_stime_ = times.system;
    tg_->maxrss_ = std::max(tg_->maxrss_, hiwater);
  }
  if (ctx_) {
    // A thread leaving alone (exit(2), or killed by another thread's exec)
    // must not take the host process with it.
    bool only_thread = (thread_exit_ || killed_by_exec_) && !last;
    ctx_->ReleaseHost(only_thread ? platform::Context::Release::kThread
                                  : platform::Context::Release::kProcess);
  }
  ctx_.reset();
  {
    // Dropped outside share_mu_: the last close of each file happens here.
    mm::MmRef mm;
    FdTableRef fds;
    FsStateRef fs;
    {
      absl::MutexLock share(&share_mu_);
      mm.swap(mm_);
      fds.swap(fds_);
      fs.swap(fs_);
    }
  }
  // A session leader's end hangs up its controlling terminal's session.
  if (last) tty::SessionLeaderExited(kernel_, *tg_);
  // SEM_UNDO adjustments of the process (Linux's exit_sem).
  if (last) ipc::ExitSem(tg_.get(), tg_->pid());

  std::vector<ThreadGroupRef> kill_list;
  std::vector<std::pair<TaskRef, siginfo_t>> pdeath;
  std::vector<PidRef> orphaned_pgrps;
  std::vector<ThreadGroupRef> reparented_zombies;
  ThreadGroupRef parent;
  int exit_signal = 0;
  bool auto_reap = false;
  {
    absl::MutexLock lock(&kernel_.tree_mu_);
    auto& tasks = tg_->tasks_;
    tasks.erase(std::remove(tasks.begin(), tasks.end(), this), tasks.end());
    if (!tasks.empty()) return;  // other threads still run the process
    tg_->zombie_ = true;
    {
      absl::MutexLock sig_lock(&tg_->signal_mu_);
      tg_->exit_status_ = tg_->group_exit_status_;
    }
    // Children go to the nearest live subreaper ancestor in our PID
    // namespace, else to the namespace's init (Linux: find_new_reaper).
    // When the init itself dies, the namespace dies: every other process
    // in it is killed, and orphans have no one to wait for them.
    PidNamespace& ns = tg_->pid_namespace();
    ThreadGroupRef init = ns.init_.lock();
    const bool is_init = init == tg_;
    if (is_init) ns.dead_ = true;
    ThreadGroupRef reaper = is_init ? nullptr : init;
    for (ThreadGroupRef a = tg_->parent_; a && a->pid_namespace().level() == ns.level();
         a = a->parent_) {
      if (a->child_subreaper_ && !a->zombie_ && !a->exiting_) {
        reaper = a;
        break;
      }
    }
    for (auto& child : tg_->children_) {
      child->parent_ = reaper;
      child->exit_signal_ = SIGCHLD;  // "we don't want people slaying init"
      if (reaper) {
        reaper->children_.push_back(child);
      } else {
        child->autoreap_ = true;
      }
      if (child->zombie_) {
        if (reaper) {
          reparented_zombies.push_back(child);
        } else {
          kernel_.ReleaseLocked(child);
        }
      }
      // PR_SET_PDEATHSIG (Linux fires it when the forking thread exits; we
      // track parents per process, so when the parent process does).
      for (Task* ct : child->tasks_) {
        if (int sig = ct->pdeath_signal.load()) {
          siginfo_t info{};
          info.si_signo = sig;
          info.si_code = SI_USER;
          info.si_pid = PidIn(tg_->pid(), child->pid_namespace());
          info.si_uid = creds_->ruid;
          pdeath.emplace_back(kernel_.tasks_[ct->tid()], info);
        }
      }
      // The child's process group may have lost its last link to a parent
      // in another group of its session (Linux: kill_orphaned_pgrp on
      // reparenting).
      if (!SamePid(child->pgid_, tg_->pgid_) && SamePid(child->sid_, tg_->sid_) &&
          PgrpWillBeOrphanedLocked(kernel_, child->pgid_, nullptr) &&
          PgrpHasStoppedJobsLocked(kernel_, child->pgid_)) {
        orphaned_pgrps.push_back(child->pgid_);
      }
    }
    tg_->children_.clear();
    // Our own group, if we were its last link outside (kill_orphaned_pgrp
    // on exit).
    if (const ThreadGroupRef& p = tg_->parent_;
        p && !SamePid(p->pgid_, tg_->pgid_) && SamePid(p->sid_, tg_->sid_) &&
        PgrpWillBeOrphanedLocked(kernel_, tg_->pgid_, tg_.get()) &&
        PgrpHasStoppedJobsLocked(kernel_, tg_->pgid_)) {
      orphaned_pgrps.push_back(tg_->pgid_);
    }
    if (is_init) {
      for (auto& [pid, g] : kernel_.groups_) {
        if (g != tg_ && !g->zombie_ && ns.IsAncestorOf(g->pid_namespace())) kill_list.push_back(g);
      }
    }
    parent = tg_->parent_;
    exit_signal = tg_->exit_signal_;
    if (parent) {
      // A parent ignoring SIGCHLD or asking SA_NOCLDWAIT never sees the
      // zombie (Linux's do_notify_parent); SIG_IGN also means no signal.
      absl::MutexLock psig(&parent->signal_mu_);
      const SigAction& act = parent->actions_[SIGCHLD - 1];
      const bool ignored = act.handler == reinterpret_cast<uint64_t>(SIG_IGN);
      if (exit_signal == SIGCHLD && (ignored || (act.flags & SA_NOCLDWAIT))) {
        auto_reap = true;
        if (ignored) exit_signal = 0;
      }
    } else {
      auto_reap = tg_->autoreap_;
    }
    tg_->exited_.Notify();
    if (auto_reap) kernel_.ReleaseLocked(tg_);
    // A waiter for this child learns it is gone (ECHILD) when auto-reaped.
    if (auto_reap && parent) parent->child_events_.Notify(POLLIN);
  }
  for (auto& [task, info] : pdeath) {
    if (task) task->SendSignal(info);
  }
  for (const PidRef& pgrp : orphaned_pgrps) {
    // SIGHUP then SIGCONT to every process of the group, from the kernel.
    for (int sig : {SIGHUP, SIGCONT}) {
      siginfo_t info{};
      info.si_signo = sig;
      info.si_code = SI_KERNEL;
      std::vector<ThreadGroupRef> members;
      {
        absl::MutexLock lock(&kernel_.tree_mu_);
        for (auto& [pid, g] : kernel_.groups_) {
          if (!g->zombie_ && SamePid(g->pgid_, pgrp)) members.push_back(g);
        }
      }
      for (auto& g : members) SendProcessSignal(kernel_, g, info);
    }
  }
  for (auto& g : kill_list) {
    std::vector<Task*> tasks;
    {
      absl::MutexLock lock(&kernel_.tree_mu_);
      if (g->zombie_) continue;
      tasks = g->tasks_;
      absl::MutexLock sig_lock(&g->signal_mu_);
      if (!g->exiting_) {
        g->exiting_ = true;
        g->group_exit_status_ = SIGKILL;
      }
      for (Task* t : tasks) t->Interrupt();
    }
  }
  for (auto& z : reparented_zombies) NotifyParentOfExit(kernel_, *z, SIGCHLD);
  if (parent && !auto_reap) NotifyParentOfExit(kernel_, *tg_, exit_signal);
}

void NotifyParentOfExit(Kernel& kernel, ThreadGroup& child, int sig) {
  const int st = child.exit_status_;
  if (WIFEXITED(st)) {
    NotifyParent(kernel, child, CLD_EXITED, WEXITSTATUS(st), sig);
  } else {
    NotifyParent(kernel, child, WCOREDUMP(st) ? CLD_DUMPED : CLD_KILLED, WTERMSIG(st), sig);
  }
}

}  // namespace sb::kernel
