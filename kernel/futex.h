// futex.h: the kernel's futex table (Linux's kernel/futex/).
//
// A futex is identified by the kernel's own address of the word, which is
// unique per memory-file page (all program memory lives in the memory file,
// mapped once by the kernel), plus, for FUTEX_PRIVATE_FLAG operations, the
// address space: as Linux's keys, a private wake never reaches a waiter of
// another process, nor a shared waiter. As in Linux's get_futex_key, a
// shared operation on a private mapping is keyed by the address space too;
// only a shared operation on a MAP_SHARED page has a null `mm` (FutexKeyMm).
//
// Thread-safe. Lock order: FutexTable::mu_ is a leaf (Waiter::mu_ below it).
#pragma once

#include <cstdint>
#include <list>
#include <optional>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "kernel/base/errno.h"
#include "kernel/base/waiter.h"

namespace sb::kernel {

class FutexTable {
 public:
  // FUTEX_WAIT(_BITSET): sleeps on `word` if it still holds `expected`.
  // EAGAIN if not, ETIMEDOUT at `deadline`, ERESTARTSYS when interrupted.
  ErrnoStatus Wait(Waiter& w, const void* mm, const uint32_t* word, uint32_t expected,
                   uint32_t bitset, absl::Time deadline) ABSL_LOCKS_EXCLUDED(mu_);
  // FUTEX_WAKE(_BITSET): wakes up to `n` waiters on `word`; returns how many.
  int Wake(const void* mm, const uint32_t* word, int n, uint32_t bitset) ABSL_LOCKS_EXCLUDED(mu_);
  // FUTEX_(CMP_)REQUEUE: wakes up to `nwake` waiters on `from`, moves up to
  // `nrequeue` more to `to`. With `expected`, EAGAIN unless *from holds it.
  // Returns how many were woken or moved.
  ErrnoOr<int> Requeue(const void* mm, const uint32_t* from, const uint32_t* to, int nwake,
                       int nrequeue, std::optional<uint32_t> expected) ABSL_LOCKS_EXCLUDED(mu_);
  // FUTEX_WAKE_OP: applies `op` to *word2 atomically, wakes `nwake` on
  // word1 and, if the old value passes op's comparison, `nwake2` on word2.
  ErrnoOr<int> WakeOp(const void* mm, const uint32_t* word1, uint32_t* word2, int nwake, int nwake2,
                      uint32_t op) ABSL_LOCKS_EXCLUDED(mu_);

 private:
  struct Entry {
    const void* mm;  // null for shared futexes
    const uint32_t* word;
    uint32_t bitset;
    Waiter* waiter;  // valid while queued: Wait removes it before returning
    bool woken = false;
  };
  int WakeLocked(const void* mm, const uint32_t* word, int n, uint32_t bitset)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  absl::Mutex mu_;
  std::list<Entry> queue_ ABSL_GUARDED_BY(mu_);
};

}  // namespace sb::kernel
