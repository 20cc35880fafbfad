// tests/netstack/timer_driver_test.cc: the optional timer thread, on the
// real clock: an unanswered connect is retransmitted and then times out
// without anyone calling AdvanceTimers. The test waits for the endpoint's
// error event (bounded), never for a fixed time.
#include <gtest/gtest.h>

#include "absl/synchronization/notification.h"
#include "netstack/channel_endpoint.h"
#include "netstack/tcp_endpoint.h"
#include "netstack/timer_driver.h"

namespace sb::netstack {
namespace {

TEST(TimerDriver, TimesOutAConnectOnTheRealClock) {
  SystemClock clock;
  StackOptions o;
  o.clock = &clock;
  o.tcp_initial_rto = absl::Milliseconds(10);
  o.tcp_syn_retries = 1;
  Stack stack(o);
  MacAddress mac{{2, 0, 0, 0, 0, 1}};
  auto link = std::make_unique<ChannelEndpoint>(1500, mac);
  ChannelEndpoint* ch = link.get();
  NicId nic = stack.AddNic(std::move(link));
  ASSERT_EQ(stack.AddAddress(nic, Subnet{IpAddress::V4(10, 0, 0, 1), 24}), Error::kOk);
  stack.AddStaticNeighbor(nic, IpAddress::V4(10, 0, 0, 2), MacAddress{{2, 0, 0, 0, 0, 2}});
  TimerDriver driver(&stack, absl::Milliseconds(5));
  auto ep = *stack.NewEndpoint(Family::kV4, Transport::kTcp);
  absl::Notification failed;
  // Events say what may have changed; the readiness says what holds.
  ep->AddWaiter(kEventError, [&](uint32_t) {
    if ((ep->Readiness() & kEventError) && !failed.HasBeenNotified()) failed.Notify();
  });
  ASSERT_EQ(ep->Connect(FullAddress{IpAddress::V4(10, 0, 0, 2), 80}), Error::kInProgress);
  driver.Kick();
  ASSERT_TRUE(failed.WaitForNotificationWithTimeout(absl::Seconds(10)));
  EXPECT_EQ(*ep->GetOption(SocketOption::kError), static_cast<int>(Error::kTimedOut));
  EXPECT_EQ(ch->QueuedCount(), 2u);  // the SYN and one retransmission
  // One late run may fire both the retransmission and the timeout.
  EXPECT_GE(driver.runs(), 1u);
  ep->Close();
}

}  // namespace
}  // namespace sb::netstack
