#include "fs/file.h"

#include <linux/magic.h>

#include "fs/locks.h"

namespace sb::fs {
namespace {
// The status flags F_SETFL may change (Linux's SETFL_MASK minus O_NOATIME's
// owner check, which the caller makes).
constexpr int kSettableFlags = O_APPEND | O_NONBLOCK | O_DIRECT | O_NOATIME | O_ASYNC;
// What a description keeps from the open(2) flags.
constexpr int kKeptFlags = O_ACCMODE | O_PATH | kSettableFlags | O_DSYNC | O_SYNC | O_LARGEFILE;
}  // namespace

FileDescription::FileDescription(int flags) : flags_(flags & kKeptFlags) {}

FileDescription::~FileDescription() {
  // The last close: this description's flock and OFD locks go.
  std::shared_ptr<FileLockContext> held;
  {
    absl::MutexLock lock(&held_mu_);
    held = std::move(held_locks_);
  }
  if (held) held->ReleaseFile(this);
}

void FileDescription::NoteLocksHeld(std::shared_ptr<FileLockContext> ctx) {
  absl::MutexLock lock(&held_mu_);
  if (!held_locks_) held_locks_ = std::move(ctx);
}

std::shared_ptr<FileLockContext> FileDescription::LockContext(bool create) {
  // Linux's anonymous files share one inode, and so its locks.
  static const auto anon = std::make_shared<FileLockContext>();
  return anon;
}

ErrnoOr<struct statfs> FileDescription::StatFs() { return SimpleStatFs(ANON_INODE_FS_MAGIC); }

struct statfs SimpleStatFs(uint64_t magic) {
  struct statfs sfs = {};
  sfs.f_type = static_cast<__fsword_t>(magic);
  sfs.f_bsize = 4096;
  sfs.f_frsize = 4096;
  sfs.f_namelen = 255;
  sfs.f_flags = kStValid;
  return sfs;
}

void FileDescription::SetStatusFlags(int flags) {
  int old = flags_.load(std::memory_order_relaxed);
  int desired;
  do {
    desired = (old & ~kSettableFlags) | (flags & kSettableFlags);
  } while (!flags_.compare_exchange_weak(old, desired, std::memory_order_relaxed));
}

bool FileDescription::readable() const {
  int f = status_flags();
  if (f & O_PATH) return false;
  int acc = f & O_ACCMODE;
  return acc == O_RDONLY || acc == O_RDWR;
}

bool FileDescription::writable() const {
  int f = status_flags();
  if (f & O_PATH) return false;
  int acc = f & O_ACCMODE;
  return acc == O_WRONLY || acc == O_RDWR;
}

ErrnoOr<size_t> FileDescription::Read(HostIoVecs dst, int64_t offset) { return Errno(EINVAL); }
ErrnoOr<size_t> FileDescription::Write(HostIoVecs src, int64_t offset) { return Errno(EINVAL); }
ErrnoOr<int64_t> FileDescription::Seek(int64_t offset, int whence) { return Errno(ESPIPE); }
ErrnoOr<struct stat> FileDescription::Stat() { return Errno(EINVAL); }
ErrnoOr<size_t> FileDescription::GetDents64(std::span<uint8_t> buf) { return Errno(ENOTDIR); }
ErrnoOr<int64_t> FileDescription::Ioctl(uint32_t cmd, uint64_t arg, UserIo& io) {
  return Errno(ENOTTY);
}
ErrnoStatus FileDescription::Truncate(uint64_t length) { return Errno(EINVAL); }
uint32_t FileDescription::Readiness(uint32_t mask) { return mask & (POLLIN | POLLOUT); }

}  // namespace sb::fs
