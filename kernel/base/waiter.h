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
// Besides Waiters, a queue can hold any WaitEntry: a callback object that
// is told about events (epoll items use this, as Linux's ep_poll_callback on
// a wait_queue_entry_t). A WaitRegistration registers an entry for as long
// as it lives and may safely outlive the queue itself (epoll does not keep
// the files it watches alive).
//
// Lock order: WaitQueue::mu_ before Waiter::mu_ (Notify holds the queue's
// lock while it notifies each waiter). WaitEntry::Notify therefore runs
// with the queue's lock held: it must not block, must not register on or
// unregister from the same queue, and may take only locks that are never
// held while calling WaitQueue::Notify, Register or Unregister on this
// queue.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace sb {

// Something a WaitQueue notifies. See the lock-order note above.
class WaitEntry {
 public:
  // Called with the queue's lock held, for events intersecting the mask the
  // entry was registered with.
  virtual void Notify(uint32_t events) = 0;

 protected:
  WaitEntry() = default;
  ~WaitEntry() = default;  // not deleted through a WaitEntry*
  WaitEntry(const WaitEntry&) = default;
  WaitEntry& operator=(const WaitEntry&) = default;
};

class Waiter : public WaitEntry {
 public:
  enum class Result { kNotified, kInterrupted, kTimedOut };

  Waiter() = default;
  Waiter(const Waiter&) = delete;
  Waiter& operator=(const Waiter&) = delete;

  // Records `events` and wakes the waiting thread. Thread-safe.
  void Notify(uint32_t events) override ABSL_LOCKS_EXCLUDED(mu_);
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
  // True while a thread is blocked in Wait (/proc's "S (sleeping)").
  bool waiting() const { return waiting_.load(std::memory_order_relaxed); }

 private:
  std::atomic<bool> waiting_{false};
  mutable absl::Mutex mu_;
  uint32_t events_ ABSL_GUARDED_BY(mu_) = 0;
  bool notified_ ABSL_GUARDED_BY(mu_) = false;
  bool interrupted_ ABSL_GUARDED_BY(mu_) = false;
};

class WaitQueue {
 public:
  WaitQueue();
  ~WaitQueue();
  WaitQueue(const WaitQueue&) = delete;
  WaitQueue& operator=(const WaitQueue&) = delete;

  // Registers `e` for events in `mask`. An entry may be on many queues; the
  // owner unregisters it before it dies (or uses a WaitRegistration).
  void Register(WaitEntry* e, uint32_t mask);
  void Register(Waiter* w, uint32_t mask) { Register(static_cast<WaitEntry*>(w), mask); }
  void Unregister(WaitEntry* e);
  void Unregister(Waiter* w) { Unregister(static_cast<WaitEntry*>(w)); }
  // Notifies every registered entry whose mask intersects `events`.
  void Notify(uint32_t events);

 private:
  friend class WaitRegistration;
  // The entry list, shared with WaitRegistrations so that they can
  // unregister after the queue is gone.
  struct Core {
    struct Entry {
      WaitEntry* entry;  // valid while registered
      uint32_t mask;
    };
    absl::Mutex mu;
    std::vector<Entry> entries ABSL_GUARDED_BY(mu);
    void Register(WaitEntry* e, uint32_t mask) ABSL_LOCKS_EXCLUDED(mu);
    void Unregister(WaitEntry* e) ABSL_LOCKS_EXCLUDED(mu);
  };
  const std::shared_ptr<Core> core_;  // immutable pointer; never null
};

// Keeps an entry registered on a queue until Reset or destruction. Unlike
// WaitQueue::Register, unregistering stays safe after the queue has been
// destroyed (the registration shares the queue's entry list), so an
// observer need not keep the queue's owner alive. After Reset returns, the
// entry is not being notified and will not be. Not thread-safe itself: the
// owner serializes calls.
class WaitRegistration {
 public:
  WaitRegistration() = default;
  WaitRegistration(WaitQueue* q, WaitEntry* e, uint32_t mask);
  ~WaitRegistration() { Reset(); }
  WaitRegistration(WaitRegistration&& other) noexcept;
  WaitRegistration& operator=(WaitRegistration&& other) noexcept;

  void Reset();
  bool registered() const { return core_ != nullptr; }

 private:
  std::shared_ptr<WaitQueue::Core> core_;
  WaitEntry* entry_ = nullptr;
};

// Registers a waiter on a queue for one scope.
class ScopedWaitRegistration {
 public:
  ScopedWaitRegistration(WaitQueue* q, WaitEntry* w, uint32_t mask) : q_(q), w_(w) {
    if (q_) q_->Register(w_, mask);
  }
  ~ScopedWaitRegistration() {
    if (q_) q_->Unregister(w_);
  }
  ScopedWaitRegistration(const ScopedWaitRegistration&) = delete;
  ScopedWaitRegistration& operator=(const ScopedWaitRegistration&) = delete;

 private:
  WaitQueue* q_;
  WaitEntry* w_;
};

}  // namespace sb
