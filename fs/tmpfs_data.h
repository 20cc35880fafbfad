// tmpfs_data.h: the bytes of one tmpfs regular file.
//
// Kept in a private buffer until the file is first mapped MAP_SHARED; then
// the data moves into the kernel's memory file (a MemoryRange with room to
// grow), so the mapping and read/write see the same bytes, as DESIGN.md
// asks. Not thread-safe: the owning TmpfsFile guards it.
#pragma once

#include <cstdint>
#include <vector>

#include "kernel/base/memory_file.h"
#include "kernel/base/user_io.h"

namespace sb::fs {

class TmpfsData {
 public:
  uint64_t size() const { return size_; }
  // Copies out up to the end of data; returns the count.
  size_t Read(uint64_t off, HostIoVecs dst) const;
  // Copies in `len` bytes of `src` at `off`, growing (zero-filled) as needed.
  void Write(uint64_t off, HostIoVecs src, size_t len);
  void Resize(uint64_t length);
  // Zeroes the bytes of [off, end) that lie inside the file (punching a
  // hole: they read as zero again, in the file and in shared mappings).
  void Zero(uint64_t off, uint64_t end);
  // Pages in use (for st_blocks).
  uint64_t AllocatedBytes() const { return (size_ + 4095) & ~uint64_t{4095}; }

  // The memory-file range holding the data, with room for at least
  // `min_length` bytes; moves the data there on first use.
  ErrnoOr<MemoryRangeRef> SharedBacking(MemoryFile& mf, uint64_t min_length);

 private:
  // Makes room for `length` bytes (grows the buffer or the range).
  void Reserve(uint64_t length);
  uint8_t* data() { return range_ ? range_->host() : bytes_.data(); }
  const uint8_t* data() const { return range_ ? range_->host() : bytes_.data(); }

  uint64_t size_ = 0;
  std::vector<uint8_t> bytes_;  // the data until the file is mapped shared
  MemoryRangeRef range_;        // the data from then on (capacity: its length)
};

}  // namespace sb::fs
