// timer_service.h: one host thread that runs callbacks at deadlines.
//
// TimerService owns a thread and a deadline-ordered queue of callbacks.
// Schedule() adds one, Cancel() removes one that has not started. Used by
// timerfd (fs/timerfd.h) and, later, POSIX timers, itimers and alarm(2), as
// Linux's hrtimer base. Deadlines are absl::Time (CLOCK_REALTIME); callers
// of other clocks convert a remaining duration to now + remaining.
//
// Callbacks run on the service thread, one at a time, in deadline order
// (ties in scheduling order), without the service's lock held: they may
// call Schedule and Cancel. A callback should be short; it delays the ones
// after it. Cancel does not wait for a callback that is already running, so
// a callback must not capture anything its owner may destroy meanwhile
// (capture a weak_ptr to shared state, as timerfd does).
//
// Thread-safe. The thread sleeps until the earliest deadline, or
// indefinitely while the queue is empty. The destructor stops and joins the
// thread; callbacks still queued are dropped without running.
//
// Lock order: TimerService::mu_ is a leaf. Callbacks run without it, so a
// caller may hold its own locks while calling Schedule or Cancel.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <thread>
#include <utility>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace sb {

// Names a scheduled callback. Never reused within one service.
using TimerId = uint64_t;

class TimerService {
 public:
  TimerService();
  ~TimerService();
  TimerService(const TimerService&) = delete;
  TimerService& operator=(const TimerService&) = delete;

  // Runs `fn` on the service thread at or after `when` (at once if `when`
  // has passed).
  TimerId Schedule(absl::Time when, std::function<void()> fn) ABSL_LOCKS_EXCLUDED(mu_);
  // Removes the callback `id`. True if it had not started (it never will);
  // false if it has run, is running, or was never scheduled.
  bool Cancel(TimerId id) ABSL_LOCKS_EXCLUDED(mu_);
  // How many callbacks are queued (for tests and /proc).
  size_t pending() const ABSL_LOCKS_EXCLUDED(mu_);

 private:
  void Run() ABSL_LOCKS_EXCLUDED(mu_);

  mutable absl::Mutex mu_;
  // Queued callbacks, ordered by (deadline, id).
  std::map<std::pair<absl::Time, TimerId>, std::function<void()>> queue_ ABSL_GUARDED_BY(mu_);
  // The deadline of each queued id, to find it on Cancel.
  std::map<TimerId, absl::Time> deadlines_ ABSL_GUARDED_BY(mu_);
  TimerId next_id_ ABSL_GUARDED_BY(mu_) = 1;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;  // started in the constructor, joined in the destructor; declared last
};

}  // namespace sb
