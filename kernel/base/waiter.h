// waiter.h: blocking and wake-up, shared by fs objects and tasks.
//
// A task that must block (a read from an empty pipe, wait4, nanosleep)
// registers its one Waiter on the WaitQueues of the objects it waits for,
// then calls Waiter::Wait. An object whose readiness changes calls
// WaitQueue::Notify(events); a signal sent to the task calls
// Waiter::Interrupt. Events are poll(2) bits (POLLIN, POLLOUT, ...), which
// equal the EPOLL* bits. Analogous to Linux's wait_queue_head_t plus the
// task's signal_pending() check, and gVisor's waiter.Queue.
//
// Lock order: WaitQueue::mu_ before Waiter::mu_ (Notify holds the queue's
// lock while it notifies each waiter).
#pragma once

#include <cstdint>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace sb {

class Waiter {
 public:
  enum class Result { kNotified, kInterrupted, kTimedOut };

  // Records `events` and wakes the waiting thread. Thread-safe.
  void Notify(uint32_t events) ABSL_LOCKS_EXCLUDED(mu_);
  // Wakes the waiting thread with kInterrupted (a signal is pending). The
  // interruption stays set until ClearInterrupt, so a wake-up that races
  // with going to sleep is never lost.
  void Interrupt() ABSL_LOCKS_EXCLUDED(mu_);
  void ClearInterrupt() ABSL_LOCKS_EXCLUDED(mu_);
  bool interrupted() const ABSL_LOCKS_EXCLUDED(mu_);

  // Blocks until notified since the last Wait/ResetEvents, interrupted, or
  // `deadline` passes (absl::InfiniteFuture() for none).
  Result Wait(absl::Time deadline) ABSL_LOCKS_EXCLUDED(mu_);
  // Forgets notifications received so far; call before re-checking
  // readiness and waiting again.
  void ResetEvents() ABSL_LOCKS_EXCLUDED(mu_);
  uint32_t events() const ABSL_LOCKS_EXCLUDED(mu_);

 private:
  mutable absl::Mutex mu_;
  uint32_t events_ ABSL_GUARDED_BY(mu_) = 0;
  bool notified_ ABSL_GUARDED_BY(mu_) = false;
  bool interrupted_ ABSL_GUARDED_BY(mu_) = false;
};

class WaitQueue {
 public:
  // Registers `w` for events in `mask`. A waiter may be on many queues.
  void Register(Waiter* w, uint32_t mask) ABSL_LOCKS_EXCLUDED(mu_);
  void Unregister(Waiter* w) ABSL_LOCKS_EXCLUDED(mu_);
  // Notifies every registered waiter whose mask intersects `events`.
  void Notify(uint32_t events) ABSL_LOCKS_EXCLUDED(mu_);

 private:
  struct Entry {
    Waiter* waiter;  // Valid while registered: the owner unregisters before it dies.
    uint32_t mask;
  };
  absl::Mutex mu_;
  std::vector<Entry> entries_ ABSL_GUARDED_BY(mu_);
};

// Registers a waiter on a queue for one scope.
class ScopedWaitRegistration {
 public:
  ScopedWaitRegistration(WaitQueue* q, Waiter* w, uint32_t mask) : q_(q), w_(w) {
    if (q_) q_->Register(w_, mask);
  }
  ~ScopedWaitRegistration() {
    if (q_) q_->Unregister(w_);
  }
  ScopedWaitRegistration(const ScopedWaitRegistration&) = delete;
  ScopedWaitRegistration& operator=(const ScopedWaitRegistration&) = delete;

 private:
  WaitQueue* q_;
  Waiter* w_;
};

}  // namespace sb
