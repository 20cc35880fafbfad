// netstack/buffer.h: packet bytes and big-endian field access.
//
// A packet is a plain std::vector<uint8_t> (Buffer) while it is built or
// parsed; parsers take absl::Span<const uint8_t>. Every header file of the
// netstack uses these helpers; nothing here owns state.
#ifndef SB_NETSTACK_BUFFER_H_
#define SB_NETSTACK_BUFFER_H_

#include <cstdint>
#include <vector>

#include "absl/types/span.h"

namespace sb::netstack {

using Buffer = std::vector<uint8_t>;
using View = absl::Span<const uint8_t>;

inline uint16_t Load16(const uint8_t* p) { return static_cast<uint16_t>(p[0] << 8 | p[1]); }
inline uint32_t Load32(const uint8_t* p) {
  return static_cast<uint32_t>(p[0]) << 24 | static_cast<uint32_t>(p[1]) << 16 |
         static_cast<uint32_t>(p[2]) << 8 | p[3];
}
inline void Store16(uint8_t* p, uint16_t v) {
  p[0] = static_cast<uint8_t>(v >> 8);
  p[1] = static_cast<uint8_t>(v);
}
inline void Store32(uint8_t* p, uint32_t v) {
  p[0] = static_cast<uint8_t>(v >> 24);
  p[1] = static_cast<uint8_t>(v >> 16);
  p[2] = static_cast<uint8_t>(v >> 8);
  p[3] = static_cast<uint8_t>(v);
}

// Returns a buffer holding `header` followed by `payload`.
inline Buffer Concat(View header, View payload) {
  Buffer out;
  out.reserve(header.size() + payload.size());
  out.insert(out.end(), header.begin(), header.end());
  out.insert(out.end(), payload.begin(), payload.end());
  return out;
}

}  // namespace sb::netstack

#endif  // SB_NETSTACK_BUFFER_H_
