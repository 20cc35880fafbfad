// tmpfs_inode.h: the inodes of tmpfs (and devfs, which is a tmpfs).
//
// TmpfsInode holds the attributes every tmpfs inode has (mode, owner, link
// count, timestamps, extended attributes) under its mutex; TmpfsDir holds
// its entries (each with a cookie that is its stable getdents offset),
// TmpfsFile its data in a TmpfsData store and its memfd seals,
// TmpfsSymlink its target, TmpfsNode a FIFO's pipe (or a socket or device
// node). Directories hold their children; dentries and open files hold
// inodes. Used by tmpfs.cc, tmpfs_file.cc, tmpfs_node.cc, memfd.cc and
// devfs.cc.
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
#include "fs/attr.h"
#include "fs/inode.h"
#include "fs/pipe.h"
#include "fs/tmpfs_data.h"
#include "fs/xattr.h"

namespace sb::fs {

// One tmpfs instance (Linux: shmem_sb_info). Counts the pages its files use
// against the size= limit.
class TmpfsFilesystem : public Filesystem {
 public:
  TmpfsFilesystem(std::string type, uint64_t max_bytes, uint64_t max_inodes = 0)
      : Filesystem(std::move(type)), max_bytes_(max_bytes), max_inodes_(max_inodes) {}
  // Charges (or with a negative delta, returns) bytes; ENOSPC past the limit.
  ErrnoStatus Charge(int64_t delta);
  // TMPFS_MAGIC; the size= limit (or, without one, half the host's memory,
  // Linux's default size) in 4 KiB blocks; inodes against Linux's default
  // nr_inodes.
  ErrnoOr<struct statfs> StatFs() override;
  // Counts live inodes (TmpfsInode's constructor and destructor).
  void InodeCreated() { live_inodes_.fetch_add(1, std::memory_order_relaxed); }
  void InodeDestroyed() { live_inodes_.fetch_sub(1, std::memory_order_relaxed); }
  // Whether another inode fits under nr_inodes= (ENOSPC otherwise). Racy by
  // one against concurrent creations, as the limit is advisory in size.
  bool InodeFits() const { return max_inodes_ == 0 || live_inodes_.load() < max_inodes_; }

 private:
  const uint64_t max_bytes_;   // immutable; 0 = unlimited
  const uint64_t max_inodes_;  // immutable; nr_inodes=, 0 = Linux's default
  std::atomic<uint64_t> used_bytes_{0};
  std::atomic<uint64_t> live_inodes_{0};
};

class TmpfsInode : public Inode {
 public:
  TmpfsInode(FilesystemRef fs, const CreateRequest& req);
  ~TmpfsInode() override;

  uint64_t ino() const { return ino_; }
  mode_t file_type() const { return type_; }
  ErrnoOr<struct stat> Stat() override ABSL_LOCKS_EXCLUDED(mu_);
  ErrnoStatus SetAttr(const AttrChange& change) override ABSL_LOCKS_EXCLUDED(mu_);
  ErrnoOr<std::string> GetXattr(std::string_view name) override ABSL_LOCKS_EXCLUDED(mu_);
  ErrnoStatus SetXattr(std::string_view name, std::string_view value, int flags) override
      ABSL_LOCKS_EXCLUDED(mu_);
  ErrnoOr<std::vector<std::string>> ListXattr() override ABSL_LOCKS_EXCLUDED(mu_);
  ErrnoStatus RemoveXattr(std::string_view name) override ABSL_LOCKS_EXCLUDED(mu_);

  void IncLinks() ABSL_LOCKS_EXCLUDED(mu_);
  void DecLinks() ABSL_LOCKS_EXCLUDED(mu_);
  // Updates the named timestamps to now.
  void Touch(bool atime, bool mtime, bool ctime) ABSL_LOCKS_EXCLUDED(mu_);

 protected:
  virtual uint64_t SizeLocked() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return 0; }
  // Bytes of storage in use (st_blocks * 512); the size by default.
  virtual uint64_t BlocksBytesLocked() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return SizeLocked();
  }
  void TouchLocked(bool atime, bool mtime, bool ctime) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // relatime: atime moves only if it is older than mtime/ctime or a day.
  void TouchAtimeLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const uint64_t ino_;  // immutable
  const mode_t type_;   // immutable: S_IFMT bits
  const dev_t rdev_;    // immutable
  mutable absl::Mutex mu_;
  InodeAttrs attrs_ ABSL_GUARDED_BY(mu_);
  nlink_t nlink_ ABSL_GUARDED_BY(mu_);
  XattrMap xattrs_ ABSL_GUARDED_BY(mu_);  // plain data, saved with the inode

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

// F_SEAL_EXEC (Linux 6.3; newer than our headers): the execute bits are fixed.
inline constexpr unsigned kSealExec = 0x0020;

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
  // F_SEAL_EXEC forbids changing the execute bits.
  ErrnoStatus SetAttr(const AttrChange& change) override ABSL_LOCKS_EXCLUDED(mu_);

  // MAP_SHARED: the memory-file range holding the data (tmpfs_data.h).
  // `want_write`: PROT_WRITE now (EPERM under F_SEAL_WRITE or
  // F_SEAL_FUTURE_WRITE); `may_write`: the mapping could become writable
  // (counted for F_SEAL_WRITE's EBUSY through the returned hold).
  ErrnoOr<SharedMapping> MapShared(MemoryFile& mf, uint64_t offset, uint64_t length,
                                   bool want_write, bool may_write) ABSL_LOCKS_EXCLUDED(mu_);

  // Seals (memfd_create(2), fcntl F_ADD_SEALS): a file made by open(2) is
  // born with F_SEAL_SEAL, a sealable memfd with none.
  unsigned seals() const ABSL_LOCKS_EXCLUDED(mu_);
  void set_seals(unsigned seals) ABSL_LOCKS_EXCLUDED(mu_);
  // Adds `seals` (valid bits, checked by the caller): EPERM once
  // F_SEAL_SEAL is set; EBUSY for F_SEAL_WRITE while writable shared
  // mappings exist.
  ErrnoStatus AddSeals(unsigned seals) ABSL_LOCKS_EXCLUDED(mu_);
  // Reads at `off`; updates atime (relatime).
  ErrnoOr<size_t> ReadAt(uint64_t off, HostIoVecs dst) ABSL_LOCKS_EXCLUDED(mu_);
  // Writes at `off` (at the end when `append`); returns the bytes written
  // and the offset after them. ENOSPC past the size= limit (partial if some fit).
  ErrnoOr<std::pair<size_t, uint64_t>> WriteAt(uint64_t off, HostIoVecs src, bool append)
      ABSL_LOCKS_EXCLUDED(mu_);
  uint64_t size() const ABSL_LOCKS_EXCLUDED(mu_);
  // fallocate(2) (Linux's shmem_fallocate), after the VFS checks.
  ErrnoStatus Allocate(int mode, uint64_t offset, uint64_t length, uint64_t fsize_limit)
      ABSL_LOCKS_EXCLUDED(mu_);

 protected:
  uint64_t SizeLocked() const override ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return data_.size(); }
  uint64_t BlocksBytesLocked() const override ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

 private:
  ErrnoStatus ResizeLocked(uint64_t length) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  TmpfsFilesystem& tmpfs() const { return static_cast<TmpfsFilesystem&>(fs()); }

  TmpfsData data_ ABSL_GUARDED_BY(mu_);
  // F_SEAL_* bits; plain data a checkpoint saves with the file.
  unsigned seals_ ABSL_GUARDED_BY(mu_) = F_SEAL_SEAL;
  // Held by every writable shared mapping: use_count() - 1 of them exist
  // (Linux: i_mmap_writable). Made on the first such mapping.
  std::shared_ptr<const int> map_hold_ ABSL_GUARDED_BY(mu_);
  // The end of the furthest allocation (fallocate), which may lie past the
  // size with FALLOC_FL_KEEP_SIZE: pages up to max(size, alloc_end_) are
  // counted. Saved with the file.
  uint64_t alloc_end_ ABSL_GUARDED_BY(mu_) = 0;
};

// A FIFO, socket or device node made by mknod(2). A FIFO's ends share one
// pipe while any is open (Linux's fifo_open; the data goes with the last
// close); a socket node cannot be opened (ENXIO); a device node opens one
// of devfs's devices or fails with ENXIO, never a host device.
class TmpfsNode : public TmpfsInode {
 public:
  TmpfsNode(FilesystemRef fs, const CreateRequest& req) : TmpfsInode(std::move(fs), req) {}
  ErrnoOr<FileRef> Open(const Location& loc, int flags) override ABSL_LOCKS_EXCLUDED(mu_);

 private:
  std::weak_ptr<Pipe> pipe_ ABSL_GUARDED_BY(mu_);  // a FIFO's pipe while open
};

// Opens the directory file of any TmpfsDir (tmpfs_file.cc).
FileRef NewTmpfsDirFile(const Location& loc, int flags);

}  // namespace sb::fs
