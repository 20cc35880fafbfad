#include "fs/timerfd.h"

#include <cstring>

#include "absl/synchronization/mutex.h"
#include "fs/anon_inode.h"
#include "kernel/base/log_once.h"

namespace sb::fs {

// What a timerfd and its pending service callback share.
struct TimerFd::State {
  State(clockid_t c, TimerService& t) : clock(c), timers(t) {}

  // The timer's clock now, as a duration since the clock's epoch.
  absl::Duration Now() const {
    struct timespec ts;
    clock_gettime(clock, &ts);
    return absl::DurationFromTimespec(ts);
  }

  // Adds the expirations up to `now` to count and moves `next` past `now`
  // (Linux's hrtimer_forward_now for periodic timers).
  void UpdateLocked(absl::Duration now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    if (!armed || now < next) return;
    if (interval == absl::ZeroDuration()) {
      count += 1;
      armed = false;
      return;
    }
    absl::Duration rem;
    int64_t n = absl::IDivDuration(now - next, interval, &rem) + 1;
    count += static_cast<uint64_t>(n);
    next += interval * n;
  }

  // Asks the service for a wake-up at `next` if one is needed: only an
  // expiry that makes the count non-zero changes readiness.
  void ScheduleLocked(absl::Duration now, const std::shared_ptr<State>& self)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    if (scheduled) {
      timers.Cancel(timer_id);
      scheduled = false;
    }
    if (!armed || count > 0) return;
    std::weak_ptr<State> weak = self;
    uint64_t g = ++schedule_seq;
    timer_id = timers.Schedule(absl::Now() + (next - now), [weak, g] {
      if (auto s = weak.lock()) s->Fire(s, g);
    });
    scheduled = true;
  }

  void Fire(const std::shared_ptr<State>& self, uint64_t g) ABSL_LOCKS_EXCLUDED(mu) {
    bool ready;
    {
      absl::MutexLock lock(&mu);
      if (g != schedule_seq || !scheduled) return;  // stale: cancelled too late
      scheduled = false;
      absl::Duration now = Now();
      UpdateLocked(now);
      ready = count > 0;
      // Woken early (the service runs on CLOCK_REALTIME): ask again.
      if (!ready) ScheduleLocked(now, self);
    }
    if (ready) queue.Notify(POLLIN | POLLRDNORM);
  }

  struct itimerspec GetTimeLocked(absl::Duration now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    UpdateLocked(now);
    struct itimerspec its = {};
    if (armed) its.it_value = absl::ToTimespec(std::max(next - now, absl::ZeroDuration()));
    its.it_interval = absl::ToTimespec(interval);
    return its;
  }

  const clockid_t clock;  // immutable: the base clock
  TimerService& timers;   // immutable; outlives the file (NewTimerFd's contract)
  absl::Mutex mu;         // a leaf, above TimerService::mu_
  bool armed ABSL_GUARDED_BY(mu) = false;
  absl::Duration next ABSL_GUARDED_BY(mu);        // next expiry on `clock`, while armed
  absl::Duration interval ABSL_GUARDED_BY(mu);    // zero for one-shot
  uint64_t count ABSL_GUARDED_BY(mu) = 0;         // expirations since the last read
  uint64_t schedule_seq ABSL_GUARDED_BY(mu) = 0;  // names the latest callback
  bool scheduled ABSL_GUARDED_BY(mu) = false;     // a service callback is pending
  TimerId timer_id ABSL_GUARDED_BY(mu) = 0;
  WaitQueue queue;  // POLLIN on expiry
};

namespace {

bool ValidTimespec(const struct timespec& ts) {
  return ts.tv_sec >= 0 && ts.tv_nsec >= 0 && ts.tv_nsec < 1000000000;
}

}  // namespace

TimerFd::TimerFd(std::shared_ptr<State> state, int flags)
    : FileDescription(flags), state_(std::move(state)) {}

TimerFd::~TimerFd() {
  absl::MutexLock lock(&state_->mu);
  if (state_->scheduled) state_->timers.Cancel(state_->timer_id);
  state_->scheduled = false;
}

ErrnoOr<struct itimerspec> TimerFd::SetTime(int flags, const struct itimerspec& value) {
  if (flags & ~(TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET)) return Errno(EINVAL);
  if (flags & TFD_TIMER_CANCEL_ON_SET) {
    ReportUnsupported("timerfd_settime TFD_TIMER_CANCEL_ON_SET");
    return Errno(EINVAL);
  }
  if (!ValidTimespec(value.it_value) || !ValidTimespec(value.it_interval)) return Errno(EINVAL);
  State& s = *state_;
  absl::MutexLock lock(&s.mu);
  absl::Duration now = s.Now();
  struct itimerspec old = s.GetTimeLocked(now);
  s.count = 0;
  absl::Duration v = absl::DurationFromTimespec(value.it_value);
  s.armed = v != absl::ZeroDuration();
  s.interval = s.armed ? absl::DurationFromTimespec(value.it_interval) : absl::ZeroDuration();
  if (s.armed) s.next = (flags & TFD_TIMER_ABSTIME) ? v : now + v;
  s.ScheduleLocked(now, state_);
  return old;
}

struct itimerspec TimerFd::GetTime() {
  absl::MutexLock lock(&state_->mu);
  return state_->GetTimeLocked(state_->Now());
}

ErrnoOr<size_t> TimerFd::Read(HostIoVecs dst, int64_t offset) {
  if (TotalLength(dst) < sizeof(uint64_t)) return Errno(EINVAL);
  uint64_t value;
  {
    State& s = *state_;
    absl::MutexLock lock(&s.mu);
    absl::Duration now = s.Now();
    s.UpdateLocked(now);
    if (s.count == 0) return Errno(EAGAIN);
    value = s.count;
    s.count = 0;
    s.ScheduleLocked(now, state_);
  }
  ScatterToIoVecs(dst, 0, &value, sizeof(value));
  return sizeof(uint64_t);
}

ErrnoOr<struct stat> TimerFd::Stat() { return AnonInodeStat(); }

uint32_t TimerFd::Readiness(uint32_t mask) {
  absl::MutexLock lock(&state_->mu);
  state_->UpdateLocked(state_->Now());
  return state_->count > 0 ? (mask & (POLLIN | POLLRDNORM)) : 0;
}

WaitQueue* TimerFd::wait_queue() { return &state_->queue; }

ErrnoOr<FileRef> NewTimerFd(clockid_t clock, int flags, TimerService& timers) {
  if (flags & ~(TFD_NONBLOCK | TFD_CLOEXEC)) return Errno(EINVAL);
  clockid_t base;
  switch (clock) {
    case CLOCK_REALTIME:
    case CLOCK_REALTIME_ALARM:
      base = CLOCK_REALTIME;
      break;
    case CLOCK_MONOTONIC:
      base = CLOCK_MONOTONIC;
      break;
    case CLOCK_BOOTTIME:
    case CLOCK_BOOTTIME_ALARM:
      base = CLOCK_BOOTTIME;
      break;
    default:
      return Errno(EINVAL);
  }
  int fflags = O_RDWR | ((flags & TFD_NONBLOCK) ? O_NONBLOCK : 0);
  return FileRef(std::make_shared<TimerFd>(std::make_shared<TimerFd::State>(base, timers), fflags));
}

TimerFd* AsTimerFd(FileDescription& f) { return dynamic_cast<TimerFd*>(&f); }

}  // namespace sb::fs
