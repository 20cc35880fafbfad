// tmpfs.h: the in-memory filesystem (tmpfs, and the base of our devfs).
//
// NewTmpfs builds one tmpfs instance from its mount data ("mode=1777,
// size=...,uid=...,gid=...") and returns its root inode; the inode owns
// the Filesystem. Called by VfsNamespace::MountFilesystem and devfs.
// Inode classes live in tmpfs_inode.h.
#pragma once

#include <string_view>

#include "fs/inode.h"

namespace sb::fs {

// EINVAL for malformed or unknown mount data.
ErrnoOr<InodeRef> NewTmpfs(std::string_view data);

}  // namespace sb::fs
