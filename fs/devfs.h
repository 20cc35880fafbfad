// devfs.h: our minimal devtmpfs: null, zero, full, random, urandom and the
// fd/stdin/stdout/stderr symlinks, with Linux's modes and device numbers.
// A tmpfs instance populated at mount; the device inodes open the files in
// devfs.cc. Called by VfsNamespace::MountFilesystem("devtmpfs").
#pragma once

#include <string_view>

#include "fs/inode.h"

namespace sb::fs {

ErrnoOr<InodeRef> NewDevfs(std::string_view data);

}  // namespace sb::fs
