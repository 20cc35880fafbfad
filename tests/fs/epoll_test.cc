// Tests of epoll (NewEpoll): epoll_ctl rules, level/edge/one-shot
// reporting, fairness, nesting and loops, and items of closed files.
#include "fs/epoll.h"

#include <thread>

#include "fs/eventfd.h"
#include "fs/vfs.h"
#include "gtest/gtest.h"
#include "kernel/base/credentials.h"
#include "kernel/base/waiter.h"
#include "tests/fs/test_util.h"

namespace sb::fs {
namespace {

using testing::ReadString;
using testing::WriteString;

struct epoll_event Ev(uint32_t events, uint64_t data = 0) {
  struct epoll_event ev = {};
  ev.events = events;
  ev.data.u64 = data;
  return ev;
}

FileRef EventFd(uint64_t init = 0) { return *NewEventFd(init, EFD_NONBLOCK); }

void Signal(FileDescription& e, uint64_t v = 1) {
  struct iovec iov = {&v, sizeof(v)};
  ASSERT_TRUE(e.Write(HostIoVecs(&iov, 1), -1).ok());
}
void Drain(FileDescription& e) {
  uint64_t v;
  struct iovec iov = {&v, sizeof(v)};
  (void)e.Read(HostIoVecs(&iov, 1), -1);
}

// Collects up to `max` events.
std::vector<struct epoll_event> Wait(EpollFile& ep, int max = 16) {
  std::vector<struct epoll_event> out(max);
  auto n = ep.Collect(out.data(), max);
  EXPECT_TRUE(n.ok());
  out.resize(n.ok() ? *n : 0);
  return out;
}

TEST(EpollTest, Identity) {
  auto ep = NewEpoll();
  EXPECT_EQ(ep->AnonymousName(), "anon_inode:[eventpoll]");
  EXPECT_EQ(AsEpoll(*ep), ep.get());
  FileRef e = EventFd();
  EXPECT_EQ(AsEpoll(*e), nullptr);
  ASSERT_OK_AND_ASSIGN(struct stat st, ep->Stat());
  EXPECT_EQ(st.st_mode, 0600u);
  struct epoll_event out[1];
  EXPECT_ERRNO(ep->Collect(out, 0), EINVAL);
}

TEST(EpollTest, CtlErrors) {
  auto ep = NewEpoll();
  FileRef e = EventFd();
  EXPECT_ERRNO(ep->Ctl(99, 3, e, Ev(EPOLLIN)), EINVAL);
  EXPECT_ERRNO(ep->Ctl(EPOLL_CTL_ADD, 4, ep, Ev(EPOLLIN)), EINVAL);  // itself
  EXPECT_ERRNO(ep->Ctl(EPOLL_CTL_MOD, 3, e, Ev(EPOLLIN)), ENOENT);
  EXPECT_ERRNO(ep->Ctl(EPOLL_CTL_DEL, 3, e, Ev(0)), ENOENT);
  ASSERT_OK(ep->Ctl(EPOLL_CTL_ADD, 3, e, Ev(EPOLLIN | 0x00800000)));  // unknown bits: kept
  EXPECT_ERRNO(ep->Ctl(EPOLL_CTL_ADD, 3, e, Ev(EPOLLIN)), EEXIST);
  ASSERT_OK(ep->Ctl(EPOLL_CTL_ADD, 5, e, Ev(EPOLLIN)));  // same file, other fd
  EXPECT_ERRNO(ep->Ctl(EPOLL_CTL_MOD, 3, e, Ev(EPOLLIN | EPOLLEXCLUSIVE)), EINVAL);
  ASSERT_OK(ep->Ctl(EPOLL_CTL_DEL, 3, e, Ev(0)));
  EXPECT_ERRNO(ep->Ctl(EPOLL_CTL_DEL, 3, e, Ev(0)), ENOENT);
  // EPOLLEXCLUSIVE: ADD only, not with EPOLLONESHOT, not on an epoll; an
  // exclusive item cannot be modified.
  EXPECT_ERRNO(ep->Ctl(EPOLL_CTL_ADD, 6, e, Ev(EPOLLIN | EPOLLEXCLUSIVE | EPOLLONESHOT)), EINVAL);
  auto inner = NewEpoll();
  EXPECT_ERRNO(ep->Ctl(EPOLL_CTL_ADD, 7, inner, Ev(EPOLLIN | EPOLLEXCLUSIVE)), EINVAL);
  ASSERT_OK(ep->Ctl(EPOLL_CTL_ADD, 6, e, Ev(EPOLLIN | EPOLLEXCLUSIVE)));
  EXPECT_ERRNO(ep->Ctl(EPOLL_CTL_MOD, 6, e, Ev(EPOLLIN)), EINVAL);
}

TEST(EpollTest, RegularFilesAndDirectoriesAreEperm) {
  testing::TempDir tmp;
  tmp.MakeDir("root");
  tmp.WriteFile("root/file", "x");
  auto ns = NewHostRootedNamespace(tmp / "root", MountOptions{});
  ASSERT_TRUE(ns.ok());
  Credentials creds = testing::UserCreds(getuid(), getgid());
  FsContext ctx{creds, (*ns)->Root(), (*ns)->Root()};
  ASSERT_OK_AND_ASSIGN(FileRef file, (*ns)->OpenAt(ctx, (*ns)->Root(), "file", O_RDONLY, 0));
  ASSERT_OK_AND_ASSIGN(FileRef dir, (*ns)->OpenAt(ctx, (*ns)->Root(), ".", O_RDONLY, 0));
  auto ep = NewEpoll();
  EXPECT_ERRNO(ep->Ctl(EPOLL_CTL_ADD, 3, file, Ev(EPOLLIN)), EPERM);
  EXPECT_ERRNO(ep->Ctl(EPOLL_CTL_ADD, 4, dir, Ev(EPOLLIN)), EPERM);
}

TEST(EpollTest, LevelTriggered) {
  auto ep = NewEpoll();
  FileRef e = EventFd();
  ASSERT_OK(ep->Ctl(EPOLL_CTL_ADD, 3, e, Ev(EPOLLIN, 42)));
  EXPECT_TRUE(Wait(*ep).empty());
  EXPECT_EQ(ep->Readiness(POLLIN), 0u);
  Signal(*e);
  EXPECT_EQ(ep->Readiness(POLLIN), static_cast<uint32_t>(POLLIN));
  for (int i = 0; i < 3; ++i) {  // reported while it stays ready
    auto evs = Wait(*ep);
    ASSERT_EQ(evs.size(), 1u);
    EXPECT_EQ(evs[0].events, static_cast<uint32_t>(EPOLLIN));
    EXPECT_EQ(evs[0].data.u64, 42u);
  }
  Drain(*e);
  EXPECT_TRUE(Wait(*ep).empty());
  EXPECT_EQ(ep->Readiness(POLLIN), 0u);
}

TEST(EpollTest, ReadyAtAddAndModChangesEvents) {
  auto ep = NewEpoll();
  FileRef e = EventFd(1);  // readable and writable already
  ASSERT_OK(ep->Ctl(EPOLL_CTL_ADD, 3, e, Ev(EPOLLIN | EPOLLOUT, 1)));
  auto evs = Wait(*ep);
  ASSERT_EQ(evs.size(), 1u);
  EXPECT_EQ(evs[0].events, static_cast<uint32_t>(EPOLLIN | EPOLLOUT));
  ASSERT_OK(ep->Ctl(EPOLL_CTL_MOD, 3, e, Ev(EPOLLOUT, 2)));
  evs = Wait(*ep);
  ASSERT_EQ(evs.size(), 1u);
  EXPECT_EQ(evs[0].events, static_cast<uint32_t>(EPOLLOUT));
  EXPECT_EQ(evs[0].data.u64, 2u);
  ASSERT_OK(ep->Ctl(EPOLL_CTL_DEL, 3, e, Ev(0)));
  EXPECT_TRUE(Wait(*ep).empty());
}

TEST(EpollTest, EdgeTriggered) {
  auto ep = NewEpoll();
  FileRef e = EventFd();
  ASSERT_OK(ep->Ctl(EPOLL_CTL_ADD, 3, e, Ev(EPOLLIN | EPOLLET)));
  Signal(*e);
  EXPECT_EQ(Wait(*ep).size(), 1u);
  EXPECT_TRUE(Wait(*ep).empty());  // still readable, but no new edge
  Signal(*e);                      // a new event: a new edge
  EXPECT_EQ(Wait(*ep).size(), 1u);
  EXPECT_TRUE(Wait(*ep).empty());
}

TEST(EpollTest, OneShot) {
  auto ep = NewEpoll();
  FileRef e = EventFd();
  ASSERT_OK(ep->Ctl(EPOLL_CTL_ADD, 3, e, Ev(EPOLLIN | EPOLLONESHOT)));
  Signal(*e);
  EXPECT_EQ(Wait(*ep).size(), 1u);
  Signal(*e);
  EXPECT_TRUE(Wait(*ep).empty());                                       // disarmed
  EXPECT_ERRNO(ep->Ctl(EPOLL_CTL_ADD, 3, e, Ev(EPOLLIN)), EEXIST);      // still there
  ASSERT_OK(ep->Ctl(EPOLL_CTL_MOD, 3, e, Ev(EPOLLIN | EPOLLONESHOT)));  // re-armed
  EXPECT_EQ(Wait(*ep).size(), 1u);
  EXPECT_TRUE(Wait(*ep).empty());
}

TEST(EpollTest, HupAndErrAlwaysReportedRdhupOnlyOnRequest) {
  auto ep = NewEpoll();
  auto [r, w] = NewPipe(O_NONBLOCK);
  ASSERT_OK(ep->Ctl(EPOLL_CTL_ADD, 3, r, Ev(0, 3)));  // no events asked for
  ASSERT_OK(ep->Ctl(EPOLL_CTL_ADD, 4, w, Ev(EPOLLOUT, 4)));
  auto evs = Wait(*ep);
  ASSERT_EQ(evs.size(), 1u);
  EXPECT_EQ(evs[0].data.u64, 4u);
  w.reset();  // last writer: the reader sees POLLHUP
  evs = Wait(*ep);
  ASSERT_EQ(evs.size(), 1u);
  EXPECT_EQ(evs[0].data.u64, 3u);
  EXPECT_EQ(evs[0].events, static_cast<uint32_t>(EPOLLHUP));

  auto [r2, w2] = NewPipe(O_NONBLOCK);
  ASSERT_OK(ep->Ctl(EPOLL_CTL_ADD, 5, w2, Ev(EPOLLRDHUP, 5)));
  r2.reset();  // last reader: the writer sees POLLERR
  evs = Wait(*ep);
  bool found = false;
  for (auto& ev : evs) {
    if (ev.data.u64 == 5) {
      found = true;
      EXPECT_EQ(ev.events, static_cast<uint32_t>(EPOLLERR));
    }
  }
  EXPECT_TRUE(found);
}

TEST(EpollTest, RoundRobinFairness) {
  auto ep = NewEpoll();
  std::vector<FileRef> fds;
  for (int i = 0; i < 4; ++i) {
    fds.push_back(EventFd(1));
    ASSERT_OK(ep->Ctl(EPOLL_CTL_ADD, 10 + i, fds.back(), Ev(EPOLLIN, i)));
  }
  // Two at a time: 0,1 then 2,3 then 0,1 again.
  std::vector<uint64_t> seen;
  for (int round = 0; round < 3; ++round) {
    for (auto& ev : Wait(*ep, 2)) seen.push_back(ev.data.u64);
  }
  EXPECT_EQ(seen, (std::vector<uint64_t>{0, 1, 2, 3, 0, 1}));
}

TEST(EpollTest, ClosedTargetGoesAway) {
  auto ep = NewEpoll();
  FileRef e = EventFd(1);
  ASSERT_OK(ep->Ctl(EPOLL_CTL_ADD, 3, e, Ev(EPOLLIN)));
  FileRef dup = e;  // another descriptor for the same file keeps it
  e.reset();
  EXPECT_EQ(Wait(*ep).size(), 1u);
  dup.reset();  // last reference: the item is dead
  EXPECT_TRUE(Wait(*ep).empty());
  EXPECT_EQ(ep->Readiness(POLLIN), 0u);
  // The same fd number with a new file is a new key.
  FileRef e2 = EventFd(1);
  ASSERT_OK(ep->Ctl(EPOLL_CTL_ADD, 3, e2, Ev(EPOLLIN)));
  EXPECT_EQ(Wait(*ep).size(), 1u);
  // A pipe end closed while its queue lives on (the other end is open).
  auto [r, w] = NewPipe(O_NONBLOCK);
  ASSERT_OK(ep->Ctl(EPOLL_CTL_ADD, 4, w, Ev(EPOLLOUT, 99)));
  w.reset();
  for (auto& ev : Wait(*ep)) EXPECT_NE(ev.data.u64, 99u);
}

TEST(EpollTest, EpollCloseUnregisters) {
  FileRef e = EventFd();
  {
    auto ep = NewEpoll();
    ASSERT_OK(ep->Ctl(EPOLL_CTL_ADD, 3, e, Ev(EPOLLIN)));
  }
  Signal(*e);  // must not touch the freed epoll
  Drain(*e);
}

TEST(EpollTest, NestedEpollAndWaiters) {
  auto outer = NewEpoll();
  auto inner = NewEpoll();
  FileRef e = EventFd();
  ASSERT_OK(inner->Ctl(EPOLL_CTL_ADD, 3, e, Ev(EPOLLIN, 7)));
  ASSERT_OK(outer->Ctl(EPOLL_CTL_ADD, 4, inner, Ev(EPOLLIN, 8)));
  Waiter w;
  ScopedWaitRegistration reg(outer->wait_queue(), &w, POLLIN);
  EXPECT_TRUE(Wait(*outer).empty());
  Signal(*e);
  EXPECT_TRUE(w.events() & POLLIN);  // woken through both levels
  auto evs = Wait(*outer);
  ASSERT_EQ(evs.size(), 1u);
  EXPECT_EQ(evs[0].data.u64, 8u);
  evs = Wait(*inner);
  ASSERT_EQ(evs.size(), 1u);
  EXPECT_EQ(evs[0].data.u64, 7u);
  Drain(*e);
  EXPECT_TRUE(Wait(*outer).empty());
}

TEST(EpollTest, LoopsAndDepth) {
  auto a = NewEpoll(), b = NewEpoll(), c = NewEpoll();
  ASSERT_OK(a->Ctl(EPOLL_CTL_ADD, 1, b, Ev(EPOLLIN)));
  ASSERT_OK(b->Ctl(EPOLL_CTL_ADD, 2, c, Ev(EPOLLIN)));
  EXPECT_ERRNO(c->Ctl(EPOLL_CTL_ADD, 3, a, Ev(EPOLLIN)), ELOOP);
  EXPECT_ERRNO(b->Ctl(EPOLL_CTL_ADD, 3, a, Ev(EPOLLIN)), ELOOP);
  // Bottom-up chain e0 <- e1 <- ... : five epolls fit, a sixth is ELOOP.
  std::vector<std::shared_ptr<EpollFile>> e;
  for (int i = 0; i < 7; ++i) e.push_back(NewEpoll());
  for (int i = 0; i < 4; ++i) ASSERT_OK(e[i + 1]->Ctl(EPOLL_CTL_ADD, i, e[i], Ev(EPOLLIN)));
  EXPECT_ERRNO(e[5]->Ctl(EPOLL_CTL_ADD, 4, e[4], Ev(EPOLLIN)), ELOOP);
  // Top-down, as the host showed: f0 watches f1 watches ... f4; f5 is ELOOP.
  std::vector<std::shared_ptr<EpollFile>> f;
  for (int i = 0; i < 6; ++i) f.push_back(NewEpoll());
  for (int i = 0; i < 4; ++i) ASSERT_OK(f[i]->Ctl(EPOLL_CTL_ADD, i, f[i + 1], Ev(EPOLLIN)));
  EXPECT_ERRNO(f[4]->Ctl(EPOLL_CTL_ADD, 5, f[5], Ev(EPOLLIN)), ELOOP);
  // Removing a link makes room again.
  ASSERT_OK(f[0]->Ctl(EPOLL_CTL_DEL, 0, f[1], Ev(0)));
  ASSERT_OK(f[4]->Ctl(EPOLL_CTL_ADD, 5, f[5], Ev(EPOLLIN)));
}

TEST(EpollTest, ConcurrentSignalsAndCollect) {
  auto ep = NewEpoll();
  std::vector<FileRef> fds;
  for (int i = 0; i < 8; ++i) {
    fds.push_back(EventFd());
    ASSERT_OK(ep->Ctl(EPOLL_CTL_ADD, i, fds.back(), Ev(EPOLLIN | (i % 2 ? EPOLLET : 0u), i)));
  }
  std::thread writer([&] {
    for (int n = 0; n < 2000; ++n) Signal(*fds[n % 8]);
  });
  for (int n = 0; n < 500; ++n) {
    for (auto& ev : Wait(*ep, 3)) Drain(*fds[ev.data.u64]);
  }
  writer.join();
  for (auto& f : fds) Drain(*f);
  EXPECT_TRUE(Wait(*ep).empty());
}

}  // namespace
}  // namespace sb::fs
