// sem.h: System V semaphore sets of one IPC namespace (Linux: ipc/sem.c).
//
// semop applies its operations all at once or not at all; a caller that
// would block sleeps on the set's queue and tries again whenever a value
// changes (Linux instead completes sleepers' operations in update_queue;
// the outcome a program can observe is the same for the calls we serve).
// SEM_UNDO adjustments are kept per process and applied when its last
// thread exits (Linux: exit_sem; shared by threads as CLONE_SYSVSEM).
//
// Checkpoint: a set saves its Perm, values, PIDs and times; undo lists
// save per process (thread group ID, set ID, adjustments); sleepers
// restart their semop after restore. Not written yet: the kernel has no
// save path to hook into.
//
// Lock order: SemNamespace::mu_ before the set's WaitQueue (Notify under mu).
#pragma once

#include <memory>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "kernel/base/waiter.h"
#include "kernel/ipc/ipc.h"
#include "kernel/task/pid_namespace.h"

namespace sb::kernel::ipc {

// Linux's defaults (include/uapi/linux/sem.h).
inline constexpr int kSemMsl = 32000, kSemMns = 1024000000, kSemOpm = 500, kSemMni = 32000,
                     kSemVmx = 32767, kSemAem = kSemVmx;

struct SemSet {
  struct Sem {
    int value = 0;
    PidRef pid;  // the last process to change it
  };
  Perm perm;
  std::vector<Sem> sems;
  int64_t otime = 0, ctime = 0;
  bool removed = false;
  // Sleepers in semop: which semaphore and whether waiting for zero, for
  // GETNCNT/GETZCNT (Linux counts the operation a sleeper blocked on).
  std::vector<std::pair<int, bool>> sleepers;
  // Told of every change of a value and of removal.
  WaitQueue queue;
  // SEM_UNDO adjustments by process (key: the ThreadGroup).
  std::map<const void*, std::vector<int>> undo;
};

class SemNamespace : public std::enable_shared_from_this<SemNamespace> {
 public:
  ~SemNamespace();
  absl::Mutex mu;
  Registry<SemSet> ids ABSL_GUARDED_BY(mu);
  int semmsl ABSL_GUARDED_BY(mu) = kSemMsl;
  int semmns ABSL_GUARDED_BY(mu) = kSemMns;
  int semopm ABSL_GUARDED_BY(mu) = kSemOpm;
  int semmni ABSL_GUARDED_BY(mu) = kSemMni;
  int used_sems ABSL_GUARDED_BY(mu) = 0;

  // IPC_RMID: sleepers wake with EIDRM.
  void RemoveLocked(SemSet& set) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu);
};

// Records that process `tg` holds undo adjustments in `set` of `ns`.
void NoteUndo(const void* tg, const std::shared_ptr<SemNamespace>& ns,
              const std::shared_ptr<SemSet>& set);
// The process `tg` (its last thread, PID `pid`) exits: applies its undo
// adjustments (Linux's exit_sem).
void ExitSem(const void* tg, const PidRef& pid);

}  // namespace sb::kernel::ipc
