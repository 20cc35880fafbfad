#include "fs/inode.h"

#include <linux/capability.h>
#include <sys/sysmacros.h>
#include <time.h>

namespace sb::fs {

dev_t AllocateAnonDev() {
  // Minor numbers from 100 keep clear of the host's usual small anon devs.
  static std::atomic<unsigned> next_minor{100};
  return makedev(0, next_minor.fetch_add(1, std::memory_order_relaxed));
}

struct timespec NowTimespec() {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return ts;
}

std::shared_ptr<FileLockContext> Inode::LockContext(bool create) {
  absl::MutexLock lock(&lock_ctx_mu_);
  if (!lock_ctx_ && create) lock_ctx_ = std::make_shared<FileLockContext>();
  return lock_ctx_;
}

ErrnoStatus CheckPermission(const Credentials& creds, const struct stat& st, int may) {
  may &= (R_OK | W_OK | X_OK);
  mode_t mode = st.st_mode;
  int granted;
  if (creds.fsuid == st.st_uid) {
    granted = (mode >> 6) & 7;
  } else if (creds.InGroup(st.st_gid)) {
    granted = (mode >> 3) & 7;
  } else {
    granted = mode & 7;
  }
  if ((may & ~granted) == 0) return Ok();
  bool is_dir = S_ISDIR(mode);
  // Linux's capable_wrt_inode_uidgid() branch of generic_permission().
  if (creds.HasCapability(CAP_DAC_OVERRIDE)) {
    if (!(may & X_OK) || is_dir || (mode & (S_IXUSR | S_IXGRP | S_IXOTH))) return Ok();
  }
  if (creds.HasCapability(CAP_DAC_READ_SEARCH)) {
    int allowed = is_dir ? (R_OK | X_OK) : R_OK;
    if ((may & ~allowed) == 0) return Ok();
  }
  return Errno(EACCES);
}

bool IsOwnerOrFowner(const Credentials& creds, const struct stat& st) {
  return creds.fsuid == st.st_uid || creds.HasCapability(CAP_FOWNER);
}

ErrnoStatus CheckSticky(const Credentials& creds, const struct stat& dir_st,
                        const struct stat& child_st) {
  if (!(dir_st.st_mode & S_ISVTX)) return Ok();
  if (creds.fsuid == dir_st.st_uid || IsOwnerOrFowner(creds, child_st)) return Ok();
  return Errno(EPERM);
}

}  // namespace sb::fs
