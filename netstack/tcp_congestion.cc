// netstack/tcp_congestion.cc: see tcp_congestion.h.
#include "netstack/tcp_congestion.h"

#include <algorithm>
#include <cmath>

namespace sb::netstack {

std::unique_ptr<CongestionControl> NewCongestionControl(CongestionAlgorithm a, uint32_t mss) {
  if (a == CongestionAlgorithm::kReno) return std::make_unique<NewReno>(mss);
  return std::make_unique<Cubic>(mss);
}

void NewReno::OnAck(uint32_t acked, absl::Time, absl::Duration) {
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

void NewReno::OnTimeout(uint32_t flight) {
  ssthresh_ = std::max(flight / 2, 2 * mss_);
  cwnd_ = mss_;
  ca_acked_ = 0;
}

void Cubic::OnCongestionEvent() {
  double w = static_cast<double>(cwnd_) / mss_;
  // Fast convergence: release bandwidth sooner when the window keeps shrinking.
  w_max_ = w < w_max_ ? w * (1 + kBeta) / 2 : w;
  ssthresh_ = std::max(static_cast<uint32_t>(uint64_t{cwnd_} * 7 / 10), 2 * mss_);  // beta 0.7
  epoch_valid_ = false;
  pending_ = 0;
}

void Cubic::OnEnterRecovery(uint32_t) {
  OnCongestionEvent();
  cwnd_ = ssthresh_ + 3 * mss_;
}

void Cubic::OnTimeout(uint32_t) {
  OnCongestionEvent();
  cwnd_ = mss_;
}

void Cubic::OnAck(uint32_t acked, absl::Time now, absl::Duration srtt) {
  if (cwnd_ < ssthresh_) {
    cwnd_ += std::min(acked, mss_);
    return;
  }
  double cwnd = static_cast<double>(cwnd_) / mss_;
  if (!epoch_valid_) {
    epoch_valid_ = true;
    epoch_ = now;
    w_est_ = cwnd;
    if (cwnd < w_max_) {
      k_ = std::cbrt((w_max_ - cwnd) / kC);
    } else {
      k_ = 0;
      w_max_ = cwnd;
    }
  }
  double t = absl::ToDoubleSeconds(now - epoch_);
  double rtt = absl::ToDoubleSeconds(srtt);
  // Target one RTT ahead (RFC 9438 4.2), limited to 1.5x per RTT.
  double target = kC * std::pow(t + rtt - k_, 3) + w_max_;
  target = std::clamp(target, cwnd, 1.5 * cwnd);
  // Reno-friendly region (4.3): alpha = 3 (1 - beta) / (1 + beta).
  double segs = static_cast<double>(acked) / mss_;
  w_est_ += 3 * (1 - kBeta) / (1 + kBeta) * segs / cwnd;
  if (w_est_ > target) target = w_est_;
  pending_ += (target - cwnd) / cwnd * segs * mss_;
  if (pending_ >= 1) {
    auto grow = static_cast<uint32_t>(pending_);
    cwnd_ += grow;
    pending_ -= grow;
  }
}

}  // namespace sb::netstack
