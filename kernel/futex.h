// futex.h: the kernel's futex table (Linux's kernel/futex/).
//
// A futex is identified by the kernel's own address of the word, which is
// unique per memory-file page: private and MAP_SHARED futexes both work,
// across processes too, because all program memory lives in the memory
// file and the kernel maps it once.
//
// Thread-safe. Lock order: FutexTable::mu_ is a leaf (Waiter::mu_ below it).
#pragma once

#include <cstdint>
#include <list>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "kernel/base/errno.h"
#include "kernel/base/waiter.h"

namespace sb::kernel {

class FutexTable {
 public:
  // FUTEX_WAIT(_BITSET): sleeps on `word` if it still holds `expected`.
  // EAGAIN if not, ETIMEDOUT at `deadline`, ERESTARTSYS when interrupted.
  ErrnoStatus Wait(Waiter& w, const uint32_t* word, uint32_t expected, uint32_t bitset,
                   absl::Time deadline) ABSL_LOCKS_EXCLUDED(mu_);
  // FUTEX_WAKE(_BITSET): wakes up to `n` waiters on `word`; returns how many.
  int Wake(const uint32_t* word, int n, uint32_t bitset) ABSL_LOCKS_EXCLUDED(mu_);

 private:
  struct Entry {
    const uint32_t* word;
    uint32_t bitset;
    Waiter* waiter;  // valid while queued: Wait removes it before returning
    bool woken = false;
  };
  absl::Mutex mu_;
  std::list<Entry> queue_ ABSL_GUARDED_BY(mu_);
};

}  // namespace sb::kernel
