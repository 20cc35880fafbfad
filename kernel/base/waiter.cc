#include "kernel/base/waiter.h"

#include <algorithm>

namespace sb {

void Waiter::Notify(uint32_t events) {
  absl::MutexLock lock(&mu_);
  events_ |= events;
  notified_ = true;
}

void Waiter::Interrupt() {
  absl::MutexLock lock(&mu_);
  interrupted_ = true;
}

void Waiter::ClearInterrupt() {
  absl::MutexLock lock(&mu_);
  interrupted_ = false;
}

bool Waiter::interrupted() const {
  absl::MutexLock lock(&mu_);
  return interrupted_;
}

Waiter::Result Waiter::Wait(absl::Time deadline) {
  absl::MutexLock lock(&mu_);
  auto ready = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return notified_ || interrupted_; };
  mu_.AwaitWithDeadline(absl::Condition(&ready), deadline);
  if (interrupted_) return Result::kInterrupted;
  if (notified_) {
    notified_ = false;
    return Result::kNotified;
  }
  return Result::kTimedOut;
}

void Waiter::ResetEvents() {
  absl::MutexLock lock(&mu_);
  events_ = 0;
  notified_ = false;
}

uint32_t Waiter::events() const {
  absl::MutexLock lock(&mu_);
  return events_;
}

void WaitQueue::Register(Waiter* w, uint32_t mask) {
  absl::MutexLock lock(&mu_);
  entries_.push_back({w, mask});
}

void WaitQueue::Unregister(Waiter* w) {
  absl::MutexLock lock(&mu_);
  entries_.erase(std::remove_if(entries_.begin(), entries_.end(),
                                [w](const Entry& e) { return e.waiter == w; }),
                 entries_.end());
}

void WaitQueue::Notify(uint32_t events) {
  absl::MutexLock lock(&mu_);
  for (const Entry& e : entries_) {
    if (e.mask & events) e.waiter->Notify(events);
  }
}

}  // namespace sb
