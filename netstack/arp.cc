// netstack/arp.cc: see arp.h.
#include "netstack/arp.h"

#include <algorithm>

namespace sb::netstack {

Buffer EncodeArp(const ArpPacket& p) {
  Buffer out(kArpSize);
  Store16(&out[0], 1);       // hardware: Ethernet
  Store16(&out[2], 0x0800);  // protocol: IPv4
  out[4] = 6;
  out[5] = 4;
  Store16(&out[6], p.op);
  std::copy(p.sender_mac.b.begin(), p.sender_mac.b.end(), &out[8]);
  Store32(&out[14], p.sender_ip.v4());
  std::copy(p.target_mac.b.begin(), p.target_mac.b.end(), &out[18]);
  Store32(&out[24], p.target_ip.v4());
  return out;
}

std::optional<ArpPacket> ParseArp(View d) {
  if (d.size() < kArpSize) return std::nullopt;
  if (Load16(&d[0]) != 1 || Load16(&d[2]) != 0x0800 || d[4] != 6 || d[5] != 4) {
    return std::nullopt;
  }
  ArpPacket p;
  p.op = Load16(&d[6]);
  std::copy(&d[8], &d[14], p.sender_mac.b.begin());
  p.sender_ip = IpAddress::V4FromBytes(&d[14]);
  std::copy(&d[18], &d[24], p.target_mac.b.begin());
  p.target_ip = IpAddress::V4FromBytes(&d[24]);
  return p;
}

std::optional<MacAddress> NeighborCache::Lookup(const IpAddress& ip, absl::Time now) const {
  auto it = entries_.find(ip);
  if (it == entries_.end() || !it->second.mac) return std::nullopt;
  if (!it->second.is_static && now >= it->second.expires) return std::nullopt;
  return it->second.mac;
}

bool NeighborCache::Enqueue(const IpAddress& ip, Buffer pkt, absl::Time now) {
  Entry& e = entries_[ip];
  if (e.pending.size() >= kMaxPending) e.pending.pop_front();
  e.pending.push_back(std::move(pkt));
  if (e.next_request != absl::InfiniteFuture()) return false;  // already resolving
  e.mac.reset();
  e.requests = 1;
  e.next_request = now + kRetransmit;
  return true;
}

std::vector<Buffer> NeighborCache::Learn(const IpAddress& ip, const MacAddress& mac,
                                         absl::Time now) {
  Entry& e = entries_[ip];
  if (e.is_static) return {};
  e.mac = mac;
  e.expires = now + kReachableTime;
  e.requests = 0;
  e.next_request = absl::InfiniteFuture();
  std::vector<Buffer> out(std::make_move_iterator(e.pending.begin()),
                          std::make_move_iterator(e.pending.end()));
  e.pending.clear();
  return out;
}

void NeighborCache::AddStatic(const IpAddress& ip, const MacAddress& mac) {
  Entry& e = entries_[ip];
  e.mac = mac;
  e.is_static = true;
}

std::vector<IpAddress> NeighborCache::Expire(absl::Time now) {
  std::vector<IpAddress> resend;
  for (auto it = entries_.begin(); it != entries_.end();) {
    Entry& e = it->second;
    if (now >= e.next_request) {
      if (e.requests >= kMaxRequests) {
        it = entries_.erase(it);  // unreachable: drop waiting packets
        continue;
      }
      ++e.requests;
      e.next_request = now + kRetransmit;
      resend.push_back(it->first);
    } else if (!e.is_static && e.mac && now >= e.expires && e.pending.empty()) {
      it = entries_.erase(it);
      continue;
    }
    ++it;
  }
  return resend;
}

absl::Time NeighborCache::NextDeadline() const {
  absl::Time t = absl::InfiniteFuture();
  for (const auto& [ip, e] : entries_) t = std::min(t, e.next_request);
  return t;
}

}  // namespace sb::netstack
