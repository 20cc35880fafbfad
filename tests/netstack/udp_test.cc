// tests/netstack/udp_test.cc: UDP endpoints driven by frames: receive,
// send, connected filtering, bind sharing, ICMP errors, waiters.
#include "tests/netstack/harness.h"

namespace sb::netstack::testing {
namespace {

class UdpTest : public NetTest {
 protected:
  void SetUp() override { Init(); }

  void InjectUdp(uint16_t sport, uint16_t dport, View data, IpAddress src = kPeerIp,
                 IpAddress dst = kStackIp) {
    Buffer d(kUdpHeaderSize + data.size());
    Store16(&d[0], sport);
    Store16(&d[2], dport);
    Store16(&d[4], static_cast<uint16_t>(d.size()));
    std::copy(data.begin(), data.end(), d.begin() + kUdpHeaderSize);
    Store16(&d[6], TransportChecksum(src, dst, kProtoUdp, d));
    InjectIp(kProtoUdp, d, src, dst);
  }

  std::shared_ptr<Endpoint> Bound(uint16_t port, bool reuse_addr = false, bool reuse_port = false) {
    auto ep = *stack_->NewEndpoint(Family::kV4, Transport::kUdp);
    EXPECT_EQ(ep->SetOption(SocketOption::kReuseAddress, reuse_addr), Error::kOk);
    EXPECT_EQ(ep->SetOption(SocketOption::kReusePort, reuse_port), Error::kOk);
    EXPECT_EQ(ep->Bind(FullAddress{IpAddress::V4Any(), port}), Error::kOk);
    return ep;
  }
};

TEST_F(UdpTest, ReceivesDatagramWithPeekAndSource) {
  auto ep = Bound(5000);
  uint8_t buf[64];
  EXPECT_EQ(ep->Recv(absl::MakeSpan(buf), {}, nullptr).error(), Error::kWouldBlock);
  EXPECT_EQ(ep->Readiness() & kEventReadable, 0u);
  Buffer msg = Bytes(10);
  InjectUdp(4000, 5000, msg);
  EXPECT_NE(ep->Readiness() & kEventReadable, 0u);
  FullAddress from;
  auto n = ep->Recv(absl::MakeSpan(buf), RecvOptions{.peek = true}, &from);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 10u);
  EXPECT_EQ(from, (FullAddress{kPeerIp, 4000}));
  n = ep->Recv(absl::MakeSpan(buf), {}, nullptr);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(Buffer(buf, buf + *n), msg);
  EXPECT_EQ(ep->Recv(absl::MakeSpan(buf), {}, nullptr).error(), Error::kWouldBlock);
  ep->Close();
}

TEST_F(UdpTest, BadChecksumIsDropped) {
  auto ep = Bound(5000);
  Buffer d(kUdpHeaderSize + 2);
  Store16(&d[0], 1);
  Store16(&d[2], 5000);
  Store16(&d[4], static_cast<uint16_t>(d.size()));
  Store16(&d[6], 0x1234);
  InjectIp(kProtoUdp, d);
  EXPECT_EQ(ep->Readiness() & kEventReadable, 0u);
  ep->Close();
}

TEST_F(UdpTest, SendToBuildsValidDatagram) {
  auto ep = Bound(5000);
  Buffer msg = Bytes(33);
  auto n = ep->Send(msg, SendOptions{FullAddress{kPeerIp, 53}});
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 33u);
  auto f = ReadFrame();
  ASSERT_TRUE(f.has_value() && f->ip.has_value());
  EXPECT_EQ(f->ip->protocol, kProtoUdp);
  EXPECT_EQ(f->ip->src, kStackIp);
  const Buffer& d = f->ip_payload;
  EXPECT_EQ(Load16(&d[0]), 5000);
  EXPECT_EQ(Load16(&d[2]), 53);
  EXPECT_EQ(Load16(&d[4]), 8 + 33);
  EXPECT_EQ(TransportChecksum(kStackIp, kPeerIp, kProtoUdp, d), 0);
  EXPECT_EQ(Buffer(d.begin() + 8, d.end()), msg);
  EXPECT_EQ(ep->Send(msg, {}).error(), Error::kDestinationRequired);
  ep->Close();
}

TEST_F(UdpTest, UnboundSendPicksEphemeralPort) {
  auto ep = *stack_->NewEndpoint(Family::kV4, Transport::kUdp);
  ASSERT_EQ(ep->Connect(FullAddress{kPeerIp, 53}), Error::kOk);
  auto local = ep->GetLocalAddress();
  ASSERT_TRUE(local.ok());
  EXPECT_EQ(local->addr, kStackIp);
  EXPECT_GE(local->port, 32768);
  EXPECT_EQ(*ep->GetRemoteAddress(), (FullAddress{kPeerIp, 53}));
  Buffer msg = {1};
  ASSERT_TRUE(ep->Send(msg, {}).ok());
  auto f = ReadFrame();
  ASSERT_TRUE(f.has_value());
  EXPECT_EQ(Load16(&f->ip_payload[0]), local->port);
  ep->Close();
}

TEST_F(UdpTest, ConnectedSocketFiltersOtherSenders) {
  auto ep = Bound(5000);
  ASSERT_EQ(ep->Connect(FullAddress{kPeerIp, 4000}), Error::kOk);
  Buffer msg = {7};
  InjectUdp(4001, 5000, msg);  // wrong source port
  EXPECT_EQ(ep->Readiness() & kEventReadable, 0u);
  InjectUdp(4000, 5000, msg);
  EXPECT_NE(ep->Readiness() & kEventReadable, 0u);
  ep->Close();
}

TEST_F(UdpTest, BindConflictsUnlessBothReuse) {
  auto a = Bound(6000);
  auto b = *stack_->NewEndpoint(Family::kV4, Transport::kUdp);
  EXPECT_EQ(b->Bind(FullAddress{kStackIp, 6000}), Error::kAddressInUse);
  EXPECT_EQ(b->Bind(FullAddress{IpAddress::V4(10, 0, 0, 9), 6001}), Error::kAddressNotAvailable);
  auto c = Bound(6002, /*reuse_addr=*/true);
  auto d = Bound(6002, /*reuse_addr=*/true);
  // With SO_REUSEADDR the most recent socket receives unicast.
  Buffer msg = {1};
  InjectUdp(1, 6002, msg);
  EXPECT_EQ(c->Readiness() & kEventReadable, 0u);
  EXPECT_NE(d->Readiness() & kEventReadable, 0u);
  a->Close();
  EXPECT_EQ(b->Bind(FullAddress{kStackIp, 6000}), Error::kOk);  // released on close
  for (auto& e : {b, c, d}) e->Close();
}

TEST_F(UdpTest, ReusePortSpreadsBySender) {
  std::vector<std::shared_ptr<Endpoint>> eps;
  for (int i = 0; i < 4; ++i) eps.push_back(Bound(7000, false, /*reuse_port=*/true));
  Buffer msg = {1};
  for (uint16_t sport = 1000; sport < 1064; ++sport) InjectUdp(sport, 7000, msg);
  int readers = 0;
  for (auto& e : eps) readers += (e->Readiness() & kEventReadable) ? 1 : 0;
  EXPECT_GE(readers, 2);
  // The same sender always reaches the same socket.
  uint8_t buf[4];
  for (auto& e : eps) {
    while (e->Recv(absl::MakeSpan(buf), {}, nullptr).ok()) {
    }
  }
  InjectUdp(2000, 7000, msg);
  InjectUdp(2000, 7000, msg);
  for (auto& e : eps) {
    int got = 0;
    while (e->Recv(absl::MakeSpan(buf), {}, nullptr).ok()) ++got;
    EXPECT_TRUE(got == 0 || got == 2);
  }
  for (auto& e : eps) e->Close();
}

TEST_F(UdpTest, PortUnreachableSetsErrorOnConnectedSocket) {
  auto ep = Bound(5000);
  ASSERT_EQ(ep->Connect(FullAddress{kPeerIp, 9999}), Error::kOk);
  Buffer msg = {1, 2};
  ASSERT_TRUE(ep->Send(msg, {}).ok());
  auto f = ReadFrame();
  ASSERT_TRUE(f.has_value());
  // The peer answers with port unreachable quoting our datagram.
  Buffer offending = f->payload;  // our IP packet
  IcmpMessage m{kIcmpDestUnreachable, kIcmpPortUnreachable, 0, IcmpErrorBody(offending)};
  InjectIp(kProtoIcmp, EncodeIcmp(m));
  EXPECT_NE(ep->Readiness() & kEventError, 0u);
  uint8_t buf[4];
  EXPECT_EQ(ep->Recv(absl::MakeSpan(buf), {}, nullptr).error(), Error::kConnectionRefused);
  EXPECT_EQ(ep->Readiness() & kEventError, 0u);
  ep->Close();
}

TEST_F(UdpTest, WaiterRunsWhenDatagramArrives) {
  auto ep = Bound(5000);
  int calls = 0;
  uint32_t seen = 0;
  WaiterId id = ep->AddWaiter(kEventReadable, [&](uint32_t ev) {
    ++calls;
    seen |= ev;
    // Callbacks run without netstack locks: calling back in must not deadlock.
    (void)ep->Readiness();
  });
  Buffer msg = {1};
  InjectUdp(1, 5000, msg);
  EXPECT_EQ(calls, 1);
  EXPECT_NE(seen & kEventReadable, 0u);
  ep->RemoveWaiter(id);
  InjectUdp(1, 5000, msg);
  EXPECT_EQ(calls, 1);
  ep->Close();
}

TEST_F(UdpTest, OptionsAndShutdown) {
  auto ep = Bound(5000);
  EXPECT_EQ(ep->SetOption(SocketOption::kTtl, 7), Error::kOk);
  EXPECT_EQ(*ep->GetOption(SocketOption::kTtl), 7);
  EXPECT_EQ(ep->SetOption(SocketOption::kNoDelay, 1), Error::kUnknownOption);
  Buffer msg = {1};
  ASSERT_TRUE(ep->Send(msg, SendOptions{FullAddress{kPeerIp, 1}}).ok());
  auto f = ReadFrame();
  ASSERT_TRUE(f.has_value());
  EXPECT_EQ(f->ip->ttl, 7);
  EXPECT_EQ(ep->Shutdown(ShutdownHow::kWrite), Error::kNotConnected);
  ASSERT_EQ(ep->Connect(FullAddress{kPeerIp, 1}), Error::kOk);
  EXPECT_EQ(ep->Shutdown(ShutdownHow::kWrite), Error::kOk);
  EXPECT_EQ(ep->Send(msg, {}).error(), Error::kClosedForSend);
  ep->Close();
}

}  // namespace
}  // namespace sb::netstack::testing
