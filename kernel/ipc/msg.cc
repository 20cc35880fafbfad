// msg.cc: removal of message queues.
#include "kernel/ipc/msg.h"

#include <poll.h>

#include <vector>

namespace sb::kernel::ipc {

MsgNamespace::~MsgNamespace() {
  absl::MutexLock lock(&mu);
  std::vector<std::shared_ptr<MsgQueue>> qs;
  for (const auto& [idx, q] : ids.objects()) qs.push_back(q);
  for (const auto& q : qs) RemoveLocked(*q);
}

void MsgNamespace::RemoveLocked(MsgQueue& q) {
  if (q.removed) return;
  q.removed = true;
  total_bytes -= q.cbytes;
  total_msgs -= q.messages.size();
  ids.Remove(q.perm.id);
  q.queue.Notify(POLLIN | POLLOUT);
}

}  // namespace sb::kernel::ipc
