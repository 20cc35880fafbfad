#include "kernel/task/signalfd.h"

#include <atomic>
#include <cstring>
#include <optional>
#include <vector>

#include "fs/anon_inode.h"
#include "kernel/task/task.h"

namespace sb::kernel {
namespace {

// How many signalfds exist, in the whole process: while none does, a
// signal costs NotifySignalFds one relaxed load. A file counts from its
// construction, before it can be polled, so a waiter that registered and
// then found nothing pending is always seen by the sender (the sender's
// load follows its signal_mu_ section, which follows the waiter's).
std::atomic<int64_t> live_signalfds{0};

// Which member of siginfo_t's union a signal's code fills (sigaction(2),
// "The siginfo_t argument"). Positive codes below SI_KERNEL are the
// kernel's own, specific to the signal; each signal has codes up to a
// limit (the uapi NSIG* values), and a positive code past it, or for a
// signal without codes of its own, up to NSIGPOLL reads as a SIGPOLL one.
enum class InfoKind { kKill, kTimer, kPoll, kFault, kFaultMce, kChild, kQueued, kSys };

InfoKind KindOf(int sig, int code) {
  constexpr int kPollCodes = 6;  // NSIGPOLL: POLL_IN .. POLL_HUP
  if (code > SI_USER && code < SI_KERNEL) {
    int limit = 0;
    InfoKind kind = InfoKind::kFault;
    switch (sig) {
      case SIGILL:
        limit = 11;  // NSIGILL
        break;
      case SIGFPE:
        limit = 15;  // NSIGFPE
        break;
      case SIGSEGV:
        limit = 10;  // NSIGSEGV
        break;
      case SIGBUS:
        limit = 5;  // NSIGBUS
        if (code == BUS_MCEERR_AR || code == BUS_MCEERR_AO) kind = InfoKind::kFaultMce;
        break;
      case SIGTRAP:
        limit = 6;  // NSIGTRAP
        break;
      case SIGCHLD:
        limit = 6;  // NSIGCHLD
        kind = InfoKind::kChild;
        break;
      case SIGIO:
        limit = kPollCodes;
        kind = InfoKind::kPoll;
        break;
      case SIGSYS:
        limit = 2;  // NSIGSYS
        kind = InfoKind::kSys;
        break;
      default:
        break;
    }
    if (code <= limit) return kind;
    return code <= kPollCodes ? InfoKind::kPoll : InfoKind::kKill;
  }
  if (code == SI_TIMER) return InfoKind::kTimer;
  if (code == SI_SIGIO) return InfoKind::kPoll;
  if (code < 0) return InfoKind::kQueued;  // sigqueue, tkill, mq_notify, AIO
  return InfoKind::kKill;                  // SI_USER (kill), SI_KERNEL
}

}  // namespace

struct signalfd_siginfo ToSignalfdSiginfo(const siginfo_t& info) {
  struct signalfd_siginfo r;
  std::memset(&r, 0, sizeof(r));
  r.ssi_signo = static_cast<uint32_t>(info.si_signo);
  r.ssi_errno = info.si_errno;
  r.ssi_code = info.si_code;
  const auto value_ptr = reinterpret_cast<uint64_t>(info.si_value.sival_ptr);
  switch (KindOf(info.si_signo, info.si_code)) {
    case InfoKind::kKill:
      r.ssi_pid = static_cast<uint32_t>(info.si_pid);
      r.ssi_uid = info.si_uid;
      break;
    case InfoKind::kQueued:
      r.ssi_pid = static_cast<uint32_t>(info.si_pid);
      r.ssi_uid = info.si_uid;
      r.ssi_int = info.si_value.sival_int;
      r.ssi_ptr = value_ptr;
      break;
    case InfoKind::kTimer:
      r.ssi_tid = static_cast<uint32_t>(info.si_timerid);
      r.ssi_overrun = static_cast<uint32_t>(info.si_overrun);
      r.ssi_int = info.si_value.sival_int;
      r.ssi_ptr = value_ptr;
      break;
    case InfoKind::kPoll:
      r.ssi_band = static_cast<uint32_t>(info.si_band);
      r.ssi_fd = info.si_fd;
      break;
    case InfoKind::kFault:
      r.ssi_addr = reinterpret_cast<uint64_t>(info.si_addr);
      break;
    case InfoKind::kFaultMce:
      r.ssi_addr = reinterpret_cast<uint64_t>(info.si_addr);
      r.ssi_addr_lsb = static_cast<uint16_t>(info.si_addr_lsb);
      break;
    case InfoKind::kChild:
      r.ssi_pid = static_cast<uint32_t>(info.si_pid);
      r.ssi_uid = info.si_uid;
      r.ssi_status = info.si_status;
      r.ssi_utime = static_cast<uint64_t>(info.si_utime);
      r.ssi_stime = static_cast<uint64_t>(info.si_stime);
      break;
    case InfoKind::kSys:
      r.ssi_call_addr = reinterpret_cast<uint64_t>(info.si_call_addr);
      r.ssi_syscall = info.si_syscall;
      r.ssi_arch = info.si_arch;
      break;
  }
  return r;
}

SignalFd::SignalFd(uint64_t mask, int flags)
    : FileDescription(flags), mask_(mask & ~kUnblockableSignals) {
  live_signalfds.fetch_add(1, std::memory_order_relaxed);
}

SignalFd::~SignalFd() { live_signalfds.fetch_sub(1, std::memory_order_relaxed); }

void SignalFd::SetMask(uint64_t mask) {
  mask_.store(mask & ~kUnblockableSignals, std::memory_order_relaxed);
}

ErrnoOr<size_t> SignalFd::Read(HostIoVecs dst, int64_t offset) {
  const size_t room = TotalLength(dst) / sizeof(struct signalfd_siginfo);
  if (room == 0) return Errno(EINVAL);
  Task* t = Task::Current();
  if (t == nullptr) return Errno(EAGAIN);  // not a task: it has no signals
  std::vector<struct signalfd_siginfo> out;
  while (out.size() < room) {
    std::optional<siginfo_t> info = t->DequeueSignal(mask());
    if (!info) break;
    out.push_back(ToSignalfdSiginfo(*info));
  }
  if (out.empty()) return Errno(EAGAIN);
  const size_t bytes = out.size() * sizeof(struct signalfd_siginfo);
  ScatterToIoVecs(dst, 0, out.data(), bytes);
  return bytes;
}

ErrnoOr<struct stat> SignalFd::Stat() { return fs::AnonInodeStat(); }

uint32_t SignalFd::Readiness(uint32_t mask) {
  Task* t = Task::Current();
  if (t == nullptr || !(mask & POLLIN)) return 0;
  return (t->PendingSignals() & this->mask()) ? POLLIN : 0;
}

WaitQueue* SignalFd::wait_queue() {
  Task* t = Task::Current();
  return t ? &t->thread_group().signalfd_waiters_ : &no_task_queue_;
}

ErrnoOr<fs::FileRef> NewSignalFd(uint64_t mask, int flags) {
  if (flags & ~(SFD_NONBLOCK | SFD_CLOEXEC)) return Errno(EINVAL);
  const int fflags = O_RDWR | ((flags & SFD_NONBLOCK) ? O_NONBLOCK : 0);
  return fs::FileRef(std::make_shared<SignalFd>(mask, fflags));
}

SignalFd* AsSignalFd(fs::FileDescription& f) { return dynamic_cast<SignalFd*>(&f); }

void NotifySignalFds(ThreadGroup& tg) {
  if (live_signalfds.load(std::memory_order_relaxed) == 0) return;
  tg.signalfd_waiters_.Notify(POLLIN);
}

}  // namespace sb::kernel
