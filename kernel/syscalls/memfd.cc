// memfd.cc: memfd_create(2). The file is fs/memfd.cc's; F_ADD_SEALS and
// F_GET_SEALS are fcntl commands (fd.cc).
#include <linux/memfd.h>

#include "kernel/base/log_once.h"
#include "kernel/syscalls/handlers.h"

namespace sb::kernel {
namespace {

// Newer than our headers (Linux 6.3).
constexpr unsigned kMfdNoexecSeal = 0x0008;
constexpr unsigned kMfdExec = 0x0010;
constexpr unsigned kMfdAllFlags =
    MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_HUGETLB | kMfdNoexecSeal | kMfdExec;
// NAME_MAX minus the "memfd:" prefix.
constexpr size_t kMfdNameMax = 249;

}  // namespace

SyscallResult MemfdCreate(Task& t, const SyscallArgs& a) {
  const unsigned flags = a.u32(1);
  unsigned allowed = kMfdAllFlags;
  if (flags & MFD_HUGETLB) allowed |= MFD_HUGE_MASK << MFD_HUGE_SHIFT;  // a page size
  if (flags & ~allowed) return Errno(EINVAL);
  if ((flags & kMfdExec) && (flags & kMfdNoexecSeal)) return Errno(EINVAL);
  auto name = t.CopyInString(a.addr(0), kMfdNameMax + 1);
  if (!name.ok())
    return Errno(name.error().value() == ENAMETOOLONG ? EINVAL : name.error().value());
  if (flags & MFD_HUGETLB) {
    ReportUnsupported("memfd_create MFD_HUGETLB");
    return Errno(EINVAL);
  }
  SB_ASSIGN_OR_RETURN(fs::FileRef f, fs::NewMemfd(t.creds(), *name, flags & MFD_ALLOW_SEALING,
                                                  flags & kMfdNoexecSeal));
  SB_ASSIGN_OR_RETURN(
      int fd, t.fds().Install(std::move(f), flags & MFD_CLOEXEC, 0, t.RlimitCur(RLIMIT_NOFILE)));
  return static_cast<uint64_t>(fd);
}

}  // namespace sb::kernel
