// tests/netstack/snapshot_test.cc: Endpoint::Snapshot and
// Stack::RestoreEndpoint round trips for bound, listening and connected-UDP
// endpoints (the shape checkpoint/restore will use).
#include "tests/netstack/tcp_fixture.h"

namespace sb::netstack::testing {
namespace {

bool SameSnapshot(const EndpointSnapshot& a, const EndpointSnapshot& b) {
  return a.transport == b.transport && a.family == b.family && a.bound == b.bound &&
         a.local == b.local && a.listening == b.listening && a.backlog == b.backlog &&
         a.remote == b.remote && a.shut_read == b.shut_read && a.shut_write == b.shut_write &&
         a.options == b.options;
}

class SnapshotTest : public TcpTest {};

TEST_F(SnapshotTest, ListenerRoundTripsIntoANewStack) {
  Init();
  Listen(/*backlog=*/5);
  ASSERT_EQ(listener_->SetOption(SocketOption::kNoDelay, 1), Error::kOk);
  ASSERT_EQ(listener_->SetOption(SocketOption::kKeepIdle, 30), Error::kOk);
  auto snap = listener_->Snapshot();
  ASSERT_TRUE(snap.ok());
  EXPECT_TRUE(snap->listening);
  EXPECT_EQ(snap->backlog, 5);
  EXPECT_EQ(snap->local.port, kPort);
  // Restore into a fresh stack (as after a checkpoint) and take a connection.
  listener_->Close();
  Init();
  auto restored = stack_->RestoreEndpoint(*snap);
  ASSERT_TRUE(restored.ok());
  auto again = (*restored)->Snapshot();
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(SameSnapshot(*snap, *again));
  listener_ = *restored;
  Handshake();
  ASSERT_TRUE(conn_);
  EXPECT_EQ(*conn_->GetOption(SocketOption::kNoDelay), 1);     // inherited from the listener
  EXPECT_EQ(conn_->Snapshot().error(), Error::kNotSupported);  // connections: not yet
}

TEST_F(SnapshotTest, UdpBoundAndConnectedRoundTrip) {
  Init();
  auto ep = *stack_->NewEndpoint(Family::kV4, Transport::kUdp);
  ASSERT_EQ(ep->SetOption(SocketOption::kReusePort, 1), Error::kOk);
  ASSERT_EQ(ep->Bind(FullAddress{kStackIp, 5353}), Error::kOk);
  ASSERT_EQ(ep->Connect(FullAddress{kPeerIp, 53}), Error::kOk);
  auto snap = ep->Snapshot();
  ASSERT_TRUE(snap.ok());
  ep->Close();
  auto restored = stack_->RestoreEndpoint(*snap);
  ASSERT_TRUE(restored.ok());
  auto again = (*restored)->Snapshot();
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(SameSnapshot(*snap, *again));
  EXPECT_EQ(*(*restored)->GetRemoteAddress(), (FullAddress{kPeerIp, 53}));
  (*restored)->Close();
}

TEST_F(SnapshotTest, UnboundTcpRoundTrip) {
  Init();
  auto ep = NewTcp();
  ASSERT_EQ(ep->SetOption(SocketOption::kCongestion, 0), Error::kOk);
  auto snap = ep->Snapshot();
  ASSERT_TRUE(snap.ok());
  EXPECT_FALSE(snap->bound);
  auto restored = stack_->RestoreEndpoint(*snap);
  ASSERT_TRUE(restored.ok());
  EXPECT_EQ(*(*restored)->GetOption(SocketOption::kCongestion), 0);
  ep->Close();
  (*restored)->Close();
}

}  // namespace
}  // namespace sb::netstack::testing
