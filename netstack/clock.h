// netstack/clock.h: the time source of a Stack.
//
// Time is injected so that retransmission, delayed-ACK, keepalive and
// TIME_WAIT behaviour is deterministic in tests: tests use ManualClock and
// call Stack::AdvanceTimers() after moving it. The owner of a Stack in
// production passes SystemClock and calls AdvanceTimers() when
// Stack::NextTimerDeadline() passes.
#ifndef SB_NETSTACK_CLOCK_H_
#define SB_NETSTACK_CLOCK_H_

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace sb::netstack {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual absl::Time Now() const = 0;
};

// The host's real-time clock.
class SystemClock final : public Clock {
 public:
  absl::Time Now() const override { return absl::Now(); }
};

// A clock that only moves when told to. Thread-safe; its lock is a leaf.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(absl::Time start = absl::FromUnixSeconds(1'000'000)) : now_(start) {}
  absl::Time Now() const override ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock l(&mu_);
    return now_;
  }
  void Advance(absl::Duration d) ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock l(&mu_);
    now_ += d;
  }

 private:
  mutable absl::Mutex mu_;
  absl::Time now_ ABSL_GUARDED_BY(mu_);
};

}  // namespace sb::netstack

#endif  // SB_NETSTACK_CLOCK_H_
