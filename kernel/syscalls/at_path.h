// at_path.h: decoding the path arguments of the *at() family: (dirfd,
// path, AT_* flags) to the location a call acts on, and descriptors for the
// f*() forms. Shared by attr.cc, xattr.cc and stat.cc.
#pragma once

#include <optional>
#include <string>

#include "fs/vfs.h"
#include "kernel/syscalls/syscall.h"

namespace sb::kernel {

// A path argument from user memory: EFAULT, ENAMETOOLONG; an empty path is
// returned as is.
ErrnoOr<std::string> CopyInPath(Task& t, uint64_t addr);

// What an *at() call acts on.
struct AtTarget {
  // Where the path leads; empty only for AT_EMPTY_PATH on a descriptor of a
  // file that has no place in the tree (a pipe), which is then `file`.
  std::optional<fs::Location> loc;
  fs::FileRef file;
};

// Resolves `path` from `dirfd`. An empty path is ENOENT unless
// `empty_path` (AT_EMPTY_PATH): then the call acts on `dirfd` itself (any
// descriptor, O_PATH too) or the working directory for AT_FDCWD.
ErrnoOr<AtTarget> ResolveAt(Task& t, int dirfd, const std::string& path, bool empty_path,
                            fs::FollowFinal follow);

// ResolveAt for a path in user memory and an *at() call's flags
// (AT_SYMLINK_NOFOLLOW, AT_EMPTY_PATH; the caller checks the others).
ErrnoOr<AtTarget> ResolveAtFlags(Task& t, int dirfd, uint64_t path_addr, int flags);

// The file behind `fd` for the f*() calls that Linux's fdget() serves:
// EBADF for an O_PATH descriptor.
ErrnoOr<fs::FileRef> FileForFd(Task& t, int fd);

// An AtTarget for a descriptor's file (its location, if it has one).
AtTarget TargetOf(fs::FileRef file);

}  // namespace sb::kernel
