// netstack/tcp_input.cc: TcpEndpoint's receiving half: the RFC 9293 segment
// arrival rules per state, passive open, ACK processing (RTT samples,
// congestion control, NewReno/SACK loss recovery), window updates, in-order
// and out-of-order data, FIN handling and RST (with RFC 5961 challenge ACKs).
#include <algorithm>

#include "netstack/tcp_endpoint.h"

namespace sb::netstack {

void TcpEndpoint::RttSampleLocked(absl::Duration r) {
  const StackOptions& o = stack_->options();
  if (r < absl::ZeroDuration()) return;
  if (!rtt_valid_) {
    srtt_ = r;
    rttvar_ = r / 2;
    rtt_valid_ = true;
  } else {
    absl::Duration delta = srtt_ > r ? srtt_ - r : r - srtt_;
    rttvar_ = rttvar_ * 3 / 4 + delta / 4;
    srtt_ = srtt_ * 7 / 8 + r / 8;
  }
  rto_ = std::clamp(srtt_ + std::max(absl::Milliseconds(1), 4 * rttvar_), o.tcp_min_rto,
                    o.tcp_max_rto);
}

void TcpEndpoint::ProcessOptionsLocked(const TcpSegment& seg) {
  const StackOptions& o = stack_->options();
  smss_ = std::min<uint32_t>(seg.options.mss.value_or(536), rmss_);
  ws_ok_ = o.tcp_window_scaling && seg.options.window_scale.has_value();
  if (ws_ok_) {
    snd_wscale_ = *seg.options.window_scale;
  } else {
    snd_wscale_ = 0;
    rcv_wscale_ = 0;
  }
  sack_ok_ = o.tcp_sack && seg.options.sack_permitted;
  ts_ok_ = o.tcp_timestamps && seg.options.timestamp.has_value();
  if (ts_ok_) {
    ts_recent_ = seg.options.timestamp->first;
    smss_ -= 12;  // every segment carries the 12-byte timestamp option
  }
  cc_ = NewCongestionControl(congestion_, smss_);
  recover_ = iss_;
}

void TcpEndpoint::HandleListenLocked(const IpAddress& src, const IpAddress& dst,
                                     const TcpSegment& seg) {
  if (seg.flags & kTcpRst) return;
  if (seg.flags & kTcpAck) {
    stack_->SendTcpResetForLocked(src, dst, seg);
    return;
  }
  if (!(seg.flags & kTcpSyn)) return;
  // Backlog full: drop the SYN; the peer retransmits it (Linux does the same).
  if (accept_queue_.size() >= static_cast<size_t>(backlog_) ||
      syn_queue_len_ >= std::max(backlog_, 16)) {
    return;
  }
  auto route = stack_->FindRouteLocked(src);
  if (!route.ok()) return;
  auto child = std::make_shared<TcpEndpoint>(stack_, family_);
  child->stack_->mu_.AssertHeld();  // one Stack
  child->v6only_ = v6only_;
  child->nodelay_ = nodelay_;
  child->quickack_ = quickack_;
  child->keepalive_ = keepalive_;
  child->keep_idle_ = keep_idle_;
  child->keep_interval_ = keep_interval_;
  child->keep_count_ = keep_count_;
  child->snd_buf_limit_ = snd_buf_limit_;
  child->rcv_buf_limit_ = rcv_buf_limit_;
  child->ttl_ = ttl_;
  child->congestion_ = congestion_;
  child->local_ = FullAddress{dst, local_.port};
  child->remote_ = FullAddress{src, seg.src_port};
  child->parent_ = std::static_pointer_cast<TcpEndpoint>(shared_from_this());
  child->passive_ = true;
  if (!stack_->RegisterConnLocked(child->KeyLocked(), child)) return;
  child->registered_ = true;
  child->InitConnectionLocked(route->nic->link->mtu());
  child->iss_ = stack_->NewIsnLocked(child->KeyLocked());
  child->snd_una_ = child->snd_nxt_ = child->snd_max_ = child->iss_;
  child->irs_ = seg.seq;
  child->rcv_nxt_ = seg.seq + 1;
  child->ProcessOptionsLocked(seg);
  child->snd_wnd_ = seg.window;  // never scaled in a SYN
  child->snd_wl1_ = seg.seq;
  child->snd_wl2_ = child->iss_;
  child->state_ = TcpState::kSynReceived;
  child->rtt_timing_ = true;
  child->rtt_seq_ = child->iss_ + 1;
  child->rtt_start_ = stack_->clock().Now();
  ++syn_queue_len_;
  child->SendSynLocked();
}

void TcpEndpoint::ChildEstablishedLocked() {
  auto parent = parent_.lock();
  parent_.reset();
  passive_ = false;
  if (!parent) {
    SendResetLocked();
    TerminateLocked(Error::kOk);
    return;
  }
  parent->stack_->mu_.AssertHeld();
  --parent->syn_queue_len_;
  if (parent->state_ != TcpState::kListen) {
    SendResetLocked();
    TerminateLocked(Error::kOk);
    return;
  }
  parent->accept_queue_.push_back(std::static_pointer_cast<TcpEndpoint>(shared_from_this()));
  parent->NotifyLocked(kEventReadable);
}

void TcpEndpoint::HandleSynSentLocked(const TcpSegment& seg) {
  bool has_ack = seg.flags & kTcpAck;
  if (has_ack && (SeqLe(seg.ack, iss_) || SeqGt(seg.ack, snd_max_))) {
    if (!(seg.flags & kTcpRst)) stack_->SendTcpResetForLocked(remote_.addr, local_.addr, seg);
    return;
  }
  if (seg.flags & kTcpRst) {
    if (has_ack) TerminateLocked(Error::kConnectionRefused);
    return;
  }
  if (!(seg.flags & kTcpSyn)) return;
  irs_ = seg.seq;
  rcv_nxt_ = seg.seq + 1;
  ProcessOptionsLocked(seg);
  snd_wnd_ = seg.window;  // never scaled in a SYN
  snd_wl1_ = seg.seq;
  snd_wl2_ = seg.ack;
  if (!has_ack) {  // simultaneous open
    SetStateLocked(TcpState::kSynReceived);
    SendSynLocked();
    return;
  }
  snd_una_ = seg.ack;
  if (backoff_ == 0) RttSampleLocked(stack_->clock().Now() - (rto_at_ - rto_));
  backoff_ = 0;
  rto_at_ = absl::InfiniteFuture();
  SetStateLocked(TcpState::kEstablished);
  if (keepalive_) keepalive_at_ = stack_->clock().Now() + keep_idle_;
  SendAckLocked();
  OutputLocked();
}

void TcpEndpoint::UpdateSackScoreboardLocked(const std::vector<SackBlock>& blocks) {
  for (SackBlock b : blocks) {
    if (!SeqLt(b.start, b.end) || SeqLe(b.end, snd_una_) || SeqGt(b.end, snd_max_)) continue;
    if (SeqLt(b.start, snd_una_)) b.start = snd_una_;
    // Merge with overlapping or adjacent ranges.
    auto it = sacked_.upper_bound(b.start);
    if (it != sacked_.begin()) {
      auto prev = std::prev(it);
      if (SeqGe(prev->second, b.start)) {
        b.start = prev->first;
        if (SeqGt(prev->second, b.end)) b.end = prev->second;
        it = sacked_.erase(prev);
      }
    }
    while (it != sacked_.end() && SeqLe(it->first, b.end)) {
      if (SeqGt(it->second, b.end)) b.end = it->second;
      it = sacked_.erase(it);
    }
    sacked_[b.start] = b.end;
  }
}

bool TcpEndpoint::HandleAckLocked(const TcpSegment& seg) {
  absl::Time now = stack_->clock().Now();
  if (SeqGt(seg.ack, snd_max_)) {
    SendAckLocked();  // acknowledges something never sent
    return false;
  }
  if (SeqLt(seg.ack, snd_una_)) return true;  // old duplicate; data may still be new
  bool window_changed = false;
  if (SeqLt(snd_wl1_, seg.seq) || (snd_wl1_ == seg.seq && SeqLe(snd_wl2_, seg.ack))) {
    uint32_t wnd = static_cast<uint32_t>(seg.window) << snd_wscale_;
    window_changed = wnd != snd_wnd_;
    snd_wnd_ = wnd;
    snd_wl1_ = seg.seq;
    snd_wl2_ = seg.ack;
    if (snd_wnd_ > 0) persist_at_ = absl::InfiniteFuture();
  }
  if (sack_ok_ && !seg.options.sack.empty()) UpdateSackScoreboardLocked(seg.options.sack);
  uint32_t acked = seg.ack - snd_una_;
  if (acked > 0) {
    if (ts_ok_ && seg.options.timestamp && seg.options.timestamp->second != 0) {
      uint32_t ms = TimestampNowLocked() - seg.options.timestamp->second;
      if (ms < 60'000) RttSampleLocked(absl::Milliseconds(ms));
    } else if (rtt_timing_ && SeqGe(seg.ack, rtt_seq_)) {
      rtt_timing_ = false;
      RttSampleLocked(now - rtt_start_);
    }
    backoff_ = 0;
    const uint32_t data_end = snd_una_ + static_cast<uint32_t>(snd_buf_.size());
    uint32_t data_acked = std::min<uint32_t>(acked, static_cast<uint32_t>(snd_buf_.size()));
    snd_buf_.erase(snd_buf_.begin(), snd_buf_.begin() + data_acked);
    bool fin_acked = fin_queued_ && SeqGt(seg.ack, data_end);
    snd_una_ = seg.ack;
    if (SeqLt(snd_nxt_, snd_una_)) snd_nxt_ = snd_una_;
    while (!sacked_.empty() && SeqLe(sacked_.begin()->second, snd_una_)) {
      sacked_.erase(sacked_.begin());
    }
    if (!sacked_.empty() && SeqLt(sacked_.begin()->first, snd_una_)) {
      uint32_t end = sacked_.begin()->second;
      sacked_.erase(sacked_.begin());
      sacked_[snd_una_] = end;
    }
    if (in_recovery_) {
      if (SeqGe(seg.ack, recover_)) {
        in_recovery_ = false;
        cc_->OnExitRecovery();
      } else {
        // RFC 6582 partial ACK: resend the next hole, deflate the window.
        uint32_t hole = NextUnsackedLocked(snd_una_);
        RetransmitLocked(hole);
        rexmit_next_ = hole + smss_;
        uint32_t c = cc_->cwnd();
        cc_->set_cwnd((c > acked ? c - acked : 0) + smss_);
      }
    } else {
      cc_->OnAck(acked, now, rtt_valid_ ? srtt_ : absl::ZeroDuration());
    }
    dupacks_ = 0;
    if (snd_una_ == snd_max_) {
      rto_at_ = absl::InfiniteFuture();
    } else {
      ArmRtoLocked();
    }
    NotifyLocked(kEventWritable);
    if (fin_acked) {
      switch (state_) {
        case TcpState::kFinWait1:
          SetStateLocked(TcpState::kFinWait2);
          // An orphan does not wait forever for the peer's FIN (tcp_fin_timeout).
          if (user_closed_) time_wait_at_ = now + stack_->options().tcp_time_wait;
          break;
        case TcpState::kClosing:
          SetStateLocked(TcpState::kTimeWait);
          rto_at_ = persist_at_ = keepalive_at_ = absl::InfiniteFuture();
          time_wait_at_ = now + stack_->options().tcp_time_wait;
          break;
        case TcpState::kLastAck:
          TerminateLocked(Error::kOk);
          return false;
        default:
          break;
      }
    }
    return true;
  }
  // Duplicate ACK (RFC 5681 2): no data, no window change, data outstanding.
  bool dup = seg.payload.empty() && !(seg.flags & (kTcpFin | kTcpSyn)) && !window_changed &&
             snd_una_ != snd_max_;
  if (!dup) return true;
  ++dupacks_;
  // RFC 6675 IsLost(): with SACK, DupThresh segments above the hole also
  // count as three duplicates.
  uint32_t sacked_bytes = 0;
  for (const auto& [start, end] : sacked_) sacked_bytes += end - start;
  bool lost = dupacks_ >= 3 || (sack_ok_ && sacked_bytes >= 3 * smss_);
  if (!in_recovery_ && lost && SeqGt(seg.ack, recover_)) {
    cc_->OnEnterRecovery(snd_max_ - snd_una_);
    in_recovery_ = true;
    recover_ = snd_max_;
    uint32_t hole = NextUnsackedLocked(snd_una_);
    RetransmitLocked(hole);
    rexmit_next_ = hole + smss_;
    ArmRtoLocked();
  } else if (in_recovery_) {
    cc_->set_cwnd(cc_->cwnd() + smss_);  // each dup ACK: a segment left the network
    if (!sacked_.empty()) {
      uint32_t highest = std::prev(sacked_.end())->second;
      uint32_t hole = NextUnsackedLocked(SeqGt(rexmit_next_, snd_una_) ? rexmit_next_ : snd_una_);
      if (SeqLt(hole, highest)) {
        RetransmitLocked(hole);
        rexmit_next_ = hole + smss_;
      }
    }
  }
  return true;
}

void TcpEndpoint::HandleFinLocked() {
  ++rcv_nxt_;
  fin_received_ = true;
  NotifyLocked(kEventReadable | kEventReadHangup);
  absl::Time now = stack_->clock().Now();
  switch (state_) {
    case TcpState::kSynReceived:
    case TcpState::kEstablished:
      SetStateLocked(TcpState::kCloseWait);
      break;
    case TcpState::kFinWait1:
      SetStateLocked(TcpState::kClosing);
      break;
    case TcpState::kFinWait2:
      SetStateLocked(TcpState::kTimeWait);
      rto_at_ = persist_at_ = keepalive_at_ = absl::InfiniteFuture();
      time_wait_at_ = now + stack_->options().tcp_time_wait;
      break;
    default:
      break;
  }
}

void TcpEndpoint::HandleDataLocked(const TcpSegment& seg) {
  uint32_t seq = seg.seq;
  View data = seg.payload;
  bool fin = seg.flags & kTcpFin;
  if (SeqLt(seq, rcv_nxt_)) {  // trim what we already have
    uint32_t skip = rcv_nxt_ - seq;
    if (skip > data.size()) {
      data = {};
      fin = false;  // the FIN too is old
    } else {
      data = data.subspan(skip);
    }
    seq = rcv_nxt_;
  }
  uint32_t right = SeqGt(rcv_adv_, rcv_nxt_) ? rcv_adv_ : rcv_nxt_;
  if (SeqGt(seq + static_cast<uint32_t>(data.size()), right)) {  // trim to the window
    data = SeqGt(right, seq) ? data.first(right - seq) : View();
    fin = false;
  }
  if (data.empty() && !fin) {
    if (!seg.payload.empty()) SendAckLocked();  // a pure duplicate: re-ACK
    return;
  }
  if (seq != rcv_nxt_) {
    // Out of order: hold it and send a duplicate ACK with SACK blocks at once
    // so the sender can detect the loss (RFC 5681 4.2).
    auto [it, inserted] = ooo_.try_emplace(seq);
    if (inserted || it->second.data.size() < data.size()) {
      it->second.data.assign(data.begin(), data.end());
    }
    it->second.fin = it->second.fin || fin;
    last_ooo_seq_ = seq;
    SendAckLocked();
    return;
  }
  bool filled_gap = !ooo_.empty();
  rcv_buf_.insert(rcv_buf_.end(), data.begin(), data.end());
  rcv_nxt_ += static_cast<uint32_t>(data.size());
  while (!ooo_.empty() && SeqLe(ooo_.begin()->first, rcv_nxt_)) {
    auto node = ooo_.extract(ooo_.begin());
    uint32_t start = node.key();
    uint32_t end = start + static_cast<uint32_t>(node.mapped().data.size());
    if (SeqGt(end, rcv_nxt_)) {
      const Buffer& d = node.mapped().data;
      rcv_buf_.insert(rcv_buf_.end(), d.begin() + (rcv_nxt_ - start), d.end());
      rcv_nxt_ = end;
    }
    if (node.mapped().fin && end == rcv_nxt_) fin = true;
  }
  if (!rcv_buf_.empty()) NotifyLocked(kEventReadable);
  if (fin) HandleFinLocked();
  ScheduleAckLocked(/*immediate=*/filled_gap || fin || !ooo_.empty());
}

void TcpEndpoint::HandleIcmpErrorLocked(Error e) {
  // Linux (tcp_v4_err): hard error while connecting, ignored otherwise.
  if (state_ == TcpState::kSynSent) TerminateLocked(e);
}

void TcpEndpoint::HandleSegmentLocked(const TcpSegment& seg) {
  absl::Time now = stack_->clock().Now();
  if (state_ == TcpState::kClosed || state_ == TcpState::kListen) return;
  if (state_ == TcpState::kSynSent) {
    HandleSynSentLocked(seg);
    return;
  }
  last_recv_ = now;
  keep_probes_ = 0;
  if (keepalive_ && state_ == TcpState::kEstablished) keepalive_at_ = now + keep_idle_;

  // The peer retransmitted its SYN: our SYN-ACK was lost. (Before the
  // window check, which would reject the old sequence number.)
  if (state_ == TcpState::kSynReceived && (seg.flags & kTcpSyn) && !(seg.flags & kTcpRst) &&
      seg.seq + 1 == rcv_nxt_) {
    if (!(seg.flags & kTcpAck)) {
      SendSynLocked();
      return;
    }
    // Simultaneous open (RFC 9293 figure 7): the peer's SYN-ACK repeats its
    // SYN, and its ACK completes our handshake.
    TcpSegment ack = seg;
    ack.flags &= static_cast<uint8_t>(~kTcpSyn);
    ack.seq = seg.seq + 1;
    ack.payload = {};
    HandleSegmentLocked(ack);
    return;
  }

  // Sequence acceptability (RFC 9293 3.10.7.4).
  uint32_t len = seg.SeqLength();
  uint32_t wnd = SeqGt(rcv_adv_, rcv_nxt_) ? rcv_adv_ - rcv_nxt_ : 0;
  const uint32_t nxt = rcv_nxt_;
  auto in_window = [nxt, wnd](uint32_t s) { return SeqLe(nxt, s) && SeqLt(s, nxt + wnd); };
  bool acceptable = len == 0 ? (wnd == 0 ? seg.seq == rcv_nxt_ : in_window(seg.seq))
                             : (wnd != 0 && (in_window(seg.seq) || in_window(seg.seq + len - 1)));
  if (!acceptable) {
    if (!(seg.flags & kTcpRst)) {
      if (state_ == TcpState::kTimeWait && (seg.flags & kTcpFin)) {
        time_wait_at_ = now + stack_->options().tcp_time_wait;  // retransmitted FIN
      }
      SendAckLocked();
    }
    return;
  }
  // PAWS (RFC 7323 5.3): a timestamp older than the last one seen marks an
  // old duplicate from a previous incarnation of the sequence space.
  if (ts_ok_ && seg.options.timestamp && !(seg.flags & kTcpRst) &&
      SeqLt(seg.options.timestamp->first, ts_recent_)) {
    SendAckLocked();
    return;
  }
  if (ts_ok_ && seg.options.timestamp && SeqLe(seg.seq, rcv_nxt_)) {
    ts_recent_ = seg.options.timestamp->first;
  }
  if (seg.flags & kTcpRst) {
    if (seg.seq != rcv_nxt_) {
      SendAckLocked();  // RFC 5961 3.2 challenge ACK
      return;
    }
    bool quiet = state_ == TcpState::kTimeWait || state_ == TcpState::kClosing ||
                 state_ == TcpState::kLastAck || (state_ == TcpState::kSynReceived && passive_);
    TerminateLocked(quiet ? Error::kOk : Error::kConnectionReset);
    return;
  }
  if (seg.flags & kTcpSyn) {
    SendAckLocked();  // RFC 5961 4.2 challenge ACK
    return;
  }
  if (!(seg.flags & kTcpAck)) return;
  if (state_ == TcpState::kSynReceived) {
    if (!SeqLt(snd_una_, seg.ack) || SeqGt(seg.ack, snd_max_)) {
      stack_->SendTcpResetForLocked(remote_.addr, local_.addr, seg);
      return;
    }
    if (rtt_timing_ && backoff_ == 0) RttSampleLocked(now - rtt_start_);
    rtt_timing_ = false;
    backoff_ = 0;
    snd_una_ = iss_ + 1;
    snd_wnd_ = static_cast<uint32_t>(seg.window) << snd_wscale_;
    snd_wl1_ = seg.seq;
    snd_wl2_ = seg.ack;
    rto_at_ = absl::InfiniteFuture();
    SetStateLocked(TcpState::kEstablished);
    if (keepalive_) keepalive_at_ = now + keep_idle_;
    if (passive_) {
      ChildEstablishedLocked();
      if (state_ == TcpState::kClosed) return;
    }
  }
  if (!HandleAckLocked(seg)) return;
  if (!seg.payload.empty() || (seg.flags & kTcpFin)) {
    switch (state_) {
      case TcpState::kEstablished:
      case TcpState::kFinWait1:
      case TcpState::kFinWait2:
        HandleDataLocked(seg);
        break;
      default:
        break;  // after the peer's FIN: nothing more can arrive
    }
  }
  OutputLocked();
}

}  // namespace sb::netstack
