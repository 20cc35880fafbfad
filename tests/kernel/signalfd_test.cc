// Tests of signalfd files (kernel/task/signalfd.h) off a task thread, and of
// the siginfo -> signalfd_siginfo conversion for every kind of siginfo. The
// reading task's side is covered by tests/syscalls/signalfd.c.
#include "kernel/task/signalfd.h"

#include <sys/eventfd.h>

#include "fs/eventfd.h"
#include "gtest/gtest.h"
#include "kernel/task/task.h"
#include "tests/fs/test_util.h"

namespace sb::kernel {
namespace {

static_assert(sizeof(struct signalfd_siginfo) == 128);

siginfo_t Info(int sig, int code) {
  siginfo_t i{};
  i.si_signo = sig;
  i.si_code = code;
  return i;
}

TEST(SignalFdTest, FlagsAndIdentity) {
  EXPECT_ERRNO(NewSignalFd(0, O_APPEND), EINVAL);
  ASSERT_OK_AND_ASSIGN(fs::FileRef f, NewSignalFd(SigBit(SIGUSR1), SFD_NONBLOCK | SFD_CLOEXEC));
  EXPECT_TRUE(f->nonblocking());
  EXPECT_EQ(f->status_flags() & O_ACCMODE, O_RDWR);
  EXPECT_EQ(f->AnonymousName(), "anon_inode:[signalfd]");
  ASSERT_OK_AND_ASSIGN(fs::FileRef g, NewSignalFd(0, 0));
  EXPECT_FALSE(g->nonblocking());
  ASSERT_OK_AND_ASSIGN(struct stat st, f->Stat());
  EXPECT_EQ(st.st_mode, 0600u);
  auto seek = f->Seek(100, SEEK_SET);
  ASSERT_TRUE(seek.ok());
  EXPECT_EQ(*seek, 0);
}

TEST(SignalFdTest, MaskDropsKillAndStop) {
  ASSERT_OK_AND_ASSIGN(fs::FileRef f, NewSignalFd(~uint64_t{0}, 0));
  SignalFd* s = AsSignalFd(*f);
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->mask(), ~kUnblockableSignals);
  s->SetMask(SigBit(SIGKILL) | SigBit(SIGUSR2));
  EXPECT_EQ(s->mask(), SigBit(SIGUSR2));
  ASSERT_OK_AND_ASSIGN(fs::FileRef e, fs::NewEventFd(0, 0));
  EXPECT_EQ(AsSignalFd(*e), nullptr);
}

// Off a task thread nothing is ever pending, and the sizes are still checked.
TEST(SignalFdTest, NotATask) {
  ASSERT_EQ(Task::Current(), nullptr);
  ASSERT_OK_AND_ASSIGN(fs::FileRef f, NewSignalFd(SigBit(SIGUSR1), 0));
  uint8_t buf[256];
  struct iovec small = {buf, 127};
  EXPECT_ERRNO(f->Read(HostIoVecs(&small, 1), -1), EINVAL);
  struct iovec one = {buf, 128};
  EXPECT_ERRNO(f->Read(HostIoVecs(&one, 1), -1), EAGAIN);
  EXPECT_EQ(f->Readiness(POLLIN | POLLOUT), 0u);
  EXPECT_NE(f->wait_queue(), nullptr);
}

TEST(SignalFdTest, KillAndKernel) {
  siginfo_t i = Info(SIGUSR1, SI_USER);
  i.si_pid = 42;
  i.si_uid = 1000;
  i.si_errno = 3;
  struct signalfd_siginfo r = ToSignalfdSiginfo(i);
  EXPECT_EQ(r.ssi_signo, uint32_t{SIGUSR1});
  EXPECT_EQ(r.ssi_code, SI_USER);
  EXPECT_EQ(r.ssi_errno, 3);
  EXPECT_EQ(r.ssi_pid, 42u);
  EXPECT_EQ(r.ssi_uid, 1000u);
  EXPECT_EQ(r.ssi_int, 0);
  EXPECT_EQ(r.ssi_ptr, 0u);

  i.si_code = SI_KERNEL;
  r = ToSignalfdSiginfo(i);
  EXPECT_EQ(r.ssi_pid, 42u);
  EXPECT_EQ(r.ssi_code, SI_KERNEL);
}

TEST(SignalFdTest, QueuedCarriesValue) {
  for (int code : {SI_QUEUE, SI_TKILL, SI_MESGQ, SI_ASYNCIO}) {
    siginfo_t i = Info(SIGRTMIN, code);
    i.si_pid = 7;
    i.si_uid = 8;
    i.si_value.sival_ptr = reinterpret_cast<void*>(0x1122334455667788ULL);
    struct signalfd_siginfo r = ToSignalfdSiginfo(i);
    EXPECT_EQ(r.ssi_pid, 7u) << code;
    EXPECT_EQ(r.ssi_uid, 8u) << code;
    EXPECT_EQ(r.ssi_ptr, 0x1122334455667788ULL) << code;
    EXPECT_EQ(static_cast<uint32_t>(r.ssi_int), 0x55667788u) << code;
  }
}

TEST(SignalFdTest, Timer) {
  siginfo_t i = Info(SIGALRM, SI_TIMER);
  i.si_timerid = 5;
  i.si_overrun = 2;
  i.si_value.sival_int = 99;
  struct signalfd_siginfo r = ToSignalfdSiginfo(i);
  EXPECT_EQ(r.ssi_tid, 5u);
  EXPECT_EQ(r.ssi_overrun, 2u);
  EXPECT_EQ(r.ssi_int, 99);
  EXPECT_EQ(r.ssi_pid, 0u);  // the timer id shares the pid's place
  EXPECT_EQ(r.ssi_uid, 0u);
}

TEST(SignalFdTest, Faults) {
  siginfo_t i = Info(SIGSEGV, SEGV_MAPERR);
  i.si_addr = reinterpret_cast<void*>(0xdead0000ULL);
  struct signalfd_siginfo r = ToSignalfdSiginfo(i);
  EXPECT_EQ(r.ssi_addr, 0xdead0000ULL);
  EXPECT_EQ(r.ssi_pid, 0u);  // the address overlays pid and uid
  EXPECT_EQ(r.ssi_uid, 0u);
  EXPECT_EQ(r.ssi_addr_lsb, 0);

  i = Info(SIGBUS, BUS_MCEERR_AR);
  i.si_addr = reinterpret_cast<void*>(0x1000ULL);
  i.si_addr_lsb = 12;
  r = ToSignalfdSiginfo(i);
  EXPECT_EQ(r.ssi_addr, 0x1000ULL);
  EXPECT_EQ(r.ssi_addr_lsb, 12);

  // A code past the signal's own reads as a kill (no address).
  i = Info(SIGSEGV, 50);
  i.si_pid = 3;
  r = ToSignalfdSiginfo(i);
  EXPECT_EQ(r.ssi_pid, 3u);
  EXPECT_EQ(r.ssi_addr, 0u);
}

TEST(SignalFdTest, Child) {
  siginfo_t i = Info(SIGCHLD, CLD_EXITED);
  i.si_pid = 11;
  i.si_uid = 12;
  i.si_status = 7;
  i.si_utime = 3;
  i.si_stime = 4;
  struct signalfd_siginfo r = ToSignalfdSiginfo(i);
  EXPECT_EQ(r.ssi_pid, 11u);
  EXPECT_EQ(r.ssi_uid, 12u);
  EXPECT_EQ(r.ssi_status, 7);
  EXPECT_EQ(r.ssi_utime, 3u);
  EXPECT_EQ(r.ssi_stime, 4u);
  EXPECT_EQ(r.ssi_code, CLD_EXITED);

  // SIGCHLD sent by kill() is a kill record: no status.
  i.si_code = SI_USER;
  r = ToSignalfdSiginfo(i);
  EXPECT_EQ(r.ssi_pid, 11u);
  EXPECT_EQ(r.ssi_status, 0);
}

TEST(SignalFdTest, Poll) {
  siginfo_t i = Info(SIGIO, POLL_IN);
  i.si_band = POLLIN;
  i.si_fd = 9;
  struct signalfd_siginfo r = ToSignalfdSiginfo(i);
  EXPECT_EQ(r.ssi_band, uint32_t{POLLIN});
  EXPECT_EQ(r.ssi_fd, 9);

  // F_SETSIG's SI_SIGIO, and a small positive code of a signal without
  // codes of its own, have the same layout.
  i = Info(SIGRTMIN + 1, SI_SIGIO);
  i.si_fd = 4;
  EXPECT_EQ(ToSignalfdSiginfo(i).ssi_fd, 4);
  i = Info(SIGUSR1, 3);
  i.si_fd = 5;
  EXPECT_EQ(ToSignalfdSiginfo(i).ssi_fd, 5);
}

TEST(SignalFdTest, Sys) {
  siginfo_t i = Info(SIGSYS, 1 /* SYS_SECCOMP */);
  i.si_call_addr = reinterpret_cast<void*>(0x401000ULL);
  i.si_syscall = 39;
  i.si_arch = 0xc000003e;  // AUDIT_ARCH_X86_64
  struct signalfd_siginfo r = ToSignalfdSiginfo(i);
  EXPECT_EQ(r.ssi_call_addr, 0x401000ULL);
  EXPECT_EQ(r.ssi_syscall, 39);
  EXPECT_EQ(r.ssi_arch, 0xc000003eu);
  EXPECT_EQ(r.ssi_addr, 0u);
}

}  // namespace
}  // namespace sb::kernel
