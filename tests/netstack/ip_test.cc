// tests/netstack/ip_test.cc: link and network layers of a Stack, driven by
// frames: ARP, ICMP echo and errors, IPv4 fragmentation/reassembly, options,
// routing.
#include "tests/netstack/harness.h"

namespace sb::netstack::testing {
namespace {

class IpTest : public NetTest {};

TEST_F(IpTest, ArpRepliesToRequestForOurAddress) {
  Init(/*learn_peer=*/false);
  ArpPacket req{kArpRequest, kPeerMac, kPeerIp, {}, kStackIp};
  InjectEth(kEtherTypeArp, EncodeArp(req), MacAddress::Broadcast());
  auto f = ReadFrame();
  ASSERT_TRUE(f.has_value());
  EXPECT_EQ(f->eth.type, kEtherTypeArp);
  EXPECT_EQ(f->eth.dst, kPeerMac);
  EXPECT_EQ(f->eth.src, kStackMac);
  auto rep = ParseArp(f->payload);
  ASSERT_TRUE(rep.has_value());
  EXPECT_EQ(rep->op, kArpReply);
  EXPECT_EQ(rep->sender_mac, kStackMac);
  EXPECT_EQ(rep->sender_ip, kStackIp);
  EXPECT_EQ(rep->target_mac, kPeerMac);
  EXPECT_EQ(rep->target_ip, kPeerIp);
  EXPECT_FALSE(ReadFrame().has_value());
}

TEST_F(IpTest, ArpIgnoresRequestForAnotherHost) {
  Init(false);
  ArpPacket req{kArpRequest, kPeerMac, kPeerIp, {}, IpAddress::V4(10, 0, 0, 77)};
  InjectEth(kEtherTypeArp, EncodeArp(req), MacAddress::Broadcast());
  EXPECT_FALSE(ReadFrame().has_value());
}

TEST_F(IpTest, ArpResolvesNextHopThenSendsQueuedPacket) {
  Init(false);
  auto ep = *stack_->NewEndpoint(Family::kV4, Transport::kUdp);
  Buffer msg = {1, 2, 3};
  ASSERT_TRUE(ep->Send(msg, SendOptions{FullAddress{kPeerIp, 9}}).ok());
  auto f = ReadFrame();
  ASSERT_TRUE(f.has_value());
  ASSERT_EQ(f->eth.type, kEtherTypeArp);
  EXPECT_TRUE(f->eth.dst.IsBroadcast());
  auto req = ParseArp(f->payload);
  ASSERT_TRUE(req.has_value());
  EXPECT_EQ(req->op, kArpRequest);
  EXPECT_EQ(req->target_ip, kPeerIp);
  EXPECT_FALSE(ReadFrame().has_value());  // the datagram waits
  ArpPacket rep{kArpReply, kPeerMac, kPeerIp, kStackMac, kStackIp};
  InjectEth(kEtherTypeArp, EncodeArp(rep));
  f = ReadFrame();
  ASSERT_TRUE(f.has_value());
  EXPECT_EQ(f->eth.dst, kPeerMac);
  ASSERT_TRUE(f->ip.has_value());
  EXPECT_EQ(f->ip->protocol, kProtoUdp);
  // A second datagram goes out at once.
  ASSERT_TRUE(ep->Send(msg, SendOptions{FullAddress{kPeerIp, 9}}).ok());
  f = ReadFrame();
  ASSERT_TRUE(f.has_value());
  EXPECT_EQ(f->eth.type, kEtherTypeIpv4);
  ep->Close();
}

TEST_F(IpTest, ArpRetriesThenDropsQueuedPackets) {
  Init(false);
  auto ep = *stack_->NewEndpoint(Family::kV4, Transport::kUdp);
  Buffer msg = {1};
  ASSERT_TRUE(ep->Send(msg, SendOptions{FullAddress{kPeerIp, 9}}).ok());
  ASSERT_TRUE(ReadFrame().has_value());
  Advance(absl::Seconds(1));
  ASSERT_TRUE(ReadFrame().has_value());  // second request
  Advance(absl::Seconds(1));
  ASSERT_TRUE(ReadFrame().has_value());  // third request
  Advance(absl::Seconds(1));
  EXPECT_FALSE(ReadFrame().has_value());  // gave up
  EXPECT_EQ(stack_->stats().arp_requests_out, 3u);
  EXPECT_EQ(stack_->NextTimerDeadline(), absl::InfiniteFuture());
  ep->Close();
}

Buffer EchoRequest(uint16_t id, uint16_t seq, size_t n) {
  IcmpMessage m{kIcmpEchoRequest, 0, static_cast<uint32_t>(id) << 16 | seq, NetTest::Bytes(n)};
  return EncodeIcmp(m);
}

TEST_F(IpTest, IcmpEchoRequestGetsReply) {
  Init();
  InjectIp(kProtoIcmp, EchoRequest(7, 1, 56));
  auto f = ReadFrame();
  ASSERT_TRUE(f.has_value());
  ASSERT_TRUE(f->ip.has_value());
  EXPECT_EQ(f->eth.dst, kPeerMac);
  EXPECT_EQ(f->ip->src, kStackIp);
  EXPECT_EQ(f->ip->dst, kPeerIp);
  EXPECT_EQ(f->ip->protocol, kProtoIcmp);
  auto m = ParseIcmp(f->ip_payload);
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->type, kIcmpEchoReply);
  EXPECT_EQ(m->rest, (7u << 16) | 1u);
  EXPECT_EQ(m->body, Bytes(56));
}

TEST_F(IpTest, IcmpWithBadChecksumIsDropped) {
  Init();
  Buffer req = EchoRequest(1, 1, 8);
  req[2] ^= 0x55;
  InjectIp(kProtoIcmp, req);
  EXPECT_FALSE(ReadFrame().has_value());
}

TEST_F(IpTest, PacketForAnotherAddressIsDropped) {
  Init();
  InjectIp(kProtoIcmp, EchoRequest(1, 1, 8), kPeerIp, IpAddress::V4(10, 0, 0, 99));
  EXPECT_FALSE(ReadFrame().has_value());
}

TEST_F(IpTest, HeaderOptionsAreSkipped) {
  Init();
  Buffer icmp = EchoRequest(3, 4, 16);
  Buffer p(24 + icmp.size());
  p[0] = 0x46;  // IHL 6: four bytes of options
  Store16(&p[2], static_cast<uint16_t>(p.size()));
  p[8] = 64;
  p[9] = kProtoIcmp;
  Store32(&p[12], kPeerIp.v4());
  Store32(&p[16], kStackIp.v4());
  p[20] = 1;  // NOP NOP NOP EOL
  p[21] = 1;
  p[22] = 1;
  p[23] = 0;
  Store16(&p[10], Checksum(View(p.data(), 24)));
  std::copy(icmp.begin(), icmp.end(), p.begin() + 24);
  InjectEth(kEtherTypeIpv4, p);
  auto f = ReadFrame();
  ASSERT_TRUE(f.has_value());
  auto m = ParseIcmp(f->ip_payload);
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->type, kIcmpEchoReply);
}

TEST_F(IpTest, FragmentedEchoIsReassembledAndReplyFragmented) {
  Init();
  Buffer icmp = EchoRequest(9, 9, 3000);
  Ipv4Header h;
  h.id = 4242;
  h.protocol = kProtoIcmp;
  h.src = kPeerIp;
  h.dst = kStackIp;
  auto frags = FragmentIpv4(h, icmp, 1500);
  ASSERT_EQ(frags.size(), 3u);
  InjectEth(kEtherTypeIpv4, frags[1]);
  InjectEth(kEtherTypeIpv4, frags[2]);
  EXPECT_FALSE(ReadFrame().has_value());
  InjectEth(kEtherTypeIpv4, frags[0]);
  // The reply (3008 bytes of ICMP) leaves in three fragments; reassemble them.
  Reassembler r;
  std::optional<Buffer> whole;
  int n = 0;
  while (auto f = ReadFrame()) {
    ASSERT_TRUE(f->ip.has_value());
    EXPECT_LE(f->payload.size(), 1500u);
    whole = r.Add(*f->ip, f->ip_payload, clock_.Now());
    ++n;
  }
  EXPECT_EQ(n, 3);
  ASSERT_TRUE(whole.has_value());
  auto m = ParseIcmp(*whole);
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->type, kIcmpEchoReply);
  EXPECT_EQ(m->body, Bytes(3000));
  EXPECT_EQ(stack_->stats().ip_reassembled, 1u);
}

TEST_F(IpTest, UdpToClosedPortGetsPortUnreachable) {
  Init();
  Buffer udp(8 + 4);
  Store16(&udp[0], 5555);
  Store16(&udp[2], 7777);
  Store16(&udp[4], static_cast<uint16_t>(udp.size()));
  Store16(&udp[6], 0);  // no checksum
  InjectIp(kProtoUdp, udp);
  auto f = ReadFrame();
  ASSERT_TRUE(f.has_value());
  auto m = ParseIcmp(f->ip_payload);
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->type, kIcmpDestUnreachable);
  EXPECT_EQ(m->code, kIcmpPortUnreachable);
  ASSERT_GE(m->body.size(), 28u);  // offending IP header + 8 bytes
  EXPECT_EQ(Load16(&m->body[22]), 7777);
}

TEST_F(IpTest, UnknownProtocolGetsProtocolUnreachable) {
  Init();
  Buffer junk = {1, 2, 3, 4};
  InjectIp(200, junk);
  auto f = ReadFrame();
  ASSERT_TRUE(f.has_value());
  auto m = ParseIcmp(f->ip_payload);
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->code, kIcmpProtoUnreachable);
}

TEST_F(IpTest, DefaultRouteGoesThroughGateway) {
  Init(false);
  IpAddress gw = IpAddress::V4(10, 0, 0, 254);
  stack_->AddRoute({Subnet{IpAddress::V4Any(), 0}, gw, nic_});
  auto ep = *stack_->NewEndpoint(Family::kV4, Transport::kUdp);
  Buffer msg = {1};
  ASSERT_TRUE(ep->Send(msg, SendOptions{FullAddress{IpAddress::V4(8, 8, 8, 8), 53}}).ok());
  auto f = ReadFrame();
  ASSERT_TRUE(f.has_value());
  auto req = ParseArp(f->payload);
  ASSERT_TRUE(req.has_value());
  EXPECT_EQ(req->target_ip, gw);  // resolves the gateway, not the destination
  ep->Close();
}

TEST_F(IpTest, NoRouteIsNetworkUnreachable) {
  Init();
  auto ep = *stack_->NewEndpoint(Family::kV4, Transport::kUdp);
  Buffer msg = {1};
  auto r = ep->Send(msg, SendOptions{FullAddress{IpAddress::V4(8, 8, 8, 8), 53}});
  EXPECT_EQ(r.error(), Error::kNetworkUnreachable);
  auto tcp = *stack_->NewEndpoint(Family::kV4, Transport::kTcp);
  EXPECT_EQ(tcp->Connect(FullAddress{IpAddress::V4(8, 8, 8, 8), 80}), Error::kNetworkUnreachable);
  ep->Close();
  tcp->Close();
}

TEST_F(IpTest, TransmitQueueLimitDropsFrames) {
  opts_.seed = 1;
  stack_ = std::make_unique<Stack>(opts_);
  auto link = std::make_unique<ChannelEndpoint>(1500, kStackMac, LinkKind::kEthernet, 2);
  link_ = link.get();
  nic_ = stack_->AddNic(std::move(link));
  ASSERT_EQ(stack_->AddAddress(nic_, Subnet{kStackIp, 24}), Error::kOk);
  stack_->AddStaticNeighbor(nic_, kPeerIp, kPeerMac);
  for (int i = 0; i < 3; ++i) InjectIp(kProtoIcmp, EchoRequest(1, static_cast<uint16_t>(i), 8));
  EXPECT_EQ(link_->QueuedCount(), 2u);
  EXPECT_EQ(stack_->stats().frames_dropped, 1u);
}

TEST_F(IpTest, ReassemblyTimeoutSendsTimeExceeded) {
  Init();
  Buffer icmp = EchoRequest(9, 9, 3000);
  Ipv4Header h;
  h.id = 777;
  h.protocol = kProtoIcmp;
  h.src = kPeerIp;
  h.dst = kStackIp;
  auto frags = FragmentIpv4(h, icmp, 1500);
  InjectEth(kEtherTypeIpv4, frags[0]);  // the rest never arrives
  EXPECT_EQ(stack_->NextTimerDeadline(), clock_.Now() + absl::Seconds(30));
  Advance(absl::Seconds(30));
  auto f = ReadFrame();
  ASSERT_TRUE(f.has_value());
  auto m = ParseIcmp(f->ip_payload);
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->type, kIcmpTimeExceeded);
  EXPECT_EQ(m->code, kIcmpReassemblyTimeExceeded);
  ASSERT_GE(m->body.size(), 28u);
  EXPECT_EQ(Load16(&m->body[4]), 777);  // the offending datagram's id
}

}  // namespace
}  // namespace sb::netstack::testing
