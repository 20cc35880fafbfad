// Tests of pipe capacity (F_GETPIPE_SZ / F_SETPIPE_SZ through AsPipe).
#include <fcntl.h>

#include "fs/eventfd.h"
#include "fs/pipe.h"
#include "fs/vfs.h"
#include "gtest/gtest.h"
#include "tests/fs/test_util.h"

namespace sb::fs {
namespace {

using testing::ReadString;
using testing::WriteString;

TEST(PipeSizeTest, GetAndRounding) {
  auto [r, w] = NewPipe(O_NONBLOCK);
  ASSERT_NE(AsPipe(*r), nullptr);
  EXPECT_EQ(AsPipe(*r), AsPipe(*w));
  ASSERT_OK_AND_ASSIGN(FileRef e, NewEventFd(0, 0));
  EXPECT_EQ(AsPipe(*e), nullptr);  // the syscall returns EBADF
  Pipe& p = *AsPipe(*r);
  EXPECT_EQ(p.Capacity(), 65536u);
  EXPECT_EQ(*p.SetCapacity(0, false), 4096u);  // at least one page
  EXPECT_EQ(p.Capacity(), 4096u);
  EXPECT_EQ(*p.SetCapacity(5000, false), 8192u);  // power-of-two pages
  EXPECT_EQ(*p.SetCapacity(65537, false), 131072u);
  EXPECT_EQ(*p.SetCapacity(1048576, false), 1048576u);  // pipe-max-size itself
}

TEST(PipeSizeTest, Limits) {
  auto [r, w] = NewPipe(0);
  Pipe& p = *AsPipe(*r);
  EXPECT_ERRNO(p.SetCapacity(1048577, false), EPERM);
  EXPECT_ERRNO(p.SetCapacity(1u << 30, false), EPERM);
  EXPECT_ERRNO(p.SetCapacity(0x80000000u, false), EPERM);  // 2^31 rounds fine, too big
  EXPECT_ERRNO(p.SetCapacity(0x80000001u, false), EINVAL);
  EXPECT_ERRNO(p.SetCapacity(0xffffffffu, true), EINVAL);  // (unsigned)-1
  EXPECT_EQ(*p.SetCapacity(2097152, true), 2097152u);      // CAP_SYS_RESOURCE
  // Shrinking from above the limit needs no privilege.
  EXPECT_EQ(*p.SetCapacity(1048577, false), 2097152u);
  EXPECT_EQ(p.Capacity(), 2097152u);
  EXPECT_EQ(*p.SetCapacity(65536, false), 65536u);
}

TEST(PipeSizeTest, BusyAndDataKept) {
  auto [r, w] = NewPipe(O_NONBLOCK);
  Pipe& p = *AsPipe(*w);
  // Wrap the ring first so resizing must linearize.
  ASSERT_OK(WriteString(*w, std::string(60000, 'x')));
  ASSERT_OK(ReadString(*r, 60000));
  std::string data;
  for (int i = 0; i < 9000; ++i) data.push_back(static_cast<char>('a' + i % 26));
  ASSERT_OK(WriteString(*w, data));
  EXPECT_ERRNO(p.SetCapacity(4096, false), EBUSY);
  EXPECT_EQ(p.Capacity(), 65536u);
  EXPECT_EQ(*p.SetCapacity(16384, false), 16384u);
  // Full at the new capacity.
  ASSERT_OK_AND_ASSIGN(size_t n, WriteString(*w, std::string(10000, 'z')));
  EXPECT_EQ(n, 16384u - 9000u);
  EXPECT_ERRNO(WriteString(*w, "z"), EAGAIN);
  EXPECT_EQ(w->Readiness(POLLOUT), 0u);
  EXPECT_EQ(*ReadString(*r, 9000), data);
  EXPECT_EQ(*ReadString(*r, 20000), std::string(n, 'z'));
}

TEST(PipeSizeTest, OnePagePipeWritability) {
  auto [r, w] = NewPipe(O_NONBLOCK);
  Pipe& p = *AsPipe(*r);
  ASSERT_OK(p.SetCapacity(4096, false));
  EXPECT_EQ(w->Readiness(POLLOUT), static_cast<uint32_t>(POLLOUT));
  ASSERT_OK(WriteString(*w, "abc"));
  EXPECT_EQ(w->Readiness(POLLOUT), 0u);  // no free page slot, as Linux
  ASSERT_OK(ReadString(*r, 3));
  EXPECT_EQ(w->Readiness(POLLOUT), static_cast<uint32_t>(POLLOUT));
}

}  // namespace
}  // namespace sb::fs
