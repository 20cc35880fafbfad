// netstack/timer_driver.cc: see timer_driver.h.
#include "netstack/timer_driver.h"

#include <algorithm>

namespace sb::netstack {

TimerDriver::TimerDriver(Stack* stack, absl::Duration max_sleep)
    : stack_(stack), max_sleep_(max_sleep), thread_([this] { Loop(); }) {}

TimerDriver::~TimerDriver() {
  {
    absl::MutexLock l(&mu_);
    stop_ = true;
    cv_.Signal();
  }
  thread_.join();
}

void TimerDriver::Kick() {
  absl::MutexLock l(&mu_);
  kicked_ = true;
  cv_.Signal();
}

uint64_t TimerDriver::runs() {
  absl::MutexLock l(&mu_);
  return runs_;
}

void TimerDriver::Loop() {
  for (;;) {
    absl::Time now = stack_->clock().Now();
    absl::Time next = stack_->NextTimerDeadline();
    if (next <= now) {
      stack_->AdvanceTimers();
      absl::MutexLock l(&mu_);
      ++runs_;
      if (stop_) return;
      continue;
    }
    absl::Duration wait = std::min(next - now, max_sleep_);
    absl::MutexLock l(&mu_);
    if (!stop_ && !kicked_) cv_.WaitWithTimeout(&mu_, wait);
    kicked_ = false;
    if (stop_) return;
  }
}

}  // namespace sb::netstack
