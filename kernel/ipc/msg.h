// msg.h: System V message queues of one IPC namespace (Linux: ipc/msg.c).
//
// Senders that find the queue full and receivers that find no matching
// message sleep on the queue's WaitQueue and try again at every change
// (Linux hands a message straight to a sleeping receiver; what a program
// observes is the same for the calls we serve).
//
// Checkpoint: a queue saves its Perm, messages (type and bytes), byte
// limit, PIDs and times; sleepers restart their call after restore. Not
// written yet: the kernel has no save path to hook into.
//
// Lock order: MsgNamespace::mu before the queue's WaitQueue.
#pragma once

#include <deque>
#include <memory>
#include <string>

#include "absl/synchronization/mutex.h"
#include "kernel/base/waiter.h"
#include "kernel/ipc/ipc.h"
#include "kernel/task/pid_namespace.h"

namespace sb::kernel::ipc {

// Linux's defaults (include/uapi/linux/msg.h).
inline constexpr int kMsgMax = 8192, kMsgMnb = 16384, kMsgMni = 32000, kMsgSsz = 16,
                     kMsgSeg = 0xffff, kMsgPool = kMsgMni * kMsgMnb / 1024;

struct MsgQueue {
  struct Message {
    int64_t type;
    std::string text;
  };
  Perm perm;
  std::deque<Message> messages;
  uint64_t cbytes = 0, qbytes = 0;
  PidRef lspid, lrpid;
  int64_t stime = 0, rtime = 0, ctime = 0;
  bool removed = false;
  WaitQueue queue;  // told of every send, receive, IPC_SET and removal
};

class MsgNamespace {
 public:
  ~MsgNamespace();
  absl::Mutex mu;
  Registry<MsgQueue> ids ABSL_GUARDED_BY(mu);
  int msgmax ABSL_GUARDED_BY(mu) = kMsgMax;
  int msgmnb ABSL_GUARDED_BY(mu) = kMsgMnb;
  int msgmni ABSL_GUARDED_BY(mu) = kMsgMni;
  uint64_t total_bytes ABSL_GUARDED_BY(mu) = 0;
  uint64_t total_msgs ABSL_GUARDED_BY(mu) = 0;

  // IPC_RMID: sleepers wake with EIDRM.
  void RemoveLocked(MsgQueue& q) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu);
};

}  // namespace sb::kernel::ipc
