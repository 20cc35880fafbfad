// kernel.h: the application kernel: one per sandbox instance.
//
// Owns the memory file, the process tree (tasks and thread groups by ID),
// the kernel's identity (uname), and the control API the daemon and
// sandboxctl use: create a process, wait for it, signal it.
//
// Lock order (take a lock only while holding locks above it):
//   Kernel::tree_mu_                 (process tree; Linux's tasklist_lock)
//     Task::seccomp_mu_              (a leaf; TSYNC holds several at once)
//     tty::Terminal::mu_             (a leaf: signals are sent after it)
//     ThreadGroup::signal_mu_        (Linux: sighand->siglock)
//       mm::MemoryManager::mu_
//         MemoryFile::mu_
//   Task::share_mu_ is a leaf (SnapshotResources).
//   fs/ locks are never held across calls into kernel/, with two
//   exceptions: procfs (kernel/procfs/) looks up tasks under the parent
//   Dentry::mu_, so Dentry::mu_ comes before tree_mu_; and epoll holds
//   EpollFile::mu_ while it polls a signalfd
//   (kernel/task/signalfd.h), which takes the polling task's
//   ThreadGroup::signal_mu_. So EpollFile::mu_ comes before signal_mu_,
//   and signalfd waiters are notified only after signal_mu_ and tree_mu_
//   are released.
#pragma once

#include <sys/utsname.h>

#include <array>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "fs/vfs.h"
#include "kernel/base/credentials.h"
#include "kernel/base/memory_file.h"
#include "kernel/base/timer_service.h"
#include "kernel/base/unique_fd.h"
#include "kernel/futex.h"
#include "kernel/platform/platform.h"
#include "kernel/task/namespaces.h"
#include "kernel/task/pid_namespace.h"
#include "kernel/task/task.h"
#include "kernel/task/thread_group.h"

namespace sb::kernel {

// The kernel's identity, as uname(2) reports it (docs/identity.md).
inline constexpr char kSysname[] = "Linux";
inline constexpr char kRelease[] = "6.1.0-sandboxd";
inline constexpr char kVersion[] = "#1 SMP PREEMPT_DYNAMIC sandboxd 0.1";
inline constexpr char kMachine[] = "x86_64";

// A new random (version 4) UUID, "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx"
// (/proc/sys/kernel/random/uuid and boot_id).
std::string NewUuid();

struct KernelOptions {
  std::string hostname = "sandbox";
  std::string domainname = "(none)";
};

// A first process to start (the control API's CreateProcess).
struct ProcessSpec {
  std::string filename;  // the program to execute (argv[0] if empty)
  std::vector<std::string> argv;
  std::vector<std::string> envp;
  std::string cwd = "/";
  std::array<UniqueFd, 3> stdio;  // host fds handed in as 0, 1, 2
  fs::MountNamespaceRef mount_namespace;
  // The PID namespace to start in (null: the root one). The first process
  // started in a namespace becomes its init (PID 1 there).
  PidNamespaceRef pid_namespace;
  // The host/domain name and IPC namespaces (null: the kernel's first ones).
  UtsNamespaceRef uts_namespace;
  IpcNamespaceRef ipc_namespace;
  Credentials creds = Credentials::Root();
};

class Kernel {
 public:
  static absl::StatusOr<std::unique_ptr<Kernel>> Create(const KernelOptions& opts);
  ~Kernel();

  MemoryFile& memory_file() { return *mf_; }
  // The first UTS and IPC namespaces (the root container's).
  const UtsNamespaceRef& root_uts_namespace() const { return root_utsns_; }
  const IpcNamespaceRef& root_ipc_namespace() const { return root_ipcns_; }
  // A new UTS namespace with the kernel's identity and `hostname`.
  UtsNamespaceRef NewUtsNamespace(std::string_view hostname) const;
  absl::Time boot_time() const { return boot_time_; }
  // A random UUID made at boot (/proc/sys/kernel/random/boot_id).
  const std::string& boot_id() const { return boot_id_; }
  // The FPU state a fresh stub starts with (what exec resets to). Recorded
  // from the first stub the kernel starts; null before that.
  std::shared_ptr<const platform::FpState> initial_fp_state() ABSL_LOCKS_EXCLUDED(fp_mu_);
  void RecordInitialFpState(const platform::FpState& fp) ABSL_LOCKS_EXCLUDED(fp_mu_);
  FutexTable& futexes() { return futexes_; }
  // Timers of every kind (timerfd, alarm, itimers). Outlives every task.
  TimerService& timers() { return timers_; }

  // Starts a new process as the init of this kernel (pid 1 first). The
  // program must exist and be executable; errors name the problem.
  absl::StatusOr<ThreadGroupRef> CreateProcess(ProcessSpec spec) ABSL_LOCKS_EXCLUDED(tree_mu_);
  // Freezes (or thaws) every process of `ns` and the namespaces below it:
  // their threads stop at their next kernel entry, a blocked syscall
  // restarts when thawed. Processes they fork while freezing are frozen too.
  void FreezePidNamespace(const PidNamespace& ns, bool frozen) ABSL_LOCKS_EXCLUDED(tree_mu_);
  // Blocks until `tg` has exited; returns its wait(2) status word and reaps it.
  int WaitForExit(const ThreadGroupRef& tg) ABSL_LOCKS_EXCLUDED(tree_mu_);

  // --- The process tree (task_set.cc) ---
  absl::Mutex tree_mu_;
  // A new ID in `ns` and each of its ancestors: EAGAIN when a table is
  // full, ENOMEM when a namespace's init has died.
  ErrnoOr<PidRef> AllocatePidLocked(const PidNamespaceRef& ns)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(tree_mu_);
  // A new PID namespace below `parent` (its first process becomes its init).
  PidNamespaceRef NewPidNamespace(const PidNamespaceRef& parent);
  const PidNamespaceRef& root_pid_namespace() const { return root_pidns_; }
  // Keyed by global ID (the root namespace's number).
  std::map<pid_t, TaskRef> tasks_ ABSL_GUARDED_BY(tree_mu_);
  std::map<pid_t, ThreadGroupRef> groups_ ABSL_GUARDED_BY(tree_mu_);
  // By global ID (the kernel's own callers).
  ThreadGroupRef FindThreadGroup(pid_t pid) ABSL_LOCKS_EXCLUDED(tree_mu_);
  TaskRef FindTask(pid_t tid) ABSL_LOCKS_EXCLUDED(tree_mu_);
  // By the number `ns` knows them by (syscalls: the caller's namespace).
  // A thread group is found by its leader's ID only.
  ThreadGroupRef FindThreadGroupIn(const PidNamespace& ns, pid_t nr) ABSL_LOCKS_EXCLUDED(tree_mu_);
  TaskRef FindTaskIn(const PidNamespace& ns, pid_t nr) ABSL_LOCKS_EXCLUDED(tree_mu_);
  ThreadGroupRef FindThreadGroupInLocked(const PidNamespace& ns, pid_t nr)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(tree_mu_);
  TaskRef FindTaskInLocked(const PidNamespace& ns, pid_t nr)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(tree_mu_);
  // Forgets a reaped process and joins its task threads.
  void ReleaseLocked(const ThreadGroupRef& tg) ABSL_EXCLUSIVE_LOCKS_REQUIRED(tree_mu_);
  // The real user ID of process `tg` (its leader's, live or exited), for
  // SIGCHLD's and waitid's si_uid.
  uid_t RealUidOfLocked(const ThreadGroup& tg) ABSL_EXCLUSIVE_LOCKS_REQUIRED(tree_mu_);
  // Forgets the task with global ID `tid` (an exited thread whose ID an
  // exec'ing thread takes); its host thread is joined with the others.
  void RetireTaskLocked(pid_t tid) ABSL_EXCLUSIVE_LOCKS_REQUIRED(tree_mu_);
  // Joins the host threads of tasks reaped so far. Never call it from a
  // thread that may itself be in the list (a task reaping itself).
  void JoinFinishedThreads() ABSL_LOCKS_EXCLUDED(tree_mu_);

 private:
  Kernel() = default;
  std::unique_ptr<MemoryFile> mf_;
  absl::Mutex fp_mu_;
  std::shared_ptr<const platform::FpState> initial_fp_ ABSL_GUARDED_BY(fp_mu_);
  FutexTable futexes_;
  struct utsname uts_ {};  // the identity; nodename/domainname are defaults
  UtsNamespaceRef root_utsns_;
  IpcNamespaceRef root_ipcns_;
  absl::Time boot_time_;
  std::string boot_id_;         // immutable after Create
  PidNamespaceRef root_pidns_;  // immutable after Create
  // Threads of reaped tasks waiting to be joined (joined outside tree_mu_).
  std::vector<std::thread> finished_threads_ ABSL_GUARDED_BY(tree_mu_);
  // Last member: destroyed first, so no timer callback runs while the rest
  // of the kernel is torn down.
  TimerService timers_;
};

}  // namespace sb::kernel
