// Tests of eventfd (NewEventFd): Linux's read/write/poll rules.
#include "fs/eventfd.h"

#include <cstring>

#include "gtest/gtest.h"
#include "kernel/base/waiter.h"
#include "tests/fs/test_util.h"

namespace sb::fs {
namespace {

ErrnoOr<size_t> WriteU64(FileDescription& f, uint64_t v) {
  struct iovec iov = {&v, sizeof(v)};
  return f.Write(HostIoVecs(&iov, 1), -1);
}
ErrnoOr<uint64_t> ReadU64(FileDescription& f) {
  uint64_t v = 0;
  struct iovec iov = {&v, sizeof(v)};
  auto r = f.Read(HostIoVecs(&iov, 1), -1);
  if (!r.ok()) return r.error();
  EXPECT_EQ(*r, 8u);
  return v;
}

TEST(EventFdTest, FlagsAndIdentity) {
  EXPECT_ERRNO(NewEventFd(0, 0x1000), EINVAL);
  ASSERT_OK_AND_ASSIGN(FileRef e, NewEventFd(0, EFD_NONBLOCK | EFD_CLOEXEC));
  EXPECT_TRUE(e->nonblocking());
  EXPECT_EQ(e->status_flags() & O_ACCMODE, O_RDWR);
  EXPECT_EQ(e->AnonymousName(), "anon_inode:[eventfd]");
  ASSERT_OK_AND_ASSIGN(FileRef e2, NewEventFd(0, 0));
  EXPECT_FALSE(e2->nonblocking());
  ASSERT_OK_AND_ASSIGN(struct stat st, e->Stat());
  EXPECT_EQ(st.st_mode, 0600u);  // no S_IFMT bits, as the host shows
  EXPECT_EQ(st.st_nlink, 1u);
  ASSERT_OK_AND_ASSIGN(struct stat st2, e2->Stat());
  EXPECT_EQ(st.st_ino, st2.st_ino);  // one anon inode
  EXPECT_EQ(st.st_dev, st2.st_dev);
}

TEST(EventFdTest, ReadResetsCounter) {
  ASSERT_OK_AND_ASSIGN(FileRef e, NewEventFd(5, 0));
  EXPECT_EQ(e->Readiness(POLLIN | POLLOUT), static_cast<uint32_t>(POLLIN | POLLOUT));
  ASSERT_OK(WriteU64(*e, 3));
  EXPECT_EQ(*ReadU64(*e), 8u);
  EXPECT_ERRNO(ReadU64(*e), EAGAIN);
  EXPECT_EQ(e->Readiness(POLLIN | POLLOUT), static_cast<uint32_t>(POLLOUT));
  ASSERT_OK(WriteU64(*e, 0));  // adds nothing, succeeds
  EXPECT_ERRNO(ReadU64(*e), EAGAIN);
}

TEST(EventFdTest, SemaphoreMode) {
  ASSERT_OK_AND_ASSIGN(FileRef e, NewEventFd(2, EFD_SEMAPHORE));
  EXPECT_EQ(*ReadU64(*e), 1u);
  EXPECT_EQ(*ReadU64(*e), 1u);
  EXPECT_ERRNO(ReadU64(*e), EAGAIN);
}

TEST(EventFdTest, ShortBuffersAreEinval) {
  ASSERT_OK_AND_ASSIGN(FileRef e, NewEventFd(1, 0));
  char buf[7] = {};
  struct iovec iov = {buf, sizeof(buf)};
  EXPECT_ERRNO(e->Read(HostIoVecs(&iov, 1), -1), EINVAL);
  EXPECT_ERRNO(e->Write(HostIoVecs(&iov, 1), -1), EINVAL);
  // 8 bytes split across iovecs are fine.
  uint64_t v = 4;
  struct iovec two[2] = {{&v, 3}, {reinterpret_cast<char*>(&v) + 3, 5}};
  ASSERT_OK(e->Write(HostIoVecs(two, 2), -1));
  EXPECT_EQ(*ReadU64(*e), 5u);
}

TEST(EventFdTest, OverflowRules) {
  ASSERT_OK_AND_ASSIGN(FileRef e, NewEventFd(0, 0));
  EXPECT_ERRNO(WriteU64(*e, UINT64_MAX), EINVAL);
  ASSERT_OK(WriteU64(*e, 0xfffffffffffffffdULL));
  EXPECT_EQ(e->Readiness(POLLOUT), static_cast<uint32_t>(POLLOUT));
  ASSERT_OK(WriteU64(*e, 1));  // reaches the maximum 0xff..fe
  EXPECT_EQ(e->Readiness(POLLIN | POLLOUT | POLLERR), static_cast<uint32_t>(POLLIN));
  EXPECT_ERRNO(WriteU64(*e, 1), EAGAIN);
  ASSERT_OK(WriteU64(*e, 0));
  EXPECT_EQ(*ReadU64(*e), 0xfffffffffffffffeULL);
  EXPECT_EQ(e->Readiness(POLLOUT), static_cast<uint32_t>(POLLOUT));
}

TEST(EventFdTest, NotifiesWaiters) {
  ASSERT_OK_AND_ASSIGN(FileRef e, NewEventFd(0, 0));
  Waiter w;
  ScopedWaitRegistration reg(e->wait_queue(), &w, POLLIN | POLLOUT);
  ASSERT_OK(WriteU64(*e, 1));
  EXPECT_TRUE(w.events() & POLLIN);
  w.ResetEvents();
  ASSERT_OK(ReadU64(*e));
  EXPECT_TRUE(w.events() & POLLOUT);
  EXPECT_EQ(w.Wait(absl::Now()), Waiter::Result::kNotified);
}

}  // namespace
}  // namespace sb::fs
