#include "fs/pipe.h"

#include <sys/ioctl.h>

#include <algorithm>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "fs/inode.h"
#include "fs/vfs.h"
#include "kernel/base/abi.h"

namespace sb::fs {
namespace {

constexpr size_t kPipeBuf = abi::kPipeBuf;

// pipefs: one device number and one inode-number space for every pipe.
dev_t PipefsDev() {
  static const dev_t dev = AllocateAnonDev();
  return dev;
}
uint64_t NextPipeIno() {
  static std::atomic<uint64_t> next{1};
  return next.fetch_add(1, std::memory_order_relaxed);
}

class PipeFile : public FileDescription {
 public:
  PipeFile(std::shared_ptr<Pipe> pipe, bool read_end, int flags)
      : FileDescription(flags), pipe_(std::move(pipe)), read_end_(read_end) {
    pipe_->AddEnd(read_end_);
  }
  ~PipeFile() override { pipe_->ReleaseEnd(read_end_); }

  ErrnoOr<size_t> Read(HostIoVecs dst, int64_t offset) override {
    if (!readable()) return Errno(EBADF);
    if (offset >= 0) return Errno(ESPIPE);
    return pipe_->Read(dst);
  }
  ErrnoOr<size_t> Write(HostIoVecs src, int64_t offset) override {
    if (!writable()) return Errno(EBADF);
    if (offset >= 0) return Errno(ESPIPE);
    return pipe_->Write(src, status_flags() & O_DIRECT);
  }
  ErrnoOr<struct stat> Stat() override { return pipe_->Stat(); }
  Pipe& pipe() { return *pipe_; }
  ErrnoOr<int64_t> Ioctl(uint32_t cmd, uint64_t arg, UserIo& io) override {
    if (cmd != FIONREAD) return Errno(ENOTTY);  // as Linux's pipe_ioctl
    int n = static_cast<int>(pipe_->Available());
    SB_TRY(io.CopyOut(arg, &n, sizeof(n)));
    return int64_t{0};
  }
  uint32_t Readiness(uint32_t mask) override { return pipe_->Readiness(read_end_, mask); }
  WaitQueue* wait_queue() override { return pipe_->queue(); }
  std::string AnonymousName() const override { return absl::StrCat("pipe:[", pipe_->ino(), "]"); }

 private:
  const std::shared_ptr<Pipe> pipe_;  // immutable
  const bool read_end_;               // immutable
};

}  // namespace

Pipe::Pipe() : ino_(NextPipeIno()) {
  absl::MutexLock lock(&mu_);
  ring_.resize(abi::kPipeDefaultSize);
  atime_ = mtime_ = ctime_ = NowTimespec();
}

void Pipe::AddEnd(bool read_end) {
  absl::MutexLock lock(&mu_);
  ++(read_end ? readers_ : writers_);
}

void Pipe::ReleaseEnd(bool read_end) {
  bool last;
  {
    absl::MutexLock lock(&mu_);
    last = --(read_end ? readers_ : writers_) == 0;
  }
  if (!last) return;
  // The last writer gone: readers see EOF (POLLHUP); the last reader gone:
  // writers see EPIPE (POLLERR). Linux's pipe_release().
  queue_.Notify(read_end ? (POLLOUT | POLLWRNORM | POLLERR) : (POLLIN | POLLRDNORM | POLLHUP));
}

size_t Pipe::Capacity() const {
  absl::MutexLock lock(&mu_);
  return ring_.size();
}

// Linux's pipe_set_size() with round_pipe_size() and pipe_resize_ring().
ErrnoOr<size_t> Pipe::SetCapacity(unsigned int requested, bool cap_sys_resource) {
  if (requested > (1U << 31)) return Errno(EINVAL);
  size_t size = abi::kPageSize;
  while (size < requested) size <<= 1;
  {
    absl::MutexLock lock(&mu_);
    if (size > ring_.size() && size > kPipeMaxSize && !cap_sys_resource) return Errno(EPERM);
    if (size_ > size) return Errno(EBUSY);
    if (size == ring_.size()) return size;
    // Move the buffered bytes to the start of a new ring.
    std::vector<uint8_t> ring(size);
    for (size_t i = 0; i < size_; ++i) ring[i] = ring_[(head_ + i) % ring_.size()];
    ring_ = std::move(ring);
    head_ = 0;
  }
  // More room may make the write end writable.
  queue_.Notify(POLLOUT | POLLWRNORM);
  return size;
}

size_t Pipe::Available() const {
  absl::MutexLock lock(&mu_);
  return size_;
}

void Pipe::CopyOutLocked(HostIoVecs dst, size_t dst_off, size_t from, size_t n) const {
  size_t skipped = 0;
  for (const struct iovec& v : dst) {
    if (n == 0) return;
    if (skipped + v.iov_len <= dst_off) {
      skipped += v.iov_len;
      continue;
    }
    size_t in_v = dst_off - skipped;  // where in this iovec to start
    size_t k = std::min(v.iov_len - in_v, n);
    for (size_t copied = 0; copied < k;) {
      size_t idx = (head_ + from + copied) % ring_.size();
      size_t chunk = std::min(k - copied, ring_.size() - idx);
      std::memcpy(static_cast<uint8_t*>(v.iov_base) + in_v + copied, ring_.data() + idx, chunk);
      copied += chunk;
    }
    from += k;
    dst_off += k;
    n -= k;
    skipped += v.iov_len;
  }
}

// Linux's pipe_read(): stream data up to `want`; a packet ends the read and
// what of it does not fit is discarded.
ErrnoOr<size_t> Pipe::Read(HostIoVecs dst) {
  size_t want = TotalLength(dst);
  if (want == 0) return size_t{0};
  size_t done = 0;
  {
    absl::MutexLock lock(&mu_);
    if (size_ == 0) {
      if (writers_ == 0) return size_t{0};
      return Errno(EAGAIN);
    }
    while (done < want && !segments_.empty()) {
      Segment& seg = segments_.front();
      size_t k = std::min(want - done, seg.len);
      CopyOutLocked(dst, done, 0, k);
      done += k;
      size_t drop = seg.packet ? seg.len : k;
      head_ = (head_ + drop) % ring_.size();
      size_ -= drop;
      seg.len -= drop;
      bool packet = seg.packet;
      if (seg.len == 0) segments_.pop_front();
      if (packet) break;
    }
    atime_ = NowTimespec();
  }
  queue_.Notify(POLLOUT | POLLWRNORM);
  return done;
}

ErrnoOr<size_t> Pipe::Write(HostIoVecs src, bool packet) {
  size_t len = TotalLength(src);
  if (len == 0) return size_t{0};
  size_t n;
  {
    absl::MutexLock lock(&mu_);
    if (readers_ == 0) return Errno(EPIPE);
    size_t space = ring_.size() - size_;
    if (len <= kPipeBuf) {
      if (space < len) return Errno(EAGAIN);  // all or nothing (PIPE_BUF)
      n = len;
    } else {
      if (space == 0) return Errno(EAGAIN);
      n = std::min(space, len);
    }
    size_t done = 0;
    for (const struct iovec& v : src) {
      size_t k = std::min(v.iov_len, n - done);
      for (size_t copied = 0; copied < k;) {
        size_t idx = (head_ + size_ + done + copied) % ring_.size();
        size_t chunk = std::min(k - copied, ring_.size() - idx);
        std::memcpy(ring_.data() + idx, static_cast<const uint8_t*>(v.iov_base) + copied, chunk);
        copied += chunk;
      }
      done += k;
      if (done == n) break;
    }
    if (packet) {
      for (size_t off = 0; off < n; off += kPipeBuf) {
        segments_.push_back({std::min(kPipeBuf, n - off), true});
      }
    } else if (!segments_.empty() && !segments_.back().packet) {
      segments_.back().len += n;
    } else {
      segments_.push_back({n, false});
    }
    size_ += n;
    mtime_ = ctime_ = NowTimespec();
  }
  queue_.Notify(POLLIN | POLLRDNORM);
  return n;
}

uint32_t Pipe::Readiness(bool read_end, uint32_t mask) {
  absl::MutexLock lock(&mu_);
  uint32_t r = 0;
  if (read_end) {
    if (size_ > 0) r |= POLLIN | POLLRDNORM;
    if (writers_ == 0) r |= POLLHUP;
  } else {
    // Linux reports writable while a page slot is free.
    if (ring_.size() - size_ >= kPipeBuf) r |= POLLOUT | POLLWRNORM;
    if (readers_ == 0) r |= POLLERR;
  }
  return r & mask;
}

struct stat Pipe::Stat() const {
  struct stat st = {};
  absl::MutexLock lock(&mu_);
  st.st_dev = PipefsDev();
  st.st_ino = ino_;
  st.st_mode = S_IFIFO | 0600;
  st.st_nlink = 1;
  st.st_blksize = 4096;
  st.st_atim = atime_;
  st.st_mtim = mtime_;
  st.st_ctim = ctime_;
  return st;
}

Pipe* AsPipe(FileDescription& f) {
  auto* end = dynamic_cast<PipeFile*>(&f);
  return end ? &end->pipe() : nullptr;
}

std::pair<FileRef, FileRef> NewPipe(int flags) {
  auto pipe = std::make_shared<Pipe>();
  int status = flags & (O_NONBLOCK | O_DIRECT);
  return {std::make_shared<PipeFile>(pipe, /*read_end=*/true, O_RDONLY | status),
          std::make_shared<PipeFile>(pipe, /*read_end=*/false, O_WRONLY | status)};
}

}  // namespace sb::fs
