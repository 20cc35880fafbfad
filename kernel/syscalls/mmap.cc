// mmap.cc: brk, mmap, munmap, mprotect, mremap, madvise.
#include <sys/mman.h>
#include <sys/resource.h>

#include "kernel/base/abi.h"
#include "kernel/base/log_once.h"
#include "kernel/kernel.h"
#include "kernel/syscalls/handlers.h"

namespace sb::kernel {

SyscallResult Brk(Task& t, const SyscallArgs& a) {
  // RLIMIT_DATA and RLIMIT_AS bound the heap: a refused brk returns the old
  // break, as Linux does.
  const uint64_t cur = t.mm().Brk(t.context(), 0);
  const uint64_t want = a.addr(0);
  if (want > cur) {
    const uint64_t grow = sb::abi::PageUp(want) - sb::abi::PageUp(cur);
    const uint64_t as_limit = t.RlimitCur(RLIMIT_AS);
    if (as_limit != RLIM_INFINITY && t.mm().mapped_bytes() + grow > as_limit) return cur;
  }
  return t.mm().Brk(t.context(), want);
}

SyscallResult Mmap(Task& t, const SyscallArgs& a) {
  const uint64_t addr = a.addr(0), len = a.u64(1);
  const int prot = a.i32(2), flags = a.i32(3), fd = a.fd(4);
  const uint64_t off = a.u64(5);
  constexpr int kKnown = MAP_SHARED | MAP_PRIVATE | MAP_SHARED_VALIDATE | MAP_FIXED |
                         MAP_ANONYMOUS | MAP_GROWSDOWN | MAP_DENYWRITE | MAP_EXECUTABLE |
                         MAP_LOCKED | MAP_NORESERVE | MAP_POPULATE | MAP_NONBLOCK | MAP_STACK |
                         MAP_HUGETLB | MAP_FIXED_NOREPLACE | MAP_32BIT | MAP_SYNC |
                         (0x3f << MAP_HUGE_SHIFT);
  const int type = flags & MAP_TYPE;
  if (type != MAP_SHARED && type != MAP_PRIVATE && type != MAP_SHARED_VALIDATE) {
    return Errno(EINVAL);
  }
  if (type == MAP_SHARED_VALIDATE && (flags & ~kKnown)) return Errno(EOPNOTSUPP);
  if (len == 0) return Errno(EINVAL);
  if (off & sb::abi::kPageMask) return Errno(EINVAL);
  if (sb::abi::PageUp(len) == 0 || sb::abi::PageUp(len) > sb::abi::kTaskSize) {
    return Errno(ENOMEM);
  }
  if (prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC | 0x8 /* PROT_SEM */)) return Errno(EINVAL);
  if (flags & MAP_HUGETLB) {
    ReportUnsupported("mmap MAP_HUGETLB");
    return Errno(EINVAL);
  }
  // RLIMIT_AS: the address space may not grow past the limit.
  const uint64_t as_limit = t.RlimitCur(RLIMIT_AS);
  if (as_limit != RLIM_INFINITY && !(flags & MAP_FIXED) &&
      t.mm().mapped_bytes() + sb::abi::PageUp(len) > as_limit) {
    return Errno(ENOMEM);
  }
  mm::MapRequest req;
  req.addr = addr;
  req.length = len;
  req.prot = prot & (PROT_READ | PROT_WRITE | PROT_EXEC);
  req.shared = type != MAP_PRIVATE;
  req.growsdown = flags & MAP_GROWSDOWN;
  if (flags & MAP_FIXED_NOREPLACE) {
    req.placement = mm::MapRequest::Placement::kFixedNoReplace;
  } else if (flags & MAP_FIXED) {
    req.placement = mm::MapRequest::Placement::kFixed;
  }
  if (flags & MAP_ANONYMOUS) {
    SB_ASSIGN_OR_RETURN(uint64_t r, t.mm().Map(t.context(), req));
    return r;
  }
  SB_ASSIGN_OR_RETURN(fs::FileRef f, t.fds().Get(fd));
  if (!f->readable()) return Errno(EACCES);
  if (req.shared && (prot & PROT_WRITE) && !f->writable()) return Errno(EACCES);
  SB_ASSIGN_OR_RETURN(struct stat st, f->Stat());
  if (S_ISDIR(st.st_mode)) return Errno(ENODEV);
  // What /proc/[pid]/maps names the mapping by.
  auto loc = f->location();
  if (loc) {
    auto p = t.mount_namespace().PathOf(t.FsContext().root, *loc);
    if (p.ok()) req.name = *p;
  }
  // Linux's do_mmap(): a file on a noexec mount never maps executable.
  if (loc && fs::MountNamespace::NoExec(*loc)) {
    if (prot & PROT_EXEC) return Errno(EPERM);
    req.max_prot &= ~PROT_EXEC;
  }
  req.file_offset = off;
  req.dev = st.st_dev;
  req.ino = st.st_ino;
  if (req.shared) {
    // Memory-backed files (tmpfs) map their own pages: coherent with
    // read/write and across processes.
    auto shared =
        f->MapShared(t.kernel().memory_file(), off, sb::abi::PageUp(len), prot & PROT_WRITE);
    if (shared.ok()) {
      if (!f->writable() || shared->deny_write) req.max_prot &= PROT_READ | PROT_EXEC;
      req.hold = std::move(shared->hold);
      SB_ASSIGN_OR_RETURN(uint64_t r,
                          t.mm().MapShared(t.context(), req, shared->range, shared->offset));
      return r;
    }
    if (shared.error().value() != ENODEV) return shared.error();
    if (f->writable()) {
      // Writable shared file mappings need file data in the memory file
      // (tmpfs) or host-file coherence: both come with the filesystem issue.
      ReportUnsupported("mmap MAP_SHARED of a writable file");
      return Errno(ENODEV);
    }
    // A file opened read-only: the mapping can never be written through, so
    // a copy of the data reads the same (docs/memory.md: until coherence
    // with later writes by others arrives with the filesystem issue).
    req.max_prot &= PROT_READ | PROT_EXEC;
  }
  fs::FileRef file = f;
  req.fill = [file, off](uint8_t* host, uint64_t n) -> ErrnoStatus {
    uint64_t done = 0;
    while (done < n) {
      struct iovec iov = {host + done, n - done};
      SB_ASSIGN_OR_RETURN(size_t got,
                          file->Read(HostIoVecs(&iov, 1), static_cast<int64_t>(off + done)));
      if (got == 0) break;  // past end of file: zeros (SIGBUS on Linux; see docs)
      done += got;
    }
    return Ok();
  };
  SB_ASSIGN_OR_RETURN(uint64_t r, t.mm().Map(t.context(), req));
  return r;
}

SyscallResult Munmap(Task& t, const SyscallArgs& a) {
  SB_TRY(t.mm().Unmap(t.context(), a.addr(0), a.u64(1)));
  return 0;
}

SyscallResult Mprotect(Task& t, const SyscallArgs& a) {
  SB_TRY(t.mm().Protect(t.context(), a.addr(0), a.u64(1), a.i32(2)));
  return 0;
}

SyscallResult Mremap(Task& t, const SyscallArgs& a) {
  SB_ASSIGN_OR_RETURN(
      uint64_t r, t.mm().Remap(t.context(), a.addr(0), a.u64(1), a.u64(2), a.i32(3), a.addr(4)));
  return r;
}

SyscallResult Madvise(Task& t, const SyscallArgs& a) {
  const uint64_t addr = a.addr(0), len = a.u64(1);
  const int advice = a.i32(2);
  if (addr & sb::abi::kPageMask) return Errno(EINVAL);
  switch (advice) {
    case MADV_DONTNEED:
      SB_TRY(t.mm().AdviseDontNeed(addr, len));
      return 0;
    case MADV_NORMAL:
    case MADV_RANDOM:
    case MADV_SEQUENTIAL:
    case MADV_WILLNEED:
    case MADV_FREE:  // allowed to do nothing: pages may be kept
    case MADV_HUGEPAGE:
    case MADV_NOHUGEPAGE:
    case MADV_DONTDUMP:
    case MADV_DODUMP:
      // Hints: Linux may ignore them too, and the program cannot tell.
      return 0;
    default:
      ReportUnsupported("madvise advice " + std::to_string(advice));
      return Errno(EINVAL);
  }
}

}  // namespace sb::kernel
