#include "kernel/futex.h"

#include <atomic>

#include "kernel/base/abi.h"

namespace sb::kernel {

ErrnoStatus FutexTable::Wait(Waiter& w, const void* mm, const uint32_t* word, uint32_t expected,
                             uint32_t bitset, absl::Time deadline) {
  std::list<Entry>::iterator it;
  {
    absl::MutexLock lock(&mu_);
    // Checked under the lock that wakers take: no wake-up is lost.
    if (__atomic_load_n(word, __ATOMIC_SEQ_CST) != expected) return Errno(EAGAIN);
    w.ResetEvents();
    it = queue_.insert(queue_.end(), Entry{mm, word, bitset, &w});
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

int FutexTable::Wake(const void* mm, const uint32_t* word, int n, uint32_t bitset) {
  absl::MutexLock lock(&mu_);
  return WakeLocked(mm, word, n, bitset);
}

ErrnoOr<int> FutexTable::Requeue(const void* mm, const uint32_t* from, const uint32_t* to,
                                 int nwake, int nrequeue, std::optional<uint32_t> expected) {
  absl::MutexLock lock(&mu_);
  if (expected && __atomic_load_n(from, __ATOMIC_SEQ_CST) != *expected) return Errno(EAGAIN);
  int count = WakeLocked(mm, from, nwake, ~0u);
  int moved = 0;
  for (auto& e : queue_) {
    if (moved >= nrequeue) break;
    if (e.word != from || e.mm != mm || e.woken) continue;
    e.word = to;
    ++moved;
  }
  return count + moved;
}

ErrnoOr<int> FutexTable::WakeOp(const void* mm, const uint32_t* word1, uint32_t* word2, int nwake,
                                int nwake2, uint32_t op) {
  const int kind = (op >> 28) & 0x7;
  const bool shift = (op >> 28) & 0x8;  // FUTEX_OP_OPARG_SHIFT
  const int cmp = (op >> 24) & 0xf;
  int32_t oparg = static_cast<int32_t>(op << 8) >> 20;  // sign-extended 12 bits
  const int32_t cmparg = static_cast<int32_t>(op << 20) >> 20;
  if (shift) {
    if (oparg < 0 || oparg > 31) return Errno(EINVAL);
    oparg = 1 << oparg;
  }
  absl::MutexLock lock(&mu_);
  uint32_t old = __atomic_load_n(word2, __ATOMIC_SEQ_CST);
  uint32_t next;
  do {
    switch (kind) {
      case 0:
        next = oparg;
        break;  // SET
      case 1:
        next = old + oparg;
        break;  // ADD
      case 2:
        next = old | oparg;
        break;  // OR
      case 3:
        next = old & ~static_cast<uint32_t>(oparg);
        break;  // ANDN
      case 4:
        next = old ^ oparg;
        break;  // XOR
      default:
        return Errno(ENOSYS);
    }
  } while (
      !__atomic_compare_exchange_n(word2, &old, next, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST));
  const int32_t o = static_cast<int32_t>(old);
  bool pass;
  switch (cmp) {
    case 0:
      pass = o == cmparg;
      break;
    case 1:
      pass = o != cmparg;
      break;
    case 2:
      pass = o < cmparg;
      break;
    case 3:
      pass = o <= cmparg;
      break;
    case 4:
      pass = o > cmparg;
      break;
    case 5:
      pass = o >= cmparg;
      break;
    default:
      return Errno(ENOSYS);
  }
  int count = WakeLocked(mm, word1, nwake, ~0u);
  if (pass) count += WakeLocked(mm, word2, nwake2, ~0u);
  return count;
}

int FutexTable::WakeLocked(const void* mm, const uint32_t* word, int n, uint32_t bitset) {
  int woken = 0;
  for (auto& e : queue_) {
    if (woken >= n) break;
    if (e.word != word || e.mm != mm || e.woken || !(e.bitset & bitset)) continue;
    e.woken = true;
    e.waiter->Notify(0);
    ++woken;
  }
  return woken;
}

}  // namespace sb::kernel
