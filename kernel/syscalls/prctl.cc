// prctl.cc: prctl(2), the options programs set at start-up.
#include <linux/seccomp.h>
#include <sys/prctl.h>

#include <cstring>

#include "kernel/base/log_once.h"
#include "kernel/kernel.h"
#include "kernel/syscalls/handlers.h"

namespace sb::kernel {

SyscallResult Prctl(Task& t, const SyscallArgs& a) {
  const int option = a.i32(0);
  ThreadGroup& tg = t.thread_group();
  switch (option) {
    case PR_SET_NAME: {
      char name[16] = {};
      // Up to 16 bytes, truncated to 15 + NUL as Linux's set_task_comm.
      for (int i = 0; i < 15; ++i) {
        SB_ASSIGN_OR_RETURN(char c, t.CopyInObj<char>(a.addr(1) + i));
        if (c == 0) break;
        name[i] = c;
      }
      absl::MutexLock lock(&tg.signal_mu_);
      tg.comm_ = name;
      return 0;
    }
    case PR_GET_NAME: {
      char name[16] = {};
      {
        absl::MutexLock lock(&tg.signal_mu_);
        strncpy(name, tg.comm_.c_str(), 15);
      }
      SB_TRY(t.CopyOut(a.addr(1), name, sizeof(name)));
      return 0;
    }
    case PR_SET_PDEATHSIG:
      if (a.u64(1) > kNumSignals) return Errno(EINVAL);
      t.pdeath_signal.store(a.i32(1));
      return 0;
    case PR_GET_PDEATHSIG:
      SB_TRY(t.CopyOutObj<int>(a.addr(1), t.pdeath_signal.load()));
      return 0;
    case PR_GET_DUMPABLE:
      return t.dumpable ? 1 : 0;
    case PR_SET_DUMPABLE:
      if (a.u64(1) > 1) return Errno(EINVAL);
      t.dumpable = a.u64(1) == 1;
      return 0;
    case PR_SET_NO_NEW_PRIVS:
      if (a.u64(1) != 1 || a.u64(2) || a.u64(3) || a.u64(4)) return Errno(EINVAL);
      t.no_new_privs = true;
      return 0;
    case PR_GET_NO_NEW_PRIVS:
      if (a.u64(1) || a.u64(2) || a.u64(3) || a.u64(4)) return Errno(EINVAL);
      return t.no_new_privs ? 1 : 0;
    case PR_GET_SECCOMP:
      return t.seccomp_mode();
    case PR_SET_SECCOMP:
      // seccomp(2) without flags; strict mode ignores the third argument.
      switch (a.u64(1)) {
        case SECCOMP_MODE_STRICT:
          return SeccompOp(t, SECCOMP_SET_MODE_STRICT, 0, 0);
        case SECCOMP_MODE_FILTER:
          return SeccompOp(t, SECCOMP_SET_MODE_FILTER, 0, a.addr(2));
        default:
          return Errno(EINVAL);
      }
    case PR_CAPBSET_READ:
      if (a.u64(1) > static_cast<uint64_t>(kCapLastCap)) return Errno(EINVAL);
      return (t.creds().cap_bounding >> a.u64(1)) & 1;
    case PR_GET_KEEPCAPS:
      return t.keep_caps ? 1 : 0;
    case PR_SET_KEEPCAPS:
      if (a.u64(1) > 1) return Errno(EINVAL);
      t.keep_caps = a.u64(1) == 1;
      return 0;
    case PR_SET_CHILD_SUBREAPER: {
      absl::MutexLock lock(&t.kernel().tree_mu_);
      tg.child_subreaper_ = a.u64(1) != 0;
      return 0;
    }
    case PR_GET_CHILD_SUBREAPER: {
      int v;
      {
        absl::MutexLock lock(&t.kernel().tree_mu_);
        v = tg.child_subreaper_ ? 1 : 0;
      }
      SB_TRY(t.CopyOutObj<int>(a.addr(1), v));
      return 0;
    }
    case PR_GET_TIMERSLACK:
      return 50000;  // Linux's default, in ns
    default:
      ReportUnsupported("prctl option " + std::to_string(option));
      return Errno(EINVAL);
  }
}

}  // namespace sb::kernel
