// ipc.h: what the System V IPC objects share (Linux: ipc/util.[ch]):
// permissions, the ID registry of one kind of object in one IPC namespace,
// and the x86-64 ABI structures of the *ctl calls.
//
// An object's ID is its slot index plus a sequence number times 32768
// (Linux's ipc_buildid with IPCMNI_SHIFT 15), so a removed object's ID
// does not name the next object in its slot at once. Registries are owned
// by the IpcNamespace (ipc_namespace.h) and guarded by their kind's mutex.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <memory>

#include "kernel/base/credentials.h"
#include "kernel/base/errno.h"

namespace sb::kernel::ipc {

inline constexpr int kIpcmniShift = 15;
inline constexpr int kIpcmni = 1 << kIpcmniShift;
inline constexpr key_t kIpcPrivate = 0;

// Linux's kern_ipc_perm, less the locking.
struct Perm {
  key_t key = 0;
  uid_t uid = 0, gid = 0, cuid = 0, cgid = 0;
  mode_t mode = 0;  // permission bits plus the kind's flags (SHM_DEST, ...)
  uint16_t seq = 0;
  int id = -1;
};

// Linux's ipcperms(): may `creds` access an object for `flag` (S_IRUGO,
// S_IWUGO, S_IXUGO bits, or a *get flag's permission bits)? CAP_IPC_OWNER
// overrides.
bool Permits(const Credentials& creds, const Perm& perm, int flag);
// Linux's ipcctl_obtain_check(): the owner, the creator or CAP_SYS_ADMIN
// may IPC_SET and IPC_RMID.
bool MayControl(const Credentials& creds, const Perm& perm);
// The permission fields of a new object made by `creds` with *get flags `flag`.
Perm NewPerm(const Credentials& creds, key_t key, int flag);
// Seconds since the epoch (the *_time fields).
int64_t NowSeconds();

// --- x86-64 ABI (include/uapi/asm-generic/ipcbuf.h and friends).
struct Ipc64Perm {
  int32_t key;
  uint32_t uid, gid, cuid, cgid;
  uint32_t mode;
  uint16_t seq, pad2;
  uint64_t unused1, unused2;
};
static_assert(sizeof(Ipc64Perm) == 48);
Ipc64Perm ToAbi(const Perm& p);

// The objects of one kind in one namespace (Linux: struct ipc_ids). T has
// a `Perm perm` member. Not thread-safe: the owner's mutex guards it.
template <class T>
class Registry {
 public:
  using Ref = std::shared_ptr<T>;

  // The live object with `key` (not IPC_PRIVATE), or null.
  Ref FindKey(key_t key) const {
    for (const auto& [idx, obj] : objs_) {
      if (obj->perm.key == key) return obj;
    }
    return nullptr;
  }
  // The object named by `id` (slot and sequence must match), or null.
  Ref FindId(int id) const {
    if (id < 0) return nullptr;
    auto it = objs_.find(id % kIpcmni);
    if (it == objs_.end() || it->second->perm.id != id) return nullptr;
    return it->second;
  }
  // The object in slot `idx` (SHM_STAT and friends), or null.
  Ref FindIndex(int idx) const {
    auto it = objs_.find(idx);
    return it == objs_.end() ? nullptr : it->second;
  }
  // Adds `obj` with a fresh ID (Linux's ipc_addid, cyclic slots as
  // ipc_idr_alloc). ENOSPC at `limit` objects.
  ErrnoOr<int> Add(Ref obj, int limit) {
    if (static_cast<int>(objs_.size()) >= limit || static_cast<int>(objs_.size()) >= kIpcmni) {
      return Errno(ENOSPC);
    }
    int max_idx = std::max<int>(objs_.size() * 3 / 2, 64);
    max_idx = std::min(max_idx, std::min(limit, kIpcmni));
    int idx = -1;
    for (int i = last_idx_ + 1; i < max_idx; i++) {
      if (!objs_.count(i)) {
        idx = i;
        break;
      }
    }
    if (idx < 0) {
      for (int i = 0; i < max_idx; i++) {
        if (!objs_.count(i)) {
          idx = i;
          break;
        }
      }
    }
    if (idx < 0) return Errno(ENOSPC);
    if (idx <= last_idx_) {
      if (++seq_ >= (INT32_MAX >> kIpcmniShift)) seq_ = 0;
    }
    last_idx_ = idx;
    obj->perm.seq = static_cast<uint16_t>(seq_);
    obj->perm.id = (seq_ << kIpcmniShift) + idx;
    objs_[idx] = std::move(obj);
    return objs_[idx]->perm.id;
  }
  void Remove(int id) { objs_.erase(id % kIpcmni); }
  int in_use() const { return static_cast<int>(objs_.size()); }
  // Linux's ipc_get_maxidx: the highest slot in use, -1 if none.
  int max_idx() const { return objs_.empty() ? -1 : objs_.rbegin()->first; }
  const std::map<int, Ref>& objects() const { return objs_; }

 private:
  std::map<int, Ref> objs_;  // by slot
  int seq_ = 0;
  int last_idx_ = -1;
};

}  // namespace sb::kernel::ipc
