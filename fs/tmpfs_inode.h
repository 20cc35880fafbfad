// tmpfs_inode.h: the inodes of tmpfs (and devfs, which is a tmpfs).
//
// TmpfsInode holds the attributes every tmpfs inode has (mode, owner, link
// count, timestamps) under its mutex; TmpfsDir holds its entries (each with
// a cookie that is its stable getdents offset), TmpfsFile its data in a
// TmpfsData store, TmpfsSymlink its target. Directories hold their
// children; dentries and open files hold inodes. Used by tmpfs.cc,
// tmpfs_file.cc and devfs.cc.
//
// Lock order within tmpfs: a directory's mu_ before its children's mu_;
// RenameChild (under Filesystem::rename_mu) takes the two directories'
// mu_ in address order.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "fs/inode.h"
#include "fs/tmpfs_data.h"

namespace sb::fs {

// One tmpfs instance (Linux: shmem_sb_info). Counts the pages its files use
// against the size= limit.
class TmpfsFilesystem : public Filesystem {
 public:
  TmpfsFilesystem(std::string type, uint64_t max_bytes)
      : Filesystem(std::move(type)), max_bytes_(max_bytes) {}
  // Charges (or with a negative delta, returns) bytes; ENOSPC past the limit.
  ErrnoStatus Charge(int64_t delta);

 private:
  const uint64_t max_bytes_;  // immutable; 0 = unlimited
  std::atomic<uint64_t> used_bytes_{0};
};

class TmpfsInode : public Inode {
 public:
  TmpfsInode(FilesystemRef fs, const CreateRequest& req);

  uint64_t ino() const { return ino_; }
  mode_t file_type() const { return type_; }
  ErrnoOr<struct stat> Stat() override ABSL_LOCKS_EXCLUDED(mu_);
  ErrnoStatus Chmod(mode_t mode) override ABSL_LOCKS_EXCLUDED(mu_);

  void IncLinks() ABSL_LOCKS_EXCLUDED(mu_);
  void DecLinks() ABSL_LOCKS_EXCLUDED(mu_);
  // Updates the named timestamps to now.
  void Touch(bool atime, bool mtime, bool ctime) ABSL_LOCKS_EXCLUDED(mu_);

 protected:
  virtual uint64_t SizeLocked() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return 0; }
  void TouchLocked(bool atime, bool mtime, bool ctime) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // relatime: atime moves only if it is older than mtime/ctime or a day.
  void TouchAtimeLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const uint64_t ino_;  // immutable
  const mode_t type_;   // immutable: S_IFMT bits
  const dev_t rdev_;    // immutable
  mutable absl::Mutex mu_;
  mode_t perms_ ABSL_GUARDED_BY(mu_);  // permission bits (07777)
  uid_t uid_ ABSL_GUARDED_BY(mu_);
  gid_t gid_ ABSL_GUARDED_BY(mu_);
  nlink_t nlink_ ABSL_GUARDED_BY(mu_);
  struct timespec atime_ ABSL_GUARDED_BY(mu_), mtime_ ABSL_GUARDED_BY(mu_),
      ctime_ ABSL_GUARDED_BY(mu_);

  friend class TmpfsDir;
};

class TmpfsDir : public TmpfsInode {
 public:
  TmpfsDir(FilesystemRef fs, const CreateRequest& req);

  ErrnoOr<InodeRef> Lookup(std::string_view name) override ABSL_LOCKS_EXCLUDED(mu_);
  ErrnoOr<InodeRef> CreateChild(std::string_view name, const CreateRequest& req) override
      ABSL_LOCKS_EXCLUDED(mu_);
  ErrnoStatus LinkChild(std::string_view name, const InodeRef& target) override
      ABSL_LOCKS_EXCLUDED(mu_);
  ErrnoStatus RemoveChild(std::string_view name, bool dir) override ABSL_LOCKS_EXCLUDED(mu_);
  ErrnoStatus RenameChild(std::string_view old_name, Inode& new_dir, std::string_view new_name,
                          unsigned flags) override;
  ErrnoOr<FileRef> Open(const Location& loc, int flags) override;

  // Adds an already-built inode (devfs set-up). EEXIST if taken.
  ErrnoStatus AddChild(std::string_view name, std::shared_ptr<TmpfsInode> child)
      ABSL_LOCKS_EXCLUDED(mu_);
  bool IsEmpty() const ABSL_LOCKS_EXCLUDED(mu_);

  struct ListEntry {
    uint64_t cookie;
    std::string name;
    uint64_t ino;
    mode_t type;
  };
  // Up to `max` entries with a cookie greater than `after`, in cookie order.
  std::vector<ListEntry> ListAfter(uint64_t after, size_t max) ABSL_LOCKS_EXCLUDED(mu_);

  // Cookies 1 and 2 are "." and ".."; entries start at 3.
  static constexpr uint64_t kFirstCookie = 3;

 protected:
  uint64_t SizeLocked() const override ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

 private:
  struct Entry {
    std::shared_ptr<TmpfsInode> inode;
    uint64_t cookie;
  };
  void InsertLocked(std::string name, std::shared_ptr<TmpfsInode> inode)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void EraseLocked(std::map<std::string, Entry, std::less<>>::iterator it)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  std::map<std::string, Entry, std::less<>> entries_ ABSL_GUARDED_BY(mu_);
  std::map<uint64_t, std::string> by_cookie_ ABSL_GUARDED_BY(mu_);
  uint64_t next_cookie_ ABSL_GUARDED_BY(mu_) = kFirstCookie;
};

class TmpfsSymlink : public TmpfsInode {
 public:
  TmpfsSymlink(FilesystemRef fs, const CreateRequest& req)
      : TmpfsInode(std::move(fs), req), target_(req.target) {}
  ErrnoOr<std::string> Readlink() override { return target_; }
  ErrnoOr<FileRef> Open(const Location& loc, int flags) override { return Errno(ELOOP); }

 protected:
  uint64_t SizeLocked() const override { return target_.size(); }

 private:
  const std::string target_;  // immutable
};

// A socket node: bind(2) made it; connect(2) finds the socket through it.
// Opening one is ENXIO, as Linux.
class TmpfsSocketNode : public TmpfsInode {
 public:
  TmpfsSocketNode(FilesystemRef fs, const CreateRequest& req)
      : TmpfsInode(std::move(fs), req), socket_(req.socket) {}
  std::shared_ptr<BoundSocket> bound_socket() override { return socket_.lock(); }
  ErrnoOr<FileRef> Open(const Location& loc, int flags) override { return Errno(ENXIO); }

 private:
  const std::weak_ptr<BoundSocket> socket_;  // immutable; the socket may be gone
};

class TmpfsFile : public TmpfsInode {
 public:
  TmpfsFile(FilesystemRef fs, const CreateRequest& req) : TmpfsInode(std::move(fs), req) {}
  ~TmpfsFile() override;

  ErrnoOr<FileRef> Open(const Location& loc, int flags) override;
  ErrnoStatus Truncate(uint64_t length) override ABSL_LOCKS_EXCLUDED(mu_);

  // MAP_SHARED: the memory-file range holding the data (tmpfs_data.h).
  ErrnoOr<MemoryRangeRef> SharedBacking(MemoryFile& mf, uint64_t min_length)
      ABSL_LOCKS_EXCLUDED(mu_);
  // Reads at `off`; updates atime (relatime).
  ErrnoOr<size_t> ReadAt(uint64_t off, HostIoVecs dst) ABSL_LOCKS_EXCLUDED(mu_);
  // Writes at `off` (at the end when `append`); returns the bytes written
  // and the offset after them. ENOSPC past the size= limit (partial if some fit).
  ErrnoOr<std::pair<size_t, uint64_t>> WriteAt(uint64_t off, HostIoVecs src, bool append)
      ABSL_LOCKS_EXCLUDED(mu_);
  uint64_t size() const ABSL_LOCKS_EXCLUDED(mu_);

 protected:
  uint64_t SizeLocked() const override ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return data_.size(); }

 private:
  ErrnoStatus ResizeLocked(uint64_t length) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  TmpfsFilesystem& tmpfs() const { return static_cast<TmpfsFilesystem&>(fs()); }

  TmpfsData data_ ABSL_GUARDED_BY(mu_);
};

// Opens the directory file of any TmpfsDir (tmpfs_file.cc).
FileRef NewTmpfsDirFile(const Location& loc, int flags);

}  // namespace sb::fs
