// ptrace_context.h: the ptrace platform's Context.
//
// One traced stub thread. Application code runs under PTRACE_SYSEMU, so its
// system calls stop at entry and are never executed by the host; the kernel
// thread that created (or seized) the stub thread is its tracer and the only
// thread that may drive it. Host faults in the stub (SIGSEGV, SIGBUS,
// SIGFPE, SIGILL, SIGTRAP) come back as kFault with address and signal code.
//
// Threads of one program are threads of one stub process, each traced by
// its own task's kernel thread (PTRACE_SEIZE). PTRACE_O_EXITKILL ties every
// stub thread's life to its tracer: if the daemon dies, its stubs die.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <memory>

#include "kernel/platform/platform.h"

namespace sb::kernel::platform {

// The host process behind one address space, shared by its threads'
// contexts. Reaps the process when the last context lets go, if its leader
// thread was parked (detached) rather than reaped by its tracer.
class StubProcess {
 public:
  explicit StubProcess(pid_t pid) : pid_(pid) {}
  ~StubProcess();
  StubProcess(const StubProcess&) = delete;
  StubProcess& operator=(const StubProcess&) = delete;
  pid_t pid() const { return pid_; }
  // Set once the leader thread is parked: nobody traces it any more.
  std::atomic<bool> leader_parked{false};

 private:
  const pid_t pid_;
};

class PtraceContext final : public Context {
 public:
  // Starts a stub process traced by the calling thread.
  static ErrnoOr<std::unique_ptr<PtraceContext>> Create(int memory_fd);
  ~PtraceContext() override;

  StopInfo Switch(Registers& regs) override;
  ErrnoOr<uint64_t> Inject(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3,
                           uint64_t a4, uint64_t a5) override;
  ErrnoStatus GetFpState(FpState& fp) override;
  ErrnoStatus SetFpState(const FpState& fp) override;
  void Interrupt() override;
  int host_pid() const override { return process_->pid(); }
  ErrnoOr<std::unique_ptr<Context>> CreateThread() override;
  ErrnoStatus Attach() override;
  void ReleaseHost(Release how) override;
  CpuTimes ThreadCpuTimes() const override;
  CpuTimes ProcessCpuTimes() const override;
  absl::Duration ThreadCpuClock() const override;
  absl::Duration ProcessCpuClock() const override;

 private:
  PtraceContext(std::shared_ptr<StubProcess> process, pid_t tid)
      : process_(std::move(process)), tid_(tid) {}
  // Waits for the next stop of the stub thread; false if it died.
  bool WaitStop(int* status_out);
  ErrnoStatus SetRegs(const Registers& regs);
  ErrnoStatus GetRegs(Registers& regs);
  ErrnoOr<uint64_t> InjectAt(uint64_t rip, uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2,
                             uint64_t a3, uint64_t a4, uint64_t a5);

  const std::shared_ptr<StubProcess> process_;  // immutable
  const pid_t tid_;                             // immutable; the traced host thread
  uint64_t gadget_ = 0;  // address of `syscall; int3`; immutable after creation
  // The registers the host thread holds now, to skip a redundant SETREGS.
  // Task-thread only.
  Registers host_regs_{};
  bool host_regs_valid_ = false;
  bool dead_ = false;      // task-thread only
  bool released_ = false;  // task-thread only
  bool attached_ = true;   // false until Attach for a context from CreateThread
};

}  // namespace sb::kernel::platform
