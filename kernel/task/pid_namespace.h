// pid_namespace.h: process IDs as each PID namespace sees them (Linux:
// struct pid and struct pid_namespace).
//
// A Pid is one process or thread ID: a number in its own namespace and in
// every ancestor namespace up to the root, where the number is the kernel's
// global ID (the key of Kernel::tasks_). Tasks hold their Pid; a thread
// group is named by its leader's; process groups and sessions hold the Pid
// of the process they are named after, so a number stays taken while
// anything still refers to it, as in Linux.
//
// Locking: a PidNamespace's tables are guarded by Kernel::tree_mu_ (they
// change only with the process tree). Pids are immutable.
#pragma once

#include <sys/types.h>

#include <map>
#include <memory>
#include <vector>

#include "kernel/base/errno.h"

namespace sb::kernel {

class PidNamespace;
class ThreadGroup;
using PidNamespaceRef = std::shared_ptr<PidNamespace>;

class Pid {
 public:
  Pid(PidNamespaceRef ns, std::vector<pid_t> numbers)
      : ns_(std::move(ns)), numbers_(std::move(numbers)) {}

  // The number in the root namespace: the kernel-wide ID.
  pid_t global() const { return numbers_.front(); }
  // The number in the namespace the ID was made in (getpid/gettid).
  pid_t local() const { return numbers_.back(); }
  // The number `ns` knows it by, or 0 if `ns` cannot see it (Linux's
  // pid_nr_ns).
  pid_t In(const PidNamespace& ns) const;
  const PidNamespaceRef& ns() const { return ns_; }

 private:
  const PidNamespaceRef ns_;          // the deepest namespace
  const std::vector<pid_t> numbers_;  // [level]: root first
};
using PidRef = std::shared_ptr<const Pid>;

inline bool SamePid(const PidRef& a, const PidRef& b) {
  return a && b && a->global() == b->global();
}
// `pid`'s number in `ns` (0 for none or invisible).
inline pid_t PidIn(const PidRef& pid, const PidNamespace& ns) { return pid ? pid->In(ns) : 0; }

class PidNamespace {
 public:
  explicit PidNamespace(PidNamespaceRef parent)
      : parent_(std::move(parent)), level_(parent_ ? parent_->level_ + 1 : 0) {}

  const PidNamespaceRef& parent() const { return parent_; }
  int level() const { return level_; }
  // True if `this` is `other` or one of its ancestors (it sees other's IDs).
  bool IsAncestorOf(const PidNamespace& other) const;

  // --- Guarded by Kernel::tree_mu_.
  // Reserves the next free number here; EAGAIN when all are taken, ENOMEM
  // once the namespace's init has died (Linux refuses forks then).
  ErrnoOr<pid_t> ReserveLocked();
  // Records that `nr` names `pid` (after ReserveLocked in every level).
  void BindLocked(pid_t nr, const PidRef& pid);
  // The Pid with number `nr` here, if any is live.
  PidRef LookupLocked(pid_t nr) const;
  // The first process (PID 1 here): when it exits, every other process
  // of the namespace is killed and no new one may join.
  // Weak: the init's Pid refers back to this namespace.
  std::weak_ptr<ThreadGroup> init_;
  bool dead_ = false;  // init has exited
  // The number handed out last and how many were (/proc/loadavg, /proc/stat).
  pid_t last_pid_locked() const { return last_; }
  uint64_t allocations_locked() const { return allocations_; }

 private:
  const PidNamespaceRef parent_;
  const int level_;
  pid_t next_ = 1;
  pid_t last_ = 0;
  uint64_t allocations_ = 0;
  std::map<pid_t, std::weak_ptr<const Pid>> pids_;
};

}  // namespace sb::kernel
