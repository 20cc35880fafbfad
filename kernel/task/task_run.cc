// task_run.cc: the task loop.
//
// The loop is a small state machine (kernel/task/README.md):
//   Start -> SetUp (new stub, map the address space) -> [ DeliverSignals ->
//   Switch (program runs) -> HandleSyscall | HandleFault | Interrupted ] ->
//   Exit (tear down, become a zombie).
#include <sys/wait.h>

#include <cstdlib>

#include "kernel/base/abi.h"
#include "kernel/base/log_once.h"
#include "kernel/kernel.h"
#include "kernel/syscalls/handlers.h"
#include "kernel/syscalls/syscall.h"
#include "kernel/task/task.h"
#include "spdlog/spdlog.h"

namespace sb::kernel {
namespace {

// Task::Current(): set by Run on the task's own kernel thread.
thread_local Task* current_task = nullptr;

bool TraceSyscalls() {
  static const bool on = getenv("SANDBOXD_STRACE") != nullptr;
  return on;
}

}  // namespace

void Task::Start() {
  thread_ = std::thread([this] { Run(); });
}

bool Task::SetUpFirstRun() {
  if (ctx_) {
    // A thread: its host thread exists in the shared stub; take it over.
    if (auto r = ctx_->Attach(); !r.ok()) {
      spdlog::error("task {}: cannot attach its stub thread: {}", tid_, r.error().Name());
      return false;
    }
  } else {
    auto ctx = platform::NewProcessContext(kernel_.memory_file().fd());
    if (!ctx.ok()) {
      spdlog::error("task {}: cannot start a stub: {}", tid_, ctx.error().Name());
      return false;
    }
    ctx_ = std::move(*ctx);
    if (auto r = mm_->Materialize(*ctx_); !r.ok()) {
      spdlog::error("task {}: cannot map its address space: {}", tid_, r.error().Name());
      return false;
    }
  }
  if (initial_fp_) {
    // A forked child continues with its parent's FPU state.
    if (auto r = ctx_->SetFpState(*initial_fp_); !r.ok()) {
      spdlog::error("task {}: cannot set FPU state: {}", tid_, r.error().Name());
      return false;
    }
    initial_fp_.reset();
  } else if (!kernel_.initial_fp_state()) {
    // A fresh stub holds the CPU's initial FPU state: remember it for exec.
    platform::FpState fp;
    if (ctx_->GetFpState(fp).ok()) kernel_.RecordInitialFpState(fp);
  }
  {
    absl::MutexLock lock(&ctx_mu_);
    live_ctx_ = ctx_.get();
  }
  if (tg_->host_pid_.exchange(ctx_->host_pid()) != ctx_->host_pid()) {
    // A new process: an inherited RLIMIT_CPU counts its own CPU time.
    bool limited;
    {
      absl::MutexLock lock(&tg_->signal_mu_);
      limited = tg_->rlimits_[RLIMIT_CPU].rlim_cur != RLIM_INFINITY;
    }
    if (limited) RestartRlimitCpuTimer(kernel_, tg_);
  }
  return true;
}

void Task::Interrupt() {
  waiter_.Interrupt();
  absl::MutexLock lock(&ctx_mu_);
  if (live_ctx_ != nullptr) live_ctx_->Interrupt();
}

Task* Task::Current() { return current_task; }

void Task::Run() {
  current_task = this;
  if (!SetUpFirstRun()) ExitGroup(W_EXITCODE(0, SIGKILL));
  while (DeliverSignals()) {
    platform::StopInfo stop = ctx_->Switch(regs);
    switch (stop.kind) {
      case platform::StopKind::kSyscall:
        HandleSyscall();
        break;
      case platform::StopKind::kFault:
        HandleFault(stop);
        break;
      case platform::StopKind::kInterrupt:
        break;
      case platform::StopKind::kDead:
        ExitGroup(W_EXITCODE(0, SIGKILL));
        break;
    }
    if (control == SyscallControl::kExit) break;
  }
  DoExit();
  current_task = nullptr;
}

void Task::HandleSyscall() {
  const uint64_t nr = regs.orig_rax;
  const SyscallArgs args{{regs.rdi, regs.rsi, regs.rdx, regs.r10, regs.r8, regs.r9}};
  control = SyscallControl::kReturn;
  // seccomp runs first, on the number the program passed (Linux's
  // syscall_trace_enter): a filtered call never reaches the table.
  if (seccomp_on_.load(std::memory_order_acquire) && !SeccompAllowsSyscall()) {
    if (TraceSyscalls()) spdlog::info("[{}] syscall {} stopped by seccomp", tid_, nr);
    return;
  }
  const SyscallEntry& entry = LookupSyscall(nr);
  int64_t ret;
  if (entry.handler == nullptr) {
    ReportUnsupported(entry.name ? std::string("syscall ") + entry.name
                                 : "syscall #" + std::to_string(nr));
    ret = -entry.error;
  } else {
    SyscallResult r = entry.handler(*this, args);
    ret = r.ok() ? static_cast<int64_t>(*r) : -static_cast<int64_t>(r.error().value());
  }
  if (TraceSyscalls()) {
    spdlog::info("[{}] {}({:#x}, {:#x}, {:#x}) = {}", tid_, entry.name ? entry.name : "?",
                 args.v[0], args.v[1], args.v[2], ret);
  }
  if (control != SyscallControl::kReturn) return;
  FinishSyscall(ret);
}

void Task::FinishSyscall(int64_t ret) {
  switch (-ret) {
    case sb::abi::ERESTARTSYS:
    case sb::abi::ERESTARTNOINTR:
    case sb::abi::ERESTARTNOHAND:
    case sb::abi::ERESTART_RESTARTBLOCK:
      // Resolved in DeliverSignals: EINTR if a handler runs, else restart.
      restart_code_ = static_cast<int>(-ret);
      regs.rax = static_cast<uint64_t>(-EINTR);
      return;
    default:
      regs.rax = static_cast<uint64_t>(ret);
  }
}

void Task::HandleFault(const platform::StopInfo& stop) {
  siginfo_t info{};
  info.si_signo = stop.signo;
  info.si_code = stop.code;
  info.si_addr = reinterpret_cast<void*>(stop.addr);
  fault_error_code_ = 0;
  if (stop.signo == SIGSEGV && !mm_->Find(stop.addr) &&
      mm_->GrowStack(ctx_.get(), stop.addr, RlimitCur(RLIMIT_STACK)).ok()) {
    return;  // the stack grew: the access is retried
  }
  if (stop.signo == SIGSEGV) {
    // Everything is mapped eagerly, so a fault is the program's: inside a
    // mapping it broke the protection, outside one it touched nothing.
    // ptrace does not give the page-fault error code, so the access type is
    // inferred: at rip it was a fetch; in a readable, unwritable mapping a
    // write. Linux's error code bits: 1 present, 2 write, 4 user, 16 fetch.
    auto vma = mm_->Find(stop.addr);
    info.si_code = vma ? SEGV_ACCERR : SEGV_MAPERR;
    const bool exec = stop.addr == regs.rip;
    const bool write = !exec && vma && (vma->prot & PROT_READ) && !(vma->prot & PROT_WRITE);
    fault_error_code_ = 4 | (vma ? 1 : 0) | (write ? 2 : 0) | (exec ? 16 : 0);
  }
  if (TraceSyscalls()) {
    spdlog::info("[{}] fault signal {} code {} addr {:#x} rip {:#x}", tid_, stop.signo, stop.code,
                 stop.addr, regs.rip);
  }
  ForceSignal(info);
}

}  // namespace sb::kernel
