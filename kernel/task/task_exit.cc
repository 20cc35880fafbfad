// task_exit.cc: exit, zombies and reparenting (Linux's kernel/exit.c).
#include <sys/wait.h>

#include "kernel/kernel.h"
#include "kernel/syscalls/handlers.h"
#include "kernel/task/task.h"

namespace sb::kernel {

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
    absl::MutexLock lock(&kernel_.tree_mu_);
    tg_->exit_utime_ = times.user;
    tg_->exit_stime_ = times.system;
  }
  if (ctx_) {
    bool only_thread = thread_exit_ && !last;
    ctx_->ReleaseHost(only_thread ? platform::Context::Release::kThread
                                  : platform::Context::Release::kProcess);
  }
  ctx_.reset();
  mm_.reset();
  fds_.reset();  // the last close of each file happens here
  fs_.reset();

  std::vector<ThreadGroupRef> kill_list;
  std::vector<std::pair<TaskRef, int>> pdeath;
  ThreadGroupRef parent;
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
    // Children go to the nearest live subreaper ancestor, else to init
    // (Linux: find_new_reaper); when init itself dies, everything else in
    // its namespace is killed.
    ThreadGroupRef init = kernel_.init_;
    ThreadGroupRef reaper = init;
    for (ThreadGroupRef a = tg_->parent_; a; a = a->parent_) {
      if (a->child_subreaper_ && !a->zombie_ && !a->exiting_) {
        reaper = a;
        break;
      }
    }
    for (auto& child : tg_->children_) {
      if (reaper && reaper != tg_) {
        child->parent_ = reaper;
        reaper->children_.push_back(child);
      } else {
        child->parent_ = nullptr;
      }
      if (child->zombie_ && !child->parent_) kill_list.push_back(child);
      // PR_SET_PDEATHSIG (Linux fires it when the forking thread exits; we
      // track parents per process, so when the parent process does).
      for (Task* ct : child->tasks_) {
        if (int sig = ct->pdeath_signal.load()) pdeath.emplace_back(kernel_.tasks_[ct->tid()], sig);
      }
    }
    tg_->children_.clear();
    if (init == tg_) {
      for (auto& [pid, g] : kernel_.groups_) {
        if (g != tg_ && !g->zombie_) kill_list.push_back(g);
      }
    }
    parent = tg_->parent_;
    if (parent) {
      absl::MutexLock psig(&parent->signal_mu_);
      const SigAction& act = parent->actions_[SIGCHLD - 1];
      auto_reap = act.handler == reinterpret_cast<uint64_t>(SIG_IGN) || (act.flags & SA_NOCLDWAIT);
    }
    tg_->exited_.Notify();
    if (auto_reap) kernel_.ReleaseLocked(tg_);
    // A waiter for this child learns it is gone (ECHILD) when auto-reaped.
    if (auto_reap && parent) parent->child_events_.Notify(POLLIN);
  }
  for (auto& [task, sig] : pdeath) {
    siginfo_t info{};
    info.si_signo = sig;
    info.si_code = SI_USER;
    info.si_pid = tg_->tgid();
    if (task) task->SendSignal(info);
  }
  for (auto& g : kill_list) {
    if (g->zombie_) continue;
    std::vector<Task*> tasks;
    {
      absl::MutexLock lock(&kernel_.tree_mu_);
      tasks = g->tasks_;
      absl::MutexLock sig_lock(&g->signal_mu_);
      if (!g->exiting_) {
        g->exiting_ = true;
        g->group_exit_status_ = SIGKILL;
      }
    }
    for (Task* t : tasks) t->Interrupt();
  }
  if (parent && !auto_reap) {
    int st = tg_->exit_status_;
    if (WIFEXITED(st)) {
      NotifyParent(kernel_, *tg_, CLD_EXITED, WEXITSTATUS(st));
    } else {
      NotifyParent(kernel_, *tg_, WCOREDUMP(st) ? CLD_DUMPED : CLD_KILLED, WTERMSIG(st));
    }
  }
}

}  // namespace sb::kernel
