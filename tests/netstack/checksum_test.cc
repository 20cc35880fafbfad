// tests/netstack/checksum_test.cc: pure encode/parse functions: checksums,
// addresses, IPv4 fragmentation and reassembly, TCP options, ARP, ICMP.
#include <gtest/gtest.h>

#include "netstack/address.h"
#include "netstack/arp.h"
#include "netstack/checksum.h"
#include "netstack/icmp.h"
#include "netstack/ipv4.h"
#include "netstack/route.h"
#include "netstack/tcp_segment.h"

namespace sb::netstack {
namespace {

TEST(Checksum, Rfc1071Example) {
  // RFC 1071 section 3: the sum of these words is ddf2, checksum 220d.
  Buffer b = {0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7};
  EXPECT_EQ(Checksum(b), 0x220d);
  Buffer odd = {0x01};
  EXPECT_EQ(Checksum(odd), static_cast<uint16_t>(~0x0100));
}

TEST(Address, ParseFormatAndSubnet) {
  auto a = IpAddress::ParseV4("192.168.1.20");
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->ToString(), "192.168.1.20");
  EXPECT_FALSE(IpAddress::ParseV4("1.2.3").has_value());
  EXPECT_FALSE(IpAddress::ParseV4("1.2.3.256").has_value());
  Subnet s{IpAddress::V4(192, 168, 0, 0), 16};
  EXPECT_TRUE(s.Contains(*a));
  EXPECT_FALSE(s.Contains(IpAddress::V4(192, 169, 0, 1)));
  EXPECT_TRUE(IpAddress::V4(127, 0, 0, 1).IsLoopback());
  EXPECT_TRUE(IpAddress::V4Any().IsAny());
}

TEST(Route, LongestPrefixWins) {
  RouteTable t;
  t.Add({Subnet{IpAddress::V4Any(), 0}, IpAddress::V4(10, 0, 0, 254), 1});
  t.Add({Subnet{IpAddress::V4(10, 0, 0, 0), 24}, IpAddress(), 2});
  EXPECT_EQ(t.Lookup(IpAddress::V4(10, 0, 0, 7))->nic, 2);
  EXPECT_EQ(t.Lookup(IpAddress::V4(8, 8, 8, 8))->nic, 1);
  t.RemoveNic(1);
  EXPECT_FALSE(t.Lookup(IpAddress::V4(8, 8, 8, 8)).has_value());
}

TEST(Ipv4, EncodeParseRoundTripAndBadChecksum) {
  Ipv4Header h;
  h.id = 7;
  h.protocol = kProtoUdp;
  h.src = IpAddress::V4(1, 2, 3, 4);
  h.dst = IpAddress::V4(5, 6, 7, 8);
  Buffer payload = {1, 2, 3};
  Buffer p = EncodeIpv4(h, payload);
  p.push_back(0);  // link padding is ignored
  View out;
  auto got = ParseIpv4(p, &out);
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->src, h.src);
  EXPECT_EQ(got->dst, h.dst);
  EXPECT_EQ(got->ttl, kDefaultTtl);
  EXPECT_EQ(Buffer(out.begin(), out.end()), payload);
  p[8] ^= 1;  // corrupt the TTL: checksum fails
  EXPECT_FALSE(ParseIpv4(p, &out).has_value());
}

TEST(Ipv4, FragmentAndReassembleOutOfOrder) {
  Ipv4Header h;
  h.id = 99;
  h.protocol = kProtoUdp;
  h.src = IpAddress::V4(1, 1, 1, 1);
  h.dst = IpAddress::V4(2, 2, 2, 2);
  Buffer payload(3000);
  for (size_t i = 0; i < payload.size(); ++i) payload[i] = static_cast<uint8_t>(i * 13);
  auto frags = FragmentIpv4(h, payload, 1500);
  ASSERT_EQ(frags.size(), 3u);
  for (auto& f : frags) EXPECT_LE(f.size(), 1500u);
  Reassembler r;
  absl::Time now = absl::UnixEpoch();
  std::optional<Buffer> whole;
  for (int i : {2, 0, 1}) {
    View pl;
    auto fh = ParseIpv4(frags[i], &pl);
    ASSERT_TRUE(fh.has_value());
    whole = r.Add(*fh, pl, now);
    if (i != 1) {
      EXPECT_FALSE(whole.has_value());
    }
  }
  ASSERT_TRUE(whole.has_value());
  EXPECT_EQ(*whole, payload);
  EXPECT_EQ(r.pending(), 0u);
  // Don't-fragment that does not fit: nothing to send.
  h.dont_fragment = true;
  EXPECT_TRUE(FragmentIpv4(h, payload, 1500).empty());
}

TEST(Ipv4, ReassemblyTimesOut) {
  Ipv4Header h;
  h.id = 5;
  h.protocol = kProtoUdp;
  h.src = IpAddress::V4(1, 1, 1, 1);
  h.dst = IpAddress::V4(2, 2, 2, 2);
  h.more_fragments = true;
  Reassembler r;
  Buffer part(8);
  absl::Time now = absl::UnixEpoch();
  EXPECT_FALSE(r.Add(h, part, now).has_value());
  EXPECT_EQ(r.NextDeadline(), now + Reassembler::kTimeout);
  EXPECT_TRUE(r.Expire(now + absl::Seconds(29)).empty());
  EXPECT_EQ(r.Expire(now + absl::Seconds(30)).size(), 1u);  // the first fragment's header
  EXPECT_EQ(r.pending(), 0u);
}

TEST(TcpSegment, OptionsRoundTrip) {
  TcpSegment s;
  s.src_port = 1234;
  s.dst_port = 80;
  s.seq = 0xfffffff0;
  s.ack = 5;
  s.flags = kTcpSyn | kTcpAck;
  s.window = 1000;
  s.options.mss = 1460;
  s.options.window_scale = 7;
  s.options.sack_permitted = true;
  s.options.timestamp = {{111, 222}};
  Buffer data = {9, 8, 7};
  s.payload = data;
  IpAddress a = IpAddress::V4(1, 1, 1, 1), b = IpAddress::V4(2, 2, 2, 2);
  Buffer wire = EncodeTcp(s, a, b);
  EXPECT_EQ(wire.size() % 4, 3u);  // header is a multiple of 4, plus 3 data bytes
  auto got = ParseTcp(wire, a, b);
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->seq, s.seq);
  EXPECT_EQ(got->flags, s.flags);
  EXPECT_EQ(got->options.mss, 1460);
  EXPECT_EQ(got->options.window_scale, 7);
  EXPECT_TRUE(got->options.sack_permitted);
  EXPECT_EQ(got->options.timestamp->first, 111u);
  EXPECT_EQ(Buffer(got->payload.begin(), got->payload.end()), data);
  EXPECT_FALSE(ParseTcp(wire, a, IpAddress::V4(2, 2, 2, 3)).has_value());  // pseudo-header
  s.flags = kTcpAck;
  s.options = {};
  s.options.timestamp = {{1, 2}};
  s.options.sack = {{10, 20}, {30, 40}, {50, 60}, {70, 80}};
  got = ParseTcp(EncodeTcp(s, a, b), a, b);
  ASSERT_TRUE(got.has_value());
  ASSERT_EQ(got->options.sack.size(), 3u);  // only three fit beside timestamps
  EXPECT_EQ(got->options.sack[2], (SackBlock{50, 60}));
  EXPECT_TRUE(SeqLt(0xfffffff0u, 5u));
}

TEST(Arp, EncodeParseAndNeighborCache) {
  ArpPacket p{kArpRequest,
              MacAddress{{1, 2, 3, 4, 5, 6}},
              IpAddress::V4(10, 0, 0, 2),
              {},
              IpAddress::V4(10, 0, 0, 1)};
  auto got = ParseArp(EncodeArp(p));
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->sender_ip, p.sender_ip);
  EXPECT_EQ(got->sender_mac, p.sender_mac);
  NeighborCache c;
  absl::Time t = absl::UnixEpoch();
  IpAddress ip = IpAddress::V4(10, 0, 0, 9);
  EXPECT_TRUE(c.Enqueue(ip, Buffer{1}, t));
  EXPECT_FALSE(c.Enqueue(ip, Buffer{2}, t));  // already resolving
  EXPECT_EQ(c.Expire(t + absl::Seconds(1)).size(), 1u);
  auto pending = c.Learn(ip, p.sender_mac, t + absl::Seconds(1));
  EXPECT_EQ(pending.size(), 2u);
  EXPECT_EQ(c.Lookup(ip, t + absl::Seconds(2)), p.sender_mac);
  EXPECT_FALSE(c.Lookup(ip, t + absl::Seconds(62)).has_value());  // stale
}

TEST(Icmp, EncodeParse) {
  IcmpMessage m{kIcmpEchoRequest, 0, 0x00010002, Buffer{1, 2, 3}};
  Buffer b = EncodeIcmp(m);
  auto got = ParseIcmp(b);
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->rest, 0x00010002u);
  b[8] ^= 0xff;
  EXPECT_FALSE(ParseIcmp(b).has_value());
}

}  // namespace
}  // namespace sb::netstack
