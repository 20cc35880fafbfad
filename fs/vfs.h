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
//             TmpfsNode::mu_ (a FIFO's pipe) before Pipe::mu_
//   HostInode::lock_ctx_mu_
//     HostFilesystem::mu_        (lock contexts by host identity)
//   Leaves, taken alone: VfsNamespace::mu_ (the mount table, read on each
//   walk step), Dentry::name_mu_ (name and parent), Pipe::mu_,
//   FileLockContext::mu_ and the lock wait graph's mutex (locks.h),
//   Inode::lock_ctx_mu_, FileDescription::held_mu_ (WaitQueue::Notify is
//   called after releasing them).
#pragma once

#include <sys/stat.h>

#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "fs/attr.h"
#include "fs/file.h"
#include "fs/inode.h"
#include "kernel/base/credentials.h"
#include "kernel/base/errno.h"
#include "kernel/base/unique_fd.h"

namespace sb::fs {

// openat2(2)'s RESOLVE_* restrictions on a walk (Linux's LOOKUP_NO_XDEV,
// LOOKUP_NO_MAGICLINKS, LOOKUP_NO_SYMLINKS, LOOKUP_BENEATH). RESOLVE_IN_ROOT
// needs none: the caller makes the starting directory the walk's root.
struct WalkRestrictions {
  bool no_xdev = false;        // EXDEV on any mount crossing
  bool no_magiclinks = false;  // ELOOP on /proc's magic links
  bool no_symlinks = false;    // ELOOP on any symlink to follow
  bool beneath = false;        // EXDEV for absolute paths or `..` above `anchor`
  Location anchor;             // where the walk starts (beneath, no_xdev)
};

struct FsContext {
  const Credentials& creds;
  Location root;  // the caller's root (chroot); `..` stops here
  Location cwd;   // where relative paths start unless a dirfd says otherwise
  mode_t umask = 022;
  // Extra walk rules (openat2); null for every other call.
  const WalkRestrictions* walk_rules = nullptr;
};

// How a walk treats the final path component.
enum class FollowFinal { kNo, kYes };

class Inode;
using InodeRef = std::shared_ptr<Inode>;
class MountNamespace;
using MountNamespaceRef = std::shared_ptr<MountNamespace>;

// How a mount updates access times (Linux's MNT_RELATIME/MNT_NOATIME;
// kStrict is MS_STRICTATIME, shown as neither).
enum class AtimeMode : uint8_t { kRelatime, kNoatime, kStrict };

// Propagation of a mount (Linux's shared subtrees). Only private and
// unbindable exist here: MS_SHARED is refused, and MS_SLAVE of a mount
// with no peers makes it private, as Linux does.
enum class Propagation : uint8_t { kPrivate, kUnbindable };

// The per-mount flags (Linux's mnt_flags), set at mount time and changed
// by MS_REMOUNT.
struct MountOptions {
  bool read_only = false;
  bool nosuid = false, nodev = false, noexec = false;
  AtimeMode atime = AtimeMode::kRelatime;
  bool nodiratime = false;
  bool nosymfollow = false;
};

// One mount as /proc/[pid]/mountinfo describes it.
struct MountInfo {
  uint64_t id = 0, parent_id = 0;  // the namespace's root mount is its own parent
  dev_t dev = 0;
  std::string root;         // the mounted directory within its filesystem ("/")
  std::string mount_point;  // as seen from the root the list was made for
  std::string type;         // the filesystem type ("tmpfs", "proc", ...)
  std::string source;       // what mount(2) was given as its source ("none", a path)
  MountOptions options;
  Propagation propagation = Propagation::kPrivate;
  bool super_read_only = false;  // the filesystem's own flag (mountinfo's super options)
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
  // A file on an internal mount (memfd) is named from that mount's root,
  // as Linux's d_path: "/memfd:NAME (deleted)".
  virtual ErrnoOr<std::string> PathOf(const Location& root, const Location& loc) = 0;

  // A new namespace with a copy of every mount (CLONE_NEWNS, unshare):
  // the same filesystems at the same places, changed independently from
  // now on. Each location in `relocate` (a task's root and cwd) is moved
  // to the copy's corresponding mount.
  virtual ErrnoOr<MountNamespaceRef> Clone(std::span<Location* const> relocate) = 0;

  // --- Attributes (namespace_attr.cc). Each checks EROFS first, then the
  // caller's permission as attr.h describes, then asks the filesystem.
  virtual ErrnoStatus Chmod(const FsContext& ctx, const Location& loc, mode_t mode) = 0;
  // (uid_t)-1 / (gid_t)-1 leave that id unchanged.
  virtual ErrnoStatus Chown(const FsContext& ctx, const Location& loc, uid_t uid, gid_t gid) = 0;
  // utimensat(2); `times` null means "both now". Both UTIME_OMIT is the
  // caller's early return.
  virtual ErrnoStatus Utimens(const FsContext& ctx, const Location& loc,
                              const UtimesRequest* times) = 0;
  // statfs(2) of the filesystem holding `loc`, with the mount's flags.
  virtual ErrnoOr<struct statfs> StatFs(const Location& loc) = 0;
  // mknodat(2): `mode` is a type (S_IFREG or 0, S_IFIFO, S_IFSOCK,
  // S_IFCHR, S_IFBLK; S_IFDIR is EPERM, anything else EINVAL) with
  // permission bits (the umask is applied here); `dev` for device nodes,
  // which need CAP_MKNOD.
  virtual ErrnoStatus MknodAt(const FsContext& ctx, const Location& start, std::string_view path,
                              mode_t mode, dev_t dev) = 0;
  // Extended attributes (xattr.h): namespace checks, then the filesystem.
  virtual ErrnoOr<std::string> GetXattr(const FsContext& ctx, const Location& loc,
                                        std::string_view name) = 0;
  // `flags`: XATTR_CREATE / XATTR_REPLACE.
  virtual ErrnoStatus SetXattr(const FsContext& ctx, const Location& loc, std::string_view name,
                               std::string_view value, int flags) = 0;
  // The names the caller may see (trusted.* only with CAP_SYS_ADMIN).
  virtual ErrnoOr<std::vector<std::string>> ListXattr(const FsContext& ctx,
                                                      const Location& loc) = 0;
  virtual ErrnoStatus RemoveXattr(const FsContext& ctx, const Location& loc,
                                  std::string_view name) = 0;

  // Set-up (not reachable from syscalls yet): mounts a new filesystem at
  // the directory `target` (absolute, walked with root credentials).
  // `type` is "tmpfs" or "devtmpfs" (our minimal /dev); `data` the mount
  // data string ("mode=1777,size=...").
  virtual absl::Status MountFilesystem(std::string_view target, std::string_view type,
                                       std::string_view data, const MountOptions& opts) = 0;
  // Bind-mounts host directory `host_dir` at `target`.
  virtual absl::Status MountHostDirectory(std::string_view target, std::string_view host_dir,
                                          const MountOptions& opts) = 0;
  // Bind-mounts the host file or directory `host_path` (absolute, no
  // symlinks: the caller resolves it) at `target`: a directory over a
  // directory, a regular file over a non-directory, as Linux's bind mount
  // (ENOTDIR/EISDIR-like errors otherwise). Device nodes are never opened.
  virtual absl::Status MountHostPath(std::string_view target, std::string_view host_path,
                                     const MountOptions& opts) = 0;
  // Mounts a filesystem built outside fs/ (procfs: it needs the kernel's
  // tasks) at `target`: `root` is its root inode, which holds the
  // Filesystem.
  virtual absl::Status MountFilesystemRoot(std::string_view target, InodeRef root,
                                           const MountOptions& opts) = 0;
  // Mounts a copy of `other`'s whole mount tree at the directory `target`
  // (as `mount --rbind`): the same filesystems, so files are shared; mounts
  // made later in either namespace are not propagated. (A child container's
  // tree under the root container's /__runsc_containers__/ID.)
  virtual absl::Status GraftNamespace(std::string_view target, MountNamespace& other) = 0;
  // Detaches the mount on the directory `target` and every mount beneath it
  // (as `umount -l`); NotFound if nothing is mounted there.
  virtual absl::Status UnmountTree(std::string_view target) = 0;

  // --- mount(2), umount2(2) and pivot_root(2) inside the sandbox
  // (namespace_mount.cc), Linux's fs/namespace.c. The caller has checked
  // CAP_SYS_ADMIN and walked the paths; each call makes the remaining
  // checks in Linux's order.
  //
  // A new filesystem (its root inode `root`) at `target`, on top of any
  // mount already there. `source` is what mountinfo shows.
  virtual ErrnoStatus MountAt(const Location& target, InodeRef root, std::string source,
                              const MountOptions& opts) = 0;
  // MS_BIND (MS_REC: `recursive`): the tree at `source` also at `target`.
  // EINVAL if `source` is unbindable or outside this namespace; ENOTDIR
  // if one is a directory and the other not.
  virtual ErrnoStatus BindMount(const Location& source, const Location& target, bool recursive) = 0;
  // MS_REMOUNT: replaces the flags of the mount whose root is `target`
  // (EINVAL if it is not a mount's root in this namespace); with
  // `keep_atime` its atime flags stay. With `superblock` (no MS_BIND)
  // the filesystem's read-only flag follows opts.read_only too.
  virtual ErrnoStatus Remount(const Location& target, const MountOptions& opts, bool keep_atime,
                              bool superblock) = 0;
  // MS_PRIVATE/MS_SLAVE/MS_UNBINDABLE (MS_REC: the whole subtree).
  virtual ErrnoStatus ChangePropagation(const Location& target, Propagation p, bool recursive) = 0;
  // MS_MOVE: the mount whose root is `source` moves to `target`. ELOOP
  // when `target` lies beneath it.
  virtual ErrnoStatus MoveMount(const Location& source, const Location& target) = 0;
  // umount2 of the mount on top of `target`, with MNT_FORCE, MNT_DETACH,
  // MNT_EXPIRE. `target` is taken over: the caller keeps no other
  // reference to its mount, so that any reference left means "in use"
  // (EBUSY: open files, a task's root or cwd, child mounts). `caller_root`
  // is the caller's root mount. With MNT_DETACH the subtree leaves the
  // table now and is freed with its last user.
  virtual ErrnoStatus Unmount(Location target, int flags, const Location& caller_root) = 0;
  // pivot_root(2): `ctx.root`'s mount goes to `put_old`, `new_root`'s
  // mount takes its place. Returns the old root location, which the
  // caller replaces by `new_root` in every task's root and cwd (Linux's
  // chroot_fs_refs).
  virtual ErrnoOr<Location> PivotRoot(const FsContext& ctx, const Location& new_root,
                                      const Location& put_old) = 0;
  // The mount on top of `loc` (following stacked mounts), or `loc`.
  virtual Location TopOf(Location loc) = 0;

  // The mounts visible from `root` (a task's root: mounts outside it are
  // left out), the root's first, then in the order they were made
  // (/proc/[pid]/mounts and mountinfo).
  virtual std::vector<MountInfo> Mounts(const Location& root) = 0;
  // The mount ID of `loc`'s mount (/proc/[pid]/fdinfo's mnt_id).
  static uint64_t MountId(const Location& loc);
  // Is `loc` on a noexec mount (Linux's path_noexec())? execve says
  // EACCES, mmap(PROT_EXEC) EPERM.
  static bool NoExec(const Location& loc);
};

// A new mount namespace whose root is the host directory `host_root`,
// opened beneath itself: nothing outside it can be reached. Device nodes in
// host-backed mounts are never opened (EACCES), as with nodev.
absl::StatusOr<MountNamespaceRef> NewHostRootedNamespace(std::string_view host_root,
                                                         const MountOptions& opts);

// pipe(2): {read end, write end}, with `flags` O_NONBLOCK / O_CLOEXEC
// (O_CLOEXEC is the caller's) / O_DIRECT (packet mode).
std::pair<FileRef, FileRef> NewPipe(int flags);

// memfd_create(2): a new anonymous tmpfs file named "memfd:`name`", open
// O_RDWR, owned by `creds`, mode 0777, link count 0. Without `allow_sealing` it is sealed
// with F_SEAL_SEAL; with `noexec` (MFD_NOEXEC_SEAL) it is mode 0666 and
// sealed with F_SEAL_EXEC. Its path reads "/memfd:`name` (deleted)".
ErrnoOr<FileRef> NewMemfd(const Credentials& creds, std::string_view name, bool allow_sealing,
                          bool noexec);

// A file over a host fd handed to the sandbox (stdio). Reads and writes go
// straight to the host fd; Stat reports the host's answer with st_dev
// renumbered. Owns `fd`.
FileRef NewHostFdFile(UniqueFd fd, int flags);

}  // namespace sb::fs
