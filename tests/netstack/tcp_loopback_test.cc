// tests/netstack/tcp_loopback_test.cc: two endpoints of one Stack talking
// over the loopback link: a bulk TCP transfer with close and TIME_WAIT, UDP,
// and a two-thread transfer driven by waiter callbacks.
#include <gtest/gtest.h>

#include <thread>

#include "absl/synchronization/mutex.h"
#include "netstack/loopback.h"
#include "netstack/stack.h"
#include "netstack/tcp_endpoint.h"

namespace sb::netstack {
namespace {

const IpAddress kLo = IpAddress::V4(127, 0, 0, 1);

class LoopbackTest : public ::testing::Test {
 protected:
  void Init(bool delayed_ack = true) {
    StackOptions o;
    o.clock = &clock_;
    o.seed = 7;
    o.tcp_delayed_ack = delayed_ack;
    stack_ = std::make_unique<Stack>(o);
    auto lo = std::make_unique<LoopbackEndpoint>();
    lo_ = lo.get();
    NicId id = stack_->AddNic(std::move(lo));
    ASSERT_EQ(stack_->AddAddress(id, Subnet{kLo, 8}), Error::kOk);
  }

  // Returns (client, server) connected over loopback.
  std::pair<std::shared_ptr<Endpoint>, std::shared_ptr<Endpoint>> Connect(uint16_t port) {
    listener_ = *stack_->NewEndpoint(Family::kV4, Transport::kTcp);
    EXPECT_EQ(listener_->Bind(FullAddress{kLo, port}), Error::kOk);
    EXPECT_EQ(listener_->Listen(16), Error::kOk);
    auto client = *stack_->NewEndpoint(Family::kV4, Transport::kTcp);
    EXPECT_EQ(client->Connect(FullAddress{kLo, port}), Error::kInProgress);
    // Loopback frames are processed before Connect returns.
    EXPECT_EQ(static_cast<TcpEndpoint*>(client.get())->state(), TcpState::kEstablished);
    FullAddress peer;
    auto server = listener_->Accept(&peer);
    EXPECT_TRUE(server.ok());
    EXPECT_EQ(peer, *client->GetLocalAddress());
    return {client, server.ok() ? *server : nullptr};
  }

  ManualClock clock_;
  std::unique_ptr<Stack> stack_;
  LoopbackEndpoint* lo_ = nullptr;
  std::shared_ptr<Endpoint> listener_;
};

TEST_F(LoopbackTest, TcpBulkTransferThenCloseAndTimeWait) {
  Init();
  auto [client, server] = Connect(9000);
  ASSERT_TRUE(server);
  constexpr size_t kTotal = 4 << 20;
  Buffer data(kTotal);
  for (size_t i = 0; i < kTotal; ++i) data[i] = static_cast<uint8_t>((i * 2654435761u) >> 13);
  Buffer got;
  got.reserve(kTotal);
  size_t sent = 0;
  std::vector<uint8_t> buf(64 << 10);
  int idle_rounds = 0;
  while (got.size() < kTotal) {
    bool progress = false;
    if (sent < kTotal) {
      auto n = client->Send(View(data).subspan(sent, std::min<size_t>(100'000, kTotal - sent)), {});
      if (n.ok()) {
        sent += *n;
        progress = true;
      } else {
        ASSERT_EQ(n.error(), Error::kWouldBlock);
      }
    }
    for (;;) {
      auto n = server->Recv(absl::MakeSpan(buf), {}, nullptr);
      if (!n.ok()) {
        ASSERT_EQ(n.error(), Error::kWouldBlock);
        break;
      }
      got.insert(got.end(), buf.begin(), buf.begin() + *n);
      progress = true;
    }
    if (!progress) {
      // Only timers (delayed ACKs) can move things on.
      clock_.Advance(absl::Milliseconds(40));
      stack_->AdvanceTimers();
      if (++idle_rounds >= 10000) {
        auto ci = static_cast<TcpEndpoint*>(client.get())->GetTcpInfo();
        auto si = static_cast<TcpEndpoint*>(server.get())->GetTcpInfo();
        fprintf(stderr,
                "sent=%zu got=%zu c: state=%d cwnd=%u wnd=%u unacked=%u retr=%u rto=%u | s: "
                "rcv_wnd=%u state=%d\n",
                sent, got.size(), (int)ci.state, ci.snd_cwnd, ci.snd_wnd, ci.unacked,
                ci.total_retrans, ci.rto_us, si.rcv_wnd, (int)si.state);
        FAIL();
      }
    }
  }
  EXPECT_TRUE(got == data);
  auto* c = static_cast<TcpEndpoint*>(client.get());
  auto* s = static_cast<TcpEndpoint*>(server.get());
  EXPECT_EQ(c->GetTcpInfo().total_retrans, 0u);  // loopback loses nothing
  EXPECT_GT(c->GetTcpInfo().snd_cwnd, 10u);      // slow start grew the window
  client->Close();
  EXPECT_EQ(c->state(), TcpState::kFinWait2);
  EXPECT_EQ(*server->Recv(absl::MakeSpan(buf), {}, nullptr), 0u);  // EOF
  server->Close();
  EXPECT_EQ(s->state(), TcpState::kClosed);
  EXPECT_EQ(c->state(), TcpState::kTimeWait);
  clock_.Advance(absl::Seconds(60));
  stack_->AdvanceTimers();
  EXPECT_EQ(c->state(), TcpState::kClosed);
  EXPECT_EQ(stack_->NextTimerDeadline(), absl::InfiniteFuture());
  listener_->Close();
}

TEST_F(LoopbackTest, ConnectToNothingIsRefused) {
  Init();
  auto client = *stack_->NewEndpoint(Family::kV4, Transport::kTcp);
  EXPECT_EQ(client->Connect(FullAddress{kLo, 9}), Error::kInProgress);
  EXPECT_EQ(static_cast<TcpEndpoint*>(client.get())->state(), TcpState::kClosed);
  EXPECT_EQ(*client->GetOption(SocketOption::kError), static_cast<int>(Error::kConnectionRefused));
}

TEST_F(LoopbackTest, UdpRoundTrip) {
  Init();
  auto a = *stack_->NewEndpoint(Family::kV4, Transport::kUdp);
  auto b = *stack_->NewEndpoint(Family::kV4, Transport::kUdp);
  ASSERT_EQ(a->Bind(FullAddress{kLo, 5353}), Error::kOk);
  Buffer msg = {1, 2, 3, 4, 5};
  ASSERT_TRUE(b->Send(msg, SendOptions{FullAddress{kLo, 5353}}).ok());
  uint8_t buf[16];
  FullAddress from;
  auto n = a->Recv(absl::MakeSpan(buf), {}, &from);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(Buffer(buf, buf + *n), msg);
  EXPECT_EQ(from.addr, kLo);
  EXPECT_EQ(from.port, b->GetLocalAddress()->port);
  ASSERT_TRUE(a->Send(View(buf, *n), SendOptions{from}).ok());
  n = b->Recv(absl::MakeSpan(buf), {}, nullptr);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, msg.size());
  a->Close();
  b->Close();
}

TEST_F(LoopbackTest, UdpToClosedPortReportsRefused) {
  Init();
  auto a = *stack_->NewEndpoint(Family::kV4, Transport::kUdp);
  ASSERT_EQ(a->Connect(FullAddress{kLo, 4444}), Error::kOk);
  Buffer msg = {1};
  ASSERT_TRUE(a->Send(msg, {}).ok());
  // The port-unreachable error came back over loopback.
  uint8_t buf[4];
  EXPECT_EQ(a->Recv(absl::MakeSpan(buf), {}, nullptr).error(), Error::kConnectionRefused);
  a->Close();
}

// A wake-up counter: read Gen() before trying an operation, and WaitPast()
// it if the operation would block, so a wake-up in between is not lost.
class Gate {
 public:
  uint64_t Gen() ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock l(&mu_);
    return gen_;
  }
  void Wake() ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock l(&mu_);
    ++gen_;
    cv_.SignalAll();
  }
  void WaitPast(uint64_t seen) ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock l(&mu_);
    while (gen_ == seen) {
      if (cv_.WaitWithTimeout(&mu_, absl::Seconds(1))) return;
    }
  }

 private:
  absl::Mutex mu_;
  absl::CondVar cv_;
  uint64_t gen_ ABSL_GUARDED_BY(mu_) = 0;
};

// Sender and receiver on their own threads, each blocking on its waiter the
// way the kernel's socket layer will.
TEST_F(LoopbackTest, TwoThreadsWithWaiters) {
  Init(/*delayed_ack=*/false);
  auto [client, server] = Connect(9001);
  ASSERT_TRUE(server);
  constexpr size_t kTotal = 2 << 20;
  Gate send_gate, recv_gate;
  client->AddWaiter(kEventWritable, [&](uint32_t) { send_gate.Wake(); });
  server->AddWaiter(kEventReadable | kEventReadHangup, [&](uint32_t) { recv_gate.Wake(); });
  std::thread sender([&, client = client] {
    Buffer chunk(32 << 10, 0x5a);
    size_t sent = 0;
    while (sent < kTotal) {
      uint64_t gen = send_gate.Gen();
      auto n = client->Send(View(chunk).first(std::min(chunk.size(), kTotal - sent)), {});
      if (n.ok()) {
        sent += *n;
      } else {
        send_gate.WaitPast(gen);
      }
    }
    (void)client->Shutdown(ShutdownHow::kWrite);
  });
  size_t received = 0;
  bool ok = true;
  std::vector<uint8_t> buf(64 << 10);
  absl::Time deadline = absl::Now() + absl::Seconds(20);
  for (;;) {
    uint64_t gen = recv_gate.Gen();
    auto n = server->Recv(absl::MakeSpan(buf), {}, nullptr);
    if (n.ok() && *n == 0) break;
    if (n.ok()) {
      for (size_t i = 0; i < *n; ++i) ok &= buf[i] == 0x5a;
      received += *n;
      continue;
    }
    ASSERT_EQ(n.error(), Error::kWouldBlock);
    ASSERT_LT(absl::Now(), deadline);
    recv_gate.WaitPast(gen);
  }
  sender.join();
  EXPECT_TRUE(ok);
  EXPECT_EQ(received, kTotal);
  client->Close();
  server->Close();
  listener_->Close();
}

}  // namespace
}  // namespace sb::netstack
