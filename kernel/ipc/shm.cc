// shm.cc: attachment accounting of System V shared memory segments.
#include "kernel/ipc/shm.h"

#include <sys/mman.h>

#include <vector>

#include "kernel/base/abi.h"
#include "kernel/task/task.h"

namespace sb::kernel::ipc {
namespace {

// What a process's mappings of a segment hold: detaches when the last goes.
struct ShmAttachment {
  std::shared_ptr<ShmNamespace> ns;
  std::shared_ptr<ShmSegment> seg;
  ~ShmAttachment() {
    // The detaching process: whoever drops the mapping (shmdt, munmap,
    // exec or exit run on the process's own task thread).
    PidRef pid;
    if (Task* t = Task::Current()) pid = t->thread_group().pid();
    ns->Detach(*seg, std::move(pid));
  }
};

}  // namespace

uint64_t ResidentBytes(const ShmSegment& seg) {
  const uint64_t len = seg.range->length();
  std::vector<unsigned char> vec(len / abi::kPageSize);
  if (vec.empty() || mincore(seg.range->host(), len, vec.data()) != 0) return 0;
  uint64_t resident = 0;
  for (unsigned char v : vec) resident += (v & 1) ? abi::kPageSize : 0;
  return resident;
}

std::shared_ptr<const void> ShmNamespace::Attach(const std::shared_ptr<ShmSegment>& seg,
                                                 PidRef pid) {
  {
    absl::MutexLock lock(&mu);
    seg->nattch++;
    seg->atime = NowSeconds();
    if (pid) seg->lpid = std::move(pid);
  }
  auto a = std::make_shared<ShmAttachment>();
  a->ns = shared_from_this();
  a->seg = seg;
  return a;
}

void ShmNamespace::DestroyLocked(ShmSegment& seg) {
  if (seg.destroyed) return;
  seg.destroyed = true;
  total_pages -= seg.range->length() / abi::kPageSize;
  ids.Remove(seg.perm.id);
}

void ShmNamespace::Detach(ShmSegment& seg, PidRef pid) {
  absl::MutexLock lock(&mu);
  seg.nattch--;
  seg.dtime = NowSeconds();
  if (pid) seg.lpid = std::move(pid);
  if (seg.nattch == 0 && (seg.perm.mode & kShmDest)) DestroyLocked(seg);
}

}  // namespace sb::kernel::ipc
