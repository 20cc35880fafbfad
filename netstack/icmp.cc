// netstack/icmp.cc: see icmp.h.
#include "netstack/icmp.h"

#include <algorithm>

#include "netstack/checksum.h"

namespace sb::netstack {

Buffer EncodeIcmp(const IcmpMessage& m) {
  Buffer out(8 + m.body.size());
  out[0] = m.type;
  out[1] = m.code;
  Store32(&out[4], m.rest);
  std::copy(m.body.begin(), m.body.end(), out.begin() + 8);
  Store16(&out[2], Checksum(out));
  return out;
}

std::optional<IcmpMessage> ParseIcmp(View d) {
  if (d.size() < 8 || Checksum(d) != 0) return std::nullopt;
  IcmpMessage m;
  m.type = d[0];
  m.code = d[1];
  m.rest = Load32(&d[4]);
  m.body.assign(d.begin() + 8, d.end());
  return m;
}

Buffer IcmpErrorBody(View p) {
  size_t ihl = p.empty() ? 0 : static_cast<size_t>(p[0] & 0xf) * 4;
  size_t n = std::min(p.size(), ihl + 8);
  return Buffer(p.begin(), p.begin() + n);
}

}  // namespace sb::netstack
