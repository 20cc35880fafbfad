// blocking.h: the wait-and-retry loop for operations that would block, and
// SIGPIPE for writes that cannot.
//
// fs/ never sleeps: it returns EAGAIN. A syscall that should block
// registers the task's waiter on the file's queue, re-tries, and sleeps
// until the file is ready or a signal interrupts (ERESTARTSYS, resolved at
// signal delivery into a restart or EINTR).
#pragma once

#include <initializer_list>
#include <vector>

#include "fs/file.h"
#include "kernel/base/abi.h"
#include "kernel/task/task.h"

namespace sb::kernel {

// Runs `op`; while it fails with EAGAIN (and `nonblock` is false), sleeps
// until one of `queues` reports `events`, then runs it again. A signal ends
// the wait with ERESTARTSYS.
template <class Op>
auto RetryWhileAgain(Task& t, bool nonblock, std::initializer_list<WaitQueue*> queues,
                     uint32_t events, Op&& op) -> decltype(op()) {
  auto r = op();
  if (r.ok() || r.error().value() != EAGAIN || nonblock) return r;
  Waiter& w = t.waiter();
  std::vector<WaitRegistration> regs;
  for (WaitQueue* q : queues) {
    if (q != nullptr) regs.emplace_back(q, &w, events);
  }
  if (regs.empty()) return r;  // nothing would ever wake us
  for (;;) {
    w.ResetEvents();
    r = op();
    if (r.ok() || r.error().value() != EAGAIN) return r;
    if (w.Wait(absl::InfiniteFuture()) == Waiter::Result::kInterrupted) {
      return Errno(abi::ERESTARTSYS);
    }
  }
}

// An operation on file `f` that would block: waits on its queue unless it
// is O_NONBLOCK.
template <class Op>
auto BlockOn(Task& t, fs::FileDescription& f, uint32_t events, Op&& op) -> decltype(op()) {
  return RetryWhileAgain(t, f.nonblocking(), {f.wait_queue()}, events | POLLHUP | POLLERR,
                         std::forward<Op>(op));
}

// An operation that waits on queue `q` whatever any file's O_NONBLOCK says
// (advisory locks).
template <class Op>
auto BlockOnQueue(Task& t, WaitQueue* q, Op&& op) -> decltype(op()) {
  return RetryWhileAgain(t, false, {q}, ~0u, std::forward<Op>(op));
}

// A write that found no reader (EPIPE): SIGPIPE to the writer, as Linux.
inline void SendSigpipe(Task& t) {
  siginfo_t info{};
  info.si_signo = SIGPIPE;
  info.si_code = SI_USER;
  t.SendSignal(info);
}

}  // namespace sb::kernel
