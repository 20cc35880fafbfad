// thread.cc: clone, fork, vfork, execve, exit, exit_group, wait4,
// set_tid_address, set_robust_list, rseq, getpid, getppid, gettid,
// arch_prctl.
#include <asm/prctl.h>
#include <linux/futex.h>
#include <linux/sched.h>
#include <sys/wait.h>

#include "kernel/base/abi.h"
#include "kernel/base/log_once.h"
#include "kernel/kernel.h"
#include "kernel/syscalls/handlers.h"

namespace sb::kernel {

SyscallResult Clone(Task& t, const SyscallArgs& a) {
  // x86-64 argument order: flags, stack, parent_tid, child_tid, tls.
  SB_ASSIGN_OR_RETURN(pid_t pid, t.Clone(a.u64(0), a.addr(1), a.addr(2), a.addr(3), a.u64(4)));
  return pid;
}

SyscallResult Clone3(Task& t, const SyscallArgs& a) {
  struct clone_args args {};
  const uint64_t size = a.u64(1);
  if (size < CLONE_ARGS_SIZE_VER0 || size > 4096) return Errno(EINVAL);
  SB_TRY(t.CopyIn(a.addr(0), &args, std::min<uint64_t>(size, sizeof(args))));
  if (args.set_tid || args.set_tid_size || (args.flags & (CLONE_PIDFD | CLONE_INTO_CGROUP))) {
    ReportUnsupported("clone3 set_tid/pidfd/cgroup");
    return Errno(EINVAL);
  }
  if (args.exit_signal > kNumSignals || (args.flags & CSIGNAL)) return Errno(EINVAL);
  if ((args.stack == 0) != (args.stack_size == 0)) return Errno(EINVAL);
  uint64_t stack = args.stack ? args.stack + args.stack_size : 0;
  SB_ASSIGN_OR_RETURN(pid_t pid, t.Clone(args.flags | args.exit_signal, stack, args.parent_tid,
                                         args.child_tid, args.tls));
  return pid;
}

SyscallResult Fork(Task& t, const SyscallArgs& a) {
  SB_ASSIGN_OR_RETURN(pid_t pid, t.Clone(SIGCHLD, 0, 0, 0, 0));
  return pid;
}

SyscallResult Vfork(Task& t, const SyscallArgs& a) {
  SB_ASSIGN_OR_RETURN(pid_t pid, t.Clone(CLONE_VM | CLONE_VFORK | SIGCHLD, 0, 0, 0, 0));
  return pid;
}

namespace {

SyscallResult DoExecve(Task& t, int dirfd, uint64_t path_addr, uint64_t argv, uint64_t envp,
                       int flags) {
  SB_ASSIGN_OR_RETURN(std::string path, t.CopyInString(path_addr, sb::abi::kPathMax));
  SB_ASSIGN_OR_RETURN(auto args, t.CopyInStringArray(argv));
  SB_ASSIGN_OR_RETURN(auto env, t.CopyInStringArray(envp));
  SB_TRY(t.Execve(path, std::move(args), std::move(env), dirfd, flags));
  return 0;
}

}  // namespace

SyscallResult Execve(Task& t, const SyscallArgs& a) {
  return DoExecve(t, AT_FDCWD, a.addr(0), a.addr(1), a.addr(2), 0);
}

SyscallResult Execveat(Task& t, const SyscallArgs& a) {
  return DoExecve(t, a.fd(0), a.addr(1), a.addr(2), a.addr(3), a.i32(4));
}

SyscallResult Exit(Task& t, const SyscallArgs& a) {
  t.ExitThread(a.i32(0) & 0xff);
  return 0;
}

SyscallResult ExitGroup(Task& t, const SyscallArgs& a) {
  t.ExitGroup(W_EXITCODE(a.i32(0) & 0xff, 0));
  return 0;
}

SyscallResult SetTidAddress(Task& t, const SyscallArgs& a) {
  t.clear_child_tid = a.addr(0);
  return t.pid()->local();
}

SyscallResult SetRobustList(Task& t, const SyscallArgs& a) {
  if (a.size(1) != sizeof(struct robust_list_head)) return Errno(EINVAL);
  t.robust_list_head = a.addr(0);
  return 0;
}

SyscallResult GetRobustList(Task& t, const SyscallArgs& a) {
  const pid_t pid = a.i32(0);
  uint64_t head = t.robust_list_head;
  if (pid != 0) {
    TaskRef target = t.kernel().FindTaskIn(t.pid_namespace(), pid);
    if (!target) return Errno(ESRCH);
    // Linux asks for PTRACE_MODE_READ: the same real user, or CAP_SYS_PTRACE.
    constexpr int kCapSysPtrace = 19;
    {
      absl::MutexLock lock(&t.kernel().tree_mu_);
      if (target->creds().ruid != t.creds().ruid && !t.creds().HasCapability(kCapSysPtrace)) {
        return Errno(EPERM);
      }
    }
    head = target->robust_list_head;
  }
  SB_TRY(t.CopyOutObj<uint64_t>(a.addr(2), sizeof(struct robust_list_head)));
  SB_TRY(t.CopyOutObj<uint64_t>(a.addr(1), head));
  return 0;
}

// IDs as the caller's PID namespace numbers them.
SyscallResult Getpid(Task& t, const SyscallArgs& a) { return t.thread_group().pid()->local(); }
SyscallResult Gettid(Task& t, const SyscallArgs& a) { return t.pid()->local(); }

SyscallResult Getppid(Task& t, const SyscallArgs& a) {
  absl::MutexLock lock(&t.kernel().tree_mu_);
  const auto& parent = t.thread_group().parent_;
  return parent ? t.IdOf(parent->pid()) : 0;
}

SyscallResult ArchPrctl(Task& t, const SyscallArgs& a) {
  switch (a.i32(0)) {
    case ARCH_SET_FS:
      if (a.u64(1) >= sb::abi::kTaskSize) return Errno(EPERM);
      t.regs.fs_base = a.u64(1);
      return 0;
    case ARCH_GET_FS:
      SB_TRY(t.CopyOutObj<uint64_t>(a.addr(1), t.regs.fs_base));
      return 0;
    case ARCH_SET_GS:
      if (a.u64(1) >= sb::abi::kTaskSize) return Errno(EPERM);
      t.regs.gs_base = a.u64(1);
      return 0;
    case ARCH_GET_GS:
      SB_TRY(t.CopyOutObj<uint64_t>(a.addr(1), t.regs.gs_base));
      return 0;
    default:
      return Errno(EINVAL);
  }
}

}  // namespace sb::kernel
