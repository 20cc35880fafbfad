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
// splice(2) and tee(2) move bytes with Peek + Consume, so a failed write
// on the other side loses nothing.
//
// A FIFO (a tmpfs node made by mknod) is a Pipe shared by the ends opened
// on it (NewFifoFile); its ends also carry the node's location.
#pragma once

#include <deque>
#include <memory>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "fs/attr.h"
#include "fs/file.h"
#include "fs/inode.h"
#include "fs/locks.h"

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
  // Copies up to TotalLength(dst) buffered bytes without consuming them
  // (tee, splice): 0 when empty with no writers, EAGAIN when empty.
  ErrnoOr<size_t> Peek(HostIoVecs dst) ABSL_LOCKS_EXCLUDED(mu_);
  // Drops the first `n` buffered bytes (at most what is buffered).
  void Consume(size_t n) ABSL_LOCKS_EXCLUDED(mu_);
  // Bytes a write could add now.
  size_t FreeSpace() const ABSL_LOCKS_EXCLUDED(mu_);
  int readers() const ABSL_LOCKS_EXCLUDED(mu_);
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
  // The pipefs inode's owner (pipe(2) sets its caller's fsuid/fsgid) and a
  // checked attribute change (fchmod, fchown, futimens on an end).
  void SetOwner(uid_t uid, gid_t gid) ABSL_LOCKS_EXCLUDED(mu_);
  void SetAttr(const AttrChange& change) ABSL_LOCKS_EXCLUDED(mu_);
  // An end opened (constructor) or closed (the end's last reference).
  void AddEnd(bool read_end) ABSL_LOCKS_EXCLUDED(mu_);
  void ReleaseEnd(bool read_end) ABSL_LOCKS_EXCLUDED(mu_);
  // How many ends of each kind were ever opened (Linux's r_counter and
  // w_counter): a FIFO open waits until the other count moves.
  uint64_t opens(bool read_end) const ABSL_LOCKS_EXCLUDED(mu_);
  // Is an end of the other kind open, or was one opened since the count
  // was `seen`?
  bool HasPartner(bool read_end, uint64_t seen) const ABSL_LOCKS_EXCLUDED(mu_);
  // Locks on an anonymous pipe (pipefs inode).
  const std::shared_ptr<FileLockContext>& locks() const { return locks_; }

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
  uint64_t reader_opens_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t writer_opens_ ABSL_GUARDED_BY(mu_) = 0;
  const std::shared_ptr<FileLockContext> locks_ = std::make_shared<FileLockContext>();
  InodeAttrs attrs_ ABSL_GUARDED_BY(mu_){0600, 0, 0, NowTimespec()};
  WaitQueue queue_;  // readiness changes of both ends
};

// The pipe behind a pipe end (or FIFO), or nullptr if `f` is not one.
Pipe* AsPipe(FileDescription& f);

// open(2) of the FIFO at `loc` whose pipe is `pipe`, with Linux's
// fifo_open() rules: O_RDWR never waits; O_WRONLY|O_NONBLOCK without a
// reader is ENXIO; otherwise the end waits for its partner through
// FileDescription::OpenWait. An access mode of 3 is EINVAL.
ErrnoOr<FileRef> NewFifoFile(std::shared_ptr<Pipe> pipe, const Location& loc, int flags);

}  // namespace sb::fs
