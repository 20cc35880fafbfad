// host_fd_file.cc: NewHostFdFile, a file over a host fd handed to the
// sandbox (stdio). Reads, writes, seeks and the terminal ioctls go to the
// host fd; anything else is ENOTTY and reported once.
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/statfs.h>
#include <sys/uio.h>
#include <unistd.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "fs/inode.h"
#include "fs/vfs.h"
#include "kernel/base/log_once.h"

namespace sb::fs {
namespace {

// sizeof(struct termios) of the kernel ABI (asm-generic/termbits.h): four
// tcflag_t, c_line and NCCS=19 control characters. glibc's is larger.
constexpr size_t kKernelTermiosSize = 36;

dev_t HostFdDev() {
  static const dev_t dev = AllocateAnonDev();
  return dev;
}

class HostFdFile : public FileDescription {
 public:
  HostFdFile(UniqueFd fd, int flags) : FileDescription(flags), fd_(std::move(fd)) {}

  ErrnoOr<size_t> Read(HostIoVecs dst, int64_t offset) override {
    if (!readable()) return Errno(EBADF);
    ssize_t n = offset < 0 ? readv(fd_.get(), dst.data(), static_cast<int>(dst.size()))
                           : preadv(fd_.get(), dst.data(), static_cast<int>(dst.size()), offset);
    if (n < 0) return HostErrno();
    return static_cast<size_t>(n);
  }

  ErrnoOr<size_t> Write(HostIoVecs src, int64_t offset) override {
    if (!writable()) return Errno(EBADF);
    ssize_t n = offset < 0 ? writev(fd_.get(), src.data(), static_cast<int>(src.size()))
                           : pwritev(fd_.get(), src.data(), static_cast<int>(src.size()), offset);
    if (n < 0) return HostErrno();
    return static_cast<size_t>(n);
  }

  // /proc/[pid]/fd links: host pipes and sockets as Linux names them; other
  // host files by inode only (their host paths are not the sandbox's).
  std::string AnonymousName() const override {
    struct stat st;
    if (fstat(fd_.get(), &st) < 0) return "host:[unknown]";
    const char* kind = S_ISFIFO(st.st_mode) ? "pipe" : S_ISSOCK(st.st_mode) ? "socket" : "host";
    return absl::StrCat(kind, ":[", st.st_ino, "]");
  }

  ErrnoStatus Sync(bool data_only) override {
    if ((data_only ? fdatasync(fd_.get()) : fsync(fd_.get())) < 0) return HostErrno();
    return Ok();
  }

  ErrnoOr<int64_t> Seek(int64_t offset, int whence) override {
    off_t r = lseek(fd_.get(), offset, whence);
    if (r < 0) return HostErrno();
    return static_cast<int64_t>(r);
  }

  ErrnoOr<struct stat> Stat() override {
    struct stat st;
    if (fstat(fd_.get(), &st) < 0) return HostErrno();
    st.st_dev = HostFdDev();
    return st;
  }

  ErrnoOr<struct statfs> StatFs() override {
    struct statfs sfs;
    if (fstatfs(fd_.get(), &sfs) < 0) return HostErrno();
    return sfs;
  }

  ErrnoOr<int64_t> Ioctl(uint32_t cmd, uint64_t arg, UserIo& io) override {
    alignas(8) unsigned char buf[64] = {};
    size_t in = 0, out = 0;
    switch (cmd) {
      case TCGETS:
        out = kKernelTermiosSize;
        break;
      case TCSETS:
      case TCSETSW:
      case TCSETSF:
        in = kKernelTermiosSize;
        break;
      case TIOCGWINSZ:
        out = sizeof(struct winsize);
        break;
      case TIOCSWINSZ:
        in = sizeof(struct winsize);
        break;
      case TIOCGPGRP:  // the host's answer; the task layer owns job control
      case FIONREAD:
        out = sizeof(int);
        break;
      default:
        ReportUnsupported(absl::StrFormat("ioctl 0x%x on host fd", cmd));
        return Errno(ENOTTY);
    }
    if (in > 0) SB_TRY(io.CopyIn(arg, buf, in));
    int r = ioctl(fd_.get(), cmd, buf);
    if (r < 0) return HostErrno();
    if (out > 0) SB_TRY(io.CopyOut(arg, buf, out));
    return int64_t{r};
  }

  uint32_t Readiness(uint32_t mask) override {
    struct pollfd p = {fd_.get(), static_cast<short>(mask | POLLIN | POLLOUT), 0};
    if (poll(&p, 1, 0) < 0) return 0;
    return static_cast<uint32_t>(p.revents) & mask;
  }

 private:
  const UniqueFd fd_;  // immutable; the host keeps the offset
};

}  // namespace

FileRef NewHostFdFile(UniqueFd fd, int flags) {
  return std::make_shared<HostFdFile>(std::move(fd), flags);
}

}  // namespace sb::fs
