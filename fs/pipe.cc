#include "fs/pipe.h"

#include <linux/magic.h>
#include <sys/ioctl.h>

#include <algorithm>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "fs/dentry.h"
#include "fs/inode.h"
#include "fs/vfs.h"
#include "fs/vfs_file.h"
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

// One open description of a pipe: an anonymous pipe's read or write end,
// or a FIFO opened by name (then also the node's location, and with O_RDWR
// both ends at once).
class PipeFile : public FileDescription {
 public:
  PipeFile(std::shared_ptr<Pipe> pipe, int flags, std::optional<Location> loc)
      : FileDescription(flags),
        pipe_(std::move(pipe)),
        loc_(std::move(loc)),
        reader_(readable()),
        writer_(writable()),
        seen_reader_opens_(pipe_->opens(/*read_end=*/true)),
        seen_writer_opens_(pipe_->opens(/*read_end=*/false)) {
    if (reader_) pipe_->AddEnd(/*read_end=*/true);
    if (writer_) pipe_->AddEnd(/*read_end=*/false);
  }
  ~PipeFile() override {
    if (reader_) pipe_->ReleaseEnd(/*read_end=*/true);
    if (writer_) pipe_->ReleaseEnd(/*read_end=*/false);
  }

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
  ErrnoOr<struct stat> Stat() override {
    if (loc_) return loc_->dentry->inode()->Stat();
    return pipe_->Stat();
  }
  ErrnoOr<struct statfs> StatFs() override {
    if (loc_) return StatFsAt(*loc_);
    return SimpleStatFs(PIPEFS_MAGIC);
  }
  std::shared_ptr<FileLockContext> LockContext(bool create) override {
    if (loc_) return loc_->dentry->inode()->LockContext(create);
    return pipe_->locks();
  }
  // Linux's wait_for_partner() in fifo_open().
  ErrnoStatus OpenWait() override {
    if (!loc_ || (reader_ && writer_) || nonblocking()) return Ok();
    bool ready = reader_ ? pipe_->HasPartner(/*read_end=*/true, seen_writer_opens_)
                         : pipe_->HasPartner(/*read_end=*/false, seen_reader_opens_);
    return ready ? Ok() : Errno(EAGAIN);
  }
  Pipe& pipe() { return *pipe_; }
  ErrnoOr<int64_t> Ioctl(uint32_t cmd, uint64_t arg, UserIo& io) override {
    if (cmd != FIONREAD) return Errno(ENOTTY);  // as Linux's pipe_ioctl
    int n = static_cast<int>(pipe_->Available());
    SB_TRY(io.CopyOut(arg, &n, sizeof(n)));
    return int64_t{0};
  }
  bool SupportsNowait() const override { return true; }  // Linux: FMODE_NOWAIT
  uint32_t Readiness(uint32_t mask) override {
    uint32_t r = 0;
    if (reader_) r |= pipe_->Readiness(/*read_end=*/true, mask);
    if (writer_) r |= pipe_->Readiness(/*read_end=*/false, mask);
    return r;
  }
  WaitQueue* wait_queue() override { return pipe_->queue(); }
  ErrnoStatus SetAttr(const AttrChange& change) override {
    if (loc_) return Errno(EOPNOTSUPP);  // a FIFO's attributes are its node's
    pipe_->SetAttr(change);
    return Ok();
  }
  std::optional<Location> location() const override { return loc_; }
  std::string AnonymousName() const override { return absl::StrCat("pipe:[", pipe_->ino(), "]"); }

 private:
  const std::shared_ptr<Pipe> pipe_;   // immutable
  const std::optional<Location> loc_;  // immutable; a FIFO's node
  const bool reader_, writer_;         // immutable: the ends this description counts as
  const uint64_t seen_reader_opens_;   // immutable: Pipe::opens() when opened
  const uint64_t seen_writer_opens_;   // immutable
};

}  // namespace

Pipe::Pipe() : ino_(NextPipeIno()) {
  absl::MutexLock lock(&mu_);
  ring_.resize(abi::kPipeDefaultSize);
}

void Pipe::AddEnd(bool read_end) {
  {
    absl::MutexLock lock(&mu_);
    ++(read_end ? readers_ : writers_);
    ++(read_end ? reader_opens_ : writer_opens_);
  }
  // A FIFO opener waiting for this end may go on.
  queue_.Notify(POLLIN | POLLOUT);
}

uint64_t Pipe::opens(bool read_end) const {
  absl::MutexLock lock(&mu_);
  return read_end ? reader_opens_ : writer_opens_;
}

bool Pipe::HasPartner(bool read_end, uint64_t seen) const {
  absl::MutexLock lock(&mu_);
  if (read_end) return writers_ > 0 || writer_opens_ != seen;
  return readers_ > 0 || reader_opens_ != seen;
}

int Pipe::readers() const {
  absl::MutexLock lock(&mu_);
  return readers_;
}

size_t Pipe::FreeSpace() const {
  absl::MutexLock lock(&mu_);
  return ring_.size() - size_;
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
    attrs_.atime = NowTimespec();
  }
  queue_.Notify(POLLOUT | POLLWRNORM);
  return done;
}

ErrnoOr<size_t> Pipe::Peek(HostIoVecs dst) {
  size_t want = TotalLength(dst);
  if (want == 0) return size_t{0};
  absl::MutexLock lock(&mu_);
  if (size_ == 0) {
    if (writers_ == 0) return size_t{0};
    return Errno(EAGAIN);
  }
  size_t n = std::min(want, size_);
  CopyOutLocked(dst, 0, 0, n);
  return n;
}

void Pipe::Consume(size_t n) {
  {
    absl::MutexLock lock(&mu_);
    n = std::min(n, size_);
    head_ = (head_ + n) % ring_.size();
    size_ -= n;
    while (n > 0 && !segments_.empty()) {
      Segment& seg = segments_.front();
      size_t k = std::min(n, seg.len);
      seg.len -= k;
      n -= k;
      if (seg.len == 0) segments_.pop_front();
    }
    attrs_.atime = NowTimespec();
  }
  queue_.Notify(POLLOUT | POLLWRNORM);
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
    attrs_.mtime = attrs_.ctime = NowTimespec();
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
  st.st_mode = S_IFIFO;
  attrs_.Fill(st);
  st.st_nlink = 1;
  st.st_blksize = 4096;
  return st;
}

void Pipe::SetOwner(uid_t uid, gid_t gid) {
  absl::MutexLock lock(&mu_);
  attrs_.uid = uid;
  attrs_.gid = gid;
}

void Pipe::SetAttr(const AttrChange& change) {
  absl::MutexLock lock(&mu_);
  attrs_.Apply(change);
}

Pipe* AsPipe(FileDescription& f) {
  auto* end = dynamic_cast<PipeFile*>(&f);
  return end ? &end->pipe() : nullptr;
}

std::pair<FileRef, FileRef> NewPipe(int flags) {
  auto pipe = std::make_shared<Pipe>();
  int status = flags & (O_NONBLOCK | O_DIRECT);
  return {std::make_shared<PipeFile>(pipe, O_RDONLY | status, std::nullopt),
          std::make_shared<PipeFile>(pipe, O_WRONLY | status, std::nullopt)};
}

ErrnoOr<FileRef> NewFifoFile(std::shared_ptr<Pipe> pipe, const Location& loc, int flags) {
  switch (flags & O_ACCMODE) {
    case O_RDONLY:
    case O_RDWR:
      break;
    case O_WRONLY:
      if ((flags & O_NONBLOCK) && pipe->readers() == 0) return Errno(ENXIO);
      break;
    default:
      return Errno(EINVAL);
  }
  return FileRef(std::make_shared<PipeFile>(std::move(pipe), flags, loc));
}

}  // namespace sb::fs
