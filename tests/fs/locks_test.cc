// Tests of the advisory lock state (fs/locks.h): flock conversions, record
// lock conflicts, splitting and merging, owner release and the deadlock
// graph.
#include "fs/locks.h"

#include <fcntl.h>

#include "gtest/gtest.h"
#include "tests/fs/test_util.h"

namespace sb::fs {
namespace {

int a_, b_, c_;  // distinct addresses as owners
const LockOwner kA{&a_, 100, false};
const LockOwner kB{&b_, 200, false};
const LockOwner kOfd{&c_, -1, true};

std::vector<std::tuple<const void*, short, int64_t, int64_t>> Locks(const FileLockContext& ctx) {
  std::vector<std::tuple<const void*, short, int64_t, int64_t>> out;
  for (const RecordLock& l : ctx.RecordLocks())
    out.emplace_back(l.owner.id, l.type, l.start, l.end);
  std::sort(out.begin(), out.end(),
            [](const auto& x, const auto& y) { return std::get<2>(x) < std::get<2>(y); });
  return out;
}

TEST(FlockTest, SharedExclusiveAndConversion) {
  FileLockContext ctx;
  ASSERT_OK(ctx.Flock(&a_, F_RDLCK));
  ASSERT_OK(ctx.Flock(&b_, F_RDLCK));
  EXPECT_ERRNO(ctx.Flock(&c_, F_WRLCK), EAGAIN);
  // A failed upgrade drops the old lock, as Linux does.
  EXPECT_ERRNO(ctx.Flock(&a_, F_WRLCK), EAGAIN);
  ASSERT_OK(ctx.Flock(&b_, F_WRLCK));
  EXPECT_ERRNO(ctx.Flock(&a_, F_RDLCK), EAGAIN);
  ASSERT_OK(ctx.Flock(&b_, F_WRLCK));  // same type again: a no-op
  ctx.ReleaseFile(&b_);
  ASSERT_OK(ctx.Flock(&a_, F_WRLCK));
  ASSERT_OK(ctx.Flock(&a_, F_UNLCK));
  ASSERT_OK(ctx.Flock(&c_, F_WRLCK));
}

TEST(RecordLockTest, ConflictsAndBlocker) {
  FileLockContext ctx;
  LockOwner blocker;
  ASSERT_OK(ctx.SetLock(kA, F_WRLCK, 0, 9, &blocker));
  EXPECT_ERRNO(ctx.SetLock(kB, F_RDLCK, 9, 20, &blocker), EAGAIN);
  EXPECT_EQ(blocker.id, &a_);
  ASSERT_OK(ctx.SetLock(kB, F_RDLCK, 10, 20, &blocker));
  ASSERT_OK(ctx.SetLock(kOfd, F_RDLCK, 15, 30, &blocker));  // readers share
  EXPECT_ERRNO(ctx.SetLock(kA, F_WRLCK, 20, 20, &blocker), EAGAIN);
  auto t = ctx.TestLock(kA, F_WRLCK, 25, 40);
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->owner.id, &c_);
  EXPECT_TRUE(t->owner.ofd);
  EXPECT_FALSE(ctx.TestLock(kA, F_WRLCK, 0, 9).has_value());  // own locks never conflict
  EXPECT_FALSE(ctx.TestLock(kB, F_RDLCK, 10, 40).has_value());
}

TEST(RecordLockTest, SplitMergeAndReplace) {
  FileLockContext ctx;
  ASSERT_OK(ctx.SetLock(kA, F_WRLCK, 0, 99, nullptr));
  ASSERT_OK(ctx.SetLock(kA, F_UNLCK, 10, 19, nullptr));
  using L = std::tuple<const void*, short, int64_t, int64_t>;
  EXPECT_EQ(Locks(ctx), (std::vector<L>{{&a_, F_WRLCK, 0, 9}, {&a_, F_WRLCK, 20, 99}}));
  ASSERT_OK(ctx.SetLock(kA, F_WRLCK, 10, 19, nullptr));
  EXPECT_EQ(Locks(ctx), (std::vector<L>{{&a_, F_WRLCK, 0, 99}}));
  ASSERT_OK(ctx.SetLock(kA, F_RDLCK, 40, 49, nullptr));
  EXPECT_EQ(
      Locks(ctx),
      (std::vector<L>{{&a_, F_WRLCK, 0, 39}, {&a_, F_RDLCK, 40, 49}, {&a_, F_WRLCK, 50, 99}}));
  // Same type, adjacent: merged into one; to the end of file.
  ASSERT_OK(ctx.SetLock(kA, F_RDLCK, 50, kLockOffsetMax, nullptr));
  EXPECT_EQ(Locks(ctx),
            (std::vector<L>{{&a_, F_WRLCK, 0, 39}, {&a_, F_RDLCK, 40, kLockOffsetMax}}));
  ASSERT_OK(ctx.SetLock(kB, F_UNLCK, 0, kLockOffsetMax, nullptr));  // not B's: nothing
  EXPECT_EQ(Locks(ctx).size(), 2u);
  ctx.ReleaseOwner(&a_);
  EXPECT_TRUE(Locks(ctx).empty());
}

TEST(RecordLockTest, ReleaseFileDropsOnlyOfdAndFlock) {
  FileLockContext ctx;
  ASSERT_OK(ctx.SetLock(kA, F_RDLCK, 0, 9, nullptr));
  ASSERT_OK(ctx.SetLock(kOfd, F_RDLCK, 0, 9, nullptr));
  ASSERT_OK(ctx.Flock(&c_, F_WRLCK));
  ctx.ReleaseFile(&c_);
  EXPECT_EQ(Locks(ctx).size(), 1u);
  ASSERT_OK(ctx.Flock(&b_, F_WRLCK));
}

TEST(RecordLockTest, UnlockNotifiesWaiters) {
  FileLockContext ctx;
  ASSERT_OK(ctx.SetLock(kA, F_WRLCK, 0, 0, nullptr));
  Waiter w;
  ScopedWaitRegistration reg(ctx.queue(), &w, ~0u);
  ctx.ReleaseOwner(&a_);
  EXPECT_EQ(w.Wait(absl::Now()), Waiter::Result::kNotified);
}

TEST(DeadlockTest, CycleIsDetected) {
  ScopedLockWait a_waits_b(&a_, &b_);
  EXPECT_FALSE(a_waits_b.deadlock());
  {
    ScopedLockWait b_waits_c(&b_, &c_);
    EXPECT_FALSE(b_waits_c.deadlock());
    ScopedLockWait c_waits_a(&c_, &a_);
    EXPECT_TRUE(c_waits_a.deadlock());
  }
  ScopedLockWait c_waits_a(&c_, &a_);  // b no longer waits: no cycle
  EXPECT_FALSE(c_waits_a.deadlock());
}

}  // namespace
}  // namespace sb::fs
