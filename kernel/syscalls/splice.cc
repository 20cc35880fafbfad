// splice.cc: sendfile, splice, tee, vmsplice, copy_file_range: moving
// bytes between files inside the kernel. We copy through a kernel buffer
// (no page moving), so any pair of files works where Linux would need
// splice_read/splice_write. Bytes taken from a pipe are consumed only once
// written (Pipe::Peek + Consume), and a seekable source's position moves
// only by what was written, so a short write loses nothing.
#include <signal.h>
#include <sys/uio.h>

#include <algorithm>
#include <vector>

#include "fs/pipe.h"
#include "kernel/base/abi.h"
#include "kernel/syscalls/blocking.h"
#include "kernel/syscalls/handlers.h"

namespace sb::kernel {
namespace {

constexpr unsigned kSpliceAll =
    SPLICE_F_MOVE | SPLICE_F_NONBLOCK | SPLICE_F_MORE | SPLICE_F_GIFT;  // SPLICE_F_ALL
// Linux's MAX_RW_COUNT: the most one transfer moves.
constexpr size_t kMaxRw = INT32_MAX & ~(sb::abi::kPageSize - 1);
// The kernel buffer one round of copying uses.
constexpr size_t kChunk = size_t{1} << 20;

HostIoVecs Vec(struct iovec& v) { return HostIoVecs(&v, 1); }

// Where a transfer reads or writes a non-pipe file: at an explicit offset
// (the caller's *off), or at the file's own position.
struct FilePos {
  fs::FileDescription* file;
  bool explicit_offset;
  int64_t pos;  // the offset to use now

  // Starts at `*off` if given, else at the file's position. ESPIPE when the
  // file has none (`no_pos` is then the errno to return).
  static ErrnoOr<FilePos> Start(fs::FileDescription& f, const int64_t* off, int no_pos) {
    if (off != nullptr) return FilePos{&f, true, *off};
    auto cur = f.Seek(0, SEEK_CUR);
    if (!cur.ok()) return Errno(cur.error().value() == ESPIPE ? no_pos : cur.error().value());
    return FilePos{&f, false, *cur};
  }
  // After `n` bytes moved: the file's position follows unless explicit.
  void Advance(size_t n) {
    pos += static_cast<int64_t>(n);
    if (!explicit_offset) (void)file->Seek(pos, SEEK_SET);
  }
};

// Reads up to `n` bytes at `from` into `buf` (resized to what came).
ErrnoOr<size_t> ReadAt(Task& t, fs::FileDescription& f, int64_t from, std::vector<uint8_t>& buf,
                       size_t n) {
  buf.resize(n);
  struct iovec v = {buf.data(), n};
  SB_ASSIGN_OR_RETURN(size_t got, BlockOn(t, f, POLLIN, [&] { return f.Read(Vec(v), from); }));
  buf.resize(got);
  return got;
}

// Writes all of `data` to `out` at `off` (-1: its position), blocking as a
// write(2) would; returns what was written (short on an error after some).
ErrnoOr<size_t> WriteAll(Task& t, fs::FileDescription& out, int64_t off, const uint8_t* data,
                         size_t n) {
  size_t done = 0;
  while (done < n) {
    struct iovec v = {const_cast<uint8_t*>(data) + done, n - done};
    int64_t at = off < 0 ? -1 : off + static_cast<int64_t>(done);
    auto w = BlockOn(t, out, POLLOUT, [&] { return out.Write(Vec(v), at); });
    if (!w.ok()) {
      if (done > 0) return done;
      if (w.error().value() == EPIPE) SendSigpipe(t);
      return w.error();
    }
    if (*w == 0) break;
    done += *w;
  }
  return done;
}

// One round of file -> pipe: waits for room (unless `nonblock`), then moves
// up to `len` bytes, at most what fits.
ErrnoOr<size_t> FileToPipe(Task& t, FilePos& in, fs::Pipe& opipe, size_t len, bool nonblock) {
  std::vector<uint8_t> buf;
  auto step = [&]() -> ErrnoOr<size_t> {
    if (opipe.readers() == 0) return Errno(EPIPE);
    size_t room = opipe.FreeSpace();
    if (room == 0) return Errno(EAGAIN);
    SB_ASSIGN_OR_RETURN(size_t got,
                        ReadAt(t, *in.file, in.pos, buf, std::min({len, room, kChunk})));
    if (got == 0) return size_t{0};
    struct iovec v = {buf.data(), got};
    // Room was checked: only a racing writer can make this short.
    SB_ASSIGN_OR_RETURN(size_t w, opipe.Write(Vec(v), /*packet=*/false));
    in.Advance(w);
    return w;
  };
  auto r = RetryWhileAgain(t, nonblock, {opipe.queue()}, ~0u, step);
  if (!r.ok() && r.error().value() == EPIPE) SendSigpipe(t);
  return r;
}

// One round of pipe -> file: waits for data (unless `nonblock`), then moves
// up to `len` of the bytes buffered.
ErrnoOr<size_t> PipeToFile(Task& t, fs::Pipe& ipipe, FilePos& out, size_t len, bool nonblock) {
  std::vector<uint8_t> buf;
  auto step = [&]() -> ErrnoOr<size_t> {
    buf.resize(std::min(len, kChunk));
    struct iovec v = {buf.data(), buf.size()};
    SB_ASSIGN_OR_RETURN(size_t got, ipipe.Peek(Vec(v)));
    if (got == 0) return size_t{0};
    SB_ASSIGN_OR_RETURN(
        size_t w, WriteAll(t, *out.file, out.explicit_offset ? out.pos : -1, buf.data(), got));
    ipipe.Consume(w);
    // The file's own position already moved with the write.
    if (out.explicit_offset) out.pos += static_cast<int64_t>(w);
    return w;
  };
  return RetryWhileAgain(t, nonblock, {ipipe.queue()}, ~0u, step);
}

// One round of pipe -> pipe; `consume` false for tee(2).
ErrnoOr<size_t> PipeToPipe(Task& t, fs::Pipe& ipipe, fs::Pipe& opipe, size_t len, bool nonblock,
                           bool consume) {
  std::vector<uint8_t> buf;
  auto step = [&]() -> ErrnoOr<size_t> {
    if (opipe.readers() == 0) return Errno(EPIPE);
    size_t room = opipe.FreeSpace();
    buf.resize(std::min({len, kChunk, std::max(room, size_t{1})}));
    struct iovec v = {buf.data(), buf.size()};
    SB_ASSIGN_OR_RETURN(size_t got, ipipe.Peek(Vec(v)));
    if (got == 0) return size_t{0};
    if (room == 0) return Errno(EAGAIN);
    struct iovec wv = {buf.data(), got};
    SB_ASSIGN_OR_RETURN(size_t w, opipe.Write(Vec(wv), /*packet=*/false));
    if (consume) ipipe.Consume(w);
    return w;
  };
  auto r = RetryWhileAgain(t, nonblock, {ipipe.queue(), opipe.queue()}, ~0u, step);
  if (!r.ok() && r.error().value() == EPIPE) SendSigpipe(t);
  return r;
}

// Copies an optional loff_t in from user memory.
ErrnoOr<std::optional<int64_t>> OffsetArg(Task& t, uint64_t addr) {
  if (addr == 0) return std::optional<int64_t>();
  SB_ASSIGN_OR_RETURN(int64_t off, t.CopyInObj<int64_t>(addr));
  return std::optional<int64_t>(off);
}

}  // namespace

SyscallResult Sendfile(Task& t, const SyscallArgs& a) {
  const int out_fd = a.fd(0), in_fd = a.fd(1);
  const uint64_t off_addr = a.addr(2);
  size_t count = std::min(a.size(3), kMaxRw);
  SB_ASSIGN_OR_RETURN(std::optional<int64_t> off, OffsetArg(t, off_addr));
  SB_ASSIGN_OR_RETURN(fs::FileRef in, t.fds().Get(in_fd));
  if (!in->readable()) return Errno(EBADF);
  int64_t user_off = off.value_or(0);
  SB_ASSIGN_OR_RETURN(FilePos src, FilePos::Start(*in, off ? &user_off : nullptr, EINVAL));
  if (off && !in->Seek(0, SEEK_CUR).ok()) return Errno(ESPIPE);  // no pread on it
  if (src.pos < 0) return Errno(EINVAL);
  SB_ASSIGN_OR_RETURN(fs::FileRef out, t.fds().Get(out_fd));
  if (!out->writable()) return Errno(EBADF);
  size_t done = 0;
  if (fs::Pipe* opipe = fs::AsPipe(*out)) {
    if (count > 0) {
      SB_ASSIGN_OR_RETURN(done, FileToPipe(t, src, *opipe, count, out->nonblocking()));
    }
  } else {
    if (out->status_flags() & O_APPEND) return Errno(EINVAL);
    std::vector<uint8_t> buf;
    while (done < count) {
      auto got = ReadAt(t, *in, src.pos, buf, std::min(count - done, kChunk));
      if (!got.ok()) {
        if (done > 0) break;
        return got.error();
      }
      if (*got == 0) break;
      auto w = WriteAll(t, *out, -1, buf.data(), *got);
      if (!w.ok()) {
        if (done > 0) break;
        return w.error();
      }
      src.Advance(*w);
      done += *w;
      if (*w < *got) break;
    }
  }
  if (off) SB_TRY(t.CopyOutObj(off_addr, src.pos));
  return done;
}

SyscallResult Splice(Task& t, const SyscallArgs& a) {
  const int in_fd = a.fd(0), out_fd = a.fd(2);
  const uint64_t off_in_addr = a.addr(1), off_out_addr = a.addr(3);
  const size_t len = std::min(a.size(4), kMaxRw);
  const unsigned flags = a.u32(5);
  if (len == 0) return 0;
  if (flags & ~kSpliceAll) return Errno(EINVAL);
  SB_ASSIGN_OR_RETURN(fs::FileRef in, t.fds().Get(in_fd));
  SB_ASSIGN_OR_RETURN(fs::FileRef out, t.fds().Get(out_fd));
  fs::Pipe* ipipe = fs::AsPipe(*in);
  fs::Pipe* opipe = fs::AsPipe(*out);
  if ((ipipe && off_in_addr) || (opipe && off_out_addr)) return Errno(ESPIPE);
  SB_ASSIGN_OR_RETURN(std::optional<int64_t> off_in, OffsetArg(t, off_in_addr));
  SB_ASSIGN_OR_RETURN(std::optional<int64_t> off_out, OffsetArg(t, off_out_addr));
  if (!in->readable() || !out->writable()) return Errno(EBADF);
  bool nonblock = flags & SPLICE_F_NONBLOCK;
  if (ipipe && opipe) {
    if (ipipe == opipe) return Errno(EINVAL);
    nonblock |= in->nonblocking() || out->nonblocking();
    SB_ASSIGN_OR_RETURN(size_t n, PipeToPipe(t, *ipipe, *opipe, len, nonblock, /*consume=*/true));
    return n;
  }
  if (opipe) {
    // file -> pipe
    if (off_in && *off_in < 0) return Errno(EINVAL);
    int64_t o = off_in.value_or(0);
    SB_ASSIGN_OR_RETURN(FilePos src, FilePos::Start(*in, off_in ? &o : nullptr, EINVAL));
    nonblock |= out->nonblocking();
    SB_ASSIGN_OR_RETURN(size_t n, FileToPipe(t, src, *opipe, len, nonblock));
    if (off_in) SB_TRY(t.CopyOutObj(off_in_addr, src.pos));
    return n;
  }
  if (ipipe) {
    // pipe -> file
    if (off_out && *off_out < 0) return Errno(EINVAL);
    if (out->status_flags() & O_APPEND) return Errno(EINVAL);
    int64_t o = off_out.value_or(0);
    SB_ASSIGN_OR_RETURN(FilePos dst, FilePos::Start(*out, off_out ? &o : nullptr, EINVAL));
    nonblock |= in->nonblocking();
    SB_ASSIGN_OR_RETURN(size_t n, PipeToFile(t, *ipipe, dst, len, nonblock));
    if (off_out) SB_TRY(t.CopyOutObj(off_out_addr, dst.pos));
    return n;
  }
  return Errno(EINVAL);  // neither end is a pipe
}

SyscallResult Tee(Task& t, const SyscallArgs& a) {
  const size_t len = std::min(a.size(2), kMaxRw);
  const unsigned flags = a.u32(3);
  if (flags & ~kSpliceAll) return Errno(EINVAL);
  if (len == 0) return 0;
  SB_ASSIGN_OR_RETURN(fs::FileRef in, t.fds().Get(a.fd(0)));
  SB_ASSIGN_OR_RETURN(fs::FileRef out, t.fds().Get(a.fd(1)));
  if (!in->readable() || !out->writable()) return Errno(EBADF);
  fs::Pipe* ipipe = fs::AsPipe(*in);
  fs::Pipe* opipe = fs::AsPipe(*out);
  if (!ipipe || !opipe || ipipe == opipe) return Errno(EINVAL);
  bool nonblock = (flags & SPLICE_F_NONBLOCK) || in->nonblocking() || out->nonblocking();
  SB_ASSIGN_OR_RETURN(size_t n, PipeToPipe(t, *ipipe, *opipe, len, nonblock, /*consume=*/false));
  return n;
}

SyscallResult Vmsplice(Task& t, const SyscallArgs& a) {
  const unsigned flags = a.u32(3);
  if (flags & ~kSpliceAll) return Errno(EINVAL);
  SB_ASSIGN_OR_RETURN(fs::FileRef f, t.fds().Get(a.fd(0)));
  const bool to_pipe = f->writable();
  if (!to_pipe && !f->readable()) return Errno(EBADF);
  SB_ASSIGN_OR_RETURN(auto iov,
                      t.UserIoVecs(a.addr(1), a.i32(2), to_pipe ? PROT_READ : PROT_WRITE));
  HostIoVecs v(iov.data(), iov.size());
  if (TotalLength(v) == 0) return 0;
  fs::Pipe* pipe = fs::AsPipe(*f);
  if (pipe == nullptr) return Errno(EBADF);
  bool nonblock = (flags & SPLICE_F_NONBLOCK) || f->nonblocking();
  if (to_pipe) {
    // One round, as Linux's vmsplice_to_pipe: what fits once there is room.
    auto r =
        RetryWhileAgain(t, nonblock, {pipe->queue()}, ~0u, [&] { return pipe->Write(v, false); });
    if (!r.ok() && r.error().value() == EPIPE) SendSigpipe(t);
    SB_ASSIGN_OR_RETURN(size_t n, std::move(r));
    return n;
  }
  SB_ASSIGN_OR_RETURN(
      size_t n, RetryWhileAgain(t, nonblock, {pipe->queue()}, ~0u, [&] { return pipe->Read(v); }));
  return n;
}

// Linux's vfs_copy_file_range() without the filesystem fast paths.
SyscallResult CopyFileRange(Task& t, const SyscallArgs& a) {
  const uint64_t off_in_addr = a.addr(1), off_out_addr = a.addr(3);
  size_t len = std::min(a.size(4), kMaxRw);
  SB_ASSIGN_OR_RETURN(fs::FileRef in, t.fds().Get(a.fd(0)));
  SB_ASSIGN_OR_RETURN(fs::FileRef out, t.fds().Get(a.fd(2)));
  SB_ASSIGN_OR_RETURN(std::optional<int64_t> off_in, OffsetArg(t, off_in_addr));
  SB_ASSIGN_OR_RETURN(std::optional<int64_t> off_out, OffsetArg(t, off_out_addr));
  if (a.u32(5) != 0) return Errno(EINVAL);
  // Linux's generic_file_rw_checks().
  SB_ASSIGN_OR_RETURN(struct stat in_st, in->Stat());
  SB_ASSIGN_OR_RETURN(struct stat out_st, out->Stat());
  if (S_ISDIR(in_st.st_mode) || S_ISDIR(out_st.st_mode)) return Errno(EISDIR);
  if (!S_ISREG(in_st.st_mode) || !S_ISREG(out_st.st_mode)) return Errno(EINVAL);
  if (!in->readable() || !out->writable() || (out->status_flags() & O_APPEND)) {
    return Errno(EBADF);
  }
  int64_t oi = off_in.value_or(0), oo = off_out.value_or(0);
  SB_ASSIGN_OR_RETURN(FilePos src, FilePos::Start(*in, off_in ? &oi : nullptr, EINVAL));
  SB_ASSIGN_OR_RETURN(FilePos dst, FilePos::Start(*out, off_out ? &oo : nullptr, EINVAL));
  if (src.pos < 0 || dst.pos < 0) return Errno(EINVAL);
  if (len == 0) return 0;
  // Linux's generic_copy_file_checks(): nothing past the source's end, and
  // no overlapping ranges within one file.
  if (src.pos >= in_st.st_size) {
    len = 0;
  } else {
    len = std::min<uint64_t>(len, static_cast<uint64_t>(in_st.st_size - src.pos));
  }
  const bool same = in_st.st_dev == out_st.st_dev && in_st.st_ino == out_st.st_ino;
  if (same && dst.pos < src.pos + static_cast<int64_t>(len) &&
      src.pos < dst.pos + static_cast<int64_t>(len)) {
    return Errno(EINVAL);
  }
  size_t done = 0;
  std::vector<uint8_t> buf;
  while (done < len) {
    auto got = ReadAt(t, *in, src.pos, buf, std::min(len - done, kChunk));
    if (!got.ok()) {
      if (done > 0) break;
      return got.error();
    }
    if (*got == 0) break;
    auto w = WriteAll(t, *out, dst.pos, buf.data(), *got);
    if (!w.ok()) {
      if (done > 0) break;
      return w.error();
    }
    src.Advance(*w);
    dst.Advance(*w);
    done += *w;
    if (*w < *got) break;
  }
  if (off_in) SB_TRY(t.CopyOutObj(off_in_addr, src.pos));
  if (off_out) SB_TRY(t.CopyOutObj(off_out_addr, dst.pos));
  return done;
}

}  // namespace sb::kernel
