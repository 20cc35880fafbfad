// poll.cc: poll, ppoll, select, pselect6: waiting for readiness on many
// files (Linux's fs/select.c).
#include <poll.h>
#include <sys/select.h>

#include "kernel/base/abi.h"
#include "kernel/syscalls/handlers.h"

namespace sb::kernel {
namespace {

// Files without a wait queue (host fds) cannot announce readiness; while one
// of them is polled and not ready, re-check at this period.
constexpr absl::Duration kHostPollPeriod = absl::Milliseconds(10);

struct PollEntry {
  int fd;
  short events;
  short revents = 0;
  fs::FileRef file;
};

// Fills revents; returns how many entries have any.
int CheckAll(Task& t, std::vector<PollEntry>& entries) {
  int n = 0;
  for (auto& e : entries) {
    e.revents = 0;
    if (e.fd < 0) continue;
    if (!e.file) {
      auto f = t.fds().Get(e.fd);
      if (!f.ok()) {
        e.revents = POLLNVAL;
        ++n;
        continue;
      }
      e.file = *f;
    }
    const uint32_t want = static_cast<uint16_t>(e.events) | POLLERR | POLLHUP;
    e.revents = static_cast<short>(e.file->Readiness(want) & want);
    if (e.revents) ++n;
  }
  return n;
}

// Waits until an entry is ready, `deadline` passes, or a signal arrives.
ErrnoOr<int> DoPoll(Task& t, std::vector<PollEntry>& entries, absl::Time deadline) {
  Waiter& w = t.waiter();
  w.ResetEvents();
  int n = CheckAll(t, entries);
  if (n > 0 || absl::Now() >= deadline) return n;
  std::vector<std::unique_ptr<ScopedWaitRegistration>> regs;
  bool host_files = false;
  for (auto& e : entries) {
    if (!e.file) continue;
    WaitQueue* q = e.file->wait_queue();
    if (q == nullptr) {
      host_files = true;
      continue;
    }
    regs.push_back(std::make_unique<ScopedWaitRegistration>(
        q, &w, static_cast<uint16_t>(e.events) | POLLERR | POLLHUP));
  }
  for (;;) {
    w.ResetEvents();
    n = CheckAll(t, entries);
    if (n > 0) return n;
    absl::Time now = absl::Now();
    if (now >= deadline) return 0;
    absl::Time until = host_files ? std::min(deadline, now + kHostPollPeriod) : deadline;
    // A signal already pending (e.g. unblocked by ppoll's mask) interrupts.
    if (t.HasDeliverableSignal()) return Errno(EINTR);
    if (w.Wait(until) == Waiter::Result::kInterrupted) return Errno(EINTR);
  }
}

ErrnoOr<absl::Time> DeadlineFromTimespec(Task& t, uint64_t addr) {
  if (addr == 0) return absl::InfiniteFuture();
  SB_ASSIGN_OR_RETURN(struct timespec ts, t.CopyInObj<struct timespec>(addr));
  if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000) return Errno(EINVAL);
  return absl::Now() + absl::DurationFromTimespec(ts);
}

// ppoll/pselect6: the signal mask while waiting, restored afterwards (or
// after the handler, through rt_sigsuspend's saved mask).
ErrnoStatus SwapMask(Task& t, uint64_t mask_addr, uint64_t size) {
  if (mask_addr == 0) return Ok();
  if (size != 8) return Errno(EINVAL);
  SB_ASSIGN_OR_RETURN(uint64_t mask, t.CopyInObj<uint64_t>(mask_addr));
  t.saved_mask = t.signal_mask();
  absl::MutexLock lock(&t.thread_group().signal_mu_);
  t.set_signal_mask(mask);
  return Ok();
}

SyscallResult PollCommon(Task& t, uint64_t fds_addr, uint64_t nfds, absl::Time deadline) {
  if (nfds > t.RlimitCur(RLIMIT_NOFILE)) return Errno(EINVAL);
  std::vector<struct pollfd> user(nfds);
  if (nfds) SB_TRY(t.CopyIn(fds_addr, user.data(), nfds * sizeof(struct pollfd)));
  std::vector<PollEntry> entries;
  entries.reserve(nfds);
  for (const auto& p : user) entries.push_back({p.fd, p.events});
  auto r = DoPoll(t, entries, deadline);
  if (!r.ok()) {
    // Linux restarts an interrupted poll if no handler runs.
    return Errno(r.error().value() == EINTR ? sb::abi::ERESTARTNOHAND : r.error().value());
  }
  for (size_t i = 0; i < nfds; ++i) user[i].revents = entries[i].revents;
  if (nfds) SB_TRY(t.CopyOut(fds_addr, user.data(), nfds * sizeof(struct pollfd)));
  return *r;
}

SyscallResult SelectCommon(Task& t, int nfds, uint64_t rd, uint64_t wr, uint64_t ex,
                           absl::Time deadline) {
  if (nfds < 0) return Errno(EINVAL);
  nfds = std::min<int>(nfds, static_cast<int>(t.RlimitCur(RLIMIT_NOFILE)));
  const size_t bytes = ((nfds + 63) / 64) * 8;
  std::vector<uint64_t> sets[3];
  const uint64_t addrs[3] = {rd, wr, ex};
  for (int k = 0; k < 3; ++k) {
    sets[k].assign(bytes / 8, 0);
    if (addrs[k] && bytes) SB_TRY(t.CopyIn(addrs[k], sets[k].data(), bytes));
  }
  constexpr short kIn = POLLIN | POLLRDNORM | POLLRDBAND | POLLHUP | POLLERR;
  constexpr short kOut = POLLOUT | POLLWRNORM | POLLWRBAND | POLLERR;
  constexpr short kEx = POLLPRI;
  std::vector<PollEntry> entries;
  for (int fd = 0; fd < nfds; ++fd) {
    short ev = 0;
    auto bit = [&](int k) { return (sets[k][fd / 64] >> (fd % 64)) & 1; };
    if (bit(0)) ev |= kIn;
    if (bit(1)) ev |= kOut;
    if (bit(2)) ev |= kEx;
    if (!ev) continue;
    if (!t.fds().Get(fd).ok()) return Errno(EBADF);
    entries.push_back({fd, ev});
  }
  auto r = DoPoll(t, entries, deadline);
  if (!r.ok()) return Errno(sb::abi::ERESTARTNOHAND);
  for (auto& s : sets) std::fill(s.begin(), s.end(), 0);
  int count = 0;
  for (const auto& e : entries) {
    auto set = [&](int k) {
      sets[k][e.fd / 64] |= uint64_t{1} << (e.fd % 64);
      ++count;
    };
    if (e.revents & kIn & e.events) set(0);
    if (e.revents & kOut & e.events) set(1);
    if (e.revents & kEx & e.events) set(2);
  }
  for (int k = 0; k < 3; ++k) {
    if (addrs[k] && bytes) SB_TRY(t.CopyOut(addrs[k], sets[k].data(), bytes));
  }
  return count;
}

// ppoll and pselect6 write back the time left, as Linux does.
ErrnoStatus WriteBackTimespec(Task& t, uint64_t addr, absl::Time deadline) {
  if (addr == 0) return Ok();
  absl::Duration left = std::max(deadline - absl::Now(), absl::ZeroDuration());
  return t.CopyOutObj(addr, absl::ToTimespec(left));
}

}  // namespace

SyscallResult Poll(Task& t, const SyscallArgs& a) {
  const int timeout_ms = a.i32(2);
  absl::Time deadline =
      timeout_ms < 0 ? absl::InfiniteFuture() : absl::Now() + absl::Milliseconds(timeout_ms);
  return PollCommon(t, a.addr(0), a.u64(1), deadline);
}

SyscallResult Ppoll(Task& t, const SyscallArgs& a) {
  SB_ASSIGN_OR_RETURN(absl::Time deadline, DeadlineFromTimespec(t, a.addr(2)));
  SB_TRY(SwapMask(t, a.addr(3), a.u64(4)));
  auto r = PollCommon(t, a.addr(0), a.u64(1), deadline);
  SB_TRY(WriteBackTimespec(t, a.addr(2), deadline));
  if ((r.ok() || r.error().value() != sb::abi::ERESTARTNOHAND) && t.saved_mask) {
    absl::MutexLock lock(&t.thread_group().signal_mu_);
    t.set_signal_mask(*t.saved_mask);
    t.saved_mask.reset();
  }
  return r;
}

SyscallResult Select(Task& t, const SyscallArgs& a) {
  absl::Time deadline = absl::InfiniteFuture();
  if (a.addr(4) != 0) {
    SB_ASSIGN_OR_RETURN(struct timeval tv, t.CopyInObj<struct timeval>(a.addr(4)));
    if (tv.tv_sec < 0 || tv.tv_usec < 0 || tv.tv_usec >= 1000000) return Errno(EINVAL);
    deadline = absl::Now() + absl::DurationFromTimeval(tv);
  }
  auto r = SelectCommon(t, a.i32(0), a.addr(1), a.addr(2), a.addr(3), deadline);
  if (a.addr(4) != 0 && r.ok()) {
    // Linux writes back the time left.
    absl::Duration left = std::max(deadline - absl::Now(), absl::ZeroDuration());
    SB_TRY(t.CopyOutObj(a.addr(4), absl::ToTimeval(left)));
  }
  return r;
}

SyscallResult Pselect6(Task& t, const SyscallArgs& a) {
  SB_ASSIGN_OR_RETURN(absl::Time deadline, DeadlineFromTimespec(t, a.addr(4)));
  if (a.addr(5) != 0) {
    struct {
      uint64_t set;
      uint64_t size;
    } sm;
    SB_TRY(t.CopyIn(a.addr(5), &sm, sizeof(sm)));
    SB_TRY(SwapMask(t, sm.set, sm.size));
  }
  auto r = SelectCommon(t, a.i32(0), a.addr(1), a.addr(2), a.addr(3), deadline);
  SB_TRY(WriteBackTimespec(t, a.addr(4), deadline));
  if ((r.ok() || r.error().value() != sb::abi::ERESTARTNOHAND) && t.saved_mask) {
    absl::MutexLock lock(&t.thread_group().signal_mu_);
    t.set_signal_mask(*t.saved_mask);
    t.saved_mask.reset();
  }
  return r;
}

}  // namespace sb::kernel
