// task_clone.cc: fork, vfork and clone (Linux's kernel/fork.c).
#include <linux/sched.h>
#include <linux/seccomp.h>

#include "kernel/base/log_once.h"
#include "kernel/kernel.h"
#include "kernel/task/task.h"

namespace sb::kernel {

ErrnoOr<pid_t> Task::Clone(uint64_t flags, uint64_t stack, uint64_t parent_tid, uint64_t child_tid,
                           uint64_t tls) {
  constexpr uint64_t kSupported = CSIGNAL | CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_VFORK |
                                  CLONE_SETTLS | CLONE_PARENT_SETTID | CLONE_CHILD_SETTID |
                                  CLONE_CHILD_CLEARTID | CLONE_SYSVSEM | CLONE_SIGHAND |
                                  CLONE_THREAD | CLONE_DETACHED;
  if ((flags & CLONE_SIGHAND) && !(flags & CLONE_VM)) return Errno(EINVAL);
  if ((flags & CLONE_THREAD) && !(flags & CLONE_SIGHAND)) return Errno(EINVAL);
  if ((flags & CLONE_FS) && (flags & CLONE_NEWNS)) return Errno(EINVAL);
  if (flags & ~kSupported) {
    ReportUnsupported("clone flags " + std::to_string(flags & ~kSupported));
    return Errno(EINVAL);
  }
  if ((flags & CSIGNAL) > kNumSignals) return Errno(EINVAL);

  const bool thread = flags & CLONE_THREAD;
  // Everything the child takes from us.
  auto fp = std::make_unique<platform::FpState>();
  SB_TRY(ctx_->GetFpState(*fp));
  // A thread runs in a new host thread of our stub process.
  std::unique_ptr<platform::Context> thread_ctx;
  if (thread) {
    SB_ASSIGN_OR_RETURN(thread_ctx, ctx_->CreateThread());
  }
  mm::MmRef child_mm = mm_;
  if (!(flags & CLONE_VM)) {
    SB_ASSIGN_OR_RETURN(child_mm, mm_->Fork());
  }
  FdTableRef child_fds = (flags & CLONE_FILES) ? fds_ : fds_->Fork();
  FsStateRef child_fs = fs_;
  if (!(flags & CLONE_FS)) {
    child_fs = std::make_shared<FsState>();
    absl::MutexLock lock(&fs_->mu);
    absl::MutexLock child_lock(&child_fs->mu);
    child_fs->root = fs_->root;
    child_fs->cwd = fs_->cwd;
    child_fs->umask = fs_->umask;
  }

  TaskRef child;
  ThreadGroupRef child_tg;
  {
    absl::MutexLock lock(&kernel_.tree_mu_);
    if (tg_->exiting_) return Errno(EINTR);
    // RLIMIT_NPROC: tasks of this real user (Linux counts threads), unless
    // the caller has CAP_SYS_RESOURCE or CAP_SYS_ADMIN.
    const uint64_t nproc = RlimitCur(RLIMIT_NPROC);
    if (nproc != RLIM_INFINITY && !creds_->HasCapability(24) && !creds_->HasCapability(21)) {
      uint64_t mine = 0;
      for (const auto& [tid, task] : kernel_.tasks_) {
        if (task->creds_->ruid == creds_->ruid && !task->exited_) ++mine;
      }
      if (mine >= nproc) return Errno(EAGAIN);
    }
    SB_ASSIGN_OR_RETURN(pid_t pid, kernel_.AllocatePidLocked());
    if (thread) {
      child_tg = tg_;
    } else {
      child_tg = std::make_shared<ThreadGroup>(pid, tg_);
      child_tg->pgid_ = tg_->pgid_;
      child_tg->sid_ = tg_->sid_;
      absl::MutexLock sig_lock(&tg_->signal_mu_);
      absl::MutexLock child_sig_lock(&child_tg->signal_mu_);  // not yet visible to others
      child_tg->actions_ = tg_->actions_;
      child_tg->rlimits_ = tg_->rlimits_;
      child_tg->comm_ = tg_->comm_;
      tg_->children_.push_back(child_tg);
      kernel_.groups_[pid] = child_tg;
    }
    child = std::make_shared<Task>(kernel_, pid, child_tg);
    {
      // seccomp state and no_new_privs are copied under tree_mu_, where a
      // TSYNC by another thread changes them (Linux's copy_seccomp under
      // siglock): the child gets either the old stack, which that TSYNC then
      // replaces, or the new one.
      absl::MutexLock own(&seccomp_mu_);
      absl::MutexLock theirs(&child->seccomp_mu_);  // not yet visible to others
      child->seccomp_ = seccomp_;
      child->seccomp_on_.store(seccomp_.mode != SECCOMP_MODE_DISABLED);
      child->no_new_privs = no_new_privs.load();
    }
    child_tg->tasks_.push_back(child.get());
    kernel_.tasks_[pid] = child;
  }
  child->mm_ = std::move(child_mm);
  child->fds_ = std::move(child_fds);
  child->fs_ = std::move(child_fs);
  child->creds_ = creds_;
  child->mntns_ = mntns_;
  child->initial_fp_ = std::move(fp);
  child->ctx_ = std::move(thread_ctx);
  child->signal_mask_ = signal_mask_;
  // Inherited across fork and clone (pdeath_signal is not: Linux clears it;
  // no_new_privs and seccomp were copied above).
  child->dumpable = dumpable;
  child->keep_caps = keep_caps;
  child->sched_policy = sched_policy;
  child->nice = nice;
  // A new thread starts without an alternate signal stack (Linux clears it
  // for CLONE_VM without CLONE_VFORK).
  if (!((flags & CLONE_VM) && !(flags & CLONE_VFORK))) child->alt_stack = alt_stack;
  child->regs = regs;
  child->regs.rax = 0;
  if (stack != 0) child->regs.rsp = stack;
  if (flags & CLONE_SETTLS) child->regs.fs_base = tls;
  if (flags & CLONE_CHILD_CLEARTID) child->clear_child_tid = child_tid;

  const pid_t pid = child->tid();
  if (flags & CLONE_PARENT_SETTID) (void)CopyOutObj<int32_t>(parent_tid, pid);
  if (flags & CLONE_CHILD_SETTID) {
    // Written into the child's memory (its own copy after fork).
    if (auto iov = child->mm_->Translate(child_tid, sizeof(int32_t), PROT_WRITE); iov.ok()) {
      int32_t v = pid;
      memcpy((*iov)[0].iov_base, &v, sizeof(v));
    }
  }
  std::shared_ptr<absl::Notification> vfork_done;
  if (flags & CLONE_VFORK) {
    vfork_done = std::make_shared<absl::Notification>();
    child->vfork_done_ = vfork_done;
  }
  child->Start();
  if (vfork_done) vfork_done->WaitForNotification();
  return pid;
}

}  // namespace sb::kernel
