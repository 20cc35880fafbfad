// memory_file.h: the memory file, where all application memory lives.
//
// One memfd, owned by the kernel, sized large and sparse. Address spaces map
// ranges of it into stub processes (MAP_SHARED|MAP_FIXED); the kernel maps
// the whole file once into its own address space so that copying to and from
// a program's memory is a memcpy. Freed ranges are punched out, so memory
// goes back to the host. tmpfs file data will live here too.
//
// Thread-safe. Lock order: MemoryFile::mu_ is a leaf.
#pragma once

#include <cstdint>
#include <map>
#include <memory>

#include "absl/synchronization/mutex.h"
#include "kernel/base/errno.h"
#include "kernel/base/unique_fd.h"

namespace sb {

class MemoryFile {
 public:
  // Creates the memfd (`size` bytes, sparse) and maps it into this process.
  static ErrnoOr<std::unique_ptr<MemoryFile>> Create(uint64_t size = kDefaultSize);
  ~MemoryFile();
  MemoryFile(const MemoryFile&) = delete;
  MemoryFile& operator=(const MemoryFile&) = delete;

  static constexpr uint64_t kDefaultSize = uint64_t{64} << 30;

  int fd() const { return fd_.get(); }
  uint64_t size() const { return size_; }
  // The kernel's own view of file offset `off`. Valid for the MemoryFile's life.
  uint8_t* HostAddress(uint64_t off) const { return base_ + off; }

  // Allocates `len` bytes (page multiple), zero-filled. ENOMEM when full.
  ErrnoOr<uint64_t> Allocate(uint64_t len) ABSL_LOCKS_EXCLUDED(mu_);
  // Returns [off, off+len) to the host and to the free pool.
  void Free(uint64_t off, uint64_t len) ABSL_LOCKS_EXCLUDED(mu_);
  // Returns the pages to the host but keeps the range allocated (reads as zero).
  void Decommit(uint64_t off, uint64_t len);
  // Bytes allocated now.
  uint64_t allocated() const ABSL_LOCKS_EXCLUDED(mu_);

 private:
  MemoryFile(UniqueFd fd, uint8_t* base, uint64_t size)
      : fd_(std::move(fd)), base_(base), size_(size) {}

  const UniqueFd fd_;    // immutable
  uint8_t* const base_;  // immutable; mapping of the whole file, unmapped in ~MemoryFile
  const uint64_t size_;  // immutable
  mutable absl::Mutex mu_;
  // Free ranges below `end_`, offset -> length, coalesced.
  std::map<uint64_t, uint64_t> free_ ABSL_GUARDED_BY(mu_);
  uint64_t end_ ABSL_GUARDED_BY(mu_) = 0;  // everything at or above is free
  uint64_t allocated_ ABSL_GUARDED_BY(mu_) = 0;
};

// One allocated range of the memory file, freed when the last owner lets go.
// Private mappings own theirs alone; MAP_SHARED mappings share one across
// fork. Immutable.
class MemoryRange {
 public:
  static ErrnoOr<std::shared_ptr<MemoryRange>> Allocate(MemoryFile& mf, uint64_t len);
  MemoryRange(MemoryFile& mf, uint64_t off, uint64_t len) : mf_(mf), offset_(off), length_(len) {}
  ~MemoryRange() { mf_.Free(offset_, length_); }
  MemoryRange(const MemoryRange&) = delete;
  MemoryRange& operator=(const MemoryRange&) = delete;

  MemoryFile& file() const { return mf_; }
  uint64_t offset() const { return offset_; }
  uint64_t length() const { return length_; }
  uint8_t* host() const { return mf_.HostAddress(offset_); }

 private:
  MemoryFile& mf_;  // outlives every range: the kernel owns both
  const uint64_t offset_, length_;
};
using MemoryRangeRef = std::shared_ptr<MemoryRange>;

}  // namespace sb
