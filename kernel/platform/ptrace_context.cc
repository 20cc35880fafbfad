#include "kernel/platform/ptrace_context.h"

#include <elf.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <mutex>
#include <string>

#include "kernel/base/unique_fd.h"
#include "kernel/platform/stub_layout.h"
#include "spdlog/spdlog.h"

extern "C" const char sb_stub_image_begin[];
extern "C" const char sb_stub_image_end[];

namespace sb::kernel::platform {
namespace {

// The stub executable in a sealed memfd, made once per daemon.
int StubImageFd() {
  static int fd = [] {
    int f = memfd_create("sandboxd-stub", MFD_CLOEXEC | MFD_ALLOW_SEALING);
    if (f < 0) return -1;
    size_t len = sb_stub_image_end - sb_stub_image_begin;
    const char* p = sb_stub_image_begin;
    while (len > 0) {
      ssize_t n = write(f, p, len);
      if (n <= 0) return -1;
      p += n;
      len -= n;
    }
    fcntl(f, F_ADD_SEALS, F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE);
    return f;
  }();
  return fd;
}

long Ptrace(int req, pid_t pid, uint64_t addr = 0, uint64_t data = 0) {
  return syscall(SYS_ptrace, req, pid, addr, data);
}

}  // namespace

ErrnoOr<std::unique_ptr<Context>> NewProcessContext(int memory_fd) {
  SB_ASSIGN_OR_RETURN(auto ctx, PtraceContext::Create(memory_fd));
  return std::unique_ptr<Context>(std::move(ctx));
}

ErrnoOr<std::unique_ptr<PtraceContext>> PtraceContext::Create(int memory_fd) {
  int image = StubImageFd();
  if (image < 0) return Errno(ENOEXEC);
  // Move both fds high so the child's dup2s below cannot clobber them.
  UniqueFd mem_high(fcntl(memory_fd, F_DUPFD_CLOEXEC, 64));
  UniqueFd image_high(fcntl(image, F_DUPFD_CLOEXEC, 64));
  if (!mem_high.valid() || !image_high.valid()) return HostErrno();
  const int mfd = mem_high.get(), ifd = image_high.get();
  static char arg0[] = "sandboxd-stub";
  static char* const argv[] = {arg0, nullptr};
  static char* const envp[] = {nullptr};

  // vfork: the child only makes system calls until execveat. It shares our
  // memory but not our fd table.
  pid_t pid = vfork();
  if (pid == 0) {
    syscall(SYS_ptrace, PTRACE_TRACEME, 0, 0, 0);
    syscall(SYS_personality, ADDR_NO_RANDOMIZE);
    syscall(SYS_dup2, mfd, kStubMemoryFd);
    syscall(SYS_dup2, ifd, kStubMemoryFd + 1);
    syscall(SYS_fcntl, kStubMemoryFd + 1, F_SETFD, FD_CLOEXEC);
    syscall(SYS_close_range, 0, kStubMemoryFd - 1, 0);
    syscall(SYS_close_range, kStubMemoryFd + 2, ~0U, 0);
    syscall(SYS_execveat, kStubMemoryFd + 1, "", argv, envp, AT_EMPTY_PATH);
    syscall(SYS_exit, 127);
  }
  if (pid < 0) return HostErrno();
  // Private constructor, hence no make_unique.
  std::unique_ptr<PtraceContext> ctx(new PtraceContext(std::make_shared<StubProcess>(pid), pid));
  int sig = 0;
  if (!ctx->WaitStop(&sig) || sig != SIGTRAP) {
    spdlog::error("stub {} did not stop after exec (signal {})", pid, sig);
    return Errno(ECHILD);
  }
  if (Ptrace(PTRACE_SETOPTIONS, pid, 0, PTRACE_O_TRACESYSGOOD | PTRACE_O_EXITKILL) != 0) {
    return HostErrno();
  }
  // Let it unmap the host's stack and vDSO; it stops at int3, just before
  // the syscall gadget.
  if (Ptrace(PTRACE_CONT, pid, 0, 0) != 0) return HostErrno();
  if (!ctx->WaitStop(&sig) || sig != SIGTRAP) {
    spdlog::error("stub {} did not reach its ready point (signal {})", pid, sig);
    return Errno(ECHILD);
  }
  SB_TRY(ctx->GetRegs(ctx->host_regs_));
  ctx->gadget_ = ctx->host_regs_.rip;
  return ctx;
}

StubProcess::~StubProcess() {
  if (!leader_parked) return;  // the leader's tracer reaped the process
  kill(pid_, SIGKILL);
  int status;
  while (waitpid(pid_, &status, __WALL) < 0 && errno == EINTR) {
  }
}

PtraceContext::~PtraceContext() { ReleaseHost(Release::kProcess); }

void PtraceContext::ReleaseHost(Release how) {
  if (released_) return;
  released_ = true;
  if (!attached_) {
    // Never taken over: the parked thread goes when the process does.
    return;
  }
  const pid_t pid = process_->pid();
  if (!dead_ && how == Release::kThread) {
    if (tid_ == pid) {
      // The leader cannot exit alone without its exit being held until the
      // whole process ends (and EXITKILL would then kill the process when
      // we, its tracer, go). Park it, untraced, in the stub's pause loop.
      Registers r = host_regs_;
      r.rip = gadget_ + kParkOffset;
      if (SetRegs(r).ok() && Ptrace(PTRACE_DETACH, tid_, 0, 0) == 0) {
        process_->leader_parked = true;
        return;
      }
    } else if (InjectAt(gadget_, SYS_exit, 0, 0, 0, 0, 0, 0).ok() || dead_) {
      return;  // the thread exited and WaitStop reaped it
    }
  }
  if (!dead_) syscall(SYS_tgkill, pid, tid_, SIGKILL);  // SIGKILL: the whole process
  int status;
  while (!dead_) {
    pid_t r = waitpid(tid_, &status, __WALL);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0 || WIFEXITED(status) || WIFSIGNALED(status)) dead_ = true;
  }
}

ErrnoOr<std::unique_ptr<Context>> PtraceContext::CreateThread() {
  constexpr uint64_t kFlags =
      CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD | CLONE_SYSVSEM;
  SB_ASSIGN_OR_RETURN(uint64_t tid,
                      InjectAt(gadget_ + kCloneGadgetOffset, SYS_clone, kFlags, 0, 0, 0, 0, 0));
  // Private constructor, hence no make_unique.
  std::unique_ptr<PtraceContext> ctx(new PtraceContext(process_, static_cast<pid_t>(tid)));
  ctx->gadget_ = gadget_;
  ctx->attached_ = false;
  return std::unique_ptr<Context>(std::move(ctx));
}

ErrnoStatus PtraceContext::Attach() {
  if (attached_) return Ok();
  if (Ptrace(PTRACE_SEIZE, tid_, 0, PTRACE_O_TRACESYSGOOD | PTRACE_O_EXITKILL) != 0) {
    dead_ = true;  // not ours: nothing to reap
    return HostErrno();
  }
  attached_ = true;
  if (Ptrace(PTRACE_INTERRUPT, tid_, 0, 0) != 0) return HostErrno();
  int sig = 0;
  if (!WaitStop(&sig)) return Errno(ESRCH);
  return GetRegs(host_regs_);
}

bool PtraceContext::WaitStop(int* stop_signal) {
  int status;
  for (;;) {
    pid_t r = waitpid(tid_, &status, __WALL);
    if (r < 0) {
      if (errno == EINTR) continue;
      dead_ = true;
      return false;
    }
    if (WIFEXITED(status) || WIFSIGNALED(status)) {
      dead_ = true;
      return false;
    }
    if (WIFSTOPPED(status)) {
      // A PTRACE_EVENT_STOP (seized threads) reports as SIGSTOP-like: an
      // interrupt for our purposes.
      *stop_signal = (status >> 16) == PTRACE_EVENT_STOP ? SIGSTOP : WSTOPSIG(status);
      return true;
    }
  }
}

ErrnoStatus PtraceContext::SetRegs(const Registers& regs) {
  if (host_regs_valid_ && memcmp(&regs, &host_regs_, sizeof(regs)) == 0) return Ok();
  if (Ptrace(PTRACE_SETREGS, tid_, 0, reinterpret_cast<uint64_t>(&regs)) != 0) {
    host_regs_valid_ = false;
    return HostErrno();
  }
  host_regs_ = regs;
  host_regs_valid_ = true;
  return Ok();
}

ErrnoStatus PtraceContext::GetRegs(Registers& regs) {
  if (Ptrace(PTRACE_GETREGS, tid_, 0, reinterpret_cast<uint64_t>(&regs)) != 0) {
    host_regs_valid_ = false;
    return HostErrno();
  }
  host_regs_ = regs;
  host_regs_valid_ = true;
  return Ok();
}

StopInfo PtraceContext::Switch(Registers& regs) {
  if (dead_) return {StopKind::kDead};
  if (!SetRegs(regs).ok()) return {StopKind::kDead};
  if (Ptrace(PTRACE_SYSEMU, tid_, 0, 0) != 0) return {StopKind::kDead};
  int sig = 0;
  if (!WaitStop(&sig)) return {StopKind::kDead};
  if (!GetRegs(regs).ok()) return {StopKind::kDead};
  switch (sig) {
    case SIGTRAP | 0x80:
      return {StopKind::kSyscall};
    case SIGSEGV:
    case SIGBUS:
    case SIGFPE:
    case SIGILL:
    case SIGTRAP: {
      siginfo_t si{};
      Ptrace(PTRACE_GETSIGINFO, tid_, 0, reinterpret_cast<uint64_t>(&si));
      StopInfo info{StopKind::kFault, sig, si.si_code, reinterpret_cast<uint64_t>(si.si_addr)};
      // The x86 page-fault error code is not in siginfo for ptrace stops;
      // the kernel decides write/exec from the mapping's protections.
      return info;
    }
    default:
      // SIGSTOP from Interrupt(), or a stray host signal: suppressed.
      return {StopKind::kInterrupt, sig};
  }
}

ErrnoOr<uint64_t> PtraceContext::Inject(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2,
                                        uint64_t a3, uint64_t a4, uint64_t a5) {
  return InjectAt(gadget_, nr, a0, a1, a2, a3, a4, a5);
}

ErrnoOr<uint64_t> PtraceContext::InjectAt(uint64_t rip, uint64_t nr, uint64_t a0, uint64_t a1,
                                          uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5) {
  if (dead_) return Errno(ESRCH);
  if (!host_regs_valid_) SB_TRY(GetRegs(host_regs_));
  Registers saved = host_regs_;
  Registers r = saved;
  r.rax = nr;
  r.orig_rax = ~0ULL;
  r.rdi = a0;
  r.rsi = a1;
  r.rdx = a2;
  r.r10 = a3;
  r.r8 = a4;
  r.r9 = a5;
  r.rip = rip;
  SB_TRY(SetRegs(r));
  for (;;) {
    if (Ptrace(PTRACE_CONT, tid_, 0, 0) != 0) return HostErrno();
    int sig = 0;
    if (!WaitStop(&sig)) return Errno(ESRCH);
    if (sig == SIGTRAP) break;
    // A pending interrupt (SIGSTOP) landed here: swallow it; the task checks
    // for work at its next kernel entry anyway.
  }
  Registers out;
  SB_TRY(GetRegs(out));
  // Put the program's registers back so the stub is as the task left it.
  SB_TRY(SetRegs(saved));
  int64_t ret = static_cast<int64_t>(out.rax);
  if (ret < 0 && ret > -4096) return Errno(static_cast<int>(-ret));
  return out.rax;
}

ErrnoStatus PtraceContext::GetFpState(FpState& fp) {
  struct iovec iov = {fp.bytes.data(), fp.bytes.size()};
  if (Ptrace(PTRACE_GETREGSET, tid_, NT_X86_XSTATE, reinterpret_cast<uint64_t>(&iov)) != 0) {
    return HostErrno();
  }
  fp.size = static_cast<uint32_t>(iov.iov_len);
  return Ok();
}

ErrnoStatus PtraceContext::SetFpState(const FpState& fp) {
  struct iovec iov = {const_cast<uint8_t*>(fp.bytes.data()), fp.size};
  if (Ptrace(PTRACE_SETREGSET, tid_, NT_X86_XSTATE, reinterpret_cast<uint64_t>(&iov)) != 0) {
    return HostErrno();
  }
  return Ok();
}

namespace {

// utime and stime (fields 14 and 15) of a /proc/.../stat file, in ticks.
Context::CpuTimes ReadStatTimes(const std::string& path) {
  Context::CpuTimes out{};
  UniqueFd fd(open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return out;
  char buf[1024];
  ssize_t n = read(fd.get(), buf, sizeof(buf) - 1);
  if (n <= 0) return out;
  buf[n] = 0;
  // The command name (field 2) may hold spaces: fields resume after ')'.
  const char* p = strrchr(buf, ')');
  if (p == nullptr) return out;
  unsigned long long utime = 0, stime = 0;
  if (sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &utime, &stime) == 2) {
    const long hz = sysconf(_SC_CLK_TCK);
    out.user = absl::Seconds(1) * utime / hz;
    out.system = absl::Seconds(1) * stime / hz;
  }
  return out;
}

}  // namespace

Context::CpuTimes PtraceContext::ThreadCpuTimes() const {
  return ReadStatTimes("/proc/" + std::to_string(process_->pid()) + "/task/" +
                       std::to_string(tid_) + "/stat");
}

Context::CpuTimes PtraceContext::ProcessCpuTimes() const {
  return ReadStatTimes("/proc/" + std::to_string(process_->pid()) + "/stat");
}

absl::Duration PtraceContext::ThreadCpuClock() const {
  // Another process's thread CPU clock cannot be read with clock_gettime;
  // schedstat has the same nanoseconds.
  std::string path =
      "/proc/" + std::to_string(process_->pid()) + "/task/" + std::to_string(tid_) + "/schedstat";
  UniqueFd fd(open(path.c_str(), O_RDONLY | O_CLOEXEC));
  char buf[128] = {};
  if (!fd.valid() || read(fd.get(), buf, sizeof(buf) - 1) <= 0) return absl::ZeroDuration();
  return absl::Nanoseconds(strtoull(buf, nullptr, 10));
}

absl::Duration PtraceContext::ProcessCpuClock() const {
  // MAKE_PROCESS_CPUCLOCK(pid, CPUCLOCK_SCHED) from the kernel's headers.
  const clockid_t clock =
      static_cast<clockid_t>((~static_cast<unsigned>(process_->pid()) << 3) | 2);
  struct timespec ts {};
  if (clock_gettime(clock, &ts) != 0) return absl::ZeroDuration();
  return absl::DurationFromTimespec(ts);
}

void PtraceContext::Interrupt() { syscall(SYS_tgkill, process_->pid(), tid_, SIGSTOP); }

}  // namespace sb::kernel::platform
