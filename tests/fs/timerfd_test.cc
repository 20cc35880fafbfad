// Tests of timerfd (NewTimerFd): arming, reading expirations, overruns,
// gettime, and the rules on flags and timespecs.
#include "fs/timerfd.h"

#include "absl/synchronization/notification.h"
#include "gtest/gtest.h"
#include "kernel/base/waiter.h"
#include "tests/fs/test_util.h"

namespace sb::fs {
namespace {

ErrnoOr<uint64_t> ReadCount(FileDescription& f) {
  uint64_t v = 0;
  struct iovec iov = {&v, sizeof(v)};
  auto r = f.Read(HostIoVecs(&iov, 1), -1);
  if (!r.ok()) return r.error();
  return v;
}

struct itimerspec Spec(absl::Duration value, absl::Duration interval = absl::ZeroDuration()) {
  struct itimerspec its;
  its.it_value = absl::ToTimespec(value);
  its.it_interval = absl::ToTimespec(interval);
  return its;
}

absl::Duration ClockNow(clockid_t c) {
  struct timespec ts;
  clock_gettime(c, &ts);
  return absl::DurationFromTimespec(ts);
}

// Waits (up to 10 s) for `f` to become readable through its wait queue.
bool WaitReadable(FileDescription& f) {
  Waiter w;
  ScopedWaitRegistration reg(f.wait_queue(), &w, POLLIN);
  absl::Time deadline = absl::Now() + absl::Seconds(10);
  while (!(f.Readiness(POLLIN) & POLLIN)) {
    if (w.Wait(deadline) == Waiter::Result::kTimedOut) return false;
    w.ResetEvents();
  }
  return true;
}

class TimerFdTest : public ::testing::Test {
 protected:
  TimerService timers_;
};

TEST_F(TimerFdTest, CreateRules) {
  EXPECT_ERRNO(NewTimerFd(CLOCK_PROCESS_CPUTIME_ID, 0, timers_), EINVAL);
  EXPECT_ERRNO(NewTimerFd(CLOCK_MONOTONIC, 0x4, timers_), EINVAL);
  for (clockid_t c : {CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_BOOTTIME, CLOCK_REALTIME_ALARM,
                      CLOCK_BOOTTIME_ALARM}) {
    ASSERT_OK(NewTimerFd(c, 0, timers_));
  }
  ASSERT_OK_AND_ASSIGN(FileRef t, NewTimerFd(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC, timers_));
  EXPECT_TRUE(t->nonblocking());
  EXPECT_EQ(t->AnonymousName(), "anon_inode:[timerfd]");
  ASSERT_OK_AND_ASSIGN(struct stat st, t->Stat());
  EXPECT_EQ(st.st_mode, 0600u);
  ASSERT_NE(AsTimerFd(*t), nullptr);
  auto [r, w] = NewPipe(0);
  EXPECT_EQ(AsTimerFd(*r), nullptr);
}

TEST_F(TimerFdTest, SetTimeRules) {
  ASSERT_OK_AND_ASSIGN(FileRef f, NewTimerFd(CLOCK_MONOTONIC, 0, timers_));
  TimerFd& t = *AsTimerFd(*f);
  struct itimerspec bad = Spec(absl::Seconds(1));
  bad.it_value.tv_nsec = 1000000000;
  EXPECT_ERRNO(t.SetTime(0, bad), EINVAL);
  bad = Spec(absl::Seconds(1));
  bad.it_interval.tv_sec = -1;
  EXPECT_ERRNO(t.SetTime(0, bad), EINVAL);
  EXPECT_ERRNO(t.SetTime(0x10, Spec(absl::Seconds(1))), EINVAL);
  EXPECT_ERRNO(t.SetTime(TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET, Spec(absl::Seconds(1))),
               EINVAL);
  // Disarmed: zero value, EAGAIN on read, not readable.
  struct itimerspec cur = t.GetTime();
  EXPECT_EQ(cur.it_value.tv_sec, 0);
  EXPECT_EQ(cur.it_value.tv_nsec, 0);
  EXPECT_ERRNO(ReadCount(*f), EAGAIN);
  EXPECT_EQ(f->Readiness(POLLIN), 0u);
  // Arm for an hour: gettime shows the remaining time, settime returns it.
  ASSERT_OK(t.SetTime(0, Spec(absl::Hours(1), absl::Seconds(7))));
  cur = t.GetTime();
  EXPECT_GT(cur.it_value.tv_sec, 3500);
  EXPECT_LE(cur.it_value.tv_sec, 3600);
  EXPECT_EQ(cur.it_interval.tv_sec, 7);
  ASSERT_OK_AND_ASSIGN(struct itimerspec old, t.SetTime(0, Spec(absl::ZeroDuration())));
  EXPECT_GT(old.it_value.tv_sec, 3500);
  EXPECT_EQ(old.it_interval.tv_sec, 7);
  cur = t.GetTime();
  EXPECT_EQ(cur.it_value.tv_sec, 0);
  EXPECT_EQ(cur.it_interval.tv_sec, 0);  // disarming clears the interval
  // A short read is EINVAL.
  char small[4];
  struct iovec iov = {small, sizeof(small)};
  EXPECT_ERRNO(f->Read(HostIoVecs(&iov, 1), -1), EINVAL);
}

TEST_F(TimerFdTest, OneShotFiresOnceAndNotifies) {
  ASSERT_OK_AND_ASSIGN(FileRef f, NewTimerFd(CLOCK_MONOTONIC, 0, timers_));
  TimerFd& t = *AsTimerFd(*f);
  absl::Duration start = ClockNow(CLOCK_MONOTONIC);
  ASSERT_OK(t.SetTime(0, Spec(absl::Milliseconds(10))));
  ASSERT_TRUE(WaitReadable(*f));
  EXPECT_GE(ClockNow(CLOCK_MONOTONIC) - start, absl::Milliseconds(10));
  EXPECT_EQ(*ReadCount(*f), 1u);
  EXPECT_ERRNO(ReadCount(*f), EAGAIN);
  struct itimerspec cur = t.GetTime();
  EXPECT_EQ(cur.it_value.tv_sec, 0);
  EXPECT_EQ(cur.it_value.tv_nsec, 0);
}

TEST_F(TimerFdTest, AbsoluteTimeInThePastFiresAtOnce) {
  for (clockid_t c : {CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_BOOTTIME}) {
    ASSERT_OK_AND_ASSIGN(FileRef f, NewTimerFd(c, 0, timers_));
    ASSERT_OK(AsTimerFd(*f)->SetTime(TFD_TIMER_ABSTIME, Spec(absl::Nanoseconds(1))));
    ASSERT_TRUE(WaitReadable(*f));
    EXPECT_EQ(*ReadCount(*f), 1u);
  }
}

TEST_F(TimerFdTest, AbsoluteTimeInTheFuture) {
  ASSERT_OK_AND_ASSIGN(FileRef f, NewTimerFd(CLOCK_MONOTONIC, 0, timers_));
  absl::Duration when = ClockNow(CLOCK_MONOTONIC) + absl::Milliseconds(15);
  ASSERT_OK(AsTimerFd(*f)->SetTime(TFD_TIMER_ABSTIME, Spec(when)));
  ASSERT_TRUE(WaitReadable(*f));
  EXPECT_GE(ClockNow(CLOCK_MONOTONIC), when);
  EXPECT_EQ(*ReadCount(*f), 1u);
}

TEST_F(TimerFdTest, PeriodicCountsOverruns) {
  ASSERT_OK_AND_ASSIGN(FileRef f, NewTimerFd(CLOCK_MONOTONIC, 0, timers_));
  absl::Duration start = ClockNow(CLOCK_MONOTONIC);
  ASSERT_OK(AsTimerFd(*f)->SetTime(0, Spec(absl::Milliseconds(5), absl::Milliseconds(5))));
  absl::SleepFor(absl::Milliseconds(40));
  ASSERT_TRUE(WaitReadable(*f));
  ASSERT_OK_AND_ASSIGN(uint64_t n, ReadCount(*f));
  absl::Duration elapsed = ClockNow(CLOCK_MONOTONIC) - start;
  // Expirations at 5, 10, ...: at least 8 by 40 ms, never more than elapsed/5.
  EXPECT_GE(n, 8u);
  EXPECT_LE(n, static_cast<uint64_t>(elapsed / absl::Milliseconds(5)));
  // It keeps going after a read.
  ASSERT_TRUE(WaitReadable(*f));
  EXPECT_GE(*ReadCount(*f), 1u);
  struct itimerspec cur = AsTimerFd(*f)->GetTime();
  EXPECT_LE(absl::DurationFromTimespec(cur.it_value), absl::Milliseconds(5));
  EXPECT_EQ(absl::DurationFromTimespec(cur.it_interval), absl::Milliseconds(5));
}

TEST_F(TimerFdTest, TinyIntervalIsCheapAndExact) {
  ASSERT_OK_AND_ASSIGN(FileRef f, NewTimerFd(CLOCK_MONOTONIC, 0, timers_));
  ASSERT_OK(AsTimerFd(*f)->SetTime(0, Spec(absl::Nanoseconds(1), absl::Nanoseconds(1))));
  absl::SleepFor(absl::Milliseconds(2));
  ASSERT_OK_AND_ASSIGN(uint64_t n, ReadCount(*f));
  EXPECT_GE(n, 2000000u);  // ~one per ns, counted, not fired
  EXPECT_LE(timers_.pending(), 1u);
}

TEST_F(TimerFdTest, SetTimeResetsCountAndCloseCancels) {
  ASSERT_OK_AND_ASSIGN(FileRef f, NewTimerFd(CLOCK_MONOTONIC, 0, timers_));
  ASSERT_OK(AsTimerFd(*f)->SetTime(TFD_TIMER_ABSTIME, Spec(absl::Nanoseconds(1))));
  ASSERT_TRUE(WaitReadable(*f));
  ASSERT_OK(AsTimerFd(*f)->SetTime(0, Spec(absl::Hours(1))));
  EXPECT_ERRNO(ReadCount(*f), EAGAIN);
  EXPECT_EQ(timers_.pending(), 1u);
  f.reset();
  EXPECT_EQ(timers_.pending(), 0u);
}

TEST_F(TimerFdTest, CloseWhileFiringIsSafe) {
  for (int i = 0; i < 50; ++i) {
    ASSERT_OK_AND_ASSIGN(FileRef f, NewTimerFd(CLOCK_MONOTONIC, 0, timers_));
    ASSERT_OK(AsTimerFd(*f)->SetTime(0, Spec(absl::Microseconds(i * 10 + 1))));
    if (i % 2) absl::SleepFor(absl::Microseconds(i * 10));
  }
  absl::Notification done;
  timers_.Schedule(absl::Now() + absl::Milliseconds(2), [&] { done.Notify(); });
  EXPECT_TRUE(done.WaitForNotificationWithTimeout(absl::Seconds(10)));
}

}  // namespace
}  // namespace sb::fs
