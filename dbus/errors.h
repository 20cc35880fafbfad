// errors.h: the one table mapping absl::Status codes to our D-Bus error
// names (STYLE.md R4). The adaptors are the only place that throws.
#pragma once

#include <string>

#include "absl/status/status.h"
#include "sdbus-c++/Error.h"

namespace sb::dbus {

// org.sandboxd.Error.<Name> for `code`.
std::string ErrorName(absl::StatusCode code);
// The sdbus::Error to throw (or return through a Result) for a non-OK status.
sdbus::Error ToDbusError(const absl::Status& s);
// Throws ToDbusError(s) unless s is OK.
void ThrowIfError(const absl::Status& s);

}  // namespace sb::dbus
