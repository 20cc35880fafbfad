// tests/netstack/ipv6_test.cc: IPv6 driven by frames: neighbour discovery,
// ICMPv6 echo and port unreachable, UDP and TCP over IPv6, and TCP over
// the IPv6 loopback address.
#include "netstack/loopback.h"
#include "tests/netstack/harness.h"

namespace sb::netstack::testing {
namespace {

class Ipv6Test : public NetTest {
 protected:
  void SetUp() override {
    Init(/*learn_peer=*/false);
    ASSERT_EQ(stack_->AddAddress(nic_, Subnet{kStackIp6, 64}), Error::kOk);
  }
  void LearnPeer6() { stack_->AddStaticNeighbor(nic_, kPeerIp6, kPeerMac); }

  Buffer Udp6(uint16_t sport, uint16_t dport, View data, IpAddress src = kPeerIp6,
              IpAddress dst = kStackIp6) {
    Buffer d(kUdpHeaderSize + data.size());
    Store16(&d[0], sport);
    Store16(&d[2], dport);
    Store16(&d[4], static_cast<uint16_t>(d.size()));
    std::copy(data.begin(), data.end(), d.begin() + kUdpHeaderSize);
    Store16(&d[6], TransportChecksum(src, dst, kProtoUdp, d));
    return d;
  }

  std::optional<OutSeg> ReadTcp6() {
    auto f = ReadFrame();
    if (!f || !f->ip6 || f->ip6->next_header != kProtoTcp) return std::nullopt;
    auto t = ParseTcp(f->ip_payload, f->ip6->src, f->ip6->dst);
    EXPECT_TRUE(t.has_value());
    if (!t) return std::nullopt;
    OutSeg s;
    s.seq = t->seq;
    s.ack = t->ack;
    s.flags = t->flags;
    s.options = t->options;
    s.data.assign(t->payload.begin(), t->payload.end());
    return s;
  }
  void InjectTcp6(const OutSeg& s) {
    TcpSegment t;
    t.src_port = s.src_port;
    t.dst_port = s.dst_port;
    t.seq = s.seq;
    t.ack = s.ack;
    t.flags = s.flags;
    t.window = s.window;
    t.options = s.options;
    t.payload = s.data;
    InjectIp6(kProtoTcp, EncodeTcp(t, kPeerIp6, kStackIp6));
  }
};

TEST_F(Ipv6Test, NeighborSolicitationGetsAdvertisement) {
  IpAddress snm = SolicitedNodeMulticast(kStackIp6);
  Icmpv6Message ns{kIcmpv6NeighborSolicit, 0, 0, EncodeNdpBody({kStackIp6, kPeerMac}, false)};
  InjectIp6(kProtoIcmpv6, EncodeIcmpv6(ns, kPeerIp6, snm), kPeerIp6, snm, kNdpHopLimit,
            MulticastMac(snm));
  auto f = ReadFrame();
  ASSERT_TRUE(f.has_value() && f->ip6.has_value());
  EXPECT_EQ(f->eth.dst, kPeerMac);  // learned from the solicitation
  EXPECT_EQ(f->ip6->src, kStackIp6);
  EXPECT_EQ(f->ip6->dst, kPeerIp6);
  EXPECT_EQ(f->ip6->hop_limit, kNdpHopLimit);
  auto m = ParseIcmpv6(f->ip_payload, f->ip6->src, f->ip6->dst);
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->type, kIcmpv6NeighborAdvert);
  EXPECT_EQ(m->rest, kNaSolicited | kNaOverride);
  auto na = ParseNdpBody(m->body, true);
  ASSERT_TRUE(na.has_value());
  EXPECT_EQ(na->target, kStackIp6);
  EXPECT_EQ(na->link_addr, kStackMac);
}

TEST_F(Ipv6Test, SolicitationWithWrongHopLimitIsIgnored) {
  IpAddress snm = SolicitedNodeMulticast(kStackIp6);
  Icmpv6Message ns{kIcmpv6NeighborSolicit, 0, 0, EncodeNdpBody({kStackIp6, kPeerMac}, false)};
  InjectIp6(kProtoIcmpv6, EncodeIcmpv6(ns, kPeerIp6, snm), kPeerIp6, snm, 64, MulticastMac(snm));
  EXPECT_FALSE(ReadFrame().has_value());
}

TEST_F(Ipv6Test, ResolvesNeighborBeforeSending) {
  auto ep = *stack_->NewEndpoint(Family::kV6, Transport::kUdp);
  Buffer msg = {1, 2, 3};
  ASSERT_TRUE(ep->Send(msg, SendOptions{FullAddress{kPeerIp6, 53}}).ok());
  auto f = ReadFrame();
  ASSERT_TRUE(f.has_value() && f->ip6.has_value());
  IpAddress snm = SolicitedNodeMulticast(kPeerIp6);
  EXPECT_EQ(f->eth.dst, (MacAddress{{0x33, 0x33, 0xff, 0, 0, 2}}));
  EXPECT_EQ(f->ip6->dst, snm);
  auto m = ParseIcmpv6(f->ip_payload, f->ip6->src, f->ip6->dst);
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->type, kIcmpv6NeighborSolicit);
  auto ns = ParseNdpBody(m->body, false);
  ASSERT_TRUE(ns.has_value());
  EXPECT_EQ(ns->target, kPeerIp6);
  EXPECT_EQ(ns->link_addr, kStackMac);
  EXPECT_FALSE(ReadFrame().has_value());
  Icmpv6Message na{kIcmpv6NeighborAdvert, 0, kNaSolicited | kNaOverride,
                   EncodeNdpBody({kPeerIp6, kPeerMac}, true)};
  InjectIp6(kProtoIcmpv6, EncodeIcmpv6(na, kPeerIp6, kStackIp6), kPeerIp6, kStackIp6, kNdpHopLimit);
  f = ReadFrame();
  ASSERT_TRUE(f.has_value() && f->ip6.has_value());
  EXPECT_EQ(f->eth.dst, kPeerMac);
  EXPECT_EQ(f->ip6->next_header, kProtoUdp);
  EXPECT_EQ(TransportChecksum(kStackIp6, kPeerIp6, kProtoUdp, f->ip_payload), 0);
  EXPECT_EQ(Buffer(f->ip_payload.begin() + 8, f->ip_payload.end()), msg);
  ep->Close();
}

TEST_F(Ipv6Test, EchoRequestGetsReply) {
  LearnPeer6();
  Icmpv6Message req{kIcmpv6EchoRequest, 0, 0x00050006, Bytes(40)};
  InjectIp6(kProtoIcmpv6, EncodeIcmpv6(req, kPeerIp6, kStackIp6));
  auto f = ReadFrame();
  ASSERT_TRUE(f.has_value() && f->ip6.has_value());
  auto m = ParseIcmpv6(f->ip_payload, f->ip6->src, f->ip6->dst);
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->type, kIcmpv6EchoReply);
  EXPECT_EQ(m->rest, 0x00050006u);
  EXPECT_EQ(m->body, Bytes(40));
}

TEST_F(Ipv6Test, UdpReceiveAndPortUnreachable) {
  LearnPeer6();
  auto ep = *stack_->NewEndpoint(Family::kV6, Transport::kUdp);
  ASSERT_EQ(ep->Bind(FullAddress{IpAddress::V6Any(), 5000}), Error::kOk);
  EXPECT_EQ(ep->Bind(FullAddress{IpAddress::V4Any(), 5001}), Error::kAlreadyBound);
  Buffer msg = Bytes(12);
  InjectIp6(kProtoUdp, Udp6(4000, 5000, msg));
  uint8_t buf[32];
  FullAddress from;
  auto n = ep->Recv(absl::MakeSpan(buf), {}, &from);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(Buffer(buf, buf + *n), msg);
  EXPECT_EQ(from, (FullAddress{kPeerIp6, 4000}));
  InjectIp6(kProtoUdp, Udp6(4000, 5999, msg));
  auto f = ReadFrame();
  ASSERT_TRUE(f.has_value() && f->ip6.has_value());
  auto m = ParseIcmpv6(f->ip_payload, f->ip6->src, f->ip6->dst);
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->type, kIcmpv6DestUnreachable);
  EXPECT_EQ(m->code, kIcmpv6PortUnreachable);
  ep->Close();
}

TEST_F(Ipv6Test, TcpHandshakeAndData) {
  LearnPeer6();
  auto listener = *stack_->NewEndpoint(Family::kV6, Transport::kTcp);
  ASSERT_EQ(listener->Bind(FullAddress{IpAddress::V6Any(), 80}), Error::kOk);
  ASSERT_EQ(listener->Listen(4), Error::kOk);
  OutSeg syn = Seg(40000, 80, 100, 0, kTcpSyn);
  syn.options.mss = 1440;
  InjectTcp6(syn);
  auto synack = ReadTcp6();
  ASSERT_TRUE(synack.has_value());
  EXPECT_TRUE(synack->Has(kTcpSyn | kTcpAck));
  EXPECT_EQ(synack->options.mss, 1500 - 60);
  InjectTcp6(Seg(40000, 80, 101, synack->seq + 1, kTcpAck));
  FullAddress peer;
  auto conn = listener->Accept(&peer);
  ASSERT_TRUE(conn.ok());
  EXPECT_EQ(peer, (FullAddress{kPeerIp6, 40000}));
  InjectTcp6(Seg(40000, 80, 101, synack->seq + 1, kTcpAck | kTcpPsh, 65535, Bytes(30)));
  auto ack = ReadTcp6();
  ASSERT_TRUE(ack.has_value());
  EXPECT_EQ(ack->ack, 131u);
  uint8_t buf[64];
  auto n = (*conn)->Recv(absl::MakeSpan(buf), {}, nullptr);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 30u);
  ASSERT_TRUE((*conn)->Send(Bytes(7), {}).ok());
  auto data = ReadTcp6();
  ASSERT_TRUE(data.has_value());
  EXPECT_EQ(data->data, Bytes(7));
  (*conn)->Close();
  listener->Close();
}

TEST(Ipv6Loopback, TcpOverLoopback) {
  ManualClock clock;
  StackOptions o;
  o.clock = &clock;
  o.tcp_delayed_ack = false;
  Stack stack(o);
  NicId lo = stack.AddNic(std::make_unique<LoopbackEndpoint>());
  uint8_t one[16] = {};
  one[15] = 1;
  IpAddress lo6 = IpAddress::V6FromBytes(one);
  ASSERT_EQ(stack.AddAddress(lo, Subnet{lo6, 128}), Error::kOk);
  auto listener = *stack.NewEndpoint(Family::kV6, Transport::kTcp);
  ASSERT_EQ(listener->Bind(FullAddress{lo6, 7000}), Error::kOk);
  ASSERT_EQ(listener->Listen(4), Error::kOk);
  auto client = *stack.NewEndpoint(Family::kV6, Transport::kTcp);
  ASSERT_EQ(client->Connect(FullAddress{lo6, 7000}), Error::kInProgress);
  auto server = listener->Accept(nullptr);
  ASSERT_TRUE(server.ok());
  Buffer data = NetTest::Bytes(200'000);
  size_t sent = 0;
  Buffer got;
  uint8_t buf[65536];
  while (got.size() < data.size()) {
    if (sent < data.size()) {
      auto n = client->Send(View(data).subspan(sent), {});
      if (n.ok()) sent += *n;
    }
    auto n = (*server)->Recv(absl::MakeSpan(buf), {}, nullptr);
    ASSERT_TRUE(n.ok() || n.error() == Error::kWouldBlock);
    if (n.ok()) got.insert(got.end(), buf, buf + *n);
  }
  EXPECT_TRUE(got == data);
  client->Close();
  (*server)->Close();
  listener->Close();
}

TEST_F(Ipv6Test, Ipv4SocketsDoNotReceiveIpv6) {
  LearnPeer6();
  auto v4 = *stack_->NewEndpoint(Family::kV4, Transport::kUdp);
  ASSERT_EQ(v4->Bind(FullAddress{IpAddress::V4Any(), 5000}), Error::kOk);
  InjectIp6(kProtoUdp, Udp6(4000, 5000, Bytes(4)));
  EXPECT_EQ(v4->Readiness() & kEventReadable, 0u);
  auto f = ReadFrame();  // port unreachable instead
  ASSERT_TRUE(f.has_value() && f->ip6.has_value());
  auto listener = *stack_->NewEndpoint(Family::kV4, Transport::kTcp);
  ASSERT_EQ(listener->Bind(FullAddress{IpAddress::V4Any(), 80}), Error::kOk);
  ASSERT_EQ(listener->Listen(4), Error::kOk);
  InjectTcp6(Seg(40000, 80, 100, 0, kTcpSyn));
  auto rst = ReadTcp6();
  ASSERT_TRUE(rst.has_value());
  EXPECT_TRUE(rst->Has(kTcpRst));
  v4->Close();
  listener->Close();
}

}  // namespace
}  // namespace sb::netstack::testing
