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
#include <sys/statfs.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>

#include "absl/synchronization/mutex.h"
#include "fs/attr.h"
#include "kernel/base/errno.h"
#include "kernel/base/memory_file.h"
#include "kernel/base/user_io.h"
#include "kernel/base/waiter.h"

namespace sb::fs {

class Mount;
class Dentry;
class FileLockContext;
using MountRef = std::shared_ptr<Mount>;
using DentryRef = std::shared_ptr<Dentry>;

// A place in the filesystem tree: a dentry as seen through one mount
// (Linux's `struct path`, gVisor's VirtualDentry). Cheap to copy.
struct Location {
  MountRef mount;
  DentryRef dentry;
  bool valid() const { return mount && dentry; }
};

// What mmap(MAP_SHARED) of a memory-backed file maps (FileDescription::MapShared).
struct SharedMapping {
  MemoryRangeRef range;  // the memory-file range holding the file's bytes
  uint64_t offset = 0;   // where in `range` the requested file offset lies
  // Kept by the mapping for its lifetime (a writable mapping of a memfd is
  // counted through it for F_SEAL_WRITE's EBUSY). May be null.
  std::shared_ptr<const void> hold;
  // The mapping may never become writable (a write-sealed memfd).
  bool deny_write = false;
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
  // fsync (fdatasync when `data_only`). EINVAL by default, as Linux for
  // files whose filesystem has no fsync (pipes, sockets, devices, proc).
  virtual ErrnoStatus Sync(bool data_only) { return Errno(EINVAL); }

  // fallocate(2) once the syscall layer has made Linux's vfs_fallocate()
  // checks (argument ranges, mode combinations, FMODE_WRITE, file type):
  // `mode` is FALLOC_FL_*. `fsize_limit` is the caller's RLIMIT_FSIZE (EFBIG
  // past it when the file would grow, as Linux's inode_newsize_ok()).
  // EOPNOTSUPP by default, as Linux for a file without f_op->fallocate.
  virtual ErrnoStatus Allocate(int mode, uint64_t offset, uint64_t length, uint64_t fsize_limit) {
    return Errno(EOPNOTSUPP);
  }
  // sync_file_range(2) after its argument checks. Nothing to write back by
  // default (memory-backed files).
  virtual ErrnoStatus SyncRange(int64_t offset, int64_t nbytes, unsigned flags) { return Ok(); }
  // posix_fadvise(2)/readahead(2) after the advice check: a hint, so a
  // no-op by default; host-backed files pass it on to the host.
  virtual ErrnoStatus Advise(int64_t offset, int64_t length, int advice) { return Ok(); }
  // Whether reads/writes honour RWF_NOWAIT (Linux's FMODE_NOWAIT): pipes,
  // sockets, eventfds and character devices do; tmpfs, proc do not.
  virtual bool SupportsNowait() const { return false; }
  // preadv2/pwritev2 on files whose data lives on the host: the host call
  // with the RWF_* `flags` as given, so the host filesystem answers them.
  // nullopt when the file is not host-backed (the syscall layer then
  // handles the flags itself).
  virtual std::optional<ErrnoOr<size_t>> HostReadV2(HostIoVecs dst, int64_t offset, int flags) {
    return std::nullopt;
  }
  virtual std::optional<ErrnoOr<size_t>> HostWriteV2(HostIoVecs src, int64_t offset, int flags) {
    return std::nullopt;
  }
  // pwritev2 with RWF_APPEND/RWF_NOAPPEND: Write with O_APPEND taken as
  // `append` instead of from the status flags. Files where appending means
  // nothing (pipes, sockets) ignore it.
  virtual ErrnoOr<size_t> WriteAppend(HostIoVecs src, int64_t offset, bool append) {
    return Write(src, offset);
  }

  // mmap(MAP_SHARED): the memory-file range that holds the file's bytes
  // [offset, offset+length). `want_write`: PROT_WRITE is asked for now (a
  // write-sealed memfd says EPERM). Files whose data is not memory-backed
  // say ENODEV (the caller reports it).
  virtual ErrnoOr<SharedMapping> MapShared(MemoryFile& mf, uint64_t offset, uint64_t length,
                                           bool want_write) {
    return Errno(ENODEV);
  }

  // fstatfs(2): the filesystem the file lives on. Anonymous files answer
  // for Linux's anon_inodefs.
  virtual ErrnoOr<struct statfs> StatFs();

  // fchmod/fchown/futimens of a file with no place in the tree (a pipe):
  // applies a change the caller checked (attr.h). EOPNOTSUPP by default
  // (Linux's one anon inode would change for every anonymous file at once).
  virtual ErrnoStatus SetAttr(const AttrChange& change) { return Errno(EOPNOTSUPP); }

  // open(2) of a FIFO blocks until the other end is opened too: EAGAIN
  // until then (the caller waits on wait_queue() unless O_NONBLOCK). Ok for
  // every other file.
  virtual ErrnoStatus OpenWait() { return Ok(); }

  // F_GET_SEALS / F_ADD_SEALS (memfd and tmpfs files). EINVAL elsewhere.
  // AddSeals: EPERM once F_SEAL_SEAL is set, EBUSY for F_SEAL_WRITE while
  // writable shared mappings exist; the caller checks that the description
  // is writable first.
  virtual ErrnoOr<unsigned> GetSeals() { return Errno(EINVAL); }
  virtual ErrnoStatus AddSeals(unsigned seals) { return Errno(EINVAL); }

  // The advisory-lock state of the file (locks.h), created on first use
  // when `create`. By default one context shared by every anonymous file,
  // as Linux's single anon inode.
  virtual std::shared_ptr<FileLockContext> LockContext(bool create);
  // This description now holds flock or OFD locks in `ctx`: they are
  // released at its last close (the destructor).
  void NoteLocksHeld(std::shared_ptr<FileLockContext> ctx) ABSL_LOCKS_EXCLUDED(held_mu_);

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
  // Where this description holds flock/OFD locks (one file, so one
  // context). Set once; read by the destructor.
  absl::Mutex held_mu_;
  std::shared_ptr<FileLockContext> held_locks_ ABSL_GUARDED_BY(held_mu_);
};

using FileRef = std::shared_ptr<FileDescription>;

// statfs f_flags bits (Linux's ST_* of include/linux/statfs.h).
inline constexpr long kStRdonly = 0x0001, kStNosuid = 0x0002, kStNodev = 0x0004, kStNoexec = 0x0008,
                      kStValid = 0x0020, kStRelatime = 0x1000;

// statfs of an in-kernel pseudo filesystem (Linux's simple_statfs): the
// magic, 4 KiB blocks, NAME_MAX names, nothing counted.
struct statfs SimpleStatFs(uint64_t magic);

}  // namespace sb::fs
