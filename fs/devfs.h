// devfs.h: our minimal devtmpfs: null, zero, full, random, urandom and the
// fd/stdin/stdout/stderr symlinks, with Linux's modes and device numbers.
// A tmpfs instance populated at mount; the device inodes open the files in
// devfs.cc. Called by VfsNamespace::MountFilesystem("devtmpfs"), and by
// tmpfs for device nodes made with mknod(2).
#pragma once

#include <string_view>

#include "fs/inode.h"

namespace sb::fs {

ErrnoOr<InodeRef> NewDevfs(std::string_view data);

// Opens the device `rdev` of kind `type` (S_IFCHR or S_IFBLK) for a node at
// `loc`: one of the devices above, or ENXIO (no such device here; a host
// device is never opened).
ErrnoOr<FileRef> OpenDeviceNode(mode_t type, dev_t rdev, const Location& loc, int flags);

}  // namespace sb::fs
