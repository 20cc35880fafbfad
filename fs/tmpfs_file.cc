// tmpfs_file.cc: tmpfs file data, regular files and the open file
// descriptions of tmpfs regular files and directories.
#include <dirent.h>
#include <linux/falloc.h>

#include <algorithm>
#include <cstring>

#include "fs/tmpfs_inode.h"
#include "fs/vfs_file.h"
#include "kernel/base/log_once.h"

namespace sb::fs {

size_t TmpfsData::Read(uint64_t off, HostIoVecs dst) const {
  if (off >= size_) return 0;
  return ScatterToIoVecs(dst, 0, data() + off, size_ - off);
}

void TmpfsData::Reserve(uint64_t length) {
  if (!range_) {
    if (length > bytes_.size()) bytes_.resize(length);
    return;
  }
  if (length <= range_->length()) return;
  // Past the reserve: the data moves to a bigger range. Mappings made
  // before keep the old one and stop seeing changes; say so, loudly.
  ReportUnsupported("growing a MAP_SHARED tmpfs file past its 16 MiB reserve");
  auto bigger = MemoryRange::Allocate(range_->file(), std::max(length, 2 * range_->length()));
  if (!bigger.ok()) return;
  std::memcpy((*bigger)->host(), range_->host(), size_);
  range_ = std::move(*bigger);
}

void TmpfsData::Write(uint64_t off, HostIoVecs src, size_t len) {
  if (off + len > size_) {
    Reserve(off + len);
    size_ = off + len;
  }
  GatherFromIoVecs(src, 0, data() + off, len);
}

void TmpfsData::Resize(uint64_t length) {
  if (length > size_) {
    Reserve(length);
    if (!range_) std::memset(bytes_.data() + size_, 0, length - size_);
  } else if (range_) {
    // Truncated bytes read as zero again, in the file and in mappings.
    std::memset(range_->host() + length, 0, size_ - length);
  } else {
    bytes_.resize(length);
  }
  size_ = length;
}

void TmpfsData::Zero(uint64_t off, uint64_t end) {
  end = std::min(end, size_);
  if (off >= end) return;
  std::memset(data() + off, 0, end - off);
}

ErrnoOr<MemoryRangeRef> TmpfsData::SharedBacking(MemoryFile& mf, uint64_t min_length) {
  constexpr uint64_t kReserve = uint64_t{16} << 20;  // sparse: costs nothing until used
  if (!range_) {
    SB_ASSIGN_OR_RETURN(range_, MemoryRange::Allocate(mf, std::max({kReserve, min_length, size_})));
    // Pages of zeros stay holes, so the range holds (and mincore reports)
    // only the pages that have data, as Linux's page cache would.
    static const uint8_t kZeros[4096] = {};
    for (uint64_t off = 0; off < size_; off += 4096) {
      size_t n = static_cast<size_t>(std::min<uint64_t>(4096, size_ - off));
      if (std::memcmp(bytes_.data() + off, kZeros, n) != 0) {
        std::memcpy(range_->host() + off, bytes_.data() + off, n);
      }
    }
    bytes_ = {};
  } else if (&range_->file() != &mf) {
    return Errno(ENODEV);  // another kernel's memory file
  }
  Reserve(min_length);
  return range_;
}

namespace {
uint64_t Pages(uint64_t bytes) { return (bytes + 4095) & ~uint64_t{4095}; }
}  // namespace

TmpfsFile::~TmpfsFile() {
  // Return the pages to the size= budget. No lock: we are the last user.
  (void)tmpfs().Charge(-static_cast<int64_t>(Pages(std::max(data_.size(), alloc_end_))));
}

uint64_t TmpfsFile::BlocksBytesLocked() const { return Pages(std::max(data_.size(), alloc_end_)); }

// Linux's shmem_fallocate(): only plain allocation (with or without
// FALLOC_FL_KEEP_SIZE) and FALLOC_FL_PUNCH_HOLE; everything else is
// EOPNOTSUPP. Pages are counted up to the furthest byte ever allocated
// (alloc_end_), so a KEEP_SIZE allocation past the end shows in st_blocks
// and in the size= budget; a punched hole reads as zeros but keeps its
// pages (Linux frees whole pages inside the hole: st_blocks differs there).
ErrnoStatus TmpfsFile::Allocate(int mode, uint64_t offset, uint64_t length, uint64_t fsize_limit) {
  if (mode & ~(FALLOC_FL_KEEP_SIZE | FALLOC_FL_PUNCH_HOLE)) return Errno(EOPNOTSUPP);
  const uint64_t end = offset + length;
  absl::MutexLock lock(&mu_);
  if (mode & FALLOC_FL_PUNCH_HOLE) {
    if (seals_ & (F_SEAL_WRITE | F_SEAL_FUTURE_WRITE)) return Errno(EPERM);
    data_.Zero(offset, end);
    TouchLocked(false, true, true);
    return Ok();
  }
  // inode_newsize_ok(): the limit applies even with KEEP_SIZE.
  if (end > data_.size() && end > fsize_limit) return Errno(EFBIG);
  if ((seals_ & F_SEAL_GROW) && end > data_.size()) return Errno(EPERM);
  const uint64_t before = Pages(std::max(data_.size(), alloc_end_));
  const uint64_t after = Pages(std::max({data_.size(), alloc_end_, end}));
  if (after > before) SB_TRY(tmpfs().Charge(static_cast<int64_t>(after - before)));
  alloc_end_ = std::max(alloc_end_, end);
  if (!(mode & FALLOC_FL_KEEP_SIZE) && end > data_.size()) data_.Resize(end);
  TouchLocked(false, true, true);
  return Ok();
}

uint64_t TmpfsFile::size() const {
  absl::MutexLock lock(&mu_);
  return data_.size();
}

ErrnoStatus TmpfsFile::ResizeLocked(uint64_t length) {
  // Shrinking frees every page past the new end, those allocated with
  // FALLOC_FL_KEEP_SIZE too (Linux's shmem_truncate_range); growing keeps them.
  uint64_t new_alloc_end = length <= data_.size() ? 0 : alloc_end_;
  int64_t delta = static_cast<int64_t>(Pages(std::max(length, new_alloc_end))) -
                  static_cast<int64_t>(Pages(std::max(data_.size(), alloc_end_)));
  SB_TRY(tmpfs().Charge(delta));
  alloc_end_ = new_alloc_end;
  data_.Resize(length);
  return Ok();
}

ErrnoStatus TmpfsFile::Truncate(uint64_t length) {
  if (length > static_cast<uint64_t>(INT64_MAX)) return Errno(EINVAL);
  absl::MutexLock lock(&mu_);
  // Linux's shmem_setattr() seal checks.
  if ((length < data_.size() && (seals_ & F_SEAL_SHRINK)) ||
      (length > data_.size() && (seals_ & F_SEAL_GROW))) {
    return Errno(EPERM);
  }
  SB_TRY(ResizeLocked(length));
  TouchLocked(false, true, true);
  return Ok();
}

ErrnoStatus TmpfsFile::SetAttr(const AttrChange& change) {
  {
    absl::MutexLock lock(&mu_);
    if ((seals_ & kSealExec) && change.mode && ((*change.mode ^ attrs_.perms) & 0111)) {
      return Errno(EPERM);
    }
  }
  return TmpfsInode::SetAttr(change);
}

ErrnoOr<SharedMapping> TmpfsFile::MapShared(MemoryFile& mf, uint64_t offset, uint64_t length,
                                            bool want_write, bool may_write) {
  absl::MutexLock lock(&mu_);
  const bool write_sealed = seals_ & (F_SEAL_WRITE | F_SEAL_FUTURE_WRITE);
  if (want_write && write_sealed) return Errno(EPERM);
  SharedMapping m;
  SB_ASSIGN_OR_RETURN(m.range, data_.SharedBacking(mf, offset + length));
  m.offset = offset;
  m.deny_write = write_sealed;
  if (may_write && !write_sealed) {
    if (!map_hold_) map_hold_ = std::make_shared<const int>(0);
    m.hold = map_hold_;
  }
  return m;
}

unsigned TmpfsFile::seals() const {
  absl::MutexLock lock(&mu_);
  return seals_;
}

void TmpfsFile::set_seals(unsigned seals) {
  absl::MutexLock lock(&mu_);
  seals_ = seals;
}

// Linux's memfd_add_seals() after its argument checks.
ErrnoStatus TmpfsFile::AddSeals(unsigned seals) {
  absl::MutexLock lock(&mu_);
  if (seals_ & F_SEAL_SEAL) return Errno(EPERM);
  if ((seals & F_SEAL_WRITE) && !(seals_ & F_SEAL_WRITE) && map_hold_ &&
      map_hold_.use_count() > 1) {
    return Errno(EBUSY);
  }
  seals_ |= seals;
  return Ok();
}

ErrnoOr<size_t> TmpfsFile::ReadAt(uint64_t off, HostIoVecs dst) {
  absl::MutexLock lock(&mu_);
  size_t n = data_.Read(off, dst);
  TouchAtimeLocked();
  return n;
}

ErrnoOr<std::pair<size_t, uint64_t>> TmpfsFile::WriteAt(uint64_t off, HostIoVecs src, bool append) {
  size_t len = TotalLength(src);
  absl::MutexLock lock(&mu_);
  if (append) off = data_.size();
  if (len == 0) return std::make_pair(size_t{0}, off);
  if (seals_ & (F_SEAL_WRITE | F_SEAL_FUTURE_WRITE)) return Errno(EPERM);
  if (off > static_cast<uint64_t>(INT64_MAX) - len) return Errno(EFBIG);
  if ((seals_ & F_SEAL_GROW) && off + len > data_.size()) {
    // Only what lands inside the file; Linux fails at the first page that
    // would grow it.
    if (off >= data_.size()) return Errno(EPERM);
    len = static_cast<size_t>(data_.size() - off);
  }
  uint64_t end = off + len;
  if (end > std::max(data_.size(), alloc_end_)) {
    const uint64_t have = Pages(std::max(data_.size(), alloc_end_));
    int64_t delta = static_cast<int64_t>(Pages(end)) - static_cast<int64_t>(have);
    if (!tmpfs().Charge(delta).ok()) {
      // Write what fits in the pages still free, or ENOSPC.
      uint64_t fit = have;
      while (fit < end && tmpfs().Charge(4096).ok()) fit += 4096;
      if (fit <= off) {
        (void)tmpfs().Charge(-static_cast<int64_t>(fit - have));
        return Errno(ENOSPC);
      }
      len = static_cast<size_t>(std::min(end, fit) - off);
      end = off + len;
    }
  }
  data_.Write(off, src, len);
  TouchLocked(false, true, true);
  // Linux's file_remove_privs(): a write drops setuid (and group-exec setgid).
  if (attrs_.perms & S_ISUID) attrs_.perms &= ~S_ISUID;
  if ((attrs_.perms & (S_ISGID | S_IXGRP)) == (S_ISGID | S_IXGRP)) attrs_.perms &= ~S_ISGID;
  return std::make_pair(len, end);
}

namespace {

// An open tmpfs regular file (Linux: shmem_file_operations).
class TmpfsRegularFile : public VfsFile {
 public:
  TmpfsRegularFile(const Location& loc, int flags, std::shared_ptr<TmpfsFile> file)
      : VfsFile(loc, flags), file_(std::move(file)) {}

  ErrnoOr<SharedMapping> MapShared(MemoryFile& mf, uint64_t offset, uint64_t length,
                                   bool want_write) override {
    // A mapping of a file open for writing may become writable (Linux's
    // VM_MAYWRITE): that is what F_SEAL_WRITE counts.
    return file_->MapShared(mf, offset, length, want_write, writable());
  }

  ErrnoOr<unsigned> GetSeals() override { return file_->seals(); }
  ErrnoStatus AddSeals(unsigned seals) override { return file_->AddSeals(seals); }

  ErrnoOr<size_t> Read(HostIoVecs dst, int64_t offset) override {
    return NotifyRead(ReadImpl(dst, offset));
  }
  ErrnoOr<size_t> ReadImpl(HostIoVecs dst, int64_t offset) {
    if (!readable()) return Errno(EBADF);
    if (offset >= 0) return file_->ReadAt(offset, dst);
    absl::MutexLock lock(&mu_);
    SB_ASSIGN_OR_RETURN(size_t n, file_->ReadAt(pos_, dst));
    pos_ += n;
    return n;
  }

  ErrnoOr<size_t> Write(HostIoVecs src, int64_t offset) override {
    return WriteAppend(src, offset, status_flags() & O_APPEND);
  }

  ErrnoOr<size_t> WriteAppend(HostIoVecs src, int64_t offset, bool append) override {
    return NotifyWrite(WriteImpl(src, offset, append));
  }

  ErrnoOr<size_t> WriteImpl(HostIoVecs src, int64_t offset, bool append) {
    if (!writable()) return Errno(EBADF);
    if (offset >= 0) {
      SB_ASSIGN_OR_RETURN(auto r, file_->WriteAt(offset, src, append));
      return r.first;
    }
    absl::MutexLock lock(&mu_);
    SB_ASSIGN_OR_RETURN(auto r, file_->WriteAt(pos_, src, append));
    pos_ = r.second;
    return r.first;
  }

  ErrnoOr<int64_t> Seek(int64_t offset, int whence) override {
    absl::MutexLock lock(&mu_);
    SB_ASSIGN_OR_RETURN(int64_t pos, SeekInFile(pos_, file_->size(), offset, whence));
    pos_ = pos;
    return pos;
  }

  // The data lives in the memory file only (Linux's noop_fsync).
  ErrnoStatus Sync(bool) override { return Ok(); }

  ErrnoStatus Allocate(int mode, uint64_t offset, uint64_t length, uint64_t fsize_limit) override {
    return file_->Allocate(mode, offset, length, fsize_limit);
  }

  ErrnoStatus Truncate(uint64_t length) override {
    if (!writable()) return Errno(EINVAL);
    return NotifyTruncate(file_->Truncate(length));
  }

 private:
  const std::shared_ptr<TmpfsFile> file_;  // immutable
  absl::Mutex mu_;                         // Linux: f_pos_lock
  int64_t pos_ ABSL_GUARDED_BY(mu_) = 0;
};

// An open tmpfs directory (Linux: dcache_readdir with stable cookies).
class TmpfsDirFile : public VfsFile {
 public:
  TmpfsDirFile(const Location& loc, int flags, std::shared_ptr<TmpfsDir> dir)
      : VfsFile(loc, flags), dir_(std::move(dir)) {}

  ErrnoOr<size_t> Read(HostIoVecs, int64_t) override { return Errno(EISDIR); }
  ErrnoOr<size_t> Write(HostIoVecs, int64_t) override { return Errno(EBADF); }
  // tmpfs keeps nothing that a sync could write (Linux's noop_fsync).
  ErrnoStatus Sync(bool) override { return Ok(); }

  ErrnoOr<size_t> GetDents64(std::span<uint8_t> buf) override {
    return NotifyDirRead(GetDentsImpl(buf));
  }
  ErrnoOr<size_t> GetDentsImpl(std::span<uint8_t> buf) {
    absl::MutexLock lock(&mu_);
    size_t used = 0;
    auto full = [&]() -> ErrnoOr<size_t> {
      if (used == 0) return Errno(EINVAL);
      return used;
    };
    if (pos_ == 0) {
      if (!PutDirent64(buf, &used, dir_->ino(), 1, DT_DIR, ".")) return full();
      pos_ = 1;
    }
    if (pos_ == 1) {
      uint64_t parent_ino = dir_->ino();
      if (DentryRef parent = loc_.dentry->parent()) {
        if (auto st = parent->inode()->Stat(); st.ok()) parent_ino = st->st_ino;
      }
      if (!PutDirent64(buf, &used, parent_ino, 2, DT_DIR, "..")) return full();
      pos_ = 2;
    }
    while (true) {
      auto batch = dir_->ListAfter(static_cast<uint64_t>(pos_), 64);
      if (batch.empty()) return used;
      for (const auto& e : batch) {
        if (!PutDirent64(buf, &used, e.ino, static_cast<int64_t>(e.cookie), DirentType(e.type),
                         e.name)) {
          return full();
        }
        pos_ = static_cast<int64_t>(e.cookie);
      }
    }
  }

  ErrnoOr<int64_t> Seek(int64_t offset, int whence) override {
    absl::MutexLock lock(&mu_);
    SB_ASSIGN_OR_RETURN(pos_, SeekSetOrCur(pos_, offset, whence));
    return pos_;
  }

 private:
  const std::shared_ptr<TmpfsDir> dir_;  // immutable
  absl::Mutex mu_;
  // The cookie of the last entry returned (0: none, 1: ".", 2: "..").
  int64_t pos_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace

ErrnoOr<FileRef> TmpfsFile::Open(const Location& loc, int flags) {
  return FileRef(std::make_shared<TmpfsRegularFile>(
      loc, flags, std::static_pointer_cast<TmpfsFile>(shared_from_this())));
}

FileRef NewTmpfsDirFile(const Location& loc, int flags) {
  auto dir = std::static_pointer_cast<TmpfsDir>(loc.dentry->inode());
  return std::make_shared<TmpfsDirFile>(loc, flags, std::move(dir));
}

}  // namespace sb::fs
