// netstack/tcp_congestion.h: TCP congestion control. RFC 5681 slow start
// and congestion avoidance (NewReno) and RFC 9438 CUBIC. Fast recovery
// (RFC 6582 NewReno, with SACK) is driven by TcpEndpoint, which calls these
// hooks. One object per connection, owned by its TcpEndpoint and guarded by
// Stack::mu_ like the rest of its state.
#ifndef SB_NETSTACK_TCP_CONGESTION_H_
#define SB_NETSTACK_TCP_CONGESTION_H_

#include <cstdint>
#include <memory>
#include <string_view>

#include "absl/time/time.h"

namespace sb::netstack {

enum class CongestionAlgorithm { kReno = 0, kCubic = 1 };

class CongestionControl {
 public:
  virtual ~CongestionControl() = default;
  virtual std::string_view name() const = 0;
  // `acked` new bytes were acknowledged outside loss recovery. `srtt` is
  // zero until the first RTT sample.
  virtual void OnAck(uint32_t acked, absl::Time now, absl::Duration srtt) = 0;
  // Three duplicate ACKs (or SACK loss): entering fast recovery with `flight`
  // bytes outstanding. Sets ssthresh; cwnd = ssthresh + 3 MSS.
  virtual void OnEnterRecovery(uint32_t flight) = 0;
  // Full ACK of the recovery point: cwnd = ssthresh.
  virtual void OnExitRecovery() { cwnd_ = ssthresh_; }
  // Retransmission timeout: loss window of one segment.
  virtual void OnTimeout(uint32_t flight) = 0;

  uint32_t cwnd() const { return cwnd_; }
  uint32_t ssthresh() const { return ssthresh_; }
  void set_cwnd(uint32_t c) { cwnd_ = c; }

 protected:
  // RFC 6928 initial window: 10 segments.
  explicit CongestionControl(uint32_t mss) : mss_(mss), cwnd_(10 * mss) {}
  const uint32_t mss_;
  uint32_t cwnd_;
  uint32_t ssthresh_ = 0x7fffffff;
};

std::unique_ptr<CongestionControl> NewCongestionControl(CongestionAlgorithm a, uint32_t mss);

class NewReno final : public CongestionControl {
 public:
  explicit NewReno(uint32_t mss) : CongestionControl(mss) {}
  std::string_view name() const override { return "reno"; }
  void OnAck(uint32_t acked, absl::Time now, absl::Duration srtt) override;
  void OnEnterRecovery(uint32_t flight) override;
  void OnTimeout(uint32_t flight) override;

 private:
  uint32_t ca_acked_ = 0;  // bytes acked toward the next +1 MSS in avoidance
};

// RFC 9438. Window arithmetic is in segments (doubles), as in the RFC.
class Cubic final : public CongestionControl {
 public:
  static constexpr double kC = 0.4;
  static constexpr double kBeta = 0.7;
  explicit Cubic(uint32_t mss) : CongestionControl(mss) {}
  std::string_view name() const override { return "cubic"; }
  void OnAck(uint32_t acked, absl::Time now, absl::Duration srtt) override;
  void OnEnterRecovery(uint32_t flight) override;
  void OnTimeout(uint32_t flight) override;
  double w_max() const { return w_max_; }
  double k() const { return k_; }

 private:
  // Records a congestion event: W_max with fast convergence (RFC 9438 4.7).
  void OnCongestionEvent();

  double w_max_ = 0;          // window before the last reduction, segments
  double k_ = 0;              // seconds to grow back to w_max_
  double w_est_ = 0;          // Reno-friendly estimate, segments
  double pending_ = 0;        // fractional bytes of growth not yet in cwnd_
  bool epoch_valid_ = false;  // congestion avoidance epoch started
  absl::Time epoch_;
};

}  // namespace sb::netstack

#endif  // SB_NETSTACK_TCP_CONGESTION_H_
