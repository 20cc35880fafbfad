// namespace_clone.cc: copying a mount namespace (Linux's copy_mnt_ns),
// grafting one into another (rbind) and detaching a tree (umount -l), and
// letting go of a namespace.
#include <functional>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "fs/mount.h"

namespace sb::fs {

VfsNamespace::~VfsNamespace() {
  // Each mount in the table made its mountpoint busy for rmdir; the copy
  // in another namespace keeps its own count.
  absl::MutexLock lock(&mu_);
  for (auto& [key, mount] : mounts_) mount->mountpoint()->mount_count.fetch_sub(1);
}

ErrnoOr<MountNamespaceRef> VfsNamespace::Clone(std::span<Location* const> relocate) {
  absl::flat_hash_map<const Mount*, MountRef> copies;
  std::shared_ptr<VfsNamespace> ns;
  {
    absl::MutexLock lock(&mu_);
    auto copy_root = std::make_shared<Mount>(root_->fs(), root_->root(), nullptr, nullptr,
                                             root_->options(), root_->source());
    copy_root->SetPropagation(root_->propagation());
    copies[root_.get()] = copy_root;
    ns = std::make_shared<VfsNamespace>(copy_root);
    // A mount's copy hangs off its parent's copy, so parents go first.
    std::function<MountRef(const MountRef&)> copy_of = [&](const MountRef& m) -> MountRef {
      auto it = copies.find(m.get());
      if (it != copies.end()) return it->second;
      MountRef parent = copy_of(m->parent());
      auto c = std::make_shared<Mount>(m->fs(), m->root(), parent, m->mountpoint(), m->options(),
                                       m->source());
      c->SetPropagation(m->propagation());
      copies[m.get()] = c;
      return c;
    };
    absl::MutexLock new_lock(&ns->mu_);  // not yet visible to anyone else
    for (const auto& [key, mount] : mounts_) {
      MountRef c = copy_of(mount);
      ns->mounts_[std::make_pair(c->parent().get(), c->mountpoint().get())] = c;
      c->mountpoint()->mount_count.fetch_add(1);
    }
  }
  for (Location* loc : relocate) {
    auto it = copies.find(loc->mount.get());
    if (it != copies.end()) loc->mount = it->second;
  }
  return MountNamespaceRef(ns);
}

absl::Status VfsNamespace::GraftNamespace(std::string_view target, MountNamespace& other) {
  auto* src = dynamic_cast<VfsNamespace*>(&other);
  if (src == nullptr || src == this) {
    return absl::InvalidArgumentError("graft: not another VFS mount namespace");
  }
  Credentials creds = Credentials::Root();
  FsContext ctx{creds, Root(), Root()};
  auto loc = Lookup(ctx, Root(), target, FollowFinal::kYes);
  if (!loc.ok())
    return ErrnoToStatus(loc.error(), absl::StrCat("graft target ", std::string(target)));
  auto st = loc->dentry->inode()->Stat();
  if (!st.ok())
    return ErrnoToStatus(st.error(), absl::StrCat("graft target ", std::string(target)));
  if (!S_ISDIR(st->st_mode)) {
    return ErrnoToStatus(Errno(ENOTDIR), absl::StrCat("graft target ", std::string(target)));
  }
  absl::flat_hash_map<const Mount*, MountRef> copies;
  std::vector<MountRef> added;
  {
    absl::MutexLock lock(&src->mu_);
    auto top = std::make_shared<Mount>(src->root_->fs(), src->root_->root(), loc->mount,
                                       loc->dentry, src->root_->options());
    copies[src->root_.get()] = top;
    added.push_back(top);
    std::function<MountRef(const MountRef&)> copy_of = [&](const MountRef& m) -> MountRef {
      auto it = copies.find(m.get());
      if (it != copies.end()) return it->second;
      MountRef parent = copy_of(m->parent());
      auto c = std::make_shared<Mount>(m->fs(), m->root(), parent, m->mountpoint(), m->options());
      copies[m.get()] = c;
      added.push_back(c);
      return c;
    };
    for (const auto& [key, mount] : src->mounts_) copy_of(mount);
  }
  absl::MutexLock lock(&mu_);
  for (const MountRef& m : added) {
    mounts_[std::make_pair(m->parent().get(), m->mountpoint().get())] = m;
    m->mountpoint()->mount_count.fetch_add(1);
  }
  return absl::OkStatus();
}

absl::Status VfsNamespace::UnmountTree(std::string_view target) {
  Credentials creds = Credentials::Root();
  FsContext ctx{creds, Root(), Root()};
  auto loc = Lookup(ctx, Root(), target, FollowFinal::kYes);
  if (!loc.ok()) return ErrnoToStatus(loc.error(), absl::StrCat("unmount ", std::string(target)));
  const Mount* top = loc->mount.get();
  if (loc->dentry != loc->mount->root() || !loc->mount->parent()) {
    return absl::NotFoundError(
        absl::StrCat("unmount ", std::string(target), ": not a mount point"));
  }
  absl::MutexLock lock(&mu_);
  auto beneath = [top](const MountRef& m) {
    for (const Mount* p = m.get(); p != nullptr; p = p->parent().get()) {
      if (p == top) return true;
    }
    return false;
  };
  for (auto it = mounts_.begin(); it != mounts_.end();) {
    if (beneath(it->second)) {
      it->second->mountpoint()->mount_count.fetch_sub(1);
      mounts_.erase(it++);
    } else {
      ++it;
    }
  }
  return absl::OkStatus();
}

}  // namespace sb::fs
