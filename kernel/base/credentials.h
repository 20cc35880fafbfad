// credentials.h: who a task is, as Linux's `struct cred` holds it.
// Immutable once shared: a change makes a new Credentials (as Linux's
// prepare_creds/commit_creds), so fs/ can hold a const reference for the
// length of one call without locks.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <vector>

namespace sb {

struct Credentials {
  uid_t ruid = 0, euid = 0, suid = 0, fsuid = 0;
  gid_t rgid = 0, egid = 0, sgid = 0, fsgid = 0;
  std::vector<gid_t> groups;
  uint64_t cap_permitted = 0, cap_effective = 0, cap_inheritable = 0, cap_bounding = 0,
           cap_ambient = 0;

  // Root with the full capability set, as a container's first process is.
  static Credentials Root();
  bool HasCapability(int cap) const { return cap_effective & (uint64_t{1} << cap); }
  bool InGroup(gid_t gid) const;
};

// CAP_LAST_CAP on Linux 6.x (CAP_CHECKPOINT_RESTORE = 40).
inline constexpr int kCapLastCap = 40;
inline constexpr uint64_t kAllCaps = (uint64_t{1} << (kCapLastCap + 1)) - 1;

}  // namespace sb
