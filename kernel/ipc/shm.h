// shm.h: System V shared memory segments of one IPC namespace (Linux:
// ipc/shm.c).
//
// A segment's bytes are one range of the memory file, mapped MAP_SHARED by
// every shmat. Each process's attachment is a ShmAttachment held by its
// mappings (Vma::hold; fork makes the child its own through
// Vma::fork_hold), so shm_nattch counts attached processes and a segment
// marked for removal (IPC_RMID, SHM_DEST) goes when the last one detaches,
// whether by shmdt, munmap, exec or exit.
//
// Checkpoint: a segment saves its Perm, size, times, creator/last PIDs,
// SHM_DEST/SHM_LOCKED and the memory-file range it owns (whose contents the
// memory-file image carries); attachments are rebuilt from the mappings'
// records. Not written yet: the kernel has no save path to hook into.
//
// Lock order: MemoryManager::mu_ before ShmNamespace::mu_ (a mapping's
// attachment dies under the address space's lock). Never call into an
// address space holding mu_.
#pragma once

#include <memory>
#include <string>

#include "absl/synchronization/mutex.h"
#include "kernel/base/memory_file.h"
#include "kernel/ipc/ipc.h"
#include "kernel/task/pid_namespace.h"

namespace sb::kernel::ipc {

inline constexpr int kShmDest = 01000, kShmLocked = 02000;

struct ShmSegment {
  Perm perm;
  uint64_t size = 0;     // shm_segsz as asked
  MemoryRangeRef range;  // the bytes, page-rounded; immutable
  std::string name;      // "/SYSV%08x", from the key at creation; immutable
  int64_t atime = 0, dtime = 0, ctime = 0;
  PidRef cpid, lpid;
  int nattch = 0;
  bool destroyed = false;  // gone from the registry
};

// Linux's shm_ctlmax/shm_ctlall/shm_ctlmni defaults.
inline constexpr uint64_t kShmMaxDefault = ~uint64_t{0} - (uint64_t{1} << 24);
inline constexpr uint64_t kShmAllDefault = ~uint64_t{0} - (uint64_t{1} << 24);
inline constexpr uint64_t kShmMniDefault = 4096;

// Bytes of `seg` present in memory (Linux's shm rss): pages of its
// memory-file range the host holds.
uint64_t ResidentBytes(const ShmSegment& seg);

class ShmNamespace : public std::enable_shared_from_this<ShmNamespace> {
 public:
  absl::Mutex mu;
  Registry<ShmSegment> ids ABSL_GUARDED_BY(mu);
  uint64_t shmmax ABSL_GUARDED_BY(mu) = kShmMaxDefault;
  uint64_t shmall ABSL_GUARDED_BY(mu) = kShmAllDefault;  // pages
  uint64_t shmmni ABSL_GUARDED_BY(mu) = kShmMniDefault;
  uint64_t total_pages ABSL_GUARDED_BY(mu) = 0;

  // A new attachment of `seg` by process `pid` (shmat, or fork copying
  // one): counts it and records the attach time and PID.
  std::shared_ptr<const void> Attach(const std::shared_ptr<ShmSegment>& seg, PidRef pid)
      ABSL_LOCKS_EXCLUDED(mu);
  // Removes `seg` from the registry and frees its accounting (Linux's
  // shm_destroy). The memory goes with the last mapping of it.
  void DestroyLocked(ShmSegment& seg) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu);
  // Called when an attachment goes (Linux's shm_close).
  void Detach(ShmSegment& seg, PidRef pid) ABSL_LOCKS_EXCLUDED(mu);
};

}  // namespace sb::kernel::ipc
