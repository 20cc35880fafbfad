// pipe.h: pipes (Linux's fs/pipe.c), created by NewPipe (vfs.h).
//
// A Pipe is the buffer both ends share: a 64 KiB ring with Linux's
// PIPE_BUF atomicity, reader/writer counts and one WaitQueue for both ends.
// Each end is a PipeFile; the Pipe lives as long as either end. A write
// through an end with O_DIRECT (packet mode, settable with F_SETFL) keeps
// its boundaries, as Linux's PIPE_BUF_FLAG_PACKET buffers do.
#pragma once

#include <deque>
#include <memory>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "fs/file.h"

namespace sb::fs {

class Pipe {
 public:
  Pipe();

  uint64_t ino() const { return ino_; }
  WaitQueue* queue() { return &queue_; }

  ErrnoOr<size_t> Read(HostIoVecs dst) ABSL_LOCKS_EXCLUDED(mu_);
  ErrnoOr<size_t> Write(HostIoVecs src, bool packet) ABSL_LOCKS_EXCLUDED(mu_);
  uint32_t Readiness(bool read_end, uint32_t mask) ABSL_LOCKS_EXCLUDED(mu_);
  size_t Available() const ABSL_LOCKS_EXCLUDED(mu_);
  struct stat Stat() const ABSL_LOCKS_EXCLUDED(mu_);
  // An end opened (constructor) or closed (the end's last reference).
  void AddEnd(bool read_end) ABSL_LOCKS_EXCLUDED(mu_);
  void ReleaseEnd(bool read_end) ABSL_LOCKS_EXCLUDED(mu_);

 private:
  const uint64_t ino_;      // immutable
  mutable absl::Mutex mu_;  // a leaf (WaitQueue::Notify is called without it)
  std::vector<uint8_t> ring_ ABSL_GUARDED_BY(mu_);
  size_t head_ ABSL_GUARDED_BY(mu_) = 0;  // index of the first unread byte
  size_t size_ ABSL_GUARDED_BY(mu_) = 0;  // bytes buffered
  // The buffered bytes as runs of stream data and packets, in order.
  struct Segment {
    size_t len;
    bool packet;
  };
  std::deque<Segment> segments_ ABSL_GUARDED_BY(mu_);
  // Copies `n` bytes from the ring at head_+`from` into `dst` at `dst_off`.
  void CopyOutLocked(HostIoVecs dst, size_t dst_off, size_t from, size_t n) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  int readers_ ABSL_GUARDED_BY(mu_) = 0;
  int writers_ ABSL_GUARDED_BY(mu_) = 0;
  struct timespec atime_ ABSL_GUARDED_BY(mu_), mtime_ ABSL_GUARDED_BY(mu_),
      ctime_ ABSL_GUARDED_BY(mu_);
  WaitQueue queue_;  // readiness changes of both ends
};

}  // namespace sb::fs
