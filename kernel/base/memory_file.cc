#include "kernel/base/memory_file.h"

#include <fcntl.h>
#include <linux/falloc.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kernel/base/abi.h"

namespace sb {

ErrnoOr<std::unique_ptr<MemoryFile>> MemoryFile::Create(uint64_t size) {
  UniqueFd fd(memfd_create("sandboxd-memory", MFD_CLOEXEC));
  if (!fd.valid()) return HostErrno();
  if (ftruncate(fd.get(), static_cast<off_t>(size)) != 0) return HostErrno();
  void* base = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_NORESERVE, fd.get(), 0);
  if (base == MAP_FAILED) return HostErrno();
  return std::unique_ptr<MemoryFile>(
      new MemoryFile(std::move(fd), static_cast<uint8_t*>(base), size));  // private ctor
}

MemoryFile::~MemoryFile() { munmap(base_, size_); }

ErrnoOr<uint64_t> MemoryFile::Allocate(uint64_t len) {
  len = abi::PageUp(len);
  if (len == 0) return Errno(EINVAL);
  absl::MutexLock lock(&mu_);
  for (auto it = free_.begin(); it != free_.end(); ++it) {
    if (it->second < len) continue;  // first fit
    uint64_t off = it->first;
    uint64_t rest = it->second - len;
    free_.erase(it);
    if (rest) free_[off + len] = rest;
    allocated_ += len;
    return off;
  }
  if (end_ + len > size_) return Errno(ENOMEM);
  uint64_t off = end_;
  end_ += len;
  allocated_ += len;
  return off;
}

void MemoryFile::Decommit(uint64_t off, uint64_t len) {
  fallocate(fd_.get(), FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, static_cast<off_t>(off),
            static_cast<off_t>(len));
}

void MemoryFile::Free(uint64_t off, uint64_t len) {
  len = abi::PageUp(len);
  Decommit(off, len);
  absl::MutexLock lock(&mu_);
  allocated_ -= len;
  auto next = free_.lower_bound(off);
  if (next != free_.end() && off + len == next->first) {
    len += next->second;
    next = free_.erase(next);
  }
  if (next != free_.begin()) {
    auto prev = std::prev(next);
    if (prev->first + prev->second == off) {
      prev->second += len;
      off = prev->first;
      len = prev->second;
      free_.erase(prev);
    }
  }
  if (off + len == end_) {
    end_ = off;
  } else {
    free_[off] = len;
  }
}

uint64_t MemoryFile::allocated() const {
  absl::MutexLock lock(&mu_);
  return allocated_;
}

ErrnoOr<std::shared_ptr<MemoryRange>> MemoryRange::Allocate(MemoryFile& mf, uint64_t len) {
  SB_ASSIGN_OR_RETURN(uint64_t off, mf.Allocate(len));
  return std::make_shared<MemoryRange>(mf, off, abi::PageUp(len));
}

}  // namespace sb
