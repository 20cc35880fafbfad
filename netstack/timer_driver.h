// netstack/timer_driver.h: an optional thread that runs a Stack's timers.
//
// A Stack has no threads of its own; its owner calls AdvanceTimers() when
// NextTimerDeadline() passes. Owners without a timer loop of their own (a
// real clock, no event loop) can use TimerDriver: it sleeps until the next
// deadline, never longer than `max_sleep` (deadlines only move earlier
// through Stack calls, which Kick() can announce), and stops in its
// destructor. Used with SystemClock; tests use ManualClock and no driver.
#ifndef SB_NETSTACK_TIMER_DRIVER_H_
#define SB_NETSTACK_TIMER_DRIVER_H_

#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "netstack/stack.h"

namespace sb::netstack {

class TimerDriver {
 public:
  // `stack` must outlive the driver.
  explicit TimerDriver(Stack* stack, absl::Duration max_sleep = absl::Milliseconds(10));
  ~TimerDriver() ABSL_LOCKS_EXCLUDED(mu_);
  TimerDriver(const TimerDriver&) = delete;
  TimerDriver& operator=(const TimerDriver&) = delete;

  // Re-reads the next deadline now (call after something armed a timer
  // sooner than max_sleep away, if that precision matters).
  void Kick() ABSL_LOCKS_EXCLUDED(mu_);
  uint64_t runs() ABSL_LOCKS_EXCLUDED(mu_);

 private:
  void Loop() ABSL_LOCKS_EXCLUDED(mu_);

  Stack* const stack_;
  const absl::Duration max_sleep_;
  absl::Mutex mu_;  // leaf: never held while calling into the Stack
  absl::CondVar cv_;
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  bool kicked_ ABSL_GUARDED_BY(mu_) = false;
  uint64_t runs_ ABSL_GUARDED_BY(mu_) = 0;
  std::thread thread_;  // last: starts after the fields above exist
};

}  // namespace sb::netstack

#endif  // SB_NETSTACK_TIMER_DRIVER_H_
