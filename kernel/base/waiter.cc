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
  waiting_.store(true, std::memory_order_relaxed);
  mu_.AwaitWithDeadline(absl::Condition(&ready), deadline);
  waiting_.store(false, std::memory_order_relaxed);
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

WaitQueue::WaitQueue() : core_(std::make_shared<Core>()) {}

WaitQueue::~WaitQueue() = default;

void WaitQueue::Core::Register(WaitEntry* e, uint32_t mask) {
  absl::MutexLock lock(&mu);
  entries.push_back({e, mask});
}

void WaitQueue::Core::Unregister(WaitEntry* e) {
  absl::MutexLock lock(&mu);
  entries.erase(
      std::remove_if(entries.begin(), entries.end(), [e](const Entry& x) { return x.entry == e; }),
      entries.end());
}

void WaitQueue::Register(WaitEntry* e, uint32_t mask) { core_->Register(e, mask); }

void WaitQueue::Unregister(WaitEntry* e) { core_->Unregister(e); }

void WaitQueue::Notify(uint32_t events) {
  absl::MutexLock lock(&core_->mu);
  for (const Core::Entry& e : core_->entries) {
    if (e.mask & events) e.entry->Notify(events);
  }
}

WaitRegistration::WaitRegistration(WaitQueue* q, WaitEntry* e, uint32_t mask)
    : core_(q->core_), entry_(e) {
  core_->Register(e, mask);
}

WaitRegistration::WaitRegistration(WaitRegistration&& other) noexcept
    : core_(std::move(other.core_)), entry_(other.entry_) {
  other.core_ = nullptr;
}

WaitRegistration& WaitRegistration::operator=(WaitRegistration&& other) noexcept {
  if (this != &other) {
    Reset();
    core_ = std::move(other.core_);
    entry_ = other.entry_;
    other.core_ = nullptr;
  }
  return *this;
}

void WaitRegistration::Reset() {
  if (core_ == nullptr) return;
  core_->Unregister(entry_);
  core_ = nullptr;
}

}  // namespace sb
