// anon_inode.h: the one inode behind anonymous files (eventfd, timerfd,
// epoll), as Linux's fs/anon_inodes.c. fstat on any of them reports the
// same device and inode, mode 0600 with no file-type bits, owner root.
// Called by the anonymous file kinds' Stat(). Stateless; thread-safe.
#pragma once

#include <sys/stat.h>

namespace sb::fs {

struct stat AnonInodeStat();

}  // namespace sb::fs
