// overlay_copy_up.cc: overlay copy-up (Linux's fs/overlayfs/copy_up.c),
// merged directory listings and directory files (readdir.c), opening
// files, statfs, and the set-up (NewOverlay, NewOverlayRootedNamespace).
#include <dirent.h>

#include <cstring>
#include <optional>
#include <set>

#include "absl/strings/str_cat.h"
#include "fs/host_fs.h"
#include "fs/mount.h"
#include "fs/overlay.h"
#include "fs/overlay_inode.h"
#include "fs/tmpfs.h"
#include "fs/vfs_file.h"

namespace sb::fs {

Location LayerLocation(const InodeRef& inode) { return Location{nullptr, Dentry::NewRoot(inode)}; }

bool IsWhiteout(Inode& inode) {
  auto st = inode.Stat();
  return st.ok() && S_ISCHR(st->st_mode) && st->st_rdev == 0;
}

uint64_t OverlayIno(Inode& upper, const struct stat& upper_st) {
  auto origin = upper.GetXattr(kOriginXattr);
  if (origin.ok() && origin->size() == sizeof(uint64_t)) {
    uint64_t ino;
    std::memcpy(&ino, origin->data(), sizeof(ino));
    return ino;
  }
  return static_cast<uint64_t>(upper_st.st_ino) | kUpperOnlyInoBit;
}

ErrnoOr<std::vector<OverlayDirEntry>> ReadLayerDir(Inode& dir) {
  SB_ASSIGN_OR_RETURN(FileRef f,
                      dir.Open(LayerLocation(dir.shared_from_this()), O_RDONLY | O_DIRECTORY));
  std::vector<OverlayDirEntry> out;
  std::vector<uint8_t> buf(32768);
  while (true) {
    SB_ASSIGN_OR_RETURN(size_t n, f->GetDents64(std::span<uint8_t>(buf)));
    if (n == 0) break;
    for (size_t pos = 0; pos + 19 < n;) {
      uint64_t ino;
      uint16_t reclen;
      std::memcpy(&ino, buf.data() + pos, 8);
      std::memcpy(&reclen, buf.data() + pos + 16, 2);
      if (reclen == 0) break;
      std::string name(reinterpret_cast<const char*>(buf.data() + pos + 19));
      if (name != "." && name != "..") out.push_back({std::move(name), ino, buf[pos + 18]});
      pos += reclen;
    }
  }
  return out;
}

ErrnoOr<struct statfs> OverlayFilesystem::StatFs() {
  SB_ASSIGN_OR_RETURN(struct statfs sfs, upper_fs_->StatFs());
  sfs.f_type = static_cast<__fsword_t>(kOverlayMagic);
  return sfs;
}

namespace {

// Copies a regular file's bytes from `from` to `to` (Linux's ovl_copy_up_data).
ErrnoStatus CopyData(const InodeRef& from, const InodeRef& to) {
  SB_ASSIGN_OR_RETURN(FileRef src, from->Open(LayerLocation(from), O_RDONLY));
  SB_ASSIGN_OR_RETURN(FileRef dst, to->Open(LayerLocation(to), O_WRONLY));
  std::vector<char> buf(1 << 20);
  int64_t off = 0;
  while (true) {
    struct iovec iov = {buf.data(), buf.size()};
    SB_ASSIGN_OR_RETURN(size_t n, src->Read(HostIoVecs(&iov, 1), off));
    if (n == 0) return Ok();
    for (size_t done = 0; done < n;) {
      struct iovec w = {buf.data() + done, n - done};
      SB_ASSIGN_OR_RETURN(size_t m, dst->Write(HostIoVecs(&w, 1), off + done));
      if (m == 0) return Errno(EIO);
      done += m;
    }
    off += static_cast<int64_t>(n);
  }
}

}  // namespace

// Linux's ovl_copy_up_one(): the parent first, then the file with its
// data, xattrs, origin, owner, mode and times; the parent's times are put
// back. An unlinked file (still open) is copied up under a temporary name
// in the upper root and unlinked there at once (Linux uses its workdir).
ErrnoOr<InodeRef> OverlayInode::CopyUpLocked(bool copy_data) {
  if (upper_) return upper_;
  InodeRef upper_dir;
  std::string name;
  std::optional<struct stat> parent_st;
  if (parent_) {
    parent_->AssertLocked();
    SB_ASSIGN_OR_RETURN(upper_dir, parent_->CopyUpLocked());
    name = name_;
    SB_ASSIGN_OR_RETURN(parent_st, upper_dir->Stat());
  } else {
    upper_dir = ofs().upper_root;
    name = absl::StrCat(".sb-overlay-orphan-", ofs().next_orphan++);
  }
  SB_ASSIGN_OR_RETURN(struct stat lst, lower_->Stat());
  CreateRequest req{lst.st_mode & (S_IFMT | 07777), lst.st_uid, lst.st_gid};
  std::string target;
  if (S_ISLNK(lst.st_mode)) {
    SB_ASSIGN_OR_RETURN(target, lower_->Readlink());
    req.target = target;
  } else if (S_ISCHR(lst.st_mode) || S_ISBLK(lst.st_mode)) {
    req.rdev = lst.st_rdev;
  }
  SB_ASSIGN_OR_RETURN(InodeRef up, upper_dir->CreateChild(name, req));
  auto undo = [&]() { (void)upper_dir->RemoveChild(name, S_ISDIR(lst.st_mode)); };
  if (S_ISREG(lst.st_mode) && copy_data) {
    if (auto s = CopyData(lower_, up); !s.ok()) {
      undo();
      return s.error();
    }
  }
  if (auto names = lower_->ListXattr(); names.ok()) {
    for (const std::string& n : *names) {
      if (n.starts_with(kPrivateXattrPrefix)) continue;
      if (auto v = lower_->GetXattr(n); v.ok()) (void)up->SetXattr(n, *v, 0);
    }
  }
  uint64_t ino = lst.st_ino;
  if (auto s = up->SetXattr(kOriginXattr, std::string_view(reinterpret_cast<char*>(&ino), 8), 0);
      !s.ok()) {
    undo();
    return s.error();
  }
  AttrChange attrs;
  attrs.mode = lst.st_mode & 07777;
  attrs.uid = lst.st_uid;
  attrs.gid = lst.st_gid;
  attrs.atime = lst.st_atim;
  attrs.mtime = lst.st_mtim;
  attrs.ctime = NowTimespec();
  if (auto s = up->SetAttr(attrs); !s.ok()) {
    undo();
    return s.error();
  }
  if (parent_st) {
    AttrChange times;
    times.atime = parent_st->st_atim;
    times.mtime = parent_st->st_mtim;
    times.ctime = parent_st->st_ctim;
    (void)upper_dir->SetAttr(times);
  } else {
    undo();
  }
  upper_ = up;
  return up;
}

ErrnoOr<std::vector<OverlayDirEntry>> OverlayInode::ListLocked() {
  std::vector<OverlayDirEntry> out;
  std::set<std::string, std::less<>> seen;
  bool opaque = false;
  if (upper_) {
    SB_ASSIGN_OR_RETURN(std::vector<OverlayDirEntry> ups, ReadLayerDir(*upper_));
    for (OverlayDirEntry& e : ups) {
      seen.insert(e.name);
      auto c = upper_->Lookup(e.name);
      if (!c.ok()) continue;  // gone meanwhile
      auto st = (*c)->Stat();
      if (!st.ok()) continue;
      if (S_ISCHR(st->st_mode) && st->st_rdev == 0) continue;  // a whiteout
      e.ino = OverlayIno(**c, *st);
      out.push_back(std::move(e));
    }
    auto v = upper_->GetXattr(kOpaqueXattr);
    opaque = v.ok() && *v == "y";
  }
  if (lower_ && !opaque) {
    SB_ASSIGN_OR_RETURN(std::vector<OverlayDirEntry> lows, ReadLayerDir(*lower_));
    for (OverlayDirEntry& e : lows) {
      if (!seen.contains(e.name)) out.push_back(std::move(e));
    }
  }
  return out;
}

ErrnoOr<bool> OverlayInode::EmptyLocked() {
  SB_ASSIGN_OR_RETURN(std::vector<OverlayDirEntry> entries, ListLocked());
  return entries.empty();
}

ErrnoOr<std::vector<OverlayDirEntry>> OverlayInode::List() {
  absl::MutexLock lock(&mu_);
  if (!S_ISDIR(type_)) return Errno(ENOTDIR);
  return ListLocked();
}

// An open overlay directory: the merged listing, snapshot at the first
// getdents64 and after every seek to 0 (Linux's ovl_dir_cache); offsets
// count entries (1 ".", 2 "..", 3 the first entry, ...).
class OverlayDirFile : public VfsFile {
 public:
  OverlayDirFile(const Location& loc, int flags, std::shared_ptr<OverlayInode> dir)
      : VfsFile(loc, flags), dir_(std::move(dir)) {}

  ErrnoOr<size_t> Read(HostIoVecs, int64_t) override { return Errno(EISDIR); }
  ErrnoOr<size_t> Write(HostIoVecs, int64_t) override { return Errno(EBADF); }
  // The upper is tmpfs and the lower is never written: nothing to sync.
  ErrnoStatus Sync(bool) override { return Ok(); }

  ErrnoOr<size_t> GetDents64(std::span<uint8_t> buf) override ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    if (!cache_) {
      SB_ASSIGN_OR_RETURN(cache_, dir_->List());
    }
    size_t used = 0;
    while (pos_ >= 0 && static_cast<uint64_t>(pos_) < cache_->size() + 2) {
      uint64_t ino;
      uint8_t type = DT_DIR;
      std::string_view name;
      if (pos_ < 2) {
        DentryRef d = loc_.dentry;
        if (pos_ == 1 && d->parent()) d = d->parent();
        auto st = d->inode()->Stat();
        ino = st.ok() ? st->st_ino : 0;
        name = pos_ == 0 ? "." : "..";
      } else {
        const OverlayDirEntry& e = (*cache_)[pos_ - 2];
        ino = e.ino;
        type = e.type;
        name = e.name;
      }
      if (!PutDirent64(buf, &used, ino, pos_ + 1, type, name)) {
        if (used == 0) return Errno(EINVAL);
        return used;
      }
      ++pos_;
    }
    return used;
  }

  ErrnoOr<int64_t> Seek(int64_t offset, int whence) override ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    SB_ASSIGN_OR_RETURN(pos_, SeekSetOrCur(pos_, offset, whence));
    if (pos_ == 0) cache_.reset();  // rewinddir sees changes
    return pos_;
  }

 private:
  const std::shared_ptr<OverlayInode> dir_;  // immutable
  absl::Mutex mu_;                           // Linux: f_pos_lock
  int64_t pos_ ABSL_GUARDED_BY(mu_) = 0;     // the next entry's index
  std::optional<std::vector<OverlayDirEntry>> cache_ ABSL_GUARDED_BY(mu_);
};

ErrnoOr<FileRef> OverlayInode::Open(const Location& loc, int flags) {
  if (S_ISDIR(type_)) {
    return FileRef(std::make_shared<OverlayDirFile>(
        loc, flags, std::static_pointer_cast<OverlayInode>(shared_from_this())));
  }
  InodeRef real;
  {
    absl::MutexLock lock(&mu_);
    // Opening for write copies up (Linux's ovl_open -> ovl_maybe_copy_up).
    if (S_ISREG(type_) && (flags & O_ACCMODE) != O_RDONLY) {
      SB_ASSIGN_OR_RETURN(real, CopyUpLocked());
    } else {
      real = upper_ ? upper_ : lower_;
    }
  }
  return real->Open(loc, flags);
}

ErrnoOr<InodeRef> NewOverlay(InodeRef lower_root, std::string_view upper_data) {
  SB_ASSIGN_OR_RETURN(struct stat lst, lower_root->Stat());
  if (!S_ISDIR(lst.st_mode)) return Errno(ENOTDIR);
  SB_ASSIGN_OR_RETURN(InodeRef upper_root, NewTmpfs(upper_data));
  // The upper root is the lower root, copied up.
  uint64_t ino = lst.st_ino;
  SB_TRY(upper_root->SetXattr(kOriginXattr, std::string_view(reinterpret_cast<char*>(&ino), 8), 0));
  AttrChange attrs;
  attrs.mode = lst.st_mode & 07777;
  attrs.uid = lst.st_uid;
  attrs.gid = lst.st_gid;
  attrs.atime = lst.st_atim;
  attrs.mtime = lst.st_mtim;
  attrs.ctime = lst.st_ctim;
  SB_TRY(upper_root->SetAttr(attrs));
  auto ofs = std::make_shared<OverlayFilesystem>(upper_root->fs_ref());
  ofs->upper_root = upper_root;
  return InodeRef(std::make_shared<OverlayInode>(ofs, std::move(lower_root), std::move(upper_root),
                                                 nullptr, "", S_IFDIR, /*root=*/true));
}

absl::StatusOr<MountNamespaceRef> NewOverlayRootedNamespace(std::string_view host_root,
                                                            const MountOptions& opts) {
  auto lower = NewHostFs(host_root);
  if (!lower.ok()) {
    return ErrnoToStatus(lower.error(), absl::StrCat("open host root ", std::string(host_root)));
  }
  auto root = NewOverlay(std::move(lower).value(), "");
  if (!root.ok()) {
    return ErrnoToStatus(root.error(), absl::StrCat("overlay over ", std::string(host_root)));
  }
  FilesystemRef fs = (*root)->fs_ref();
  MountOptions o = opts;
  o.read_only = false;
  o.nodev = true;  // the lower's device nodes are host devices: never opened
  auto mount = std::make_shared<Mount>(std::move(fs), Dentry::NewRoot(std::move(root).value()),
                                       nullptr, nullptr, o);
  return MountNamespaceRef(std::make_shared<VfsNamespace>(std::move(mount)));
}

}  // namespace sb::fs
