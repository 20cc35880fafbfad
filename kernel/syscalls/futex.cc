// futex.cc: futex(2): WAIT, WAKE, WAIT_BITSET, WAKE_BITSET, private or
// shared. Requeue, WAKE_OP and PI futexes come with the process issue.
#include <linux/futex.h>

#include "kernel/base/log_once.h"
#include "kernel/kernel.h"
#include "kernel/syscalls/handlers.h"

namespace sb::kernel {
namespace {

ErrnoOr<uint32_t*> FutexWord(Task& t, uint64_t addr) {
  if (addr & 3) return Errno(EINVAL);
  SB_ASSIGN_OR_RETURN(auto iov, t.mm().Translate(addr, sizeof(uint32_t), PROT_READ));
  return static_cast<uint32_t*>(iov[0].iov_base);
}

}  // namespace

const void* FutexKeyMm(mm::MemoryManager& mm, uint64_t addr, bool private_op) {
  if (!private_op) {
    auto vma = mm.Find(addr);
    if (vma && vma->shared) return nullptr;
  }
  return &mm;
}

SyscallResult Futex(Task& t, const SyscallArgs& a) {
  const uint64_t addr = a.addr(0);
  const int op = a.i32(1);
  const int cmd = op & FUTEX_CMD_MASK;
  const uint32_t val = a.u32(2);
  const void* mm = FutexKeyMm(t.mm(), addr, op & FUTEX_PRIVATE_FLAG);
  switch (cmd) {
    case FUTEX_WAIT:
    case FUTEX_WAIT_BITSET: {
      const uint32_t bitset = cmd == FUTEX_WAIT ? FUTEX_BITSET_MATCH_ANY : a.u32(5);
      if (bitset == 0) return Errno(EINVAL);
      absl::Time deadline = absl::InfiniteFuture();
      if (a.addr(3) != 0) {
        SB_ASSIGN_OR_RETURN(struct timespec ts, t.CopyInObj<struct timespec>(a.addr(3)));
        if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000) return Errno(EINVAL);
        if (cmd == FUTEX_WAIT) {
          deadline = absl::Now() + absl::DurationFromTimespec(ts);  // relative
        } else {
          // Absolute, on CLOCK_REALTIME or CLOCK_MONOTONIC.
          clockid_t c = (op & FUTEX_CLOCK_REALTIME) ? CLOCK_REALTIME : CLOCK_MONOTONIC;
          struct timespec now;
          clock_gettime(c, &now);
          deadline =
              absl::Now() + (absl::DurationFromTimespec(ts) - absl::DurationFromTimespec(now));
        }
      }
      SB_ASSIGN_OR_RETURN(uint32_t * word, FutexWord(t, addr));
      SB_TRY(t.kernel().futexes().Wait(t.waiter(), mm, word, val, bitset, deadline));
      return 0;
    }
    case FUTEX_WAKE:
    case FUTEX_WAKE_BITSET: {
      const uint32_t bitset = cmd == FUTEX_WAKE ? FUTEX_BITSET_MATCH_ANY : a.u32(5);
      if (bitset == 0) return Errno(EINVAL);
      SB_ASSIGN_OR_RETURN(uint32_t * word, FutexWord(t, addr));
      return t.kernel().futexes().Wake(
          mm, word, static_cast<int>(std::min<uint32_t>(val, INT32_MAX)), bitset);
    }
    case FUTEX_REQUEUE:
    case FUTEX_CMP_REQUEUE: {
      // The count of waiters to move travels in the timeout argument.
      const int64_t nwake = a.i32(2), nrequeue = static_cast<int32_t>(a.u64(3));
      if (nwake < 0 || nrequeue < 0) return Errno(EINVAL);
      SB_ASSIGN_OR_RETURN(uint32_t * from, FutexWord(t, addr));
      SB_ASSIGN_OR_RETURN(uint32_t * to, FutexWord(t, a.addr(4)));
      std::optional<uint32_t> expected;
      if (cmd == FUTEX_CMP_REQUEUE) expected = a.u32(5);
      SB_ASSIGN_OR_RETURN(int n,
                          t.kernel().futexes().Requeue(mm, from, to, nwake, nrequeue, expected));
      return n;
    }
    case FUTEX_WAKE_OP: {
      SB_ASSIGN_OR_RETURN(uint32_t * word1, FutexWord(t, addr));
      if (a.addr(4) & 3) return Errno(EINVAL);
      SB_ASSIGN_OR_RETURN(auto iov, t.mm().Translate(a.addr(4), 4, PROT_READ | PROT_WRITE));
      auto* word2 = static_cast<uint32_t*>(iov[0].iov_base);
      const int nwake2 = static_cast<int32_t>(a.u64(3));
      SB_ASSIGN_OR_RETURN(
          int n, t.kernel().futexes().WakeOp(mm, word1, word2, a.i32(2), nwake2, a.u32(5)));
      return n;
    }
    default:
      // PI futexes (LOCK_PI, UNLOCK_PI, ...) are not implemented yet.
      ReportUnsupported("futex op " + std::to_string(cmd));
      return Errno(ENOSYS);
  }
}

}  // namespace sb::kernel
