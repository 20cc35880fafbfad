// task.h: a thread of a sandboxed program (Linux: task_struct).
//
// Each Task is served by one kernel thread (std::thread) that is also the
// ptrace tracer of the task's stub; that thread runs the task loop
// (task_run.cc): switch to the program, handle its syscall or fault, check
// for signals, repeat. Methods are split by concern: task_run.cc,
// task_usermem.cc, task_clone.cc, task_exec.cc, task_exit.cc,
// task_signals.cc.
//
// Ownership: the TaskSet owns Tasks (shared_ptr) until they are reaped.
// Fields marked "task-thread only" are touched only by the task's own kernel
// thread, so need no lock.
#pragma once

#include <sched.h>
#include <signal.h>
#include <sys/types.h>

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/time/time.h"
#include "fs/vfs.h"
#include "kernel/base/credentials.h"
#include "kernel/base/errno.h"
#include "kernel/base/user_io.h"
#include "kernel/base/waiter.h"
#include "kernel/mm/memory_manager.h"
#include "kernel/platform/platform.h"
#include "kernel/seccomp/filter.h"
#include "kernel/task/fd_table.h"
#include "kernel/task/namespaces.h"
#include "kernel/task/thread_group.h"

namespace sb::kernel {

class Kernel;

// Root, working directory and umask (Linux: fs_struct). Shared by
// CLONE_FS; copied otherwise. Guarded by `mu`.
struct FsState {
  absl::Mutex mu;
  fs::Location root ABSL_GUARDED_BY(mu);
  fs::Location cwd ABSL_GUARDED_BY(mu);
  mode_t umask ABSL_GUARDED_BY(mu) = 022;
};
using FsStateRef = std::shared_ptr<FsState>;

// What a syscall handler asks of the dispatcher besides a return value.
enum class SyscallControl {
  kReturn,    // write the result into rax
  kNoReturn,  // registers were replaced (execve, rt_sigreturn): leave rax
  kExit,      // the task is exiting
};

class Task : public UserIo {
 public:
  Task(Kernel& kernel, PidRef pid, ThreadGroupRef tg);
  ~Task() override;

  // The task whose kernel thread is calling (set for the whole task loop),
  // or nullptr on any other thread (timer callbacks, the control API).
  // Linux's `current`: for the few files whose behaviour depends on the
  // caller but are reached through interfaces that pass no task (a
  // signalfd's read and poll).
  static Task* Current();

  Kernel& kernel() const { return kernel_; }
  // The global thread ID (the key of Kernel::tasks_). Changes only when a
  // non-leader thread execs and takes over its leader's ID.
  pid_t tid() const { return tid_.load(std::memory_order_relaxed); }
  // The task's Pid. Read on the task's thread or under Kernel::tree_mu_
  // (written with both).
  const PidRef& pid() const { return pid_; }
  // The namespace this task's IDs are in (its "active" PID namespace).
  PidNamespace& pid_namespace() const { return tg_->pid_namespace(); }
  // `pid` as this task sees it: its number here, 0 if invisible.
  pid_t IdOf(const PidRef& pid) const { return PidIn(pid, pid_namespace()); }
  // unshare(CLONE_NEWPID): the namespace new children start in (null: our
  // own). Read on the task thread; written there with share_mu_ held, so
  // that SnapshotResources (procfs) may read it under share_mu_.
  PidNamespaceRef pidns_for_children;
  ThreadGroup& thread_group() const { return *tg_; }
  const ThreadGroupRef& thread_group_ref() const { return tg_; }

  // --- Address space and user memory (task_usermem.cc) ---
  mm::MemoryManager& mm() const { return *mm_; }
  platform::Context* context() const { return ctx_.get(); }
  ErrnoStatus CopyIn(uint64_t addr, void* dst, size_t n) override;
  ErrnoStatus CopyOut(uint64_t addr, const void* src, size_t n) override;
  template <class T>
  ErrnoOr<T> CopyInObj(uint64_t addr) {
    T v;
    SB_TRY(CopyIn(addr, &v, sizeof(v)));
    return v;
  }
  template <class T>
  ErrnoStatus CopyOutObj(uint64_t addr, const T& v) {
    return CopyOut(addr, &v, sizeof(v));
  }
  // mm().Translate, growing the stack when `addr` is just below it.
  ErrnoOr<std::vector<struct iovec>> TranslateGrowing(uint64_t addr, size_t n, int prot);
  // A NUL-terminated string of at most `max` bytes (ENAMETOOLONG past it).
  ErrnoOr<std::string> CopyInString(uint64_t addr, size_t max);
  // A NULL-terminated array of strings (argv, envp), with Linux's limits.
  ErrnoOr<std::vector<std::string>> CopyInStringArray(uint64_t addr);
  // Host memory backing a user buffer (read/write syscalls).
  ErrnoOr<std::vector<struct iovec>> UserBuffer(uint64_t addr, size_t len, int prot);
  // Host memory backing a user iovec array (readv/writev). EINVAL for a bad count.
  ErrnoOr<std::vector<struct iovec>> UserIoVecs(uint64_t iov_addr, int iovcnt, int prot);

  // --- Files and paths ---
  FdTable& fds() const { return *fds_; }
  FsState& fs_state() const { return *fs_; }
  // The context fs/ calls take: credentials, root, cwd, umask.
  fs::FsContext FsContext() const;
  fs::MountNamespace& mount_namespace() const { return *ns_.mnt; }
  UtsNamespace& uts_namespace() const { return *ns_.uts; }
  // The task's namespaces. Task-thread only (unshare replaces them).
  const Namespaces& namespaces() const { return ns_; }
  // unshare(2) and clone's CLONE_NEW* of the mount, UTS and IPC
  // namespaces: the copies this task's flags ask for (task_clone.cc).
  ErrnoOr<Namespaces> CopyNamespaces(uint64_t flags, FsState* fs);
  // unshare(2): private copies of what `flags` names (task_clone.cc).
  ErrnoStatus Unshare(uint64_t flags);
  // The starting point for a *at() call: AT_FDCWD or a directory fd.
  ErrnoOr<fs::Location> AtLocation(int dirfd, std::string_view path);
  uint64_t RlimitCur(int resource) const;

  const Credentials& creds() const { return *creds_; }
  // Replaces the task's credentials (commit_creds). Task-thread only; holds
  // the kernel's tree_mu_ so other tasks may read creds_ under it.
  void SetCredentials(Credentials c);
  // Scheduling state (sched_setscheduler, setpriority). Only SCHED_OTHER,
  // SCHED_BATCH and SCHED_IDLE exist here. Guarded by tg's signal_mu_.
  int sched_policy = SCHED_OTHER;
  int nice = 0;
  // sched_setaffinity's mask (empty: every CPU). Guarded by tg's signal_mu_.
  std::vector<uint8_t> affinity;
  // PR_SET_KEEPCAPS. Task-thread only.
  bool keep_caps = false;

  // --- Running (task_run.cc) ---
  // Starts the kernel thread. `after_start` runs on it before the program.
  void Start();
  // Blocks the calling task until `w` is notified or a signal interrupts.
  Waiter& waiter() { return waiter_; }

  // --- Signals (task_signals.cc) ---
  uint64_t signal_mask() const { return signal_mask_; }
  void set_signal_mask(uint64_t m) { signal_mask_ = m & ~kUnblockableSignals; }
  // Queues `info` for this task and wakes it. Thread-safe.
  void SendSignal(const siginfo_t& info);
  // Interrupts whatever the task is doing so it checks for signals.
  void Interrupt();

  // Registers at the last kernel entry. Task-thread only.
  platform::Registers regs{};
  // Set by handlers that replace registers or end the task. Task-thread only.
  SyscallControl control = SyscallControl::kReturn;
  // set_tid_address. Task-thread only.
  uint64_t clear_child_tid = 0;
  // set_robust_list: the user address of the robust futex list head (0:
  // none). Walked on exit and exec (task_robust_list.cc). Task-thread only
  // (get_robust_list of another task reads it racily, as Linux does).
  std::atomic<uint64_t> robust_list_head{0};
  // The task's wait status, set when it decides to exit. Task-thread only.
  int exit_code = 0;

  // --- Lifecycle pieces used by clone/exec/exit (task_*.cc) ---
  ErrnoOr<pid_t> Clone(uint64_t flags, uint64_t stack, uint64_t parent_tid, uint64_t child_tid,
                       uint64_t tls);
  // execve: on success the task runs the new program (control = kNoReturn).
  ErrnoStatus Execve(const std::string& path, std::vector<std::string> argv,
                     std::vector<std::string> envp, int dirfd, int at_flags);
  // Begins exit of the whole thread group with wait status `status`.
  void ExitGroup(int status);
  // exit(2): ends this thread only (the process too if it is the last).
  void ExitThread(int code);
  // Ends this thread only as if killed by `sig` (Linux's do_exit(sig)): if
  // it is the last, the process's wait status says "killed by sig".
  void KillThread(int sig);

  // rt_sigreturn: restores the state saved by SetupSignalFrame.
  ErrnoStatus SignalReturn();
  // rt_sigsuspend: the mask to restore once a signal has been handled.
  // Task-thread only.
  std::optional<uint64_t> saved_mask;
  // True if a signal is pending that the current mask does not block.
  bool HasDeliverableSignal();
  // Signals pending for this task or its process.
  uint64_t PendingSignals();
  // Signals pending for this thread alone (/proc's SigPnd). Thread-safe.
  uint64_t OwnPendingSignals();
  // Takes a pending signal in `set` (thread's own first), for
  // rt_sigtimedwait. Returns nullopt if none is pending.
  std::optional<siginfo_t> DequeueSignal(uint64_t set);
  // Drops pending instances of `bits` (SIG_IGN set). Caller holds the
  // thread group's signal_mu_.
  void DiscardPendingLocked(uint64_t bits) { pending_.Discard(bits); }
  // prctl state. Task-thread only.
  // PR_SET_PDEATHSIG: sent when the parent process exits. Atomic: the
  // exiting parent's thread reads it.
  std::atomic<int> pdeath_signal{0};
  // PR_SET_NO_NEW_PRIVS. Atomic: another thread's seccomp TSYNC sets it.
  std::atomic<bool> no_new_privs{false};
  bool dumpable = true;
  // sigaltstack state. Task-thread only.
  stack_t alt_stack{nullptr, SS_DISABLE, 0};

  // --- seccomp (task_seccomp.cc) ---
  // SECCOMP_MODE_* of this task (PR_GET_SECCOMP).
  int seccomp_mode() ABSL_LOCKS_EXCLUDED(seccomp_mu_);
  // How many filters are installed (/proc's Seccomp_filters). Thread-safe.
  int seccomp_filter_count() ABSL_LOCKS_EXCLUDED(seccomp_mu_);
  // Enters strict mode. EINVAL if a filter is installed.
  ErrnoStatus SetSeccompStrict() ABSL_LOCKS_EXCLUDED(seccomp_mu_);
  // Installs a validated filter program on top of this task's stack, with
  // SECCOMP_FILTER_FLAG_{TSYNC,TSYNC_ESRCH,LOG,SPEC_ALLOW}. Returns 0, or
  // with TSYNC the tid of a thread that cannot take the new stack. EINVAL
  // in strict mode, ENOMEM past kMaxInsnsPerPath, ESRCH (TSYNC_ESRCH).
  ErrnoOr<uint64_t> AddSeccompFilter(std::vector<sock_filter> program, uint32_t flags)
      ABSL_LOCKS_EXCLUDED(seccomp_mu_);

  // A consistent view of the state other tasks may share with this one,
  // for readers on other threads (/proc). Any member may be null (an
  // exited task has no mm, files or fs).
  struct Resources {
    mm::MmRef mm;
    FdTableRef fds;
    FsStateRef fs;
    std::shared_ptr<const Credentials> creds;
    Namespaces ns;
    // unshare(CLONE_NEWPID)'s namespace for children; null: the task's own.
    PidNamespaceRef pidns_for_children;
  };
  Resources SnapshotResources() const ABSL_LOCKS_EXCLUDED(share_mu_);
  // When the task was created (/proc/[pid]/stat's starttime).
  const absl::Time start_time = absl::Now();

  // For the kernel's CreateProcess: the initial state of a first task.
  void InitFirst(mm::MmRef mm, FdTableRef fds, FsStateRef fs, std::shared_ptr<Credentials> creds,
                 Namespaces ns);

  // True once the task loop ended and the thread can be joined.
  std::thread& host_thread() { return thread_; }

 private:
  friend class TaskSet;
  friend void SendProcessSignal(Kernel&, const ThreadGroupRef&, const siginfo_t&);
  void Run();            // the task loop
  void HandleSyscall();  // one system call
  void HandleFault(const platform::StopInfo& stop);
  // Delivers pending unblocked signals; returns false if the task must exit.
  bool DeliverSignals();
  bool SetUpFirstRun();
  // Stop and continue signals act when sent (Linux's prepare_signal).
  // Returns false if the signal must be discarded.
  static bool PrepareSignal(Kernel& kernel, const ThreadGroupRef& tg, int sig);
  // Sends a synchronous fault signal that the program cannot ignore or
  // block (Linux's force_sig_info). With `default_action`, a handler is
  // dropped too, so the signal's default action runs (Linux's HANDLER_EXIT,
  // for seccomp's kills).
  void ForceSignal(const siginfo_t& info, bool default_action = false);
  // The seccomp check at syscall entry: false if the syscall must not run
  // (its result, a signal or the task's end is already arranged).
  bool SeccompAllowsSyscall() ABSL_LOCKS_EXCLUDED(seccomp_mu_);
  // Builds a signal frame for `sig` on the user stack (task_signals.cc).
  bool SetupSignalFrame(int sig, const siginfo_t& info, const SigAction& act);
  void DoExit();  // tear down and become a zombie (task_exit.cc)
  // execve's de_thread: ends every other thread of the process and waits
  // for them; a non-leader takes over the leader's ID. EAGAIN if the
  // process is exiting meanwhile (task_exec.cc).
  ErrnoStatus DeThread();
  // Robust futexes of an exiting or exec'ing thread (task_robust_list.cc).
  void ExitRobustList();
  void HandleFutexDeath(uint64_t addr, bool pi, bool pending);
  void FinishSyscall(int64_t ret);  // resolve restart codes into rax/rip

  Kernel& kernel_;           // outlives every task
  std::atomic<pid_t> tid_;   // see tid()
  PidRef pid_;               // see pid()
  const ThreadGroupRef tg_;  // immutable

  // Task-thread only after Start (set before the thread starts); the task
  // thread also holds share_mu_ when it replaces one of mm_, fds_, fs_,
  // creds_ and ns_, so other threads may read them under it
  // (SnapshotResources). A leaf lock.
  mutable absl::Mutex share_mu_;
  mm::MmRef mm_;
  std::unique_ptr<platform::Context> ctx_;
  FdTableRef fds_;
  FsStateRef fs_;
  std::shared_ptr<const Credentials> creds_;
  Namespaces ns_;

  // The FPU state a new stub starts from (fork copies the parent's).
  std::unique_ptr<platform::FpState> initial_fp_;
  // A vfork child's parent waits on this until the child execs or exits.
  std::shared_ptr<absl::Notification> vfork_done_;

  // Blocked signals. Task-thread only (other tasks read it under
  // tg_->signal_mu_ when choosing a target; writes also hold it).
  uint64_t signal_mask_ = 0;
  // Signals pending for this task only. Guarded by tg_->signal_mu_.
  SignalQueue pending_;

  // The page-fault error code of the last SIGSEGV, for the signal frame.
  // Task-thread only.
  uint64_t fault_error_code_ = 0;
  // Restart code of the last syscall, resolved at signal delivery.
  // Task-thread only.
  int restart_code_ = 0;

  // The platform context, published for Interrupt() from other threads.
  absl::Mutex ctx_mu_;
  platform::Context* live_ctx_ ABSL_GUARDED_BY(ctx_mu_) = nullptr;

  Waiter waiter_;
  std::thread thread_;
  std::atomic<bool> exited_{false};
  // exit(2) of this thread alone. Task-thread only.
  bool thread_exit_ = false;
  // Another thread of the process is exec'ing: this one must end. Set
  // under tg_->signal_mu_; read by the task's own thread.
  std::atomic<bool> killed_by_exec_{false};

  // seccomp. `seccomp_on_` lets the syscall path skip the lock until a mode
  // is set; it never goes back to false. seccomp_mu_ is a leaf lock, taken
  // after Kernel::tree_mu_: this task's thread writes the state, and so does
  // another thread of the group doing TSYNC (holding tree_mu_).
  std::atomic<bool> seccomp_on_{false};
  absl::Mutex seccomp_mu_;
  seccomp::State seccomp_ ABSL_GUARDED_BY(seccomp_mu_);
};

using TaskRef = std::shared_ptr<Task>;

// Sends a process-directed signal (kill(2)): queued for the whole process,
// taken by whichever thread does not block it. Thread-safe.
void SendProcessSignal(Kernel& kernel, const ThreadGroupRef& tg, const siginfo_t& info);
// Tells `child`'s parent that it stopped, continued or exited: signal `sig`
// (SIGCHLD, or an exit's clone exit signal; 0 for none; not for a stop or
// continue the parent asked not to be told of) and a wake-up of its waiters.
void NotifyParent(Kernel& kernel, ThreadGroup& child, int code, int status, int sig = SIGCHLD);
// Whether process group `pgrp` is orphaned: no member has a parent in
// another group of the same session (Linux's is_current_pgrp_orphaned).
// Caller holds kernel.tree_mu_.
bool IsPgrpOrphanedLocked(Kernel& kernel, const PidRef& pgrp);
// NotifyParent for a child that became a zombie, from its exit status.
void NotifyParentOfExit(Kernel& kernel, ThreadGroup& child, int sig);

}  // namespace sb::kernel
