#include "kernel/futex.h"

#include <atomic>

#include "kernel/base/abi.h"

namespace sb::kernel {

ErrnoStatus FutexTable::Wait(Waiter& w, const uint32_t* word, uint32_t expected, uint32_t bitset,
                             absl::Time deadline) {
  std::list<Entry>::iterator it;
  {
    absl::MutexLock lock(&mu_);
    // Checked under the lock that wakers take: no wake-up is lost.
    if (__atomic_load_n(word, __ATOMIC_SEQ_CST) != expected) return Errno(EAGAIN);
    w.ResetEvents();
    it = queue_.insert(queue_.end(), Entry{word, bitset, &w});
  }
  Waiter::Result r = Waiter::Result::kNotified;
  for (;;) {
    {
      absl::MutexLock lock(&mu_);
      if (it->woken) {
        queue_.erase(it);
        return Ok();
      }
      if (r != Waiter::Result::kNotified) {
        queue_.erase(it);
        return Errno(r == Waiter::Result::kTimedOut ? ETIMEDOUT : sb::abi::ERESTARTSYS);
      }
    }
    r = w.Wait(deadline);
  }
}

int FutexTable::Wake(const uint32_t* word, int n, uint32_t bitset) {
  absl::MutexLock lock(&mu_);
  int woken = 0;
  for (auto& e : queue_) {
    if (woken >= n) break;
    if (e.word != word || e.woken || !(e.bitset & bitset)) continue;
    e.woken = true;
    e.waiter->Notify(0);
    ++woken;
  }
  return woken;
}

}  // namespace sb::kernel
