// task_signals.cc: generating, queueing and delivering signals.
// Analogous to Linux's kernel/signal.c and arch/x86/kernel/signal.c.
#include <cstring>

#include "kernel/base/abi.h"
#include "kernel/base/log_once.h"
#include "kernel/kernel.h"
#include "kernel/task/signal_abi.h"
#include "kernel/task/signalfd.h"
#include "kernel/task/task.h"

namespace sb::kernel {
namespace {

enum class DefaultAction { kTerminate, kCore, kIgnore, kStop, kContinue };

// Linux's sig_kernel_{coredump,ignore,stop} sets.
DefaultAction DefaultActionOf(int sig) {
  switch (sig) {
    case SIGQUIT:
    case SIGILL:
    case SIGTRAP:
    case SIGABRT:
    case SIGBUS:
    case SIGFPE:
    case SIGSEGV:
    case SIGXCPU:
    case SIGXFSZ:
    case SIGSYS:
      return DefaultAction::kCore;
    case SIGCHLD:
    case SIGURG:
    case SIGWINCH:
      return DefaultAction::kIgnore;
    case SIGCONT:
      return DefaultAction::kContinue;
    case SIGSTOP:
    case SIGTSTP:
    case SIGTTIN:
    case SIGTTOU:
      return DefaultAction::kStop;
    default:
      return DefaultAction::kTerminate;
  }
}

bool IgnoredLocked(const SigAction& act, int sig) {
  if (act.handler == reinterpret_cast<uint64_t>(SIG_IGN)) return true;
  if (act.handler == reinterpret_cast<uint64_t>(SIG_DFL)) {
    auto d = DefaultActionOf(sig);
    return d == DefaultAction::kIgnore || d == DefaultAction::kContinue;
  }
  return false;
}

bool IsStopSignal(int sig) {
  return sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU;
}

void InterruptAll(Kernel& kernel, ThreadGroup& tg) {
  std::vector<TaskRef> tasks;
  {
    absl::MutexLock lock(&kernel.tree_mu_);
    for (Task* t : tg.tasks_) tasks.push_back(kernel.tasks_[t->tid()]);
  }
  for (auto& t : tasks) {
    if (t) t->Interrupt();
  }
}

}  // namespace

void NotifyParent(Kernel& kernel, ThreadGroup& child, int code, int status, int sig) {
  ThreadGroupRef parent;
  bool tell = sig != 0;
  pid_t child_pid;
  uid_t child_uid;
  clock_t utime = 0, stime = 0;
  {
    absl::MutexLock lock(&kernel.tree_mu_);
    parent = child.parent_;
    if (!parent) return;
    child_pid = PidIn(child.pid(), parent->pid_namespace());
    child_uid = kernel.RealUidOfLocked(child);
    if (child.zombie_) {
      // The child's own CPU time in clock ticks (USER_HZ), as Linux's
      // do_notify_parent.
      utime = static_cast<clock_t>(absl::ToInt64Milliseconds(child.exit_utime_) / 10);
      stime = static_cast<clock_t>(absl::ToInt64Milliseconds(child.exit_stime_) / 10);
    }
    absl::MutexLock sig_lock(&parent->signal_mu_);
    const SigAction& act = parent->actions_[SIGCHLD - 1];
    if ((code == CLD_STOPPED || code == CLD_CONTINUED) && (act.flags & SA_NOCLDSTOP)) tell = false;
  }
  if (tell) {
    siginfo_t info{};
    info.si_signo = sig;
    info.si_code = code;
    info.si_pid = child_pid;
    info.si_uid = child_uid;
    info.si_status = status;
    info.si_utime = utime;
    info.si_stime = stime;
    SendProcessSignal(kernel, parent, info);
  }
  parent->child_events_.Notify(POLLIN);
}

bool Task::PrepareSignal(Kernel& kernel, const ThreadGroupRef& tg, int sig) {
  bool resumed = false;
  {
    absl::MutexLock tree_lock(&kernel.tree_mu_);  // tg->tasks_
    absl::MutexLock lock(&tg->signal_mu_);
    if (tg->exiting_) return sig == SIGKILL;
    if (sig == SIGCONT || sig == SIGKILL) {
      // Continuing discards pending stops, and wakes a stopped group now.
      constexpr uint64_t kStops =
          SigBit(SIGSTOP) | SigBit(SIGTSTP) | SigBit(SIGTTIN) | SigBit(SIGTTOU);
      tg->shared_pending_.Discard(kStops);
      for (Task* t : tg->tasks_) t->pending_.Discard(kStops);
      if (tg->stopped_) {
        tg->stopped_ = false;
        if (sig == SIGCONT) {
          tg->continued_ = true;
          resumed = true;
        }
      }
    } else if (IsStopSignal(sig)) {
      tg->shared_pending_.Discard(SigBit(SIGCONT));
      for (Task* t : tg->tasks_) t->pending_.Discard(SigBit(SIGCONT));
    }
  }
  if (resumed) {
    NotifyParent(kernel, *tg, CLD_CONTINUED, SIGCONT);
    InterruptAll(kernel, *tg);
  }
  return true;
}

void SendProcessSignal(Kernel& kernel, const ThreadGroupRef& tg, const siginfo_t& info) {
  const int sig = info.si_signo;
  if (sig < 1 || sig > kNumSignals) return;
  if (!Task::PrepareSignal(kernel, tg, sig)) return;
  {
    absl::MutexLock tree_lock(&kernel.tree_mu_);  // tg->tasks_
    absl::MutexLock lock(&tg->signal_mu_);
    const SigAction& act = tg->actions_[sig - 1];
    bool all_block = !tg->tasks_.empty();
    for (Task* t : tg->tasks_) all_block = all_block && (t->signal_mask_ & SigBit(sig));
    if (IgnoredLocked(act, sig) && !all_block) return;
    if (!tg->shared_pending_.Enqueue(info)) return;
  }
  InterruptAll(kernel, *tg);
  NotifySignalFds(*tg);
}

void Task::SendSignal(const siginfo_t& info) {
  const int sig = info.si_signo;
  if (sig < 1 || sig > kNumSignals) return;
  if (!PrepareSignal(kernel_, tg_, sig)) return;
  {
    absl::MutexLock lock(&tg_->signal_mu_);
    const SigAction& act = tg_->actions_[sig - 1];
    // An ignored signal is discarded at generation (unless blocked, when
    // Linux keeps it in case the action changes; we do the same).
    if (IgnoredLocked(act, sig) && !(signal_mask_ & SigBit(sig))) return;
    if (!pending_.Enqueue(info)) return;
  }
  Interrupt();
  NotifySignalFds(*tg_);
}

void Task::ForceSignal(const siginfo_t& info, bool default_action) {
  const int sig = info.si_signo;
  {
    absl::MutexLock lock(&tg_->signal_mu_);
    SigAction& act = tg_->actions_[sig - 1];
    bool blocked = signal_mask_ & SigBit(sig);
    if (default_action || blocked || act.handler == reinterpret_cast<uint64_t>(SIG_IGN)) {
      act.handler = reinterpret_cast<uint64_t>(SIG_DFL);
      signal_mask_ &= ~SigBit(sig);
    }
    pending_.Discard(SigBit(sig));
    pending_.Enqueue(info);
  }
  NotifySignalFds(*tg_);
}

bool Task::DeliverSignals() {
  // Clear before looking: a signal sent after this re-sets it.
  waiter_.ClearInterrupt();
  // A stopped process's threads wait here for SIGCONT, a frozen one's for
  // the thaw (either: or SIGKILL).
  for (;;) {
    {
      absl::MutexLock lock(&tg_->signal_mu_);
      if (tg_->exiting_ || killed_by_exec_) return false;
      if (!tg_->stopped_ && !tg_->frozen_) break;
      if ((pending_.mask | tg_->shared_pending_.mask) & SigBit(SIGKILL)) break;
    }
    waiter_.Wait(absl::InfiniteFuture());
    waiter_.ClearInterrupt();
  }
  for (;;) {
    int sig = 0;
    siginfo_t info{};
    SigAction act;
    {
      absl::MutexLock lock(&tg_->signal_mu_);
      if (tg_->exiting_ || killed_by_exec_) return false;
      uint64_t ready = (pending_.mask | tg_->shared_pending_.mask) & ~signal_mask_;
      if (ready == 0) break;
      // Synchronous faults first, then the lowest number (Linux's next_signal).
      constexpr uint64_t kSync = SigBit(SIGSEGV) | SigBit(SIGBUS) | SigBit(SIGILL) |
                                 SigBit(SIGTRAP) | SigBit(SIGFPE) | SigBit(SIGSYS);
      uint64_t pick = (ready & kSync) ? (ready & kSync) : ready;
      sig = __builtin_ctzll(pick) + 1;
      info = pending_.Has(sig) ? pending_.Dequeue(sig) : tg_->shared_pending_.Dequeue(sig);
      act = tg_->actions_[sig - 1];
      if (act.handler > 1 && (act.flags & SA_RESETHAND)) {
        tg_->actions_[sig - 1] = SigAction{};
      }
    }
    if (act.handler == reinterpret_cast<uint64_t>(SIG_IGN)) continue;
    if (act.handler == reinterpret_cast<uint64_t>(SIG_DFL)) {
      switch (DefaultActionOf(sig)) {
        case DefaultAction::kIgnore:
        case DefaultAction::kContinue:
          continue;
        case DefaultAction::kStop: {
          // A terminal stop signal does nothing to an orphaned process
          // group: no one would be left to continue it (Linux's
          // get_signal, is_current_pgrp_orphaned).
          if (sig != SIGSTOP) {
            absl::MutexLock lock(&kernel_.tree_mu_);
            if (IsPgrpOrphanedLocked(kernel_, tg_->pgid_)) continue;
          }
          // Group stop (Linux's do_signal_stop): every thread stops; the
          // parent learns it through SIGCHLD and wait(WUNTRACED).
          bool first = false;
          {
            absl::MutexLock lock(&tg_->signal_mu_);
            if (!tg_->stopped_) {
              tg_->stopped_ = true;
              tg_->stop_signal_ = sig;
              tg_->stop_reported_ = false;
              tg_->continued_ = false;
              first = true;
            }
          }
          if (first) {
            NotifyParent(kernel_, *tg_, CLD_STOPPED, sig);
            InterruptAll(kernel_, *tg_);
          }
          return DeliverSignals();  // wait in the stopped state
        }
        case DefaultAction::kCore:
          // No core file is ever written, so the status never claims one
          // (WCOREDUMP), as Linux when a dump fails; a limit that asks for
          // a dump is told once that it was not made.
          if (RlimitCur(RLIMIT_CORE) != 0) ReportUnsupported("core dumps (RLIMIT_CORE is set)");
          ExitGroup(sig);
          return false;
        case DefaultAction::kTerminate:
          ExitGroup(sig);
          return false;
      }
    }
    // A handler runs: resolve an interrupted syscall first.
    if (restart_code_ != 0) {
      bool restart = restart_code_ == sb::abi::ERESTARTNOINTR ||
                     (restart_code_ == sb::abi::ERESTARTSYS && (act.flags & SA_RESTART));
      if (restart) {
        regs.rax = regs.orig_rax;
        regs.rip -= 2;
      } else {
        regs.rax = static_cast<uint64_t>(-EINTR);
      }
      restart_code_ = 0;
    }
    if (!SetupSignalFrame(sig, info, act)) {
      // No room for the frame (a blown stack): Linux's force_sigsegv, with
      // the handler reset so the program dies rather than loops.
      {
        absl::MutexLock lock(&tg_->signal_mu_);
        tg_->actions_[SIGSEGV - 1] = SigAction{};
      }
      siginfo_t segv{};
      segv.si_signo = SIGSEGV;
      segv.si_code = SI_KERNEL;
      ForceSignal(segv);
    }
  }
  if (saved_mask) {
    // rt_sigsuspend woke for a signal that needed no handler.
    absl::MutexLock lock(&tg_->signal_mu_);
    set_signal_mask(*saved_mask);
    saved_mask.reset();
  }
  if (restart_code_ != 0) {
    // No handler ran: the interrupted call restarts transparently.
    regs.rax = regs.orig_rax;
    regs.rip -= 2;
    restart_code_ = 0;
  }
  return true;
}

bool Task::HasDeliverableSignal() {
  absl::MutexLock lock(&tg_->signal_mu_);
  return tg_->exiting_ || killed_by_exec_ ||
         ((pending_.mask | tg_->shared_pending_.mask) & ~signal_mask_) != 0;
}

uint64_t Task::PendingSignals() {
  absl::MutexLock lock(&tg_->signal_mu_);
  return pending_.mask | tg_->shared_pending_.mask;
}

uint64_t Task::OwnPendingSignals() {
  absl::MutexLock lock(&tg_->signal_mu_);
  return pending_.mask;
}

std::optional<siginfo_t> Task::DequeueSignal(uint64_t set) {
  absl::MutexLock lock(&tg_->signal_mu_);
  for (SignalQueue* q : {&pending_, &tg_->shared_pending_}) {
    uint64_t ready = q->mask & set;
    if (ready) return q->Dequeue(__builtin_ctzll(ready) + 1);
  }
  return std::nullopt;
}

bool Task::SetupSignalFrame(int sig, const siginfo_t& info, const SigAction& act) {
  platform::FpState fp;
  if (!ctx_->GetFpState(fp).ok()) return false;
  uint64_t sp = regs.rsp;
  bool on_alt = alt_stack.ss_flags == 0 && alt_stack.ss_size > 0 &&
                sp - reinterpret_cast<uint64_t>(alt_stack.ss_sp) <= alt_stack.ss_size;
  if ((act.flags & SA_ONSTACK) && alt_stack.ss_flags != SS_DISABLE && !on_alt) {
    sp = reinterpret_cast<uint64_t>(alt_stack.ss_sp) + alt_stack.ss_size;
  } else {
    sp -= 128;  // the red zone
  }
  // The xsave area, 64-byte aligned, followed by kFpXstateMagic2.
  sp -= fp.size + 4;
  sp &= ~uint64_t{63};
  const uint64_t fp_addr = sp;
  sigabi::FpxSwBytes sw{};
  sw.magic1 = sigabi::kFpXstateMagic1;
  sw.extended_size = fp.size + 4;
  memcpy(&sw.xfeatures, fp.bytes.data() + 512, 8);  // XSTATE_BV as the features in use
  sw.xfeatures |= 3;                                // x87 and SSE are always present
  sw.xstate_size = fp.size;
  memcpy(fp.bytes.data() + sigabi::kSwReservedOffset, &sw, sizeof(sw));
  if (!CopyOut(fp_addr, fp.bytes.data(), fp.size).ok()) return false;
  uint32_t magic2 = sigabi::kFpXstateMagic2;
  if (!CopyOutObj(fp_addr + fp.size, magic2).ok()) return false;

  sp -= sizeof(sigabi::RtSigframe);
  sp = (sp & ~uint64_t{15}) - 8;
  sigabi::RtSigframe frame{};
  frame.pretcode = act.restorer;
  frame.uc.uc_flags =
      sigabi::UC_FP_XSTATE | sigabi::UC_SIGCONTEXT_SS | sigabi::UC_STRICT_RESTORE_SS;
  frame.uc.uc_stack = alt_stack;
  if (alt_stack.ss_flags != SS_DISABLE) frame.uc.uc_stack.ss_flags = on_alt ? SS_ONSTACK : 0;
  sigabi::SigContext& mc = frame.uc.uc_mcontext;
  mc.r8 = regs.r8, mc.r9 = regs.r9, mc.r10 = regs.r10, mc.r11 = regs.r11;
  mc.r12 = regs.r12, mc.r13 = regs.r13, mc.r14 = regs.r14, mc.r15 = regs.r15;
  mc.rdi = regs.rdi, mc.rsi = regs.rsi, mc.rbp = regs.rbp, mc.rbx = regs.rbx;
  mc.rdx = regs.rdx, mc.rax = regs.rax, mc.rcx = regs.rcx, mc.rsp = regs.rsp;
  mc.rip = regs.rip, mc.eflags = regs.eflags;
  mc.cs = static_cast<uint16_t>(regs.cs), mc.ss = static_cast<uint16_t>(regs.ss);
  mc.trapno = (sig == SIGSEGV || sig == SIGBUS) ? 14 : 0;
  mc.err = sig == SIGSEGV ? fault_error_code_ : 0;
  mc.cr2 = reinterpret_cast<uint64_t>(info.si_addr);
  // After rt_sigsuspend the handler returns to the mask from before it.
  const uint64_t restore_mask = saved_mask ? *saved_mask : signal_mask_;
  saved_mask.reset();
  mc.oldmask = restore_mask;
  mc.fpstate = fp_addr;
  frame.uc.uc_sigmask = restore_mask;
  frame.info = info;
  if (!CopyOutObj(sp, frame).ok()) return false;

  regs.rsp = sp;
  regs.rip = act.handler;
  regs.rdi = static_cast<uint64_t>(sig);
  regs.rsi = sp + offsetof(sigabi::RtSigframe, info);
  regs.rdx = sp + offsetof(sigabi::RtSigframe, uc);
  regs.rax = 0;
  regs.eflags &= ~(0x100ULL | 0x400ULL);  // clear TF and DF, as Linux does
  uint64_t mask = signal_mask_ | act.mask;
  if (!(act.flags & SA_NODEFER)) mask |= SigBit(sig);
  {
    absl::MutexLock lock(&tg_->signal_mu_);
    set_signal_mask(mask);
  }
  return true;
}

ErrnoStatus Task::SignalReturn() {
  // The handler's `ret` popped pretcode: the frame starts 8 bytes below rsp.
  const uint64_t frame_addr = regs.rsp - 8;
  SB_ASSIGN_OR_RETURN(sigabi::RtSigframe frame, CopyInObj<sigabi::RtSigframe>(frame_addr));
  const sigabi::SigContext& mc = frame.uc.uc_mcontext;
  regs.r8 = mc.r8, regs.r9 = mc.r9, regs.r10 = mc.r10, regs.r11 = mc.r11;
  regs.r12 = mc.r12, regs.r13 = mc.r13, regs.r14 = mc.r14, regs.r15 = mc.r15;
  regs.rdi = mc.rdi, regs.rsi = mc.rsi, regs.rbp = mc.rbp, regs.rbx = mc.rbx;
  regs.rdx = mc.rdx, regs.rax = mc.rax, regs.rcx = mc.rcx, regs.rsp = mc.rsp;
  regs.rip = mc.rip;
  // Only the user-changeable flags (Linux's FIX_EFLAGS).
  constexpr uint64_t kFixEflags = 0x40DD5;
  regs.eflags = (regs.eflags & ~kFixEflags) | (mc.eflags & kFixEflags);
  regs.orig_rax = ~0ULL;  // no syscall restart after sigreturn
  {
    absl::MutexLock lock(&tg_->signal_mu_);
    set_signal_mask(frame.uc.uc_sigmask);
  }
  if (mc.fpstate != 0) {
    platform::FpState fp;
    SB_TRY(ctx_->GetFpState(fp));  // learns the size the host uses
    SB_TRY(CopyIn(mc.fpstate, fp.bytes.data(), fp.size));
    // Drop the software bytes; the host validates the rest.
    memset(fp.bytes.data() + sigabi::kSwReservedOffset, 0, sizeof(sigabi::FpxSwBytes));
    SB_TRY(ctx_->SetFpState(fp));
  }
  control = SyscallControl::kNoReturn;
  return Ok();
}

}  // namespace sb::kernel
