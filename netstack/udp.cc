// netstack/udp.cc: see udp.h.
#include "netstack/udp.h"

#include <algorithm>
#include <cstring>

#include "netstack/checksum.h"

namespace sb::netstack {

UdpEndpoint::UdpEndpoint(Stack* stack, Family family)
    : stack_(stack), family_(family), rcv_limit_(stack->options().udp_receive_buffer) {}

UdpEndpoint::~UdpEndpoint() = default;

Error UdpEndpoint::BindLocked(const FullAddress& addr) {
  if (bound_) return Error::kAlreadyBound;
  if (!FamilyAccepts(family_, v6only_, addr.addr)) return Error::kBadAddress;
  if (!addr.addr.IsAny() && !addr.addr.IsBroadcastV4() &&
      !stack_->IsLocalAddressLocked(addr.addr)) {
    return Error::kAddressNotAvailable;
  }
  auto port = stack_->ReserveUdpPortLocked(this, addr.addr, addr.port);
  if (!port.ok()) return port.error();
  local_ = FullAddress{addr.addr, *port};
  bound_ = true;
  return Error::kOk;
}

Error UdpEndpoint::Bind(const FullAddress& addr) {
  StackOp op(stack_);
  if (closed_) return Error::kInvalidEndpointState;
  return BindLocked(addr);
}

Error UdpEndpoint::Connect(const FullAddress& addr) {
  StackOp op(stack_);
  if (closed_) return Error::kInvalidEndpointState;
  if (!FamilyAccepts(family_, v6only_, addr.addr)) return Error::kBadAddress;
  if (addr.port == 0) return Error::kInvalidArgument;
  auto route = stack_->FindRouteLocked(addr.addr);
  if (!route.ok()) return route.error();
  if (!bound_) {
    Error e = BindLocked(FullAddress{IpAddress::Any(family_), 0});
    if (e != Error::kOk) return e;
  }
  remote_ = addr;
  return Error::kOk;
}

Result<size_t> UdpEndpoint::Send(View data, const SendOptions& opts) {
  StackOp op(stack_);
  if (closed_) return Error::kInvalidEndpointState;
  if (shut_write_) return Error::kClosedForSend;
  FullAddress to;
  if (opts.to) {
    to = *opts.to;
  } else if (remote_) {
    to = *remote_;
  } else {
    return Error::kDestinationRequired;
  }
  if (!FamilyAccepts(family_, v6only_, to.addr)) return Error::kBadAddress;
  if (to.port == 0) return Error::kInvalidArgument;
  if (data.size() > 65535 - kUdpHeaderSize - kIpv4MinHeaderSize) return Error::kMessageTooLong;
  auto route = stack_->FindRouteLocked(to.addr);
  if (!route.ok()) return route.error();
  if (!bound_) {
    Error e = BindLocked(FullAddress{IpAddress::Any(family_), 0});
    if (e != Error::kOk) return e;
  }
  IpAddress src = local_.addr.IsAny() ? route->local : local_.addr;
  Buffer dgram(kUdpHeaderSize + data.size());
  Store16(&dgram[0], local_.port);
  Store16(&dgram[2], to.port);
  Store16(&dgram[4], static_cast<uint16_t>(dgram.size()));
  std::copy(data.begin(), data.end(), dgram.begin() + kUdpHeaderSize);
  uint16_t sum = TransportChecksum(src, to.addr, kProtoUdp, dgram);
  Store16(&dgram[6], sum == 0 ? 0xffff : sum);
  ++stack_->stats_.udp_out;
  Error e = stack_->SendIpLocked(src, to.addr, kProtoUdp, dgram, ttl_);
  if (e != Error::kOk) return e;
  return data.size();
}

Result<size_t> UdpEndpoint::Recv(absl::Span<uint8_t> out, const RecvOptions& opts,
                                 FullAddress* from) {
  StackOp op(stack_);
  if (soft_error_ != Error::kOk) {
    Error e = soft_error_;
    soft_error_ = Error::kOk;
    return e;
  }
  if (rcvq_.empty()) return shut_read_ ? Result<size_t>(size_t{0}) : Error::kWouldBlock;
  Datagram& d = rcvq_.front();
  size_t n = std::min(out.size(), d.data.size());
  std::memcpy(out.data(), d.data.data(), n);
  if (from) *from = d.from;
  if (opts.message_length) *opts.message_length = d.data.size();
  if (!opts.peek) {
    rcvq_bytes_ -= d.data.size();
    rcvq_.pop_front();
  }
  return n;
}

Error UdpEndpoint::Shutdown(ShutdownHow how) {
  StackOp op(stack_);
  if (!remote_) return Error::kNotConnected;
  if (how != ShutdownHow::kWrite) shut_read_ = true;
  if (how != ShutdownHow::kRead) shut_write_ = true;
  stack_->NotifyLocked(shared_from_this(), ReadinessLocked());
  return Error::kOk;
}

void UdpEndpoint::Close() {
  StackOp op(stack_);
  if (closed_) return;
  closed_ = true;
  rcvq_.clear();
  rcvq_bytes_ = 0;
  if (bound_) stack_->ReleaseUdpPortLocked(this);
  bound_ = false;
}

Result<FullAddress> UdpEndpoint::GetLocalAddress() {
  StackOp op(stack_);
  if (!bound_)
    return FullAddress{family_ == Family::kV4 ? IpAddress::V4Any() : IpAddress::V6Any(), 0};
  if (local_.addr.IsAny() && remote_) {
    auto r = stack_->FindRouteLocked(remote_->addr);
    if (r.ok()) return FullAddress{r->local, local_.port};
  }
  return local_;
}

Result<FullAddress> UdpEndpoint::GetRemoteAddress() {
  StackOp op(stack_);
  if (!remote_) return Error::kNotConnected;
  return *remote_;
}

Error UdpEndpoint::SetOption(SocketOption opt, int value) {
  StackOp op(stack_);
  switch (opt) {
    case SocketOption::kReuseAddress:
      reuse_addr_ = value != 0;
      return Error::kOk;
    case SocketOption::kReusePort:
      reuse_port_ = value != 0;
      return Error::kOk;
    case SocketOption::kReceiveBufferSize:
      rcv_limit_ = static_cast<size_t>(std::clamp(value, 1024, 16 << 20));
      return Error::kOk;
    case SocketOption::kSendBufferSize:
      return Error::kOk;  // datagrams are not buffered
    case SocketOption::kV6Only:
      if (family_ != Family::kV6) return Error::kUnknownOption;
      if (bound_) return Error::kInvalidArgument;
      v6only_ = value != 0;
      return Error::kOk;
    case SocketOption::kTtl:
      if (value < 1 || value > 255) return Error::kInvalidArgument;
      ttl_ = static_cast<uint8_t>(value);
      return Error::kOk;
    default:
      return Error::kUnknownOption;
  }
}

Result<int> UdpEndpoint::GetOption(SocketOption opt) {
  StackOp op(stack_);
  switch (opt) {
    case SocketOption::kReuseAddress:
      return reuse_addr_ ? 1 : 0;
    case SocketOption::kReusePort:
      return reuse_port_ ? 1 : 0;
    case SocketOption::kReceiveBufferSize:
      return static_cast<int>(rcv_limit_);
    case SocketOption::kTtl:
      return static_cast<int>(ttl_);
    case SocketOption::kV6Only:
      if (family_ != Family::kV6) return Error::kUnknownOption;
      return v6only_ ? 1 : 0;
    case SocketOption::kError: {
      Error e = soft_error_;
      soft_error_ = Error::kOk;
      return static_cast<int>(e);
    }
    default:
      return Error::kUnknownOption;
  }
}

uint32_t UdpEndpoint::ReadinessLocked() const {
  uint32_t ev = 0;
  if (!rcvq_.empty() || shut_read_) ev |= kEventReadable;
  if (!shut_write_) ev |= kEventWritable;
  if (soft_error_ != Error::kOk) ev |= kEventError;
  if (shut_read_ && shut_write_) ev |= kEventHangup;
  return ev;
}

Result<EndpointSnapshot> UdpEndpoint::Snapshot() {
  StackOp op(stack_);
  if (closed_) return Error::kInvalidEndpointState;
  EndpointSnapshot s;
  s.transport = Transport::kUdp;
  s.family = family_;
  s.bound = bound_;
  s.local = local_;
  s.remote = remote_;
  s.shut_read = shut_read_;
  s.shut_write = shut_write_;
  s.options = {
      {SocketOption::kReuseAddress, reuse_addr_},
      {SocketOption::kReusePort, reuse_port_},
      {SocketOption::kReceiveBufferSize, static_cast<int>(rcv_limit_)},
      {SocketOption::kTtl, ttl_},
  };
  return s;
}

uint32_t UdpEndpoint::Readiness() {
  StackOp op(stack_);
  return ReadinessLocked();
}

int UdpEndpoint::MatchLocked(const IpAddress& src, uint16_t sport, const IpAddress& dst) const {
  if (closed_ || !bound_) return -1;
  if (family_ == Family::kV4 && !dst.is_v4()) return -1;  // IPv4 sockets never see IPv6
  if (v6only_ && dst.is_v4()) return -1;
  int score = 0;
  if (!local_.addr.IsAny()) {
    if (local_.addr != dst) return -1;
    score += 2;
  }
  if (remote_) {
    if (remote_->addr != src || remote_->port != sport) return -1;
    score += 4;
  }
  return score;
}

void UdpEndpoint::DeliverLocked(const FullAddress& from, View data) {
  if (shut_read_ || rcvq_bytes_ + data.size() > rcv_limit_) return;  // full: drop
  rcvq_.push_back(Datagram{from, Buffer(data.begin(), data.end())});
  rcvq_bytes_ += data.size();
  stack_->NotifyLocked(shared_from_this(), kEventReadable);
}

void UdpEndpoint::SetErrorLocked(Error e) {
  soft_error_ = e;
  stack_->NotifyLocked(shared_from_this(), kEventError);
}

}  // namespace sb::netstack
