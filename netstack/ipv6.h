// netstack/ipv6.h: IPv6 headers (RFC 8200), ICMPv6 (RFC 4443) and the
// Neighbor Discovery messages the Stack uses (RFC 4861: neighbour
// solicitation and advertisement). Pure encode/parse functions; the Stack
// (stack_ipv6.cc) decides what to send.
//
// Not yet: fragment header (received fragments are dropped; we never
// fragment), router discovery / SLAAC (addresses are static), MLD.
#ifndef SB_NETSTACK_IPV6_H_
#define SB_NETSTACK_IPV6_H_

#include <optional>

#include "netstack/address.h"
#include "netstack/buffer.h"

namespace sb::netstack {

inline constexpr size_t kIpv6HeaderSize = 40;
inline constexpr size_t kIpv6MinMtu = 1280;
inline constexpr uint8_t kNdpHopLimit = 255;

// ICMPv6 types.
inline constexpr uint8_t kIcmpv6DestUnreachable = 1;
inline constexpr uint8_t kIcmpv6PacketTooBig = 2;
inline constexpr uint8_t kIcmpv6TimeExceeded = 3;
inline constexpr uint8_t kIcmpv6EchoRequest = 128;
inline constexpr uint8_t kIcmpv6EchoReply = 129;
inline constexpr uint8_t kIcmpv6NeighborSolicit = 135;
inline constexpr uint8_t kIcmpv6NeighborAdvert = 136;
// Codes of kIcmpv6DestUnreachable.
inline constexpr uint8_t kIcmpv6NoRoute = 0;
inline constexpr uint8_t kIcmpv6AddressUnreachable = 3;
inline constexpr uint8_t kIcmpv6PortUnreachable = 4;

struct Ipv6Header {
  uint8_t traffic_class = 0;
  uint32_t flow_label = 0;
  uint8_t next_header = 0;  // parse: the upper-layer protocol, after extension headers
  uint8_t hop_limit = 64;
  IpAddress src;
  IpAddress dst;
};

// Returns header + payload (no extension headers).
Buffer EncodeIpv6(const Ipv6Header& h, View payload);
// Validates the fixed header and skips hop-by-hop, routing and destination
// options headers. Returns nullopt for malformed packets and for fragments.
std::optional<Ipv6Header> ParseIpv6(View packet, View* payload);

// ff02::1:ffXX:XXXX for `a`.
IpAddress SolicitedNodeMulticast(const IpAddress& a);
// ff02::1
IpAddress AllNodesMulticast();
// 33:33 followed by the low 32 bits of a multicast address.
MacAddress MulticastMac(const IpAddress& a);

struct Icmpv6Message {
  uint8_t type = 0;
  uint8_t code = 0;
  uint32_t rest = 0;  // echo: id << 16 | seq; packet too big: MTU; NA: flags << 24
  Buffer body;
};
// Encodes with the checksum over the IPv6 pseudo-header.
Buffer EncodeIcmpv6(const Icmpv6Message& m, const IpAddress& src, const IpAddress& dst);
std::optional<Icmpv6Message> ParseIcmpv6(View data, const IpAddress& src, const IpAddress& dst);

// Neighbor solicitation / advertisement (the part after the 4-byte "rest").
inline constexpr uint32_t kNaRouter = 0x80000000u;
inline constexpr uint32_t kNaSolicited = 0x40000000u;
inline constexpr uint32_t kNaOverride = 0x20000000u;
struct NdpMessage {
  IpAddress target;
  std::optional<MacAddress> link_addr;  // source (NS) or target (NA) link-layer option
};
Buffer EncodeNdpBody(const NdpMessage& m, bool advert);
std::optional<NdpMessage> ParseNdpBody(View body, bool advert);

}  // namespace sb::netstack

#endif  // SB_NETSTACK_IPV6_H_
