// tests/netstack/harness.h: a Stack with one Ethernet NIC on a channel link
// and a manual clock, plus helpers to inject frames as a peer would send
// them and to parse the frames the Stack transmits.
#ifndef SB_TESTS_NETSTACK_HARNESS_H_
#define SB_TESTS_NETSTACK_HARNESS_H_

#include <gtest/gtest.h>

#include <memory>
#include <optional>

#include "netstack/arp.h"
#include "netstack/channel_endpoint.h"
#include "netstack/checksum.h"
#include "netstack/clock.h"
#include "netstack/ethernet.h"
#include "netstack/icmp.h"
#include "netstack/ipv4.h"
#include "netstack/ipv6.h"
#include "netstack/stack.h"
#include "netstack/tcp_endpoint.h"
#include "netstack/tcp_segment.h"
#include "netstack/udp.h"

namespace sb::netstack::testing {

inline const MacAddress kStackMac{{0x02, 0, 0, 0, 0, 0x01}};
inline const MacAddress kPeerMac{{0x02, 0, 0, 0, 0, 0x02}};
inline const IpAddress kStackIp = IpAddress::V4(10, 0, 0, 1);
inline const IpAddress kPeerIp = IpAddress::V4(10, 0, 0, 2);

// 2001:db8::<last>
inline IpAddress Doc6(uint16_t last) {
  uint8_t b[16] = {0x20, 0x01, 0x0d, 0xb8};
  b[14] = static_cast<uint8_t>(last >> 8);
  b[15] = static_cast<uint8_t>(last);
  return IpAddress::V6FromBytes(b);
}
inline const IpAddress kStackIp6 = Doc6(1);
inline const IpAddress kPeerIp6 = Doc6(2);

// A transmitted frame, parsed down to the IP payload.
struct OutFrame {
  EthernetHeader eth;
  Buffer payload;  // after the Ethernet header
  std::optional<Ipv4Header> ip;
  std::optional<Ipv6Header> ip6;
  Buffer ip_payload;  // IPv4 or IPv6 payload
};

// A transmitted TCP segment (owning copy).
struct OutSeg {
  uint16_t src_port = 0, dst_port = 0;
  uint32_t seq = 0, ack = 0;
  uint8_t flags = 0;
  uint16_t window = 0;
  TcpOptions options;
  Buffer data;
  bool Has(uint8_t f) const { return (flags & f) == f; }
};

class NetTest : public ::testing::Test {
 protected:
  // Tests may change options before calling Init().
  StackOptions opts_;
  ManualClock clock_;
  std::unique_ptr<Stack> stack_;
  ChannelEndpoint* link_ = nullptr;
  NicId nic_ = 0;

  NetTest() {
    opts_.clock = &clock_;
    opts_.seed = 42;
    opts_.tcp_delayed_ack = false;
  }

  void Init(bool learn_peer = true, uint32_t mtu = 1500) {
    stack_ = std::make_unique<Stack>(opts_);
    auto link = std::make_unique<ChannelEndpoint>(mtu, kStackMac);
    link_ = link.get();
    nic_ = stack_->AddNic(std::move(link));
    ASSERT_EQ(stack_->AddAddress(nic_, Subnet{kStackIp, 24}), Error::kOk);
    if (learn_peer) stack_->AddStaticNeighbor(nic_, kPeerIp, kPeerMac);
  }

  void Advance(absl::Duration d) {
    clock_.Advance(d);
    stack_->AdvanceTimers();
  }

  void InjectEth(uint16_t type, View payload, MacAddress dst = kStackMac) {
    link_->Inject(EncodeEthernet({dst, kPeerMac, type}, payload));
  }

  void InjectIp(uint8_t proto, View payload, IpAddress src = kPeerIp, IpAddress dst = kStackIp) {
    Ipv4Header h;
    h.id = next_id_++;
    h.protocol = proto;
    h.src = src;
    h.dst = dst;
    InjectEth(kEtherTypeIpv4, EncodeIpv4(h, payload));
  }

  void InjectIp6(uint8_t next, View payload, IpAddress src = kPeerIp6, IpAddress dst = kStackIp6,
                 uint8_t hop_limit = 64, MacAddress eth_dst = kStackMac) {
    Ipv6Header h;
    h.next_header = next;
    h.hop_limit = hop_limit;
    h.src = src;
    h.dst = dst;
    InjectEth(kEtherTypeIpv6, EncodeIpv6(h, payload), eth_dst);
  }

  std::optional<OutFrame> ReadFrame() {
    auto f = link_->Read();
    if (!f) return std::nullopt;
    OutFrame out;
    View payload;
    auto eth = ParseEthernet(*f, &payload);
    EXPECT_TRUE(eth.has_value());
    if (!eth) return std::nullopt;
    out.eth = *eth;
    out.payload.assign(payload.begin(), payload.end());
    if (eth->type == kEtherTypeIpv4) {
      View ipp;
      out.ip = ParseIpv4(out.payload, &ipp);
      EXPECT_TRUE(out.ip.has_value()) << "bad IPv4 header or checksum";
      if (out.ip) out.ip_payload.assign(ipp.begin(), ipp.end());
    }
    if (eth->type == kEtherTypeIpv6) {
      View ipp;
      out.ip6 = ParseIpv6(out.payload, &ipp);
      EXPECT_TRUE(out.ip6.has_value()) << "bad IPv6 header";
      if (out.ip6) out.ip_payload.assign(ipp.begin(), ipp.end());
    }
    return out;
  }

  // TCP from the peer.
  OutSeg Seg(uint16_t sport, uint16_t dport, uint32_t seq, uint32_t ack, uint8_t flags,
             uint16_t window = 65535, View data = {}) {
    OutSeg s;
    s.src_port = sport;
    s.dst_port = dport;
    s.seq = seq;
    s.ack = ack;
    s.flags = flags;
    s.window = window;
    s.data.assign(data.begin(), data.end());
    return s;
  }
  void InjectTcp(const OutSeg& s) {
    TcpSegment t;
    t.src_port = s.src_port;
    t.dst_port = s.dst_port;
    t.seq = s.seq;
    t.ack = s.ack;
    t.flags = s.flags;
    t.window = s.window;
    t.options = s.options;
    t.payload = s.data;
    InjectIp(kProtoTcp, EncodeTcp(t, kPeerIp, kStackIp));
  }

  // Next transmitted frame, which must be a valid TCP segment.
  std::optional<OutSeg> ReadTcp() {
    for (;;) {
      auto f = ReadFrame();
      if (!f) return std::nullopt;
      if (!f->ip || f->ip->protocol != kProtoTcp) continue;
      auto t = ParseTcp(f->ip_payload, f->ip->src, f->ip->dst);
      EXPECT_TRUE(t.has_value()) << "bad TCP checksum";
      if (!t) return std::nullopt;
      OutSeg s;
      s.src_port = t->src_port;
      s.dst_port = t->dst_port;
      s.seq = t->seq;
      s.ack = t->ack;
      s.flags = t->flags;
      s.window = t->window;
      s.options = t->options;
      s.data.assign(t->payload.begin(), t->payload.end());
      return s;
    }
  }

 public:
  static Buffer Bytes(size_t n, uint8_t start = 0) {
    Buffer b(n);
    for (size_t i = 0; i < n; ++i) b[i] = static_cast<uint8_t>(start + i * 7);
    return b;
  }

 protected:
  uint16_t next_id_ = 100;
};

}  // namespace sb::netstack::testing

#endif  // SB_TESTS_NETSTACK_HARNESS_H_
