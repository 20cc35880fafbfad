// platform.h: how application code runs.
//
// A platform runs a task's registers in an address space until the program
// makes a system call, faults, or is interrupted, and reports which. The
// kernel above never knows which platform runs it (DESIGN.md "Platform").
// The first implementation is ptrace (ptrace_platform.h).
//
// A Context belongs to one task and is used only by that task's kernel
// thread (ptrace allows requests only from the tracing thread), except
// Interrupt(), which any thread may call.
#pragma once

#include <sys/user.h>

#include <array>
#include <cstdint>
#include <memory>

#include "absl/time/time.h"
#include "kernel/base/errno.h"

namespace sb::kernel::platform {

using Registers = user_regs_struct;

// The extended FPU state as XSAVE lays it out (what Linux puts in a signal
// frame). 4096 bytes covers every feature set the host may enable.
struct FpState {
  alignas(64) std::array<uint8_t, 4096> bytes{};
  uint32_t size = 0;  // bytes in use
};

enum class StopKind {
  kSyscall,    // the program executed `syscall`; nothing ran on the host
  kFault,      // a synchronous fault (SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP)
  kInterrupt,  // Interrupt() was called, or a host signal arrived
  kDead,       // the stub is gone (killed from outside)
};

struct StopInfo {
  StopKind kind;
  int signo = 0;        // kFault: the fault signal
  int code = 0;         // kFault: si_code
  uint64_t addr = 0;    // kFault: si_addr
  bool write = false;   // kFault SIGSEGV: the access was a write (from the error code)
  bool exec = false;    // kFault SIGSEGV: instruction fetch
  uint64_t trapno = 0;  // kFault: the hardware trap number
};

// The host side of one address space: a stub process, or one of its threads.
class Context {
 public:
  virtual ~Context() = default;

  // Runs the program from `regs` until it stops; `regs` holds the state at
  // the stop. `fp` is loaded into the CPU first if `fp_dirty`.
  virtual StopInfo Switch(Registers& regs) = 0;

  // Executes host syscall `nr` inside the stub (mmap, munmap, mprotect of
  // the memory file), returning its result or the host's errno.
  virtual ErrnoOr<uint64_t> Inject(uint64_t nr, uint64_t a0 = 0, uint64_t a1 = 0, uint64_t a2 = 0,
                                   uint64_t a3 = 0, uint64_t a4 = 0, uint64_t a5 = 0) = 0;

  virtual ErrnoStatus GetFpState(FpState& fp) = 0;
  virtual ErrnoStatus SetFpState(const FpState& fp) = 0;

  // Makes a running Switch return kInterrupt soon. Thread-safe.
  virtual void Interrupt() = 0;

  // Threads. CreateThread (on the creating task's thread) starts a new host
  // thread in this address space, parked, and returns its context, not yet
  // attached. Attach (on the NEW task's thread, which becomes its tracer)
  // takes it over before the first Switch; a no-op for a context that was
  // created attached.
  virtual ErrnoOr<std::unique_ptr<Context>> CreateThread() = 0;
  virtual ErrnoStatus Attach() = 0;

  // How a context lets go of its host thread when the task ends: the whole
  // process (exit_group, a fatal signal, the last thread), or only this
  // thread (exit(2) while other threads go on).
  enum class Release { kProcess, kThread };
  virtual void ReleaseHost(Release how) = 0;

  // Host pid of the stub process (for accounting and tests).
  virtual int host_pid() const = 0;

  // CPU time the program has used, as the host accounted it to the stub:
  // this thread, or every thread of its process (still running ones).
  struct CpuTimes {
    absl::Duration user, system;
  };
  virtual CpuTimes ThreadCpuTimes() const = 0;
  virtual CpuTimes ProcessCpuTimes() const = 0;
  // The same as one precise sum (CLOCK_THREAD/PROCESS_CPUTIME_ID).
  virtual absl::Duration ThreadCpuClock() const = 0;
  virtual absl::Duration ProcessCpuClock() const = 0;
};

// Creates the host side of a new, empty address space (a fresh stub
// process), traced by the calling thread. `memory_fd` is the memory file.
ErrnoOr<std::unique_ptr<Context>> NewProcessContext(int memory_fd);

}  // namespace sb::kernel::platform
