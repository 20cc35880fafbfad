// host_fs.h: the host-backed filesystem (the container root, bind mounts).
//
// Every host file is reached by openat(held_dir_fd, one_name,
// O_PATH|O_NOFOLLOW) below the host directory the filesystem was created
// on; symlinks are read with readlinkat and resolved by our path walk.
// Device nodes are never opened (EACCES). Files are opened for I/O by
// reopening the pinned O_PATH fd through /proc/self/fd. Changes (mkdir,
// create, unlink, rename, link, symlink, truncate) are made relative to
// held directory fds; a read-only mount refuses them first (EROFS). New
// host files belong to the daemon's host uid; chown, chmod and utimensat go
// to the host after our own permission checks (the host may still refuse).
// FIFOs and socket nodes may be made (never opened); device nodes not.
// Extended attributes never reach the host (EOPNOTSUPP). statfs is the
// host's for the mounted directory. Advisory locks are ours, shared by
// host identity (dev, ino). Called by NewHostRootedNamespace and
// MountHostDirectory.
#pragma once

#include <string_view>

#include "fs/inode.h"

namespace sb::fs {

// Opens `host_dir` (O_PATH|O_DIRECTORY) as the root of a new host
// filesystem; the host's errno if it cannot.
ErrnoOr<InodeRef> NewHostFs(std::string_view host_dir);

}  // namespace sb::fs
