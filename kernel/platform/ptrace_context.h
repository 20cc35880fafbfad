// ptrace_context.h: the ptrace platform's Context.
//
// One traced stub thread. Application code runs under PTRACE_SYSEMU, so its
// system calls stop at entry and are never executed by the host; the kernel
// thread that created the stub is its tracer and the only thread that may
// drive it. Host faults in the stub (SIGSEGV, SIGBUS, SIGFPE, SIGILL,
// SIGTRAP) come back as kFault with address and access type.
#pragma once

#include <sys/types.h>

#include <atomic>

#include "kernel/platform/platform.h"

namespace sb::kernel::platform {

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
  int host_pid() const override { return pid_; }

 private:
  explicit PtraceContext(pid_t pid) : pid_(pid) {}
  // Waits for the next stop of the stub; false if it died.
  bool WaitStop(int* stop_signal);
  ErrnoStatus SetRegs(const Registers& regs);
  ErrnoStatus GetRegs(Registers& regs);

  const pid_t pid_;      // immutable; the stub process, killed and reaped in the destructor
  uint64_t gadget_ = 0;  // address of `syscall; int3` in the stub; immutable after Create
  // The registers the host thread holds now, to skip a redundant SETREGS.
  // Task-thread only.
  Registers host_regs_{};
  bool host_regs_valid_ = false;
  bool dead_ = false;  // task-thread only
};

}  // namespace sb::kernel::platform
