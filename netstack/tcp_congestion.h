// netstack/tcp_congestion.h: TCP congestion control (RFC 5681 slow start
// and congestion avoidance; RFC 6582 NewReno recovery is driven by
// TcpEndpoint, which calls these hooks). One object per connection, owned by
// its TcpEndpoint and guarded by Stack::mu_ like the rest of its state.
// CUBIC (RFC 9438) will be a second implementation of this interface.
#ifndef SB_NETSTACK_TCP_CONGESTION_H_
#define SB_NETSTACK_TCP_CONGESTION_H_

#include <cstdint>
#include <memory>
#include <string_view>

namespace sb::netstack {

class CongestionControl {
 public:
  virtual ~CongestionControl() = default;
  virtual std::string_view name() const = 0;
  // `acked` new bytes were acknowledged outside loss recovery.
  virtual void OnAck(uint32_t acked) = 0;
  // Three duplicate ACKs: entering fast recovery with `flight` bytes out.
  virtual void OnEnterRecovery(uint32_t flight) = 0;
  // Full ACK of the recovery point.
  virtual void OnExitRecovery() = 0;
  // Retransmission timeout.
  virtual void OnTimeout(uint32_t flight) = 0;

  uint32_t cwnd() const { return cwnd_; }
  uint32_t ssthresh() const { return ssthresh_; }
  void set_cwnd(uint32_t c) { cwnd_ = c; }
  void set_mss(uint32_t mss) { mss_ = mss; }

 protected:
  explicit CongestionControl(uint32_t mss);
  uint32_t mss_;
  uint32_t cwnd_;
  uint32_t ssthresh_ = 0x7fffffff;
};

class NewReno final : public CongestionControl {
 public:
  explicit NewReno(uint32_t mss) : CongestionControl(mss) {}
  std::string_view name() const override { return "reno"; }
  void OnAck(uint32_t acked) override;
  void OnEnterRecovery(uint32_t flight) override;
  void OnExitRecovery() override;
  void OnTimeout(uint32_t flight) override;

 private:
  uint32_t ca_acked_ = 0;  // bytes acked toward the next +1 MSS in avoidance
};

}  // namespace sb::netstack

#endif  // SB_NETSTACK_TCP_CONGESTION_H_
