// inotify.h: inotify instances and the VFS's event hooks (Linux:
// fs/notify/inotify/ and include/linux/fsnotify.h).
//
// A watch is a mark on an inode (Inode::inotify_marks) naming an instance
// and its watch descriptor; the instance holds the watched location so the
// inode keeps its identity. The VFS reports what happens through the
// Notify* hooks below: namespace operations (create, unlink, rename, ...),
// attribute changes, and the file operations of tree-backed files (open,
// read, write, truncate, close). An event on a file goes to the watches of
// its parent directory (with the name) and then to its own (without), as
// Linux's fsnotify_parent does.
//
// Locks: one inotify lock guards every mark list and every instance's
// queue; it is a leaf (instances' WaitQueues are notified after it is
// released). Hooks cost an atomic load when nothing is watched.
//
// Checkpoint: an instance saves its watches (wd, mask, path of the
// watched location) and its queued events; marks are rebuilt from them.
// Not written yet: the kernel has no save path to hook into.
#pragma once

#include <sys/inotify.h>

#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>

#include "fs/file.h"
#include "fs/inode.h"
#include "kernel/base/credentials.h"

namespace sb::fs {

// /proc/sys/fs/inotify (Linux's defaults; max_user_watches as Linux
// computes it for a machine with a few GiB).
struct InotifyLimits {
  std::atomic<int> max_queued_events{16384};
  std::atomic<int> max_user_instances{128};
  std::atomic<int> max_user_watches{8192};
};
InotifyLimits& GetInotifyLimits();

// inotify_init1: `flags` O_NONBLOCK (O_CLOEXEC is the caller's). EMFILE
// when `uid` has max_user_instances instances.
ErrnoOr<FileRef> NewInotify(uid_t uid, int flags);
// Is `f` an inotify instance?
bool IsInotify(const FileDescription& f);
// inotify_add_watch on instance `f` for `loc` (already walked, permission
// checked): the watch descriptor. EEXIST for IN_MASK_CREATE on a watched
// inode; ENOSPC at max_user_watches.
ErrnoOr<int> InotifyAddWatch(FileDescription& f, const Location& loc, uint32_t mask);
// inotify_rm_watch: EINVAL if `wd` is not a watch of `f`.
ErrnoStatus InotifyRmWatch(FileDescription& f, int wd);

// --- VFS hooks.
// An event on the file at `loc` (IN_ACCESS, IN_MODIFY, IN_ATTRIB, IN_OPEN,
// IN_CLOSE_*): to its parent's watches with its name, then to its own.
void NotifyLocation(const Location& loc, uint32_t mask);
// An event on the entry `name` of directory `dir` (IN_CREATE, IN_DELETE,
// IN_MOVED_FROM, IN_MOVED_TO), with `cookie` for moves.
void NotifyDirEntry(Inode& dir, uint32_t mask, std::string_view name, bool is_dir,
                    uint32_t cookie = 0);
// An event on `inode` alone (IN_ATTRIB of a link count, IN_MOVE_SELF).
void NotifyInode(Inode& inode, uint32_t mask);
// `inode` lost a name (unlink, rmdir, rename over it): once it has no
// names (a removed directory has none) and no open files, IN_DELETE_SELF
// then IN_IGNORED for each watch.
void NotifyUnlinked(Inode& inode, bool is_dir);
// A fresh cookie for one rename's IN_MOVED_FROM/IN_MOVED_TO pair.
uint32_t NewInotifyCookie();
// Open-file accounting of tree-backed files (VfsFile), for IN_DELETE_SELF
// of a file unlinked while open.
void InotifyFileOpened(Inode& inode);
void InotifyFileClosed(Inode& inode);
// /proc/[pid]/fdinfo lines of an inotify file ("inotify wd:..."), or "".
std::string InotifyFdInfo(const FileDescription& f);

}  // namespace sb::fs
