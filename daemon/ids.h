// ids.h: names on the bus and in the API, and their validation.
//
// Bus naming rule (dbus/README.md): instance NAME owns the well-known name
// org.sandboxd.Instance.NAME, where NAME matches [A-Za-z_][A-Za-z0-9_-]{0,63}
// (a valid bus-name element: no dots, not starting with a digit or '-').
// The manager is /org/sandboxd/Manager; container ID is
// /org/sandboxd/container/<ID escaped>, with every byte outside [A-Za-z0-9]
// written as _xx (lowercase hex), as systemd's sd_bus_path_encode does.
#pragma once

#include <string>
#include "absl/strings/string_view.h"

#include "absl/status/status.h"

namespace sb::daemon {

inline constexpr char kBusNamePrefix[] = "org.sandboxd.Instance.";
inline constexpr char kManagerPath[] = "/org/sandboxd/Manager";
inline constexpr char kContainerPathPrefix[] = "/org/sandboxd/container/";
inline constexpr char kManagerInterface[] = "org.sandboxd.Manager";
inline constexpr char kContainerInterface[] = "org.sandboxd.Container";

// Container IDs: [A-Za-z0-9][A-Za-z0-9_.-]{0,63}.
absl::Status ValidateContainerId(absl::string_view id);
// Instance names: [A-Za-z_][A-Za-z0-9_-]{0,63}.
absl::Status ValidateInstanceName(absl::string_view name);

std::string BusName(absl::string_view instance);
std::string ContainerPath(absl::string_view id);

}  // namespace sb::daemon
