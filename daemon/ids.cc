#include "daemon/ids.h"

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace sb::daemon {
namespace {

constexpr size_t kMaxNameLength = 64;

}  // namespace

absl::Status ValidateContainerId(absl::string_view id) {
  if (id.empty()) return absl::InvalidArgumentError("container ID is empty");
  if (id.size() > kMaxNameLength) {
    return absl::InvalidArgumentError(
        absl::StrCat("container ID is longer than ", kMaxNameLength, " characters"));
  }
  if (!absl::ascii_isalnum(id[0])) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "container ID \"%s\" must start with a letter or digit", absl::CHexEscape(id)));
  }
  for (char c : id) {
    if (!absl::ascii_isalnum(c) && c != '_' && c != '.' && c != '-') {
      return absl::InvalidArgumentError(absl::StrFormat(
          "container ID \"%s\" may only hold [A-Za-z0-9_.-]", absl::CHexEscape(id)));
    }
  }
  return absl::OkStatus();
}

absl::Status ValidateInstanceName(absl::string_view name) {
  if (name.empty()) return absl::InvalidArgumentError("instance name is empty");
  if (name.size() > kMaxNameLength) {
    return absl::InvalidArgumentError(
        absl::StrCat("instance name is longer than ", kMaxNameLength, " characters"));
  }
  if (!absl::ascii_isalpha(name[0]) && name[0] != '_') {
    return absl::InvalidArgumentError(absl::StrFormat(
        "instance name \"%s\" must start with a letter or '_'", absl::CHexEscape(name)));
  }
  for (char c : name) {
    if (!absl::ascii_isalnum(c) && c != '_' && c != '-') {
      return absl::InvalidArgumentError(absl::StrFormat(
          "instance name \"%s\" may only hold [A-Za-z0-9_-] (it is a bus name element)",
          absl::CHexEscape(name)));
    }
  }
  return absl::OkStatus();
}

std::string BusName(absl::string_view instance) { return absl::StrCat(kBusNamePrefix, instance); }

std::string ContainerPath(absl::string_view id) {
  std::string out = kContainerPathPrefix;
  for (unsigned char c : id) {
    if (absl::ascii_isalnum(c)) {
      out.push_back(static_cast<char>(c));
    } else {
      absl::StrAppendFormat(&out, "_%02x", c);
    }
  }
  return out;
}

}  // namespace sb::daemon
