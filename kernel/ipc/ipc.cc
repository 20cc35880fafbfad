// ipc.cc: permissions and helpers shared by the System V IPC kinds.
#include "kernel/ipc/ipc.h"

#include <linux/capability.h>
#include <sys/stat.h>
#include <time.h>

namespace sb::kernel::ipc {

bool Permits(const Credentials& creds, const Perm& perm, int flag) {
  const int requested = ((flag >> 6) | (flag >> 3) | flag) & 07;
  int granted = perm.mode;
  if (creds.euid == perm.cuid || creds.euid == perm.uid) {
    granted >>= 6;
  } else if (creds.InGroup(perm.cgid) || creds.InGroup(perm.gid)) {
    granted >>= 3;
  }
  if ((requested & ~granted & 07) && !creds.HasCapability(CAP_IPC_OWNER)) return false;
  return true;
}

bool MayControl(const Credentials& creds, const Perm& perm) {
  return creds.euid == perm.uid || creds.euid == perm.cuid || creds.HasCapability(CAP_SYS_ADMIN);
}

Perm NewPerm(const Credentials& creds, key_t key, int flag) {
  Perm p;
  p.key = key;
  p.uid = p.cuid = creds.euid;
  p.gid = p.cgid = creds.egid;
  p.mode = flag & 0777;
  return p;
}

int64_t NowSeconds() {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return ts.tv_sec;
}

Ipc64Perm ToAbi(const Perm& p) {
  Ipc64Perm out{};
  out.key = p.key;
  out.uid = p.uid;
  out.gid = p.gid;
  out.cuid = p.cuid;
  out.cgid = p.cgid;
  out.mode = p.mode;
  out.seq = p.seq;
  return out;
}

}  // namespace sb::kernel::ipc
