// netstack/icmp.h: ICMPv4 messages (RFC 792): echo, destination
// unreachable, time exceeded, fragmentation needed. Pure encode/parse; the
// Stack decides when to send and what to do with received messages.
#ifndef SB_NETSTACK_ICMP_H_
#define SB_NETSTACK_ICMP_H_

#include <optional>

#include "netstack/buffer.h"

namespace sb::netstack {

inline constexpr uint8_t kIcmpEchoReply = 0;
inline constexpr uint8_t kIcmpDestUnreachable = 3;
inline constexpr uint8_t kIcmpEchoRequest = 8;
inline constexpr uint8_t kIcmpTimeExceeded = 11;
// Codes of kIcmpDestUnreachable.
inline constexpr uint8_t kIcmpNetUnreachable = 0;
inline constexpr uint8_t kIcmpHostUnreachable = 1;
inline constexpr uint8_t kIcmpProtoUnreachable = 2;
inline constexpr uint8_t kIcmpPortUnreachable = 3;
inline constexpr uint8_t kIcmpFragNeeded = 4;  // "packet too big" for IPv4
// Codes of kIcmpTimeExceeded.
inline constexpr uint8_t kIcmpTtlExceeded = 0;
inline constexpr uint8_t kIcmpReassemblyTimeExceeded = 1;

struct IcmpMessage {
  uint8_t type = 0;
  uint8_t code = 0;
  uint32_t rest = 0;  // echo: id << 16 | seq; frag needed: next-hop MTU (low 16 bits)
  Buffer body;        // echo data, or the offending datagram's header + 8 bytes
};

// Encodes with checksum.
Buffer EncodeIcmp(const IcmpMessage& m);
// Validates the checksum.
std::optional<IcmpMessage> ParseIcmp(View data);
// Body of an error message about `offending` (its IP header and 8 more bytes).
Buffer IcmpErrorBody(View offending_ip_packet);

}  // namespace sb::netstack

#endif  // SB_NETSTACK_ICMP_H_
