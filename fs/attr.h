// attr.h: attribute changes (chmod, chown, utimes) and Linux's rules for
// who may make them (fs/attr.c setattr_prepare/may_setattr, fs/open.c
// chmod_common/chown_common, fs/utimes.c vfs_utimes).
//
// The VFS (namespace_attr.cc) turns a request into an AttrChange with the
// functions below, from the file's current attributes and the caller's
// credentials; the filesystem then applies it (Inode::SetAttr). Stateless.
#pragma once

#include <sys/stat.h>
#include <time.h>

#include <optional>

#include "kernel/base/credentials.h"
#include "kernel/base/errno.h"

namespace sb::fs {

// What Inode::SetAttr changes. Unset fields stay; ctime always becomes
// `ctime` (the time of the change).
struct AttrChange {
  std::optional<mode_t> mode;  // permission bits only (07777)
  std::optional<uid_t> uid;
  std::optional<gid_t> gid;
  std::optional<struct timespec> atime, mtime;
  struct timespec ctime = {};
};

// The attributes an in-memory inode keeps (tmpfs, pipes): what stat shows
// and SetAttr changes. Plain data, saved with the inode; its owner guards it.
struct InodeAttrs {
  mode_t perms = 0;  // permission bits (07777)
  uid_t uid = 0;
  gid_t gid = 0;
  struct timespec atime = {}, mtime = {}, ctime = {};

  // All three times `now`.
  InodeAttrs(mode_t perms, uid_t uid, gid_t gid, struct timespec now)
      : perms(perms & 07777), uid(uid), gid(gid), atime(now), mtime(now), ctime(now) {}
  void Apply(const AttrChange& change) {
    if (change.mode) perms = *change.mode & 07777;
    if (change.uid) uid = *change.uid;
    if (change.gid) gid = *change.gid;
    if (change.atime) atime = *change.atime;
    if (change.mtime) mtime = *change.mtime;
    ctime = change.ctime;
  }
  // Owner, permission bits (or'ed into st_mode) and times.
  void Fill(struct stat& st) const {
    st.st_mode |= perms;
    st.st_uid = uid;
    st.st_gid = gid;
    st.st_atim = atime;
    st.st_mtim = mtime;
    st.st_ctim = ctime;
  }
};

// utimensat(2)'s two times as the caller gave them: tv_nsec may be
// UTIME_NOW or UTIME_OMIT. A null `const UtimesRequest*` means "both now"
// (times == NULL).
struct UtimesRequest {
  struct timespec atime, mtime;
};

// Is `ns` a valid utimensat tv_nsec (0..999999999, UTIME_NOW, UTIME_OMIT)?
bool ValidUtimeNsec(long ns);

// chmod(2) of a file with attributes `st` to `mode`: EPERM unless owner or
// CAP_FOWNER; S_ISGID dropped unless the caller is in the file's group or
// has CAP_FSETID. EOPNOTSUPP for a symlink (Linux 6.6+ notify_change).
ErrnoOr<AttrChange> ChmodChange(const Credentials& creds, const struct stat& st, mode_t mode);
// chown(2) with (uid_t)-1 / (gid_t)-1 meaning "unchanged": the owner may
// "change" the owner to itself and the group to one of its groups; anything
// else needs CAP_CHOWN (EPERM). A non-directory loses S_ISUID, and S_ISGID
// as setattr_should_drop_sgid() says, even when nothing else changes.
ErrnoOr<AttrChange> ChownChange(const Credentials& creds, const struct stat& st, uid_t uid,
                                gid_t gid);
// utimensat(2): `times` null (or both UTIME_NOW) needs ownership, CAP_FOWNER
// or write permission (EACCES); explicit times need ownership or
// CAP_FOWNER (EPERM). The caller has already returned early when both are
// UTIME_OMIT and validated tv_nsec.
ErrnoOr<AttrChange> UtimesChange(const Credentials& creds, const struct stat& st,
                                 const UtimesRequest* times);

}  // namespace sb::fs
