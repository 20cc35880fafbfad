#include "dbus/errors.h"

#include "absl/strings/str_cat.h"

namespace sb::dbus {
namespace {

struct Entry {
  absl::StatusCode code;
  const char* name;
};
// Each name is provoked once by tests/daemon/dbus_api.sh.
constexpr Entry kTable[] = {
    {absl::StatusCode::kInvalidArgument, "InvalidArgs"},
    {absl::StatusCode::kNotFound, "NotFound"},
    {absl::StatusCode::kAlreadyExists, "AlreadyExists"},
    {absl::StatusCode::kFailedPrecondition, "WrongState"},
    {absl::StatusCode::kPermissionDenied, "AccessDenied"},
    {absl::StatusCode::kUnimplemented, "NotSupported"},
    {absl::StatusCode::kResourceExhausted, "LimitExceeded"},
    {absl::StatusCode::kUnavailable, "Unavailable"},
};

}  // namespace

std::string ErrorName(absl::StatusCode code) {
  for (const auto& e : kTable) {
    if (e.code == code) return absl::StrCat("org.sandboxd.Error.", e.name);
  }
  return "org.sandboxd.Error.Internal";
}

sdbus::Error ToDbusError(const absl::Status& s) {
  return sdbus::Error(ErrorName(s.code()), std::string(s.message()));
}

void ThrowIfError(const absl::Status& s) {
  if (!s.ok()) throw ToDbusError(s);
}

}  // namespace sb::dbus
