// task_seccomp.cc: a task's seccomp mode and filters, and the check every
// syscall passes before dispatch (Linux's kernel/seccomp.c, task side).
// The filter programs themselves run in kernel/seccomp/.
#include <linux/audit.h>
#include <linux/seccomp.h>

#include <algorithm>
#include <optional>

#include "kernel/kernel.h"
#include "kernel/seccomp/bpf.h"
#include "kernel/seccomp/filter.h"
#include "kernel/task/task.h"
#include "spdlog/spdlog.h"

namespace sb::kernel {
namespace {

// si_code of a seccomp SIGSYS (asm-generic/siginfo.h; glibc lacks it).
constexpr int kSysSeccomp = 1;

// The SIGSYS a TRAP or a kill raises (Linux's seccomp_init_siginfo).
siginfo_t SeccompSiginfo(int32_t nr, uint64_t call_addr, uint32_t data) {
  siginfo_t info{};
  info.si_signo = SIGSYS;
  info.si_code = kSysSeccomp;
  info.si_errno = static_cast<int>(data);
  info.si_call_addr = reinterpret_cast<void*>(call_addr);
  info.si_syscall = nr;
  info.si_arch = AUDIT_ARCH_X86_64;
  return info;
}

const char* ActionName(uint32_t action) {
  switch (action) {
    case SECCOMP_RET_KILL_PROCESS:
      return "kill_process";
    case SECCOMP_RET_KILL_THREAD:
      return "kill_thread";
    case SECCOMP_RET_TRAP:
      return "trap";
    case SECCOMP_RET_ERRNO:
      return "errno";
    case SECCOMP_RET_USER_NOTIF:
      return "user_notif";
    case SECCOMP_RET_TRACE:
      return "trace";
    case SECCOMP_RET_LOG:
      return "log";
    case SECCOMP_RET_ALLOW:
      return "allow";
    default:
      return "unknown (kill_process)";
  }
}

}  // namespace

int Task::seccomp_mode() {
  absl::MutexLock lock(&seccomp_mu_);
  return seccomp_.mode;
}

int Task::seccomp_filter_count() {
  absl::MutexLock lock(&seccomp_mu_);
  int n = 0;
  for (const seccomp::Filter* f = seccomp_.filter.get(); f != nullptr; f = f->prev.get()) ++n;
  return n;
}

ErrnoStatus Task::SetSeccompStrict() {
  absl::MutexLock lock(&seccomp_mu_);
  if (seccomp_.mode != SECCOMP_MODE_DISABLED) return Errno(EINVAL);
  seccomp_.mode = SECCOMP_MODE_STRICT;
  seccomp_on_.store(true, std::memory_order_release);
  return Ok();
}

ErrnoOr<uint64_t> Task::AddSeccompFilter(std::vector<sock_filter> program, uint32_t flags) {
  auto filter = std::make_shared<seccomp::Filter>();
  filter->program = std::move(program);
  filter->length = seccomp::ConvertedLength(filter->program);
  filter->log = flags & SECCOMP_FILTER_FLAG_LOG;
  // SECCOMP_FILTER_FLAG_SPEC_ALLOW needs nothing: Linux would skip its
  // speculative-store-bypass mitigation for the task, and we apply none.
  const bool tsync = flags & SECCOMP_FILTER_FLAG_TSYNC;

  // With TSYNC the group's thread list must not change while we look at it
  // and hand out the new stack: hold tree_mu_ (Clone copies the state of the
  // cloning thread under it too, so a new thread gets either the old stack,
  // then replaced here, or the new one).
  std::optional<absl::MutexLock> tree_lock;
  if (tsync) tree_lock.emplace(&kernel_.tree_mu_);
  absl::MutexLock lock(&seccomp_mu_);
  if (seccomp_.mode != SECCOMP_MODE_DISABLED && seccomp_.mode != SECCOMP_MODE_FILTER) {
    return Errno(EINVAL);
  }
  if (seccomp::PathLength(seccomp_.filter, filter->length) > seccomp::kMaxInsnsPerPath) {
    return Errno(ENOMEM);
  }
  std::vector<Task*> others;
  if (tsync) {
    for (Task* t : tg_->tasks_) {
      if (t == this) continue;
      absl::MutexLock other_lock(&t->seccomp_mu_);
      const seccomp::State& st = t->seccomp_;
      const bool can_sync =
          st.mode == SECCOMP_MODE_DISABLED ||
          (st.mode == SECCOMP_MODE_FILTER && seccomp::IsAncestor(st.filter, seccomp_.filter));
      if (!can_sync) {
        if (flags & SECCOMP_FILTER_FLAG_TSYNC_ESRCH) return Errno(ESRCH);
        return static_cast<uint64_t>(t->tid());
      }
      others.push_back(t);
    }
  }
  filter->prev = seccomp_.filter;
  seccomp_.filter = std::move(filter);
  seccomp_.mode = SECCOMP_MODE_FILTER;
  seccomp_on_.store(true, std::memory_order_release);
  for (Task* t : others) {
    absl::MutexLock other_lock(&t->seccomp_mu_);
    t->seccomp_ = seccomp_;
    // A thread must not escape no_new_privs by way of a synced filter.
    if (no_new_privs) t->no_new_privs = true;
    t->seccomp_on_.store(true, std::memory_order_release);
  }
  return 0;
}

bool Task::SeccompAllowsSyscall() {
  seccomp::State st;
  {
    absl::MutexLock lock(&seccomp_mu_);
    st = seccomp_;
  }
  // The number as the program passed it, x32 bit included (Linux's
  // syscall_get_nr is an int).
  const int32_t nr = static_cast<int32_t>(regs.orig_rax);
  if (st.mode == SECCOMP_MODE_STRICT) {
    if (seccomp::StrictModeAllows(nr)) return true;
    spdlog::info("task {}: seccomp strict mode: syscall {} kills the thread", tid_, nr);
    KillThread(SIGKILL);  // Linux: do_exit(SIGKILL)
    return false;
  }
  if (st.mode != SECCOMP_MODE_FILTER || !st.filter) return true;

  seccomp_data data{};
  data.nr = nr;
  data.arch = AUDIT_ARCH_X86_64;
  data.instruction_pointer = regs.rip;  // after the syscall instruction
  const uint64_t args[6] = {regs.rdi, regs.rsi, regs.rdx, regs.r10, regs.r8, regs.r9};
  std::copy(std::begin(args), std::end(args), data.args);
  const seccomp::Verdict v = seccomp::RunFilters(*st.filter, data);
  const uint32_t action = v.ret & SECCOMP_RET_ACTION_FULL;
  const uint32_t payload = v.ret & SECCOMP_RET_DATA;
  if (action == SECCOMP_RET_ALLOW) return true;
  // Linux audits LOG and the kills always, the rest when the filter asked.
  const bool always_logged = action == SECCOMP_RET_LOG || action == SECCOMP_RET_KILL_THREAD ||
                             action == SECCOMP_RET_KILL_PROCESS ||
                             !seccomp::ActionAvailable(action);
  if (always_logged || v.log) {
    spdlog::info("task {}: seccomp: syscall {} action {} data {}", tid_, nr, ActionName(action),
                 payload);
  }
  switch (action) {
    case SECCOMP_RET_LOG:
      return true;
    case SECCOMP_RET_ERRNO:
      // Through FinishSyscall like any result: a filter that returns a
      // restart code gets the restart Linux gives it.
      FinishSyscall(-static_cast<int64_t>(std::min(payload, seccomp::kMaxErrno)));
      return false;
    case SECCOMP_RET_TRAP:
      // The handler sees the registers as at entry: rax holds the number.
      regs.rax = regs.orig_rax;
      ForceSignal(SeccompSiginfo(nr, regs.rip, payload));
      return false;
    case SECCOMP_RET_TRACE:
      // No tracer can ask for PTRACE_EVENT_SECCOMP (ptrace(2) is not
      // offered to programs), and Linux fails the call then.
      FinishSyscall(-ENOSYS);
      return false;
    case SECCOMP_RET_USER_NOTIF:
      // No filter has a listener (SECCOMP_FILTER_FLAG_NEW_LISTENER is
      // refused), and without one Linux fails the call.
      FinishSyscall(-ENOSYS);
      return false;
    default:
      break;
  }
  // KILL_THREAD, KILL_PROCESS and unknown actions. Killing a thread that is
  // the last one kills the process the way KILL_PROCESS does: a SIGSYS no
  // handler can catch, with the default action (core).
  bool last = true;
  if (action == SECCOMP_RET_KILL_THREAD) {
    absl::MutexLock lock(&kernel_.tree_mu_);
    last = tg_->tasks_.size() <= 1;
  }
  if (last) {
    regs.rax = regs.orig_rax;
    ForceSignal(SeccompSiginfo(nr, regs.rip, payload), /*default_action=*/true);
  } else {
    KillThread(SIGSYS);  // Linux: do_exit(SIGSYS)
  }
  return false;
}

}  // namespace sb::kernel
