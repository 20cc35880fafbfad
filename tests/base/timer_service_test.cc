// Tests of TimerService: ordering, cancellation, callbacks that schedule,
// and shutdown with callbacks still queued.
#include "kernel/base/timer_service.h"

#include <atomic>
#include <thread>
#include <vector>

#include "absl/synchronization/notification.h"
#include "gtest/gtest.h"

namespace sb {
namespace {

TEST(TimerServiceTest, RunsAfterDeadline) {
  TimerService ts;
  absl::Notification done;
  absl::Time start = absl::Now();
  absl::Time ran;
  ts.Schedule(start + absl::Milliseconds(20), [&] {
    ran = absl::Now();
    done.Notify();
  });
  ASSERT_TRUE(done.WaitForNotificationWithTimeout(absl::Seconds(10)));
  EXPECT_GE(ran - start, absl::Milliseconds(20));
}

TEST(TimerServiceTest, PastDeadlineRunsAtOnce) {
  TimerService ts;
  absl::Notification done;
  ts.Schedule(absl::Now() - absl::Seconds(1), [&] { done.Notify(); });
  EXPECT_TRUE(done.WaitForNotificationWithTimeout(absl::Seconds(10)));
}

TEST(TimerServiceTest, DeadlineOrderAndEarlierScheduleWakesThread) {
  TimerService ts;
  absl::Mutex mu;
  std::vector<int> order;
  absl::Notification done;
  absl::Time now = absl::Now();
  // A far deadline first: the thread sleeps on it; a nearer one must still
  // run first.
  ts.Schedule(now + absl::Milliseconds(60), [&] {
    absl::MutexLock l(&mu);
    order.push_back(3);
    done.Notify();
  });
  ts.Schedule(now + absl::Milliseconds(5), [&] {
    absl::MutexLock l(&mu);
    order.push_back(1);
  });
  ts.Schedule(now + absl::Milliseconds(5), [&] {  // tie: scheduling order
    absl::MutexLock l(&mu);
    order.push_back(2);
  });
  ASSERT_TRUE(done.WaitForNotificationWithTimeout(absl::Seconds(10)));
  absl::MutexLock l(&mu);
  EXPECT_EQ(order, (std::vector<int>{1, 2, 3}));
}

TEST(TimerServiceTest, CancelBeforeAndAfterFiring) {
  TimerService ts;
  std::atomic<int> runs{0};
  TimerId far = ts.Schedule(absl::Now() + absl::Hours(1), [&] { runs++; });
  EXPECT_EQ(ts.pending(), 1u);
  EXPECT_TRUE(ts.Cancel(far));
  EXPECT_FALSE(ts.Cancel(far));  // already gone
  EXPECT_EQ(ts.pending(), 0u);

  absl::Notification done;
  TimerId soon = ts.Schedule(absl::Now(), [&] { done.Notify(); });
  ASSERT_TRUE(done.WaitForNotificationWithTimeout(absl::Seconds(10)));
  EXPECT_FALSE(ts.Cancel(soon));   // it fired
  EXPECT_FALSE(ts.Cancel(12345));  // never scheduled
  EXPECT_EQ(runs.load(), 0);
}

TEST(TimerServiceTest, CallbackMaySchedule) {
  TimerService ts;
  absl::Notification done;
  std::atomic<int> n{0};
  std::function<void()> tick = [&] {
    if (++n == 3) {
      done.Notify();
    } else {
      ts.Schedule(absl::Now() + absl::Milliseconds(1), tick);
    }
  };
  ts.Schedule(absl::Now(), tick);
  ASSERT_TRUE(done.WaitForNotificationWithTimeout(absl::Seconds(10)));
  EXPECT_EQ(n.load(), 3);
}

TEST(TimerServiceTest, DestructorDropsQueuedCallbacks) {
  std::atomic<int> runs{0};
  {
    TimerService ts;
    ts.Schedule(absl::Now() + absl::Hours(1), [&] { runs++; });
  }  // must not wait an hour
  EXPECT_EQ(runs.load(), 0);
}

TEST(TimerServiceTest, ManyThreadsScheduleAndCancel) {
  TimerService ts;
  std::atomic<int> runs{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 100; ++i) {
        TimerId id = ts.Schedule(absl::Now() + absl::Milliseconds(i % 3), [&] { runs++; });
        if (i % 2 == 0 && ts.Cancel(id)) runs += 0;
      }
    });
  }
  for (auto& t : threads) t.join();
  absl::Notification done;
  ts.Schedule(absl::Now() + absl::Milliseconds(5), [&] { done.Notify(); });
  ASSERT_TRUE(done.WaitForNotificationWithTimeout(absl::Seconds(10)));
  EXPECT_GE(runs.load(), 200);  // at least the uncancelled half ran
  EXPECT_EQ(ts.pending(), 0u);
}

}  // namespace
}  // namespace sb
