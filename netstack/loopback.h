// netstack/loopback.h: the loopback link. Every transmitted packet is
// delivered straight back to the same Stack (which queues it and processes it
// before the current Stack call returns, so there is no recursion).
#ifndef SB_NETSTACK_LOOPBACK_H_
#define SB_NETSTACK_LOOPBACK_H_

#include <atomic>

#include "netstack/link_endpoint.h"

namespace sb::netstack {

class LoopbackEndpoint final : public LinkEndpoint {
 public:
  static constexpr uint32_t kMtu = 65536;
  LinkKind kind() const override { return LinkKind::kLoopback; }
  uint32_t mtu() const override { return kMtu; }
  MacAddress mac() const override { return {}; }
  // Called once before any WritePacket.
  void Attach(NetworkDispatcher* d, NicId id) override {
    dispatcher_ = d;
    id_ = id;
  }
  bool WritePacket(Buffer frame) override {
    packets_.fetch_add(1, std::memory_order_relaxed);
    dispatcher_->DeliverFrame(id_, std::move(frame));
    return true;
  }
  uint64_t packets() const { return packets_.load(std::memory_order_relaxed); }

 private:
  // Immutable after Attach (which happens before the NIC is used).
  NetworkDispatcher* dispatcher_ = nullptr;
  NicId id_ = 0;
  std::atomic<uint64_t> packets_{0};
};

}  // namespace sb::netstack

#endif  // SB_NETSTACK_LOOPBACK_H_
