// memory_manager.h: one application address space.
//
// The mapping table (`vmas_`) is the single truth about what the program
// has mapped: address, length, protection, private or shared, and which
// range of the memory file backs it. Every change is mirrored into the stub
// process by injecting mmap/munmap/mprotect of the memory file through a
// platform::Context; /proc/[pid]/maps text is generated from the table.
//
// Private mappings own their memory-file ranges alone (fork copies them);
// MAP_SHARED mappings share one range between the address spaces that fork
// made. File-backed private mappings are filled by copying the file's data
// in (the loader and mmap(2) do that through Map's `fill` callback).
//
// Shared by the tasks of one thread group (CLONE_VM) through MmRef.
// Lock order: MemoryManager::mu_ is taken before MemoryFile::mu_.
#pragma once

#include <sys/mman.h>
#include <sys/uio.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "kernel/base/errno.h"
#include "kernel/base/memory_file.h"
#include "kernel/platform/platform.h"

namespace sb::kernel::mm {

// The program's view of one mapping (Linux: vm_area_struct).
struct Vma {
  uint64_t start = 0, end = 0;
  int prot = 0;  // PROT_READ | PROT_WRITE | PROT_EXEC
  bool shared = false;
  bool growsdown = false;
  // What mprotect may grant (Linux's VM_MAY*): a shared mapping of a file
  // opened read-only can never become writable.
  int max_prot = PROT_READ | PROT_WRITE | PROT_EXEC;
  MemoryRangeRef backing;       // never null
  uint64_t backing_offset = 0;  // offset of `start` within `backing`
  // For /proc/[pid]/maps: the file (or "[heap]", "[stack]") and its identity.
  std::string name;
  uint64_t file_offset = 0;
  uint64_t dev = 0, ino = 0;
  // Whatever the mapped file asked the mapping to keep while it exists (a
  // memfd counts its writable mappings this way). Copied with the Vma.
  std::shared_ptr<const void> hold;
  // If set, fork gives the child's copy of the mapping the hold this
  // returns instead of sharing `hold` (SysV shm counts each process's
  // attachment, as Linux's vm_ops->open). Called with the parent's mu_ held.
  std::function<std::shared_ptr<const void>()> fork_hold;
  // mlock state (Linux's VM_LOCKED / VM_LOCKONFAULT): Vma::kLocked, with
  // kLockOnFault for mlock2(MLOCK_ONFAULT) / mlockall(MCL_ONFAULT). Not
  // inherited across fork, as Linux's dup_mmap clears it.
  static constexpr int kLocked = 1, kLockOnFault = 2;
  int lock = 0;

  uint64_t MemoryFileOffset(uint64_t addr) const {
    return backing->offset() + backing_offset + (addr - start);
  }
};

// What a new mapping should be.
struct MapRequest {
  uint64_t addr = 0;  // hint, or exact with kFixed / kFixedNoReplace
  uint64_t length = 0;
  int prot = 0;
  bool shared = false;
  bool growsdown = false;
  int max_prot = PROT_READ | PROT_WRITE | PROT_EXEC;
  enum class Placement { kHint, kFixed, kFixedNoReplace } placement = Placement::kHint;
  std::string name;
  uint64_t file_offset = 0, dev = 0, ino = 0;
  // Kept by a shared mapping (Vma::hold, Vma::fork_hold).
  std::shared_ptr<const void> hold;
  std::function<std::shared_ptr<const void>()> fork_hold;
  // Fills a fresh private mapping's host memory (copying file data in).
  std::function<ErrnoStatus(uint8_t* host, uint64_t len)> fill;
};

class MemoryManager;
using MmRef = std::shared_ptr<MemoryManager>;

class MemoryManager {
 public:
  // Layout constants of every address space we build.
  static constexpr uint64_t kMinAddress = 0x10000;  // vm.mmap_min_addr
  static constexpr uint64_t kStackTop = 0x7ffffffff000ULL;
  // The stack a new program starts with beyond its arguments (Linux's
  // stack_expand); the rest grows on demand up to RLIMIT_STACK.
  static constexpr uint64_t kInitialStackExtra = 128 << 10;
  // Linux's stack_guard_gap: a stack never grows closer than this to the
  // mapping below it.
  static constexpr uint64_t kStackGuardGap = 256 * 4096;

  explicit MemoryManager(MemoryFile& mf) : mf_(mf) {}

  // Makes the host stub match the table (a new stub after fork).
  ErrnoStatus Materialize(platform::Context& ctx) ABSL_LOCKS_EXCLUDED(mu_);
  // A copy for fork: private memory copied, shared memory shared.
  ErrnoOr<MmRef> Fork() ABSL_LOCKS_EXCLUDED(mu_);

  // mmap(2) of anonymous memory or of a private copy. `ctx` may be null
  // while no stub maps this address space yet. Returns the address.
  ErrnoOr<uint64_t> Map(platform::Context* ctx, const MapRequest& req) ABSL_LOCKS_EXCLUDED(mu_);
  // Maps an existing shared range (MAP_SHARED of a memory-backed file).
  ErrnoOr<uint64_t> MapShared(platform::Context* ctx, const MapRequest& req, MemoryRangeRef range,
                              uint64_t range_offset) ABSL_LOCKS_EXCLUDED(mu_);
  ErrnoStatus Unmap(platform::Context* ctx, uint64_t addr, uint64_t length)
      ABSL_LOCKS_EXCLUDED(mu_);
  ErrnoStatus Protect(platform::Context* ctx, uint64_t addr, uint64_t length, int prot)
      ABSL_LOCKS_EXCLUDED(mu_);
  ErrnoOr<uint64_t> Remap(platform::Context* ctx, uint64_t old_addr, uint64_t old_size,
                          uint64_t new_size, int flags, uint64_t new_addr) ABSL_LOCKS_EXCLUDED(mu_);
  ErrnoStatus AdviseDontNeed(uint64_t addr, uint64_t length) ABSL_LOCKS_EXCLUDED(mu_);
  // Linux's expand_stack: if `addr` is just below a grows-down mapping
  // (the stack), extends it down to cover `addr`, keeping the whole stack
  // within `limit` bytes (RLIMIT_STACK) and the guard gap free. ENOMEM
  // otherwise.
  ErrnoStatus GrowStack(platform::Context* ctx, uint64_t addr, uint64_t limit)
      ABSL_LOCKS_EXCLUDED(mu_);

  // brk(2): sets the break (when valid) and returns the current break.
  uint64_t Brk(platform::Context* ctx, uint64_t addr) ABSL_LOCKS_EXCLUDED(mu_);
  void SetBrkBase(uint64_t base) ABSL_LOCKS_EXCLUDED(mu_);

  // Host memory backing [addr, addr+len), checked against `prot_needed`.
  // EFAULT if any byte is unmapped or lacks the protection.
  ErrnoOr<std::vector<struct iovec>> Translate(uint64_t addr, uint64_t len, int prot_needed)
      ABSL_LOCKS_EXCLUDED(mu_);

  // The mapping containing `addr`, if any (fault handling).
  std::optional<Vma> Find(uint64_t addr) ABSL_LOCKS_EXCLUDED(mu_);
  // Copies of the mappings that end after `start` and begin before `end`,
  // in address order (shmdt's search).
  std::vector<Vma> VmasIn(uint64_t start, uint64_t end) ABSL_LOCKS_EXCLUDED(mu_);
  // /proc/[pid]/maps.
  std::string MapsText() ABSL_LOCKS_EXCLUDED(mu_);
  // /proc/[pid]/smaps, statm and status: each mapping as maps shows it,
  // with the bytes of it the host holds in memory (pages of the memory
  // file that were touched and not given back).
  struct Mapping {
    Vma vma;
    uint64_t resident = 0;
  };
  std::vector<Mapping> Mappings() ABSL_LOCKS_EXCLUDED(mu_);
  // The most memory the address space has held at once (Linux's
  // hiwater_rss: getrusage's ru_maxrss, status's VmHWM), in bytes. We do
  // not see page faults, so it is sampled: here (with the current
  // resident total) and before an munmap or MADV_DONTNEED gives back 1 MiB
  // or more; a peak followed only by smaller releases can be missed.
  uint64_t HiwaterRss() ABSL_LOCKS_EXCLUDED(mu_);
  // The program break's start and current value.
  std::pair<uint64_t, uint64_t> brk_range() ABSL_LOCKS_EXCLUDED(mu_);
  uint64_t mapped_bytes() ABSL_LOCKS_EXCLUDED(mu_);

  // Auxiliary data the loader records for /proc and prctl.
  struct Layout {
    uint64_t arg_start = 0, arg_end = 0, env_start = 0, env_end = 0;
    uint64_t start_stack = 0;
    std::vector<uint64_t> auxv;  // key, value pairs
    std::string exe_path;
  };
  Layout layout() ABSL_LOCKS_EXCLUDED(mu_);
  void set_layout(Layout l) ABSL_LOCKS_EXCLUDED(mu_);

  // --- mlock, msync, mincore (mlock.cc).
  // Sets the lock state `lock` (0 unlocks) of every page of the
  // page-aligned [start, end): ENOMEM if part of it is unmapped (nothing
  // changes then). Locking populates the pages unless kLockOnFault.
  ErrnoStatus SetLock(uint64_t start, uint64_t end, int lock) ABSL_LOCKS_EXCLUDED(mu_);
  // Bytes of [start, end) already locked (Linux's count_mm_mlocked_page_nr).
  uint64_t LockedBytesIn(uint64_t start, uint64_t end) ABSL_LOCKS_EXCLUDED(mu_);
  // Bytes locked in the whole address space (VmLck).
  uint64_t locked_bytes() ABSL_LOCKS_EXCLUDED(mu_);
  // mlockall: `current` locks (or with lock 0 unlocks) every mapping;
  // `future` is what new mappings get from now on (Linux's def_flags).
  void SetLockAll(int current, bool apply_current, int future) ABSL_LOCKS_EXCLUDED(mu_);
  int future_lock() ABSL_LOCKS_EXCLUDED(mu_);
  // msync(2) over the page-aligned [start, end) after its flag checks:
  // Linux's walk (ENOMEM for unmapped parts, EBUSY for MS_INVALIDATE over
  // locked pages).
  ErrnoStatus Msync(uint64_t start, uint64_t end, int flags) ABSL_LOCKS_EXCLUDED(mu_);
  // mincore(2): one byte per page of [start, end), bit 0 set when the page
  // is resident (see mlock.cc). ENOMEM if part of it is unmapped.
  ErrnoOr<std::vector<uint8_t>> Residency(uint64_t start, uint64_t end) ABSL_LOCKS_EXCLUDED(mu_);

 private:
  bool RangeFreeLocked(uint64_t start, uint64_t end) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  ErrnoOr<uint64_t> FindGapLocked(uint64_t len, uint64_t hint) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  ErrnoOr<uint64_t> PlaceLocked(platform::Context* ctx, const MapRequest& req)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  ErrnoStatus InsertLocked(platform::Context* ctx, Vma vma) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Removes [start, end) from the table (splitting at the edges). With
  // `decommit`, private memory there goes back to the host.
  void RemoveLocked(uint64_t start, uint64_t end, bool decommit) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void SplitAtLocked(uint64_t addr) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  static ErrnoStatus InjectMap(platform::Context* ctx, const Vma& vma);
  // Bytes of the address space present in memory.
  uint64_t ResidentLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Before private memory in [start, end) is given back: samples the
  // high-water mark if that is a large drop (see HiwaterRss).
  void SampleHiwaterBeforeDropLocked(uint64_t start, uint64_t end)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  MemoryFile& mf_;  // the kernel's; outlives every address space
  absl::Mutex mu_;
  std::map<uint64_t, Vma> vmas_ ABSL_GUARDED_BY(mu_);  // keyed by start
  uint64_t brk_base_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t brk_ ABSL_GUARDED_BY(mu_) = 0;
  Layout layout_ ABSL_GUARDED_BY(mu_);
  // HiwaterRss's last sample. Not inherited by fork or exec (a new mm).
  uint64_t hiwater_rss_ ABSL_GUARDED_BY(mu_) = 0;
  // What new mappings get for Vma::lock (mlockall MCL_FUTURE; Linux's
  // mm->def_flags). Not inherited by fork or kept across exec.
  int def_lock_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace sb::kernel::mm
