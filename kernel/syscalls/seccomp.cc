// seccomp.cc: seccomp(2), which prctl(PR_SET_SECCOMP) also reaches.
// Filters are checked and run by kernel/seccomp/; the task keeps them and
// applies them at syscall entry (task_seccomp.cc).
#include <linux/filter.h>
#include <linux/seccomp.h>

#include <vector>

#include "kernel/base/log_once.h"
#include "kernel/seccomp/bpf.h"
#include "kernel/seccomp/filter.h"
#include "kernel/syscalls/handlers.h"

namespace sb::kernel {
namespace {

constexpr int kCapSysAdmin = 21;

constexpr uint32_t kFilterFlags =
    SECCOMP_FILTER_FLAG_TSYNC | SECCOMP_FILTER_FLAG_LOG | SECCOMP_FILTER_FLAG_SPEC_ALLOW |
    SECCOMP_FILTER_FLAG_NEW_LISTENER | SECCOMP_FILTER_FLAG_TSYNC_ESRCH |
    SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV;

// The struct sock_fprog at `addr` and its program, checked in Linux's order
// (seccomp_prepare_filter): EFAULT for the header, EINVAL for its length,
// EACCES without no_new_privs or CAP_SYS_ADMIN, EFAULT for the program,
// EINVAL for a program seccomp refuses.
ErrnoOr<std::vector<sock_filter>> CopyInFilter(Task& t, uint64_t addr) {
  SB_ASSIGN_OR_RETURN(sock_fprog fprog, t.CopyInObj<sock_fprog>(addr));
  if (fprog.len == 0 || fprog.len > seccomp::kMaxProgramLen) return Errno(EINVAL);
  if (!t.no_new_privs && !t.creds().HasCapability(kCapSysAdmin)) return Errno(EACCES);
  std::vector<sock_filter> prog(fprog.len);
  SB_TRY(t.CopyIn(reinterpret_cast<uint64_t>(fprog.filter), prog.data(),
                  prog.size() * sizeof(sock_filter)));
  SB_TRY(seccomp::CheckProgram(prog));
  return prog;
}

SyscallResult SetModeFilter(Task& t, uint32_t flags, uint64_t uargs) {
  if (flags & ~kFilterFlags) return Errno(EINVAL);
  // TSYNC's failure value (a tid) and a listener fd could not be told apart.
  if ((flags & SECCOMP_FILTER_FLAG_TSYNC) && (flags & SECCOMP_FILTER_FLAG_NEW_LISTENER) &&
      !(flags & SECCOMP_FILTER_FLAG_TSYNC_ESRCH)) {
    return Errno(EINVAL);
  }
  if ((flags & SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV) &&
      !(flags & SECCOMP_FILTER_FLAG_NEW_LISTENER)) {
    return Errno(EINVAL);
  }
  SB_ASSIGN_OR_RETURN(std::vector<sock_filter> prog, CopyInFilter(t, uargs));
  if (flags & SECCOMP_FILTER_FLAG_NEW_LISTENER) {
    ReportUnsupported("seccomp SECCOMP_FILTER_FLAG_NEW_LISTENER (user notification)");
    return Errno(EINVAL);
  }
  return t.AddSeccompFilter(std::move(prog), flags);
}

SyscallResult GetActionAvail(Task& t, uint32_t flags, uint64_t uargs) {
  if (flags != 0) return Errno(EINVAL);
  SB_ASSIGN_OR_RETURN(uint32_t action, t.CopyInObj<uint32_t>(uargs));
  if (!seccomp::ActionAvailable(action)) return Errno(EOPNOTSUPP);
  return 0;
}

SyscallResult GetNotifSizes(Task& t, uint32_t flags, uint64_t uargs) {
  if (flags != 0) return Errno(EINVAL);
  const seccomp_notif_sizes sizes = {
      .seccomp_notif = sizeof(seccomp_notif),
      .seccomp_notif_resp = sizeof(seccomp_notif_resp),
      .seccomp_data = sizeof(seccomp_data),
  };
  SB_TRY(t.CopyOutObj(uargs, sizes));
  return 0;
}

}  // namespace

SyscallResult SeccompOp(Task& t, uint32_t op, uint32_t flags, uint64_t uargs) {
  switch (op) {
    case SECCOMP_SET_MODE_STRICT:
      if (flags != 0 || uargs != 0) return Errno(EINVAL);
      SB_TRY(t.SetSeccompStrict());
      return 0;
    case SECCOMP_SET_MODE_FILTER:
      return SetModeFilter(t, flags, uargs);
    case SECCOMP_GET_ACTION_AVAIL:
      return GetActionAvail(t, flags, uargs);
    case SECCOMP_GET_NOTIF_SIZES:
      return GetNotifSizes(t, flags, uargs);
    default:
      return Errno(EINVAL);
  }
}

SyscallResult Seccomp(Task& t, const SyscallArgs& a) {
  return SeccompOp(t, a.u32(0), a.u32(1), a.addr(2));
}

}  // namespace sb::kernel
