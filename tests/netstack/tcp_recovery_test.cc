// tests/netstack/tcp_recovery_test.cc: TCP loss and flow control driven by
// frames: SYN/data/FIN retransmission (RFC 6298 RTO and backoff), fast
// retransmit and NewReno recovery, SACK generation and SACK-aware
// retransmission, zero windows and window updates, timestamps.
#include "tests/netstack/tcp_fixture.h"

namespace sb::netstack::testing {
namespace {

TEST_F(TcpTest, SynRetransmittedThenTimesOut) {
  opts_.tcp_syn_retries = 2;
  Init();
  conn_ = NewTcp();
  ASSERT_EQ(conn_->Connect(FullAddress{kPeerIp, 80}), Error::kInProgress);
  ASSERT_TRUE(ReadTcp().has_value());
  Advance(absl::Seconds(1));
  auto again = ReadTcp();
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(again->flags, kTcpSyn);
  Advance(absl::Seconds(2));
  ASSERT_TRUE(ReadTcp().has_value());
  Advance(absl::Seconds(4));
  EXPECT_EQ(tcp()->state(), TcpState::kClosed);
  EXPECT_EQ(*conn_->GetOption(SocketOption::kError), static_cast<int>(Error::kTimedOut));
}

TEST_F(TcpTest, RetransmissionTimeoutFollowsRfc6298) {
  Init();
  // One RTT sample of 100 ms: SRTT 100, RTTVAR 50, RTO = 100 + 4 * 50 = 300 ms.
  Handshake(SynOptions(), 65535, absl::Milliseconds(100));
  TcpInfo info = tcp()->GetTcpInfo();
  EXPECT_EQ(info.rtt_us, 100'000u);
  EXPECT_EQ(info.rttvar_us, 50'000u);
  EXPECT_EQ(info.rto_us, 300'000u);
  Buffer out = Bytes(100);
  ASSERT_TRUE(conn_->Send(out, {}).ok());
  ASSERT_TRUE(ReadTcp().has_value());
  Advance(absl::Milliseconds(299));
  EXPECT_FALSE(ReadTcp().has_value());
  Advance(absl::Milliseconds(1));
  auto re = ReadTcp();
  ASSERT_TRUE(re.has_value());
  EXPECT_EQ(re->seq, stack_seq_);
  EXPECT_EQ(re->data, out);
  // Exponential backoff: the next one comes 600 ms later.
  Advance(absl::Milliseconds(599));
  EXPECT_FALSE(ReadTcp().has_value());
  Advance(absl::Milliseconds(1));
  ASSERT_TRUE(ReadTcp().has_value());
  info = tcp()->GetTcpInfo();
  EXPECT_EQ(info.total_retrans, 2u);
  EXPECT_EQ(info.retransmits, 2u);
  EXPECT_EQ(info.snd_cwnd, 1u);  // loss window
  stack_seq_ += 100;
  InjectTcp(Ack());
  EXPECT_EQ(tcp()->GetTcpInfo().retransmits, 0u);
  EXPECT_EQ(stack_->NextTimerDeadline(), absl::InfiniteFuture());
}

TEST_F(TcpTest, GivesUpAfterMaxRetries) {
  opts_.tcp_max_retries = 2;
  Init();
  Handshake();
  Buffer out = Bytes(10);
  ASSERT_TRUE(conn_->Send(out, {}).ok());
  for (int i = 0; i < 4; ++i) Advance(absl::Seconds(30));
  EXPECT_EQ(tcp()->state(), TcpState::kClosed);
  uint8_t buf[10];
  EXPECT_EQ(conn_->Recv(absl::MakeSpan(buf), {}, nullptr).error(), Error::kTimedOut);
}

TEST_F(TcpTest, FastRetransmitOnThreeDuplicateAcks) {
  opts_.tcp_congestion = CongestionAlgorithm::kReno;
  Init();
  Handshake(SynOptions(false, false, std::nullopt, 1000));
  ASSERT_EQ(conn_->SetOption(SocketOption::kNoDelay, 1), Error::kOk);
  ASSERT_TRUE(conn_->Send(Bytes(5000), {}).ok());
  std::vector<OutSeg> segs;
  while (auto s = ReadTcp()) segs.push_back(*s);
  ASSERT_EQ(segs.size(), 5u);
  // Segment 2 is lost; the peer acks 1 and then dup-acks three times.
  InjectTcp(AckOf(segs[1].seq));
  for (int i = 0; i < 2; ++i) InjectTcp(AckOf(segs[1].seq));
  EXPECT_FALSE(ReadTcp().has_value());
  InjectTcp(AckOf(segs[1].seq));
  auto re = ReadTcp();
  ASSERT_TRUE(re.has_value());
  EXPECT_EQ(re->seq, segs[1].seq);
  EXPECT_EQ(re->data, segs[1].data);
  TcpInfo info = tcp()->GetTcpInfo();
  EXPECT_EQ(info.total_retrans, 1u);
  EXPECT_EQ(info.snd_ssthresh, 2000u);  // flight 4000 / 2
  // Full ACK ends recovery; cwnd deflates to ssthresh.
  InjectTcp(AckOf(segs[4].seq + 1000));
  info = tcp()->GetTcpInfo();
  EXPECT_EQ(info.snd_cwnd, 2u);
  EXPECT_EQ(info.unacked, 0u);
}

TEST_F(TcpTest, OutOfOrderDataIsSackedAndReassembled) {
  Init();
  Handshake(SynOptions(/*sack=*/true));
  Buffer all = Bytes(300);
  uint32_t base = peer_seq_;
  auto send_part = [&](size_t off, size_t len) {
    InjectTcp(Seg(kPeerPort, kPort, base + static_cast<uint32_t>(off), stack_seq_,
                  kTcpAck | kTcpPsh, 65535, View(all).subspan(off, len)));
  };
  send_part(100, 100);  // hole at [0, 100)
  auto dup = ReadTcp();
  ASSERT_TRUE(dup.has_value());
  EXPECT_EQ(dup->ack, base);
  ASSERT_EQ(dup->options.sack.size(), 1u);
  EXPECT_EQ(dup->options.sack[0], (SackBlock{base + 100, base + 200}));
  send_part(250, 50);  // second hole at [200, 250)
  dup = ReadTcp();
  ASSERT_TRUE(dup.has_value());
  ASSERT_EQ(dup->options.sack.size(), 2u);
  EXPECT_EQ(dup->options.sack[0], (SackBlock{base + 250, base + 300}));  // most recent first
  EXPECT_EQ(dup->options.sack[1], (SackBlock{base + 100, base + 200}));
  uint8_t buf[400];
  EXPECT_EQ(conn_->Recv(absl::MakeSpan(buf), {}, nullptr).error(), Error::kWouldBlock);
  send_part(0, 100);
  auto ack = ReadTcp();
  ASSERT_TRUE(ack.has_value());
  EXPECT_EQ(ack->ack, base + 200);
  ASSERT_EQ(ack->options.sack.size(), 1u);
  send_part(200, 50);
  ack = ReadTcp();
  ASSERT_TRUE(ack.has_value());
  EXPECT_EQ(ack->ack, base + 300);
  EXPECT_TRUE(ack->options.sack.empty());
  auto n = conn_->Recv(absl::MakeSpan(buf), {}, nullptr);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(Buffer(buf, buf + *n), all);
}

TEST_F(TcpTest, SackedDataIsNotRetransmitted) {
  Init();
  Handshake(SynOptions(/*sack=*/true, false, std::nullopt, 1000));
  ASSERT_EQ(conn_->SetOption(SocketOption::kNoDelay, 1), Error::kOk);
  ASSERT_TRUE(conn_->Send(Bytes(5000), {}).ok());
  std::vector<OutSeg> segs;
  while (auto s = ReadTcp()) segs.push_back(*s);
  ASSERT_EQ(segs.size(), 5u);
  // Segments 1 and 3 are lost; 2, 4 and 5 arrive and are SACKed.
  uint32_t s0 = segs[0].seq;
  auto sack_ack = [&](std::vector<SackBlock> blocks) {
    OutSeg a = AckOf(s0 + 1000);
    a.options.sack = std::move(blocks);
    InjectTcp(a);
  };
  sack_ack({{s0 + 2000, s0 + 3000}});
  sack_ack({{s0 + 3000, s0 + 4000}, {s0 + 2000, s0 + 3000}});  // merged by the stack
  EXPECT_FALSE(ReadTcp().has_value());
  sack_ack({{s0 + 2000, s0 + 5000}});
  auto re = ReadTcp();
  ASSERT_TRUE(re.has_value());
  EXPECT_EQ(re->seq, s0 + 1000);
  EXPECT_EQ(tcp()->GetTcpInfo().sacked, 3000u);
  // The fourth duplicate sends nothing more: everything else is SACKed.
  sack_ack({{s0 + 2000, s0 + 5000}});
  while (auto s = ReadTcp()) EXPECT_TRUE(s->seq < s0 + 2000 || s->seq >= s0 + 5000) << s->seq;
  // Cumulative ACK of everything.
  InjectTcp(AckOf(s0 + 5000));
  EXPECT_EQ(tcp()->GetTcpInfo().unacked, 0u);
  EXPECT_EQ(tcp()->GetTcpInfo().sacked, 0u);
}

TEST_F(TcpTest, ZeroWindowIsProbedUntilWindowUpdate) {
  Init();
  Handshake(SynOptions(), /*window=*/0);
  Buffer out = Bytes(100);
  ASSERT_EQ(*conn_->Send(out, {}), 100u);
  EXPECT_FALSE(ReadTcp().has_value());  // the peer has no room
  Advance(absl::Milliseconds(200));     // RTO after a zero-time RTT sample
  auto probe = ReadTcp();
  ASSERT_TRUE(probe.has_value());
  EXPECT_EQ(probe->seq, stack_seq_ - 1);  // an old sequence number elicits an ACK
  EXPECT_TRUE(probe->data.empty());
  InjectTcp(Ack(0));  // still closed
  EXPECT_FALSE(ReadTcp().has_value());
  Advance(absl::Milliseconds(200));
  ASSERT_TRUE(ReadTcp().has_value());  // probed again
  InjectTcp(Ack(1000));                // window update
  auto data = ReadTcp();
  ASSERT_TRUE(data.has_value());
  EXPECT_EQ(data->seq, stack_seq_);
  EXPECT_EQ(data->data, out);
}

TEST_F(TcpTest, ReceiveWindowClosesAndReopensOnRead) {
  Init();
  Listen();
  ASSERT_EQ(listener_->SetOption(SocketOption::kReceiveBufferSize, 4096), Error::kOk);
  OutSeg synack = Handshake();
  EXPECT_EQ(synack.window, 4096);
  PeerSend(Bytes(1460));
  auto a = ReadTcp();
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->window, 4096 - 1460);
  PeerSend(Bytes(1460));
  a = ReadTcp();
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->window, 4096 - 2920);
  PeerSend(Bytes(1176));
  a = ReadTcp();
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->window, 0);
  // Data beyond the window is not accepted; the ACK repeats window 0.
  InjectTcp(Seg(kPeerPort, kPort, peer_seq_, stack_seq_, kTcpAck, 65535, Bytes(10)));
  a = ReadTcp();
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->ack, peer_seq_);
  EXPECT_EQ(a->window, 0);
  EXPECT_EQ(conn_->Readiness() & kEventReadable, kEventReadable);
  Buffer got;
  EXPECT_EQ(ReadAll(&got), 4096u);
  auto update = ReadTcp();
  ASSERT_TRUE(update.has_value());
  EXPECT_EQ(update->window, 4096);
  EXPECT_EQ(update->ack, peer_seq_);
}

TEST_F(TcpTest, FinIsRetransmitted) {
  Init();
  Handshake();
  conn_->Close();
  auto fin = ReadTcp();
  ASSERT_TRUE(fin.has_value());
  Advance(absl::Milliseconds(200));
  auto again = ReadTcp();
  ASSERT_TRUE(again.has_value());
  EXPECT_TRUE(again->Has(kTcpFin));
  EXPECT_EQ(again->seq, fin->seq);
}

TEST_F(TcpTest, TimestampsGiveRttSamples) {
  Init();
  Handshake(SynOptions(false, /*ts=*/true));
  ASSERT_TRUE(conn_->Send(Bytes(10), {}).ok());
  auto s = ReadTcp();
  ASSERT_TRUE(s.has_value());
  ASSERT_TRUE(s->options.timestamp.has_value());
  EXPECT_EQ(s->options.timestamp->second, peer_tsval_);  // TSecr echoes the peer
  clock_.Advance(absl::Milliseconds(50));
  stack_seq_ += 10;
  OutSeg ack = Seg(kPeerPort, kPort, peer_seq_, stack_seq_, kTcpAck);
  ack.options.timestamp = {{++peer_tsval_, s->options.timestamp->first}};
  InjectTcp(ack);
  TcpInfo info = tcp()->GetTcpInfo();
  // Two samples: 0 ms at the handshake, then 50 ms.
  EXPECT_EQ(info.rtt_us, 6250u);  // 7/8 * 0 + 1/8 * 50 ms
}

TEST_F(TcpTest, CubicReducesByBetaOnFastRetransmit) {
  Init();  // CUBIC is the default, as on Linux
  Handshake(SynOptions(false, false, std::nullopt, 1000));
  EXPECT_EQ(*conn_->GetOption(SocketOption::kCongestion),
            static_cast<int>(CongestionAlgorithm::kCubic));
  ASSERT_EQ(conn_->SetOption(SocketOption::kNoDelay, 1), Error::kOk);
  ASSERT_TRUE(conn_->Send(Bytes(5000), {}).ok());
  std::vector<OutSeg> segs;
  while (auto s = ReadTcp()) segs.push_back(*s);
  ASSERT_EQ(segs.size(), 5u);
  InjectTcp(AckOf(segs[1].seq));  // slow start: cwnd 10 -> 11 segments
  for (int i = 0; i < 3; ++i) InjectTcp(AckOf(segs[1].seq));
  ASSERT_TRUE(ReadTcp().has_value());
  EXPECT_EQ(tcp()->GetTcpInfo().snd_ssthresh, 7700u);  // 0.7 * 11000
}

TEST_F(TcpTest, PawsDropsSegmentsWithOldTimestamps) {
  Init();
  Handshake(SynOptions(false, /*ts=*/true));
  PeerSend(Bytes(10));
  ASSERT_TRUE(ReadTcp().has_value());
  // A segment whose TSval is older than the last one seen is an old duplicate.
  OutSeg old = Seg(kPeerPort, kPort, peer_seq_, stack_seq_, kTcpAck | kTcpPsh, 65535, Bytes(5));
  old.options.timestamp = {{peer_tsval_ - 100, 0}};
  InjectTcp(old);
  auto ack = ReadTcp();
  ASSERT_TRUE(ack.has_value());
  EXPECT_EQ(ack->ack, peer_seq_);  // not accepted
  Buffer got;
  ReadAll(&got);
  EXPECT_EQ(got.size(), 10u);
}

}  // namespace
}  // namespace sb::netstack::testing
