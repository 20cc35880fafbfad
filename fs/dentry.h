// dentry.h: directory entries, the names of the filesystem tree.
//
// A Dentry names one Inode under one parent (Linux's struct dentry). A
// dentry holds its parent alive; a directory caches its children weakly, so
// an unused dentry goes away with its last user and is rebuilt by the next
// lookup. Mount points and open files hold their dentries, so a dentry that
// matters keeps its identity (mounts are keyed by it). Unlinked dentries
// are marked deleted (getcwd's " (deleted)").
//
// Called by the path walk and the namespace operations (namespace.cc).
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <string_view>

#include <map>
#include "absl/synchronization/mutex.h"
#include "fs/inode.h"

namespace sb::fs {

class Dentry : public std::enable_shared_from_this<Dentry> {
 public:
  // A filesystem's root dentry: no parent, name "/".
  static DentryRef NewRoot(InodeRef inode);
  // A name for a file no directory holds (memfd): under `parent` for path
  // purposes only, marked deleted, never in the parent's cache.
  static DentryRef NewUnlinked(DentryRef parent, std::string name, InodeRef inode);

  Dentry(DentryRef parent, std::string name, InodeRef inode);
  Dentry(const Dentry&) = delete;
  Dentry& operator=(const Dentry&) = delete;

  const InodeRef& inode() const { return inode_; }
  std::string name() const ABSL_LOCKS_EXCLUDED(name_mu_);
  // nullptr for a filesystem root.
  DentryRef parent() const ABSL_LOCKS_EXCLUDED(name_mu_);
  bool deleted() const ABSL_LOCKS_EXCLUDED(name_mu_);
  bool is_root() const { return parent() == nullptr; }

  // The child `name`, from the cache or the filesystem (ENOENT if none).
  ErrnoOr<DentryRef> Child(std::string_view name) ABSL_LOCKS_EXCLUDED(mu_);
  // The child was removed: forget it and mark its dentry deleted.
  void ChildRemoved(std::string_view name) ABSL_LOCKS_EXCLUDED(mu_);
  // Moves the cached child `old_name` of `old_parent` to `new_parent` as
  // `new_name` (a rename done by the filesystem); a cached dentry at the
  // target is marked deleted, or swapped back with `exchange`. Caller
  // holds the filesystem's rename_mu.
  static void Moved(Dentry& old_parent, std::string_view old_name, Dentry& new_parent,
                    std::string_view new_name, bool exchange);

  // Is `this` `d` or one of its ancestors (within one filesystem)?
  bool IsAncestorOf(const Dentry* d) const;

  // Number of mounts on this dentry (in any namespace): EBUSY for rmdir,
  // unlink and rename. Atomic; changed by MountNamespace under its mu_.
  std::atomic<int> mount_count{0};

 private:
  // Detaches the cached child `name` (nullptr if not cached).
  DentryRef TakeChild(std::string_view name) ABSL_LOCKS_EXCLUDED(mu_);
  void PutChild(const std::string& name, const DentryRef& d) ABSL_LOCKS_EXCLUDED(mu_);
  void SetNameAndParent(std::string name, DentryRef parent) ABSL_LOCKS_EXCLUDED(name_mu_);
  void MarkDeleted() ABSL_LOCKS_EXCLUDED(name_mu_);

  const InodeRef inode_;  // immutable
  // Cached children by name. Guarded by mu_ (Linux: d_lock/i_rwsem).
  absl::Mutex mu_;
  std::map<std::string, std::weak_ptr<Dentry>, std::less<>> children_ ABSL_GUARDED_BY(mu_);
  // Name and parent change on rename; a leaf lock.
  mutable absl::Mutex name_mu_;
  std::string name_ ABSL_GUARDED_BY(name_mu_);
  DentryRef parent_ ABSL_GUARDED_BY(name_mu_);
  bool deleted_ ABSL_GUARDED_BY(name_mu_) = false;
};

}  // namespace sb::fs
