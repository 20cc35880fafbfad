// netstack/link_endpoint.h: the seam between a Stack and a link.
//
// A LinkEndpoint moves whole frames: the Stack calls WritePacket() to
// transmit, and the endpoint hands received frames to the NetworkDispatcher
// it was attached to (the Stack). Implementations: ChannelEndpoint (frames
// queued in memory, for tests), LoopbackEndpoint; a TAP / AF_PACKET endpoint
// comes later and lives behind this same interface.
//
// Threading: WritePacket() is called with Stack::mu_ held, so it must not
// call back into the Stack except through NetworkDispatcher::DeliverFrame,
// which is safe from any thread (the Stack queues frames delivered while it
// is already running on this thread). A link joining two Stacks in one
// process must not deliver synchronously from WritePacket (that would take
// the second Stack's mu_ under the first's, and the reverse direction would
// deadlock); it must queue and deliver from another thread.
#ifndef SB_NETSTACK_LINK_ENDPOINT_H_
#define SB_NETSTACK_LINK_ENDPOINT_H_

#include <cstdint>

#include "netstack/address.h"
#include "netstack/buffer.h"

namespace sb::netstack {

using NicId = int32_t;

class NetworkDispatcher {
 public:
  virtual ~NetworkDispatcher() = default;
  // A frame arrived on `nic` (with the link header the NIC's endpoint uses).
  virtual void DeliverFrame(NicId nic, Buffer frame) = 0;
};

enum class LinkKind {
  kEthernet,  // frames carry a 14-byte Ethernet header; IPv4 needs ARP
  kLoopback,  // frames are bare IP packets
};

class LinkEndpoint {
 public:
  virtual ~LinkEndpoint() = default;
  virtual LinkKind kind() const = 0;
  // Largest IP packet the link carries (not counting the link header).
  virtual uint32_t mtu() const = 0;
  virtual MacAddress mac() const = 0;
  // Called once by Stack::AddNic; `d` outlives the endpoint's use.
  virtual void Attach(NetworkDispatcher* d, NicId id) = 0;
  // Transmits one frame. Returns false if the transmit queue is full (the
  // frame is dropped, as a full qdisc drops it).
  virtual bool WritePacket(Buffer frame) = 0;
};

}  // namespace sb::netstack

#endif  // SB_NETSTACK_LINK_ENDPOINT_H_
