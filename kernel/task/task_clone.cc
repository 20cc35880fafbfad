// task_clone.cc: fork, vfork and clone (Linux's kernel/fork.c).
#include <linux/sched.h>
#include <linux/seccomp.h>

#include "kernel/base/log_once.h"
#include "kernel/kernel.h"
#include "kernel/task/task.h"

namespace sb::kernel {

namespace {

constexpr uint64_t kNamespaceFlags = CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWPID |
                                     CLONE_NEWUSER | CLONE_NEWNET | CLONE_NEWCGROUP | CLONE_NEWTIME;
constexpr int kCapSysAdmin = 21;

}  // namespace

ErrnoOr<Namespaces> Task::CopyNamespaces(uint64_t flags, FsState* fs) {
  Namespaces ns = ns_;
  if (flags & CLONE_NEWNS) {
    // The task's root and cwd move to the copy's mounts.
    absl::MutexLock lock(&fs->mu);
    fs::Location* relocate[] = {&fs->root, &fs->cwd};
    SB_ASSIGN_OR_RETURN(ns.mnt, ns_.mnt->Clone(relocate));
  }
  if (flags & CLONE_NEWUTS) ns.uts = ns_.uts->Copy();
  if (flags & CLONE_NEWIPC) ns.ipc = std::make_shared<IpcNamespace>();
  return ns;
}

ErrnoStatus Task::Unshare(uint64_t flags) {
  constexpr uint64_t kAllowed = CLONE_THREAD | CLONE_FS | CLONE_NEWNS | CLONE_SIGHAND | CLONE_VM |
                                CLONE_FILES | CLONE_SYSVSEM | kNamespaceFlags;
  if (flags & ~kAllowed) return Errno(EINVAL);
  // Linux's implied flags: a new user namespace needs a private thread
  // group and fs; unsharing the VM needs private signal handlers, which
  // need a single thread; a new mount namespace needs a private fs.
  if (flags & CLONE_NEWUSER) flags |= CLONE_THREAD | CLONE_FS;
  if (flags & CLONE_VM) flags |= CLONE_SIGHAND;
  if (flags & CLONE_SIGHAND) flags |= CLONE_THREAD;
  if (flags & CLONE_NEWNS) flags |= CLONE_FS;
  if (flags & (CLONE_THREAD | CLONE_SIGHAND | CLONE_VM)) {
    // Only a single-threaded process with its own address space may.
    absl::MutexLock lock(&kernel_.tree_mu_);
    if ((flags & CLONE_THREAD) && tg_->tasks_.size() > 1) return Errno(EINVAL);
    if ((flags & (CLONE_SIGHAND | CLONE_VM)) && mm_.use_count() > 1) return Errno(EINVAL);
  }
  constexpr uint64_t kUnsupportedNs =
      CLONE_NEWUSER | CLONE_NEWNET | CLONE_NEWCGROUP | CLONE_NEWTIME;
  if (flags & kUnsupportedNs) {
    ReportUnsupported("unshare flags " + std::to_string(flags & kUnsupportedNs));
    return Errno(EINVAL);
  }
  if ((flags & kNamespaceFlags) && !creds_->HasCapability(kCapSysAdmin)) return Errno(EPERM);
  if ((flags & CLONE_NEWPID) && pidns_for_children &&
      pidns_for_children.get() != &pid_namespace()) {
    return Errno(EINVAL);  // children already go to a new namespace
  }
  // Private copies first (nothing changes if a later step fails).
  FsStateRef fs = fs_;
  if ((flags & CLONE_FS) && fs_.use_count() > 1) {
    fs = std::make_shared<FsState>();
    absl::MutexLock lock(&fs_->mu);
    absl::MutexLock new_lock(&fs->mu);
    fs->root = fs_->root;
    fs->cwd = fs_->cwd;
    fs->umask = fs_->umask;
  }
  FdTableRef fds = ((flags & CLONE_FILES) && fds_.use_count() > 1) ? fds_->Fork() : fds_;
  Namespaces ns = ns_;
  if (flags & (CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC)) {
    if ((flags & CLONE_NEWNS) && fs == fs_ && fs_.use_count() > 1) return Errno(EINVAL);
    SB_ASSIGN_OR_RETURN(ns, CopyNamespaces(flags, fs.get()));
  }
  {
    absl::MutexLock share(&share_mu_);
    fs_ = std::move(fs);
    fds_ = std::move(fds);
    ns_ = std::move(ns);
  }
  if (flags & CLONE_NEWPID) {
    PidNamespaceRef ns = kernel_.NewPidNamespace(tg_->pid()->ns());
    absl::MutexLock share(&share_mu_);
    pidns_for_children = std::move(ns);
  }
  return Ok();
}

ErrnoOr<pid_t> Task::Clone(uint64_t flags, uint64_t stack, uint64_t parent_tid, uint64_t child_tid,
                           uint64_t tls) {
  constexpr uint64_t kSupported = CSIGNAL | CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_VFORK |
                                  CLONE_SETTLS | CLONE_PARENT_SETTID | CLONE_CHILD_SETTID |
                                  CLONE_CHILD_CLEARTID | CLONE_SYSVSEM | CLONE_SIGHAND |
                                  CLONE_THREAD | CLONE_DETACHED | CLONE_PARENT | CLONE_NEWNS |
                                  CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWPID;
  // Linux's copy_process checks, in its order.
  if ((flags & (CLONE_NEWNS | CLONE_FS)) == (CLONE_NEWNS | CLONE_FS)) return Errno(EINVAL);
  if ((flags & (CLONE_NEWUSER | CLONE_FS)) == (CLONE_NEWUSER | CLONE_FS)) return Errno(EINVAL);
  if ((flags & CLONE_THREAD) && !(flags & CLONE_SIGHAND)) return Errno(EINVAL);
  if ((flags & CLONE_SIGHAND) && !(flags & CLONE_VM)) return Errno(EINVAL);
  if (flags & CLONE_PARENT) {
    absl::MutexLock lock(&kernel_.tree_mu_);
    // An init cannot make siblings: it has no parent in its namespace.
    if (tg_->pid_namespace().init_.lock() == tg_) return Errno(EINVAL);
  }
  if (flags & CLONE_THREAD) {
    if (flags & (CLONE_NEWUSER | CLONE_NEWPID)) return Errno(EINVAL);
    if (pidns_for_children && pidns_for_children.get() != &pid_namespace()) return Errno(EINVAL);
  }
  if ((flags & (CLONE_NEWIPC | CLONE_SYSVSEM)) == (CLONE_NEWIPC | CLONE_SYSVSEM)) {
    return Errno(EINVAL);
  }
  if (flags & ~kSupported) {
    ReportUnsupported("clone flags " + std::to_string(flags & ~kSupported));
    return Errno(EINVAL);
  }
  if ((flags & CSIGNAL) > kNumSignals) return Errno(EINVAL);
  if ((flags & kNamespaceFlags) && !creds_->HasCapability(kCapSysAdmin)) return Errno(EPERM);

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
  SB_ASSIGN_OR_RETURN(Namespaces child_ns, CopyNamespaces(flags, child_fs.get()));
  PidNamespaceRef child_pidns =
      (pidns_for_children && !thread) ? pidns_for_children : tg_->pid()->ns();
  if (flags & CLONE_NEWPID) child_pidns = kernel_.NewPidNamespace(child_pidns);

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
    SB_ASSIGN_OR_RETURN(PidRef pid, kernel_.AllocatePidLocked(child_pidns));
    if (thread) {
      child_tg = tg_;
    } else {
      // CLONE_PARENT: a sibling, reported to our parent with our own exit
      // signal (Linux's copy_process).
      ThreadGroupRef parent = (flags & CLONE_PARENT) ? tg_->parent_ : tg_;
      child_tg = std::make_shared<ThreadGroup>(pid, parent);
      child_tg->exit_signal_ =
          (flags & CLONE_PARENT) ? tg_->exit_signal_ : static_cast<int>(flags & CSIGNAL);
      child_tg->pgid_ = tg_->pgid_;
      child_tg->sid_ = tg_->sid_;
      child_tg->tty_ = tg_->tty_;
      if (child_pidns->init_.expired()) child_pidns->init_ = child_tg;
      absl::MutexLock sig_lock(&tg_->signal_mu_);
      absl::MutexLock child_sig_lock(&child_tg->signal_mu_);  // not yet visible to others
      child_tg->actions_ = tg_->actions_;
      child_tg->rlimits_ = tg_->rlimits_;
      child_tg->comm_ = tg_->comm_;
      child_tg->frozen_ = tg_->frozen_;  // forked while its container freezes
      child_tg->oom_score_adj_.store(tg_->oom_score_adj_.load());
      if (parent) parent->children_.push_back(child_tg);
      kernel_.groups_[pid->global()] = child_tg;
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
    kernel_.tasks_[pid->global()] = child;
  }
  {
    absl::MutexLock share(&child->share_mu_);  // /proc may see the child already
    child->mm_ = std::move(child_mm);
    child->fds_ = std::move(child_fds);
    child->fs_ = std::move(child_fs);
    child->creds_ = creds_;
    child->ns_ = std::move(child_ns);
  }
  // Children of a thread made by unshare(CLONE_NEWPID) share its choice.
  if (thread) {
    absl::MutexLock share(&child->share_mu_);
    child->pidns_for_children = pidns_for_children;
  }
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

  // The ID as we see it (the return value, CLONE_PARENT_SETTID) and as the
  // child sees itself (CLONE_CHILD_SETTID).
  const pid_t pid = IdOf(child->pid());
  if (flags & CLONE_PARENT_SETTID) (void)CopyOutObj<int32_t>(parent_tid, pid);
  if (flags & CLONE_CHILD_SETTID) {
    // Written into the child's memory (its own copy after fork).
    if (auto iov = child->mm_->Translate(child_tid, sizeof(int32_t), PROT_WRITE); iov.ok()) {
      int32_t v = child->pid()->local();
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
