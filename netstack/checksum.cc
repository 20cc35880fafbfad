// netstack/checksum.cc: see checksum.h.
#include "netstack/checksum.h"

namespace sb::netstack {

uint32_t ChecksumAdd(uint32_t sum, View data) {
  uint64_t s = sum;
  size_t i = 0;
  for (; i + 1 < data.size(); i += 2) s += static_cast<uint32_t>(data[i] << 8 | data[i + 1]);
  if (i < data.size()) s += static_cast<uint32_t>(data[i] << 8);
  while (s >> 32) s = (s & 0xffffffff) + (s >> 32);
  return static_cast<uint32_t>(s);
}

uint16_t ChecksumFinish(uint32_t sum) {
  uint64_t s = sum;
  while (s >> 16) s = (s & 0xffff) + (s >> 16);
  return static_cast<uint16_t>(~s & 0xffff);
}

uint32_t PseudoHeaderSum(const IpAddress& src, const IpAddress& dst, uint8_t protocol,
                         uint32_t length) {
  uint32_t sum = ChecksumAdd(0, src.bytes());
  sum = ChecksumAdd(sum, dst.bytes());
  uint8_t tail[8] = {};
  Store32(tail, length);
  tail[7] = protocol;
  if (src.is_v4()) {
    uint8_t v4tail[4] = {0, protocol, static_cast<uint8_t>(length >> 8),
                         static_cast<uint8_t>(length)};
    return ChecksumAdd(sum, View(v4tail, 4));
  }
  return ChecksumAdd(sum, View(tail, 8));
}

uint16_t TransportChecksum(const IpAddress& src, const IpAddress& dst, uint8_t protocol, View seg) {
  uint32_t sum = PseudoHeaderSum(src, dst, protocol, static_cast<uint32_t>(seg.size()));
  return ChecksumFinish(ChecksumAdd(sum, seg));
}

}  // namespace sb::netstack
