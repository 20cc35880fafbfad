// netstack/stack.h: one userspace TCP/IP stack (one per network namespace).
//
// A Stack owns its NICs (each wrapping a LinkEndpoint), their addresses,
// the routing table, the neighbour caches, the IPv4 reassembler and the
// transport demultiplexing tables (which hold shared references to bound,
// connected and closing endpoints). It is driven entirely by its owner:
//   - DeliverFrame(): a link endpoint received a frame (any thread);
//   - endpoint calls (Send, Recv, Connect, ...) from any thread;
//   - AdvanceTimers(): call when Clock::Now() passes NextTimerDeadline().
// There are no hidden threads. Output frames go to LinkEndpoint::WritePacket.
//
// Lock order (take a lock only while holding locks above it):
//   Stack::mu_                 all protocol state: NICs, routes, neighbours,
//                              reassembly, demux tables, every TcpEndpoint's
//                              and UdpEndpoint's state
//     Stack::rx_mu_            frames delivered while the stack is busy
//     ChannelEndpoint::mu_     transmit queue of a channel link
//     ManualClock::mu_
//   Endpoint::waiters_mu_      leaf; never taken with Stack::mu_ held:
//                              waiter callbacks run after mu_ is released
// Frames delivered by a link on a thread already inside the Stack (loopback)
// are queued on rx_mu_ and processed before that call leaves the Stack, so
// protocol code never re-enters itself.
//
// One stack-wide mutex is the simple first cut; per-endpoint locks (below
// Stack::mu_ for demux) are the planned refinement when loopback throughput
// work starts.
#ifndef SB_NETSTACK_STACK_H_
#define SB_NETSTACK_STACK_H_

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "netstack/address.h"
#include "netstack/arp.h"
#include "netstack/buffer.h"
#include "netstack/clock.h"
#include "netstack/endpoint.h"
#include "netstack/error.h"
#include "netstack/ipv4.h"
#include "netstack/link_endpoint.h"
#include "netstack/route.h"
#include "netstack/tcp_congestion.h"
#include "netstack/tcp_segment.h"

namespace sb::netstack {

class TcpEndpoint;
class UdpEndpoint;
class StackOp;

struct StackOptions {
  Clock* clock = nullptr;  // required; must outlive the Stack
  uint64_t seed = 0;       // ISNs and ephemeral ports derive from it
  bool tcp_delayed_ack = true;
  absl::Duration tcp_min_rto = absl::Milliseconds(200);
  absl::Duration tcp_max_rto = absl::Seconds(120);
  absl::Duration tcp_initial_rto = absl::Seconds(1);
  absl::Duration tcp_delayed_ack_timeout = absl::Milliseconds(40);
  absl::Duration tcp_time_wait = absl::Seconds(60);  // 2 * MSL
  int tcp_max_retries = 15;                          // then ETIMEDOUT
  int tcp_syn_retries = 6;
  uint32_t tcp_send_buffer = 256 * 1024;
  uint32_t tcp_receive_buffer = 256 * 1024;
  uint32_t udp_receive_buffer = 208 * 1024;
  bool tcp_sack = true;
  bool tcp_timestamps = true;
  bool tcp_window_scaling = true;
  CongestionAlgorithm tcp_congestion = CongestionAlgorithm::kCubic;  // Linux's default
};

struct StackStats {
  uint64_t frames_in = 0, frames_out = 0, frames_dropped = 0;
  uint64_t ip_in = 0, ip_out = 0, ip_malformed = 0, ip_reassembled = 0, ip_fragments_out = 0;
  uint64_t arp_requests_out = 0, arp_replies_out = 0;
  uint64_t ndp_solicits_out = 0, ndp_adverts_out = 0, icmpv6_in = 0;
  uint64_t icmp_echo_replies_out = 0, icmp_unreachable_out = 0, icmp_in = 0;
  uint64_t udp_in = 0, udp_out = 0, udp_no_port = 0;
  uint64_t tcp_in = 0, tcp_out = 0, tcp_retransmits = 0, tcp_resets_out = 0, tcp_bad_checksum = 0;
};

enum class TcpState;  // tcp_endpoint.h

// What Stack::Nics() reports of one NIC (for /proc/net/dev and interface
// ioctls).
struct NicInfo {
  NicId id = 0;
  LinkKind kind = LinkKind::kLoopback;
  uint32_t mtu = 0;
  MacAddress mac;
  std::vector<Subnet> addresses;
  uint64_t rx_packets = 0, rx_bytes = 0, tx_packets = 0, tx_bytes = 0, tx_dropped = 0;
};

// What Stack::Sockets() reports of one endpoint (for /proc/net/tcp, udp).
struct SocketInfo {
  Family family = Family::kV4;  // the endpoint's own family
  FullAddress local;
  FullAddress remote;           // port 0 and invalid address if none
  TcpState state{};             // TCP only
  bool udp_connected = false;   // UDP only
  uint32_t rx_queue = 0;        // bytes unread (TCP) / queued datagram bytes (UDP)
  uint32_t tx_queue = 0;        // bytes unacknowledged or unsent (TCP)
  uint32_t accept_queue = 0;    // listeners: connections waiting for accept
  uint64_t tag = 0;             // Endpoint::tag()
};

// Four-tuple of a connected endpoint (local, remote).
using ConnKey = std::tuple<IpAddress, uint16_t, IpAddress, uint16_t>;

class Stack final : public NetworkDispatcher {
 public:
  explicit Stack(const StackOptions& opts);
  ~Stack() override;
  Stack(const Stack&) = delete;
  Stack& operator=(const Stack&) = delete;

  // Adds a NIC around `link` and returns its id (1, 2, ...).
  NicId AddNic(std::unique_ptr<LinkEndpoint> link) ABSL_LOCKS_EXCLUDED(mu_);
  // Assigns `addr` (with its prefix) to `nic` and adds the on-link route.
  Error AddAddress(NicId nic, const Subnet& addr) ABSL_LOCKS_EXCLUDED(mu_);
  void AddRoute(const RouteEntry& r) ABSL_LOCKS_EXCLUDED(mu_);
  void AddStaticNeighbor(NicId nic, const IpAddress& ip, const MacAddress& mac)
      ABSL_LOCKS_EXCLUDED(mu_);

  Result<std::shared_ptr<Endpoint>> NewEndpoint(Family family, Transport transport)
      ABSL_LOCKS_EXCLUDED(mu_);
  // Rebuilds an endpoint from Endpoint::Snapshot() (restore after a
  // checkpoint): options, then bind, then listen or connect.
  Result<std::shared_ptr<Endpoint>> RestoreEndpoint(const EndpointSnapshot& snap)
      ABSL_LOCKS_EXCLUDED(mu_);

  // NetworkDispatcher: safe from any thread.
  void DeliverFrame(NicId nic, Buffer frame) override ABSL_LOCKS_EXCLUDED(mu_, rx_mu_);

  // Runs every timer due at clock->Now().
  void AdvanceTimers() ABSL_LOCKS_EXCLUDED(mu_);
  // Earliest time AdvanceTimers() has work (InfiniteFuture if none).
  absl::Time NextTimerDeadline() ABSL_LOCKS_EXCLUDED(mu_);

  StackStats stats() ABSL_LOCKS_EXCLUDED(mu_);
  // Removes `addr` from `nic` and its on-link route (an interface going
  // down). kInvalidArgument if the NIC does not hold it.
  Error RemoveAddress(NicId nic, const Subnet& addr) ABSL_LOCKS_EXCLUDED(mu_);
  // Introspection for /proc/net and interface ioctls: copies, in NIC-id,
  // table and port order.
  std::vector<NicInfo> Nics() ABSL_LOCKS_EXCLUDED(mu_);
  std::vector<RouteEntry> Routes() ABSL_LOCKS_EXCLUDED(mu_);
  std::vector<SocketInfo> Sockets(Transport transport) ABSL_LOCKS_EXCLUDED(mu_);
  const StackOptions& options() const { return opts_; }
  const Clock& clock() const { return *opts_.clock; }

 private:
  friend class StackOp;
  friend class TcpEndpoint;
  friend class UdpEndpoint;

  struct Nic {
    NicId id = 0;
    std::unique_ptr<LinkEndpoint> link;
    std::vector<Subnet> addresses;
    NeighborCache neighbors;
    uint64_t rx_packets = 0, rx_bytes = 0, tx_packets = 0, tx_bytes = 0, tx_dropped = 0;
  };
  // Where a packet to some destination goes.
  struct Route {
    Nic* nic = nullptr;
    IpAddress next_hop;
    IpAddress local;  // preferred source address
  };

  // --- stack.cc: plumbing ---
  Nic* FindNicLocked(NicId id) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  bool IsLocalAddressLocked(const IpAddress& a) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void DrainRxLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) ABSL_LOCKS_EXCLUDED(rx_mu_);
  // Asks for `ep`'s waiters to be told about `events` once mu_ is released.
  void NotifyLocked(const std::shared_ptr<Endpoint>& ep, uint32_t events)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  uint32_t RandomLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  // --- stack_ip.cc: link and network layers ---
  void HandleFrameLocked(NicId nic, const Buffer& frame) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void HandleArpLocked(Nic& nic, View data) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void HandleIpv4Locked(Nic& nic, View packet) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void HandleIcmpLocked(const IpAddress& src, const IpAddress& dst, View packet, View payload)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void SendArpRequestLocked(Nic& nic, const IpAddress& target) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // ARP request or NDP neighbour solicitation for `target`.
  void SendResolutionLocked(Nic& nic, const IpAddress& target) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Sends packets that waited for `mac` (from NeighborCache::Learn).
  void FlushPendingLocked(Nic& nic, const MacAddress& mac, std::vector<Buffer> packets)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // An address of `family` on `nic`, preferring one whose subnet holds `peer`.
  std::optional<IpAddress> SourceAddressLocked(const Nic& nic, Family family, const IpAddress& peer)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  // --- stack_ipv6.cc: IPv6, ICMPv6 and neighbour discovery ---
  void HandleIpv6Locked(Nic& nic, View packet) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void HandleIcmpv6Locked(Nic& nic, const IpAddress& src, const IpAddress& dst, uint8_t hop_limit,
                          View payload) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void SendNeighborSolicitLocked(Nic& nic, const IpAddress& target)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void TransmitIpv6Locked(Nic& nic, const IpAddress& next_hop, Buffer packet)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void SendIcmpv6ErrorLocked(View offending, uint8_t type, uint8_t code)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Resolves the link address and transmits one IPv4 packet on `nic`.
  void TransmitIpv4Locked(Nic& nic, const IpAddress& next_hop, Buffer packet)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void WriteFrameLocked(Nic& nic, Buffer frame) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Sends an ICMP error about `offending` (a received IPv4 packet).
  void SendIcmpErrorLocked(View offending, uint8_t type, uint8_t code)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  // Used by transports.
  Result<Route> FindRouteLocked(const IpAddress& dst) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Builds the IP header(s) and sends. `src` must be one of our addresses.
  Error SendIpLocked(const IpAddress& src, const IpAddress& dst, uint8_t protocol, View payload,
                     uint8_t ttl = kDefaultTtl, bool dont_fragment = false)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // MTU of the path to `dst` (the outgoing NIC's), 0 if unroutable.
  uint32_t PathMtuLocked(const IpAddress& dst) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  // --- stack_transport.cc: demultiplexing and ports ---
  void HandleTcpLocked(const IpAddress& src, const IpAddress& dst, View seg)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Returns false if no socket wanted it (caller sends port unreachable).
  bool HandleUdpLocked(const IpAddress& src, const IpAddress& dst, View dgram)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void HandleTransportErrorLocked(uint8_t protocol, const IpAddress& src, const IpAddress& dst,
                                  View inner_transport, Error err)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Sends a RST answering `seg` (RFC 793 "reset generation").
  void SendTcpResetForLocked(const IpAddress& src, const IpAddress& dst, const TcpSegment& seg)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Port reservation for bind(): port 0 picks an ephemeral port.
  Result<uint16_t> ReserveTcpPortLocked(TcpEndpoint* ep, const IpAddress& addr, uint16_t port)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void ReleaseTcpPortLocked(TcpEndpoint* ep) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  Result<uint16_t> ReserveUdpPortLocked(UdpEndpoint* ep, const IpAddress& addr, uint16_t port)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void ReleaseUdpPortLocked(UdpEndpoint* ep) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Connection table (holds the Stack's reference to connected endpoints).
  bool RegisterConnLocked(const ConnKey& key, std::shared_ptr<TcpEndpoint> ep)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void UnregisterConnLocked(const ConnKey& key, const TcpEndpoint* ep)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  uint32_t NewIsnLocked(const ConnKey& key) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const StackOptions opts_;

  mutable absl::Mutex mu_;
  std::map<NicId, std::unique_ptr<Nic>> nics_ ABSL_GUARDED_BY(mu_);
  NicId next_nic_ ABSL_GUARDED_BY(mu_) = 1;
  RouteTable routes_ ABSL_GUARDED_BY(mu_);
  Reassembler reassembler_ ABSL_GUARDED_BY(mu_);
  uint16_t next_ip_id_ ABSL_GUARDED_BY(mu_) = 1;
  uint64_t rng_ ABSL_GUARDED_BY(mu_);
  StackStats stats_ ABSL_GUARDED_BY(mu_);
  // Endpoints whose waiters must run once mu_ is released.
  std::vector<std::pair<std::weak_ptr<Endpoint>, uint32_t>> notify_ ABSL_GUARDED_BY(mu_);

  // Bound TCP endpoints by local port (raw pointers: an endpoint removes
  // itself before it dies, and the Stack holds a reference while it listens).
  std::map<uint16_t, std::vector<TcpEndpoint*>> tcp_ports_ ABSL_GUARDED_BY(mu_);
  // Listening endpoints (the Stack's reference while they listen).
  std::map<TcpEndpoint*, std::shared_ptr<TcpEndpoint>> tcp_listeners_ ABSL_GUARDED_BY(mu_);
  // Connected, connecting and closing TCP endpoints.
  std::map<ConnKey, std::shared_ptr<TcpEndpoint>> tcp_conns_ ABSL_GUARDED_BY(mu_);
  // Bound UDP endpoints by local port; the Stack's reference while bound.
  std::map<uint16_t, std::vector<std::shared_ptr<UdpEndpoint>>> udp_ports_ ABSL_GUARDED_BY(mu_);
  uint16_t next_ephemeral_ ABSL_GUARDED_BY(mu_);

  absl::Mutex rx_mu_ ABSL_ACQUIRED_AFTER(mu_);
  std::deque<std::pair<NicId, Buffer>> rx_queue_ ABSL_GUARDED_BY(rx_mu_);
};

// Scoped entry into the Stack: locks mu_, and on exit processes queued
// frames, releases mu_ and then runs the waiter notifications. Every public
// entry point (Stack's and endpoints') uses it instead of a bare MutexLock.
class ABSL_SCOPED_LOCKABLE StackOp {
 public:
  explicit StackOp(Stack* s) ABSL_EXCLUSIVE_LOCK_FUNCTION(s->mu_);
  ~StackOp() ABSL_UNLOCK_FUNCTION();
  StackOp(const StackOp&) = delete;
  StackOp& operator=(const StackOp&) = delete;

 private:
  Stack* const s_;
  Stack* const prev_;  // outer Stack on this thread (a different stack), if any
};

}  // namespace sb::netstack

#endif  // SB_NETSTACK_STACK_H_
