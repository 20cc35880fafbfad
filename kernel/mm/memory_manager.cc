#include "kernel/mm/memory_manager.h"

#include <sys/syscall.h>
#include <unistd.h>

#include <cstring>

#include "absl/strings/str_format.h"
#include "kernel/base/abi.h"
#include "kernel/platform/stub_layout.h"

namespace sb::kernel::mm {
namespace {

using abi::kPageSize;
using abi::PageDown;
using abi::PageUp;
using platform::kStubEnd;
using platform::kStubStart;

bool Overlaps(uint64_t a0, uint64_t a1, uint64_t b0, uint64_t b1) { return a0 < b1 && b0 < a1; }

// True if [start, end) is a range a program may map.
bool ValidUserRange(uint64_t start, uint64_t end) {
  return start >= MemoryManager::kMinAddress && end > start && end <= MemoryManager::kStackTop &&
         !Overlaps(start, end, kStubStart, kStubEnd);
}

// Copies the populated parts of `len` bytes of the memory file from `src`
// to `dst` (holes stay holes, and cost nothing).
void CopyPopulated(MemoryFile& mf, uint64_t src, uint64_t dst, uint64_t len) {
  uint64_t pos = src;
  const uint64_t end = src + len;
  while (pos < end) {
    off_t data = lseek(mf.fd(), static_cast<off_t>(pos), SEEK_DATA);
    if (data < 0 || static_cast<uint64_t>(data) >= end) return;
    off_t hole = lseek(mf.fd(), data, SEEK_HOLE);
    uint64_t stop = hole < 0 ? end : std::min<uint64_t>(end, hole);
    memcpy(mf.HostAddress(dst + (data - src)), mf.HostAddress(data), stop - data);
    pos = stop;
  }
}

}  // namespace

ErrnoStatus MemoryManager::InjectMap(platform::Context* ctx, const Vma& vma) {
  if (ctx == nullptr) return Ok();
  auto r = ctx->Inject(SYS_mmap, vma.start, vma.end - vma.start, vma.prot, MAP_SHARED | MAP_FIXED,
                       platform::kStubMemoryFd, vma.MemoryFileOffset(vma.start));
  if (!r.ok()) return r.error();
  return Ok();
}

ErrnoStatus MemoryManager::Materialize(platform::Context& ctx) {
  absl::MutexLock lock(&mu_);
  for (const auto& [start, vma] : vmas_) SB_TRY(InjectMap(&ctx, vma));
  return Ok();
}

ErrnoOr<MmRef> MemoryManager::Fork() {
  auto child = std::make_shared<MemoryManager>(mf_);
  absl::MutexLock lock(&mu_);
  absl::MutexLock child_lock(&child->mu_);  // not yet shared: no order issue
  for (const auto& [start, vma] : vmas_) {
    Vma copy = vma;
    if (vma.fork_hold) copy.hold = vma.fork_hold();
    copy.lock = 0;  // memory locks are not inherited (Linux's dup_mmap)
    if (!vma.shared) {
      uint64_t len = vma.end - vma.start;
      SB_ASSIGN_OR_RETURN(copy.backing, MemoryRange::Allocate(mf_, len));
      copy.backing_offset = 0;
      CopyPopulated(mf_, vma.MemoryFileOffset(vma.start), copy.backing->offset(), len);
    }
    child->vmas_.emplace(start, std::move(copy));
  }
  child->brk_base_ = brk_base_;
  child->brk_ = brk_;
  child->layout_ = layout_;
  return child;
}

bool MemoryManager::RangeFreeLocked(uint64_t start, uint64_t end) {
  auto it = vmas_.lower_bound(start);
  if (it != vmas_.begin()) {
    auto prev = std::prev(it);
    if (prev->second.end > start) return false;
  }
  return it == vmas_.end() || it->first >= end;
}

ErrnoOr<uint64_t> MemoryManager::FindGapLocked(uint64_t len, uint64_t hint) {
  if (hint != 0) {
    hint = PageUp(hint);
    if (ValidUserRange(hint, hint + len) && RangeFreeLocked(hint, hint + len)) return hint;
  }
  // Top-down from just below the stub, as Linux's default mmap layout.
  uint64_t top = kStubStart;
  auto it = vmas_.lower_bound(top);
  while (true) {
    uint64_t gap_end = top;
    uint64_t gap_start = kMinAddress;
    if (it != vmas_.begin()) {
      auto prev = std::prev(it);
      gap_start = std::max(gap_start, prev->second.end);
      if (gap_end > gap_start && gap_end - gap_start >= len) return gap_end - len;
      top = std::min(top, prev->first);
      it = prev;
    } else {
      if (gap_end > gap_start && gap_end - gap_start >= len) return gap_end - len;
      return Errno(ENOMEM);
    }
  }
}

void MemoryManager::SplitAtLocked(uint64_t addr) {
  auto it = vmas_.upper_bound(addr);
  if (it == vmas_.begin()) return;
  --it;
  Vma& v = it->second;
  if (v.start >= addr || v.end <= addr) return;
  Vma tail = v;
  tail.start = addr;
  tail.backing_offset = v.backing_offset + (addr - v.start);
  if (!tail.name.empty() && tail.name[0] != '[') tail.file_offset += addr - v.start;
  v.end = addr;
  vmas_.emplace(addr, std::move(tail));
}

void MemoryManager::RemoveLocked(uint64_t start, uint64_t end, bool decommit) {
  SplitAtLocked(start);
  SplitAtLocked(end);
  for (auto it = vmas_.lower_bound(start); it != vmas_.end() && it->first < end;) {
    const Vma& v = it->second;
    if (decommit && !v.shared) mf_.Decommit(v.MemoryFileOffset(v.start), v.end - v.start);
    it = vmas_.erase(it);
  }
}

ErrnoStatus MemoryManager::InsertLocked(platform::Context* ctx, Vma vma) {
  SB_TRY(InjectMap(ctx, vma));
  vma.lock |= def_lock_;  // mlockall(MCL_FUTURE)
  if ((vma.lock & Vma::kLocked) && !(vma.lock & Vma::kLockOnFault)) {
    // A locked mapping is populated at once (Linux's mm_populate).
    const uint8_t* host = mf_.HostAddress(vma.MemoryFileOffset(vma.start));
    for (uint64_t off = 0; off < vma.end - vma.start; off += 4096) {
      (void)*static_cast<const volatile uint8_t*>(host + off);
    }
  }
  vmas_.emplace(vma.start, std::move(vma));
  return Ok();
}

ErrnoOr<uint64_t> MemoryManager::PlaceLocked(platform::Context* ctx, const MapRequest& req) {
  uint64_t len = PageUp(req.length);
  if (req.length == 0 || len < req.length) return Errno(EINVAL);
  switch (req.placement) {
    case MapRequest::Placement::kFixed:
    case MapRequest::Placement::kFixedNoReplace: {
      if (req.addr & abi::kPageMask) return Errno(EINVAL);
      if (!ValidUserRange(req.addr, req.addr + len)) {
        return Errno(req.addr < kMinAddress ? EPERM : ENOMEM);
      }
      if (!RangeFreeLocked(req.addr, req.addr + len)) {
        if (req.placement == MapRequest::Placement::kFixedNoReplace) return Errno(EEXIST);
        RemoveLocked(req.addr, req.addr + len, /*decommit=*/true);
      }
      return req.addr;
    }
    case MapRequest::Placement::kHint:
      return FindGapLocked(len, req.addr);
  }
  return Errno(EINVAL);
}

ErrnoOr<uint64_t> MemoryManager::Map(platform::Context* ctx, const MapRequest& req) {
  uint64_t len = PageUp(req.length);
  absl::MutexLock lock(&mu_);
  SB_ASSIGN_OR_RETURN(uint64_t addr, PlaceLocked(ctx, req));
  SB_ASSIGN_OR_RETURN(MemoryRangeRef range, MemoryRange::Allocate(mf_, len));
  if (req.fill) SB_TRY(req.fill(range->host(), len));
  Vma vma{addr,          addr + len,      req.prot,         req.shared,
          req.growsdown, req.max_prot,    std::move(range), 0,
          req.name,      req.file_offset, req.dev,          req.ino};
  SB_TRY(InsertLocked(ctx, std::move(vma)));
  return addr;
}

ErrnoOr<uint64_t> MemoryManager::MapShared(platform::Context* ctx, const MapRequest& req,
                                           MemoryRangeRef range, uint64_t range_offset) {
  uint64_t len = PageUp(req.length);
  if (range_offset + len > range->length()) return Errno(ENXIO);
  absl::MutexLock lock(&mu_);
  SB_ASSIGN_OR_RETURN(uint64_t addr, PlaceLocked(ctx, req));
  Vma vma{addr,     addr + len,      req.prot,         true,
          false,    req.max_prot,    std::move(range), range_offset,
          req.name, req.file_offset, req.dev,          req.ino};
  vma.hold = req.hold;
  vma.fork_hold = req.fork_hold;
  SB_TRY(InsertLocked(ctx, std::move(vma)));
  return addr;
}

ErrnoStatus MemoryManager::Unmap(platform::Context* ctx, uint64_t addr, uint64_t length) {
  if ((addr & abi::kPageMask) || length == 0) return Errno(EINVAL);
  uint64_t end = PageUp(addr + length);
  if (end < addr || end > abi::kTaskSize) return Errno(EINVAL);
  absl::MutexLock lock(&mu_);
  SampleHiwaterBeforeDropLocked(addr, end);
  // Never touch the stub: unmap around it.
  uint64_t s = addr, e = end;
  RemoveLocked(s, e, /*decommit=*/true);
  if (ctx != nullptr) {
    if (Overlaps(s, e, kStubStart, kStubEnd)) {
      if (s < kStubStart) (void)ctx->Inject(SYS_munmap, s, kStubStart - s);
      if (e > kStubEnd) (void)ctx->Inject(SYS_munmap, kStubEnd, e - kStubEnd);
    } else {
      (void)ctx->Inject(SYS_munmap, s, e - s);
    }
  }
  return Ok();
}

ErrnoStatus MemoryManager::Protect(platform::Context* ctx, uint64_t addr, uint64_t length,
                                   int prot) {
  if (addr & abi::kPageMask) return Errno(EINVAL);
  if (prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC | PROT_GROWSDOWN | PROT_GROWSUP)) {
    return Errno(EINVAL);
  }
  prot &= PROT_READ | PROT_WRITE | PROT_EXEC;
  uint64_t end = PageUp(addr + length);
  if (end < addr) return Errno(ENOMEM);
  if (end == addr) return Ok();
  absl::MutexLock lock(&mu_);
  // Every page must be mapped (ENOMEM otherwise), checked before changing any.
  uint64_t pos = addr;
  for (auto it = vmas_.upper_bound(addr); pos < end;) {
    if (it != vmas_.begin() && std::prev(it)->second.end > pos && std::prev(it)->first <= pos) {
      if (prot & ~std::prev(it)->second.max_prot) return Errno(EACCES);
      pos = std::prev(it)->second.end;
      continue;
    }
    if (it == vmas_.end() || it->first > pos) return Errno(ENOMEM);
    if (prot & ~it->second.max_prot) return Errno(EACCES);
    pos = it->second.end;
    ++it;
  }
  SplitAtLocked(addr);
  SplitAtLocked(end);
  for (auto it = vmas_.lower_bound(addr); it != vmas_.end() && it->first < end; ++it) {
    it->second.prot = prot;
  }
  if (ctx != nullptr) {
    auto r = ctx->Inject(SYS_mprotect, addr, end - addr, prot);
    if (!r.ok()) return r.error();
  }
  return Ok();
}

ErrnoOr<uint64_t> MemoryManager::Remap(platform::Context* ctx, uint64_t old_addr, uint64_t old_size,
                                       uint64_t new_size, int flags, uint64_t new_addr) {
  if (flags & ~(MREMAP_MAYMOVE | MREMAP_FIXED | MREMAP_DONTUNMAP)) return Errno(EINVAL);
  if ((flags & MREMAP_FIXED) && !(flags & MREMAP_MAYMOVE)) return Errno(EINVAL);
  if (flags & MREMAP_DONTUNMAP)
    return Errno(EINVAL);  // not supported yet; Linux rejects
                           // it for most mappings too
  if (old_addr & abi::kPageMask) return Errno(EINVAL);
  old_size = PageUp(old_size);
  new_size = PageUp(new_size);
  if (new_size == 0) return Errno(EINVAL);
  absl::MutexLock lock(&mu_);
  // The old range must be one mapping (Linux: EFAULT otherwise). Linux
  // merges adjacent anonymous mappings with equal attributes; our table
  // keeps them apart (each has its own backing), so accept a run of them.
  auto it = vmas_.upper_bound(old_addr);
  if (it == vmas_.begin()) return Errno(EFAULT);
  --it;
  if (it->second.end <= old_addr) return Errno(EFAULT);
  if (old_size == 0) return Errno(EINVAL);  // duplicating a shared mapping: not supported
  const Vma base = it->second;
  for (auto run = it; run->second.end < old_addr + old_size;) {
    auto next = std::next(run);
    if (next == vmas_.end() || next->first != run->second.end || next->second.prot != base.prot ||
        next->second.shared != base.shared || next->second.name != base.name) {
      return Errno(EFAULT);
    }
    run = next;
  }

  auto grow_in_place = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) -> bool {
    uint64_t ext_start = old_addr + old_size, ext_end = old_addr + new_size;
    return ValidUserRange(ext_start, ext_end) && RangeFreeLocked(ext_start, ext_end);
  };
  auto add_extension = [&](uint64_t at, uint64_t len)
                           ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) -> ErrnoStatus {
    SB_ASSIGN_OR_RETURN(MemoryRangeRef r, MemoryRange::Allocate(mf_, len));
    Vma ext = base;
    ext.start = at;
    ext.end = at + len;
    ext.backing = std::move(r);
    ext.backing_offset = 0;
    return InsertLocked(ctx, std::move(ext));
  };

  if (!(flags & MREMAP_FIXED)) {
    if (new_size <= old_size) {
      if (new_size < old_size) {
        RemoveLocked(old_addr + new_size, old_addr + old_size, true);
        if (ctx) (void)ctx->Inject(SYS_munmap, old_addr + new_size, old_size - new_size);
      }
      return old_addr;
    }
    if (grow_in_place()) {
      SB_TRY(add_extension(old_addr + old_size, new_size - old_size));
      return old_addr;
    }
    if (!(flags & MREMAP_MAYMOVE)) return Errno(ENOMEM);
    SB_ASSIGN_OR_RETURN(new_addr, FindGapLocked(new_size, 0));
  } else {
    if (new_addr & abi::kPageMask) return Errno(EINVAL);
    if (!ValidUserRange(new_addr, new_addr + new_size)) return Errno(EINVAL);
    if (Overlaps(new_addr, new_addr + new_size, old_addr, old_addr + old_size)) {
      return Errno(EINVAL);
    }
    RemoveLocked(new_addr, new_addr + new_size, true);
    if (ctx) (void)ctx->Inject(SYS_munmap, new_addr, new_size);
  }
  // Move: the backing pages move with the mapping; nothing is copied.
  uint64_t keep = std::min(old_size, new_size);
  SplitAtLocked(old_addr);
  SplitAtLocked(old_addr + keep);
  SplitAtLocked(old_addr + old_size);
  std::vector<Vma> moved;
  for (auto m = vmas_.lower_bound(old_addr); m != vmas_.end() && m->first < old_addr + keep; ++m) {
    Vma v = m->second;
    v.start = new_addr + (v.start - old_addr);
    v.end = new_addr + (v.end - old_addr);
    moved.push_back(std::move(v));
  }
  // The kept part moves (no decommit); a tail cut off by shrinking is freed.
  RemoveLocked(old_addr, old_addr + keep, /*decommit=*/false);
  if (old_size > keep) RemoveLocked(old_addr + keep, old_addr + old_size, /*decommit=*/true);
  if (ctx) (void)ctx->Inject(SYS_munmap, old_addr, old_size);
  for (auto& v : moved) SB_TRY(InsertLocked(ctx, std::move(v)));
  if (new_size > keep) SB_TRY(add_extension(new_addr + keep, new_size - keep));
  return new_addr;
}

ErrnoStatus MemoryManager::AdviseDontNeed(uint64_t addr, uint64_t length) {
  if (addr & abi::kPageMask) return Errno(EINVAL);
  uint64_t end = PageUp(addr + length);
  absl::MutexLock lock(&mu_);
  SampleHiwaterBeforeDropLocked(addr, end);
  // Private anonymous pages read back as zeros; shared ones keep their data.
  bool any = false;
  for (auto& [start, v] : vmas_) {
    if (!Overlaps(v.start, v.end, addr, end)) continue;
    any = true;
    if (v.shared) continue;
    uint64_t s = std::max(v.start, addr), e = std::min(v.end, end);
    mf_.Decommit(v.MemoryFileOffset(s), e - s);
  }
  if (!any && end > addr) return Errno(ENOMEM);
  return Ok();
}

void MemoryManager::SetBrkBase(uint64_t base) {
  absl::MutexLock lock(&mu_);
  brk_base_ = brk_ = base;
}

uint64_t MemoryManager::Brk(platform::Context* ctx, uint64_t addr) {
  absl::MutexLock lock(&mu_);
  if (addr < brk_base_) return brk_;
  uint64_t old_top = PageUp(brk_), new_top = PageUp(addr);
  if (new_top > old_top) {
    if (!ValidUserRange(old_top, new_top) || !RangeFreeLocked(old_top, new_top)) return brk_;
    auto range = MemoryRange::Allocate(mf_, new_top - old_top);
    if (!range.ok()) return brk_;
    Vma vma{old_top,
            new_top,
            PROT_READ | PROT_WRITE,
            false,
            false,
            PROT_READ | PROT_WRITE | PROT_EXEC,
            std::move(*range),
            0,
            "[heap]"};
    if (!InsertLocked(ctx, std::move(vma)).ok()) return brk_;
  } else if (new_top < old_top) {
    RemoveLocked(new_top, old_top, true);
    if (ctx) (void)ctx->Inject(SYS_munmap, new_top, old_top - new_top);
  }
  brk_ = addr;
  return brk_;
}

ErrnoOr<std::vector<struct iovec>> MemoryManager::Translate(uint64_t addr, uint64_t len,
                                                            int prot_needed) {
  std::vector<struct iovec> out;
  if (len == 0) return out;
  if (addr + len < addr) return Errno(EFAULT);
  absl::MutexLock lock(&mu_);
  uint64_t pos = addr, end = addr + len;
  auto it = vmas_.upper_bound(addr);
  if (it == vmas_.begin()) return Errno(EFAULT);
  --it;
  while (pos < end) {
    if (it == vmas_.end() || it->second.start > pos || it->second.end <= pos) return Errno(EFAULT);
    const Vma& v = it->second;
    if ((v.prot & prot_needed) != prot_needed) return Errno(EFAULT);
    uint64_t stop = std::min(end, v.end);
    uint8_t* host = mf_.HostAddress(v.MemoryFileOffset(pos));
    if (!out.empty() && static_cast<uint8_t*>(out.back().iov_base) + out.back().iov_len == host) {
      out.back().iov_len += stop - pos;
    } else {
      out.push_back({host, stop - pos});
    }
    pos = stop;
    ++it;
  }
  return out;
}

std::optional<Vma> MemoryManager::Find(uint64_t addr) {
  absl::MutexLock lock(&mu_);
  auto it = vmas_.upper_bound(addr);
  if (it == vmas_.begin()) return std::nullopt;
  --it;
  if (it->second.end <= addr) return std::nullopt;
  return it->second;
}

ErrnoStatus MemoryManager::GrowStack(platform::Context* ctx, uint64_t addr, uint64_t limit) {
  absl::MutexLock lock(&mu_);
  auto it = vmas_.upper_bound(addr);
  if (it == vmas_.end() || !it->second.growsdown || addr < kMinAddress) return Errno(ENOMEM);
  // The stack so far: it may be several mappings (each growth is one).
  uint64_t top = it->second.end;
  for (auto j = std::next(it); j != vmas_.end() && j->first == top && j->second.growsdown; ++j) {
    top = j->second.end;
  }
  const uint64_t new_start = addr & ~abi::kPageMask;
  if (top - new_start > limit) return Errno(ENOMEM);
  if (it != vmas_.begin()) {
    const Vma& below = std::prev(it)->second;
    if (below.end > new_start) return Errno(ENOMEM);
    if (!below.growsdown && new_start - below.end < kStackGuardGap) return Errno(ENOMEM);
  }
  const Vma& stack = it->second;
  const uint64_t len = it->first - new_start;
  SB_ASSIGN_OR_RETURN(MemoryRangeRef range, MemoryRange::Allocate(mf_, len));
  Vma grown{new_start,      it->first,        stack.prot, false,     true,
            stack.max_prot, std::move(range), 0,          stack.name};
  return InsertLocked(ctx, std::move(grown));
}

namespace {

// Would Linux have merged `b` into `a` (its neighbour below): the same
// protections and kind, and for a file, the next part of it?
bool MergedForDisplay(const Vma& a, const Vma& b) {
  if (a.end != b.start || a.prot != b.prot || a.max_prot != b.max_prot || a.shared != b.shared ||
      a.growsdown != b.growsdown || a.name != b.name) {
    return false;
  }
  if (a.name.empty() || a.name[0] == '[') return true;
  return a.dev == b.dev && a.ino == b.ino && a.file_offset + (a.end - a.start) == b.file_offset;
}

}  // namespace

std::vector<Vma> MemoryManager::VmasIn(uint64_t start, uint64_t end) {
  absl::MutexLock lock(&mu_);
  std::vector<Vma> out;
  for (auto it = vmas_.upper_bound(start); it != vmas_.begin();) {
    --it;  // the mapping that may contain `start`
    if (it->second.end > start) out.push_back(it->second);
    break;
  }
  for (auto it = vmas_.upper_bound(start); it != vmas_.end() && it->first < end; ++it) {
    out.push_back(it->second);
  }
  return out;
}

std::string MemoryManager::MapsText() {
  absl::MutexLock lock(&mu_);
  std::string out;
  // Neighbours Linux would have merged (a stack grown in steps, a break
  // moved in steps) are one mapping to the program.
  std::map<uint64_t, Vma> shown;
  for (const auto& [start, v] : vmas_) {
    if (!shown.empty()) {
      Vma& last = std::prev(shown.end())->second;
      if (MergedForDisplay(last, v)) {
        last.end = v.end;
        continue;
      }
    }
    shown.emplace(start, v);
  }
  for (const auto& [start, v] : shown) {
    std::string line = absl::StrFormat(
        "%08x-%08x %c%c%c%c %08x %02x:%02x %u ", v.start, v.end, (v.prot & PROT_READ) ? 'r' : '-',
        (v.prot & PROT_WRITE) ? 'w' : '-', (v.prot & PROT_EXEC) ? 'x' : '-', v.shared ? 's' : 'p',
        v.name.empty() || v.name[0] == '[' ? 0 : v.file_offset, (v.dev >> 8) & 0xfff, v.dev & 0xff,
        v.ino);
    if (!v.name.empty()) {
      line.resize(std::max<size_t>(line.size(), 73), ' ');
      line += v.name;
    }
    out += line;
    out += '\n';
  }
  return out;
}

namespace {

// Bytes of [host, host+len) present in memory: the memory file is a memfd,
// so mincore on the kernel's own mapping of it tells which pages exist.
// Asked a bounded number of pages at a time, so a huge reservation costs
// time, not a huge vector (getrusage and exit ask for every mapping).
uint64_t ResidentBytes(const uint8_t* host, uint64_t len) {
  const uint64_t page = 4096;
  constexpr uint64_t kChunk = 16384;  // pages per mincore call
  uintptr_t start = reinterpret_cast<uintptr_t>(host) & ~(page - 1);
  uint64_t n = (reinterpret_cast<uintptr_t>(host) + len - start + page - 1) / page;
  std::vector<unsigned char> vec(std::min(n, kChunk));
  uint64_t resident = 0;
  for (uint64_t done = 0; done < n;) {
    uint64_t k = std::min(n - done, kChunk);
    if (mincore(reinterpret_cast<void*>(start + done * page), k * page, vec.data()) != 0) {
      return resident;
    }
    for (uint64_t i = 0; i < k; ++i) resident += (vec[i] & 1) ? page : 0;
    done += k;
  }
  return resident;
}

}  // namespace

std::vector<MemoryManager::Mapping> MemoryManager::Mappings() {
  absl::MutexLock lock(&mu_);
  std::vector<Mapping> out;
  for (const auto& [start, v] : vmas_) {
    uint64_t resident =
        ResidentBytes(mf_.HostAddress(v.MemoryFileOffset(v.start)), v.end - v.start);
    if (!out.empty()) {
      Mapping& last = out.back();
      // As MapsText.
      if (MergedForDisplay(last.vma, v)) {
        last.vma.end = v.end;
        last.resident += resident;
        continue;
      }
    }
    out.push_back(Mapping{v, resident});
  }
  return out;
}

uint64_t MemoryManager::ResidentLocked() {
  uint64_t n = 0;
  for (const auto& [start, v] : vmas_) {
    n += ResidentBytes(mf_.HostAddress(v.MemoryFileOffset(v.start)), v.end - v.start);
  }
  return n;
}

void MemoryManager::SampleHiwaterBeforeDropLocked(uint64_t start, uint64_t end) {
  constexpr uint64_t kLargeDrop = uint64_t{1} << 20;
  uint64_t dropping = 0;
  auto it = vmas_.upper_bound(start);
  if (it != vmas_.begin() && std::prev(it)->second.end > start) --it;
  for (; it != vmas_.end() && it->first < end; ++it) {
    const Vma& v = it->second;
    if (v.shared) continue;
    uint64_t a = std::max(v.start, start), b = std::min(v.end, end);
    dropping += ResidentBytes(mf_.HostAddress(v.MemoryFileOffset(a)), b - a);
    if (dropping >= kLargeDrop) break;
  }
  if (dropping >= kLargeDrop) hiwater_rss_ = std::max(hiwater_rss_, ResidentLocked());
}

uint64_t MemoryManager::HiwaterRss() {
  absl::MutexLock lock(&mu_);
  hiwater_rss_ = std::max(hiwater_rss_, ResidentLocked());
  return hiwater_rss_;
}

std::pair<uint64_t, uint64_t> MemoryManager::brk_range() {
  absl::MutexLock lock(&mu_);
  return {brk_base_, brk_};
}

uint64_t MemoryManager::mapped_bytes() {
  absl::MutexLock lock(&mu_);
  uint64_t n = 0;
  for (const auto& [s, v] : vmas_) n += v.end - v.start;
  return n;
}

MemoryManager::Layout MemoryManager::layout() {
  absl::MutexLock lock(&mu_);
  return layout_;
}

void MemoryManager::set_layout(Layout l) {
  absl::MutexLock lock(&mu_);
  layout_ = std::move(l);
}

}  // namespace sb::kernel::mm
