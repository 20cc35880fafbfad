// netstack/stack_transport.cc: the Stack's transport demultiplexing: TCP
// connection and listener lookup, UDP delivery (with SO_REUSEADDR /
// SO_REUSEPORT sharing), RSTs for segments nobody owns, ICMP errors routed
// to their endpoint, port reservation and initial sequence numbers.
#include <algorithm>

#include "netstack/checksum.h"
#include "netstack/stack.h"
#include "netstack/tcp_endpoint.h"
#include "netstack/udp.h"

namespace sb::netstack {
namespace {

constexpr uint16_t kEphemeralFirst = 32768;
constexpr uint16_t kEphemeralLast = 60999;

bool Overlap(const IpAddress& a, const IpAddress& b) { return a.IsAny() || b.IsAny() || a == b; }

// Whether two binds on one port collide, as Linux's inet_bind_conflict and
// ipv6_rcv_saddr_equal: an IPv6 wildcard covers IPv4 unless IPV6_V6ONLY;
// a specific IPv6 address never collides with IPv4 (v4-mapped binds arrive
// here as IPv4 addresses).
bool BindOverlap(const IpAddress& a, bool a_v6only, const IpAddress& b, bool b_v6only) {
  if (a.family() == b.family()) return Overlap(a, b);
  const IpAddress& v6 = a.is_v6() ? a : b;
  bool v6only = a.is_v6() ? a_v6only : b_v6only;
  return !v6only && v6.IsAny();
}

uint32_t HashFlow(const IpAddress& a, uint16_t port) {
  uint32_t h = 2166136261u;
  for (uint8_t b : a.bytes()) h = (h ^ b) * 16777619u;
  h = (h ^ (port >> 8)) * 16777619u;
  return (h ^ (port & 0xff)) * 16777619u;
}

}  // namespace

void Stack::HandleTcpLocked(const IpAddress& src, const IpAddress& dst, View data) {
  auto seg = ParseTcp(data, src, dst);
  if (!seg) {
    ++stats_.tcp_bad_checksum;
    return;
  }
  ++stats_.tcp_in;
  auto it = tcp_conns_.find(ConnKey{dst, seg->dst_port, src, seg->src_port});
  if (it != tcp_conns_.end()) {
    std::shared_ptr<TcpEndpoint> ep = it->second;  // keeps it alive while it runs
    ep->stack_->mu_.AssertHeld();
    // RFC 1122 4.2.2.13: a new SYN above the old connection's sequence space
    // ends TIME-WAIT and goes to the listener.
    bool reopen = ep->state_ == TcpState::kTimeWait && (seg->flags & kTcpSyn) &&
                  !(seg->flags & (kTcpAck | kTcpRst)) && SeqGt(seg->seq, ep->rcv_nxt_);
    if (!reopen) {
      ep->HandleSegmentLocked(*seg);
      return;
    }
    ep->TerminateLocked(Error::kOk);
  }
  // A listener: exact address beats the wildcard; SO_REUSEPORT groups
  // spread connections by a hash of the peer.
  std::vector<TcpEndpoint*> best;
  int best_score = -1;
  if (auto p = tcp_ports_.find(seg->dst_port); p != tcp_ports_.end()) {
    for (TcpEndpoint* ep : p->second) {
      ep->stack_->mu_.AssertHeld();
      if (ep->state_ != TcpState::kListen) continue;
      if (ep->family_ == Family::kV4 && !dst.is_v4()) continue;  // IPv4 sockets never see IPv6
      if (ep->v6only_ && dst.is_v4()) continue;
      int score = ep->local_.addr == dst ? 1 : ep->local_.addr.IsAny() ? 0 : -1;
      if (score < 0 || score < best_score) continue;
      if (score > best_score) best.clear();
      best_score = score;
      best.push_back(ep);
    }
  }
  if (!best.empty()) {
    TcpEndpoint* l = best[HashFlow(src, seg->src_port) % best.size()];
    std::shared_ptr<TcpEndpoint> keep = tcp_listeners_[l];
    l->stack_->mu_.AssertHeld();
    l->HandleListenLocked(src, dst, *seg);
    return;
  }
  if (!(seg->flags & kTcpRst)) SendTcpResetForLocked(src, dst, *seg);
}

void Stack::SendTcpResetForLocked(const IpAddress& src, const IpAddress& dst,
                                  const TcpSegment& seg) {
  if (seg.flags & kTcpRst) return;
  TcpSegment r;
  r.src_port = seg.dst_port;
  r.dst_port = seg.src_port;
  if (seg.flags & kTcpAck) {
    r.seq = seg.ack;
    r.flags = kTcpRst;
  } else {
    r.seq = 0;
    r.ack = seg.seq + seg.SeqLength();
    r.flags = kTcpRst | kTcpAck;
  }
  ++stats_.tcp_out;
  ++stats_.tcp_resets_out;
  (void)SendIpLocked(dst, src, kProtoTcp, EncodeTcp(r, dst, src));
}

bool Stack::HandleUdpLocked(const IpAddress& src, const IpAddress& dst, View d) {
  if (d.size() < kUdpHeaderSize) return true;  // malformed: drop quietly
  uint16_t len = Load16(&d[4]);
  if (len < kUdpHeaderSize || len > d.size()) return true;
  d = d.first(len);
  if (Load16(&d[6]) != 0 && TransportChecksum(src, dst, kProtoUdp, d) != 0) return true;
  ++stats_.udp_in;
  uint16_t sport = Load16(&d[0]);
  uint16_t dport = Load16(&d[2]);
  auto p = udp_ports_.find(dport);
  if (p == udp_ports_.end()) return false;
  FullAddress from{src, sport};
  View payload = d.subspan(kUdpHeaderSize);
  bool multi = dst.IsBroadcastV4() || dst.IsMulticast();
  std::vector<UdpEndpoint*> best;
  int best_score = -1;
  for (auto& ep : p->second) {
    ep->stack_->mu_.AssertHeld();
    int score = ep->MatchLocked(src, sport, dst);
    if (score < 0) continue;
    if (multi) {
      ep->DeliverLocked(from, payload);  // every matching socket gets a copy
      best_score = score;
      continue;
    }
    if (score > best_score) best.clear();
    if (score >= best_score) {
      best_score = score;
      best.push_back(ep.get());
    }
  }
  if (multi) return best_score >= 0;
  if (best.empty()) return false;
  UdpEndpoint* target = best.front();
  target->stack_->mu_.AssertHeld();
  if (best.size() > 1 && target->reuse_port_) {
    target = best[HashFlow(src, sport) % best.size()];
  } else if (best.size() > 1) {
    target = best.back();  // SO_REUSEADDR: the most recent bind wins, as on Linux
  }
  target->stack_->mu_.AssertHeld();
  target->DeliverLocked(from, payload);
  return true;
}

void Stack::HandleTransportErrorLocked(uint8_t protocol, const IpAddress& src, const IpAddress& dst,
                                       View inner, Error err) {
  if (inner.size() < 4) return;
  uint16_t sport = Load16(&inner[0]);
  uint16_t dport = Load16(&inner[2]);
  if (protocol == kProtoTcp) {
    auto it = tcp_conns_.find(ConnKey{src, sport, dst, dport});
    if (it == tcp_conns_.end()) return;
    std::shared_ptr<TcpEndpoint> ep = it->second;
    ep->stack_->mu_.AssertHeld();
    ep->HandleIcmpErrorLocked(err);
  } else if (protocol == kProtoUdp) {
    auto p = udp_ports_.find(sport);
    if (p == udp_ports_.end()) return;
    for (auto& ep : p->second) {
      ep->stack_->mu_.AssertHeld();
      // Linux reports ICMP errors only to connected UDP sockets.
      if (ep->remote_ && ep->remote_->addr == dst && ep->remote_->port == dport) {
        ep->SetErrorLocked(err);
      }
    }
  }
}

Result<uint16_t> Stack::ReserveTcpPortLocked(TcpEndpoint* ep, const IpAddress& addr,
                                             uint16_t port) {
  ep->stack_->mu_.AssertHeld();
  bool conflict = false;
  if (auto it = tcp_ports_.find(port); port != 0 && it != tcp_ports_.end()) {
    for (TcpEndpoint* other : it->second) {
      other->stack_->mu_.AssertHeld();
      if (!BindOverlap(other->local_.addr, other->v6only_, addr, ep->v6only_)) continue;
      if (ep->reuse_port_ && other->reuse_port_) continue;
      if (ep->reuse_addr_ && other->reuse_addr_ && other->state_ != TcpState::kListen) continue;
      conflict = true;
    }
  }
  if (port == 0) {
    for (int i = 0; i <= kEphemeralLast - kEphemeralFirst; ++i) {
      uint16_t p = next_ephemeral_;
      next_ephemeral_ = p >= kEphemeralLast ? kEphemeralFirst : static_cast<uint16_t>(p + 1);
      if (!tcp_ports_.contains(p)) {
        port = p;
        break;
      }
    }
    if (port == 0) return Error::kAddressInUse;
  } else if (conflict) {
    return Error::kAddressInUse;
  }
  tcp_ports_[port].push_back(ep);
  return port;
}

void Stack::ReleaseTcpPortLocked(TcpEndpoint* ep) {
  ep->stack_->mu_.AssertHeld();
  auto it = tcp_ports_.find(ep->local_.port);
  if (it == tcp_ports_.end()) return;
  std::erase(it->second, ep);
  if (it->second.empty()) tcp_ports_.erase(it);
}

Result<uint16_t> Stack::ReserveUdpPortLocked(UdpEndpoint* ep, const IpAddress& addr,
                                             uint16_t port) {
  ep->stack_->mu_.AssertHeld();
  bool conflict = false;
  if (auto it = udp_ports_.find(port); port != 0 && it != udp_ports_.end()) {
    for (auto& other : it->second) {
      other->stack_->mu_.AssertHeld();
      if (!BindOverlap(other->local_.addr, other->v6only_, addr, ep->v6only_)) continue;
      if (ep->reuse_port_ && other->reuse_port_) continue;
      if (ep->reuse_addr_ && other->reuse_addr_) continue;
      conflict = true;
    }
  }
  if (port == 0) {
    for (int i = 0; i <= kEphemeralLast - kEphemeralFirst; ++i) {
      uint16_t p = next_ephemeral_;
      next_ephemeral_ = p >= kEphemeralLast ? kEphemeralFirst : static_cast<uint16_t>(p + 1);
      if (!udp_ports_.contains(p)) {
        port = p;
        break;
      }
    }
    if (port == 0) return Error::kAddressInUse;
  } else if (conflict) {
    return Error::kAddressInUse;
  }
  udp_ports_[port].push_back(std::static_pointer_cast<UdpEndpoint>(ep->shared_from_this()));
  return port;
}

void Stack::ReleaseUdpPortLocked(UdpEndpoint* ep) {
  ep->stack_->mu_.AssertHeld();
  auto it = udp_ports_.find(ep->local_.port);
  if (it == udp_ports_.end()) return;
  std::erase_if(it->second, [ep](const std::shared_ptr<UdpEndpoint>& e) { return e.get() == ep; });
  if (it->second.empty()) udp_ports_.erase(it);
}

bool Stack::RegisterConnLocked(const ConnKey& key, std::shared_ptr<TcpEndpoint> ep) {
  return tcp_conns_.emplace(key, std::move(ep)).second;
}

void Stack::UnregisterConnLocked(const ConnKey& key, const TcpEndpoint* ep) {
  auto it = tcp_conns_.find(key);
  if (it != tcp_conns_.end() && it->second.get() == ep) tcp_conns_.erase(it);
}

uint32_t Stack::NewIsnLocked(const ConnKey& key) {
  // RFC 6528: a keyed hash of the four-tuple plus a 4 us clock.
  uint32_t h = HashFlow(std::get<0>(key), std::get<1>(key)) ^
               (HashFlow(std::get<2>(key), std::get<3>(key)) * 31) ^ static_cast<uint32_t>(rng_);
  int64_t us = absl::ToUnixMicros(opts_.clock->Now());
  return h + static_cast<uint32_t>(us / 4);
}

}  // namespace sb::netstack

namespace sb::netstack {

std::vector<SocketInfo> Stack::Sockets(Transport transport) {
  StackOp op(this);
  std::vector<SocketInfo> out;
  if (transport == Transport::kUdp) {
    for (auto& [port, eps] : udp_ports_) {
      for (auto& ep : eps) {
        ep->stack_->mu_.AssertHeld();
        SocketInfo i;
        i.family = ep->family_;
        i.local = ep->local_;
        if (ep->remote_) {
          i.remote = *ep->remote_;
          i.udp_connected = true;
        }
        i.rx_queue = static_cast<uint32_t>(ep->rcvq_bytes_);
        i.tag = ep->tag();
        out.push_back(std::move(i));
      }
    }
    return out;
  }
  // Bound endpoints (listeners and unconnected binds) by port, then the
  // connection table; an endpoint in both is listed once.
  std::vector<TcpEndpoint*> eps;
  for (auto& [port, list] : tcp_ports_) {
    for (TcpEndpoint* ep : list) {
      ep->stack_->mu_.AssertHeld();
      if (!ep->registered_) eps.push_back(ep);
    }
  }
  for (auto& [key, ep] : tcp_conns_) eps.push_back(ep.get());
  for (TcpEndpoint* ep : eps) {
    ep->stack_->mu_.AssertHeld();
    SocketInfo i;
    i.family = ep->family_;
    i.local = ep->local_;
    if (ep->registered_) i.remote = ep->remote_;
    i.state = ep->state_;
    if (ep->state_ == TcpState::kListen) {
      i.rx_queue = static_cast<uint32_t>(ep->accept_queue_.size());
      i.accept_queue = i.rx_queue;
      i.tx_queue = static_cast<uint32_t>(ep->backlog_);
    } else {
      i.rx_queue = static_cast<uint32_t>(ep->rcv_buf_.size());
      i.tx_queue = static_cast<uint32_t>(ep->snd_buf_.size());  // from snd_una
    }
    i.tag = ep->tag();
    out.push_back(std::move(i));
  }
  return out;
}

}  // namespace sb::netstack
