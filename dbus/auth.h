// auth.h: who may call a mutating method: root, or a member of the
// configured admin group. Checked on the caller's sd-bus credentials (euid
// and groups) besides the bus policy (dbus/org.sandboxd.conf).
#pragma once

#include <sys/types.h>

#include <optional>

#include "absl/status/status.h"
#include "sdbus-c++/IObject.h"

namespace sb::dbus {

struct AccessPolicy {
  std::optional<gid_t> admin_gid;
};

// PermissionDenied naming the caller's uid unless it may call.
absl::Status Authorize(const sdbus::IObject& object, const AccessPolicy& policy);

}  // namespace sb::dbus
