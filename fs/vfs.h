// vfs.h: the virtual filesystem: mounts, dentries and path walk.
//
// fs/ knows no Task: every call takes an FsContext saying who asks (their
// credentials), from where (root and working directory) and with which
// umask. Path walk is ours: `..`, symlinks (40-link limit, ELOOP) and mount
// crossings are resolved here, never by the host, so a host-backed
// filesystem only ever opens one name at a time beneath a directory it
// already holds.
//
// Lock order (take a lock only while holding locks above it):
//   Filesystem::rename_mu        (one rename at a time per filesystem)
//     Dentry::mu_                (a directory's cached children; one at a
//                                 time: Dentry::Moved takes them in turn)
//       an open file's f_pos mutex (TmpfsRegularFile/TmpfsDirFile::mu_)
//         filesystem-internal locks:
//           TmpfsInode::mu_      (a directory before its children; two
//                                 directories only under rename_mu, in
//                                 address order)
//   Leaves, taken alone: VfsNamespace::mu_ (the mount table, read on each
//   walk step), Dentry::name_mu_ (name and parent), Pipe::mu_
//   (WaitQueue::Notify is called after releasing it).
#pragma once

#include <sys/stat.h>

#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "fs/file.h"
#include "fs/inode.h"
#include "kernel/base/credentials.h"
#include "kernel/base/errno.h"
#include "kernel/base/unique_fd.h"

namespace sb::fs {

struct FsContext {
  const Credentials& creds;
  Location root;  // the caller's root (chroot); `..` stops here
  Location cwd;   // where relative paths start unless a dirfd says otherwise
  mode_t umask = 022;
};

// How a walk treats the final path component.
enum class FollowFinal { kNo, kYes };

class MountNamespace;
using MountNamespaceRef = std::shared_ptr<MountNamespace>;

// Options for filesystems created at set-up.
struct MountOptions {
  bool read_only = false;
  bool nosuid = false, nodev = false, noexec = false;
};

// A mount namespace: a tree of mounts with one root.
class MountNamespace {
 public:
  virtual ~MountNamespace() = default;

  // The namespace's root (what a new task starts with as root and cwd).
  virtual Location Root() const = 0;

  // Walks `path` from `start` (or from ctx.root when `path` is absolute).
  // An empty path is ENOENT. A trailing slash requires a directory.
  virtual ErrnoOr<Location> Lookup(const FsContext& ctx, const Location& start,
                                   std::string_view path, FollowFinal follow) = 0;
  // open(2)/openat(2) semantics for `flags` (O_CREAT, O_EXCL, O_TRUNC,
  // O_DIRECTORY, O_NOFOLLOW, O_PATH, O_APPEND, O_NONBLOCK, ...) and `mode`
  // (the umask is applied here).
  virtual ErrnoOr<FileRef> OpenAt(const FsContext& ctx, const Location& start,
                                  std::string_view path, int flags, mode_t mode) = 0;
  // Opens an already-walked location (execve, /proc fd reopen, fchdir checks).
  virtual ErrnoOr<FileRef> Open(const FsContext& ctx, const Location& loc, int flags) = 0;
  virtual ErrnoOr<struct stat> Stat(const Location& loc) = 0;
  // access(2)/faccessat(2) with `mode` of R_OK|W_OK|X_OK (F_OK = 0) checked
  // against ctx.creds (the caller maps AT_EACCESS to the right creds).
  virtual ErrnoStatus Access(const FsContext& ctx, const Location& loc, int mode) = 0;
  virtual ErrnoStatus MkdirAt(const FsContext& ctx, const Location& start, std::string_view path,
                              mode_t mode) = 0;
  virtual ErrnoStatus UnlinkAt(const FsContext& ctx, const Location& start,
                               std::string_view path) = 0;
  virtual ErrnoStatus RmdirAt(const FsContext& ctx, const Location& start,
                              std::string_view path) = 0;
  // renameat2 flags: RENAME_NOREPLACE, RENAME_EXCHANGE (others EINVAL).
  virtual ErrnoStatus RenameAt(const FsContext& ctx, const Location& old_start,
                               std::string_view old_path, const Location& new_start,
                               std::string_view new_path, unsigned flags) = 0;
  virtual ErrnoStatus SymlinkAt(const FsContext& ctx, std::string_view target,
                                const Location& start, std::string_view path) = 0;
  // linkat: `follow` is AT_SYMLINK_FOLLOW on the old path.
  virtual ErrnoStatus LinkAt(const FsContext& ctx, const Location& old_start,
                             std::string_view old_path, const Location& new_start,
                             std::string_view new_path, FollowFinal follow) = 0;
  // bind(2) of an AF_UNIX socket to a pathname: creates the socket node
  // `path` (permissions `mode` less the umask) leading to `socket`.
  // EADDRINUSE if `path` exists; otherwise mknod's errors (EACCES, ENOENT,
  // ENOTDIR, EROFS, ...).
  virtual ErrnoStatus BindSocketAt(const FsContext& ctx, const Location& start,
                                   std::string_view path, mode_t mode,
                                   std::weak_ptr<BoundSocket> socket) = 0;
  // connect(2)/sendto(2) to a pathname: the socket bound at `path`
  // (symlinks followed). EACCES without write permission on the node;
  // ECONNREFUSED if the node is not a socket or no socket is bound there.
  virtual ErrnoOr<std::shared_ptr<BoundSocket>> FindBoundSocket(const FsContext& ctx,
                                                                const Location& start,
                                                                std::string_view path) = 0;
  // The target of the symlink at `loc`; EINVAL if it is not one.
  virtual ErrnoOr<std::string> Readlink(const Location& loc) = 0;
  // The absolute path of `loc` as seen from `root` (getcwd, /proc/*/cwd).
  // A location outside `root` gets the "(unreachable)" prefix, as Linux.
  virtual ErrnoOr<std::string> PathOf(const Location& root, const Location& loc) = 0;

  // A new namespace with a copy of every mount (CLONE_NEWNS, unshare):
  // the same filesystems at the same places, changed independently from
  // now on. Each location in `relocate` (a task's root and cwd) is moved
  // to the copy's corresponding mount.
  virtual ErrnoOr<MountNamespaceRef> Clone(std::span<Location* const> relocate) = 0;

  // Set-up (not reachable from syscalls yet): mounts a new filesystem at
  // the directory `target` (absolute, walked with root credentials).
  // `type` is "tmpfs" or "devtmpfs" (our minimal /dev); `data` the mount
  // data string ("mode=1777,size=...").
  virtual absl::Status MountFilesystem(std::string_view target, std::string_view type,
                                       std::string_view data, const MountOptions& opts) = 0;
  // Bind-mounts host directory `host_dir` at `target`.
  virtual absl::Status MountHostDirectory(std::string_view target, std::string_view host_dir,
                                          const MountOptions& opts) = 0;
};

// A new mount namespace whose root is the host directory `host_root`,
// opened beneath itself: nothing outside it can be reached. Device nodes in
// host-backed mounts are never opened (EACCES), as with nodev.
absl::StatusOr<MountNamespaceRef> NewHostRootedNamespace(std::string_view host_root,
                                                         const MountOptions& opts);

// pipe(2): {read end, write end}, with `flags` O_NONBLOCK / O_CLOEXEC
// (O_CLOEXEC is the caller's) / O_DIRECT (packet mode).
std::pair<FileRef, FileRef> NewPipe(int flags);

// A file over a host fd handed to the sandbox (stdio). Reads and writes go
// straight to the host fd; Stat reports the host's answer with st_dev
// renumbered. Owns `fd`.
FileRef NewHostFdFile(UniqueFd fd, int flags);

}  // namespace sb::fs
