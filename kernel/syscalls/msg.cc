// msg.cc: msgget, msgsnd, msgrcv, msgctl (System V message queues, Linux's
// ipc/msg.c). The queues live in the caller's IPC namespace
// (kernel/ipc/msg.h).
#include <linux/capability.h>
#include <poll.h>

#include "kernel/base/abi.h"
#include "kernel/kernel.h"
#include "kernel/syscalls/handlers.h"

namespace sb::kernel {
namespace {

using ipc::MsgNamespace;
using ipc::MsgQueue;

constexpr int kIpcCreat = 01000, kIpcExcl = 02000, kIpcNowait = 04000;
constexpr int kMsgNoerror = 010000, kMsgExcept = 020000, kMsgCopy = 040000;
constexpr int kIpcRmid = 0, kIpcSet = 1, kIpcStat = 2, kIpcInfo = 3, kMsgStat = 11, kMsgInfo = 12,
              kMsgStatAny = 13;

// struct msqid64_ds (x86-64).
struct Msqid64Ds {
  ipc::Ipc64Perm perm;
  int64_t stime, rtime, ctime;
  uint64_t cbytes, qnum, qbytes;
  int32_t lspid, lrpid;
  uint64_t unused4, unused5;
};
static_assert(sizeof(Msqid64Ds) == 120);
struct Msginfo {
  int32_t msgpool, msgmap, msgmax, msgmnb, msgmni, msgssz, msgtql;
  uint16_t msgseg;
};

// Blocks on `q` (ns->mu held, released while asleep). Ok when woken;
// ERESTARTNOHAND on a signal.
ErrnoStatus SleepOn(Task& t, MsgNamespace& ns, MsgQueue& q) ABSL_EXCLUSIVE_LOCKS_REQUIRED(ns.mu) {
  Waiter& w = t.waiter();
  Waiter::Result res;
  {
    WaitRegistration reg(&q.queue, &w, ~0u);
    w.ResetEvents();
    ns.mu.Unlock();
    res = w.Wait(absl::InfiniteFuture());
    ns.mu.Lock();
  }
  if (res == Waiter::Result::kInterrupted) return Errno(abi::ERESTARTNOHAND);
  return Ok();
}

}  // namespace

SyscallResult Msgget(Task& t, const SyscallArgs& a) {
  const key_t key = a.i32(0);
  const int flag = a.i32(1);
  MsgNamespace& ns = t.namespaces().ipc->msg();
  absl::MutexLock lock(&ns.mu);
  auto create = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(ns.mu) -> ErrnoOr<int> {
    auto q = std::make_shared<MsgQueue>();
    q->perm = ipc::NewPerm(t.creds(), key, flag);
    q->qbytes = ns.msgmnb;
    q->ctime = ipc::NowSeconds();
    return ns.ids.Add(q, std::min<int>(ns.msgmni, ipc::kIpcmni));
  };
  if (key == ipc::kIpcPrivate) {
    SB_ASSIGN_OR_RETURN(int id, create());
    return id;
  }
  auto q = ns.ids.FindKey(key);
  if (!q) {
    if (!(flag & kIpcCreat)) return Errno(ENOENT);
    SB_ASSIGN_OR_RETURN(int id, create());
    return id;
  }
  if ((flag & kIpcCreat) && (flag & kIpcExcl)) return Errno(EEXIST);
  if (!ipc::Permits(t.creds(), q->perm, flag)) return Errno(EACCES);
  return q->perm.id;
}

SyscallResult Msgsnd(Task& t, const SyscallArgs& a) {
  const int id = a.i32(0);
  const uint64_t msgp = a.addr(1);
  const int64_t size = a.s64(2);
  const int flag = a.i32(3);
  MsgNamespace& ns = t.namespaces().ipc->msg();
  {
    absl::MutexLock lock(&ns.mu);
    if (size > ns.msgmax || size < 0 || id < 0) return Errno(EINVAL);
  }
  SB_ASSIGN_OR_RETURN(int64_t type, t.CopyInObj<int64_t>(msgp));
  if (type < 1) return Errno(EINVAL);
  std::string text(size, '\0');
  SB_TRY(t.CopyIn(msgp + 8, text.data(), size));
  absl::MutexLock lock(&ns.mu);
  auto q = ns.ids.FindId(id);
  if (!q) return Errno(EINVAL);
  for (;;) {
    if (!ipc::Permits(t.creds(), q->perm, 0222)) return Errno(EACCES);
    if (q->removed) return Errno(EIDRM);
    if (size + q->cbytes <= q->qbytes && 1 + q->messages.size() <= q->qbytes) break;
    if (flag & kIpcNowait) return Errno(EAGAIN);
    SB_TRY(SleepOn(t, ns, *q));
  }
  q->lspid = t.thread_group().pid();
  q->stime = ipc::NowSeconds();
  q->messages.push_back(MsgQueue::Message{type, std::move(text)});
  q->cbytes += size;
  ns.total_bytes += size;
  ns.total_msgs++;
  q->queue.Notify(POLLIN);
  return 0;
}

SyscallResult Msgrcv(Task& t, const SyscallArgs& a) {
  const int id = a.i32(0);
  const uint64_t msgp = a.addr(1);
  const int64_t bufsz = a.s64(2);
  int64_t type = a.s64(3);
  const int flag = a.i32(4);
  if (id < 0 || bufsz < 0) return Errno(EINVAL);
  if ((flag & kMsgCopy) && ((flag & kMsgExcept) || !(flag & kIpcNowait))) return Errno(EINVAL);
  enum { kAny, kEqual, kNotEqual, kLessEqual, kNumber } mode;
  if (flag & kMsgCopy) {
    mode = kNumber;
  } else if (type == 0) {
    mode = kAny;
  } else if (type < 0) {
    mode = kLessEqual;
    type = type == INT64_MIN ? INT64_MAX : -type;
  } else {
    mode = (flag & kMsgExcept) ? kNotEqual : kEqual;
  }
  MsgNamespace& ns = t.namespaces().ipc->msg();
  MsgQueue::Message got;
  {
    absl::MutexLock lock(&ns.mu);
    auto q = ns.ids.FindId(id);
    if (!q) return Errno(EINVAL);
    for (;;) {
      if (!ipc::Permits(t.creds(), q->perm, 0444)) return Errno(EACCES);
      if (q->removed) return Errno(EIDRM);
      auto found = q->messages.end();
      int64_t count = 0;
      for (auto it = q->messages.begin(); it != q->messages.end(); ++it) {
        bool match = mode == kAny || mode == kNumber || (mode == kEqual && it->type == type) ||
                     (mode == kNotEqual && it->type != type) ||
                     (mode == kLessEqual && it->type <= type);
        if (!match) continue;
        if (mode == kLessEqual) {
          if (found == q->messages.end() || it->type < found->type) found = it;
          continue;
        }
        if (mode == kNumber) {
          if (count++ == type) {
            found = it;
            break;
          }
          continue;
        }
        found = it;
        break;
      }
      if (found != q->messages.end()) {
        if (bufsz < static_cast<int64_t>(found->text.size()) && !(flag & kMsgNoerror)) {
          return Errno(E2BIG);
        }
        if (flag & kMsgCopy) {
          got = *found;
          break;
        }
        got = std::move(*found);
        q->messages.erase(found);
        q->rtime = ipc::NowSeconds();
        q->lrpid = t.thread_group().pid();
        q->cbytes -= got.text.size();
        ns.total_bytes -= got.text.size();
        ns.total_msgs--;
        q->queue.Notify(POLLOUT);
        break;
      }
      if (flag & kIpcNowait) return Errno(ENOMSG);
      SB_TRY(SleepOn(t, ns, *q));
    }
  }
  const size_t n = std::min<size_t>(bufsz, got.text.size());
  SB_TRY(t.CopyOutObj(msgp, got.type));
  SB_TRY(t.CopyOut(msgp + 8, got.text.data(), n));
  return n;
}

SyscallResult Msgctl(Task& t, const SyscallArgs& a) {
  const int id = a.i32(0), cmd = a.i32(1);
  const uint64_t buf = a.addr(2);
  if (id < 0 || cmd < 0) return Errno(EINVAL);
  MsgNamespace& ns = t.namespaces().ipc->msg();
  switch (cmd) {
    case kIpcInfo:
    case kMsgInfo: {
      Msginfo info{};
      int max_idx;
      {
        absl::MutexLock lock(&ns.mu);
        info.msgmni = ns.msgmni;
        info.msgmax = ns.msgmax;
        info.msgmnb = ns.msgmnb;
        info.msgssz = ipc::kMsgSsz;
        info.msgseg = ipc::kMsgSeg;
        if (cmd == kMsgInfo) {
          info.msgpool = ns.ids.in_use();
          info.msgmap = static_cast<int32_t>(ns.total_msgs);
          info.msgtql = static_cast<int32_t>(ns.total_bytes);
        } else {
          info.msgpool = ipc::kMsgPool;
          info.msgmap = ipc::kMsgMnb;
          info.msgtql = ipc::kMsgMnb;
        }
        max_idx = ns.ids.max_idx();
      }
      SB_TRY(t.CopyOutObj(buf, info));
      return max_idx < 0 ? 0 : max_idx;
    }
    case kIpcStat:
    case kMsgStat:
    case kMsgStatAny: {
      Msqid64Ds ds{};
      int ret = 0;
      {
        absl::MutexLock lock(&ns.mu);
        auto q = cmd == kIpcStat ? ns.ids.FindId(id) : ns.ids.FindIndex(id);
        if (!q) return Errno(EINVAL);
        if (cmd != kMsgStatAny && !ipc::Permits(t.creds(), q->perm, 0444)) return Errno(EACCES);
        ds.perm = ipc::ToAbi(q->perm);
        ds.stime = q->stime;
        ds.rtime = q->rtime;
        ds.ctime = q->ctime;
        ds.cbytes = q->cbytes;
        ds.qnum = q->messages.size();
        ds.qbytes = q->qbytes;
        ds.lspid = t.IdOf(q->lspid);
        ds.lrpid = t.IdOf(q->lrpid);
        if (cmd != kIpcStat) ret = q->perm.id;
      }
      SB_TRY(t.CopyOutObj(buf, ds));
      return ret;
    }
    case kIpcSet:
    case kIpcRmid: {
      Msqid64Ds in{};
      if (cmd == kIpcSet) SB_TRY(t.CopyIn(buf, &in, sizeof(in)));
      absl::MutexLock lock(&ns.mu);
      auto q = ns.ids.FindId(id);
      if (!q) return Errno(EINVAL);
      if (!ipc::MayControl(t.creds(), q->perm)) return Errno(EPERM);
      if (cmd == kIpcRmid) {
        ns.RemoveLocked(*q);
        return 0;
      }
      if (in.qbytes > static_cast<uint64_t>(ns.msgmnb) &&
          !t.creds().HasCapability(CAP_SYS_RESOURCE)) {
        return Errno(EPERM);
      }
      q->perm.uid = in.perm.uid;
      q->perm.gid = in.perm.gid;
      q->perm.mode = (q->perm.mode & ~0777) | (in.perm.mode & 0777);
      q->qbytes = in.qbytes;
      q->ctime = ipc::NowSeconds();
      q->queue.Notify(POLLOUT);
      return 0;
    }
    default:
      return Errno(EINVAL);
  }
}

}  // namespace sb::kernel
