// usage.cc: times, getrusage, and the CPU-time clocks of clock_gettime.
// CPU time is what the host accounted to the program's stub threads.
#include <sys/resource.h>
#include <sys/times.h>

#include "kernel/kernel.h"
#include "kernel/syscalls/handlers.h"

namespace sb::kernel {
namespace {

constexpr int64_t kTicksPerSecond = 100;  // USER_HZ

clock_t Ticks(absl::Duration d) {
  return static_cast<clock_t>(absl::ToInt64Microseconds(d) * kTicksPerSecond / 1000000);
}

}  // namespace

SyscallResult Times(Task& t, const SyscallArgs& a) {
  if (a.addr(0) != 0) {
    platform::Context::CpuTimes self = t.context()->ProcessCpuTimes();
    struct tms buf {};
    buf.tms_utime = Ticks(self.user);
    buf.tms_stime = Ticks(self.system);
    {
      absl::MutexLock lock(&t.kernel().tree_mu_);
      buf.tms_cutime = Ticks(t.thread_group().children_utime_);
      buf.tms_cstime = Ticks(t.thread_group().children_stime_);
    }
    SB_TRY(t.CopyOutObj(a.addr(0), buf));
  }
  // Ticks since boot, as Linux's jiffies-based return value.
  return static_cast<uint64_t>(Ticks(absl::Now() - t.kernel().boot_time()));
}

SyscallResult Getrusage(Task& t, const SyscallArgs& a) {
  struct rusage ru {};
  platform::Context::CpuTimes times{};
  uint64_t maxrss = 0;  // bytes
  const int who = a.i32(0);
  switch (who) {
    case RUSAGE_SELF:
      times = t.context()->ProcessCpuTimes();
      break;
    case RUSAGE_THREAD:
      times = t.context()->ThreadCpuTimes();
      break;
    case RUSAGE_CHILDREN: {
      absl::MutexLock lock(&t.kernel().tree_mu_);
      times.user = t.thread_group().children_utime_;
      times.system = t.thread_group().children_stime_;
      maxrss = t.thread_group().children_maxrss_;
      break;
    }
    default:
      return Errno(EINVAL);
  }
  if (who != RUSAGE_CHILDREN) {
    // Linux's k_getrusage: the peak of the address spaces left behind
    // (exec) and of the current one, for a thread as for the process.
    {
      absl::MutexLock lock(&t.kernel().tree_mu_);
      maxrss = t.thread_group().maxrss_;
    }
    maxrss = std::max(maxrss, t.mm().HiwaterRss());
  }
  ru.ru_utime = absl::ToTimeval(times.user);
  ru.ru_stime = absl::ToTimeval(times.system);
  ru.ru_maxrss = static_cast<long>(maxrss / 1024);
  SB_TRY(t.CopyOutObj(a.addr(1), ru));
  return 0;
}

ErrnoOr<absl::Duration> CpuClock(Task& t, clockid_t id) {
  if (id == CLOCK_PROCESS_CPUTIME_ID) return t.context()->ProcessCpuClock();
  if (id == CLOCK_THREAD_CPUTIME_ID) return t.context()->ThreadCpuClock();
  // clock_getcpuclockid/pthread_getcpuclockid encodings: ~pid << 3 | type.
  if (id < 0) {
    const pid_t pid = static_cast<pid_t>(~(static_cast<unsigned>(id) >> 3));
    const bool thread = id & 4;
    if ((id & 3) > 2 || (id & 3) == 3) return Errno(EINVAL);
    if (pid == 0 || pid == (thread ? t.pid()->local() : t.thread_group().pid()->local())) {
      return thread ? t.context()->ThreadCpuClock() : t.context()->ProcessCpuClock();
    }
    // Another task's clock: its host context belongs to its own thread.
    return Errno(EINVAL);
  }
  return Errno(EINVAL);
}

}  // namespace sb::kernel
