// netstack/udp.h: UDP (RFC 768) endpoints.
//
// A UdpEndpoint is created by Stack::NewEndpoint; its state is guarded by
// the owning Stack's mu_. While bound, the Stack's udp_ports_ table holds a
// reference to it; Close() removes that. Bind sharing follows Linux: two
// sockets may share a port if both set SO_REUSEADDR or both set
// SO_REUSEPORT; a datagram goes to the most specific match, and among equal
// SO_REUSEPORT matches to one chosen by a hash of the sender.
#ifndef SB_NETSTACK_UDP_H_
#define SB_NETSTACK_UDP_H_

#include <deque>
#include <optional>

#include "netstack/endpoint.h"
#include "netstack/stack.h"

namespace sb::netstack {

inline constexpr size_t kUdpHeaderSize = 8;

class UdpEndpoint final : public Endpoint {
 public:
  UdpEndpoint(Stack* stack, Family family);
  ~UdpEndpoint() override;

  Transport transport() const override { return Transport::kUdp; }
  Error Bind(const FullAddress& addr) override ABSL_LOCKS_EXCLUDED(stack_->mu_);
  Error Listen(int backlog) override { return Error::kNotSupported; }
  Result<std::shared_ptr<Endpoint>> Accept(FullAddress* peer) override {
    return Error::kNotSupported;
  }
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

 private:
  friend class Stack;

  // How well this endpoint matches an incoming datagram: -1 no match; higher
  // is more specific (bound address, connected peer).
  int MatchLocked(const IpAddress& src, uint16_t sport, const IpAddress& dst) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(stack_->mu_);
  void DeliverLocked(const FullAddress& from, View data) ABSL_EXCLUSIVE_LOCKS_REQUIRED(stack_->mu_);
  void SetErrorLocked(Error e) ABSL_EXCLUSIVE_LOCKS_REQUIRED(stack_->mu_);
  Error BindLocked(const FullAddress& addr) ABSL_EXCLUSIVE_LOCKS_REQUIRED(stack_->mu_);
  uint32_t ReadinessLocked() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(stack_->mu_);

  Stack* const stack_;  // outlives every endpoint it created
  const Family family_;

  struct Datagram {
    FullAddress from;
    Buffer data;
  };
  bool bound_ ABSL_GUARDED_BY(stack_->mu_) = false;
  FullAddress local_ ABSL_GUARDED_BY(stack_->mu_);
  std::optional<FullAddress> remote_ ABSL_GUARDED_BY(stack_->mu_);
  std::deque<Datagram> rcvq_ ABSL_GUARDED_BY(stack_->mu_);
  size_t rcvq_bytes_ ABSL_GUARDED_BY(stack_->mu_) = 0;
  size_t rcv_limit_ ABSL_GUARDED_BY(stack_->mu_);
  bool reuse_addr_ ABSL_GUARDED_BY(stack_->mu_) = false;
  bool reuse_port_ ABSL_GUARDED_BY(stack_->mu_) = false;
  bool v6only_ ABSL_GUARDED_BY(stack_->mu_) = false;  // IPV6_V6ONLY
  uint8_t ttl_ ABSL_GUARDED_BY(stack_->mu_) = kDefaultTtl;
  Error soft_error_ ABSL_GUARDED_BY(stack_->mu_) = Error::kOk;
  bool shut_read_ ABSL_GUARDED_BY(stack_->mu_) = false;
  bool shut_write_ ABSL_GUARDED_BY(stack_->mu_) = false;
  bool closed_ ABSL_GUARDED_BY(stack_->mu_) = false;
};

}  // namespace sb::netstack

#endif  // SB_NETSTACK_UDP_H_
