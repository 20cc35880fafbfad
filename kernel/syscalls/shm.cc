// shm.cc: shmget, shmat, shmdt, shmctl (System V shared memory, Linux's
// ipc/shm.c). The segments live in the caller's IPC namespace
// (kernel/ipc/shm.h); their bytes are memory-file ranges mapped shared.
#include <linux/capability.h>
#include <sys/mman.h>
#include <sys/resource.h>

#include "absl/strings/str_format.h"
#include "kernel/base/abi.h"
#include "kernel/base/log_once.h"
#include "kernel/kernel.h"
#include "kernel/syscalls/handlers.h"

namespace sb::kernel {
namespace {

using ipc::ShmNamespace;
using ipc::ShmSegment;

constexpr int kShmHugetlb = 04000, kShmRdonly = 010000, kShmRnd = 020000, kShmRemap = 040000,
              kShmExec = 0100000;
constexpr int kIpcRmid = 0, kIpcSet = 1, kIpcStat = 2, kIpcInfo = 3, kShmLock = 11, kShmUnlock = 12,
              kShmStat = 13, kShmInfo = 14, kShmStatAny = 15;
constexpr int kIpcCreat = 01000, kIpcExcl = 02000;

// struct shmid64_ds (x86-64).
struct Shmid64Ds {
  ipc::Ipc64Perm perm;
  uint64_t segsz;
  int64_t atime, dtime, ctime;
  int32_t cpid, lpid;
  uint64_t nattch;
  uint64_t unused4, unused5;
};
static_assert(sizeof(Shmid64Ds) == 112);
struct Shminfo64 {
  uint64_t shmmax, shmmin, shmmni, shmseg, shmall, unused1, unused2, unused3, unused4;
};
struct ShmInfo {
  int32_t used_ids;
  uint64_t shm_tot, shm_rss, shm_swp, swap_attempts, swap_successes;
};

ErrnoOr<int> NewSegment(Task& t, ShmNamespace& ns, key_t key, uint64_t size, int flag)
    ABSL_EXCLUSIVE_LOCKS_REQUIRED(ns.mu) {
  if (size < 1 || size > ns.shmmax) return Errno(EINVAL);
  const uint64_t pages = (size + abi::kPageMask) / abi::kPageSize;
  if (pages << 12 < size) return Errno(ENOSPC);
  if (ns.total_pages + pages < ns.total_pages || ns.total_pages + pages > ns.shmall) {
    return Errno(ENOSPC);
  }
  if (flag & kShmHugetlb) {
    ReportUnsupported("shmget SHM_HUGETLB");
    return Errno(EINVAL);
  }
  if (ns.ids.in_use() >= static_cast<int>(std::min<uint64_t>(ns.shmmni, ipc::kIpcmni))) {
    return Errno(ENOSPC);
  }
  auto seg = std::make_shared<ShmSegment>();
  SB_ASSIGN_OR_RETURN(seg->range,
                      MemoryRange::Allocate(t.kernel().memory_file(), pages * abi::kPageSize));
  seg->perm = ipc::NewPerm(t.creds(), key, flag);
  seg->size = size;
  seg->name = absl::StrFormat("/SYSV%08x", static_cast<uint32_t>(key));
  seg->ctime = ipc::NowSeconds();
  seg->cpid = t.thread_group().pid();
  SB_ASSIGN_OR_RETURN(
      int id, ns.ids.Add(seg, static_cast<int>(std::min<uint64_t>(ns.shmmni, ipc::kIpcmni))));
  ns.total_pages += pages;
  return id;
}

void FillStat(Task& t, const ShmSegment& seg, Shmid64Ds& ds) {
  ds = Shmid64Ds{};
  ds.perm = ipc::ToAbi(seg.perm);
  ds.segsz = seg.size;
  ds.atime = seg.atime;
  ds.dtime = seg.dtime;
  ds.ctime = seg.ctime;
  ds.cpid = t.IdOf(seg.cpid);
  ds.lpid = t.IdOf(seg.lpid);
  ds.nattch = seg.nattch;
}

bool IsShmVma(const mm::Vma& v) { return v.fork_hold && v.name.rfind("/SYSV", 0) == 0; }

}  // namespace

SyscallResult Shmget(Task& t, const SyscallArgs& a) {
  const key_t key = a.i32(0);
  const uint64_t size = a.u64(1);
  const int flag = a.i32(2);
  ShmNamespace& ns = t.namespaces().ipc->shm();
  absl::MutexLock lock(&ns.mu);
  if (key == ipc::kIpcPrivate) {
    SB_ASSIGN_OR_RETURN(int id, NewSegment(t, ns, key, size, flag));
    return id;
  }
  auto seg = ns.ids.FindKey(key);
  if (!seg) {
    if (!(flag & kIpcCreat)) return Errno(ENOENT);
    SB_ASSIGN_OR_RETURN(int id, NewSegment(t, ns, key, size, flag));
    return id;
  }
  if ((flag & kIpcCreat) && (flag & kIpcExcl)) return Errno(EEXIST);
  if (seg->size < size) return Errno(EINVAL);
  if (!ipc::Permits(t.creds(), seg->perm, flag)) return Errno(EACCES);
  return seg->perm.id;
}

SyscallResult Shmat(Task& t, const SyscallArgs& a) {
  const int id = a.i32(0);
  uint64_t addr = a.addr(1);
  const int flag = a.i32(2);
  if (id < 0) return Errno(EINVAL);
  if (addr != 0) {
    if (addr & abi::kPageMask) {
      if (!(flag & kShmRnd)) return Errno(EINVAL);
      addr = abi::PageDown(addr);
      if (addr == 0 && (flag & kShmRemap)) return Errno(EINVAL);
    }
  } else if (flag & kShmRemap) {
    return Errno(EINVAL);
  }
  int prot = PROT_READ, acc = 0444;
  if (!(flag & kShmRdonly)) {
    prot |= PROT_WRITE;
    acc |= 0222;
  }
  if (flag & kShmExec) {
    prot |= PROT_EXEC;
    acc |= 0111;
  }
  const std::shared_ptr<ShmNamespace>& ns = t.namespaces().ipc->shm_ref();
  std::shared_ptr<ShmSegment> seg;
  {
    absl::MutexLock lock(&ns->mu);
    seg = ns->ids.FindId(id);
    if (!seg) return Errno(EINVAL);
    if (!ipc::Permits(t.creds(), seg->perm, acc)) return Errno(EACCES);
  }
  const uint64_t size = seg->size;
  if (addr != 0 && !(flag & kShmRemap)) {
    if (addr + size < addr) return Errno(EINVAL);
    if (!t.mm().VmasIn(addr, addr + size).empty()) return Errno(EINVAL);
  }
  mm::MapRequest req;
  req.addr = addr;
  req.length = size;
  req.prot = prot;
  req.shared = true;
  if (addr != 0) req.placement = mm::MapRequest::Placement::kFixed;
  if (flag & kShmRdonly) req.max_prot = PROT_READ | PROT_EXEC;
  req.name = seg->name + " (deleted)";
  req.dev = 1;  // Linux's internal shm mount is usually 00:01
  req.ino = static_cast<uint32_t>(id);
  req.hold = ns->Attach(seg, t.thread_group().pid());
  req.fork_hold = [ns = ns, seg]() -> std::shared_ptr<const void> {
    Task* cur = Task::Current();
    return ns->Attach(seg, cur ? cur->thread_group().pid() : nullptr);
  };
  SB_ASSIGN_OR_RETURN(uint64_t r, t.mm().MapShared(t.context(), req, seg->range, 0));
  return r;
}

SyscallResult Shmdt(Task& t, const SyscallArgs& a) {
  const uint64_t addr = a.addr(0);
  if (addr & abi::kPageMask) return Errno(EINVAL);
  std::vector<mm::Vma> vmas = t.mm().VmasIn(addr, abi::kTaskSize);
  const MemoryRange* file = nullptr;
  uint64_t size = 0;
  size_t i = 0;
  for (; i < vmas.size(); i++) {
    const mm::Vma& v = vmas[i];
    if (IsShmVma(v) && v.start >= addr && v.start - addr == v.backing_offset) {
      file = v.backing.get();
      size = v.backing->length();
      SB_TRY(t.mm().Unmap(t.context(), v.start, v.end - v.start));
      i++;
      break;
    }
  }
  if (file == nullptr) return Errno(EINVAL);
  for (; i < vmas.size() && vmas[i].end - addr <= size; i++) {
    const mm::Vma& v = vmas[i];
    if (IsShmVma(v) && v.start - addr == v.backing_offset && v.backing.get() == file) {
      SB_TRY(t.mm().Unmap(t.context(), v.start, v.end - v.start));
    }
  }
  return 0;
}

SyscallResult Shmctl(Task& t, const SyscallArgs& a) {
  const int id = a.i32(0), cmd = a.i32(1);
  const uint64_t buf = a.addr(2);
  if (cmd < 0 || id < 0) return Errno(EINVAL);
  ShmNamespace& ns = t.namespaces().ipc->shm();
  switch (cmd) {
    case kIpcInfo: {
      Shminfo64 info{};
      int max_idx;
      {
        absl::MutexLock lock(&ns.mu);
        info.shmmax = ns.shmmax;
        info.shmmin = 1;
        info.shmmni = info.shmseg = ns.shmmni;
        info.shmall = ns.shmall;
        max_idx = ns.ids.max_idx();
      }
      SB_TRY(t.CopyOutObj(buf, info));
      return max_idx < 0 ? 0 : max_idx;
    }
    case kShmInfo: {
      ShmInfo info{};
      int max_idx;
      {
        absl::MutexLock lock(&ns.mu);
        info.used_ids = ns.ids.in_use();
        info.shm_tot = ns.total_pages;
        // Resident pages: what the host holds of the segments' ranges.
        for (const auto& [idx, seg] : ns.ids.objects()) {
          info.shm_rss += ipc::ResidentBytes(*seg) / abi::kPageSize;
        }
        max_idx = ns.ids.max_idx();
      }
      SB_TRY(t.CopyOutObj(buf, info));
      return max_idx < 0 ? 0 : max_idx;
    }
    case kIpcStat:
    case kShmStat:
    case kShmStatAny: {
      Shmid64Ds ds;
      int ret = 0;
      {
        absl::MutexLock lock(&ns.mu);
        auto seg = cmd == kIpcStat ? ns.ids.FindId(id) : ns.ids.FindIndex(id);
        if (!seg) return Errno(EINVAL);
        if (cmd != kShmStatAny && !ipc::Permits(t.creds(), seg->perm, 0444)) {
          return Errno(EACCES);
        }
        FillStat(t, *seg, ds);
        if (cmd != kIpcStat) ret = seg->perm.id;
      }
      SB_TRY(t.CopyOutObj(buf, ds));
      return ret;
    }
    case kIpcSet: {
      SB_ASSIGN_OR_RETURN(Shmid64Ds in, t.CopyInObj<Shmid64Ds>(buf));
      absl::MutexLock lock(&ns.mu);
      auto seg = ns.ids.FindId(id);
      if (!seg) return Errno(EINVAL);
      if (!ipc::MayControl(t.creds(), seg->perm)) return Errno(EPERM);
      seg->perm.uid = in.perm.uid;
      seg->perm.gid = in.perm.gid;
      seg->perm.mode = (seg->perm.mode & ~0777) | (in.perm.mode & 0777);
      seg->ctime = ipc::NowSeconds();
      return 0;
    }
    case kIpcRmid: {
      absl::MutexLock lock(&ns.mu);
      auto seg = ns.ids.FindId(id);
      if (!seg) return Errno(EINVAL);
      if (!ipc::MayControl(t.creds(), seg->perm)) return Errno(EPERM);
      seg->perm.mode |= ipc::kShmDest;
      seg->perm.key = ipc::kIpcPrivate;
      if (seg->nattch == 0) ns.DestroyLocked(*seg);
      return 0;
    }
    case kShmLock:
    case kShmUnlock: {
      absl::MutexLock lock(&ns.mu);
      auto seg = ns.ids.FindId(id);
      if (!seg) return Errno(EINVAL);
      const Credentials& c = t.creds();
      if (!c.HasCapability(CAP_IPC_LOCK)) {
        if (c.euid != seg->perm.uid && c.euid != seg->perm.cuid) return Errno(EPERM);
        if (cmd == kShmLock && t.RlimitCur(RLIMIT_MEMLOCK) == 0) return Errno(EPERM);
      }
      // Our memory file is never swapped: locking only records the flag.
      if (cmd == kShmLock) {
        seg->perm.mode |= ipc::kShmLocked;
      } else {
        seg->perm.mode &= ~ipc::kShmLocked;
      }
      return 0;
    }
    default:
      return Errno(EINVAL);
  }
}

}  // namespace sb::kernel
