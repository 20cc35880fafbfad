// netstack/tcp_endpoint.h: a TCP connection or listener (RFC 9293).
//
// TcpEndpoint implements Endpoint for TCP. Its whole state is guarded by the
// owning Stack's mu_ (see the lock order in stack.h). The code is split by
// concern:
//   tcp_endpoint.cc  user calls: bind/listen/accept/connect/send/recv/close,
//                    options, readiness, TCP_INFO
//   tcp_input.cc     segment arrival: the state machine, ACK processing,
//                    reassembly of out-of-order data, SACK scoreboard
//   tcp_output.cc    segment building and sending, Nagle/cork, retransmission
//                    (RFC 6298 RTO), fast retransmit/NewReno, timers
//                    (delayed ACK, persist, keepalive, TIME_WAIT)
// While connected or closing, the Stack's tcp_conns_ holds a reference, so
// an endpoint finishes its FIN/TIME_WAIT handshake after the user's Close().
//
// Saving (later): a listener or bound socket is fully described by
// local_, options and backlog_; those fields are kept plain for that reason.
#ifndef SB_NETSTACK_TCP_ENDPOINT_H_
#define SB_NETSTACK_TCP_ENDPOINT_H_

#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "netstack/endpoint.h"
#include "netstack/stack.h"
#include "netstack/tcp_congestion.h"
#include "netstack/tcp_segment.h"

namespace sb::netstack {

enum class TcpState {
  kClosed,
  kListen,
  kSynSent,
  kSynReceived,
  kEstablished,
  kFinWait1,
  kFinWait2,
  kCloseWait,
  kClosing,
  kLastAck,
  kTimeWait,
};
std::string_view TcpStateName(TcpState s);

// A subset of Linux's struct tcp_info; times in microseconds.
struct TcpInfo {
  TcpState state = TcpState::kClosed;
  uint32_t rto_us = 0;
  uint32_t rtt_us = 0;
  uint32_t rttvar_us = 0;
  uint32_t snd_mss = 0;
  uint32_t rcv_mss = 0;
  uint32_t snd_cwnd = 0;  // in segments, like Linux
  uint32_t snd_ssthresh = 0;
  uint32_t unacked = 0;      // segments in flight
  uint32_t sacked = 0;       // bytes SACKed by the peer above snd_una
  uint32_t retransmits = 0;  // consecutive timeouts now
  uint32_t total_retrans = 0;
  uint8_t snd_wscale = 0;
  uint8_t rcv_wscale = 0;
  bool timestamps = false;
  bool sack = false;
  uint32_t snd_wnd = 0;
  uint32_t rcv_wnd = 0;
};

class TcpEndpoint final : public Endpoint {
 public:
  TcpEndpoint(Stack* stack, Family family);
  ~TcpEndpoint() override;

  Transport transport() const override { return Transport::kTcp; }
  Error Bind(const FullAddress& addr) override ABSL_LOCKS_EXCLUDED(stack_->mu_);
  Error Listen(int backlog) override ABSL_LOCKS_EXCLUDED(stack_->mu_);
  Result<std::shared_ptr<Endpoint>> Accept(FullAddress* peer) override
      ABSL_LOCKS_EXCLUDED(stack_->mu_);
  Error Connect(const FullAddress& addr) override ABSL_LOCKS_EXCLUDED(stack_->mu_);
  Result<size_t> Send(View data, const SendOptions& opts) override ABSL_LOCKS_EXCLUDED(stack_->mu_);
  Result<size_t> Recv(absl::Span<uint8_t> out, const RecvOptions& opts, FullAddress* from) override
      ABSL_LOCKS_EXCLUDED(stack_->mu_);
  Error Shutdown(ShutdownHow how) override ABSL_LOCKS_EXCLUDED(stack_->mu_);
  void Close() override ABSL_LOCKS_EXCLUDED(stack_->mu_);
  Result<FullAddress> GetLocalAddress() override ABSL_LOCKS_EXCLUDED(stack_->mu_);
  Result<FullAddress> GetRemoteAddress() override ABSL_LOCKS_EXCLUDED(stack_->mu_);
  Error SetOption(SocketOption opt, int value) override ABSL_LOCKS_EXCLUDED(stack_->mu_);
  Result<int> GetOption(SocketOption opt) override ABSL_LOCKS_EXCLUDED(stack_->mu_);
  uint32_t Readiness() override ABSL_LOCKS_EXCLUDED(stack_->mu_);
  Result<EndpointSnapshot> Snapshot() override ABSL_LOCKS_EXCLUDED(stack_->mu_);

  TcpState state() ABSL_LOCKS_EXCLUDED(stack_->mu_);
  TcpInfo GetTcpInfo() ABSL_LOCKS_EXCLUDED(stack_->mu_);

 private:
  friend class Stack;

  // --- tcp_endpoint.cc ---
  Error BindLocked(const FullAddress& addr) ABSL_EXCLUSIVE_LOCKS_REQUIRED(stack_->mu_);
  uint32_t ReadinessLocked() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(stack_->mu_);
  void NotifyLocked(uint32_t events) ABSL_EXCLUSIVE_LOCKS_REQUIRED(stack_->mu_);
  ConnKey KeyLocked() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(stack_->mu_);
  // Moves to CLOSED, drops the Stack's references, records `err` for the user.
  void TerminateLocked(Error err) ABSL_EXCLUSIVE_LOCKS_REQUIRED(stack_->mu_);
  void SetStateLocked(TcpState s) ABSL_EXCLUSIVE_LOCKS_REQUIRED(stack_->mu_);
  // Sets up window, MSS and option fields for a new connection.
  void InitConnectionLocked(uint32_t mtu) ABSL_EXCLUSIVE_LOCKS_REQUIRED(stack_->mu_);

  // --- tcp_input.cc ---
  void HandleSegmentLocked(const TcpSegment& seg) ABSL_EXCLUSIVE_LOCKS_REQUIRED(stack_->mu_);
  // A listener got a segment with no connection: SYN makes a child.
  void HandleListenLocked(const IpAddress& src, const IpAddress& dst, const TcpSegment& seg)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(stack_->mu_);
  void HandleSynSentLocked(const TcpSegment& seg) ABSL_EXCLUSIVE_LOCKS_REQUIRED(stack_->mu_);
  // Returns false if the segment must be dropped after the ACK field.
  bool HandleAckLocked(const TcpSegment& seg) ABSL_EXCLUSIVE_LOCKS_REQUIRED(stack_->mu_);
  void HandleDataLocked(const TcpSegment& seg) ABSL_EXCLUSIVE_LOCKS_REQUIRED(stack_->mu_);
  void HandleFinLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(stack_->mu_);
  void ProcessOptionsLocked(const TcpSegment& seg) ABSL_EXCLUSIVE_LOCKS_REQUIRED(stack_->mu_);
  void UpdateSackScoreboardLocked(const std::vector<SackBlock>& blocks)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(stack_->mu_);
  void RttSampleLocked(absl::Duration r) ABSL_EXCLUSIVE_LOCKS_REQUIRED(stack_->mu_);
  void HandleIcmpErrorLocked(Error e) ABSL_EXCLUSIVE_LOCKS_REQUIRED(stack_->mu_);
  // The child finished its handshake: queue it on the listener.
  void ChildEstablishedLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(stack_->mu_);

  // --- tcp_output.cc ---
  // Sends new data (and FIN) as window, cwnd, Nagle and cork allow.
  void OutputLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(stack_->mu_);
  void SendSegmentLocked(uint32_t seq, uint8_t flags, View payload)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(stack_->mu_);
  void SendAckLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(stack_->mu_);
  void SendSynLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(stack_->mu_);
  void SendResetLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(stack_->mu_);
  // ACK now or arm the delayed-ACK timer (RFC 1122 4.2.3.2).
  void ScheduleAckLocked(bool immediate) ABSL_EXCLUSIVE_LOCKS_REQUIRED(stack_->mu_);
  // Resends `len` bytes (at most one segment) from `seq`.
  void RetransmitLocked(uint32_t seq) ABSL_EXCLUSIVE_LOCKS_REQUIRED(stack_->mu_);
  // First sequence number at or above `from` that the peer has not SACKed.
  uint32_t NextUnsackedLocked(uint32_t from) const ABSL_EXCLUSIVE_LOCKS_REQUIRED(stack_->mu_);
  void ArmRtoLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(stack_->mu_);
  uint32_t ReceiveWindowLocked() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(stack_->mu_);
  // Window value to put in the next segment (scaled, never shrinking).
  uint16_t AdvertisedWindowLocked(bool syn) ABSL_EXCLUSIVE_LOCKS_REQUIRED(stack_->mu_);
  std::vector<SackBlock> SackBlocksLocked() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(stack_->mu_);
  uint32_t TimestampNowLocked() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(stack_->mu_);
  void OnTimersLocked(absl::Time now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(stack_->mu_);
  void OnRtoLocked(absl::Time now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(stack_->mu_);
  absl::Time NextDeadlineLocked() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(stack_->mu_);
  // Bytes sent and not yet acknowledged (sequence space, FIN included).
  uint32_t FlightLocked() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(stack_->mu_) {
    return snd_nxt_ - snd_una_;
  }

  Stack* const stack_;  // outlives every endpoint it created
  const Family family_;

  // --- identity; guarded by stack_->mu_ ---
  TcpState state_ ABSL_GUARDED_BY(stack_->mu_) = TcpState::kClosed;
  bool bound_ ABSL_GUARDED_BY(stack_->mu_) = false;       // holds a port in tcp_ports_
  bool registered_ ABSL_GUARDED_BY(stack_->mu_) = false;  // in tcp_conns_
  FullAddress local_ ABSL_GUARDED_BY(stack_->mu_);
  FullAddress remote_ ABSL_GUARDED_BY(stack_->mu_);
  bool user_closed_ ABSL_GUARDED_BY(stack_->mu_) = false;
  Error error_ ABSL_GUARDED_BY(stack_->mu_) = Error::kOk;  // SO_ERROR; cleared when read
  // Set once the connection ended by RST/timeout: later calls report it.
  Error hard_error_ ABSL_GUARDED_BY(stack_->mu_) = Error::kOk;

  // --- listener; guarded by stack_->mu_ ---
  int backlog_ ABSL_GUARDED_BY(stack_->mu_) = 0;
  std::deque<std::shared_ptr<TcpEndpoint>> accept_queue_ ABSL_GUARDED_BY(stack_->mu_);
  int syn_queue_len_ ABSL_GUARDED_BY(stack_->mu_) = 0;  // children in SYN-RECEIVED
  // The listener a child in SYN-RECEIVED belongs to. Weak: the listener may
  // close first, and then the child is reset when its handshake completes.
  std::weak_ptr<TcpEndpoint> parent_ ABSL_GUARDED_BY(stack_->mu_);
  // Created by a listener (passive open) and not yet handed to it.
  bool passive_ ABSL_GUARDED_BY(stack_->mu_) = false;

  // --- options; guarded by stack_->mu_ ---
  bool reuse_addr_ ABSL_GUARDED_BY(stack_->mu_) = false;
  bool reuse_port_ ABSL_GUARDED_BY(stack_->mu_) = false;
  bool v6only_ ABSL_GUARDED_BY(stack_->mu_) = false;  // IPV6_V6ONLY
  bool nodelay_ ABSL_GUARDED_BY(stack_->mu_) = false;
  bool cork_ ABSL_GUARDED_BY(stack_->mu_) = false;
  bool more_ ABSL_GUARDED_BY(stack_->mu_) = false;  // MSG_MORE on the last send
  bool quickack_ ABSL_GUARDED_BY(stack_->mu_) = false;
  bool push_ ABSL_GUARDED_BY(stack_->mu_) = false;  // set while uncorking: bypass Nagle
  bool keepalive_ ABSL_GUARDED_BY(stack_->mu_) = false;
  absl::Duration keep_idle_ ABSL_GUARDED_BY(stack_->mu_) = absl::Hours(2);
  absl::Duration keep_interval_ ABSL_GUARDED_BY(stack_->mu_) = absl::Seconds(75);
  int keep_count_ ABSL_GUARDED_BY(stack_->mu_) = 9;
  uint8_t ttl_ ABSL_GUARDED_BY(stack_->mu_) = kDefaultTtl;
  CongestionAlgorithm congestion_ ABSL_GUARDED_BY(stack_->mu_);
  uint32_t snd_buf_limit_ ABSL_GUARDED_BY(stack_->mu_);
  uint32_t rcv_buf_limit_ ABSL_GUARDED_BY(stack_->mu_);

  // --- send side (RFC 9293 names); guarded by stack_->mu_ ---
  uint32_t iss_ ABSL_GUARDED_BY(stack_->mu_) = 0;
  uint32_t snd_una_ ABSL_GUARDED_BY(stack_->mu_) = 0;
  uint32_t snd_nxt_ ABSL_GUARDED_BY(stack_->mu_) = 0;
  uint32_t snd_max_ ABSL_GUARDED_BY(stack_->mu_) = 0;  // highest sequence ever sent
  uint32_t snd_wnd_ ABSL_GUARDED_BY(stack_->mu_) = 0;  // scaled
  uint32_t snd_wl1_ ABSL_GUARDED_BY(stack_->mu_) = 0;
  uint32_t snd_wl2_ ABSL_GUARDED_BY(stack_->mu_) = 0;
  // Unacknowledged and unsent bytes; front is at snd_una_ (after the SYN).
  std::deque<uint8_t> snd_buf_ ABSL_GUARDED_BY(stack_->mu_);
  bool fin_queued_ ABSL_GUARDED_BY(stack_->mu_) = false;  // shutdown(WR) or close
  uint32_t smss_ ABSL_GUARDED_BY(stack_->mu_) = 536;      // sender MSS (payload bytes)
  uint32_t rmss_ ABSL_GUARDED_BY(stack_->mu_) = 536;      // what we announced
  std::unique_ptr<CongestionControl> cc_ ABSL_GUARDED_BY(stack_->mu_);
  int dupacks_ ABSL_GUARDED_BY(stack_->mu_) = 0;
  bool in_recovery_ ABSL_GUARDED_BY(stack_->mu_) = false;
  uint32_t recover_ ABSL_GUARDED_BY(stack_->mu_) = 0;      // RFC 6582 "recover"
  uint32_t rexmit_next_ ABSL_GUARDED_BY(stack_->mu_) = 0;  // next hole to resend in recovery
  // Peer's SACK scoreboard: disjoint ranges above snd_una_, by start.
  std::map<uint32_t, uint32_t, SeqLess> sacked_ ABSL_GUARDED_BY(stack_->mu_);

  // --- receive side; guarded by stack_->mu_ ---
  uint32_t irs_ ABSL_GUARDED_BY(stack_->mu_) = 0;
  uint32_t rcv_nxt_ ABSL_GUARDED_BY(stack_->mu_) = 0;
  uint32_t rcv_adv_ ABSL_GUARDED_BY(stack_->mu_) = 0;         // right edge last advertised
  std::deque<uint8_t> rcv_buf_ ABSL_GUARDED_BY(stack_->mu_);  // in order, unread
  struct OutOfOrder {
    Buffer data;
    bool fin = false;
  };
  std::map<uint32_t, OutOfOrder, SeqLess> ooo_ ABSL_GUARDED_BY(stack_->mu_);  // by seq
  uint32_t last_ooo_seq_ ABSL_GUARDED_BY(stack_->mu_) = 0;  // for the first SACK block
  bool fin_received_ ABSL_GUARDED_BY(stack_->mu_) = false;
  bool shut_read_ ABSL_GUARDED_BY(stack_->mu_) = false;
  bool shut_write_ ABSL_GUARDED_BY(stack_->mu_) = false;

  // --- negotiated options; guarded by stack_->mu_ ---
  uint8_t snd_wscale_ ABSL_GUARDED_BY(stack_->mu_) = 0;  // peer's shift
  uint8_t rcv_wscale_ ABSL_GUARDED_BY(stack_->mu_) = 0;  // our shift
  bool ws_ok_ ABSL_GUARDED_BY(stack_->mu_) = false;
  bool ts_ok_ ABSL_GUARDED_BY(stack_->mu_) = false;
  bool sack_ok_ ABSL_GUARDED_BY(stack_->mu_) = false;
  uint32_t ts_recent_ ABSL_GUARDED_BY(stack_->mu_) = 0;
  absl::Time ts_base_ ABSL_GUARDED_BY(stack_->mu_);

  // --- RTT and timers (RFC 6298); guarded by stack_->mu_ ---
  bool rtt_valid_ ABSL_GUARDED_BY(stack_->mu_) = false;
  absl::Duration srtt_ ABSL_GUARDED_BY(stack_->mu_);
  absl::Duration rttvar_ ABSL_GUARDED_BY(stack_->mu_);
  absl::Duration rto_ ABSL_GUARDED_BY(stack_->mu_);
  bool rtt_timing_ ABSL_GUARDED_BY(stack_->mu_) = false;  // Karn: one timed segment
  uint32_t rtt_seq_ ABSL_GUARDED_BY(stack_->mu_) = 0;
  absl::Time rtt_start_ ABSL_GUARDED_BY(stack_->mu_);
  int backoff_ ABSL_GUARDED_BY(stack_->mu_) = 0;  // consecutive timeouts
  uint32_t total_retrans_ ABSL_GUARDED_BY(stack_->mu_) = 0;
  absl::Time rto_at_ ABSL_GUARDED_BY(stack_->mu_) = absl::InfiniteFuture();
  absl::Time delack_at_ ABSL_GUARDED_BY(stack_->mu_) = absl::InfiniteFuture();
  int unacked_segs_ ABSL_GUARDED_BY(stack_->mu_) = 0;  // received since our last ACK
  absl::Time persist_at_ ABSL_GUARDED_BY(stack_->mu_) = absl::InfiniteFuture();
  absl::Time keepalive_at_ ABSL_GUARDED_BY(stack_->mu_) = absl::InfiniteFuture();
  int keep_probes_ ABSL_GUARDED_BY(stack_->mu_) = 0;
  absl::Time time_wait_at_ ABSL_GUARDED_BY(stack_->mu_) = absl::InfiniteFuture();
  absl::Time last_recv_ ABSL_GUARDED_BY(stack_->mu_);
};

}  // namespace sb::netstack

#endif  // SB_NETSTACK_TCP_ENDPOINT_H_
