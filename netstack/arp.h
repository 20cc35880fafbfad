// netstack/arp.h: ARP for IPv4 over Ethernet (RFC 826) and the neighbour
// cache.
//
// ArpPacket encode/parse are pure. NeighborCache maps an IPv4 next hop to a
// MAC address, holds packets waiting for resolution and decides when to
// (re)send requests. One cache per Ethernet NIC, owned by the Stack's Nic and
// guarded by Stack::mu_ (the cache has no lock of its own).
#ifndef SB_NETSTACK_ARP_H_
#define SB_NETSTACK_ARP_H_

#include <deque>
#include <map>
#include <optional>
#include <vector>

#include "absl/time/time.h"
#include "netstack/address.h"
#include "netstack/buffer.h"

namespace sb::netstack {

inline constexpr size_t kArpSize = 28;
inline constexpr uint16_t kArpRequest = 1;
inline constexpr uint16_t kArpReply = 2;

struct ArpPacket {
  uint16_t op = 0;
  MacAddress sender_mac;
  IpAddress sender_ip;
  MacAddress target_mac;
  IpAddress target_ip;
};

Buffer EncodeArp(const ArpPacket& p);
std::optional<ArpPacket> ParseArp(View data);

// A packet (an IPv4 datagram without link header) waiting for its next hop.
struct PendingPacket {
  Buffer ip_packet;
};

class NeighborCache {
 public:
  static constexpr int kMaxRequests = 3;
  static constexpr absl::Duration kRetransmit = absl::Seconds(1);
  static constexpr absl::Duration kReachableTime = absl::Seconds(60);
  static constexpr size_t kMaxPending = 16;

  // Returns the MAC of `ip` if known and fresh.
  std::optional<MacAddress> Lookup(const IpAddress& ip, absl::Time now) const;
  // Queues `pkt` for `ip`. Returns true if a request should be sent now
  // (first packet for an unresolved address).
  bool Enqueue(const IpAddress& ip, Buffer pkt, absl::Time now);
  // Records a mapping learned from ARP. Returns the packets that waited for it.
  std::vector<Buffer> Learn(const IpAddress& ip, const MacAddress& mac, absl::Time now);
  // Adds a permanent entry.
  void AddStatic(const IpAddress& ip, const MacAddress& mac);
  // Timer: returns the addresses that need another request; drops entries
  // (and their packets) that ran out of attempts.
  std::vector<IpAddress> Expire(absl::Time now);
  absl::Time NextDeadline() const;

 private:
  struct Entry {
    std::optional<MacAddress> mac;
    bool is_static = false;
    absl::Time expires = absl::InfiniteFuture();  // resolved: stale after this
    int requests = 0;
    absl::Time next_request = absl::InfiniteFuture();
    std::deque<Buffer> pending;
  };
  std::map<IpAddress, Entry> entries_;
};

}  // namespace sb::netstack

#endif  // SB_NETSTACK_ARP_H_
