// task_robust_list.cc: robust futexes (Linux's exit_robust_list). A
// thread registers a list of the futex-based locks it holds
// (set_robust_list); when it exits or execs, each lock still recorded as
// its own gets FUTEX_OWNER_DIED and one waiter is woken, so a process can
// recover a mutex whose owner died.
#include <linux/futex.h>

#include "kernel/kernel.h"
#include "kernel/syscalls/handlers.h"
#include "kernel/task/task.h"

namespace sb::kernel {
namespace {

constexpr int kRobustListLimit = 2048;  // Linux's ROBUST_LIST_LIMIT

}  // namespace

// Marks the futex word at `addr` as abandoned if this task owns it.
// `pending` is true for the list_op_pending entry (the lock being taken or
// released when the thread died).
void Task::HandleFutexDeath(uint64_t addr, bool pi, bool pending) {
  if (addr % 4 != 0) return;
  auto iov = mm_->Translate(addr, 4, PROT_READ | PROT_WRITE);
  if (!iov.ok()) return;
  auto* word = static_cast<uint32_t*>((*iov)[0].iov_base);
  const pid_t tid = pid_->local();
  const void* key = FutexKeyMm(*mm_, addr, /*private_op=*/false);
  uint32_t uval = __atomic_load_n(word, __ATOMIC_SEQ_CST);
  for (;;) {
    // Died between taking the lock's word and recording it: no owner yet,
    // but a waiter may need waking (Linux 5.9+).
    if (pending && !pi && uval == 0) {
      kernel_.futexes().Wake(key, word, 1, FUTEX_BITSET_MATCH_ANY);
      return;
    }
    if ((uval & FUTEX_TID_MASK) != static_cast<uint32_t>(tid)) return;
    const uint32_t mval = (uval & FUTEX_WAITERS) | FUTEX_OWNER_DIED;
    if (__atomic_compare_exchange_n(word, &uval, mval, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) {
      break;
    }
  }
  if (!pi && (uval & FUTEX_WAITERS)) kernel_.futexes().Wake(key, word, 1, FUTEX_BITSET_MATCH_ANY);
}

void Task::ExitRobustList() {
  const uint64_t head_addr = robust_list_head;
  robust_list_head = 0;
  if (head_addr == 0 || !mm_) return;
  auto head = CopyInObj<struct robust_list_head>(head_addr);
  if (!head.ok()) return;
  const uint64_t offset = static_cast<uint64_t>(head->futex_offset);
  const uint64_t pending = reinterpret_cast<uint64_t>(head->list_op_pending);
  // Entries are user pointers whose lowest bit marks a PI futex.
  uint64_t entry = reinterpret_cast<uint64_t>(head->list.next);
  for (int n = 0; entry != head_addr && n < kRobustListLimit; ++n) {
    // Read the next link first: waking may let the lock be reused.
    auto next = CopyInObj<uint64_t>(entry & ~uint64_t{1});
    if (!next.ok()) return;
    if (entry != pending) HandleFutexDeath((entry & ~uint64_t{1}) + offset, entry & 1, false);
    entry = *next;
  }
  if (pending != 0) HandleFutexDeath((pending & ~uint64_t{1}) + offset, pending & 1, true);
}

}  // namespace sb::kernel
