#include "kernel/base/timer_service.h"

namespace sb {

TimerService::TimerService() : thread_([this] { Run(); }) {}

TimerService::~TimerService() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  thread_.join();
}

TimerId TimerService::Schedule(absl::Time when, std::function<void()> fn) {
  absl::MutexLock lock(&mu_);
  TimerId id = next_id_++;
  queue_.emplace(std::make_pair(when, id), std::move(fn));
  deadlines_.emplace(id, when);
  return id;
}

bool TimerService::Cancel(TimerId id) {
  absl::MutexLock lock(&mu_);
  auto it = deadlines_.find(id);
  if (it == deadlines_.end()) return false;
  queue_.erase(std::make_pair(it->second, id));
  deadlines_.erase(it);
  return true;
}

size_t TimerService::pending() const {
  absl::MutexLock lock(&mu_);
  return queue_.size();
}

void TimerService::Run() {
  absl::MutexLock lock(&mu_);
  for (;;) {
    if (stopping_) return;
    if (queue_.empty() || queue_.begin()->first.first > absl::Now()) {
      // Sleep until the head's deadline, or until the head changes (an
      // earlier Schedule, a Cancel) or the service stops; then look again.
      std::pair<absl::Time, TimerId> head = queue_.empty()
                                                ? std::make_pair(absl::InfiniteFuture(), TimerId{0})
                                                : queue_.begin()->first;
      auto changed = [this, &head]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
        return stopping_ || (queue_.empty() ? head.second != 0 : queue_.begin()->first != head);
      };
      mu_.AwaitWithDeadline(absl::Condition(&changed), head.first);
      continue;
    }
    auto it = queue_.begin();
    std::function<void()> fn = std::move(it->second);
    deadlines_.erase(it->first.second);
    queue_.erase(it);
    mu_.Unlock();
    fn();
    fn = nullptr;  // destroy the captures without the lock, too
    mu_.Lock();
  }
}

}  // namespace sb
