// pipe.h: pipes (Linux's fs/pipe.c), created by NewPipe (vfs.h).
//
// A Pipe is the buffer both ends share: a ring (64 KiB by default,
// resizable with F_SETPIPE_SZ) with Linux's
// PIPE_BUF atomicity, reader/writer counts and one WaitQueue for both ends.
// Each end is a PipeFile; the Pipe lives as long as either end. A write
// through an end with O_DIRECT (packet mode, settable with F_SETFL) keeps
// its boundaries, as Linux's PIPE_BUF_FLAG_PACKET buffers do.
//
// The fcntl syscall reaches a pipe's capacity through AsPipe(file):
//   F_GETPIPE_SZ: Pipe::Capacity();  F_SETPIPE_SZ: Pipe::SetCapacity();
//   AsPipe returning nullptr is EBADF (Linux's pipe_fcntl).
#pragma once

#include <deque>
#include <memory>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "fs/file.h"

namespace sb::fs {

// /proc/sys/fs/pipe-max-size: the most an unprivileged F_SETPIPE_SZ may ask.
inline constexpr size_t kPipeMaxSize = 1048576;

class Pipe {
 public:
  Pipe();

  uint64_t ino() const { return ino_; }
  WaitQueue* queue() { return &queue_; }

  ErrnoOr<size_t> Read(HostIoVecs dst) ABSL_LOCKS_EXCLUDED(mu_);
  ErrnoOr<size_t> Write(HostIoVecs src, bool packet) ABSL_LOCKS_EXCLUDED(mu_);
  uint32_t Readiness(bool read_end, uint32_t mask) ABSL_LOCKS_EXCLUDED(mu_);
  size_t Available() const ABSL_LOCKS_EXCLUDED(mu_);
  // F_GETPIPE_SZ: the capacity in bytes.
  size_t Capacity() const ABSL_LOCKS_EXCLUDED(mu_);
  // F_SETPIPE_SZ with the fcntl argument as Linux's unsigned int: rounds
  // up to a power-of-two number of pages (at least one) and returns the new
  // capacity. EINVAL above 2^31; EPERM when growing beyond kPipeMaxSize
  // without CAP_SYS_RESOURCE; EBUSY if the buffered bytes do not fit (Linux
  // counts occupied page slots; we count bytes). Per-user pipe limits
  // (pipe-user-pages-*) are not enforced.
  ErrnoOr<size_t> SetCapacity(unsigned int requested, bool cap_sys_resource)
      ABSL_LOCKS_EXCLUDED(mu_);
  struct stat Stat() const ABSL_LOCKS_EXCLUDED(mu_);
  // An end opened (constructor) or closed (the end's last reference).
  void AddEnd(bool read_end) ABSL_LOCKS_EXCLUDED(mu_);
  void ReleaseEnd(bool read_end) ABSL_LOCKS_EXCLUDED(mu_);

 private:
  const uint64_t ino_;      // immutable
  mutable absl::Mutex mu_;  // a leaf (WaitQueue::Notify is called without it)
  std::vector<uint8_t> ring_ ABSL_GUARDED_BY(mu_);  // its size is the capacity
  size_t head_ ABSL_GUARDED_BY(mu_) = 0;            // index of the first unread byte
  size_t size_ ABSL_GUARDED_BY(mu_) = 0;            // bytes buffered
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

// The pipe behind a pipe end, or nullptr if `f` is not one.
Pipe* AsPipe(FileDescription& f);

}  // namespace sb::fs
