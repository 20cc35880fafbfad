// netstack/tcp_endpoint.cc: the user-facing half of TcpEndpoint: bind,
// listen, accept, connect, send, recv, shutdown, close, options, readiness
// and TCP_INFO. See tcp_endpoint.h.
#include "netstack/tcp_endpoint.h"

#include <algorithm>

namespace sb::netstack {

std::string_view TcpStateName(TcpState s) {
  switch (s) {
    case TcpState::kClosed:
      return "CLOSED";
    case TcpState::kListen:
      return "LISTEN";
    case TcpState::kSynSent:
      return "SYN-SENT";
    case TcpState::kSynReceived:
      return "SYN-RECEIVED";
    case TcpState::kEstablished:
      return "ESTABLISHED";
    case TcpState::kFinWait1:
      return "FIN-WAIT-1";
    case TcpState::kFinWait2:
      return "FIN-WAIT-2";
    case TcpState::kCloseWait:
      return "CLOSE-WAIT";
    case TcpState::kClosing:
      return "CLOSING";
    case TcpState::kLastAck:
      return "LAST-ACK";
    case TcpState::kTimeWait:
      return "TIME-WAIT";
  }
  return "?";
}

TcpEndpoint::TcpEndpoint(Stack* stack, Family family)
    : stack_(stack),
      family_(family),
      congestion_(stack->options().tcp_congestion),
      snd_buf_limit_(stack->options().tcp_send_buffer),
      rcv_buf_limit_(stack->options().tcp_receive_buffer),
      rto_(stack->options().tcp_initial_rto) {}

TcpEndpoint::~TcpEndpoint() = default;

ConnKey TcpEndpoint::KeyLocked() const {
  return ConnKey{local_.addr, local_.port, remote_.addr, remote_.port};
}

void TcpEndpoint::NotifyLocked(uint32_t events) {
  stack_->NotifyLocked(shared_from_this(), events);
}

void TcpEndpoint::SetStateLocked(TcpState s) {
  state_ = s;
  NotifyLocked(kEventReadable | kEventWritable | kEventError | kEventHangup | kEventReadHangup);
}

void TcpEndpoint::InitConnectionLocked(uint32_t mtu) {
  const StackOptions& o = stack_->options();
  mtu = std::min<uint32_t>(mtu, 65535);  // an IP datagram's largest size
  uint32_t headers = (remote_.addr.valid() ? remote_.addr.is_v6() : family_ == Family::kV6) ? 60 : 40;
  rmss_ = mtu > headers ? mtu - headers : 536;
  smss_ = std::min<uint32_t>(536, rmss_);
  rcv_wscale_ = 0;
  if (o.tcp_window_scaling) {
    while (rcv_wscale_ < 14 && (rcv_buf_limit_ >> rcv_wscale_) > 65535) ++rcv_wscale_;
  }
  absl::Time now = stack_->clock().Now();
  ts_base_ = now;
  last_recv_ = now;
  rto_ = o.tcp_initial_rto;
  cc_ = NewCongestionControl(congestion_, smss_);
}

void TcpEndpoint::TerminateLocked(Error err) {
  TcpState old = state_;
  if (err != Error::kOk) {
    error_ = err;
    hard_error_ = err;
  }
  if (old == TcpState::kSynReceived) {
    if (auto parent = parent_.lock()) {
      parent->stack_->mu_.AssertHeld();  // one Stack
      parent->syn_queue_len_--;
    }
  }
  rto_at_ = delack_at_ = persist_at_ = keepalive_at_ = time_wait_at_ = absl::InfiniteFuture();
  snd_buf_.clear();
  ooo_.clear();
  sacked_.clear();
  SetStateLocked(TcpState::kClosed);
  if (registered_) {
    registered_ = false;
    stack_->UnregisterConnLocked(KeyLocked(), this);  // may drop the Stack's reference
  }
  if (user_closed_ && bound_) {
    bound_ = false;
    stack_->ReleaseTcpPortLocked(this);
  }
}

Error TcpEndpoint::BindLocked(const FullAddress& addr) {
  if (bound_ || state_ != TcpState::kClosed) return Error::kAlreadyBound;
  if (!FamilyAccepts(family_, v6only_, addr.addr)) return Error::kBadAddress;
  if (!addr.addr.IsAny() && !stack_->IsLocalAddressLocked(addr.addr)) {
    return Error::kAddressNotAvailable;
  }
  auto port = stack_->ReserveTcpPortLocked(this, addr.addr, addr.port);
  if (!port.ok()) return port.error();
  local_ = FullAddress{addr.addr, *port};
  bound_ = true;
  return Error::kOk;
}

Error TcpEndpoint::Bind(const FullAddress& addr) {
  StackOp op(stack_);
  if (user_closed_) return Error::kInvalidEndpointState;
  return BindLocked(addr);
}

Error TcpEndpoint::Listen(int backlog) {
  StackOp op(stack_);
  if (user_closed_) return Error::kInvalidEndpointState;
  if (state_ == TcpState::kListen) {
    backlog_ = std::clamp(backlog, 1, 4096);
    return Error::kOk;
  }
  if (state_ != TcpState::kClosed || registered_) return Error::kInvalidEndpointState;
  if (!bound_) {
    Error e = BindLocked(FullAddress{IpAddress::Any(family_), 0});
    if (e != Error::kOk) return e;
  }
  // Two listeners on one address need SO_REUSEPORT on both.
  for (TcpEndpoint* other : stack_->tcp_ports_[local_.port]) {
    other->stack_->mu_.AssertHeld();  // one Stack
    if (other == this || other->state_ != TcpState::kListen) continue;
    bool overlap =
        other->local_.addr.IsAny() || local_.addr.IsAny() || other->local_.addr == local_.addr;
    if (overlap && !(reuse_port_ && other->reuse_port_)) return Error::kAddressInUse;
  }
  backlog_ = std::clamp(backlog, 1, 4096);
  SetStateLocked(TcpState::kListen);
  stack_->tcp_listeners_[this] = std::static_pointer_cast<TcpEndpoint>(shared_from_this());
  return Error::kOk;
}

Result<std::shared_ptr<Endpoint>> TcpEndpoint::Accept(FullAddress* peer) {
  StackOp op(stack_);
  if (state_ != TcpState::kListen) return Error::kInvalidEndpointState;
  if (accept_queue_.empty()) return Error::kWouldBlock;
  std::shared_ptr<TcpEndpoint> child = std::move(accept_queue_.front());
  accept_queue_.pop_front();
  child->stack_->mu_.AssertHeld();  // one Stack
  if (peer) *peer = child->remote_;
  return std::shared_ptr<Endpoint>(std::move(child));
}

Error TcpEndpoint::Connect(const FullAddress& addr) {
  StackOp op(stack_);
  switch (state_) {
    case TcpState::kClosed:
      break;
    case TcpState::kSynSent:
    case TcpState::kSynReceived:
      return Error::kAlreadyConnecting;
    case TcpState::kListen:
      return Error::kInvalidEndpointState;
    default:
      return Error::kAlreadyConnected;
  }
  if (user_closed_ || registered_) return Error::kInvalidEndpointState;
  if (!FamilyAccepts(family_, v6only_, addr.addr)) return Error::kBadAddress;
  if (addr.port == 0 || addr.addr.IsAny()) return Error::kConnectionRefused;
  auto route = stack_->FindRouteLocked(addr.addr);
  if (!route.ok()) return route.error();
  if (!bound_) {
    Error e = BindLocked(FullAddress{IpAddress::Any(family_), 0});
    if (e != Error::kOk) return e;
  }
  if (local_.addr.IsAny()) local_.addr = route->local;
  remote_ = addr;
  if (!stack_->RegisterConnLocked(KeyLocked(),
                                  std::static_pointer_cast<TcpEndpoint>(shared_from_this()))) {
    return Error::kAddressNotAvailable;
  }
  registered_ = true;
  error_ = hard_error_ = Error::kOk;
  InitConnectionLocked(route->nic->link->mtu());
  iss_ = stack_->NewIsnLocked(KeyLocked());
  snd_una_ = snd_nxt_ = snd_max_ = iss_;
  SetStateLocked(TcpState::kSynSent);
  SendSynLocked();
  return Error::kInProgress;
}

Result<size_t> TcpEndpoint::Send(View data, const SendOptions& opts) {
  StackOp op(stack_);
  if (hard_error_ != Error::kOk) {
    Error e = hard_error_;
    hard_error_ = Error::kClosedForSend;  // reported once; then EPIPE
    error_ = Error::kOk;
    return e;
  }
  switch (state_) {
    case TcpState::kSynSent:
    case TcpState::kSynReceived:
      return Error::kWouldBlock;
    case TcpState::kEstablished:
    case TcpState::kCloseWait:
      break;
    case TcpState::kClosed:
    case TcpState::kListen:
      return Error::kNotConnected;
    default:
      return Error::kClosedForSend;
  }
  if (shut_write_ || fin_queued_) return Error::kClosedForSend;
  size_t space = snd_buf_limit_ > snd_buf_.size() ? snd_buf_limit_ - snd_buf_.size() : 0;
  if (space == 0) return Error::kWouldBlock;
  size_t n = std::min(space, data.size());
  snd_buf_.insert(snd_buf_.end(), data.begin(), data.begin() + n);
  more_ = opts.more;
  OutputLocked();
  return n;
}

Result<size_t> TcpEndpoint::Recv(absl::Span<uint8_t> out, const RecvOptions& opts,
                                 FullAddress* from) {
  StackOp op(stack_);
  if (!rcv_buf_.empty()) {
    size_t n = std::min(out.size(), rcv_buf_.size());
    std::copy(rcv_buf_.begin(), rcv_buf_.begin() + n, out.begin());
    if (from) *from = remote_;
    if (!opts.peek) {
      uint32_t before = rcv_adv_ - rcv_nxt_;
      rcv_buf_.erase(rcv_buf_.begin(), rcv_buf_.begin() + n);
      // Window update once the window can grow by a useful amount
      // (receiver-side silly window avoidance, RFC 1122 4.2.3.3).
      bool synced = state_ == TcpState::kEstablished || state_ == TcpState::kFinWait1 ||
                    state_ == TcpState::kFinWait2;
      if (synced && !fin_received_ &&
          std::min(ReceiveWindowLocked(), 65535u << rcv_wscale_) >=
              before + std::min(rcv_buf_limit_ / 2, 2 * rmss_)) {
        SendAckLocked();
      }
    }
    return n;
  }
  if (fin_received_ || shut_read_) return size_t{0};
  if (hard_error_ != Error::kOk && hard_error_ != Error::kClosedForSend) {
    Error e = hard_error_;
    hard_error_ = Error::kClosedForSend;
    error_ = Error::kOk;
    return e;
  }
  if (state_ == TcpState::kClosed || state_ == TcpState::kListen) {
    return hard_error_ == Error::kOk ? Error::kNotConnected : Result<size_t>(size_t{0});
  }
  return Error::kWouldBlock;
}

Error TcpEndpoint::Shutdown(ShutdownHow how) {
  StackOp op(stack_);
  switch (state_) {
    case TcpState::kClosed:
    case TcpState::kSynSent:
    case TcpState::kListen:
      return Error::kNotConnected;
    default:
      break;
  }
  if (how != ShutdownHow::kWrite) {
    shut_read_ = true;
    NotifyLocked(kEventReadable | kEventReadHangup);
  }
  if (how != ShutdownHow::kRead && !fin_queued_) {
    shut_write_ = true;
    fin_queued_ = true;
    if (state_ == TcpState::kEstablished || state_ == TcpState::kSynReceived) {
      SetStateLocked(TcpState::kFinWait1);
    } else if (state_ == TcpState::kCloseWait) {
      SetStateLocked(TcpState::kLastAck);
    }
    OutputLocked();
  }
  return Error::kOk;
}

void TcpEndpoint::Close() {
  StackOp op(stack_);
  if (user_closed_) return;
  user_closed_ = true;
  switch (state_) {
    case TcpState::kClosed:
      if (bound_) {
        bound_ = false;
        stack_->ReleaseTcpPortLocked(this);
      }
      return;
    case TcpState::kListen: {
      // Connections nobody accepted are reset.
      auto queue = std::move(accept_queue_);
      accept_queue_.clear();
      for (auto& child : queue) {
        child->stack_->mu_.AssertHeld();  // one Stack
        child->SendResetLocked();
        child->user_closed_ = true;
        child->TerminateLocked(Error::kOk);
      }
      auto self = stack_->tcp_listeners_[this];  // keep alive until we return
      stack_->tcp_listeners_.erase(this);
      SetStateLocked(TcpState::kClosed);
      if (bound_) {
        bound_ = false;
        stack_->ReleaseTcpPortLocked(this);
      }
      return;
    }
    case TcpState::kSynSent:
      TerminateLocked(Error::kOk);
      return;
    case TcpState::kSynReceived:
    case TcpState::kEstablished:
    case TcpState::kCloseWait:
      if (!rcv_buf_.empty()) {
        // Unread data is lost: tell the peer with a RST (RFC 2525 2.17).
        SendResetLocked();
        TerminateLocked(Error::kOk);
        return;
      }
      shut_write_ = shut_read_ = true;
      fin_queued_ = true;
      SetStateLocked(state_ == TcpState::kCloseWait ? TcpState::kLastAck : TcpState::kFinWait1);
      OutputLocked();
      return;
    default:
      return;  // already closing
  }
}

Result<FullAddress> TcpEndpoint::GetLocalAddress() {
  StackOp op(stack_);
  if (!bound_ && !registered_) return FullAddress{IpAddress::Any(family_), 0};
  return local_;
}

Result<FullAddress> TcpEndpoint::GetRemoteAddress() {
  StackOp op(stack_);
  switch (state_) {
    case TcpState::kClosed:
    case TcpState::kListen:
    case TcpState::kSynSent:
      return Error::kNotConnected;
    default:
      return remote_;
  }
}

Error TcpEndpoint::SetOption(SocketOption opt, int value) {
  StackOp op(stack_);
  switch (opt) {
    case SocketOption::kReuseAddress:
      reuse_addr_ = value != 0;
      return Error::kOk;
    case SocketOption::kReusePort:
      reuse_port_ = value != 0;
      return Error::kOk;
    case SocketOption::kNoDelay:
      nodelay_ = value != 0;
      OutputLocked();
      return Error::kOk;
    case SocketOption::kCork:
      cork_ = value != 0;
      if (!cork_) {
        push_ = true;  // uncorking sends what is queued, Nagle or not (Linux)
        OutputLocked();
        push_ = false;
      }
      return Error::kOk;
    case SocketOption::kQuickAck:
      quickack_ = value != 0;
      if (quickack_ && delack_at_ != absl::InfiniteFuture()) SendAckLocked();
      return Error::kOk;
    case SocketOption::kKeepAlive:
      keepalive_ = value != 0;
      keep_probes_ = 0;
      keepalive_at_ = keepalive_ && state_ == TcpState::kEstablished
                          ? stack_->clock().Now() + keep_idle_
                          : absl::InfiniteFuture();
      return Error::kOk;
    case SocketOption::kKeepIdle:
      if (value < 1) return Error::kInvalidArgument;
      keep_idle_ = absl::Seconds(value);
      return Error::kOk;
    case SocketOption::kKeepInterval:
      if (value < 1) return Error::kInvalidArgument;
      keep_interval_ = absl::Seconds(value);
      return Error::kOk;
    case SocketOption::kKeepCount:
      if (value < 1) return Error::kInvalidArgument;
      keep_count_ = value;
      return Error::kOk;
    case SocketOption::kSendBufferSize:
      snd_buf_limit_ = static_cast<uint32_t>(std::clamp(value, 4096, 16 << 20));
      return Error::kOk;
    case SocketOption::kReceiveBufferSize:
      // Takes full effect before connect (the window scale is fixed by the SYN).
      rcv_buf_limit_ = static_cast<uint32_t>(std::clamp(value, 2048, 16 << 20));
      return Error::kOk;
    case SocketOption::kTtl:
      if (value < 1 || value > 255) return Error::kInvalidArgument;
      ttl_ = static_cast<uint8_t>(value);
      return Error::kOk;
    case SocketOption::kV6Only:
      if (family_ != Family::kV6) return Error::kUnknownOption;
      if (bound_ || state_ != TcpState::kClosed) return Error::kInvalidArgument;
      v6only_ = value != 0;
      return Error::kOk;
    case SocketOption::kCongestion:
      if (value != static_cast<int>(CongestionAlgorithm::kReno) &&
          value != static_cast<int>(CongestionAlgorithm::kCubic)) {
        return Error::kInvalidArgument;
      }
      congestion_ = static_cast<CongestionAlgorithm>(value);
      if (cc_ && state_ == TcpState::kEstablished) {
        // Switch in place, keeping the current window (Linux does the same).
        uint32_t cwnd = cc_->cwnd();
        cc_ = NewCongestionControl(congestion_, smss_);
        cc_->set_cwnd(cwnd);
      }
      return Error::kOk;
    default:
      return Error::kUnknownOption;
  }
}

Result<int> TcpEndpoint::GetOption(SocketOption opt) {
  StackOp op(stack_);
  switch (opt) {
    case SocketOption::kReuseAddress:
      return reuse_addr_ ? 1 : 0;
    case SocketOption::kReusePort:
      return reuse_port_ ? 1 : 0;
    case SocketOption::kNoDelay:
      return nodelay_ ? 1 : 0;
    case SocketOption::kCork:
      return cork_ ? 1 : 0;
    case SocketOption::kQuickAck:
      return quickack_ ? 1 : 0;
    case SocketOption::kKeepAlive:
      return keepalive_ ? 1 : 0;
    case SocketOption::kKeepIdle:
      return static_cast<int>(absl::ToInt64Seconds(keep_idle_));
    case SocketOption::kKeepInterval:
      return static_cast<int>(absl::ToInt64Seconds(keep_interval_));
    case SocketOption::kKeepCount:
      return keep_count_;
    case SocketOption::kSendBufferSize:
      return static_cast<int>(snd_buf_limit_);
    case SocketOption::kReceiveBufferSize:
      return static_cast<int>(rcv_buf_limit_);
    case SocketOption::kTtl:
      return static_cast<int>(ttl_);
    case SocketOption::kMaxSegment:
      return static_cast<int>(smss_);
    case SocketOption::kCongestion:
      return static_cast<int>(congestion_);
    case SocketOption::kV6Only:
      if (family_ != Family::kV6) return Error::kUnknownOption;
      return v6only_ ? 1 : 0;
    case SocketOption::kError: {
      Error e = error_;
      error_ = Error::kOk;
      return static_cast<int>(e);
    }
  }
  return Error::kUnknownOption;
}

uint32_t TcpEndpoint::ReadinessLocked() const {
  uint32_t ev = 0;
  if (state_ == TcpState::kListen) return accept_queue_.empty() ? 0 : kEventReadable;
  if (!rcv_buf_.empty() || fin_received_ || shut_read_) ev |= kEventReadable;
  if (fin_received_ || shut_read_) ev |= kEventReadHangup;
  bool can_send = state_ == TcpState::kEstablished || state_ == TcpState::kCloseWait;
  if (can_send && !fin_queued_ && snd_buf_.size() < snd_buf_limit_) ev |= kEventWritable;
  if (error_ != Error::kOk) ev |= kEventError;
  if (state_ == TcpState::kClosed) {
    ev |= kEventHangup | kEventWritable;
    if (hard_error_ != Error::kOk) ev |= kEventReadable;
  }
  if (shut_write_ && (fin_received_ || shut_read_)) ev |= kEventHangup;
  return ev;
}

uint32_t TcpEndpoint::Readiness() {
  StackOp op(stack_);
  return ReadinessLocked();
}

Result<EndpointSnapshot> TcpEndpoint::Snapshot() {
  StackOp op(stack_);
  if (state_ != TcpState::kClosed && state_ != TcpState::kListen) return Error::kNotSupported;
  if (user_closed_) return Error::kInvalidEndpointState;
  EndpointSnapshot s;
  s.transport = Transport::kTcp;
  s.family = family_;
  s.bound = bound_;
  s.local = local_;
  s.listening = state_ == TcpState::kListen;
  s.backlog = backlog_;
  s.options = {
      {SocketOption::kReuseAddress, reuse_addr_},
      {SocketOption::kReusePort, reuse_port_},
      {SocketOption::kNoDelay, nodelay_},
      {SocketOption::kCork, cork_},
      {SocketOption::kQuickAck, quickack_},
      {SocketOption::kKeepIdle, static_cast<int>(absl::ToInt64Seconds(keep_idle_))},
      {SocketOption::kKeepInterval, static_cast<int>(absl::ToInt64Seconds(keep_interval_))},
      {SocketOption::kKeepCount, keep_count_},
      {SocketOption::kKeepAlive, keepalive_},
      {SocketOption::kSendBufferSize, static_cast<int>(snd_buf_limit_)},
      {SocketOption::kReceiveBufferSize, static_cast<int>(rcv_buf_limit_)},
      {SocketOption::kTtl, ttl_},
      {SocketOption::kCongestion, static_cast<int>(congestion_)},
  };
  return s;
}

TcpState TcpEndpoint::state() {
  StackOp op(stack_);
  return state_;
}

TcpInfo TcpEndpoint::GetTcpInfo() {
  StackOp op(stack_);
  TcpInfo i;
  i.state = state_;
  i.rto_us = static_cast<uint32_t>(absl::ToInt64Microseconds(rto_));
  i.rtt_us = rtt_valid_ ? static_cast<uint32_t>(absl::ToInt64Microseconds(srtt_)) : 0;
  i.rttvar_us = rtt_valid_ ? static_cast<uint32_t>(absl::ToInt64Microseconds(rttvar_)) : 0;
  i.snd_mss = smss_;
  i.rcv_mss = rmss_;
  if (cc_) {
    i.snd_cwnd = cc_->cwnd() / std::max<uint32_t>(smss_, 1);
    i.snd_ssthresh = cc_->ssthresh();
  }
  i.unacked = (FlightLocked() + smss_ - 1) / std::max<uint32_t>(smss_, 1);
  for (auto& [s, e] : sacked_) i.sacked += e - s;
  i.retransmits = static_cast<uint32_t>(backoff_);
  i.total_retrans = total_retrans_;
  i.snd_wscale = snd_wscale_;
  i.rcv_wscale = rcv_wscale_;
  i.timestamps = ts_ok_;
  i.sack = sack_ok_;
  i.snd_wnd = snd_wnd_;
  i.rcv_wnd = rcv_adv_ - rcv_nxt_;
  return i;
}

}  // namespace sb::netstack
