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

class Mount {
 public:
  Mount(FilesystemRef fs, DentryRef root, MountRef parent, DentryRef mountpoint, MountOptions opts)
      : id_(NextMountId()),
        fs_(std::move(fs)),
        root_(std::move(root)),
        parent_(std::move(parent)),
        mountpoint_(std::move(mountpoint)),
        opts_(opts) {}

  uint64_t id() const { return id_; }
  const FilesystemRef& fs() const { return fs_; }
  const DentryRef& root() const { return root_; }
  // nullptr for the namespace's root mount.
  const MountRef& parent() const { return parent_; }
  const DentryRef& mountpoint() const { return mountpoint_; }
  const MountOptions& options() const { return opts_; }
  bool read_only() const { return opts_.read_only; }

 private:
  // All immutable: a mount is replaced, never changed (no remount yet).
  const uint64_t id_;
  const FilesystemRef fs_;
  const DentryRef root_;
  const MountRef parent_;
  const DentryRef mountpoint_;
  const MountOptions opts_;
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

  Location Root() const override { return {root_, root_->root()}; }
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

  const MountRef root_;  // immutable
  // The mount table: the mount on top of (parent mount, dentry).
  absl::Mutex mu_;
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
