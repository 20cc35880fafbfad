#include "dbus/auth.h"

#include <grp.h>
#include <pwd.h>

#include <algorithm>
#include <vector>

#include "absl/strings/str_cat.h"
#include "sdbus-c++/Message.h"

namespace sb::dbus {

absl::Status Authorize(const sdbus::IObject& object, const AccessPolicy& policy) {
  const sdbus::Message* msg = object.getCurrentlyProcessedMessage();
  if (msg == nullptr) return absl::PermissionDeniedError("no caller to check");
  uid_t euid;
  std::vector<gid_t> groups;
  try {
    euid = msg->getCredsEuid();
  } catch (const sdbus::Error&) {
    try {
      euid = msg->getCredsUid();
    } catch (const sdbus::Error& e) {
      return absl::PermissionDeniedError(
          absl::StrCat("cannot read the caller's credentials: ", e.getMessage()));
    }
  }
  if (euid == 0) return absl::OkStatus();
  if (policy.admin_gid) {
    try {
      groups = msg->getCredsSupplementaryGids();
      groups.push_back(msg->getCredsGid());
    } catch (const sdbus::Error&) {
    }
    if (std::find(groups.begin(), groups.end(), *policy.admin_gid) != groups.end()) {
      return absl::OkStatus();
    }
  }
  return absl::PermissionDeniedError(
      absl::StrCat("uid ", euid, " may not manage containers: only root",
                   policy.admin_gid ? absl::StrCat(" and members of gid ", *policy.admin_gid) : "",
                   " may (admin_group in /etc/sandboxd/NAME.conf)"));
}

}  // namespace sb::dbus
