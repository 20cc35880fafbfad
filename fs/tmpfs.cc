// tmpfs.cc: tmpfs attributes and directories (Linux's mm/shmem.c and
// fs/libfs.c simple_* directory operations), and NewTmpfs.
#include "fs/tmpfs.h"

#include <linux/fs.h>
#include <linux/magic.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "fs/tmpfs_inode.h"

namespace sb::fs {
namespace {

// Linux's BOGO_DIRENT_SIZE: a tmpfs directory's size is 20 per entry.
constexpr uint64_t kBogoDirentSize = 20;

bool Older(const struct timespec& a, const struct timespec& b) {
  return a.tv_sec < b.tv_sec || (a.tv_sec == b.tv_sec && a.tv_nsec <= b.tv_nsec);
}

std::shared_ptr<TmpfsInode> MakeInode(const FilesystemRef& fs, const CreateRequest& req) {
  switch (req.mode & S_IFMT) {
    case S_IFDIR:
      return std::make_shared<TmpfsDir>(fs, req);
    case S_IFLNK:
      return std::make_shared<TmpfsSymlink>(fs, req);
    case S_IFREG:
      return std::make_shared<TmpfsFile>(fs, req);
    case S_IFSOCK:
      // bind(2)'s node leads to its socket; mknod(2)'s refuses connections.
      return std::make_shared<TmpfsSocketNode>(fs, req);
    case S_IFIFO:
    case S_IFCHR:
    case S_IFBLK:
      return std::make_shared<TmpfsNode>(fs, req);
    default:
      return nullptr;
  }
}

}  // namespace

ErrnoStatus TmpfsFilesystem::Charge(int64_t delta) {
  if (delta <= 0) {
    used_bytes_.fetch_sub(static_cast<uint64_t>(-delta));
    return Ok();
  }
  uint64_t used = used_bytes_.load();
  do {
    if (max_bytes_ != 0 && used + delta > max_bytes_) return Errno(ENOSPC);
  } while (!used_bytes_.compare_exchange_weak(used, used + delta));
  return Ok();
}

ErrnoOr<struct statfs> TmpfsFilesystem::StatFs() {
  // Linux's defaults without size= / nr_inodes=: half the memory, and as
  // many inodes as half the memory has pages.
  static const uint64_t half_ram = static_cast<uint64_t>(sysconf(_SC_PHYS_PAGES)) * 4096 / 2;
  struct statfs sfs = SimpleStatFs(TMPFS_MAGIC);
  const uint64_t max = max_bytes_ != 0 ? max_bytes_ : half_ram;
  const uint64_t used = used_bytes_.load();
  sfs.f_blocks = max / 4096;
  sfs.f_bfree = sfs.f_bavail = used >= max ? 0 : (max - used) / 4096;
  sfs.f_files = max_inodes_ != 0 ? max_inodes_ : half_ram / 4096;
  const uint64_t live = live_inodes_.load();
  sfs.f_ffree = sfs.f_files > live ? sfs.f_files - live : 0;
  sfs.f_fsid.__val[0] = static_cast<int>(major(dev()));
  sfs.f_fsid.__val[1] = static_cast<int>(minor(dev()));
  sfs.f_flags |= kStRelatime;  // our atime policy (TouchAtimeLocked)
  return sfs;
}

TmpfsInode::TmpfsInode(FilesystemRef fs, const CreateRequest& req)
    : Inode(fs),
      ino_(fs->NextIno()),
      type_(req.mode & S_IFMT),
      rdev_(req.rdev),
      attrs_(req.mode, req.uid, req.gid, NowTimespec()),
      nlink_(S_ISDIR(req.mode) ? 2 : 1) {
  static_cast<TmpfsFilesystem&>(this->fs()).InodeCreated();
}

TmpfsInode::~TmpfsInode() { static_cast<TmpfsFilesystem&>(fs()).InodeDestroyed(); }

ErrnoOr<struct stat> TmpfsInode::Stat() {
  struct stat st = {};
  absl::MutexLock lock(&mu_);
  st.st_dev = fs().dev();
  st.st_ino = ino_;
  st.st_mode = type_;
  attrs_.Fill(st);
  st.st_nlink = nlink_;
  st.st_rdev = rdev_;
  st.st_size = static_cast<off_t>(SizeLocked());
  st.st_blksize = 4096;
  st.st_blocks =
      S_ISREG(type_) ? static_cast<blkcnt_t>(((BlocksBytesLocked() + 4095) & ~4095ull) / 512) : 0;
  return st;
}

ErrnoStatus TmpfsInode::SetAttr(const AttrChange& change) {
  absl::MutexLock lock(&mu_);
  attrs_.Apply(change);
  return Ok();
}

ErrnoOr<std::string> TmpfsInode::GetXattr(std::string_view name) {
  absl::MutexLock lock(&mu_);
  return xattrs_.Get(name);
}

ErrnoStatus TmpfsInode::SetXattr(std::string_view name, std::string_view value, int flags) {
  absl::MutexLock lock(&mu_);
  SB_TRY(xattrs_.Set(name, value, flags));
  TouchLocked(false, false, true);
  return Ok();
}

ErrnoOr<std::vector<std::string>> TmpfsInode::ListXattr() {
  absl::MutexLock lock(&mu_);
  return xattrs_.Names();
}

ErrnoStatus TmpfsInode::RemoveXattr(std::string_view name) {
  absl::MutexLock lock(&mu_);
  SB_TRY(xattrs_.Remove(name));
  TouchLocked(false, false, true);
  return Ok();
}

void TmpfsInode::IncLinks() {
  absl::MutexLock lock(&mu_);
  ++nlink_;
  TouchLocked(false, false, true);
}

void TmpfsInode::DecLinks() {
  absl::MutexLock lock(&mu_);
  if (nlink_ > 0) --nlink_;
  TouchLocked(false, false, true);
}

void TmpfsInode::Touch(bool atime, bool mtime, bool ctime) {
  absl::MutexLock lock(&mu_);
  TouchLocked(atime, mtime, ctime);
}

void TmpfsInode::TouchLocked(bool atime, bool mtime, bool ctime) {
  struct timespec now = NowTimespec();
  if (atime) attrs_.atime = now;
  if (mtime) attrs_.mtime = now;
  if (ctime) attrs_.ctime = now;
}

void TmpfsInode::TouchAtimeLocked() {
  struct timespec now = NowTimespec();
  if (Older(attrs_.atime, attrs_.mtime) || Older(attrs_.atime, attrs_.ctime) ||
      now.tv_sec - attrs_.atime.tv_sec >= 86400) {
    attrs_.atime = now;
  }
}

TmpfsDir::TmpfsDir(FilesystemRef fs, const CreateRequest& req) : TmpfsInode(std::move(fs), req) {}

uint64_t TmpfsDir::SizeLocked() const { return entries_.size() * kBogoDirentSize; }

ErrnoOr<InodeRef> TmpfsDir::Lookup(std::string_view name) {
  absl::MutexLock lock(&mu_);
  auto it = entries_.find(name);
  if (it == entries_.end()) return Errno(ENOENT);
  return InodeRef(it->second.inode);
}

void TmpfsDir::InsertLocked(std::string name, std::shared_ptr<TmpfsInode> inode) {
  uint64_t cookie = next_cookie_++;
  by_cookie_[cookie] = name;
  if (S_ISDIR(inode->file_type())) ++nlink_;
  entries_[std::move(name)] = Entry{std::move(inode), cookie};
}

void TmpfsDir::EraseLocked(std::map<std::string, Entry, std::less<>>::iterator it) {
  if (S_ISDIR(it->second.inode->file_type()) && nlink_ > 2) --nlink_;
  by_cookie_.erase(it->second.cookie);
  entries_.erase(it);
}

ErrnoStatus TmpfsDir::AddChild(std::string_view name, std::shared_ptr<TmpfsInode> child) {
  absl::MutexLock lock(&mu_);
  if (entries_.count(name)) return Errno(EEXIST);
  InsertLocked(std::string(name), std::move(child));
  TouchLocked(false, true, true);
  return Ok();
}

ErrnoOr<InodeRef> TmpfsDir::CreateChild(std::string_view name, const CreateRequest& req) {
  if (!static_cast<TmpfsFilesystem&>(fs()).InodeFits()) return Errno(ENOSPC);
  std::shared_ptr<TmpfsInode> child = MakeInode(fs_ref(), req);
  if (!child) return Errno(EPERM);
  absl::MutexLock lock(&mu_);
  if (nlink_ == 0) return Errno(ENOENT);
  if (entries_.count(name)) return Errno(EEXIST);
  InsertLocked(std::string(name), child);
  TouchLocked(false, true, true);
  return InodeRef(child);
}

ErrnoStatus TmpfsDir::LinkChild(std::string_view name, const InodeRef& target) {
  auto child = std::dynamic_pointer_cast<TmpfsInode>(target);
  if (!child || &child->fs() != &fs()) return Errno(EXDEV);
  if (S_ISDIR(child->file_type())) return Errno(EPERM);
  absl::MutexLock lock(&mu_);
  if (nlink_ == 0) return Errno(ENOENT);
  if (entries_.count(name)) return Errno(EEXIST);
  InsertLocked(std::string(name), child);
  TouchLocked(false, true, true);
  child->IncLinks();
  return Ok();
}

bool TmpfsDir::IsEmpty() const {
  absl::MutexLock lock(&mu_);
  return entries_.empty();
}

ErrnoStatus TmpfsDir::RemoveChild(std::string_view name, bool dir) {
  absl::MutexLock lock(&mu_);
  auto it = entries_.find(name);
  if (it == entries_.end()) return Errno(ENOENT);
  std::shared_ptr<TmpfsInode> child = it->second.inode;
  bool child_dir = S_ISDIR(child->file_type());
  if (dir && !child_dir) return Errno(ENOTDIR);
  if (!dir && child_dir) return Errno(EISDIR);
  if (child_dir) {
    auto* d = static_cast<TmpfsDir*>(child.get());
    if (!d->IsEmpty()) return Errno(ENOTEMPTY);
  }
  EraseLocked(it);
  TouchLocked(false, true, true);
  if (child_dir) {
    absl::MutexLock child_lock(&child->mu_);
    child->nlink_ = 0;
    child->TouchLocked(false, false, true);
  } else {
    child->DecLinks();
  }
  return Ok();
}

// Two directory locks at once: address order, under rename_mu. The analysis
// cannot follow the dynamic order, hence the annotation.
ErrnoStatus TmpfsDir::RenameChild(std::string_view old_name, Inode& new_dir_inode,
                                  std::string_view new_name,
                                  unsigned flags) ABSL_NO_THREAD_SAFETY_ANALYSIS {
  auto* new_dir = dynamic_cast<TmpfsDir*>(&new_dir_inode);
  if (new_dir == nullptr || &new_dir->fs() != &fs()) return Errno(EXDEV);
  TmpfsDir* first = this < new_dir ? this : new_dir;
  TmpfsDir* second = this < new_dir ? new_dir : this;
  first->mu_.Lock();
  if (second != first) second->mu_.Lock();
  auto unlock = [&]() ABSL_NO_THREAD_SAFETY_ANALYSIS {
    if (second != first) second->mu_.Unlock();
    first->mu_.Unlock();
  };
  auto src_it = entries_.find(old_name);
  if (src_it == entries_.end()) {
    unlock();
    return Errno(ENOENT);
  }
  std::shared_ptr<TmpfsInode> src = src_it->second.inode;
  auto tgt_it = new_dir->entries_.find(new_name);
  std::shared_ptr<TmpfsInode> tgt =
      tgt_it == new_dir->entries_.end() ? nullptr : tgt_it->second.inode;
  bool src_dir = S_ISDIR(src->file_type());
  if (flags & RENAME_EXCHANGE) {
    if (!tgt) {
      unlock();
      return Errno(ENOENT);
    }
    bool tgt_dir = S_ISDIR(tgt->file_type());
    src_it->second.inode = tgt;
    tgt_it->second.inode = src;
    if (this != new_dir && src_dir != tgt_dir) {
      if (src_dir) {
        --nlink_;
        ++new_dir->nlink_;
      } else {
        ++nlink_;
        --new_dir->nlink_;
      }
    }
  } else {
    if (tgt) {
      bool tgt_dir = S_ISDIR(tgt->file_type());
      Errno err(0);
      if (src_dir && !tgt_dir) err = Errno(ENOTDIR);
      if (!src_dir && tgt_dir) err = Errno(EISDIR);
      if (tgt_dir && !static_cast<TmpfsDir*>(tgt.get())->IsEmpty()) err = Errno(ENOTEMPTY);
      if (err.value() != 0) {
        unlock();
        return err;
      }
      new_dir->EraseLocked(tgt_it);
    }
    EraseLocked(entries_.find(old_name));
    new_dir->InsertLocked(std::string(new_name), src);
  }
  TouchLocked(false, true, true);
  if (new_dir != this) new_dir->TouchLocked(false, true, true);
  unlock();
  src->Touch(false, false, true);
  if (tgt) {
    if (flags & RENAME_EXCHANGE) {
      tgt->Touch(false, false, true);
    } else if (S_ISDIR(tgt->file_type())) {
      absl::MutexLock lock(&tgt->mu_);
      tgt->nlink_ = 0;
      tgt->TouchLocked(false, false, true);
    } else {
      tgt->DecLinks();
    }
  }
  return Ok();
}

std::vector<TmpfsDir::ListEntry> TmpfsDir::ListAfter(uint64_t after, size_t max) {
  std::vector<ListEntry> out;
  absl::MutexLock lock(&mu_);
  for (auto it = by_cookie_.upper_bound(after); it != by_cookie_.end() && out.size() < max; ++it) {
    const Entry& e = entries_.find(it->second)->second;
    out.push_back({it->first, it->second, e.inode->ino(), e.inode->file_type()});
  }
  TouchAtimeLocked();
  return out;
}

ErrnoOr<FileRef> TmpfsDir::Open(const Location& loc, int flags) {
  return NewTmpfsDirFile(loc, flags);
}

ErrnoOr<InodeRef> NewTmpfs(std::string_view data) {
  mode_t mode = 01777;
  uid_t uid = 0;
  gid_t gid = 0;
  uint64_t size = 0;
  uint64_t max_inodes = 0;  // nr_inodes= (the root counts)
  for (absl::string_view opt :
       absl::StrSplit(absl::string_view(data.data(), data.size()), ',', absl::SkipEmpty())) {
    std::pair<absl::string_view, absl::string_view> kv =
        absl::StrSplit(opt, absl::MaxSplits('=', 1));
    auto [key, value] = kv;
    if (key == "mode") {
      uint32_t m;
      if (!absl::numbers_internal::safe_strtou32_base(value, &m, 8) || m > 07777) {
        return Errno(EINVAL);
      }
      mode = m;
    } else if (key == "uid") {
      if (!absl::SimpleAtoi(value, &uid)) return Errno(EINVAL);
    } else if (key == "gid") {
      if (!absl::SimpleAtoi(value, &gid)) return Errno(EINVAL);
    } else if (key == "size") {
      // Bytes with an optional k/m/g suffix (a % of RAM is not supported).
      uint64_t mult = 1;
      if (!value.empty()) {
        switch (value.back()) {
          case 'k':
          case 'K':
            mult = 1ull << 10;
            break;
          case 'm':
          case 'M':
            mult = 1ull << 20;
            break;
          case 'g':
          case 'G':
            mult = 1ull << 30;
            break;
          default:
            break;
        }
        if (mult != 1) value.remove_suffix(1);
      }
      if (!absl::SimpleAtoi(value, &size)) return Errno(EINVAL);
      size *= mult;
    } else if (key == "nr_blocks") {
      // The size in pages.
      if (!absl::SimpleAtoi(value, &size)) return Errno(EINVAL);
      size *= 4096;
    } else if (key == "nr_inodes") {
      if (!absl::SimpleAtoi(value, &max_inodes)) return Errno(EINVAL);
    } else if (key == "mpol" || key == "huge") {
      // NUMA policy and transparent huge pages: placement hints with no
      // effect a program can see.
    } else {
      return Errno(EINVAL);
    }
  }
  auto fs = std::make_shared<TmpfsFilesystem>("tmpfs", size, max_inodes);
  CreateRequest req{S_IFDIR | mode, uid, gid};
  return InodeRef(std::make_shared<TmpfsDir>(fs, req));
}

}  // namespace sb::fs
