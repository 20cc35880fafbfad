// mlock.cc: the memory-lock state, msync's walk and mincore's residency of
// one address space (MemoryManager's mlock/msync/mincore methods).
//
// What "resident" means here: a page is resident when its page of the
// memory file exists on the host (it was touched and not given back by
// munmap/MADV_DONTNEED), which is what the host's mincore of the kernel's
// own mapping of the memory file reports. That is also what
// /proc/[pid]/smaps counts as Rss, and what a program observes on Linux
// for anonymous and tmpfs memory: untouched pages are absent, written or
// read pages present, locked pages present. Private file mappings are
// filled when made, so their pages are resident at once (Linux would say
// so too for a file in the page cache).
#include <sys/mman.h>

#include <algorithm>

#include "kernel/base/abi.h"
#include "kernel/mm/memory_manager.h"

namespace sb::kernel::mm {
namespace {

constexpr uint64_t kPage = 4096;

// Faults the memory-file pages of [host, host+len) in (Linux's
// __mm_populate for mlock): reading a hole of the memory file through a
// shared mapping allocates it.
void Populate(const uint8_t* host, uint64_t len) {
  for (uint64_t off = 0; off < len; off += kPage) {
    (void)*static_cast<const volatile uint8_t*>(host + off);
  }
}

}  // namespace

// Linux's apply_vma_lock_flags(): ENOMEM if `start` is unmapped; otherwise
// the mappings from `start` on change one by one until `end` or the first
// hole, which is ENOMEM with the pages before it changed.
ErrnoStatus MemoryManager::SetLock(uint64_t start, uint64_t end, int lock) {
  if (end == start) return Ok();
  absl::MutexLock l(&mu_);
  auto first = vmas_.upper_bound(start);
  if (first == vmas_.begin() || std::prev(first)->second.end <= start) return Errno(ENOMEM);
  SplitAtLocked(start);
  SplitAtLocked(end);
  uint64_t at = start;
  for (auto it = vmas_.lower_bound(start); at < end; ++it) {
    if (it == vmas_.end() || it->second.start != at) return Errno(ENOMEM);
    Vma& v = it->second;
    v.lock = lock;
    at = v.end;
  }
  // Populated only once the whole range is locked (Linux's __mm_populate
  // after the flags are set).
  if ((lock & Vma::kLocked) && !(lock & Vma::kLockOnFault)) {
    for (auto it = vmas_.lower_bound(start); it != vmas_.end() && it->first < end; ++it) {
      const Vma& v = it->second;
      Populate(mf_.HostAddress(v.MemoryFileOffset(v.start)), v.end - v.start);
    }
  }
  return Ok();
}

uint64_t MemoryManager::LockedBytesIn(uint64_t start, uint64_t end) {
  absl::MutexLock l(&mu_);
  uint64_t n = 0;
  for (const auto& [s, v] : vmas_) {
    if (!(v.lock & Vma::kLocked)) continue;
    uint64_t a = std::max(start, v.start), b = std::min(end, v.end);
    if (a < b) n += b - a;
  }
  return n;
}

uint64_t MemoryManager::locked_bytes() {
  absl::MutexLock l(&mu_);
  uint64_t n = 0;
  for (const auto& [s, v] : vmas_) {
    if (v.lock & Vma::kLocked) n += v.end - v.start;
  }
  return n;
}

void MemoryManager::SetLockAll(int current, bool apply_current, int future) {
  absl::MutexLock l(&mu_);
  def_lock_ = future;
  if (!apply_current) return;
  for (auto& [s, v] : vmas_) {
    v.lock = current;
    if ((current & Vma::kLocked) && !(current & Vma::kLockOnFault)) {
      Populate(mf_.HostAddress(v.MemoryFileOffset(v.start)), v.end - v.start);
    }
  }
}

int MemoryManager::future_lock() {
  absl::MutexLock l(&mu_);
  return def_lock_;
}

// Linux's msync() loop: holes make the result ENOMEM (at once for a bare
// MS_ASYNC), MS_INVALIDATE over locked pages is EBUSY. Shared mappings of
// memory-backed files have nothing to write back (their bytes are the
// file's), so MS_SYNC has no work to do.
ErrnoStatus MemoryManager::Msync(uint64_t start, uint64_t end, int flags) {
  absl::MutexLock l(&mu_);
  bool unmapped = false;
  auto it = vmas_.upper_bound(start);
  if (it != vmas_.begin() && std::prev(it)->second.end > start) --it;
  while (true) {
    if (it == vmas_.end()) return Errno(ENOMEM);
    const Vma& v = it->second;
    if (start < v.start) {
      if (flags == MS_ASYNC) return Errno(ENOMEM);
      start = v.start;
      if (start >= end) return Errno(ENOMEM);
      unmapped = true;
    }
    if ((flags & MS_INVALIDATE) && (v.lock & Vma::kLocked)) return Errno(EBUSY);
    start = v.end;
    if (start >= end) break;
    ++it;
  }
  if (unmapped) return Errno(ENOMEM);
  return Ok();
}

ErrnoOr<std::vector<uint8_t>> MemoryManager::Residency(uint64_t start, uint64_t end) {
  absl::MutexLock l(&mu_);
  std::vector<uint8_t> out;
  out.reserve((end - start) / kPage);
  uint64_t at = start;
  auto it = vmas_.upper_bound(start);
  if (it != vmas_.begin() && std::prev(it)->second.end > start) --it;
  while (at < end) {
    if (it == vmas_.end() || it->second.start > at) return Errno(ENOMEM);
    const Vma& v = it->second;
    uint64_t stop = std::min(end, v.end);
    uint64_t pages = (stop - at) / kPage;
    std::vector<unsigned char> vec(pages);
    const uint8_t* host = mf_.HostAddress(v.MemoryFileOffset(at));
    if (pages > 0 && ::mincore(const_cast<uint8_t*>(host), pages * kPage, vec.data()) != 0) {
      std::fill(vec.begin(), vec.end(), 0);
    }
    for (unsigned char c : vec) out.push_back(c & 1);
    at = stop;
    ++it;
  }
  return out;
}

}  // namespace sb::kernel::mm
