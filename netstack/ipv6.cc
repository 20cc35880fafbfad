// netstack/ipv6.cc: see ipv6.h.
#include "netstack/ipv6.h"

#include <algorithm>
#include <array>

#include "netstack/checksum.h"
#include "netstack/ipv4.h"

namespace sb::netstack {
namespace {

constexpr uint8_t kHopByHop = 0, kRouting = 43, kFragment = 44, kDestOptions = 60;
constexpr uint8_t kOptSourceLinkAddr = 1, kOptTargetLinkAddr = 2;

}  // namespace

Buffer EncodeIpv6(const Ipv6Header& h, View payload) {
  Buffer out(kIpv6HeaderSize + payload.size());
  Store32(&out[0],
          6u << 28 | static_cast<uint32_t>(h.traffic_class) << 20 | (h.flow_label & 0xfffff));
  Store16(&out[4], static_cast<uint16_t>(payload.size()));
  out[6] = h.next_header;
  out[7] = h.hop_limit;
  std::copy(h.src.bytes().begin(), h.src.bytes().end(), &out[8]);
  std::copy(h.dst.bytes().begin(), h.dst.bytes().end(), &out[24]);
  std::copy(payload.begin(), payload.end(), out.begin() + kIpv6HeaderSize);
  return out;
}

std::optional<Ipv6Header> ParseIpv6(View p, View* payload) {
  if (p.size() < kIpv6HeaderSize || (p[0] >> 4) != 6) return std::nullopt;
  size_t len = Load16(&p[4]);
  if (kIpv6HeaderSize + len > p.size()) return std::nullopt;
  Ipv6Header h;
  uint32_t first = Load32(&p[0]);
  h.traffic_class = static_cast<uint8_t>(first >> 20);
  h.flow_label = first & 0xfffff;
  h.hop_limit = p[7];
  h.src = IpAddress::V6FromBytes(&p[8]);
  h.dst = IpAddress::V6FromBytes(&p[24]);
  View rest = p.subspan(kIpv6HeaderSize, len);
  uint8_t next = p[6];
  while (next == kHopByHop || next == kRouting || next == kDestOptions) {
    if (rest.size() < 8) return std::nullopt;
    size_t ext = (static_cast<size_t>(rest[1]) + 1) * 8;
    if (ext > rest.size()) return std::nullopt;
    next = rest[0];
    rest = rest.subspan(ext);
  }
  if (next == kFragment) return std::nullopt;  // reassembly: not yet
  h.next_header = next;
  *payload = rest;
  return h;
}

IpAddress SolicitedNodeMulticast(const IpAddress& a) {
  std::array<uint8_t, 16> b = {0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0xff};
  auto src = a.bytes();
  if (src.size() == 16) std::copy(src.begin() + 13, src.end(), b.begin() + 13);
  return IpAddress::V6FromBytes(b.data());
}

IpAddress AllNodesMulticast() {
  std::array<uint8_t, 16> b = {0xff, 0x02};
  b[15] = 1;
  return IpAddress::V6FromBytes(b.data());
}

MacAddress MulticastMac(const IpAddress& a) {
  MacAddress m{{0x33, 0x33, 0, 0, 0, 0}};
  auto b = a.bytes();
  if (b.size() == 16) std::copy(b.begin() + 12, b.end(), m.b.begin() + 2);
  return m;
}

Buffer EncodeIcmpv6(const Icmpv6Message& m, const IpAddress& src, const IpAddress& dst) {
  Buffer out(8 + m.body.size());
  out[0] = m.type;
  out[1] = m.code;
  Store32(&out[4], m.rest);
  std::copy(m.body.begin(), m.body.end(), out.begin() + 8);
  Store16(&out[2], TransportChecksum(src, dst, kProtoIcmpv6, out));
  return out;
}

std::optional<Icmpv6Message> ParseIcmpv6(View d, const IpAddress& src, const IpAddress& dst) {
  if (d.size() < 8 || TransportChecksum(src, dst, kProtoIcmpv6, d) != 0) return std::nullopt;
  Icmpv6Message m;
  m.type = d[0];
  m.code = d[1];
  m.rest = Load32(&d[4]);
  m.body.assign(d.begin() + 8, d.end());
  return m;
}

Buffer EncodeNdpBody(const NdpMessage& m, bool advert) {
  Buffer out(16);
  std::copy(m.target.bytes().begin(), m.target.bytes().end(), out.begin());
  if (m.link_addr) {
    out.push_back(advert ? kOptTargetLinkAddr : kOptSourceLinkAddr);
    out.push_back(1);  // length in units of 8 bytes
    out.insert(out.end(), m.link_addr->b.begin(), m.link_addr->b.end());
  }
  return out;
}

std::optional<NdpMessage> ParseNdpBody(View body, bool advert) {
  if (body.size() < 16) return std::nullopt;
  NdpMessage m;
  m.target = IpAddress::V6FromBytes(body.data());
  if (m.target.IsMulticast()) return std::nullopt;
  View opts = body.subspan(16);
  while (opts.size() >= 2) {
    size_t len = static_cast<size_t>(opts[1]) * 8;
    if (len == 0 || len > opts.size()) return std::nullopt;  // RFC 4861 4.6
    uint8_t want = advert ? kOptTargetLinkAddr : kOptSourceLinkAddr;
    if (opts[0] == want && len >= 8) {
      MacAddress mac;
      std::copy(opts.begin() + 2, opts.begin() + 8, mac.b.begin());
      m.link_addr = mac;
    }
    opts = opts.subspan(len);
  }
  return m;
}

}  // namespace sb::netstack
