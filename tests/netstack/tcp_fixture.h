// tests/netstack/tcp_fixture.h: a TCP peer scripted by the test, on top of
// the NetTest harness: it completes handshakes with the Stack and tracks
// the sequence numbers both sides are at.
#ifndef SB_TESTS_NETSTACK_TCP_FIXTURE_H_
#define SB_TESTS_NETSTACK_TCP_FIXTURE_H_

#include "tests/netstack/harness.h"

namespace sb::netstack::testing {

class TcpTest : public NetTest {
 protected:
  static constexpr uint16_t kPort = 80;
  static constexpr uint16_t kPeerPort = 40000;

  uint32_t peer_seq_ = 1000;  // next sequence number the peer sends
  uint32_t stack_seq_ = 0;    // next sequence number expected from the stack
  bool peer_ts_ = false;      // peer sends timestamps
  uint32_t peer_tsval_ = 5000;
  std::shared_ptr<Endpoint> listener_;
  std::shared_ptr<Endpoint> conn_;

  TcpEndpoint* tcp() { return static_cast<TcpEndpoint*>(conn_.get()); }

  static TcpOptions SynOptions(bool sack = false, bool ts = false,
                               std::optional<uint8_t> ws = std::nullopt, uint16_t mss = 1460) {
    TcpOptions o;
    o.mss = mss;
    o.sack_permitted = sack;
    o.window_scale = ws;
    if (ts) o.timestamp = {{5000, 0}};
    return o;
  }

  std::shared_ptr<Endpoint> NewTcp() { return *stack_->NewEndpoint(Family::kV4, Transport::kTcp); }

  void Listen(int backlog = 8) {
    listener_ = NewTcp();
    ASSERT_EQ(listener_->Bind(FullAddress{IpAddress::V4Any(), kPort}), Error::kOk);
    ASSERT_EQ(listener_->Listen(backlog), Error::kOk);
  }

  // Passive open. `rtt` passes between SYN-ACK and the final ACK. Returns
  // the SYN-ACK.
  OutSeg Handshake(const TcpOptions& opts = SynOptions(), uint16_t window = 65535,
                   absl::Duration rtt = absl::ZeroDuration()) {
    if (!listener_) Listen();
    peer_ts_ = opts.timestamp.has_value();
    OutSeg syn = Seg(kPeerPort, kPort, peer_seq_, 0, kTcpSyn, 65535);
    syn.options = opts;
    InjectTcp(syn);
    auto synack = ReadTcp();
    EXPECT_TRUE(synack.has_value());
    if (!synack) return {};
    EXPECT_TRUE(synack->Has(kTcpSyn | kTcpAck));
    EXPECT_EQ(synack->ack, peer_seq_ + 1);
    ++peer_seq_;
    stack_seq_ = synack->seq + 1;
    clock_.Advance(rtt);
    InjectTcp(Ack(window));
    auto c = listener_->Accept(nullptr);
    EXPECT_TRUE(c.ok());
    if (c.ok()) conn_ = *c;
    return *synack;
  }

  OutSeg WithTs(OutSeg s, uint32_t tsecr = 0) {
    if (peer_ts_) s.options.timestamp = {{++peer_tsval_, tsecr}};
    return s;
  }
  OutSeg Ack(uint16_t window = 65535) {
    return WithTs(Seg(kPeerPort, kPort, peer_seq_, stack_seq_, kTcpAck, window));
  }
  OutSeg AckOf(uint32_t ack, uint16_t window = 65535) {
    return WithTs(Seg(kPeerPort, kPort, peer_seq_, ack, kTcpAck, window));
  }
  // Peer sends data at peer_seq_ and advances it.
  void PeerSend(View data, uint8_t extra_flags = kTcpPsh, uint16_t window = 65535) {
    InjectTcp(
        WithTs(Seg(kPeerPort, kPort, peer_seq_, stack_seq_, kTcpAck | extra_flags, window, data)));
    peer_seq_ += static_cast<uint32_t>(data.size());
  }
  void PeerFin() {
    InjectTcp(WithTs(Seg(kPeerPort, kPort, peer_seq_, stack_seq_, kTcpAck | kTcpFin)));
    ++peer_seq_;
  }

  size_t ReadAll(Buffer* out) {
    uint8_t buf[8192];
    size_t total = 0;
    for (;;) {
      auto n = conn_->Recv(absl::MakeSpan(buf), {}, nullptr);
      if (!n.ok() || *n == 0) return total;
      out->insert(out->end(), buf, buf + *n);
      total += *n;
    }
  }
};

}  // namespace sb::netstack::testing

#endif  // SB_TESTS_NETSTACK_TCP_FIXTURE_H_
