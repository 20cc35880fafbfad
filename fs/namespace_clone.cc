// namespace_clone.cc: copying a mount namespace (Linux's copy_mnt_ns) and
// letting go of one.
#include <functional>

#include "absl/container/flat_hash_map.h"
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

}  // namespace sb::fs
