// mlock.cc: mlock, mlock2, munlock, mlockall, munlockall.
//
// Locked memory is real in the sense a program can observe: the pages are
// populated (mincore says resident), VmLck in /proc/[pid]/status counts
// them, RLIMIT_MEMLOCK bounds them without CAP_IPC_LOCK, and msync's
// MS_INVALIDATE refuses them. The host does not pin the memory file's
// pages; nothing in the sandbox can tell, as no swap exists for it.
#include <linux/capability.h>
#include <sys/mman.h>
#include <sys/resource.h>

#include "kernel/base/abi.h"
#include "kernel/syscalls/handlers.h"

namespace sb::kernel {
namespace {

constexpr uint64_t kPage = 4096;
constexpr int kMlockOnfault = 0x01;  // MLOCK_ONFAULT
constexpr int kMclOnfault = 4;       // MCL_ONFAULT

// Linux's can_do_mlock(): a non-zero RLIMIT_MEMLOCK or CAP_IPC_LOCK.
bool CanDoMlock(Task& t) {
  return t.RlimitCur(RLIMIT_MEMLOCK) != 0 || t.creds().HasCapability(CAP_IPC_LOCK);
}

// Linux's do_mlock().
SyscallResult DoMlock(Task& t, uint64_t start, uint64_t len, int lock) {
  if (!CanDoMlock(t)) return Errno(EPERM);
  const uint64_t in_page = start & (kPage - 1);
  if (len > UINT64_MAX - in_page - kPage) return Errno(ENOMEM);
  len = (len + in_page + kPage - 1) & ~(kPage - 1);
  start &= ~(kPage - 1);
  const uint64_t end = start + len;
  if (end < start) return Errno(EINVAL);
  const uint64_t limit = t.RlimitCur(RLIMIT_MEMLOCK);
  if (!t.creds().HasCapability(CAP_IPC_LOCK) && limit != RLIM_INFINITY) {
    // Pages already locked in the range are not counted twice.
    uint64_t locked = t.mm().locked_bytes() + len - t.mm().LockedBytesIn(start, end);
    if (locked / kPage > limit / kPage) return Errno(ENOMEM);
  }
  SB_TRY(t.mm().SetLock(start, end, lock));
  return 0;
}

}  // namespace

SyscallResult Mlock(Task& t, const SyscallArgs& a) {
  return DoMlock(t, a.addr(0), a.u64(1), mm::Vma::kLocked);
}

SyscallResult Mlock2(Task& t, const SyscallArgs& a) {
  const unsigned flags = a.u32(2);
  if (flags & ~kMlockOnfault) return Errno(EINVAL);
  return DoMlock(t, a.addr(0), a.u64(1),
                 mm::Vma::kLocked | ((flags & kMlockOnfault) ? mm::Vma::kLockOnFault : 0));
}

// Linux's munlock(): no permission check; ENOMEM over unmapped pages.
SyscallResult Munlock(Task& t, const SyscallArgs& a) {
  uint64_t start = a.addr(0), len = a.u64(1);
  const uint64_t in_page = start & (kPage - 1);
  if (len > UINT64_MAX - in_page - kPage) return Errno(ENOMEM);
  len = (len + in_page + kPage - 1) & ~(kPage - 1);
  start &= ~(kPage - 1);
  if (start + len < start) return Errno(EINVAL);
  SB_TRY(t.mm().SetLock(start, start + len, 0));
  return 0;
}

// Linux's mlockall(): EINVAL for no flags, unknown ones or MCL_ONFAULT
// alone; EPERM as mlock; ENOMEM when MCL_CURRENT would lock more than
// RLIMIT_MEMLOCK (the whole mapped size counts, as total_vm).
SyscallResult Mlockall(Task& t, const SyscallArgs& a) {
  const int flags = a.i32(0);
  if (flags == 0 || (flags & ~(MCL_CURRENT | MCL_FUTURE | kMclOnfault)) || flags == kMclOnfault) {
    return Errno(EINVAL);
  }
  if (!CanDoMlock(t)) return Errno(EPERM);
  const uint64_t limit = t.RlimitCur(RLIMIT_MEMLOCK);
  if ((flags & MCL_CURRENT) && !t.creds().HasCapability(CAP_IPC_LOCK) && limit != RLIM_INFINITY &&
      t.mm().mapped_bytes() / kPage > limit / kPage) {
    return Errno(ENOMEM);
  }
  const int lock = mm::Vma::kLocked | ((flags & kMclOnfault) ? mm::Vma::kLockOnFault : 0);
  t.mm().SetLockAll(lock, flags & MCL_CURRENT, (flags & MCL_FUTURE) ? lock : 0);
  return 0;
}

SyscallResult Munlockall(Task& t, const SyscallArgs& a) {
  t.mm().SetLockAll(0, /*apply_current=*/true, 0);
  return 0;
}

}  // namespace sb::kernel
