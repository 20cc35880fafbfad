// inode.h: filesystems (superblocks) and inodes, the objects the VFS walks.
//
// A Filesystem is one mounted instance (Linux's super_block): it owns its
// device number and its rename lock. An Inode is one file in it; each
// filesystem (tmpfs, host, devfs) subclasses Inode and implements the
// directory, symlink and open operations it supports. The VFS (path walk,
// namespace.cc) does every generic check (permissions, EROFS, mount points,
// "." and "..") before calling down, so an Inode only sees single names
// that are neither empty, ".", ".." nor contain '/'.
//
// Inodes are shared (InodeRef): by the dentries that name them, by tmpfs
// directories that hold them, and by open files. Each Inode holds its
// Filesystem alive. Thread-safe: a subclass guards its own state.
#pragma once

#include <sys/stat.h>
#include <sys/types.h>

#include <atomic>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "fs/attr.h"
#include "fs/file.h"
#include "fs/locks.h"
#include "kernel/base/credentials.h"
#include "kernel/base/errno.h"

namespace sb::fs {

class Inode;
using InodeRef = std::shared_ptr<Inode>;

// What a socket node (S_IFSOCK, made by bind(2) of an AF_UNIX socket)
// leads to: the bound socket, found again by connect(2). fs/ only stores
// it; the socket family downcasts it. Socket nodes hold it weakly: a
// closed socket leaves a node that refuses connections, as in Linux.
class BoundSocket {
 public:
  virtual ~BoundSocket() = default;
};

class InotifyInstance;
// One inotify watch on an inode (inotify.h): its instance and descriptor.
struct InotifyMark {
  std::weak_ptr<InotifyInstance> instance;
  int wd = 0;
  uint32_t mask = 0;  // IN_* events and IN_ONESHOT/IN_EXCL_UNLINK
};

// A new anonymous device number (major 0), as Linux's get_anon_bdev().
dev_t AllocateAnonDev();
// The current CLOCK_REALTIME time, for timestamps.
struct timespec NowTimespec();

class Filesystem {
 public:
  explicit Filesystem(std::string type) : type_(std::move(type)), dev_(AllocateAnonDev()) {}
  virtual ~Filesystem() = default;
  Filesystem(const Filesystem&) = delete;
  Filesystem& operator=(const Filesystem&) = delete;

  const std::string& type() const { return type_; }
  dev_t dev() const { return dev_; }
  // A fresh inode number in this filesystem.
  uint64_t NextIno() { return next_ino_.fetch_add(1, std::memory_order_relaxed); }

  // statfs(2) of this filesystem, without the mount's flags (the VFS adds
  // those: fs::StatFsAt in vfs.h).
  virtual ErrnoOr<struct statfs> StatFs() = 0;

  // The whole filesystem is read-only (Linux's SB_RDONLY, set by a
  // MS_REMOUNT|MS_RDONLY without MS_BIND): every mount of it refuses
  // writes. Atomic.
  std::atomic<bool> read_only{false};

  // Serializes renames within this filesystem (Linux: s_vfs_rename_mutex),
  // so that the ancestor check and the move are atomic. Taken before any
  // Dentry::mu_ (see the lock order in vfs.h).
  absl::Mutex rename_mu;

 private:
  const std::string type_;             // immutable
  const dev_t dev_;                    // immutable
  std::atomic<uint64_t> next_ino_{1};  // atomic
};
using FilesystemRef = std::shared_ptr<Filesystem>;

// What CreateChild makes.
struct CreateRequest {
  mode_t mode;                        // file type | permission bits (umask already applied)
  uid_t uid;                          // owner (the caller's fsuid)
  gid_t gid;                          // group (fsgid, or the directory's with setgid)
  std::string_view target;            // symlink target (S_IFLNK only)
  dev_t rdev = 0;                     // device number (S_IFCHR/S_IFBLK only)
  std::weak_ptr<BoundSocket> socket;  // the bound socket (S_IFSOCK only)
};

class Inode : public std::enable_shared_from_this<Inode> {
 public:
  explicit Inode(FilesystemRef fs) : fs_(std::move(fs)) {}
  virtual ~Inode() = default;
  Inode(const Inode&) = delete;
  Inode& operator=(const Inode&) = delete;

  Filesystem& fs() const { return *fs_; }
  const FilesystemRef& fs_ref() const { return fs_; }

  // The full attributes, st_dev being the filesystem's number.
  virtual ErrnoOr<struct stat> Stat() = 0;

  // --- Directories. ENOTDIR by default.
  // The child called `name`; ENOENT if none.
  virtual ErrnoOr<InodeRef> Lookup(std::string_view name) { return Errno(ENOTDIR); }
  // Creates `name` (EEXIST if it exists).
  virtual ErrnoOr<InodeRef> CreateChild(std::string_view name, const CreateRequest& req) {
    return Errno(ENOTDIR);
  }
  // Adds a hard link `name` to `target` (same filesystem, not a directory).
  virtual ErrnoStatus LinkChild(std::string_view name, const InodeRef& target) {
    return Errno(ENOTDIR);
  }
  // Removes `name`; `dir` says rmdir (ENOTDIR/ENOTEMPTY) or unlink (EISDIR).
  virtual ErrnoStatus RemoveChild(std::string_view name, bool dir) { return Errno(ENOTDIR); }
  // Moves `old_name` here to `new_name` in `new_dir` (same filesystem),
  // with renameat2 `flags`. Called with fs().rename_mu held; the VFS has
  // checked permissions, ancestry and mount points.
  virtual ErrnoStatus RenameChild(std::string_view old_name, Inode& new_dir,
                                  std::string_view new_name, unsigned flags) {
    return Errno(ENOTDIR);
  }

  // --- Socket nodes: the socket bound here, or nullptr (none, closed, or
  // not a socket node).
  virtual std::shared_ptr<BoundSocket> bound_socket() { return nullptr; }

  // --- Symlinks. EINVAL if not a symlink.
  virtual ErrnoOr<std::string> Readlink() { return Errno(EINVAL); }

  // --- Attributes.
  // Applies a change the VFS has checked (attr.h) and sets ctime.
  virtual ErrnoStatus SetAttr(const AttrChange& change) { return Errno(EPERM); }
  // Sets the size of a regular file (O_TRUNC, truncate(2)). EINVAL if not one.
  virtual ErrnoStatus Truncate(uint64_t length) { return Errno(EINVAL); }

  // --- Extended attributes (xattr.h). The VFS has checked the name's
  // namespace permissions; EOPNOTSUPP where the filesystem keeps none.
  virtual ErrnoOr<std::string> GetXattr(std::string_view name) { return Errno(EOPNOTSUPP); }
  // `flags`: XATTR_CREATE / XATTR_REPLACE.
  virtual ErrnoStatus SetXattr(std::string_view name, std::string_view value, int flags) {
    return Errno(EOPNOTSUPP);
  }
  virtual ErrnoOr<std::vector<std::string>> ListXattr() { return std::vector<std::string>{}; }
  virtual ErrnoStatus RemoveXattr(std::string_view name) { return Errno(EOPNOTSUPP); }

  // The file's advisory locks (locks.h); created on first use when
  // `create`, else null if there are none yet.
  virtual std::shared_ptr<FileLockContext> LockContext(bool create)
      ABSL_LOCKS_EXCLUDED(lock_ctx_mu_);

  // Opens this inode at `loc` for I/O with open(2) `flags`; the VFS has
  // done the permission checks. Not called for O_PATH.
  virtual ErrnoOr<FileRef> Open(const Location& loc, int flags) = 0;

  // --- inotify (inotify.h). The watches on this inode: guarded by the
  // inotify lock; `inotify_mark_count` (atomic) lets hooks skip the lock.
  std::vector<InotifyMark> inotify_marks;
  std::atomic<int> inotify_mark_count{0};
  // Open tree-backed files of this inode, and whether it lost its last
  // name while some were open (IN_DELETE_SELF waits for the last close).
  // Atomic.
  std::atomic<int> open_files{0};
  std::atomic<bool> delete_pending{false};

 private:
  const FilesystemRef fs_;  // immutable
  absl::Mutex lock_ctx_mu_;
  std::shared_ptr<FileLockContext> lock_ctx_ ABSL_GUARDED_BY(lock_ctx_mu_);
};

// Linux's generic_permission(): may `creds` access a file with attributes
// `st` for `may` (a mask of R_OK, W_OK, X_OK)? EACCES if not.
ErrnoStatus CheckPermission(const Credentials& creds, const struct stat& st, int may);
// May `creds` remove/replace `child_st` from the sticky directory `dir_st`?
// (Linux's check_sticky().) EPERM if not.
ErrnoStatus CheckSticky(const Credentials& creds, const struct stat& dir_st,
                        const struct stat& child_st);
// Is `creds` the owner of `st` or does it hold CAP_FOWNER?
bool IsOwnerOrFowner(const Credentials& creds, const struct stat& st);

}  // namespace sb::fs
