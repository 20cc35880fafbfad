#include "kernel/base/user_io.h"

#include <algorithm>
#include <cstring>

namespace sb {
namespace {

// Calls fn(iovec byte pointer, source/destination offset, length) for the
// `n` bytes starting `off` bytes into `v`; returns how many there were.
template <class Fn>
size_t ForEachRange(HostIoVecs v, size_t off, size_t n, Fn fn) {
  size_t done = 0;
  for (const struct iovec& e : v) {
    if (done == n) break;
    if (off >= e.iov_len) {
      off -= e.iov_len;
      continue;
    }
    const size_t k = std::min(e.iov_len - off, n - done);
    fn(static_cast<uint8_t*>(e.iov_base) + off, done, k);
    done += k;
    off = 0;
  }
  return done;
}

}  // namespace

size_t ScatterToIoVecs(HostIoVecs dst, size_t dst_off, const void* src, size_t n) {
  const auto* from = static_cast<const uint8_t*>(src);
  return ForEachRange(dst, dst_off, n,
                      [&](uint8_t* p, size_t at, size_t k) { std::memcpy(p, from + at, k); });
}

size_t GatherFromIoVecs(HostIoVecs src, size_t src_off, void* dst, size_t n) {
  auto* to = static_cast<uint8_t*>(dst);
  return ForEachRange(src, src_off, n,
                      [&](uint8_t* p, size_t at, size_t k) { std::memcpy(to + at, p, k); });
}

void AdvanceIoVecs(std::vector<struct iovec>& v, size_t n) {
  size_t i = 0;
  while (i < v.size() && n >= v[i].iov_len) n -= v[i++].iov_len;
  v.erase(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(i));
  if (!v.empty()) {
    v[0].iov_base = static_cast<uint8_t*>(v[0].iov_base) + n;
    v[0].iov_len -= n;
  }
}

}  // namespace sb
