#include "kernel/base/errno.h"

#include <cstring>

#include "absl/strings/str_cat.h"

namespace sb {

std::string Errno::Name() const {
  const char* name = strerrorname_np(value_);
  if (name != nullptr) return name;
  return absl::StrCat("errno ", value_);
}

absl::Status ErrnoToStatus(Errno e, std::string_view context) {
  // absl::string_view is not std::string_view in Debian's abseil build.
  std::string msg = absl::StrCat(absl::string_view(context.data(), context.size()), ": ", e.Name(),
                                 " (", strerror(e.value()), ")");
  switch (e.value()) {
    case ENOENT:
      return absl::NotFoundError(msg);
    case EEXIST:
      return absl::AlreadyExistsError(msg);
    case EACCES:
    case EPERM:
      return absl::PermissionDeniedError(msg);
    case EINVAL:
    case ENOTDIR:
    case EISDIR:
    case ENAMETOOLONG:
    case ELOOP:
    case ENOEXEC:
    case E2BIG:
      return absl::InvalidArgumentError(msg);
    case ENOMEM:
    case ENOSPC:
    case EMFILE:
    case ENFILE:
      return absl::ResourceExhaustedError(msg);
    case EAGAIN:
    case EINTR:
      return absl::UnavailableError(msg);
    case ENOSYS:
    case EOPNOTSUPP:
      return absl::UnimplementedError(msg);
    default:
      return absl::InternalError(msg);
  }
}

}  // namespace sb
