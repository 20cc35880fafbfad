// msync.cc: msync, mincore.
#include <sys/mman.h>

#include "kernel/base/abi.h"
#include "kernel/syscalls/handlers.h"

namespace sb::kernel {
namespace {
constexpr uint64_t kPage = 4096;
// The top of the user address space (Linux's TASK_SIZE on x86-64).
constexpr uint64_t kTaskSize = 0x7ffffffff000ULL;
}  // namespace

// Linux's msync(): flags, alignment and MS_ASYNC|MS_SYNC are EINVAL; then
// the walk over the mappings (MemoryManager::Msync).
SyscallResult Msync(Task& t, const SyscallArgs& a) {
  const uint64_t start = a.addr(0);
  uint64_t len = a.u64(1);
  const int flags = a.i32(2);
  if (flags & ~(MS_ASYNC | MS_INVALIDATE | MS_SYNC)) return Errno(EINVAL);
  if (start & (kPage - 1)) return Errno(EINVAL);
  if ((flags & MS_ASYNC) && (flags & MS_SYNC)) return Errno(EINVAL);
  len = (len + kPage - 1) & ~(kPage - 1);
  const uint64_t end = start + len;
  if (end < start) return Errno(ENOMEM);
  if (end == start) return 0;
  SB_TRY(t.mm().Msync(start, end, flags));
  return 0;
}

// Linux's mincore(): EINVAL for an unaligned start, ENOMEM for a range
// outside user space or with unmapped pages, EFAULT for the vector.
// Residency is the memory file's (kernel/mm/mlock.cc says what that means).
SyscallResult Mincore(Task& t, const SyscallArgs& a) {
  const uint64_t start = a.addr(0), len = a.u64(1);
  if (start & (kPage - 1)) return Errno(EINVAL);
  if (len > kTaskSize || start > kTaskSize - len) return Errno(ENOMEM);
  const uint64_t pages = (len + kPage - 1) / kPage;
  if (pages == 0) return 0;
  SB_ASSIGN_OR_RETURN(std::vector<uint8_t> vec, t.mm().Residency(start, start + pages * kPage));
  SB_TRY(t.CopyOut(a.addr(2), vec.data(), vec.size()));
  return 0;
}

}  // namespace sb::kernel
