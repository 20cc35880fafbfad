#include "fs/filesystem_types.h"

#include <map>

#include "absl/synchronization/mutex.h"

namespace sb::fs {
namespace {

absl::Mutex types_mu(absl::kConstInit);

std::map<std::string, FilesystemFactory, std::less<>>& Types()
    ABSL_EXCLUSIVE_LOCKS_REQUIRED(types_mu) {
  static auto* types = new std::map<std::string, FilesystemFactory, std::less<>>();  // NOLINT
  return *types;
}

}  // namespace

void RegisterFilesystemType(std::string name, FilesystemFactory factory) {
  absl::MutexLock lock(&types_mu);
  Types()[std::move(name)] = std::move(factory);
}

std::optional<FilesystemFactory> FindFilesystemType(std::string_view name) {
  absl::MutexLock lock(&types_mu);
  auto it = Types().find(name);
  if (it == Types().end()) return std::nullopt;
  return it->second;
}

}  // namespace sb::fs
