// tmpfs_data.h: the bytes of one tmpfs regular file.
//
// Kept behind this small class so the store can later move into the
// kernel's memory file (shared mappings of tmpfs files) without the file
// code changing. Not thread-safe: the owning TmpfsFile guards it.
#pragma once

#include <cstdint>
#include <vector>

#include "kernel/base/user_io.h"

namespace sb::fs {

class TmpfsData {
 public:
  uint64_t size() const { return bytes_.size(); }
  // Copies out up to the end of data; returns the count.
  size_t Read(uint64_t off, HostIoVecs dst) const;
  // Copies in `len` bytes of `src` at `off`, growing (zero-filled) as needed.
  void Write(uint64_t off, HostIoVecs src, size_t len);
  void Resize(uint64_t length) { bytes_.resize(length); }
  // Pages in use (for st_blocks).
  uint64_t AllocatedBytes() const { return (bytes_.size() + 4095) & ~uint64_t{4095}; }

 private:
  std::vector<uint8_t> bytes_;
};

}  // namespace sb::fs
