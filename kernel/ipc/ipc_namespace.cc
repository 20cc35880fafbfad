// ipc_namespace.cc: creating and ending an IPC namespace.
#include "kernel/ipc/ipc_namespace.h"

#include <vector>

namespace sb::kernel {

IpcNamespace::IpcNamespace()
    : shm_(std::make_shared<ipc::ShmNamespace>()),
      sem_(std::make_shared<ipc::SemNamespace>()),
      msg_(std::make_shared<ipc::MsgNamespace>()) {}

IpcNamespace::~IpcNamespace() {
  // Segments are marked for removal; the unattached go now, the others
  // with their last detach (Linux's shm_exit_ns).
  absl::MutexLock lock(&shm_->mu);
  std::vector<std::shared_ptr<ipc::ShmSegment>> segs;
  for (const auto& [idx, seg] : shm_->ids.objects()) segs.push_back(seg);
  for (const auto& seg : segs) {
    seg->perm.mode |= ipc::kShmDest;
    seg->perm.key = ipc::kIpcPrivate;
    if (seg->nattch == 0) shm_->DestroyLocked(*seg);
  }
}

}  // namespace sb::kernel
