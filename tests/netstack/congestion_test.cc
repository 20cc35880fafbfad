// tests/netstack/congestion_test.cc: NewReno and CUBIC window arithmetic,
// driven by simulated ACK clocks (no packets).
#include <gtest/gtest.h>

#include "netstack/tcp_congestion.h"

namespace sb::netstack {
namespace {

constexpr uint32_t kMss = 1000;

// Acks one full window per RTT for `duration`; returns the time reached.
absl::Time RunRtts(CongestionControl& cc, absl::Time now, absl::Duration rtt,
                   absl::Duration duration) {
  for (absl::Time end = now + duration; now < end;) {
    now += rtt;
    uint32_t window = cc.cwnd();
    for (uint32_t acked = 0; acked < window; acked += kMss) cc.OnAck(kMss, now, rtt);
  }
  return now;
}

TEST(NewReno, SlowStartThenLinearGrowth) {
  NewReno cc(kMss);
  EXPECT_EQ(cc.cwnd(), 10 * kMss);  // RFC 6928
  cc.OnAck(kMss, absl::UnixEpoch(), absl::ZeroDuration());
  EXPECT_EQ(cc.cwnd(), 11 * kMss);
  cc.OnEnterRecovery(20 * kMss);
  EXPECT_EQ(cc.ssthresh(), 10 * kMss);
  EXPECT_EQ(cc.cwnd(), 13 * kMss);
  cc.OnExitRecovery();
  EXPECT_EQ(cc.cwnd(), 10 * kMss);
  // Congestion avoidance: one MSS per window of ACKed data.
  RunRtts(cc, absl::UnixEpoch(), absl::Milliseconds(100), absl::Milliseconds(300));
  EXPECT_EQ(cc.cwnd(), 13 * kMss);
  cc.OnTimeout(10 * kMss);
  EXPECT_EQ(cc.cwnd(), kMss);
  EXPECT_EQ(cc.ssthresh(), 5 * kMss);
}

TEST(Cubic, ReducesByBetaThenRegrowsAlongTheCubic) {
  Cubic cc(kMss);
  absl::Time now = absl::UnixEpoch();
  const absl::Duration rtt = absl::Milliseconds(100);
  cc.set_cwnd(100 * kMss);
  cc.OnEnterRecovery(100 * kMss);
  EXPECT_EQ(cc.ssthresh(), 70 * kMss);
  EXPECT_EQ(cc.cwnd(), 73 * kMss);
  cc.OnExitRecovery();
  EXPECT_EQ(cc.cwnd(), 70 * kMss);
  EXPECT_DOUBLE_EQ(cc.w_max(), 100);
  now = RunRtts(cc, now, rtt, absl::Seconds(1));
  double after1 = static_cast<double>(cc.cwnd()) / kMss;
  EXPECT_NEAR(cc.k(), std::cbrt(30 / Cubic::kC), 1e-9);  // about 4.2 s
  now = RunRtts(cc, now, rtt, absl::Seconds(1));
  double after2 = static_cast<double>(cc.cwnd()) / kMss;
  // Concave below W_max: the first second grows more than the second.
  EXPECT_GT(after1 - 70, after2 - after1);
  now = RunRtts(cc, now, rtt, absl::Milliseconds(2200));
  EXPECT_NEAR(static_cast<double>(cc.cwnd()) / kMss, 100, 4);  // plateau at W_max near K
  now = RunRtts(cc, now, rtt, absl::Seconds(4));
  EXPECT_GT(static_cast<double>(cc.cwnd()) / kMss, 110);  // convex probing beyond W_max
}

TEST(Cubic, FastConvergenceLowersWmax) {
  Cubic cc(kMss);
  cc.set_cwnd(100 * kMss);
  cc.OnEnterRecovery(0);
  cc.OnExitRecovery();  // cwnd 70, W_max 100
  cc.OnEnterRecovery(0);
  EXPECT_DOUBLE_EQ(cc.w_max(), 70 * (1 + Cubic::kBeta) / 2);
  cc.OnTimeout(0);
  EXPECT_EQ(cc.cwnd(), kMss);
}

}  // namespace
}  // namespace sb::netstack
