// thread_group.h: a process (Linux: signal_struct plus the thread-group
// parts of task_struct): its ID, place in the process tree, exit state,
// signal actions and resource limits.
//
// Owned by the TaskSet (kernel/task/task_set.h) from creation until it is
// reaped; tasks and children hold shared_ptrs.
#pragma once

#include <signal.h>
#include <sys/resource.h>
#include <sys/types.h>

#include <array>
#include <atomic>
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "kernel/base/waiter.h"
#include "kernel/task/pid_namespace.h"

namespace sb::kernel {
namespace tty {
class Terminal;
}  // namespace tty

class Task;
class ThreadGroup;
using ThreadGroupRef = std::shared_ptr<ThreadGroup>;

// One signal's disposition, in the kernel's layout (struct kernel_sigaction).
struct SigAction {
  uint64_t handler = 0;  // SIG_DFL (0), SIG_IGN (1) or an address
  uint64_t flags = 0;
  uint64_t restorer = 0;
  uint64_t mask = 0;
};

inline constexpr int kNumSignals = 64;
inline constexpr uint64_t SigBit(int sig) { return uint64_t{1} << (sig - 1); }
inline constexpr uint64_t kUnblockableSignals = SigBit(SIGKILL) | SigBit(SIGSTOP);
// The kernel's first real-time signal (glibc's SIGRTMIN is 34: it keeps two).
inline constexpr int kSigRtMin = 32;

// A POSIX timer (timer_create). Guarded by its ThreadGroup's signal_mu_.
struct PosixTimer {
  clockid_t clock = CLOCK_MONOTONIC;
  int notify = SIGEV_SIGNAL;  // SIGEV_SIGNAL, SIGEV_THREAD_ID or SIGEV_NONE
  int signo = SIGALRM;
  sigval_t value{};
  pid_t target_tid = 0;                       // SIGEV_THREAD_ID
  uint64_t service_id = 0;                    // TimerService id while armed
  uint64_t generation = 0;                    // bumps on every (re)arm: stale callbacks do nothing
  absl::Time expires = absl::InfinitePast();  // InfinitePast: disarmed
  absl::Duration interval;
  int overrun = 0;  // timer_getoverrun: of the last expiry signalled
};

// Pending signals (Linux's struct sigpending): standard signals coalesce to
// one instance; real-time signals queue every instance, in order.
struct SignalQueue {
  uint64_t mask = 0;
  std::array<std::deque<siginfo_t>, kNumSignals> info;

  bool Has(int sig) const { return mask & SigBit(sig); }
  // False if the signal was coalesced into one already pending.
  bool Enqueue(const siginfo_t& i) {
    const int sig = i.si_signo;
    if (sig < kSigRtMin && Has(sig)) return false;
    info[sig - 1].push_back(i);
    mask |= SigBit(sig);
    return true;
  }
  siginfo_t Dequeue(int sig) {
    auto& q = info[sig - 1];
    siginfo_t i = q.front();
    q.pop_front();
    if (q.empty()) mask &= ~SigBit(sig);
    return i;
  }
  void Discard(uint64_t bits) {
    for (int sig = 1; sig <= kNumSignals; ++sig) {
      if (bits & SigBit(sig)) info[sig - 1].clear();
    }
    mask &= ~bits;
  }
};

class ThreadGroup {
 public:
  ThreadGroup(PidRef pid, ThreadGroupRef parent)
      : parent_(std::move(parent)), pid_(std::move(pid)) {}

  // The global thread group ID (the leader's global ID).
  pid_t tgid() const { return pid_->global(); }
  // The leader's Pid: the process's ID in every namespace that sees it.
  const PidRef& pid() const { return pid_; }
  // The PID namespace the process lives in.
  PidNamespace& pid_namespace() const { return *pid_->ns(); }

  // Guarded by TaskSet::mu_ (the process tree, Linux's tasklist_lock).
  ThreadGroupRef parent_;
  std::vector<ThreadGroupRef> children_;
  std::vector<Task*> tasks_;  // live tasks; each removes itself on exit
  // The process group and session: the Pid of the process each is named
  // after (compare with SamePid).
  PidRef pgid_, sid_;
  // The controlling terminal (Linux's signal->tty; kernel/tty/terminal.h):
  // set by TIOCSCTTY or opening a terminal as a session leader, inherited
  // by fork, dropped by setsid, TIOCNOTTY and hangup.
  std::shared_ptr<tty::Terminal> tty_;
  // Orphaned with no reaper (its namespace's init died): released as soon
  // as it exits, since no process will wait for it.
  bool autoreap_ = false;
  // Has exec'd since fork (setpgid on it then fails with EACCES).
  bool execed_ = false;
  // The signal the parent gets when this process exits (clone's CSIGNAL;
  // 0 for none). A process whose exit signal is not SIGCHLD is a "clone
  // child": wait only sees it with __WCLONE or __WALL.
  int exit_signal_ = SIGCHLD;
  bool zombie_ = false;           // all tasks exited, not yet reaped
  bool child_subreaper_ = false;  // PR_SET_CHILD_SUBREAPER
  int exit_status_ = 0;           // wait(2) status word
  bool exiting_ = false;          // exit_group or a fatal signal started
  int group_exit_status_ = 0;

  // Job control (Linux's signal->flags SIGNAL_STOP_*). Guarded by signal_mu_.
  bool stopped_ ABSL_GUARDED_BY(signal_mu_) = false;
  int stop_signal_ ABSL_GUARDED_BY(signal_mu_) = 0;
  bool stop_reported_ ABSL_GUARDED_BY(signal_mu_) = true;  // to the parent's wait
  bool continued_ ABSL_GUARDED_BY(signal_mu_) = false;     // not yet reported
  // Frozen by the control API (a paused container): the threads wait in
  // DeliverSignals, invisibly to the program, until thawed (or SIGKILL).
  bool frozen_ ABSL_GUARDED_BY(signal_mu_) = false;

  // ITIMER_REAL / alarm(2): SIGALRM at `real_expires_`, then every
  // `real_interval_`. Guarded by signal_mu_; `real_generation_` makes a
  // superseded timer callback do nothing.
  uint64_t real_timer_id_ ABSL_GUARDED_BY(signal_mu_) = 0;
  uint64_t real_generation_ ABSL_GUARDED_BY(signal_mu_) = 0;
  absl::Time real_expires_ ABSL_GUARDED_BY(signal_mu_) = absl::InfinitePast();
  absl::Duration real_interval_ ABSL_GUARDED_BY(signal_mu_);

  // ITIMER_VIRTUAL and ITIMER_PROF ([0] and [1]): CPU time to consume from
  // `base` (the process's CPU time when armed) before the signal. Guarded
  // by signal_mu_.
  struct CpuTimer {
    absl::Duration value, interval, base;
    uint64_t generation = 0;
    uint64_t poll_id = 0;  // TimerService id of the next check
  };
  std::array<CpuTimer, 2> cpu_timers_ ABSL_GUARDED_BY(signal_mu_);
  // RLIMIT_CPU's checks: a superseded one does nothing (itimer.cc).
  uint64_t rlimit_cpu_generation_ ABSL_GUARDED_BY(signal_mu_) = 0;
  // The stub process's host pid, for reading the process's CPU time from
  // any thread. Set when the first task starts.
  std::atomic<int> host_pid_{0};

  // POSIX timers by id (timer_create). Guarded by signal_mu_.
  std::map<int, PosixTimer> posix_timers_ ABSL_GUARDED_BY(signal_mu_);
  int next_timer_id_ ABSL_GUARDED_BY(signal_mu_) = 0;

  // Wakes wait4/waitid in this process when a child changes state.
  WaitQueue child_events_;
  // Wakes this process's tasks blocked reading or polling a signalfd
  // (POLLIN), after a signal is queued for the process or one of its
  // threads (Linux: sighand->signalfd_wqh). Notified with no lock held;
  // see kernel/task/signalfd.h.
  WaitQueue signalfd_waiters_;
  // Set when the process has become a zombie (for the kernel's own waiters).
  absl::Notification exited_;

  // Signal actions (CLONE_SIGHAND shares them with the whole group).
  absl::Mutex signal_mu_;
  std::array<SigAction, kNumSignals> actions_ ABSL_GUARDED_BY(signal_mu_){};
  // Signals pending for the whole process. Linux: signal->shared_pending.
  SignalQueue shared_pending_ ABSL_GUARDED_BY(signal_mu_);

  // Resource limits; guarded by signal_mu_ as Linux's signal->rlim.
  std::array<struct rlimit, RLIM_NLIMITS> rlimits_ ABSL_GUARDED_BY(signal_mu_){};

  std::string comm_ ABSL_GUARDED_BY(signal_mu_);
  // /proc/[pid]/oom_score_adj: recorded and shown only (nothing here kills
  // for lack of memory). Inherited by fork.
  std::atomic<int> oom_score_adj_{0};
  // When the process was created (/proc/[pid]/stat's starttime).
  const absl::Time start_time_ = absl::Now();

  // CPU time: the process's own, recorded when it became a zombie, and
  // that of its reaped children (times(2), getrusage(RUSAGE_CHILDREN)).
  // Guarded by Kernel::tree_mu_.
  absl::Duration exit_utime_, exit_stime_;
  absl::Duration children_utime_, children_stime_;
  // Peak resident memory in bytes (Linux's signal->maxrss, cmaxrss): the
  // high-water marks of the address spaces the process left (exec, exit),
  // and the largest of its reaped children's (their own or their
  // children's). getrusage's ru_maxrss. Guarded by Kernel::tree_mu_.
  uint64_t maxrss_ = 0;
  uint64_t children_maxrss_ = 0;

 private:
  const PidRef pid_;
};

}  // namespace sb::kernel
