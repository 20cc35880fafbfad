// netstack/channel_endpoint.h: a LinkEndpoint whose frames live in memory.
//
// Outbound frames go into a bounded transmit queue that the owner (a test, or
// later a thread pumping a host device) drains with Read(); inbound frames are
// handed to the Stack with Inject(). Thread-safe; mu_ is a leaf lock.
#ifndef SB_NETSTACK_CHANNEL_ENDPOINT_H_
#define SB_NETSTACK_CHANNEL_ENDPOINT_H_

#include <deque>
#include <optional>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "netstack/link_endpoint.h"

namespace sb::netstack {

class ChannelEndpoint final : public LinkEndpoint {
 public:
  ChannelEndpoint(uint32_t mtu, MacAddress mac, LinkKind kind = LinkKind::kEthernet,
                  size_t queue_limit = 1024)
      : mtu_(mtu), mac_(mac), kind_(kind), queue_limit_(queue_limit) {}

  LinkKind kind() const override { return kind_; }
  uint32_t mtu() const override { return mtu_; }
  MacAddress mac() const override { return mac_; }
  void Attach(NetworkDispatcher* d, NicId id) override ABSL_LOCKS_EXCLUDED(mu_);
  bool WritePacket(Buffer frame) override ABSL_LOCKS_EXCLUDED(mu_);

  // Pops the oldest transmitted frame.
  std::optional<Buffer> Read() ABSL_LOCKS_EXCLUDED(mu_);
  size_t QueuedCount() const ABSL_LOCKS_EXCLUDED(mu_);
  void Drain() ABSL_LOCKS_EXCLUDED(mu_);
  // Delivers `frame` to the attached Stack as if it arrived from the wire.
  void Inject(Buffer frame) ABSL_LOCKS_EXCLUDED(mu_);

 private:
  const uint32_t mtu_;
  const MacAddress mac_;
  const LinkKind kind_;
  const size_t queue_limit_;
  mutable absl::Mutex mu_;
  NetworkDispatcher* dispatcher_ ABSL_GUARDED_BY(mu_) = nullptr;  // the Stack; outlives us
  NicId id_ ABSL_GUARDED_BY(mu_) = 0;
  std::deque<Buffer> tx_ ABSL_GUARDED_BY(mu_);
};

}  // namespace sb::netstack

#endif  // SB_NETSTACK_CHANNEL_ENDPOINT_H_
