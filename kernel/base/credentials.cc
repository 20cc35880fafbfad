#include "kernel/base/credentials.h"

#include <algorithm>

namespace sb {

Credentials Credentials::Root() {
  Credentials c;
  c.cap_permitted = c.cap_effective = c.cap_bounding = kAllCaps;
  return c;
}

bool Credentials::InGroup(gid_t gid) const {
  return gid == fsgid || std::find(groups.begin(), groups.end(), gid) != groups.end();
}

}  // namespace sb
