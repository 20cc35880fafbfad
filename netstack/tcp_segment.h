// netstack/tcp_segment.h: TCP header and option encoding (RFC 9293, RFC
// 7323 window scale and timestamps, RFC 2018 SACK), and sequence-number
// arithmetic. Pure functions used by TcpEndpoint, Stack and tests.
#ifndef SB_NETSTACK_TCP_SEGMENT_H_
#define SB_NETSTACK_TCP_SEGMENT_H_

#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "netstack/address.h"
#include "netstack/buffer.h"

namespace sb::netstack {

inline constexpr size_t kTcpHeaderSize = 20;
inline constexpr uint8_t kTcpFin = 0x01;
inline constexpr uint8_t kTcpSyn = 0x02;
inline constexpr uint8_t kTcpRst = 0x04;
inline constexpr uint8_t kTcpPsh = 0x08;
inline constexpr uint8_t kTcpAck = 0x10;
inline constexpr uint8_t kTcpUrg = 0x20;

// Sequence comparisons modulo 2^32.
inline bool SeqLt(uint32_t a, uint32_t b) { return static_cast<int32_t>(a - b) < 0; }
inline bool SeqLe(uint32_t a, uint32_t b) { return static_cast<int32_t>(a - b) <= 0; }
inline bool SeqGt(uint32_t a, uint32_t b) { return SeqLt(b, a); }
inline bool SeqGe(uint32_t a, uint32_t b) { return SeqLe(b, a); }

// Orders sequence numbers that lie within 2^31 of each other (all keys of
// one connection's maps do: they are inside a window).
struct SeqLess {
  bool operator()(uint32_t a, uint32_t b) const { return SeqLt(a, b); }
};

struct SackBlock {
  uint32_t start = 0;  // first sequence number held
  uint32_t end = 0;    // one past the last
  bool operator==(const SackBlock&) const = default;
};

struct TcpOptions {
  std::optional<uint16_t> mss;
  std::optional<uint8_t> window_scale;
  bool sack_permitted = false;
  std::optional<std::pair<uint32_t, uint32_t>> timestamp;  // (TSval, TSecr)
  std::vector<SackBlock> sack;
};

struct TcpSegment {
  uint16_t src_port = 0;
  uint16_t dst_port = 0;
  uint32_t seq = 0;
  uint32_t ack = 0;
  uint8_t flags = 0;
  uint16_t window = 0;  // as on the wire (unscaled)
  TcpOptions options;
  View payload;  // parse: points into the parsed buffer

  // Sequence space consumed: payload plus SYN and FIN.
  uint32_t SeqLength() const {
    return static_cast<uint32_t>(payload.size()) + ((flags & kTcpSyn) ? 1 : 0) +
           ((flags & kTcpFin) ? 1 : 0);
  }
};

// Encodes with options (padded to 4 bytes) and checksum.
Buffer EncodeTcp(const TcpSegment& s, const IpAddress& src, const IpAddress& dst);
// Validates length and checksum; unknown options are skipped.
std::optional<TcpSegment> ParseTcp(View data, const IpAddress& src, const IpAddress& dst);
// Bytes the encoded options take (for MSS accounting).
size_t TcpOptionsSize(const TcpOptions& o);

}  // namespace sb::netstack

#endif  // SB_NETSTACK_TCP_SEGMENT_H_
