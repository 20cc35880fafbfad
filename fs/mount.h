// mount.h: mounts and the mount namespace implementation.
//
// A Mount attaches one filesystem's root dentry at a mountpoint location
// of a parent mount (Linux's struct mount). A VfsNamespace is the mount
// table of one namespace plus every namespace operation: the path walk
// (path_walk.cc), open and the directory operations (namespace.cc,
// namespace_ops.cc) and set-up mounts. Created by NewHostRootedNamespace;
// called by the kernel's syscall layer through MountNamespace (vfs.h).
#pragma once

#include <string>
#include <string_view>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "fs/dentry.h"
#include "fs/vfs.h"

namespace sb::fs {

// A new mount ID (Linux's mnt_id), unique for the daemon's life.
uint64_t NextMountId();

// One mount (Linux's struct mount). The filesystem, its root dentry and
// the source name are immutable. Where it is attached (parent mount and
// mountpoint), its flags and its propagation change under mount(2)
// (MS_MOVE, MS_REMOUNT, MS_PRIVATE...), umount2 and pivot_root: they are
// guarded by attach_mu_, a leaf lock taken after VfsNamespace::mu_, so
// that a walk reading them never sees half a change. Writers of the
// attachment also hold the namespace's mu_, whose table they change with it.
class Mount {
 public:
  Mount(FilesystemRef fs, DentryRef root, MountRef parent, DentryRef mountpoint, MountOptions opts,
        std::string source = "")
      : id_(NextMountId()),
        fs_(std::move(fs)),
        root_(std::move(root)),
        source_(source.empty() ? fs_->type() : std::move(source)),
        parent_(std::move(parent)),
        mountpoint_(std::move(mountpoint)),
        opts_(opts) {}

  uint64_t id() const { return id_; }
  const FilesystemRef& fs() const { return fs_; }
  const DentryRef& root() const { return root_; }
  const std::string& source() const { return source_; }
  // nullptr for the namespace's root mount and for detached mounts.
  MountRef parent() const ABSL_LOCKS_EXCLUDED(attach_mu_) {
    absl::MutexLock lock(&attach_mu_);
    return parent_;
  }
  DentryRef mountpoint() const ABSL_LOCKS_EXCLUDED(attach_mu_) {
    absl::MutexLock lock(&attach_mu_);
    return mountpoint_;
  }
  // Parent and mountpoint read together (a walk's `..`).
  std::pair<MountRef, DentryRef> attachment() const ABSL_LOCKS_EXCLUDED(attach_mu_) {
    absl::MutexLock lock(&attach_mu_);
    return {parent_, mountpoint_};
  }
  MountOptions options() const ABSL_LOCKS_EXCLUDED(attach_mu_) {
    absl::MutexLock lock(&attach_mu_);
    return opts_;
  }
  // Writes are refused: this mount or its filesystem is read-only
  // (Linux's __mnt_is_readonly).
  bool read_only() const ABSL_LOCKS_EXCLUDED(attach_mu_) {
    if (fs_->read_only.load(std::memory_order_relaxed)) return true;
    absl::MutexLock lock(&attach_mu_);
    return opts_.read_only;
  }
  Propagation propagation() const ABSL_LOCKS_EXCLUDED(attach_mu_) {
    absl::MutexLock lock(&attach_mu_);
    return propagation_;
  }

  // --- Changes, by the namespace that holds this mount (under its mu_).
  void SetAttachment(MountRef parent, DentryRef mountpoint) ABSL_LOCKS_EXCLUDED(attach_mu_) {
    absl::MutexLock lock(&attach_mu_);
    parent_ = std::move(parent);
    mountpoint_ = std::move(mountpoint);
  }
  void SetOptions(const MountOptions& o) ABSL_LOCKS_EXCLUDED(attach_mu_) {
    absl::MutexLock lock(&attach_mu_);
    opts_ = o;
  }
  void SetPropagation(Propagation p) ABSL_LOCKS_EXCLUDED(attach_mu_) {
    absl::MutexLock lock(&attach_mu_);
    propagation_ = p;
  }
  // umount2(MNT_EXPIRE)'s mark (Linux's mnt_expiry_mark): set by the first
  // request. Approximation: Linux also clears it when the mount is used
  // in between; here only a use still holding it (EBUSY) stops the second.
  std::atomic<bool> expiry_mark{false};

 private:
  const uint64_t id_;         // immutable
  const FilesystemRef fs_;    // immutable
  const DentryRef root_;      // immutable: a bind mount's root is any dentry
  const std::string source_;  // immutable
  mutable absl::Mutex attach_mu_;
  MountRef parent_ ABSL_GUARDED_BY(attach_mu_);
  DentryRef mountpoint_ ABSL_GUARDED_BY(attach_mu_);
  MountOptions opts_ ABSL_GUARDED_BY(attach_mu_);
  Propagation propagation_ ABSL_GUARDED_BY(attach_mu_) = Propagation::kPrivate;
};

inline bool SameLocation(const Location& a, const Location& b) {
  return a.mount == b.mount && a.dentry == b.dentry;
}

// The result of walking all but the last component of a path.
struct ParentWalk {
  Location dir;
  std::string last;  // "" for "/", or "." / ".."
  bool trailing_slash = false;
  bool last_is_dot() const { return last.empty() || last == "." || last == ".."; }
};

class VfsNamespace : public MountNamespace {
 public:
  explicit VfsNamespace(MountRef root) : root_(std::move(root)) {}
  ~VfsNamespace() override;

  Location Root() const override ABSL_LOCKS_EXCLUDED(mu_) {
    MountRef r = RootMount();
    return {r, r->root()};
  }
  // The namespace's root mount (pivot_root replaces it).
  MountRef RootMount() const ABSL_LOCKS_EXCLUDED(mu_) {
    absl::ReaderMutexLock lock(&mu_);
    return root_;
  }
  ErrnoOr<Location> Lookup(const FsContext& ctx, const Location& start, std::string_view path,
                           FollowFinal follow) override;
  ErrnoOr<FileRef> OpenAt(const FsContext& ctx, const Location& start, std::string_view path,
                          int flags, mode_t mode) override;
  ErrnoOr<FileRef> Open(const FsContext& ctx, const Location& loc, int flags) override;
  ErrnoOr<struct stat> Stat(const Location& loc) override;
  ErrnoStatus Access(const FsContext& ctx, const Location& loc, int mode) override;
  ErrnoStatus MkdirAt(const FsContext& ctx, const Location& start, std::string_view path,
                      mode_t mode) override;
  ErrnoStatus UnlinkAt(const FsContext& ctx, const Location& start, std::string_view path) override;
  ErrnoStatus RmdirAt(const FsContext& ctx, const Location& start, std::string_view path) override;
  ErrnoStatus RenameAt(const FsContext& ctx, const Location& old_start, std::string_view old_path,
                       const Location& new_start, std::string_view new_path,
                       unsigned flags) override;
  ErrnoStatus SymlinkAt(const FsContext& ctx, std::string_view target, const Location& start,
                        std::string_view path) override;
  ErrnoStatus LinkAt(const FsContext& ctx, const Location& old_start, std::string_view old_path,
                     const Location& new_start, std::string_view new_path,
                     FollowFinal follow) override;
  ErrnoStatus BindSocketAt(const FsContext& ctx, const Location& start, std::string_view path,
                           mode_t mode, std::weak_ptr<BoundSocket> socket) override;
  ErrnoOr<std::shared_ptr<BoundSocket>> FindBoundSocket(const FsContext& ctx, const Location& start,
                                                        std::string_view path) override;
  ErrnoOr<std::string> Readlink(const Location& loc) override;
  ErrnoOr<std::string> PathOf(const Location& root, const Location& loc) override;
  ErrnoStatus Chmod(const FsContext& ctx, const Location& loc, mode_t mode) override;
  ErrnoStatus Chown(const FsContext& ctx, const Location& loc, uid_t uid, gid_t gid) override;
  ErrnoStatus Utimens(const FsContext& ctx, const Location& loc,
                      const UtimesRequest* times) override;
  ErrnoOr<struct statfs> StatFs(const Location& loc) override;
  ErrnoStatus MknodAt(const FsContext& ctx, const Location& start, std::string_view path,
                      mode_t mode, dev_t dev) override;
  ErrnoOr<std::string> GetXattr(const FsContext& ctx, const Location& loc,
                                std::string_view name) override;
  ErrnoStatus SetXattr(const FsContext& ctx, const Location& loc, std::string_view name,
                       std::string_view value, int flags) override;
  ErrnoOr<std::vector<std::string>> ListXattr(const FsContext& ctx, const Location& loc) override;
  ErrnoStatus RemoveXattr(const FsContext& ctx, const Location& loc,
                          std::string_view name) override;
  absl::Status MountFilesystem(std::string_view target, std::string_view type,
                               std::string_view data, const MountOptions& opts) override;
  absl::Status MountHostDirectory(std::string_view target, std::string_view host_dir,
                                  const MountOptions& opts) override;
  absl::Status MountHostPath(std::string_view target, std::string_view host_path,
                             const MountOptions& opts) override ABSL_LOCKS_EXCLUDED(mu_);
  absl::Status MountFilesystemRoot(std::string_view target, InodeRef root,
                                   const MountOptions& opts) override;
  std::vector<MountInfo> Mounts(const Location& root) override ABSL_LOCKS_EXCLUDED(mu_);
  ErrnoStatus MountAt(const Location& target, InodeRef root, std::string source,
                      const MountOptions& opts) override ABSL_LOCKS_EXCLUDED(mu_);
  ErrnoStatus BindMount(const Location& source, const Location& target, bool recursive) override
      ABSL_LOCKS_EXCLUDED(mu_);
  ErrnoStatus Remount(const Location& target, const MountOptions& opts, bool keep_atime,
                      bool superblock) override ABSL_LOCKS_EXCLUDED(mu_);
  ErrnoStatus ChangePropagation(const Location& target, Propagation p, bool recursive) override
      ABSL_LOCKS_EXCLUDED(mu_);
  ErrnoStatus MoveMount(const Location& source, const Location& target) override
      ABSL_LOCKS_EXCLUDED(mu_);
  ErrnoStatus Unmount(Location target, int flags, const Location& caller_root) override
      ABSL_LOCKS_EXCLUDED(mu_);
  ErrnoOr<Location> PivotRoot(const FsContext& ctx, const Location& new_root,
                              const Location& put_old) override ABSL_LOCKS_EXCLUDED(mu_);
  Location TopOf(Location loc) override ABSL_LOCKS_EXCLUDED(mu_);
  ErrnoOr<MountNamespaceRef> Clone(std::span<Location* const> relocate) override;
  absl::Status GraftNamespace(std::string_view target, MountNamespace& other) override
      ABSL_LOCKS_EXCLUDED(mu_);
  absl::Status UnmountTree(std::string_view target) override ABSL_LOCKS_EXCLUDED(mu_);

  // --- Path walk (path_walk.cc).
  // Walks every component but the last. The directory is searchable.
  ErrnoOr<ParentWalk> WalkParent(const FsContext& ctx, const Location& start,
                                 std::string_view path);
  // One step from directory `dir` to child `name` (not "." or ".."),
  // entering mounts on the child; no symlink following.
  ErrnoOr<Location> Step(const Location& dir, std::string_view name);
  // `..` from `loc` as seen from ctx.root.
  Location Parent(const FsContext& ctx, Location loc);

 private:
  // Walks `path` from `start`; `links` counts symlinks followed so far.
  ErrnoOr<Location> Walk(const FsContext& ctx, const Location& start, std::string_view path,
                         FollowFinal follow, int* links);
  ErrnoOr<Location> WalkParentInternal(const FsContext& ctx, const Location& start,
                                       std::string_view path, ParentWalk* out, int* links);
  // open(O_CREAT) of `path`; `links` counts final symlinks followed.
  ErrnoOr<FileRef> OpenCreate(const FsContext& ctx, const Location& start, std::string_view path,
                              int flags, mode_t mode, int* links);
  // The mount on top of `loc`, if any.
  MountRef MountedOn(const Location& loc) ABSL_LOCKS_EXCLUDED(mu_);
  absl::Status AddMount(std::string_view target, FilesystemRef fs, DentryRef root,
                        const MountOptions& opts) ABSL_LOCKS_EXCLUDED(mu_);
  // The shared part of unlink and rmdir.
  ErrnoStatus Remove(const FsContext& ctx, const Location& start, std::string_view path, bool dir);
  // Creates `last` in `pw.dir` after the checks every creating call makes
  // (device nodes also need CAP_MKNOD).
  ErrnoOr<InodeRef> CreateIn(const FsContext& ctx, const ParentWalk& pw, CreateRequest req);

  // Is `m` attached in this namespace (its root mount or in the table)?
  bool HoldsLocked(const Mount* m) const ABSL_SHARED_LOCKS_REQUIRED(mu_);
  // Adds `m` on top of `target` (already the top of its stack).
  void AttachLocked(const MountRef& m, const Location& target) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Removes `m` from the table (not its children).
  void DetachLocked(const MountRef& m) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // The mounts attached below `m` in the table (children first found,
  // then their children), not `m` itself.
  std::vector<MountRef> DescendantsLocked(const Mount* m) const ABSL_SHARED_LOCKS_REQUIRED(mu_);

  // The mount table: the mount on top of (parent mount, dentry), plus the
  // root mount (replaced by pivot_root). mu_ is taken before any
  // Mount::attach_mu_.
  mutable absl::Mutex mu_;
  MountRef root_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::pair<const Mount*, const Dentry*>, MountRef> mounts_
      ABSL_GUARDED_BY(mu_);
};

// openat2's RESOLVE_* checks (path_walk.cc): may the walk follow the
// symlink at `link` (ELOOP if not), may it restart at the root for an
// absolute path (EXDEV if not)?
ErrnoStatus CheckFollowAllowed(const FsContext& ctx, const Location& link);
ErrnoStatus CheckAbsoluteAllowed(const FsContext& ctx);

// Errors for writes to a read-only mount.
inline ErrnoStatus CheckWritableMount(const Location& loc) {
  if (loc.mount->read_only()) return Errno(EROFS);
  return Ok();
}

}  // namespace sb::fs
