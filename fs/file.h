// file.h: open file descriptions, the objects behind file descriptors.
//
// A FileDescription is what open(2) creates and dup(2) shares: status flags,
// a file offset and the operations. Descriptor tables hold FileRefs
// (shared_ptr); the description is released when the last reference goes
// (the last close), as Linux's `struct file` and its f_count.
//
// Operations never block: where Linux would sleep they return EAGAIN and the
// caller (the task layer) waits on wait_queue() for the readiness events and
// retries, unless O_NONBLOCK is set. Thread-safe: an implementation guards
// its own state.
#pragma once

#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>

#include "kernel/base/errno.h"
#include "kernel/base/memory_file.h"
#include "kernel/base/user_io.h"
#include "kernel/base/waiter.h"

namespace sb::fs {

class Mount;
class Dentry;
using MountRef = std::shared_ptr<Mount>;
using DentryRef = std::shared_ptr<Dentry>;

// A place in the filesystem tree: a dentry as seen through one mount
// (Linux's `struct path`, gVisor's VirtualDentry). Cheap to copy.
struct Location {
  MountRef mount;
  DentryRef dentry;
  bool valid() const { return mount && dentry; }
};

class FileDescription {
 public:
  // `flags` are the open(2) flags; the access mode and the status flags
  // (O_APPEND, O_NONBLOCK, O_DIRECT, O_NOATIME, O_ASYNC) are kept.
  explicit FileDescription(int flags);
  virtual ~FileDescription();
  FileDescription(const FileDescription&) = delete;
  FileDescription& operator=(const FileDescription&) = delete;

  // F_GETFL: the access mode plus status flags.
  int status_flags() const { return flags_.load(std::memory_order_relaxed); }
  // F_SETFL: changes only O_APPEND, O_NONBLOCK, O_DIRECT, O_NOATIME, O_ASYNC.
  void SetStatusFlags(int flags);
  bool readable() const;
  bool writable() const;
  bool nonblocking() const { return status_flags() & O_NONBLOCK; }

  // read/pread: `offset` < 0 means at the file offset, advancing it.
  // Returns 0 at end of file; EAGAIN when it would block.
  virtual ErrnoOr<size_t> Read(HostIoVecs dst, int64_t offset);
  // write/pwrite: as Read. O_APPEND writes at the end. EPIPE on a pipe with
  // no readers (the caller raises SIGPIPE).
  virtual ErrnoOr<size_t> Write(HostIoVecs src, int64_t offset);
  // lseek. ESPIPE by default.
  virtual ErrnoOr<int64_t> Seek(int64_t offset, int whence);
  virtual ErrnoOr<struct stat> Stat();
  // getdents64: fills `buf` with linux_dirent64 records from the current
  // position. ENOTDIR for non-directories; EINVAL if `buf` cannot hold one.
  virtual ErrnoOr<size_t> GetDents64(std::span<uint8_t> buf);
  // ioctl: ENOTTY by default. `io` reaches the caller's memory.
  virtual ErrnoOr<int64_t> Ioctl(uint32_t cmd, uint64_t arg, UserIo& io);
  // ftruncate. EINVAL by default (not a regular file).
  virtual ErrnoStatus Truncate(uint64_t length);

  // mmap(MAP_SHARED): the memory-file range that holds the file's bytes
  // [offset, offset+length), as (range, offset within it). Files whose data
  // is not memory-backed say ENODEV (the caller reports it).
  virtual ErrnoOr<std::pair<MemoryRangeRef, uint64_t>> MapShared(MemoryFile& mf, uint64_t offset,
                                                                 uint64_t length) {
    return Errno(ENODEV);
  }

  // Readiness: the subset of `mask` (POLLIN, POLLOUT, POLLHUP, ...) that
  // holds now. Always-ready files return `mask & (POLLIN|POLLOUT)`.
  virtual uint32_t Readiness(uint32_t mask);
  // Where readiness changes are announced; nullptr if it never changes.
  virtual WaitQueue* wait_queue() { return nullptr; }

  // Where this file sits in the tree, for fchdir, *at(fd, ...) and
  // /proc/[pid]/fd; empty for anonymous files (pipes, sockets).
  virtual std::optional<Location> location() const { return std::nullopt; }
  // A name for /proc/[pid]/fd links of anonymous files, e.g. "pipe:[12]".
  virtual std::string AnonymousName() const { return "anon_inode:[unknown]"; }

 private:
  std::atomic<int> flags_;
};

using FileRef = std::shared_ptr<FileDescription>;

}  // namespace sb::fs
