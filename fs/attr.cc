// attr.cc: who may change a file's attributes, as Linux's setattr_prepare()
// and friends decide it.
#include "fs/attr.h"

#include <linux/capability.h>

#include "fs/inode.h"

namespace sb::fs {
namespace {

// Linux's in_group_or_capable(): may the caller keep S_ISGID with group `gid`?
bool InGroupOrFsetid(const Credentials& creds, gid_t gid) {
  return creds.InGroup(gid) || creds.HasCapability(CAP_FSETID);
}

}  // namespace

bool ValidUtimeNsec(long ns) {
  return ns == UTIME_NOW || ns == UTIME_OMIT || (ns >= 0 && ns <= 999999999);
}

ErrnoOr<AttrChange> ChmodChange(const Credentials& creds, const struct stat& st, mode_t mode) {
  if (S_ISLNK(st.st_mode)) return Errno(EOPNOTSUPP);
  if (!IsOwnerOrFowner(creds, st)) return Errno(EPERM);
  AttrChange c;
  mode &= 07777;
  if (!InGroupOrFsetid(creds, st.st_gid)) mode &= ~S_ISGID;
  c.mode = mode;
  c.ctime = NowTimespec();
  return c;
}

ErrnoOr<AttrChange> ChownChange(const Credentials& creds, const struct stat& st, uid_t uid,
                                gid_t gid) {
  const bool owner = creds.fsuid == st.st_uid;
  const bool cap_chown = creds.HasCapability(CAP_CHOWN);
  AttrChange c;
  if (uid != static_cast<uid_t>(-1)) {
    // Linux's chown_ok().
    if (!((owner && uid == st.st_uid) || cap_chown)) return Errno(EPERM);
    c.uid = uid;
  }
  if (gid != static_cast<gid_t>(-1)) {
    // Linux's chgrp_ok().
    if (!((owner && (gid == st.st_gid || creds.InGroup(gid))) || cap_chown)) return Errno(EPERM);
    c.gid = gid;
  }
  if (!S_ISDIR(st.st_mode)) {
    // ATTR_KILL_SUID, and ATTR_KILL_SGID when setattr_should_drop_sgid().
    mode_t mode = st.st_mode & 07777;
    bool kill = false;
    if (mode & S_ISUID) {
      mode &= ~S_ISUID;
      kill = true;
    }
    if ((mode & S_ISGID) && ((mode & S_IXGRP) || !InGroupOrFsetid(creds, st.st_gid))) {
      mode &= ~S_ISGID;
      kill = true;
    }
    if (kill) {
      // The implied mode change is checked as a chmod (setattr_prepare).
      if (!IsOwnerOrFowner(creds, st)) return Errno(EPERM);
      if (!InGroupOrFsetid(creds, c.gid.value_or(st.st_gid))) mode &= ~S_ISGID;
      c.mode = mode;
    }
  }
  c.ctime = NowTimespec();
  return c;
}

ErrnoOr<AttrChange> UtimesChange(const Credentials& creds, const struct stat& st,
                                 const UtimesRequest* times) {
  if (times != nullptr && times->atime.tv_nsec == UTIME_NOW && times->mtime.tv_nsec == UTIME_NOW) {
    times = nullptr;
  }
  AttrChange c;
  c.ctime = NowTimespec();
  if (times == nullptr) {
    // ATTR_TOUCH (Linux's may_setattr()).
    if (!IsOwnerOrFowner(creds, st)) SB_TRY(CheckPermission(creds, st, W_OK));
    c.atime = c.mtime = c.ctime;
    return c;
  }
  // ATTR_TIMES_SET: an explicit time, or one "now" with the other omitted.
  if (!IsOwnerOrFowner(creds, st)) return Errno(EPERM);
  if (times->atime.tv_nsec != UTIME_OMIT) {
    c.atime = times->atime.tv_nsec == UTIME_NOW ? c.ctime : times->atime;
  }
  if (times->mtime.tv_nsec != UTIME_OMIT) {
    c.mtime = times->mtime.tv_nsec == UTIME_NOW ? c.ctime : times->mtime;
  }
  return c;
}

}  // namespace sb::fs
