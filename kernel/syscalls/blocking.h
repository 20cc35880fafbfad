// blocking.h: the wait-and-retry loop for operations that would block.
//
// fs/ never sleeps: it returns EAGAIN. A syscall that should block
// registers the task's waiter on the file's queue, re-tries, and sleeps
// until the file is ready or a signal interrupts (ERESTARTSYS, resolved at
// signal delivery into a restart or EINTR).
#pragma once

#include "fs/file.h"
#include "kernel/base/abi.h"
#include "kernel/task/task.h"

namespace sb::kernel {

template <class Op>
auto BlockOn(Task& t, fs::FileDescription& f, uint32_t events, Op&& op) -> decltype(op()) {
  auto r = op();
  if (r.ok() || r.error().value() != EAGAIN || f.nonblocking() || f.wait_queue() == nullptr) {
    return r;
  }
  Waiter& w = t.waiter();
  ScopedWaitRegistration reg(f.wait_queue(), &w, events | POLLHUP | POLLERR);
  for (;;) {
    w.ResetEvents();
    r = op();
    if (r.ok() || r.error().value() != EAGAIN) return r;
    if (w.Wait(absl::InfiniteFuture()) == Waiter::Result::kInterrupted) {
      return Errno(abi::ERESTARTSYS);
    }
  }
}

// As BlockOn, for an operation that waits on queue `q` whatever any file's
// O_NONBLOCK says (advisory locks): retries `op` after each notification
// until it is no longer EAGAIN.
template <class Op>
auto BlockOnQueue(Task& t, WaitQueue* q, Op&& op) -> decltype(op()) {
  auto r = op();
  if (r.ok() || r.error().value() != EAGAIN) return r;
  Waiter& w = t.waiter();
  ScopedWaitRegistration reg(q, &w, ~0u);
  for (;;) {
    w.ResetEvents();
    r = op();
    if (r.ok() || r.error().value() != EAGAIN) return r;
    if (w.Wait(absl::InfiniteFuture()) == Waiter::Result::kInterrupted) {
      return Errno(abi::ERESTARTSYS);
    }
  }
}

}  // namespace sb::kernel
