// user_io.h: access to a sandboxed program's memory for code outside the
// task layer (fs ioctls), without fs/ knowing what a Task is.
#pragma once

#include <sys/uio.h>

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "kernel/base/errno.h"

namespace sb {

// Host memory ranges (in the kernel's own address space) that back a user
// buffer, in order. Filled by the task layer from user addresses; fs/ reads
// or writes them directly (e.g. preadv on a host fd).
using HostIoVecs = std::span<const struct iovec>;

inline size_t TotalLength(HostIoVecs v) {
  size_t n = 0;
  for (const auto& e : v) n += e.iov_len;
  return n;
}

// Copies up to `n` bytes of `src` into `dst`, starting `dst_off` bytes into
// the iovecs; returns how many fitted.
size_t ScatterToIoVecs(HostIoVecs dst, size_t dst_off, const void* src, size_t n);
// Copies up to `n` bytes out of `src`, starting `src_off` bytes into the
// iovecs, to `dst`; returns how many there were.
size_t GatherFromIoVecs(HostIoVecs src, size_t src_off, void* dst, size_t n);

// Drops the first `n` bytes of `v` (a partial transfer's progress).
void AdvanceIoVecs(std::vector<struct iovec>& v, size_t n);

// Copies to and from a program's address space. EFAULT on a bad address.
class UserIo {
 public:
  virtual ~UserIo() = default;
  virtual ErrnoStatus CopyIn(uint64_t addr, void* dst, size_t n) = 0;
  virtual ErrnoStatus CopyOut(uint64_t addr, const void* src, size_t n) = 0;
};

}  // namespace sb
