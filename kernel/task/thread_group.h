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
#include <memory>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "kernel/base/waiter.h"

namespace sb::kernel {

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

class ThreadGroup {
 public:
  ThreadGroup(pid_t tgid, ThreadGroupRef parent) : parent_(std::move(parent)), tgid_(tgid) {}

  pid_t tgid() const { return tgid_; }

  // Guarded by TaskSet::mu_ (the process tree, Linux's tasklist_lock).
  ThreadGroupRef parent_;
  std::vector<ThreadGroupRef> children_;
  std::vector<Task*> tasks_;  // live tasks; each removes itself on exit
  pid_t pgid_ = 0, sid_ = 0;
  bool zombie_ = false;   // all tasks exited, not yet reaped
  int exit_status_ = 0;   // wait(2) status word
  bool exiting_ = false;  // exit_group or a fatal signal started
  int group_exit_status_ = 0;

  // Job control (Linux's signal->flags SIGNAL_STOP_*). Guarded by signal_mu_.
  bool stopped_ ABSL_GUARDED_BY(signal_mu_) = false;
  int stop_signal_ ABSL_GUARDED_BY(signal_mu_) = 0;
  bool stop_reported_ ABSL_GUARDED_BY(signal_mu_) = true;  // to the parent's wait
  bool continued_ ABSL_GUARDED_BY(signal_mu_) = false;     // not yet reported

  // ITIMER_REAL / alarm(2): SIGALRM at `real_expires_`, then every
  // `real_interval_`. Guarded by signal_mu_; `real_generation_` makes a
  // superseded timer callback do nothing.
  uint64_t real_timer_id_ ABSL_GUARDED_BY(signal_mu_) = 0;
  uint64_t real_generation_ ABSL_GUARDED_BY(signal_mu_) = 0;
  absl::Time real_expires_ ABSL_GUARDED_BY(signal_mu_) = absl::InfinitePast();
  absl::Duration real_interval_ ABSL_GUARDED_BY(signal_mu_);

  // Wakes wait4/waitid in this process when a child changes state.
  WaitQueue child_events_;
  // Set when the process has become a zombie (for the kernel's own waiters).
  absl::Notification exited_;

  // Signal actions (CLONE_SIGHAND shares them with the whole group).
  absl::Mutex signal_mu_;
  std::array<SigAction, kNumSignals> actions_ ABSL_GUARDED_BY(signal_mu_){};
  // Signals pending for the whole process. Linux: signal->shared_pending.
  uint64_t shared_pending_ ABSL_GUARDED_BY(signal_mu_) = 0;
  std::array<siginfo_t, kNumSignals> shared_info_ ABSL_GUARDED_BY(signal_mu_){};

  // Resource limits; guarded by signal_mu_ as Linux's signal->rlim.
  std::array<struct rlimit, RLIM_NLIMITS> rlimits_ ABSL_GUARDED_BY(signal_mu_){};

  std::string comm_ ABSL_GUARDED_BY(signal_mu_);

  // Sum of the process's user and system time, in clock ticks (times(2)).
  std::atomic<uint64_t> children_exited_{0};

 private:
  const pid_t tgid_;
};

}  // namespace sb::kernel
