// vfs_file.h: helpers shared by the files of tree-backed filesystems.
//
// VfsFile is the base of every FileDescription opened from a Location
// (tmpfs, host, devfs files): it holds the location (and so the dentry,
// inode and mount alive) and answers Stat() and location(). PathFile is
// what O_PATH opens. PutDirent64 encodes one linux_dirent64 record.
// Used by namespace.cc, tmpfs, host_fs and devfs.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "fs/dentry.h"
#include "fs/file.h"

namespace sb::fs {

class VfsFile : public FileDescription {
 public:
  // Files opened for I/O (not O_PATH) report IN_CLOSE_* when released
  // (inotify.h).
  VfsFile(const Location& loc, int flags);
  ~VfsFile() override;
  std::optional<Location> location() const override { return loc_; }
  ErrnoOr<struct stat> Stat() override { return inode().Stat(); }
  ErrnoOr<struct statfs> StatFs() override;
  std::shared_ptr<FileLockContext> LockContext(bool create) override {
    return inode().LockContext(create);
  }
  Inode& inode() const { return *loc_.dentry->inode(); }

 protected:
  // inotify: IN_ACCESS after a read that returned data, IN_MODIFY after a
  // write that wrote some or a truncate that succeeded (Linux's vfs_read,
  // vfs_write, do_truncate). Return their argument.
  ErrnoOr<size_t> NotifyRead(ErrnoOr<size_t> r);
  ErrnoOr<size_t> NotifyWrite(ErrnoOr<size_t> r);
  ErrnoStatus NotifyTruncate(ErrnoStatus r);
  // getdents: IN_ACCESS after every successful call (Linux's iterate_dir).
  ErrnoOr<size_t> NotifyDirRead(ErrnoOr<size_t> r);

  const Location loc_;  // immutable
  const bool notify_;   // immutable: not O_PATH
};

// O_PATH: only names a location. I/O gives EBADF, as Linux's empty f_op.
class PathFile : public VfsFile {
 public:
  using VfsFile::VfsFile;
  ErrnoOr<size_t> Read(HostIoVecs, int64_t) override { return Errno(EBADF); }
  ErrnoOr<size_t> Write(HostIoVecs, int64_t) override { return Errno(EBADF); }
  ErrnoOr<int64_t> Seek(int64_t, int) override { return Errno(EBADF); }
  ErrnoOr<size_t> GetDents64(std::span<uint8_t>) override { return Errno(EBADF); }
  ErrnoOr<int64_t> Ioctl(uint32_t, uint64_t, UserIo&) override { return Errno(EBADF); }
  ErrnoStatus Truncate(uint64_t) override { return Errno(EBADF); }
  uint32_t Readiness(uint32_t mask) override { return POLLNVAL & mask; }
};

// statfs(2) of the filesystem at `loc`, with the mount's flags (ST_RDONLY,
// ST_NOSUID, ST_NODEV, ST_NOEXEC) added.
ErrnoOr<struct statfs> StatFsAt(const Location& loc);

// Appends one linux_dirent64 to `buf` at `*used`; false if it does not fit.
bool PutDirent64(std::span<uint8_t> buf, size_t* used, uint64_t ino, int64_t off, uint8_t type,
                 std::string_view name);

// DT_* for a st_mode.
uint8_t DirentType(mode_t mode);

// Reads the regular-file/offset arithmetic of lseek for a file of `size`
// at `cur`: SEEK_SET/CUR/END/DATA/HOLE (no holes: data up to size).
ErrnoOr<int64_t> SeekInFile(int64_t cur, int64_t size, int64_t offset, int whence);
// lseek where only SEEK_SET and SEEK_CUR mean something (directories,
// Linux's seq_file): the new position from `cur`, EINVAL otherwise.
ErrnoOr<int64_t> SeekSetOrCur(int64_t cur, int64_t offset, int whence);

}  // namespace sb::fs
