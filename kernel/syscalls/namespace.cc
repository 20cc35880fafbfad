// namespace.cc: unshare, setns, sethostname, setdomainname.
#include <linux/sched.h>
#include <sys/utsname.h>

#include "kernel/base/log_once.h"
#include "kernel/kernel.h"
#include "kernel/syscalls/handlers.h"

namespace sb::kernel {
namespace {

constexpr int kCapSysAdmin = 21;
constexpr int kNewUtsLen = 64;  // Linux's __NEW_UTS_LEN

// sethostname and setdomainname: CAP_SYS_ADMIN, at most 64 bytes (no
// terminator needed), Linux's order of checks.
SyscallResult SetUtsField(Task& t, const SyscallArgs& a, char (utsname::*field)[_UTSNAME_LENGTH]) {
  if (!t.creds().HasCapability(kCapSysAdmin)) return Errno(EPERM);
  const int64_t len = static_cast<int>(a.i32(1));
  if (len < 0 || len > kNewUtsLen) return Errno(EINVAL);
  char buf[kNewUtsLen] = {};
  if (len > 0) SB_TRY(t.CopyIn(a.addr(0), buf, len));
  t.uts_namespace().Set(field, buf, len);
  return 0;
}

}  // namespace

SyscallResult Unshare(Task& t, const SyscallArgs& a) {
  SB_TRY(t.Unshare(a.u64(0)));
  return 0;
}

SyscallResult Setns(Task& t, const SyscallArgs& a) {
  // No open file refers to a namespace yet (/proc/[pid]/ns links cannot be
  // opened, no pidfds), so an open fd is never one: EINVAL, as Linux for
  // any other file.
  SB_TRY(t.fds().Get(a.fd(0)));
  ReportUnsupported("setns (no namespace files)");
  return Errno(EINVAL);
}

SyscallResult Sethostname(Task& t, const SyscallArgs& a) {
  return SetUtsField(t, a, &utsname::nodename);
}

SyscallResult Setdomainname(Task& t, const SyscallArgs& a) {
  return SetUtsField(t, a, &utsname::domainname);
}

}  // namespace sb::kernel
