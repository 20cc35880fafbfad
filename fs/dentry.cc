#include "fs/dentry.h"

namespace sb::fs {

DentryRef Dentry::NewRoot(InodeRef inode) {
  return std::make_shared<Dentry>(nullptr, "/", std::move(inode));
}

DentryRef Dentry::NewUnlinked(DentryRef parent, std::string name, InodeRef inode) {
  auto d = std::make_shared<Dentry>(std::move(parent), std::move(name), std::move(inode));
  d->MarkDeleted();
  return d;
}

Dentry::Dentry(DentryRef parent, std::string name, InodeRef inode)
    : inode_(std::move(inode)), name_(std::move(name)), parent_(std::move(parent)) {}

std::string Dentry::name() const {
  absl::MutexLock lock(&name_mu_);
  return name_;
}

DentryRef Dentry::parent() const {
  absl::MutexLock lock(&name_mu_);
  return parent_;
}

bool Dentry::deleted() const {
  absl::MutexLock lock(&name_mu_);
  return deleted_;
}

void Dentry::SetNameAndParent(std::string name, DentryRef parent) {
  absl::MutexLock lock(&name_mu_);
  name_ = std::move(name);
  parent_ = std::move(parent);
}

void Dentry::MarkDeleted() {
  absl::MutexLock lock(&name_mu_);
  deleted_ = true;
}

ErrnoOr<DentryRef> Dentry::Child(std::string_view name) {
  absl::MutexLock lock(&mu_);
  auto it = children_.find(name);
  if (it != children_.end()) {
    if (DentryRef d = it->second.lock()) return d;
  }
  SB_ASSIGN_OR_RETURN(InodeRef inode, inode_->Lookup(name));
  auto d = std::make_shared<Dentry>(shared_from_this(), std::string(name), std::move(inode));
  children_[std::string(name)] = d;
  return d;
}

DentryRef Dentry::TakeChild(std::string_view name) {
  absl::MutexLock lock(&mu_);
  auto it = children_.find(name);
  if (it == children_.end()) return nullptr;
  DentryRef d = it->second.lock();
  children_.erase(it);
  return d;
}

void Dentry::PutChild(const std::string& name, const DentryRef& d) {
  absl::MutexLock lock(&mu_);
  children_[name] = d;
}

void Dentry::ChildRemoved(std::string_view name) {
  if (DentryRef d = TakeChild(name)) d->MarkDeleted();
}

void Dentry::Moved(Dentry& old_parent, std::string_view old_name, Dentry& new_parent,
                   std::string_view new_name, bool exchange) {
  DentryRef moved = old_parent.TakeChild(old_name);
  DentryRef replaced = new_parent.TakeChild(new_name);
  if (moved) {
    moved->SetNameAndParent(std::string(new_name), new_parent.shared_from_this());
    new_parent.PutChild(std::string(new_name), moved);
  }
  if (replaced) {
    if (exchange) {
      replaced->SetNameAndParent(std::string(old_name), old_parent.shared_from_this());
      old_parent.PutChild(std::string(old_name), replaced);
    } else {
      replaced->MarkDeleted();
    }
  }
}

bool Dentry::IsAncestorOf(const Dentry* d) const {
  DentryRef cur;
  while (d != nullptr) {
    if (d == this) return true;
    cur = d->parent();
    d = cur.get();
  }
  return false;
}

}  // namespace sb::fs
