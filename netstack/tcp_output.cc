// netstack/tcp_output.cc: TcpEndpoint's sending half: segment building,
// the output loop (window, congestion window, Nagle, cork), retransmission
// (RFC 6298 timer, go-back-N after a timeout, single-segment fast
// retransmit), and the timers: delayed ACK, zero-window persist, keepalive,
// TIME_WAIT / orphaned FIN-WAIT-2.
#include <algorithm>

#include "netstack/ipv4.h"
#include "netstack/tcp_endpoint.h"

namespace sb::netstack {

uint32_t TcpEndpoint::TimestampNowLocked() const {
  // A 1 ms timestamp clock (RFC 7323 allows 1 ms to 1 s per tick).
  return static_cast<uint32_t>(absl::ToInt64Milliseconds(stack_->clock().Now() - ts_base_)) + 1;
}

uint32_t TcpEndpoint::ReceiveWindowLocked() const {
  size_t used = rcv_buf_.size();
  return used >= rcv_buf_limit_ ? 0 : static_cast<uint32_t>(rcv_buf_limit_ - used);
}

uint16_t TcpEndpoint::AdvertisedWindowLocked(bool syn) {
  uint32_t wnd = ReceiveWindowLocked();
  // Receiver silly-window avoidance: do not offer slivers (RFC 1122 4.2.3.3).
  if (wnd < std::min(rcv_buf_limit_ / 2, rmss_)) wnd = 0;
  uint32_t cur = SeqGt(rcv_adv_, rcv_nxt_) ? rcv_adv_ - rcv_nxt_ : 0;
  wnd = std::max(wnd, cur);  // never shrink an offered window
  if (syn) {
    wnd = std::min<uint32_t>(wnd, 65535);
    rcv_adv_ = rcv_nxt_ + wnd;
    return static_cast<uint16_t>(wnd);
  }
  wnd = std::min<uint32_t>(wnd, 65535u << rcv_wscale_);
  uint32_t scaled = (wnd + (1u << rcv_wscale_) - 1) >> rcv_wscale_;  // round up: no shrink
  scaled = std::min<uint32_t>(scaled, 65535);
  uint32_t edge = rcv_nxt_ + (scaled << rcv_wscale_);
  if (SeqGt(edge, rcv_adv_)) rcv_adv_ = edge;
  return static_cast<uint16_t>(scaled);
}

std::vector<SackBlock> TcpEndpoint::SackBlocksLocked() const {
  std::vector<SackBlock> blocks;
  for (const auto& [seq, seg] : ooo_) {
    uint32_t end = seq + static_cast<uint32_t>(seg.data.size()) + (seg.fin ? 1 : 0);
    if (!blocks.empty() && SeqLe(seq, blocks.back().end)) {
      if (SeqGt(end, blocks.back().end)) blocks.back().end = end;
    } else {
      blocks.push_back({seq, end});
    }
  }
  // RFC 2018: the block holding the most recently received segment first.
  for (size_t i = 0; i < blocks.size(); ++i) {
    if (SeqLe(blocks[i].start, last_ooo_seq_) && SeqLt(last_ooo_seq_, blocks[i].end)) {
      std::rotate(blocks.begin(), blocks.begin() + i, blocks.begin() + i + 1);
      break;
    }
  }
  if (blocks.size() > 4) blocks.resize(4);
  return blocks;
}

void TcpEndpoint::SendSegmentLocked(uint32_t seq, uint8_t flags, View payload) {
  const StackOptions& o = stack_->options();
  TcpSegment s;
  s.src_port = local_.port;
  s.dst_port = remote_.port;
  s.seq = seq;
  s.flags = flags;
  bool syn = flags & kTcpSyn;
  if (flags & kTcpAck) s.ack = rcv_nxt_;
  s.window = (flags & kTcpRst) ? 0 : AdvertisedWindowLocked(syn);
  if (syn) {
    bool active = state_ == TcpState::kSynSent;
    s.options.mss = static_cast<uint16_t>(std::min<uint32_t>(rmss_, 65535));
    if (active ? o.tcp_window_scaling : ws_ok_) s.options.window_scale = rcv_wscale_;
    s.options.sack_permitted = active ? o.tcp_sack : sack_ok_;
    if (active ? o.tcp_timestamps : ts_ok_) {
      s.options.timestamp = {{TimestampNowLocked(), active ? 0 : ts_recent_}};
    }
  } else if (ts_ok_ && !(flags & kTcpRst)) {
    s.options.timestamp = {{TimestampNowLocked(), ts_recent_}};
  }
  if (!syn && sack_ok_ && (flags & kTcpAck) && !(flags & kTcpRst) && !ooo_.empty()) {
    s.options.sack = SackBlocksLocked();
  }
  s.payload = payload;
  Buffer wire = EncodeTcp(s, local_.addr, remote_.addr);
  ++stack_->stats_.tcp_out;
  if (flags & kTcpRst) ++stack_->stats_.tcp_resets_out;
  (void)stack_->SendIpLocked(local_.addr, remote_.addr, kProtoTcp, wire, ttl_);
  if (flags & kTcpAck) {
    delack_at_ = absl::InfiniteFuture();
    unacked_segs_ = 0;
  }
}

void TcpEndpoint::SendAckLocked() { SendSegmentLocked(snd_nxt_, kTcpAck, {}); }

void TcpEndpoint::SendSynLocked() {
  uint8_t flags = state_ == TcpState::kSynReceived ? (kTcpSyn | kTcpAck) : kTcpSyn;
  SendSegmentLocked(iss_, flags, {});
  snd_nxt_ = iss_ + 1;
  if (SeqGt(snd_nxt_, snd_max_)) snd_max_ = snd_nxt_;
  ArmRtoLocked();
}

void TcpEndpoint::SendResetLocked() {
  switch (state_) {
    case TcpState::kSynReceived:
    case TcpState::kEstablished:
    case TcpState::kFinWait1:
    case TcpState::kFinWait2:
    case TcpState::kCloseWait:
    case TcpState::kClosing:
    case TcpState::kLastAck:
      SendSegmentLocked(snd_nxt_, kTcpRst | kTcpAck, {});
      break;
    default:
      break;
  }
}

void TcpEndpoint::ScheduleAckLocked(bool immediate) {
  if (immediate || quickack_ || !stack_->options().tcp_delayed_ack) {
    SendAckLocked();
    return;
  }
  // RFC 1122 / 5681: ACK at least every second full segment, else within
  // the delayed-ACK timeout.
  if (++unacked_segs_ >= 2) {
    SendAckLocked();
    return;
  }
  if (delack_at_ == absl::InfiniteFuture()) {
    delack_at_ = stack_->clock().Now() + stack_->options().tcp_delayed_ack_timeout;
  }
}

void TcpEndpoint::ArmRtoLocked() { rto_at_ = stack_->clock().Now() + rto_; }

void TcpEndpoint::OutputLocked() {
  switch (state_) {
    case TcpState::kEstablished:
    case TcpState::kCloseWait:
    case TcpState::kFinWait1:
    case TcpState::kClosing:
    case TcpState::kLastAck:
      break;
    default:
      return;
  }
  const uint32_t data_end = snd_una_ + static_cast<uint32_t>(snd_buf_.size());
  for (;;) {
    uint32_t wnd = std::min(snd_wnd_, cc_->cwnd());
    uint32_t flight = FlightLocked();
    if (SeqLt(snd_nxt_, data_end)) {
      uint32_t unsent = data_end - snd_nxt_;
      uint32_t avail = wnd > flight ? wnd - flight : 0;
      uint32_t len = std::min({smss_, unsent, avail});
      if (len == 0) break;
      if (len < smss_) {
        // Sender silly-window avoidance: a window-limited runt waits for
        // more window unless nothing is in flight.
        if (len < unsent && flight > 0) break;
        // Cork and MSG_MORE hold partial segments; Nagle holds them while
        // data is unacknowledged (RFC 896).
        if (len == unsent && (cork_ || more_)) break;
        if (len == unsent && !nodelay_ && !push_ && flight > 0) break;
      }
      bool last = len == unsent;
      uint8_t flags = kTcpAck;
      if (last) flags |= kTcpPsh;
      if (last && fin_queued_) flags |= kTcpFin;
      Buffer payload(snd_buf_.begin() + (snd_nxt_ - snd_una_),
                     snd_buf_.begin() + (snd_nxt_ - snd_una_) + len);
      SendSegmentLocked(snd_nxt_, flags, payload);
      if (!rtt_timing_ && !ts_ok_ && !SeqLt(snd_nxt_, snd_max_)) {
        rtt_timing_ = true;  // time one new segment per RTT (Karn's rule)
        rtt_seq_ = snd_nxt_ + len;
        rtt_start_ = stack_->clock().Now();
      }
      snd_nxt_ += len + ((flags & kTcpFin) ? 1 : 0);
      if (SeqGt(snd_nxt_, snd_max_)) snd_max_ = snd_nxt_;
      if (rto_at_ == absl::InfiniteFuture()) ArmRtoLocked();
      continue;
    }
    if (fin_queued_ && snd_nxt_ == data_end) {
      SendSegmentLocked(snd_nxt_, kTcpAck | kTcpFin, {});
      ++snd_nxt_;
      if (SeqGt(snd_nxt_, snd_max_)) snd_max_ = snd_nxt_;
      if (rto_at_ == absl::InfiniteFuture()) ArmRtoLocked();
    }
    break;
  }
  // Zero window with data waiting and nothing in flight: probe (RFC 9293 3.8.6.1).
  if (snd_wnd_ == 0 && SeqLt(snd_nxt_, data_end) && FlightLocked() == 0 &&
      persist_at_ == absl::InfiniteFuture()) {
    persist_at_ = stack_->clock().Now() + rto_;
  }
}

uint32_t TcpEndpoint::NextUnsackedLocked(uint32_t from) const {
  for (const auto& [start, end] : sacked_) {
    if (SeqLe(start, from) && SeqLt(from, end)) from = end;
  }
  return from;
}

void TcpEndpoint::RetransmitLocked(uint32_t seq) {
  const uint32_t data_end = snd_una_ + static_cast<uint32_t>(snd_buf_.size());
  if (SeqLt(seq, data_end)) {
    uint32_t len = std::min(smss_, data_end - seq);
    // Do not resend into a range the peer already holds.
    for (const auto& [start, end] : sacked_) {
      if (SeqGt(start, seq) && SeqLt(start, seq + len)) len = start - seq;
    }
    uint8_t flags = kTcpAck;
    if (seq + len == data_end) {
      flags |= kTcpPsh;
      if (fin_queued_ && SeqGt(snd_max_, data_end)) flags |= kTcpFin;
    }
    Buffer payload(snd_buf_.begin() + (seq - snd_una_), snd_buf_.begin() + (seq - snd_una_) + len);
    SendSegmentLocked(seq, flags, payload);
  } else if (fin_queued_ && seq == data_end && SeqGt(snd_max_, data_end)) {
    SendSegmentLocked(seq, kTcpAck | kTcpFin, {});
  } else {
    return;
  }
  ++total_retrans_;
  ++stack_->stats_.tcp_retransmits;
  if (rtt_timing_ && SeqLt(seq, rtt_seq_)) rtt_timing_ = false;  // Karn
}

void TcpEndpoint::OnRtoLocked(absl::Time now) {
  rto_at_ = absl::InfiniteFuture();
  const StackOptions& o = stack_->options();
  if (state_ == TcpState::kSynSent || state_ == TcpState::kSynReceived) {
    if (backoff_ >= o.tcp_syn_retries) {
      TerminateLocked(Error::kTimedOut);
      return;
    }
    ++backoff_;
    rto_ = std::min(rto_ * 2, o.tcp_max_rto);
    ++total_retrans_;
    ++stack_->stats_.tcp_retransmits;
    SendSynLocked();
    return;
  }
  if (snd_una_ == snd_max_) return;  // nothing outstanding
  if (backoff_ >= o.tcp_max_retries) {
    TerminateLocked(Error::kTimedOut);
    return;
  }
  // RFC 6298 5.5-5.7 and RFC 5681 3.1 (loss window).
  cc_->OnTimeout(snd_max_ - snd_una_);
  ++backoff_;
  rto_ = std::min(rto_ * 2, o.tcp_max_rto);
  in_recovery_ = false;
  dupacks_ = 0;
  recover_ = snd_max_;
  sacked_.clear();  // the receiver may renege (RFC 2018 8)
  rtt_timing_ = false;
  RetransmitLocked(snd_una_);
  // Go back N: later segments are resent as the window reopens.
  const uint32_t data_end = snd_una_ + static_cast<uint32_t>(snd_buf_.size());
  uint32_t resent_end = std::min(snd_una_ + smss_, data_end);
  // The FIN went out again if it rides on (or is) the resent segment.
  if (resent_end == data_end && SeqGt(snd_max_, data_end)) resent_end = snd_max_;
  snd_nxt_ = resent_end;
  ArmRtoLocked();
}

void TcpEndpoint::OnTimersLocked(absl::Time now) {
  if (now >= time_wait_at_) {
    TerminateLocked(Error::kOk);  // 2MSL over, or orphaned FIN-WAIT-2 gave up
    return;
  }
  if (now >= rto_at_) {
    OnRtoLocked(now);
    if (state_ == TcpState::kClosed) return;
  }
  if (now >= delack_at_) SendAckLocked();
  if (now >= persist_at_) {
    persist_at_ = absl::InfiniteFuture();
    const uint32_t data_end = snd_una_ + static_cast<uint32_t>(snd_buf_.size());
    if (snd_wnd_ == 0 && SeqLt(snd_nxt_, data_end)) {
      // A window probe: an old sequence number forces the peer to ACK with
      // its current window.
      SendSegmentLocked(snd_una_ - 1, kTcpAck, {});
      persist_at_ =
          now + std::min(rto_ * (1 << std::min(backoff_, 6)), stack_->options().tcp_max_rto);
    }
  }
  if (now >= keepalive_at_) {
    keepalive_at_ = absl::InfiniteFuture();
    if (keepalive_ && state_ == TcpState::kEstablished) {
      if (keep_probes_ >= keep_count_) {
        TerminateLocked(Error::kTimedOut);
        return;
      }
      ++keep_probes_;
      SendSegmentLocked(snd_una_ - 1, kTcpAck, {});
      keepalive_at_ = now + keep_interval_;
    }
  }
}

absl::Time TcpEndpoint::NextDeadlineLocked() const {
  return std::min({rto_at_, delack_at_, persist_at_, keepalive_at_, time_wait_at_});
}

}  // namespace sb::netstack
