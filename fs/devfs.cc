// devfs.cc: our minimal devtmpfs (Linux's drivers/char/mem.c devices and
// random.c), built as a tmpfs with device inodes.
#include "fs/devfs.h"

#include <sys/random.h>
#include <sys/sysmacros.h>

#include <atomic>
#include <cstring>
#include <string>

#include "fs/tmpfs.h"
#include "fs/tmpfs_inode.h"
#include "fs/vfs_file.h"
#include "kernel/base/log_once.h"

namespace sb::fs {
namespace {

enum class Device { kNull, kZero, kFull, kRandom, kURandom };

class DeviceFile : public VfsFile {
 public:
  DeviceFile(const Location& loc, int flags, Device dev) : VfsFile(loc, flags), dev_(dev) {}
  bool SupportsNowait() const override { return true; }  // Linux: FMODE_NOWAIT

  ErrnoOr<size_t> Read(HostIoVecs dst, int64_t offset) override {
    if (!readable()) return Errno(EBADF);
    if (dev_ == Device::kNull) return size_t{0};
    size_t done = 0;
    for (const struct iovec& v : dst) {
      if (dev_ == Device::kZero || dev_ == Device::kFull) {
        std::memset(v.iov_base, 0, v.iov_len);
        done += v.iov_len;
        continue;
      }
      size_t got = 0;
      while (got < v.iov_len) {
        ssize_t n = getrandom(static_cast<uint8_t*>(v.iov_base) + got, v.iov_len - got, 0);
        if (n < 0) {
          if (errno == EINTR) continue;
          if (done + got > 0) return done + got;
          return HostErrno();
        }
        got += static_cast<size_t>(n);
      }
      done += got;
    }
    return done;
  }

  ErrnoOr<size_t> Write(HostIoVecs src, int64_t offset) override {
    if (!writable()) return Errno(EBADF);
    if (dev_ == Device::kFull) return Errno(ENOSPC);
    return TotalLength(src);  // null, zero, random: accepted and dropped
  }

  // Linux's null_lseek/noop_llseek: the position stays 0.
  ErrnoOr<int64_t> Seek(int64_t offset, int whence) override { return int64_t{0}; }

 private:
  const Device dev_;  // immutable
};

class DeviceInode : public TmpfsInode {
 public:
  DeviceInode(FilesystemRef fs, const CreateRequest& req, Device dev)
      : TmpfsInode(std::move(fs), req), dev_(dev) {}
  ErrnoOr<FileRef> Open(const Location& loc, int flags) override {
    return FileRef(std::make_shared<DeviceFile>(loc, flags, dev_));
  }

 private:
  const Device dev_;  // immutable
};

struct DevSpec {
  const char* name;
  Device dev;
  unsigned minor;  // of major 1 (Linux's mem devices)
};
constexpr DevSpec kDevices[] = {{"null", Device::kNull, 3},
                                {"zero", Device::kZero, 5},
                                {"full", Device::kFull, 7},
                                {"random", Device::kRandom, 8},
                                {"urandom", Device::kURandom, 9}};

std::atomic<TtyDriver*> g_tty_driver{nullptr};

// /dev/ptmx, /dev/pts/ptmx and /dev/tty: opened by the kernel's driver.
class TtyNodeInode : public TmpfsInode {
 public:
  // `pts` is null for /dev/tty.
  TtyNodeInode(FilesystemRef fs, const CreateRequest& req, DevptsRef pts)
      : TmpfsInode(std::move(fs), req), pts_(std::move(pts)) {}
  ErrnoOr<FileRef> Open(const Location& loc, int flags) override {
    TtyDriver* d = g_tty_driver.load(std::memory_order_acquire);
    if (d == nullptr) return Errno(ENXIO);
    return pts_ ? d->OpenPtmx(pts_, loc, flags) : d->OpenTty(loc, flags);
  }

 private:
  const DevptsRef pts_;  // immutable
};

// /dev/pts/N: opens the replica of terminal N.
class PtsNodeInode : public TmpfsInode {
 public:
  PtsNodeInode(FilesystemRef fs, const CreateRequest& req, Devpts::Opener open)
      : TmpfsInode(std::move(fs), req), open_(std::move(open)) {}
  ErrnoOr<FileRef> Open(const Location& loc, int flags) override { return open_(loc, flags); }

 private:
  const Devpts::Opener open_;  // immutable
};

constexpr int kPtyMax = 4096;        // /proc/sys/kernel/pty/max
constexpr unsigned kPtsMajor = 136;  // UNIX98_PTY_SLAVE_MAJOR
constexpr gid_t kTtyGid = 5;         // devpts's gid=5 mount option

}  // namespace

ErrnoOr<FileRef> OpenDeviceNode(mode_t type, dev_t rdev, const Location& loc, int flags) {
  if (S_ISCHR(type) && major(rdev) == 1) {
    for (const DevSpec& d : kDevices) {
      if (minor(rdev) == d.minor) return FileRef(std::make_shared<DeviceFile>(loc, flags, d.dev));
    }
  }
  ReportUnsupported("open of a device other than null, zero, full, random, urandom");
  return Errno(ENXIO);
}

void SetTtyDriver(TtyDriver* driver) { g_tty_driver.store(driver, std::memory_order_release); }

ErrnoOr<int> Devpts::Add(uid_t uid, Opener open) {
  std::shared_ptr<TmpfsDir> dir = dir_.lock();
  if (!dir) return Errno(ENXIO);
  absl::MutexLock lock(&mu_);
  int index = 0;
  while (used_.count(index)) ++index;
  if (index >= kPtyMax) return Errno(ENOSPC);
  CreateRequest req{S_IFCHR | 0620, uid, kTtyGid, {}, makedev(kPtsMajor, index)};
  SB_TRY(dir->AddChild(std::to_string(index),
                       std::make_shared<PtsNodeInode>(dir->fs_ref(), req, std::move(open))));
  used_.insert(index);
  return index;
}

void Devpts::Remove(int index) {
  std::shared_ptr<TmpfsDir> dir = dir_.lock();
  absl::MutexLock lock(&mu_);
  if (dir) (void)dir->RemoveChild(std::to_string(index), /*dir=*/false);
  used_.erase(index);
}

InodeRef Devpts::dir() const { return dir_.lock(); }

ErrnoOr<InodeRef> NewDevfs(std::string_view data) {
  SB_ASSIGN_OR_RETURN(InodeRef root_inode, NewTmpfs(data.empty() ? "mode=0755" : data));
  auto root = std::static_pointer_cast<TmpfsDir>(root_inode);
  FilesystemRef fs = root->fs_ref();
  for (const DevSpec& d : kDevices) {
    CreateRequest req{S_IFCHR | 0666, 0, 0, {}, makedev(1, d.minor)};
    SB_TRY(root->AddChild(d.name, std::make_shared<DeviceInode>(fs, req, d.dev)));
  }
  // Terminals: /dev/tty (5:0), /dev/ptmx (5:2) and the pts directory with
  // its own ptmx, mode 0000 as Linux's devpts makes it by default
  // (ptmxmode=000): programs use /dev/ptmx.
  CreateRequest pts_req{S_IFDIR | 0755, 0, 0, {}};
  auto pts_dir = std::make_shared<TmpfsDir>(fs, pts_req);
  auto devpts = std::make_shared<Devpts>(pts_dir);
  CreateRequest tty_req{S_IFCHR | 0666, 0, kTtyGid, {}, makedev(5, 0)};
  SB_TRY(root->AddChild("tty", std::make_shared<TtyNodeInode>(fs, tty_req, nullptr)));
  CreateRequest ptmx_req{S_IFCHR | 0666, 0, kTtyGid, {}, makedev(5, 2)};
  SB_TRY(root->AddChild("ptmx", std::make_shared<TtyNodeInode>(fs, ptmx_req, devpts)));
  CreateRequest pts_ptmx_req{S_IFCHR | 0000, 0, 0, {}, makedev(5, 2)};
  SB_TRY(pts_dir->AddChild("ptmx", std::make_shared<TtyNodeInode>(fs, pts_ptmx_req, devpts)));
  SB_TRY(root->AddChild("pts", pts_dir));
  struct LinkSpec {
    const char* name;
    const char* target;
  };
  static constexpr LinkSpec kLinks[] = {{"fd", "/proc/self/fd"},
                                        {"stdin", "/proc/self/fd/0"},
                                        {"stdout", "/proc/self/fd/1"},
                                        {"stderr", "/proc/self/fd/2"}};
  for (const LinkSpec& l : kLinks) {
    CreateRequest req{S_IFLNK | 0777, 0, 0, l.target};
    SB_TRY(root->AddChild(l.name, std::make_shared<TmpfsSymlink>(fs, req)));
  }
  return root_inode;
}

}  // namespace sb::fs
