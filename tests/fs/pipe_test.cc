// Tests of pipes (NewPipe) and host fd files (NewHostFdFile).
#include <fcntl.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <thread>

#include "fs/vfs.h"
#include "gtest/gtest.h"
#include "tests/fs/test_util.h"

namespace sb::fs {
namespace {

using testing::ReadString;
using testing::WriteString;

TEST(PipeTest, CapacityAndAtomicity) {
  auto [r, w] = NewPipe(O_NONBLOCK);
  std::string chunk(4096, 'a');
  size_t total = 0;
  while (true) {
    auto n = WriteString(*w, chunk);
    if (!n.ok()) {
      EXPECT_EQ(n.error().value(), EAGAIN);
      break;
    }
    total += *n;
  }
  EXPECT_EQ(total, 65536u);
  EXPECT_EQ(w->Readiness(POLLOUT), 0u);
  // Free 100 bytes: a 200-byte (<= PIPE_BUF) write is all or nothing...
  ASSERT_OK(ReadString(*r, 100));
  EXPECT_ERRNO(WriteString(*w, std::string(200, 'b')), EAGAIN);
  // ...a larger one is partial.
  ASSERT_OK_AND_ASSIGN(size_t n, WriteString(*w, std::string(5000, 'c')));
  EXPECT_EQ(n, 100u);
  testing::LocalUserIo io;
  int avail = 0;
  ASSERT_OK(r->Ioctl(FIONREAD, reinterpret_cast<uint64_t>(&avail), io));
  EXPECT_EQ(avail, 65536);
  EXPECT_EQ(r->Readiness(POLLIN | POLLHUP), static_cast<uint32_t>(POLLIN));
}

TEST(PipeTest, EofAndEpipe) {
  auto [r, w] = NewPipe(0);
  EXPECT_ERRNO(ReadString(*r), EAGAIN);
  EXPECT_EQ(w->Readiness(POLLOUT | POLLERR), static_cast<uint32_t>(POLLOUT));
  ASSERT_OK(WriteString(*w, "bye"));
  EXPECT_ERRNO(WriteString(*r, "x"), EBADF);
  EXPECT_ERRNO(ReadString(*w), EBADF);
  EXPECT_ERRNO(ReadString(*r, 3, 0), ESPIPE);
  EXPECT_ERRNO(r->Seek(0, SEEK_SET), ESPIPE);
  w.reset();  // last writer closed
  EXPECT_EQ(r->Readiness(POLLIN | POLLHUP), static_cast<uint32_t>(POLLIN | POLLHUP));
  EXPECT_EQ(*ReadString(*r), "bye");
  EXPECT_EQ(*ReadString(*r), "");  // EOF

  auto [r2, w2] = NewPipe(0);
  r2.reset();
  EXPECT_ERRNO(WriteString(*w2, "x"), EPIPE);
  EXPECT_EQ(w2->Readiness(POLLOUT | POLLERR), static_cast<uint32_t>(POLLOUT | POLLERR));
  EXPECT_EQ(*WriteString(*w2, ""), 0u);
}

TEST(PipeTest, StatNameFlagsAndWakeups) {
  auto [r, w] = NewPipe(O_NONBLOCK);
  ASSERT_OK_AND_ASSIGN(struct stat st, r->Stat());
  EXPECT_TRUE(S_ISFIFO(st.st_mode));
  EXPECT_EQ(st.st_ino, w->Stat()->st_ino);
  EXPECT_EQ(r->AnonymousName(), "pipe:[" + std::to_string(st.st_ino) + "]");
  auto [r2, w2] = NewPipe(0);
  EXPECT_NE(r2->Stat()->st_ino, st.st_ino);
  EXPECT_EQ(r->status_flags(), O_RDONLY | O_NONBLOCK);
  EXPECT_EQ(w2->status_flags(), O_WRONLY);
  w2->SetStatusFlags(O_NONBLOCK | O_RDWR | O_CREAT);
  EXPECT_EQ(w2->status_flags(), O_WRONLY | O_NONBLOCK);
  EXPECT_FALSE(r->location().has_value());

  // A reader blocked on an empty pipe is woken by a write.
  Waiter waiter;
  ScopedWaitRegistration reg(r->wait_queue(), &waiter, POLLIN);
  std::thread writer([w = w] { ASSERT_OK(WriteString(*w, "wake")); });
  EXPECT_EQ(waiter.Wait(absl::Now() + absl::Seconds(10)), Waiter::Result::kNotified);
  writer.join();
  EXPECT_EQ(*ReadString(*r), "wake");
  waiter.ResetEvents();
  w.reset();
  EXPECT_TRUE(waiter.events() & POLLIN);  // writer closed: POLLIN|POLLHUP
}

TEST(PipeTest, PacketMode) {
  auto [r, w] = NewPipe(O_DIRECT);
  ASSERT_OK(WriteString(*w, "one"));
  ASSERT_OK(WriteString(*w, "second"));
  EXPECT_EQ(*ReadString(*r, 100), "one");
  EXPECT_EQ(*ReadString(*r, 3), "sec");  // the rest of the packet is dropped
  EXPECT_ERRNO(ReadString(*r), EAGAIN);
  // Stream data before a packet is read with it; F_SETFL turns packets off.
  w->SetStatusFlags(0);
  ASSERT_OK(WriteString(*w, "ab"));
  w->SetStatusFlags(O_DIRECT);
  ASSERT_OK(WriteString(*w, "pkt"));
  ASSERT_OK(WriteString(*w, "next"));
  EXPECT_EQ(*ReadString(*r, 4), "abpk");
  EXPECT_EQ(*ReadString(*r, 100), "next");
}

TEST(PipeTest, RingWrapAndScatterGather) {
  auto [r, w] = NewPipe(0);
  std::string filler(60000, 'f');
  ASSERT_OK(WriteString(*w, filler));
  EXPECT_EQ(ReadString(*r, 60000)->size(), 60000u);
  // This write wraps around the end of the 64 KiB ring.
  std::string data;
  for (int i = 0; i < 10000; ++i) data.push_back(static_cast<char>('a' + i % 26));
  struct iovec in[2] = {{data.data(), 3000}, {data.data() + 3000, 7000}};
  ASSERT_OK_AND_ASSIGN(size_t n, w->Write(HostIoVecs(in, 2), -1));
  EXPECT_EQ(n, 10000u);
  std::string a(1, 0), b(4999, 0), c(6000, 0);
  struct iovec out[3] = {{a.data(), a.size()}, {b.data(), b.size()}, {c.data(), c.size()}};
  ASSERT_OK_AND_ASSIGN(size_t got, r->Read(HostIoVecs(out, 3), -1));
  EXPECT_EQ(got, 10000u);
  EXPECT_EQ(a + b + c.substr(0, 5000), data);
}

TEST(HostFdFileTest, ReadWriteIoctl) {
  int fds[2];
  ASSERT_EQ(pipe2(fds, O_CLOEXEC | O_NONBLOCK), 0);
  FileRef r = NewHostFdFile(UniqueFd(fds[0]), O_RDONLY);
  FileRef w = NewHostFdFile(UniqueFd(fds[1]), O_WRONLY);
  EXPECT_EQ(r->Readiness(POLLIN), 0u);
  ASSERT_OK(WriteString(*w, "hi"));
  EXPECT_EQ(r->Readiness(POLLIN), static_cast<uint32_t>(POLLIN));
  testing::LocalUserIo io;
  int avail = 0;
  ASSERT_OK(r->Ioctl(FIONREAD, reinterpret_cast<uint64_t>(&avail), io));
  EXPECT_EQ(avail, 2);
  char termios[64];
  EXPECT_ERRNO(r->Ioctl(TCGETS, reinterpret_cast<uint64_t>(termios), io), ENOTTY);
  EXPECT_ERRNO(r->Ioctl(0x1234, 0, io), ENOTTY);
  EXPECT_EQ(*ReadString(*r), "hi");
  EXPECT_ERRNO(ReadString(*r), EAGAIN);
  EXPECT_ERRNO(ReadString(*r, 10, 0), ESPIPE);
  EXPECT_ERRNO(r->Seek(0, SEEK_SET), ESPIPE);
  ASSERT_OK_AND_ASSIGN(struct stat st, r->Stat());
  EXPECT_TRUE(S_ISFIFO(st.st_mode));
}

TEST(HostFdFileTest, RegularFileOffsets) {
  testing::TempDir tmp;
  tmp.WriteFile("f", "0123456789");
  int fd = open((tmp / "f").c_str(), O_RDWR | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  FileRef f = NewHostFdFile(UniqueFd(fd), O_RDWR);
  EXPECT_EQ(*ReadString(*f, 3), "012");
  EXPECT_EQ(*ReadString(*f, 3, 7), "789");
  EXPECT_EQ(*f->Seek(0, SEEK_CUR), 3);
  EXPECT_EQ(*f->Seek(-1, SEEK_END), 9);
  EXPECT_EQ(f->Stat()->st_size, 10);
}

}  // namespace
}  // namespace sb::fs
