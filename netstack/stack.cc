// netstack/stack.cc: Stack plumbing: construction, NICs and addresses,
// entry/exit of Stack operations (StackOp), frame queueing and timers.
#include "netstack/stack.h"

#include <algorithm>

#include "netstack/icmp.h"
#include "netstack/tcp_endpoint.h"
#include "netstack/udp.h"

namespace sb::netstack {
namespace {

// The Stack whose mu_ this thread holds through a StackOp, if any.
thread_local Stack* tls_running = nullptr;

}  // namespace

StackOp::StackOp(Stack* s) : s_(s), prev_(tls_running) {
  s_->mu_.Lock();
  tls_running = s_;
}

StackOp::~StackOp() {
  s_->DrainRxLocked();
  auto notify = std::move(s_->notify_);
  s_->notify_.clear();
  tls_running = prev_;
  s_->mu_.Unlock();
  for (auto& [weak, events] : notify) {
    if (auto ep = weak.lock()) ep->NotifyWaiters(events);
  }
}

Stack::Stack(const StackOptions& opts) : opts_(opts) {
  absl::MutexLock l(&mu_);
  rng_ = opts.seed ^ 0x9e3779b97f4a7c15ull;
  next_ephemeral_ = static_cast<uint16_t>(32768 + RandomLocked() % 28000);
}

Stack::~Stack() = default;

uint32_t Stack::RandomLocked() {
  // splitmix64: cheap and deterministic for a given seed.
  uint64_t z = (rng_ += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return static_cast<uint32_t>(z ^ (z >> 31));
}

NicId Stack::AddNic(std::unique_ptr<LinkEndpoint> link) {
  NicId id;
  LinkEndpoint* raw = link.get();
  {
    StackOp op(this);
    id = next_nic_++;
    auto nic = std::make_unique<Nic>();
    nic->id = id;
    nic->link = std::move(link);
    nics_[id] = std::move(nic);
  }
  raw->Attach(this, id);
  return id;
}

Error Stack::AddAddress(NicId id, const Subnet& addr) {
  StackOp op(this);
  Nic* nic = FindNicLocked(id);
  if (nic == nullptr) return Error::kInvalidArgument;
  nic->addresses.push_back(addr);
  routes_.Add(RouteEntry{addr, IpAddress(), id});
  return Error::kOk;
}

void Stack::AddRoute(const RouteEntry& r) {
  StackOp op(this);
  routes_.Add(r);
}

void Stack::AddStaticNeighbor(NicId id, const IpAddress& ip, const MacAddress& mac) {
  StackOp op(this);
  if (Nic* nic = FindNicLocked(id)) nic->neighbors.AddStatic(ip, mac);
}

Result<std::shared_ptr<Endpoint>> Stack::NewEndpoint(Family family, Transport transport) {
  if (family != Family::kV4 && family != Family::kV6) return Error::kBadAddress;
  if (transport == Transport::kTcp) {
    return std::shared_ptr<Endpoint>(std::make_shared<TcpEndpoint>(this, family));
  }
  return std::shared_ptr<Endpoint>(std::make_shared<UdpEndpoint>(this, family));
}

Result<std::shared_ptr<Endpoint>> Stack::RestoreEndpoint(const EndpointSnapshot& snap) {
  auto ep = NewEndpoint(snap.family, snap.transport);
  if (!ep.ok()) return ep.error();
  for (const auto& [opt, value] : snap.options) {
    if (Error e = (*ep)->SetOption(opt, value); e != Error::kOk) return e;
  }
  if (snap.bound) {
    if (Error e = (*ep)->Bind(snap.local); e != Error::kOk) return e;
  }
  if (snap.listening) {
    if (Error e = (*ep)->Listen(snap.backlog); e != Error::kOk) return e;
  }
  if (snap.remote) {
    if (Error e = (*ep)->Connect(*snap.remote); e != Error::kOk) return e;
  }
  if (snap.shut_read || snap.shut_write) {
    ShutdownHow how = snap.shut_read && snap.shut_write ? ShutdownHow::kBoth
                      : snap.shut_read                  ? ShutdownHow::kRead
                                                        : ShutdownHow::kWrite;
    if (Error e = (*ep)->Shutdown(how); e != Error::kOk) return e;
  }
  return ep;
}

void Stack::DeliverFrame(NicId nic, Buffer frame) {
  {
    absl::MutexLock l(&rx_mu_);
    rx_queue_.emplace_back(nic, std::move(frame));
  }
  if (tls_running == this) return;  // processed before the running op exits
  StackOp op(this);                 // drains the queue on exit
}

void Stack::DrainRxLocked() {
  for (;;) {
    std::pair<NicId, Buffer> item;
    {
      absl::MutexLock l(&rx_mu_);
      if (rx_queue_.empty()) return;
      item = std::move(rx_queue_.front());
      rx_queue_.pop_front();
    }
    HandleFrameLocked(item.first, item.second);
  }
}

void Stack::NotifyLocked(const std::shared_ptr<Endpoint>& ep, uint32_t events) {
  notify_.emplace_back(ep, events);
}

Stack::Nic* Stack::FindNicLocked(NicId id) {
  auto it = nics_.find(id);
  return it == nics_.end() ? nullptr : it->second.get();
}

bool Stack::IsLocalAddressLocked(const IpAddress& a) {
  for (auto& [id, nic] : nics_) {
    for (const Subnet& s : nic->addresses) {
      if (s.addr == a) return true;
    }
  }
  return false;
}

void Stack::AdvanceTimers() {
  StackOp op(this);
  absl::Time now = opts_.clock->Now();
  for (const Buffer& first : reassembler_.Expire(now)) {
    SendIcmpErrorLocked(first, kIcmpTimeExceeded, kIcmpReassemblyTimeExceeded);
  }
  for (auto& [id, nic] : nics_) {
    for (const IpAddress& ip : nic->neighbors.Expire(now)) SendResolutionLocked(*nic, ip);
  }
  // Copy: a timer may close an endpoint and remove it from the table.
  std::vector<std::shared_ptr<TcpEndpoint>> eps;
  eps.reserve(tcp_conns_.size());
  for (auto& [key, ep] : tcp_conns_) eps.push_back(ep);
  for (auto& ep : eps) {
    ep->stack_->mu_.AssertHeld();  // ep->stack_ == this
    ep->OnTimersLocked(now);
  }
}

absl::Time Stack::NextTimerDeadline() {
  StackOp op(this);
  absl::Time t = reassembler_.NextDeadline();
  for (auto& [id, nic] : nics_) t = std::min(t, nic->neighbors.NextDeadline());
  for (auto& [key, ep] : tcp_conns_) {
    ep->stack_->mu_.AssertHeld();  // ep->stack_ == this
    t = std::min(t, ep->NextDeadlineLocked());
  }
  return t;
}

Error Stack::RemoveAddress(NicId id, const Subnet& addr) {
  StackOp op(this);
  Nic* nic = FindNicLocked(id);
  if (nic == nullptr) return Error::kInvalidArgument;
  auto it = std::find(nic->addresses.begin(), nic->addresses.end(), addr);
  if (it == nic->addresses.end()) return Error::kInvalidArgument;
  nic->addresses.erase(it);
  routes_.Remove(RouteEntry{addr, IpAddress(), id});
  return Error::kOk;
}

std::vector<NicInfo> Stack::Nics() {
  StackOp op(this);
  std::vector<NicInfo> out;
  for (auto& [id, nic] : nics_) {
    NicInfo i;
    i.id = id;
    i.kind = nic->link->kind();
    i.mtu = nic->link->mtu();
    i.mac = nic->link->mac();
    i.addresses = nic->addresses;
    i.rx_packets = nic->rx_packets;
    i.rx_bytes = nic->rx_bytes;
    i.tx_packets = nic->tx_packets;
    i.tx_bytes = nic->tx_bytes;
    i.tx_dropped = nic->tx_dropped;
    out.push_back(std::move(i));
  }
  return out;
}

std::vector<RouteEntry> Stack::Routes() {
  StackOp op(this);
  return routes_.entries();
}

StackStats Stack::stats() {
  StackOp op(this);
  return stats_;
}

}  // namespace sb::netstack
