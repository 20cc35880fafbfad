// locks.h: advisory file locks, kept entirely inside our kernel (the host
// never sees a lock): flock(2) locks, owned by an open file description,
// and fcntl(2) record locks on byte ranges, owned either by a process's
// descriptor table (POSIX locks; Linux's fl_owner is the files_struct) or
// by an open file description (OFD locks). Linux's fs/locks.c.
//
// A FileLockContext holds the locks of one file (Linux: the inode's
// i_flctx). Filesystems hand it out through Inode::LockContext; anonymous
// files (pipes, eventfds) through FileDescription::LockContext. Lock calls
// never sleep: a conflict is EAGAIN, and a caller that wants to wait
// registers on queue(), retries and sleeps (kernel/syscalls/lock.cc).
//
// Lifetimes: a description's flock and OFD locks go at its last close
// (FileDescription's destructor); a POSIX owner's locks on a file go when
// the owner closes any descriptor of that file (ReleasePosixLocks, called by
// the descriptor table) or exits.
//
// Plain data for a checkpoint: each lock is (owner, type, range); owners
// are saved as the ids of the descriptor tables and descriptions they name.
// Thread-safe; FileLockContext::mu_ is a leaf (queue notified after it).
#pragma once

#include <fcntl.h>
#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "kernel/base/errno.h"
#include "kernel/base/waiter.h"

namespace sb::fs {

class FileDescription;

// Linux's OFFSET_MAX: a range's end meaning "to the end of the file".
inline constexpr int64_t kLockOffsetMax = INT64_MAX;

// Who holds a record lock.
struct LockOwner {
  const void* id = nullptr;  // the FdTable (POSIX) or the FileDescription (OFD)
  pid_t pid = 0;             // the locking process (F_GETLK's l_pid for POSIX locks)
  bool ofd = false;
};

struct RecordLock {
  LockOwner owner;
  short type = F_UNLCK;  // F_RDLCK or F_WRLCK
  int64_t start = 0;     // first byte
  int64_t end = 0;       // last byte (inclusive); kLockOffsetMax: to end of file
};

class FileLockContext {
 public:
  FileLockContext() = default;
  FileLockContext(const FileLockContext&) = delete;
  FileLockContext& operator=(const FileLockContext&) = delete;

  // flock(2) for description `file`: `type` is F_RDLCK (LOCK_SH), F_WRLCK
  // (LOCK_EX) or F_UNLCK. A conversion drops the old lock first, so a
  // failed upgrade leaves none (as Linux's flock_lock_inode). EAGAIN
  // (EWOULDBLOCK) when another description's lock conflicts.
  ErrnoStatus Flock(const void* file, short type) ABSL_LOCKS_EXCLUDED(mu_);

  // F_SETLK/F_OFD_SETLK: `type` (F_RDLCK, F_WRLCK or F_UNLCK) on [start,
  // end] for `owner`, splitting and merging the owner's own locks. EAGAIN
  // when another owner's lock conflicts; `*blocker` then names that owner.
  ErrnoStatus SetLock(const LockOwner& owner, short type, int64_t start, int64_t end,
                      LockOwner* blocker) ABSL_LOCKS_EXCLUDED(mu_);
  // F_GETLK/F_OFD_GETLK: a lock of another owner that would conflict with
  // `type` on [start, end], if any.
  std::optional<RecordLock> TestLock(const LockOwner& owner, short type, int64_t start, int64_t end)
      ABSL_LOCKS_EXCLUDED(mu_);

  // Drops every record lock of `owner_id`.
  void ReleaseOwner(const void* owner_id) ABSL_LOCKS_EXCLUDED(mu_);
  // Drops the flock and OFD locks of description `file` (its last close).
  void ReleaseFile(const void* file) ABSL_LOCKS_EXCLUDED(mu_);

  // Notified whenever a lock goes away or is weakened.
  WaitQueue* queue() { return &queue_; }

  // For tests: the record locks held now, in no particular order.
  std::vector<RecordLock> RecordLocks() const ABSL_LOCKS_EXCLUDED(mu_);

 private:
  mutable absl::Mutex mu_;
  std::vector<RecordLock> records_ ABSL_GUARDED_BY(mu_);
  std::vector<std::pair<const void*, short>> flocks_ ABSL_GUARDED_BY(mu_);  // (description, type)
  WaitQueue queue_;
};

// Deadlock detection for POSIX owners blocked in F_SETLKW (Linux's
// blocked_hash and posix_locks_deadlock). Records "`waiter` waits for
// `blocker`" while it lives, unless that would close a cycle of waiting
// owners: then deadlock() is true and nothing is recorded. The check and
// the record are one step, so two owners cannot both miss the cycle.
class ScopedLockWait {
 public:
  ScopedLockWait(const void* waiter, const void* blocker);
  ~ScopedLockWait();
  ScopedLockWait(const ScopedLockWait&) = delete;
  ScopedLockWait& operator=(const ScopedLockWait&) = delete;

  bool deadlock() const { return deadlock_; }

 private:
  const void* const waiter_;
  bool deadlock_ = false;
};

// A POSIX owner (descriptor table `owner`) closed a descriptor of `f`: its
// record locks on that file go (Linux's locks_remove_posix).
void ReleasePosixLocks(FileDescription& f, const void* owner);

}  // namespace sb::fs
