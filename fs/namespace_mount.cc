// namespace_mount.cc: the mount table changes behind mount(2), umount2(2)
// and pivot_root(2) (Linux's fs/namespace.c: do_new_mount, do_loopback,
// do_reconfigure_mnt, do_change_type, do_move_mount, do_umount,
// pivot_root), with Linux's checks in Linux's order. The syscall layer
// (kernel/syscalls/mount.cc) checks CAP_SYS_ADMIN and walks the paths.
//
// Locking: every change holds mu_ (the table) for its whole check-and-
// change, then Mount::attach_mu_ briefly per mount (Mount::Set*).
// Shared subtrees do not exist here: every mount is private or
// unbindable, so nothing propagates.
#include <sys/mount.h>

#include "fs/mount.h"

namespace sb::fs {
namespace {

ErrnoOr<bool> IsDir(const DentryRef& d) {
  SB_ASSIGN_OR_RETURN(struct stat st, d->inode()->Stat());
  return S_ISDIR(st.st_mode);
}

}  // namespace

bool VfsNamespace::HoldsLocked(const Mount* m) const {
  if (m == root_.get()) return true;
  for (const auto& [key, mount] : mounts_) {
    if (mount.get() == m) return true;
  }
  return false;
}

void VfsNamespace::AttachLocked(const MountRef& m, const Location& target) {
  m->SetAttachment(target.mount, target.dentry);
  mounts_[std::make_pair(target.mount.get(), target.dentry.get())] = m;
  target.dentry->mount_count.fetch_add(1);
}

void VfsNamespace::DetachLocked(const MountRef& m) {
  auto [parent, mountpoint] = m->attachment();
  if (!parent) return;
  auto it = mounts_.find(std::make_pair(parent.get(), mountpoint.get()));
  if (it != mounts_.end() && it->second == m) {
    mounts_.erase(it);
    mountpoint->mount_count.fetch_sub(1);
  }
}

std::vector<MountRef> VfsNamespace::DescendantsLocked(const Mount* m) const {
  std::vector<MountRef> out;
  std::vector<const Mount*> todo{m};
  while (!todo.empty()) {
    const Mount* cur = todo.back();
    todo.pop_back();
    for (const auto& [key, mount] : mounts_) {
      if (key.first == cur) {
        out.push_back(mount);
        todo.push_back(mount.get());
      }
    }
  }
  return out;  // each after its parent
}

Location VfsNamespace::TopOf(Location loc) {
  while (MountRef m = MountedOn(loc)) loc = Location{m, m->root()};
  return loc;
}

ErrnoStatus VfsNamespace::MountAt(const Location& target, InodeRef root, std::string source,
                                  const MountOptions& opts) {
  Location at = TopOf(target);
  // graft_tree(): a directory goes only on a directory.
  SB_ASSIGN_OR_RETURN(bool dir, IsDir(at.dentry));
  SB_ASSIGN_OR_RETURN(struct stat root_st, root->Stat());
  if (S_ISLNK(root_st.st_mode)) return Errno(EINVAL);
  if (dir != S_ISDIR(root_st.st_mode)) return Errno(ENOTDIR);
  if (at.dentry->deleted()) return Errno(ENOENT);
  FilesystemRef fs = root->fs_ref();
  // MS_RDONLY on a new mount makes the new filesystem read-only too (SB_RDONLY).
  if (opts.read_only) fs->read_only.store(true);
  auto mount = std::make_shared<Mount>(std::move(fs), Dentry::NewRoot(std::move(root)), nullptr,
                                       nullptr, opts, std::move(source));
  absl::MutexLock lock(&mu_);
  if (!HoldsLocked(at.mount.get())) return Errno(EINVAL);
  AttachLocked(mount, at);
  return Ok();
}

ErrnoStatus VfsNamespace::BindMount(const Location& source, const Location& target,
                                    bool recursive) {
  Location at = TopOf(target);
  SB_ASSIGN_OR_RETURN(bool src_dir, IsDir(source.dentry));
  SB_ASSIGN_OR_RETURN(bool dst_dir, IsDir(at.dentry));
  absl::MutexLock lock(&mu_);
  // do_loopback(): both ends in this namespace, the source bindable.
  if (!HoldsLocked(at.mount.get()) || !HoldsLocked(source.mount.get())) return Errno(EINVAL);
  if (source.mount->propagation() == Propagation::kUnbindable) return Errno(EINVAL);
  if (src_dir != dst_dir) return Errno(ENOTDIR);
  if (at.dentry->deleted()) return Errno(ENOENT);
  // The new mount keeps the source mount's flags (MS_RDONLY and friends
  // are ignored by a bind: a remount changes them), as Linux's clone_mnt.
  auto top = std::make_shared<Mount>(source.mount->fs(), source.dentry, nullptr, nullptr,
                                     source.mount->options(), source.mount->source());
  // MS_REC: the mounts below the source that lie inside the bound tree
  // come along (unbindable ones are skipped with what is below them).
  std::vector<std::pair<MountRef, MountRef>> copies;  // (original, copy)
  if (recursive) {
    absl::flat_hash_map<const Mount*, MountRef> copy_of{{source.mount.get(), top}};
    for (const MountRef& m : DescendantsLocked(source.mount.get())) {
      auto [parent, mountpoint] = m->attachment();
      auto p = copy_of.find(parent.get());
      if (p == copy_of.end()) continue;  // under a skipped mount
      if (m->propagation() == Propagation::kUnbindable) continue;
      // Only what is reachable from the bound dentry.
      if (parent == source.mount && !source.dentry->IsAncestorOf(mountpoint.get())) continue;
      auto c =
          std::make_shared<Mount>(m->fs(), m->root(), nullptr, nullptr, m->options(), m->source());
      copy_of[m.get()] = c;
      copies.push_back({m, c});
    }
  }
  AttachLocked(top, at);
  for (auto& [orig, copy] : copies) {
    auto [parent, mountpoint] = orig->attachment();
    Location where{parent.get() == source.mount.get() ? top : nullptr, mountpoint};
    if (!where.mount) {
      for (auto& [o, c] : copies) {
        if (o == parent) where.mount = c;
      }
    }
    if (where.mount) AttachLocked(copy, where);
  }
  return Ok();
}

ErrnoStatus VfsNamespace::Remount(const Location& target, const MountOptions& opts, bool keep_atime,
                                  bool superblock) {
  absl::MutexLock lock(&mu_);
  if (!HoldsLocked(target.mount.get())) return Errno(EINVAL);
  if (target.dentry != target.mount->root()) return Errno(EINVAL);
  MountOptions o = opts;
  if (keep_atime) {
    MountOptions cur = target.mount->options();
    o.atime = cur.atime;
    o.nodiratime = cur.nodiratime;
  }
  target.mount->SetOptions(o);
  if (superblock) target.mount->fs()->read_only.store(opts.read_only);
  return Ok();
}

ErrnoStatus VfsNamespace::ChangePropagation(const Location& target, Propagation p, bool recursive) {
  if (target.dentry != target.mount->root()) return Errno(EINVAL);
  absl::MutexLock lock(&mu_);
  if (!HoldsLocked(target.mount.get())) return Errno(EINVAL);
  target.mount->SetPropagation(p);
  if (recursive) {
    for (const MountRef& m : DescendantsLocked(target.mount.get())) m->SetPropagation(p);
  }
  return Ok();
}

ErrnoStatus VfsNamespace::MoveMount(const Location& source, const Location& target) {
  Location at = TopOf(target);
  SB_ASSIGN_OR_RETURN(bool src_dir, IsDir(source.dentry));
  SB_ASSIGN_OR_RETURN(bool dst_dir, IsDir(at.dentry));
  absl::MutexLock lock(&mu_);
  const MountRef& old = source.mount;
  if (!HoldsLocked(at.mount.get()) || !HoldsLocked(old.get())) return Errno(EINVAL);
  if (source.dentry != old->root()) return Errno(EINVAL);
  if (!old->parent()) return Errno(EINVAL);  // the root: not attached anywhere
  if (src_dir != dst_dir) return Errno(ENOTDIR);
  if (at.dentry->deleted()) return Errno(ENOENT);
  // Moving a mount beneath itself.
  for (MountRef p = at.mount; p; p = p->parent()) {
    if (p == old) return Errno(ELOOP);
  }
  DetachLocked(old);
  AttachLocked(old, at);
  return Ok();
}

ErrnoStatus VfsNamespace::Unmount(Location target, int flags, const Location& caller_root) {
  target = TopOf(std::move(target));
  // can_umount(): the root of a mount of this namespace.
  if (target.dentry != target.mount->root()) return Errno(EINVAL);
  MountRef mount = std::move(target.mount);
  target.dentry.reset();
  absl::MutexLock lock(&mu_);
  if (!HoldsLocked(mount.get())) return Errno(EINVAL);
  if (mount == root_) return Errno(EINVAL);  // the namespace's root cannot go
  if (flags & MNT_EXPIRE) {
    if (mount == caller_root.mount || (flags & (MNT_FORCE | MNT_DETACH))) return Errno(EINVAL);
  }
  // In use: anything besides the table's entry and ours holds it (open
  // files, a task's root or cwd, child mounts). Linux's
  // propagate_mount_busy(mnt, 2).
  const long in_use = mount.use_count() - 2;
  if (flags & MNT_EXPIRE) {
    if (in_use > 0) return Errno(EBUSY);
    if (!mount->expiry_mark.exchange(true)) return Errno(EAGAIN);
  }
  if (mount == caller_root.mount && !(flags & MNT_DETACH)) return Errno(EBUSY);
  if (!(flags & MNT_DETACH) && in_use > 0) return Errno(EBUSY);
  // umount_tree(): the mount and everything below it leave the table; a
  // detached mount's users keep it (and its filesystem) until they go.
  std::vector<MountRef> tree = DescendantsLocked(mount.get());
  for (auto it = tree.rbegin(); it != tree.rend(); ++it) DetachLocked(*it);
  DetachLocked(mount);
  mount->SetAttachment(nullptr, nullptr);
  return Ok();
}

ErrnoOr<Location> VfsNamespace::PivotRoot(const FsContext& ctx, const Location& new_root,
                                          const Location& put_old) {
  Location old = TopOf(put_old);  // lock_mount(&old)
  const Location& root = ctx.root;
  absl::MutexLock lock(&mu_);
  const MountRef& new_mnt = new_root.mount;
  const MountRef& root_mnt = root.mount;
  if (!HoldsLocked(root_mnt.get()) || !HoldsLocked(new_mnt.get())) return Errno(EINVAL);
  if (new_root.dentry->deleted()) return Errno(ENOENT);
  if (new_mnt == root_mnt || old.mount == root_mnt) return Errno(EBUSY);
  if (root.dentry != root_mnt->root()) return Errno(EINVAL);  // root not a mount point
  if (new_root.dentry != new_mnt->root()) return Errno(EINVAL);
  if (new_mnt == root_) return Errno(EINVAL);  // new root must be attached somewhere
  // put_old must be at or under new_root, and new_root under the root.
  auto under = [](Location loc, const Location& top) {
    while (true) {
      if (SameLocation(loc, top)) return true;
      if (loc.mount == top.mount) return top.dentry->IsAncestorOf(loc.dentry.get());
      auto [parent, mountpoint] = loc.mount->attachment();
      if (!parent) return false;
      loc = Location{std::move(parent), std::move(mountpoint)};
    }
  };
  if (!under(old, new_root)) return Errno(EINVAL);
  if (!under(new_root, root)) return Errno(EINVAL);
  // The root mount's place: its mountpoint, or (our namespace root has
  // none, where Linux's "/" sits on rootfs) the namespace root itself.
  auto [root_parent, root_mp] = root_mnt->attachment();
  DetachLocked(new_mnt);
  if (root_parent) {
    DetachLocked(root_mnt);
    AttachLocked(root_mnt, old);
    AttachLocked(new_mnt, Location{root_parent, root_mp});
  } else {
    AttachLocked(root_mnt, old);
    new_mnt->SetAttachment(nullptr, nullptr);
    root_ = new_mnt;
  }
  return root;
}

}  // namespace sb::fs
