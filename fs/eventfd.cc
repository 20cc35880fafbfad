#include "fs/eventfd.h"

#include <cstring>

#include "absl/synchronization/mutex.h"
#include "fs/anon_inode.h"

namespace sb::fs {
namespace {

// The largest value the counter may hold after a write.
constexpr uint64_t kMaxCount = 0xfffffffffffffffeULL;

class EventFd : public FileDescription {
 public:
  EventFd(uint64_t initval, bool semaphore, int flags)
      : FileDescription(flags), semaphore_(semaphore), count_(initval) {}

  // Linux's eventfd_read(): the whole counter, or 1 in semaphore mode.
  ErrnoOr<size_t> Read(HostIoVecs dst, int64_t offset) override {
    if (TotalLength(dst) < sizeof(uint64_t)) return Errno(EINVAL);
    uint64_t value;
    {
      absl::MutexLock lock(&mu_);
      if (count_ == 0) return Errno(EAGAIN);
      value = semaphore_ ? 1 : count_;
      count_ -= value;
    }
    ScatterToIoVecs(dst, 0, &value, sizeof(value));
    queue_.Notify(POLLOUT | POLLWRNORM);
    return sizeof(uint64_t);
  }

  // Linux's eventfd_write(): adds, unless the sum would exceed kMaxCount.
  ErrnoOr<size_t> Write(HostIoVecs src, int64_t offset) override {
    if (TotalLength(src) < sizeof(uint64_t)) return Errno(EINVAL);
    uint64_t value = 0;
    GatherFromIoVecs(src, 0, &value, sizeof(value));
    if (value == UINT64_MAX) return Errno(EINVAL);
    {
      absl::MutexLock lock(&mu_);
      if (kMaxCount - count_ < value) return Errno(EAGAIN);
      count_ += value;
    }
    if (value != 0) queue_.Notify(POLLIN | POLLRDNORM);
    return sizeof(uint64_t);
  }

  ErrnoOr<struct stat> Stat() override { return AnonInodeStat(); }

  // Linux's eventfd_poll(). The counter reaches UINT64_MAX only through an
  // in-kernel overflow (eventfd_signal), never from a write; kept for parity.
  bool SupportsNowait() const override { return true; }  // Linux: FMODE_NOWAIT
  uint32_t Readiness(uint32_t mask) override {
    absl::MutexLock lock(&mu_);
    uint32_t r = 0;
    if (count_ > 0) r |= POLLIN | POLLRDNORM;
    if (count_ == UINT64_MAX) r |= POLLERR;
    if (count_ < kMaxCount) r |= POLLOUT | POLLWRNORM;
    return r & mask;
  }
  WaitQueue* wait_queue() override { return &queue_; }
  std::string AnonymousName() const override { return "anon_inode:[eventfd]"; }

 private:
  const bool semaphore_;  // immutable: EFD_SEMAPHORE
  absl::Mutex mu_;        // a leaf
  uint64_t count_ ABSL_GUARDED_BY(mu_);
  WaitQueue queue_;  // POLLIN/POLLOUT changes
};

}  // namespace

ErrnoOr<FileRef> NewEventFd(uint64_t initval, int flags) {
  if (flags & ~(EFD_SEMAPHORE | EFD_NONBLOCK | EFD_CLOEXEC)) return Errno(EINVAL);
  int fflags = O_RDWR | ((flags & EFD_NONBLOCK) ? O_NONBLOCK : 0);
  return FileRef(std::make_shared<EventFd>(initval, flags & EFD_SEMAPHORE, fflags));
}

}  // namespace sb::fs
