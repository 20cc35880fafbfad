// filesystem_types.h: filesystem types that mount(2) can create by name
// (Linux's register_filesystem/get_fs_type), for types built outside the
// syscall layer's own list (tmpfs, proc): e.g. sysfs. A type is registered
// once at start-up; mount(2) of an unregistered type is ENODEV.
// Thread-safe.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "fs/inode.h"

namespace sb::fs {

// Builds a new instance from mount(2)'s data string ("mode=755,...") and
// returns its root inode (which holds the Filesystem). EINVAL for bad data.
using FilesystemFactory = std::function<ErrnoOr<InodeRef>(std::string_view data)>;

// Registers (or replaces) the factory of `name`.
void RegisterFilesystemType(std::string name, FilesystemFactory factory);
// The factory of `name`, if registered.
std::optional<FilesystemFactory> FindFilesystemType(std::string_view name);

}  // namespace sb::fs
