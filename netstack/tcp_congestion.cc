// netstack/tcp_congestion.cc: see tcp_congestion.h.
#include "netstack/tcp_congestion.h"

#include <algorithm>

namespace sb::netstack {

// RFC 6928 initial window: 10 segments.
CongestionControl::CongestionControl(uint32_t mss) : mss_(mss), cwnd_(10 * mss) {}

void NewReno::OnAck(uint32_t acked) {
  if (cwnd_ < ssthresh_) {
    cwnd_ += std::min(acked, mss_);  // slow start, RFC 3465 L = 1
    return;
  }
  ca_acked_ += acked;
  if (ca_acked_ >= cwnd_) {
    ca_acked_ -= cwnd_;
    cwnd_ += mss_;
  }
}

void NewReno::OnEnterRecovery(uint32_t flight) {
  ssthresh_ = std::max(flight / 2, 2 * mss_);
  cwnd_ = ssthresh_ + 3 * mss_;
}

void NewReno::OnExitRecovery() { cwnd_ = ssthresh_; }

void NewReno::OnTimeout(uint32_t flight) {
  ssthresh_ = std::max(flight / 2, 2 * mss_);
  cwnd_ = mss_;
  ca_acked_ = 0;
}

}  // namespace sb::netstack
