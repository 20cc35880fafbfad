// tests/netstack/tcp_test.cc: TCP endpoints driven by frames: handshakes,
// data, FIN/RST paths, TIME_WAIT, Nagle/cork, delayed ACK, keepalive,
// backlog, bind/listen conflicts.
#include "tests/netstack/tcp_fixture.h"

namespace sb::netstack::testing {
namespace {

TEST_F(TcpTest, PassiveHandshakeNegotiatesOptions) {
  Init();
  OutSeg synack = Handshake(SynOptions(/*sack=*/true, /*ts=*/true, /*ws=*/7));
  EXPECT_EQ(synack.options.mss, 1460);
  EXPECT_TRUE(synack.options.sack_permitted);
  ASSERT_TRUE(synack.options.window_scale.has_value());
  ASSERT_TRUE(synack.options.timestamp.has_value());
  EXPECT_EQ(synack.options.timestamp->second, 5000u);  // echoes the peer's TSval
  ASSERT_TRUE(conn_);
  EXPECT_EQ(tcp()->state(), TcpState::kEstablished);
  EXPECT_EQ(*conn_->GetRemoteAddress(), (FullAddress{kPeerIp, kPeerPort}));
  EXPECT_EQ(*conn_->GetLocalAddress(), (FullAddress{kStackIp, kPort}));
  TcpInfo info = tcp()->GetTcpInfo();
  EXPECT_EQ(info.snd_wscale, 7);
  EXPECT_EQ(info.rcv_wscale, *synack.options.window_scale);
  EXPECT_TRUE(info.sack);
  EXPECT_TRUE(info.timestamps);
  EXPECT_EQ(info.snd_mss, 1460u - 12u);
  EXPECT_EQ(info.snd_wnd, 65535u << 7);
  EXPECT_NE(conn_->Readiness() & kEventWritable, 0u);
  EXPECT_EQ(listener_->Accept(nullptr).error(), Error::kWouldBlock);
}

TEST_F(TcpTest, HandshakeWithoutOptionsFallsBack) {
  Init();
  OutSeg synack = Handshake(SynOptions());
  EXPECT_FALSE(synack.options.window_scale.has_value());
  EXPECT_FALSE(synack.options.timestamp.has_value());
  EXPECT_FALSE(synack.options.sack_permitted);
  TcpInfo info = tcp()->GetTcpInfo();
  EXPECT_EQ(info.snd_wscale, 0);
  EXPECT_EQ(info.rcv_wscale, 0);
  EXPECT_EQ(info.snd_mss, 1460u);
}

TEST_F(TcpTest, ActiveOpen) {
  Init();
  conn_ = NewTcp();
  int notified = 0;
  conn_->AddWaiter(kEventWritable, [&](uint32_t) { ++notified; });
  ASSERT_EQ(conn_->Connect(FullAddress{kPeerIp, 80}), Error::kInProgress);
  EXPECT_EQ(conn_->Connect(FullAddress{kPeerIp, 80}), Error::kAlreadyConnecting);
  EXPECT_EQ(conn_->Readiness() & kEventWritable, 0u);
  uint8_t b[1];
  EXPECT_EQ(conn_->Send(View(b, 1), {}).error(), Error::kWouldBlock);
  auto syn = ReadTcp();
  ASSERT_TRUE(syn.has_value());
  EXPECT_EQ(syn->flags, kTcpSyn);
  EXPECT_EQ(syn->dst_port, 80);
  EXPECT_EQ(syn->options.mss, 1460);
  EXPECT_TRUE(syn->options.window_scale.has_value());
  EXPECT_TRUE(syn->options.sack_permitted);
  EXPECT_TRUE(syn->options.timestamp.has_value());
  OutSeg synack = Seg(80, syn->src_port, 7000, syn->seq + 1, kTcpSyn | kTcpAck);
  synack.options = SynOptions(false, false, std::nullopt, 1000);
  InjectTcp(synack);
  auto ack = ReadTcp();
  ASSERT_TRUE(ack.has_value());
  EXPECT_EQ(ack->flags, kTcpAck);
  EXPECT_EQ(ack->seq, syn->seq + 1);
  EXPECT_EQ(ack->ack, 7001u);
  EXPECT_EQ(tcp()->state(), TcpState::kEstablished);
  EXPECT_NE(conn_->Readiness() & kEventWritable, 0u);
  EXPECT_GE(notified, 1);
  EXPECT_EQ(tcp()->GetTcpInfo().snd_mss, 1000u);
  EXPECT_EQ(conn_->Connect(FullAddress{kPeerIp, 80}), Error::kAlreadyConnected);
}

TEST_F(TcpTest, ConnectRefusedByRst) {
  Init();
  conn_ = NewTcp();
  ASSERT_EQ(conn_->Connect(FullAddress{kPeerIp, 81}), Error::kInProgress);
  auto syn = ReadTcp();
  ASSERT_TRUE(syn.has_value());
  InjectTcp(Seg(81, syn->src_port, 0, syn->seq + 1, kTcpRst | kTcpAck, 0));
  EXPECT_EQ(tcp()->state(), TcpState::kClosed);
  EXPECT_NE(conn_->Readiness() & kEventError, 0u);
  EXPECT_EQ(*conn_->GetOption(SocketOption::kError), static_cast<int>(Error::kConnectionRefused));
}

TEST_F(TcpTest, SegmentsToClosedPortGetRst) {
  Init();
  InjectTcp(Seg(1234, 81, 555, 0, kTcpSyn));
  auto rst = ReadTcp();
  ASSERT_TRUE(rst.has_value());
  EXPECT_EQ(rst->flags, kTcpRst | kTcpAck);
  EXPECT_EQ(rst->seq, 0u);
  EXPECT_EQ(rst->ack, 556u);
  InjectTcp(Seg(1234, 81, 555, 777, kTcpAck));
  rst = ReadTcp();
  ASSERT_TRUE(rst.has_value());
  EXPECT_EQ(rst->flags, kTcpRst);
  EXPECT_EQ(rst->seq, 777u);
  InjectTcp(Seg(1234, 81, 555, 777, kTcpRst));  // never answer a RST
  EXPECT_FALSE(ReadTcp().has_value());
}

TEST_F(TcpTest, DataBothWays) {
  Init();
  Handshake();
  Buffer out = Bytes(100);
  auto n = conn_->Send(out, {});
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 100u);
  auto seg = ReadTcp();
  ASSERT_TRUE(seg.has_value());
  EXPECT_EQ(seg->seq, stack_seq_);
  EXPECT_EQ(seg->ack, peer_seq_);
  EXPECT_TRUE(seg->Has(kTcpAck | kTcpPsh));
  EXPECT_EQ(seg->data, out);
  stack_seq_ += 100;
  InjectTcp(Ack());
  EXPECT_FALSE(ReadTcp().has_value());  // a pure ACK is not answered
  Buffer in = Bytes(50, 3);
  PeerSend(in);
  auto ack = ReadTcp();
  ASSERT_TRUE(ack.has_value());
  EXPECT_EQ(ack->ack, peer_seq_);
  EXPECT_TRUE(ack->data.empty());
  uint8_t buf[100];
  auto r = conn_->Recv(absl::MakeSpan(buf, 10), RecvOptions{.peek = true}, nullptr);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, 10u);
  r = conn_->Recv(absl::MakeSpan(buf), {}, nullptr);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(Buffer(buf, buf + *r), in);
  EXPECT_EQ(conn_->Recv(absl::MakeSpan(buf), {}, nullptr).error(), Error::kWouldBlock);
}

TEST_F(TcpTest, LargeSendIsSegmentedByMss) {
  Init();
  Handshake(SynOptions(false, false, std::nullopt, 1000));
  ASSERT_EQ(conn_->SetOption(SocketOption::kNoDelay, 1), Error::kOk);
  Buffer out = Bytes(3500);
  ASSERT_EQ(*conn_->Send(out, {}), 3500u);
  Buffer got;
  while (auto s = ReadTcp()) {
    EXPECT_LE(s->data.size(), 1000u);
    EXPECT_EQ(s->seq, stack_seq_ + got.size());
    got.insert(got.end(), s->data.begin(), s->data.end());
  }
  EXPECT_EQ(got, out);
}

TEST_F(TcpTest, ActiveCloseGoesThroughTimeWait) {
  Init();
  Handshake();
  conn_->Close();
  auto fin = ReadTcp();
  ASSERT_TRUE(fin.has_value());
  EXPECT_TRUE(fin->Has(kTcpFin | kTcpAck));
  EXPECT_EQ(fin->seq, stack_seq_);
  EXPECT_EQ(tcp()->state(), TcpState::kFinWait1);
  ++stack_seq_;
  InjectTcp(Ack());
  EXPECT_EQ(tcp()->state(), TcpState::kFinWait2);
  PeerFin();
  auto ack = ReadTcp();
  ASSERT_TRUE(ack.has_value());
  EXPECT_EQ(ack->ack, peer_seq_);
  EXPECT_EQ(tcp()->state(), TcpState::kTimeWait);
  EXPECT_EQ(stack_->NextTimerDeadline(), clock_.Now() + absl::Seconds(60));
  // A retransmitted FIN is ACKed again and restarts the timer.
  Advance(absl::Seconds(30));
  InjectTcp(Seg(kPeerPort, kPort, peer_seq_ - 1, stack_seq_, kTcpAck | kTcpFin));
  ack = ReadTcp();
  ASSERT_TRUE(ack.has_value());
  EXPECT_EQ(ack->ack, peer_seq_);
  Advance(absl::Seconds(59));
  EXPECT_EQ(tcp()->state(), TcpState::kTimeWait);
  Advance(absl::Seconds(1));
  EXPECT_EQ(tcp()->state(), TcpState::kClosed);
  // The four-tuple is free: a segment now gets a RST... unless the listener
  // takes a new SYN, which it does.
  InjectTcp(Seg(kPeerPort, kPort, peer_seq_ + 100000, 0, kTcpSyn));
  auto synack = ReadTcp();
  ASSERT_TRUE(synack.has_value());
  EXPECT_TRUE(synack->Has(kTcpSyn | kTcpAck));
}

TEST_F(TcpTest, PassiveCloseGoesThroughLastAck) {
  Init();
  Handshake();
  Buffer in = Bytes(20);
  PeerSend(in);
  ASSERT_TRUE(ReadTcp().has_value());
  PeerFin();
  auto ack = ReadTcp();
  ASSERT_TRUE(ack.has_value());
  EXPECT_EQ(ack->ack, peer_seq_);
  EXPECT_EQ(tcp()->state(), TcpState::kCloseWait);
  uint32_t ev = conn_->Readiness();
  EXPECT_NE(ev & kEventReadable, 0u);
  EXPECT_NE(ev & kEventReadHangup, 0u);
  Buffer got;
  EXPECT_EQ(ReadAll(&got), 20u);
  uint8_t buf[4];
  EXPECT_EQ(*conn_->Recv(absl::MakeSpan(buf), {}, nullptr), 0u);  // EOF
  // Half-closed: we may still send.
  ASSERT_TRUE(conn_->Send(Bytes(5), {}).ok());
  ASSERT_TRUE(ReadTcp().has_value());
  stack_seq_ += 5;
  conn_->Close();
  auto fin = ReadTcp();
  ASSERT_TRUE(fin.has_value());
  EXPECT_TRUE(fin->Has(kTcpFin));
  EXPECT_EQ(tcp()->state(), TcpState::kLastAck);
  ++stack_seq_;
  InjectTcp(Ack());
  EXPECT_EQ(tcp()->state(), TcpState::kClosed);
}

TEST_F(TcpTest, SimultaneousCloseGoesThroughClosing) {
  Init();
  Handshake();
  ASSERT_EQ(conn_->Shutdown(ShutdownHow::kWrite), Error::kOk);
  auto fin = ReadTcp();
  ASSERT_TRUE(fin.has_value() && fin->Has(kTcpFin));
  EXPECT_EQ(conn_->Send(Bytes(1), {}).error(), Error::kClosedForSend);
  PeerFin();  // does not ack our FIN yet
  ASSERT_TRUE(ReadTcp().has_value());
  EXPECT_EQ(tcp()->state(), TcpState::kClosing);
  InjectTcp(AckOf(stack_seq_ + 1));
  EXPECT_EQ(tcp()->state(), TcpState::kTimeWait);
}

TEST_F(TcpTest, InWindowRstResetsConnection) {
  Init();
  Handshake();
  int errors = 0;
  conn_->AddWaiter(kEventError, [&](uint32_t ev) { errors += (ev & kEventError) ? 1 : 0; });
  InjectTcp(Seg(kPeerPort, kPort, peer_seq_, 0, kTcpRst));
  EXPECT_EQ(tcp()->state(), TcpState::kClosed);
  EXPECT_GE(errors, 1);
  uint8_t buf[4];
  EXPECT_EQ(conn_->Recv(absl::MakeSpan(buf), {}, nullptr).error(), Error::kConnectionReset);
  EXPECT_EQ(conn_->Send(Bytes(1), {}).error(), Error::kClosedForSend);
  EXPECT_FALSE(ReadTcp().has_value());
}

TEST_F(TcpTest, RstNotAtRcvNxtGetsChallengeAck) {
  Init();
  Handshake();
  InjectTcp(Seg(kPeerPort, kPort, peer_seq_ + 10, 0, kTcpRst));
  auto ack = ReadTcp();
  ASSERT_TRUE(ack.has_value());
  EXPECT_EQ(ack->flags, kTcpAck);
  EXPECT_EQ(ack->ack, peer_seq_);
  EXPECT_EQ(tcp()->state(), TcpState::kEstablished);
  InjectTcp(Seg(kPeerPort, kPort, peer_seq_ + 1000000, 0, kTcpRst));  // out of window
  EXPECT_FALSE(ReadTcp().has_value());
  EXPECT_EQ(tcp()->state(), TcpState::kEstablished);
}

TEST_F(TcpTest, CloseWithUnreadDataSendsRst) {
  Init();
  Handshake();
  PeerSend(Bytes(10));
  ASSERT_TRUE(ReadTcp().has_value());
  conn_->Close();
  auto rst = ReadTcp();
  ASSERT_TRUE(rst.has_value());
  EXPECT_TRUE(rst->Has(kTcpRst));
  EXPECT_EQ(rst->seq, stack_seq_);
  EXPECT_EQ(tcp()->state(), TcpState::kClosed);
}

TEST_F(TcpTest, NagleHoldsSmallSegmentsUntilAcked) {
  Init();
  Handshake();
  ASSERT_TRUE(conn_->Send(Bytes(10), {}).ok());
  ASSERT_TRUE(ReadTcp().has_value());  // nothing in flight: goes at once
  ASSERT_TRUE(conn_->Send(Bytes(10), {}).ok());
  ASSERT_TRUE(conn_->Send(Bytes(10), {}).ok());
  EXPECT_FALSE(ReadTcp().has_value());  // held behind unacked data
  stack_seq_ += 10;
  InjectTcp(Ack());
  auto s = ReadTcp();
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->data.size(), 20u);  // coalesced
  stack_seq_ += 20;
  InjectTcp(Ack());
  ASSERT_EQ(conn_->SetOption(SocketOption::kNoDelay, 1), Error::kOk);
  ASSERT_TRUE(conn_->Send(Bytes(10), {}).ok());
  ASSERT_TRUE(conn_->Send(Bytes(10), {}).ok());
  EXPECT_TRUE(ReadTcp().has_value());
  EXPECT_TRUE(ReadTcp().has_value());
}

TEST_F(TcpTest, CorkHoldsPartialSegmentsUntilUncorked) {
  Init();
  Handshake();
  ASSERT_EQ(conn_->SetOption(SocketOption::kCork, 1), Error::kOk);
  ASSERT_TRUE(conn_->Send(Bytes(10), {}).ok());
  EXPECT_FALSE(ReadTcp().has_value());
  ASSERT_TRUE(conn_->Send(Bytes(2000), {}).ok());
  auto full = ReadTcp();
  ASSERT_TRUE(full.has_value());
  EXPECT_EQ(full->data.size(), 1460u);  // only full segments while corked
  EXPECT_FALSE(ReadTcp().has_value());
  ASSERT_EQ(conn_->SetOption(SocketOption::kCork, 0), Error::kOk);
  auto rest = ReadTcp();
  ASSERT_TRUE(rest.has_value());
  EXPECT_EQ(rest->data.size(), 550u);
}

TEST_F(TcpTest, DelayedAck) {
  opts_.tcp_delayed_ack = true;
  Init();
  Handshake();
  PeerSend(Bytes(100));
  EXPECT_FALSE(ReadTcp().has_value());
  Advance(absl::Milliseconds(39));
  EXPECT_FALSE(ReadTcp().has_value());
  Advance(absl::Milliseconds(1));
  auto ack = ReadTcp();
  ASSERT_TRUE(ack.has_value());
  EXPECT_EQ(ack->ack, peer_seq_);
  // Every second segment is ACKed at once.
  PeerSend(Bytes(100));
  EXPECT_FALSE(ReadTcp().has_value());
  PeerSend(Bytes(100));
  ack = ReadTcp();
  ASSERT_TRUE(ack.has_value());
  EXPECT_EQ(ack->ack, peer_seq_);
  // TCP_QUICKACK turns it off.
  ASSERT_EQ(conn_->SetOption(SocketOption::kQuickAck, 1), Error::kOk);
  PeerSend(Bytes(100));
  EXPECT_TRUE(ReadTcp().has_value());
}

TEST_F(TcpTest, KeepaliveProbesThenTimesOut) {
  Init();
  Handshake();
  ASSERT_EQ(conn_->SetOption(SocketOption::kKeepIdle, 10), Error::kOk);
  ASSERT_EQ(conn_->SetOption(SocketOption::kKeepInterval, 2), Error::kOk);
  ASSERT_EQ(conn_->SetOption(SocketOption::kKeepCount, 2), Error::kOk);
  ASSERT_EQ(conn_->SetOption(SocketOption::kKeepAlive, 1), Error::kOk);
  Advance(absl::Seconds(10));
  auto probe = ReadTcp();
  ASSERT_TRUE(probe.has_value());
  EXPECT_EQ(probe->seq, stack_seq_ - 1);
  InjectTcp(Ack());  // the peer is alive: idle timer restarts
  Advance(absl::Seconds(9));
  EXPECT_FALSE(ReadTcp().has_value());
  Advance(absl::Seconds(1));
  ASSERT_TRUE(ReadTcp().has_value());
  Advance(absl::Seconds(2));
  ASSERT_TRUE(ReadTcp().has_value());
  Advance(absl::Seconds(2));
  EXPECT_EQ(tcp()->state(), TcpState::kClosed);
  EXPECT_EQ(*conn_->GetOption(SocketOption::kError), static_cast<int>(Error::kTimedOut));
}

TEST_F(TcpTest, BacklogLimitsPendingConnections) {
  Init();
  Listen(/*backlog=*/1);
  InjectTcp(Seg(50001, kPort, 100, 0, kTcpSyn));
  auto synack = ReadTcp();
  ASSERT_TRUE(synack.has_value());
  InjectTcp(Seg(50001, kPort, 101, synack->seq + 1, kTcpAck));
  EXPECT_NE(listener_->Readiness() & kEventReadable, 0u);
  InjectTcp(Seg(50002, kPort, 100, 0, kTcpSyn));
  EXPECT_FALSE(ReadTcp().has_value());  // accept queue full: SYN dropped
  FullAddress peer;
  auto c = listener_->Accept(&peer);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(peer.port, 50001);
  InjectTcp(Seg(50002, kPort, 100, 0, kTcpSyn));  // retried SYN now succeeds
  EXPECT_TRUE(ReadTcp().has_value());
}

TEST_F(TcpTest, ClosingListenerResetsUnacceptedConnections) {
  Init();
  Listen();
  InjectTcp(Seg(50001, kPort, 100, 0, kTcpSyn));
  auto synack = ReadTcp();
  ASSERT_TRUE(synack.has_value());
  InjectTcp(Seg(50001, kPort, 101, synack->seq + 1, kTcpAck));
  listener_->Close();
  auto rst = ReadTcp();
  ASSERT_TRUE(rst.has_value());
  EXPECT_TRUE(rst->Has(kTcpRst));
  InjectTcp(Seg(50003, kPort, 100, 0, kTcpSyn));
  rst = ReadTcp();
  ASSERT_TRUE(rst.has_value());
  EXPECT_TRUE(rst->Has(kTcpRst));  // nobody listens any more
}

TEST_F(TcpTest, BindAndListenConflicts) {
  Init();
  Listen();
  auto other = NewTcp();
  EXPECT_EQ(other->Bind(FullAddress{kStackIp, kPort}), Error::kAddressInUse);
  auto a = NewTcp();
  auto b = NewTcp();
  for (auto& e : {a, b}) {
    ASSERT_EQ(e->SetOption(SocketOption::kReusePort, 1), Error::kOk);
    ASSERT_EQ(e->Bind(FullAddress{IpAddress::V4Any(), 8080}), Error::kOk);
    ASSERT_EQ(e->Listen(4), Error::kOk);
  }
  auto c = NewTcp();
  ASSERT_EQ(c->SetOption(SocketOption::kReuseAddress, 1), Error::kOk);
  ASSERT_EQ(c->Bind(FullAddress{IpAddress::V4Any(), 9090}), Error::kOk);
  auto d = NewTcp();
  ASSERT_EQ(d->SetOption(SocketOption::kReuseAddress, 1), Error::kOk);
  ASSERT_EQ(d->Bind(FullAddress{IpAddress::V4Any(), 9090}), Error::kOk);
  ASSERT_EQ(c->Listen(4), Error::kOk);
  EXPECT_EQ(d->Listen(4), Error::kAddressInUse);
  for (auto& e : {other, a, b, c, d}) e->Close();
}

TEST_F(TcpTest, NewSynEndsTimeWait) {
  Init();
  Handshake();
  conn_->Close();
  ASSERT_TRUE(ReadTcp().has_value());  // FIN
  ++stack_seq_;
  InjectTcp(Ack());
  PeerFin();
  ASSERT_TRUE(ReadTcp().has_value());
  ASSERT_EQ(tcp()->state(), TcpState::kTimeWait);
  // Same four-tuple, sequence number above the old connection: accepted.
  InjectTcp(Seg(kPeerPort, kPort, peer_seq_ + 100000, 0, kTcpSyn));
  auto synack = ReadTcp();
  ASSERT_TRUE(synack.has_value());
  EXPECT_TRUE(synack->Has(kTcpSyn | kTcpAck));
  EXPECT_EQ(synack->ack, peer_seq_ + 100001);
  EXPECT_EQ(tcp()->state(), TcpState::kClosed);
}

TEST_F(TcpTest, PeerSequenceNumbersWrapAround) {
  Init();
  peer_seq_ = 0xffffff00;
  Handshake(SynOptions(/*sack=*/true));
  Buffer all = Bytes(600);
  uint32_t base = peer_seq_;  // 0xffffff01: the data crosses 2^32
  auto send_part = [&](size_t off, size_t len) {
    InjectTcp(Seg(kPeerPort, kPort, base + static_cast<uint32_t>(off), stack_seq_,
                  kTcpAck | kTcpPsh, 65535, View(all).subspan(off, len)));
  };
  send_part(400, 200);  // beyond the wrap, out of order
  auto dup = ReadTcp();
  ASSERT_TRUE(dup.has_value());
  EXPECT_EQ(dup->ack, base);
  ASSERT_EQ(dup->options.sack.size(), 1u);
  EXPECT_EQ(dup->options.sack[0].start, base + 400);
  send_part(200, 200);
  ASSERT_TRUE(ReadTcp().has_value());
  send_part(0, 200);
  auto ack = ReadTcp();
  ASSERT_TRUE(ack.has_value());
  EXPECT_EQ(ack->ack, base + 600);
  Buffer got;
  EXPECT_EQ(ReadAll(&got), 600u);
  EXPECT_EQ(got, all);
}

TEST_F(TcpTest, LostSynAckIsRetransmitted) {
  Init();
  Listen();
  InjectTcp(Seg(50001, kPort, 100, 0, kTcpSyn));
  auto synack = ReadTcp();
  ASSERT_TRUE(synack.has_value());
  Advance(absl::Seconds(1));
  auto again = ReadTcp();
  ASSERT_TRUE(again.has_value());
  EXPECT_TRUE(again->Has(kTcpSyn | kTcpAck));
  EXPECT_EQ(again->seq, synack->seq);
  // A retransmitted SYN from the peer is answered with the SYN-ACK too.
  InjectTcp(Seg(50001, kPort, 100, 0, kTcpSyn));
  again = ReadTcp();
  ASSERT_TRUE(again.has_value());
  EXPECT_TRUE(again->Has(kTcpSyn | kTcpAck));
  InjectTcp(Seg(50001, kPort, 101, synack->seq + 1, kTcpAck));
  EXPECT_TRUE(listener_->Accept(nullptr).ok());
}

TEST_F(TcpTest, SimultaneousOpen) {
  Init();
  conn_ = NewTcp();
  ASSERT_EQ(conn_->Bind(FullAddress{kStackIp, 6000}), Error::kOk);
  ASSERT_EQ(conn_->Connect(FullAddress{kPeerIp, 7000}), Error::kInProgress);
  auto syn = ReadTcp();
  ASSERT_TRUE(syn.has_value());
  InjectTcp(Seg(7000, 6000, 9000, 0, kTcpSyn));  // the peer's own SYN crosses ours
  auto synack = ReadTcp();
  ASSERT_TRUE(synack.has_value());
  EXPECT_TRUE(synack->Has(kTcpSyn | kTcpAck));
  EXPECT_EQ(synack->seq, syn->seq);
  EXPECT_EQ(synack->ack, 9001u);
  EXPECT_EQ(tcp()->state(), TcpState::kSynReceived);
  // The peer's SYN-ACK (repeating its SYN) completes the handshake.
  InjectTcp(Seg(7000, 6000, 9000, syn->seq + 1, kTcpSyn | kTcpAck));
  EXPECT_EQ(tcp()->state(), TcpState::kEstablished);
  EXPECT_FALSE(ReadTcp().has_value());
  EXPECT_NE(conn_->Readiness() & kEventWritable, 0u);
}

}  // namespace
}  // namespace sb::netstack::testing
