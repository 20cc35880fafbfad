// overlay.cc: overlay inodes: lookup, create, link, remove, rename,
// attributes and xattrs (Linux's fs/overlayfs/namei.c, dir.c, inode.c).
// Copy-up, listings, directory files and set-up are in overlay_copy_up.cc.
#include <dirent.h>
#include <linux/fs.h>

#include <cstring>

#include "fs/overlay.h"
#include "fs/overlay_inode.h"

namespace sb::fs {
namespace {

bool IsPrivateXattr(std::string_view name) { return name.starts_with(kPrivateXattrPrefix); }

ErrnoOr<mode_t> TypeOf(Inode& inode) {
  SB_ASSIGN_OR_RETURN(struct stat st, inode.Stat());
  return st.st_mode & S_IFMT;
}

bool IsOpaque(Inode& upper_dir) {
  auto v = upper_dir.GetXattr(kOpaqueXattr);
  return v.ok() && *v == "y";
}

}  // namespace

OverlayInode::OverlayInode(FilesystemRef fs, InodeRef lower, InodeRef upper,
                           std::shared_ptr<OverlayInode> parent, std::string name, mode_t type,
                           bool root)
    : Inode(fs),
      mu_(static_cast<OverlayFilesystem&>(*fs).mu),
      lower_(std::move(lower)),
      type_(type),
      root_(root),
      upper_(std::move(upper)),
      parent_(std::move(parent)),
      name_(std::move(name)) {}

ErrnoOr<struct stat> OverlayInode::Stat() {
  InodeRef upper;
  bool unlinked;
  {
    absl::MutexLock lock(&mu_);
    upper = upper_;
    unlinked = unlinked_;
  }
  struct stat st;
  if (upper) {
    SB_ASSIGN_OR_RETURN(st, upper->Stat());
    st.st_ino = OverlayIno(*upper, st);
    // Linux's ovl_getattr: counting a merged directory's subdirectories
    // is not worth it; 1 pacifies find and friends.
    if (S_ISDIR(type_) && lower_) st.st_nlink = 1;
  } else {
    SB_ASSIGN_OR_RETURN(st, lower_->Stat());
    if (unlinked) st.st_nlink = 0;
  }
  st.st_dev = fs().dev();
  return st;
}

ErrnoOr<OverlayInode::Found> OverlayInode::FindLocked(std::string_view name) {
  if (!S_ISDIR(type_)) return Errno(ENOTDIR);
  Found f;
  bool opaque = false;
  if (upper_) {
    auto u = upper_->Lookup(name);
    if (u.ok()) {
      if (IsWhiteout(**u)) {
        f.whiteout = true;
        return f;
      }
      f.upper = *u;
      SB_ASSIGN_OR_RETURN(f.type, TypeOf(*f.upper));
      // A non-directory hides the lower entry; so does an opaque directory.
      if (!S_ISDIR(f.type) || IsOpaque(*f.upper)) return f;
    } else if (u.error().value() != ENOENT) {
      return u.error();
    }
    opaque = IsOpaque(*upper_);
  }
  if (lower_ && !opaque) {
    auto l = lower_->Lookup(name);
    if (l.ok()) {
      SB_ASSIGN_OR_RETURN(mode_t lt, TypeOf(**l));
      if (!f.upper) {
        f.lower = *l;
        f.type = lt;
      } else if (S_ISDIR(lt)) {
        f.lower = *l;  // merged
      }
    } else if (l.error().value() != ENOENT && !f.upper) {
      return l.error();
    }
  }
  return f;
}

std::shared_ptr<OverlayInode> OverlayInode::ChildLocked(std::string_view name, const Found& f) {
  auto it = children_.find(name);
  if (it != children_.end()) {
    if (auto c = it->second.lock()) return c;
  }
  auto self = std::static_pointer_cast<OverlayInode>(shared_from_this());
  auto c = std::make_shared<OverlayInode>(fs_ref(), f.lower, f.upper, self, std::string(name),
                                          f.type, /*root=*/false);
  children_[std::string(name)] = c;
  return c;
}

ErrnoOr<InodeRef> OverlayInode::Lookup(std::string_view name) {
  absl::MutexLock lock(&mu_);
  if (!S_ISDIR(type_)) return Errno(ENOTDIR);
  auto it = children_.find(name);
  if (it != children_.end()) {
    if (auto c = it->second.lock()) return InodeRef(c);
  }
  SB_ASSIGN_OR_RETURN(Found f, FindLocked(name));
  if (!f.upper && !f.lower) return Errno(ENOENT);
  return InodeRef(ChildLocked(name, f));
}

ErrnoStatus OverlayInode::PrepareCreateLocked(Inode& upper_dir, std::string_view name,
                                              bool* had_whiteout) {
  SB_ASSIGN_OR_RETURN(Found f, FindLocked(name));
  if (f.upper || f.lower) return Errno(EEXIST);
  *had_whiteout = f.whiteout;
  if (f.whiteout) SB_TRY(upper_dir.RemoveChild(name, /*dir=*/false));
  return Ok();
}

ErrnoOr<InodeRef> OverlayInode::CreateChild(std::string_view name, const CreateRequest& req) {
  absl::MutexLock lock(&mu_);
  if (!S_ISDIR(type_)) return Errno(ENOTDIR);
  if (unlinked_) return Errno(ENOENT);
  SB_ASSIGN_OR_RETURN(InodeRef upper_dir, CopyUpLocked());
  bool had_whiteout = false;
  SB_TRY(PrepareCreateLocked(*upper_dir, name, &had_whiteout));
  auto created = upper_dir->CreateChild(name, req);
  if (!created.ok()) {
    if (had_whiteout) (void)WhiteoutLocked(name);
    return created.error();
  }
  // A directory made where the lower has one hides it (Linux: opaque).
  if (S_ISDIR(req.mode) && had_whiteout) {
    SB_TRY((*created)->SetXattr(kOpaqueXattr, "y", 0));
  }
  DetachChildLocked(name);
  Found f;
  f.upper = *created;
  f.type = req.mode & S_IFMT;
  return InodeRef(ChildLocked(name, f));
}

ErrnoStatus OverlayInode::LinkChild(std::string_view name, const InodeRef& target) {
  auto t = std::dynamic_pointer_cast<OverlayInode>(target);
  if (!t || &t->fs() != &fs()) return Errno(EXDEV);
  absl::MutexLock lock(&mu_);
  t->AssertLocked();
  if (!S_ISDIR(type_)) return Errno(ENOTDIR);
  if (unlinked_) return Errno(ENOENT);
  SB_ASSIGN_OR_RETURN(InodeRef upper_dir, CopyUpLocked());
  SB_ASSIGN_OR_RETURN(InodeRef upper_target, t->CopyUpLocked());
  bool had_whiteout = false;
  SB_TRY(PrepareCreateLocked(*upper_dir, name, &had_whiteout));
  if (auto s = upper_dir->LinkChild(name, upper_target); !s.ok()) {
    if (had_whiteout) (void)WhiteoutLocked(name);
    return s;
  }
  DetachChildLocked(name);
  return Ok();
}

ErrnoStatus OverlayInode::WhiteoutLocked(std::string_view name) {
  SB_ASSIGN_OR_RETURN(InodeRef upper_dir, CopyUpLocked());
  CreateRequest wh{S_IFCHR, 0, 0};
  SB_TRY(upper_dir->CreateChild(name, wh));
  return Ok();
}

void OverlayInode::DetachChildLocked(std::string_view name) {
  auto it = children_.find(name);
  if (it == children_.end()) return;
  if (auto c = it->second.lock()) {
    c->AssertLocked();
    c->parent_ = nullptr;
    c->unlinked_ = true;
  }
  children_.erase(it);
}

ErrnoStatus OverlayInode::ClearWhiteouts(Inode& upper_dir) {
  SB_ASSIGN_OR_RETURN(std::vector<OverlayDirEntry> entries, ReadLayerDir(upper_dir));
  for (const OverlayDirEntry& e : entries) {
    if (e.type != DT_CHR) continue;
    auto c = upper_dir.Lookup(e.name);
    if (c.ok() && IsWhiteout(**c)) SB_TRY(upper_dir.RemoveChild(e.name, /*dir=*/false));
  }
  return Ok();
}

ErrnoStatus OverlayInode::RemoveChild(std::string_view name, bool dir) {
  absl::MutexLock lock(&mu_);
  if (!S_ISDIR(type_)) return Errno(ENOTDIR);
  SB_ASSIGN_OR_RETURN(Found f, FindLocked(name));
  if (!f.upper && !f.lower) return Errno(ENOENT);
  const bool is_dir = S_ISDIR(f.type);
  if (dir && !is_dir) return Errno(ENOTDIR);
  if (!dir && is_dir) return Errno(EISDIR);
  if (is_dir) {
    std::shared_ptr<OverlayInode> child = ChildLocked(name, f);
    child->AssertLocked();
    SB_ASSIGN_OR_RETURN(bool empty, child->EmptyLocked());
    if (!empty) return Errno(ENOTEMPTY);
  }
  SB_ASSIGN_OR_RETURN(InodeRef upper_dir, CopyUpLocked());
  // Does the lower hold this name (so that a whiteout must hide it)?
  bool lower_has = f.lower != nullptr;
  if (!lower_has && f.upper && lower_ && !IsOpaque(*upper_dir)) {
    lower_has = lower_->Lookup(name).ok();
  }
  if (f.upper) {
    if (is_dir) SB_TRY(ClearWhiteouts(*f.upper));
    SB_TRY(upper_dir->RemoveChild(name, is_dir));
  }
  if (lower_has) SB_TRY(WhiteoutLocked(name));
  DetachChildLocked(name);
  return Ok();
}

// Linux's ovl_rename() without redirect_dir: a directory that has a lower
// part cannot move (EXDEV); everything else is copied up and renamed in the
// upper, leaving a whiteout where a lower entry would show through.
ErrnoStatus OverlayInode::RenameChild(std::string_view old_name, Inode& new_dir_inode,
                                      std::string_view new_name, unsigned flags) {
  auto* nd = dynamic_cast<OverlayInode*>(&new_dir_inode);
  if (nd == nullptr || &nd->fs() != &fs()) return Errno(EXDEV);
  const bool exchange = flags & RENAME_EXCHANGE;
  absl::MutexLock lock(&mu_);
  nd->AssertLocked();
  SB_ASSIGN_OR_RETURN(Found src, FindLocked(old_name));
  if (!src.upper && !src.lower) return Errno(ENOENT);
  SB_ASSIGN_OR_RETURN(Found tgt, nd->FindLocked(new_name));
  const bool tgt_exists = tgt.upper || tgt.lower;
  if (exchange && !tgt_exists) return Errno(ENOENT);
  const bool src_dir = S_ISDIR(src.type), tgt_dir = tgt_exists && S_ISDIR(tgt.type);
  if (!exchange && tgt_exists) {
    if (src_dir && !tgt_dir) return Errno(ENOTDIR);
    if (!src_dir && tgt_dir) return Errno(EISDIR);
  }
  // ovl_can_move(): a directory with a lower part needs redirect_dir.
  if (src_dir && src.lower) return Errno(EXDEV);
  if (exchange && tgt_dir && tgt.lower) return Errno(EXDEV);
  std::shared_ptr<OverlayInode> tgt_child;
  if (tgt_exists) {
    tgt_child = nd->ChildLocked(new_name, tgt);
    tgt_child->AssertLocked();
    if (!exchange && tgt_dir) {
      SB_ASSIGN_OR_RETURN(bool empty, tgt_child->EmptyLocked());
      if (!empty) return Errno(ENOTEMPTY);
    }
  }
  std::shared_ptr<OverlayInode> src_child = ChildLocked(old_name, src);
  src_child->AssertLocked();
  SB_ASSIGN_OR_RETURN(InodeRef src_upper, src_child->CopyUpLocked());
  InodeRef tgt_upper;
  if (exchange) {
    tgt_child->AssertLocked();
    SB_ASSIGN_OR_RETURN(tgt_upper, tgt_child->CopyUpLocked());
  }
  SB_ASSIGN_OR_RETURN(InodeRef old_upper_dir, CopyUpLocked());
  SB_ASSIGN_OR_RETURN(InodeRef new_upper_dir, nd->CopyUpLocked());
  // Whether a lower entry would show at each name once the upper moves.
  auto lower_at = [](OverlayInode& d, std::string_view n) ABSL_NO_THREAD_SAFETY_ANALYSIS {
    return d.lower_ && !IsOpaque(*d.upper_) && d.lower_->Lookup(n).ok();
  };
  const bool lower_at_old = lower_at(*this, old_name);
  const bool lower_at_new = lower_at(*nd, new_name);
  if (!exchange) {
    if (tgt.whiteout) SB_TRY(new_upper_dir->RemoveChild(new_name, /*dir=*/false));
    if (tgt.upper && tgt_dir) SB_TRY(ClearWhiteouts(*tgt.upper));
  }
  auto moved = old_upper_dir->RenameChild(old_name, *new_upper_dir, new_name,
                                          flags & (RENAME_NOREPLACE | RENAME_EXCHANGE));
  if (!moved.ok()) {
    if (tgt.whiteout) (void)nd->WhiteoutLocked(new_name);
    return moved;
  }
  // A pure-upper directory now standing where the lower has an entry must
  // hide it.
  if (src_dir && lower_at_new) SB_TRY(src_upper->SetXattr(kOpaqueXattr, "y", 0));
  if (exchange && tgt_dir && lower_at_old) SB_TRY(tgt_upper->SetXattr(kOpaqueXattr, "y", 0));
  if (!exchange && lower_at_old) SB_TRY(WhiteoutLocked(old_name));

  // The caches follow the names.
  children_.erase(std::string(old_name));
  if (exchange) {
    nd->children_.erase(std::string(new_name));
    tgt_child->AssertLocked();
    tgt_child->parent_ = std::static_pointer_cast<OverlayInode>(shared_from_this());
    tgt_child->name_ = std::string(old_name);
    children_[std::string(old_name)] = tgt_child;
  } else {
    nd->DetachChildLocked(new_name);
  }
  src_child->parent_ = std::static_pointer_cast<OverlayInode>(nd->shared_from_this());
  src_child->name_ = std::string(new_name);
  nd->children_[std::string(new_name)] = src_child;
  return Ok();
}

std::shared_ptr<BoundSocket> OverlayInode::bound_socket() {
  absl::MutexLock lock(&mu_);
  return upper_ ? upper_->bound_socket() : lower_->bound_socket();
}

ErrnoOr<std::string> OverlayInode::Readlink() {
  absl::MutexLock lock(&mu_);
  return upper_ ? upper_->Readlink() : lower_->Readlink();
}

ErrnoStatus OverlayInode::SetAttr(const AttrChange& change) {
  absl::MutexLock lock(&mu_);
  SB_ASSIGN_OR_RETURN(InodeRef upper, CopyUpLocked());
  return upper->SetAttr(change);
}

ErrnoStatus OverlayInode::Truncate(uint64_t length) {
  if (S_ISDIR(type_)) return Errno(EISDIR);
  if (!S_ISREG(type_)) return Errno(EINVAL);
  absl::MutexLock lock(&mu_);
  SB_ASSIGN_OR_RETURN(InodeRef upper, CopyUpLocked(/*copy_data=*/length != 0));
  return upper->Truncate(length);
}

ErrnoOr<std::string> OverlayInode::GetXattr(std::string_view name) {
  if (IsPrivateXattr(name)) return Errno(EOPNOTSUPP);
  absl::MutexLock lock(&mu_);
  return upper_ ? upper_->GetXattr(name) : lower_->GetXattr(name);
}

ErrnoStatus OverlayInode::SetXattr(std::string_view name, std::string_view value, int flags) {
  if (IsPrivateXattr(name)) return Errno(EOPNOTSUPP);
  absl::MutexLock lock(&mu_);
  SB_ASSIGN_OR_RETURN(InodeRef upper, CopyUpLocked());
  return upper->SetXattr(name, value, flags);
}

ErrnoOr<std::vector<std::string>> OverlayInode::ListXattr() {
  absl::MutexLock lock(&mu_);
  if (!upper_) return lower_->ListXattr();
  SB_ASSIGN_OR_RETURN(std::vector<std::string> names, upper_->ListXattr());
  std::erase_if(names, [](const std::string& n) { return IsPrivateXattr(n); });
  return names;
}

ErrnoStatus OverlayInode::RemoveXattr(std::string_view name) {
  if (IsPrivateXattr(name)) return Errno(EOPNOTSUPP);
  absl::MutexLock lock(&mu_);
  // Linux's ovl_xattr_set(): nothing to remove, nothing copied up.
  if (!upper_) {
    if (auto v = lower_->GetXattr(name); !v.ok()) return v.error();
  }
  SB_ASSIGN_OR_RETURN(InodeRef upper, CopyUpLocked());
  return upper->RemoveXattr(name);
}

}  // namespace sb::fs
