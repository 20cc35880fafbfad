// task_usermem.cc: copying to and from the program's memory. All access
// goes through the address space's table (MemoryManager::Translate), which
// checks protections, then through the kernel's own mapping of the memory
// file: no host syscall per copy.
#include <climits>
#include <cstring>

#include "kernel/base/abi.h"
#include "kernel/task/task.h"

namespace sb::kernel {

ErrnoOr<std::vector<struct iovec>> Task::TranslateGrowing(uint64_t addr, size_t n, int prot) {
  auto iov = mm_->Translate(addr, n, prot);
  // The kernel touching the program's stack below its mapping (a signal
  // frame, a syscall's output) grows it as the program's own access would.
  if (!iov.ok() && n > 0 && !mm_->Find(addr) &&
      mm_->GrowStack(ctx_.get(), addr, RlimitCur(RLIMIT_STACK)).ok()) {
    iov = mm_->Translate(addr, n, prot);
  }
  return iov;
}

ErrnoStatus Task::CopyIn(uint64_t addr, void* dst, size_t n) {
  SB_ASSIGN_OR_RETURN(auto iov, TranslateGrowing(addr, n, PROT_READ));
  auto* out = static_cast<uint8_t*>(dst);
  for (const auto& v : iov) {
    memcpy(out, v.iov_base, v.iov_len);
    out += v.iov_len;
  }
  return Ok();
}

ErrnoStatus Task::CopyOut(uint64_t addr, const void* src, size_t n) {
  SB_ASSIGN_OR_RETURN(auto iov, TranslateGrowing(addr, n, PROT_WRITE));
  const auto* in = static_cast<const uint8_t*>(src);
  for (const auto& v : iov) {
    memcpy(v.iov_base, in, v.iov_len);
    in += v.iov_len;
  }
  return Ok();
}

ErrnoOr<std::string> Task::CopyInString(uint64_t addr, size_t max) {
  std::string out;
  while (out.size() < max) {
    // Read up to the end of the page so an unmapped next page is no fault
    // unless the string runs into it.
    uint64_t chunk = abi::kPageSize - ((addr + out.size()) & abi::kPageMask);
    chunk = std::min<uint64_t>(chunk, max - out.size());
    SB_ASSIGN_OR_RETURN(auto iov, mm_->Translate(addr + out.size(), chunk, PROT_READ));
    for (const auto& v : iov) {
      const char* p = static_cast<const char*>(v.iov_base);
      const void* nul = memchr(p, 0, v.iov_len);
      if (nul != nullptr) {
        out.append(p, static_cast<const char*>(nul) - p);
        return out;
      }
      out.append(p, v.iov_len);
    }
  }
  return Errno(ENAMETOOLONG);
}

ErrnoOr<std::vector<std::string>> Task::CopyInStringArray(uint64_t addr) {
  std::vector<std::string> out;
  if (addr == 0) return out;
  constexpr size_t kMaxArgStrlen = 32 * abi::kPageSize;  // MAX_ARG_STRLEN
  constexpr size_t kMaxArgs = 0x7FFFFFFF;                // MAX_ARG_STRINGS
  size_t total = 0;
  const size_t limit = std::max<uint64_t>(RlimitCur(RLIMIT_STACK) / 4, 32 * abi::kPageSize);
  for (size_t i = 0; i < kMaxArgs; ++i) {
    SB_ASSIGN_OR_RETURN(uint64_t p, CopyInObj<uint64_t>(addr + i * 8));
    if (p == 0) break;
    auto s = CopyInString(p, kMaxArgStrlen);
    if (!s.ok()) return Errno(s.error().value() == ENAMETOOLONG ? E2BIG : s.error().value());
    total += s->size() + 1 + sizeof(uint64_t);
    if (total > limit) return Errno(E2BIG);
    out.push_back(std::move(*s));
  }
  return out;
}

ErrnoOr<std::vector<struct iovec>> Task::UserBuffer(uint64_t addr, size_t len, int prot) {
  // Linux clamps a single transfer to MAX_RW_COUNT.
  len = std::min<size_t>(len, INT_MAX & ~abi::kPageMask);
  return mm_->Translate(addr, len, prot);
}

ErrnoOr<std::vector<struct iovec>> Task::UserIoVecs(uint64_t iov_addr, int iovcnt, int prot) {
  if (iovcnt < 0 || iovcnt > IOV_MAX) return Errno(EINVAL);
  std::vector<struct iovec> user(iovcnt);
  if (iovcnt) SB_TRY(CopyIn(iov_addr, user.data(), sizeof(struct iovec) * iovcnt));
  std::vector<struct iovec> out;
  size_t total = 0;
  for (const auto& v : user) {
    if (static_cast<ssize_t>(v.iov_len) < 0) return Errno(EINVAL);
    size_t len = std::min<size_t>(v.iov_len, (INT_MAX & ~abi::kPageMask) - total);
    if (len == 0) continue;
    SB_ASSIGN_OR_RETURN(auto host,
                        mm_->Translate(reinterpret_cast<uint64_t>(v.iov_base), len, prot));
    out.insert(out.end(), host.begin(), host.end());
    total += len;
  }
  return out;
}

}  // namespace sb::kernel
