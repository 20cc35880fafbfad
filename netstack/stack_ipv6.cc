// netstack/stack_ipv6.cc: the Stack's IPv6 layer: input filtering and
// dispatch, ICMPv6 echo and errors, neighbour discovery (solicitations and
// advertisements over the shared NeighborCache), and IPv6 output on a NIC.
#include "netstack/ethernet.h"
#include "netstack/ipv4.h"
#include "netstack/ipv6.h"
#include "netstack/stack.h"

namespace sb::netstack {

void Stack::HandleIpv6Locked(Nic& nic, View packet) {
  View payload;
  auto h = ParseIpv6(packet, &payload);
  if (!h) {
    ++stats_.ip_malformed;
    return;
  }
  ++stats_.ip_in;
  bool ours = IsLocalAddressLocked(h->dst) || h->dst == AllNodesMulticast() ||
              (nic.link->kind() == LinkKind::kLoopback && h->dst.IsLoopback());
  for (const Subnet& s : nic.addresses) {
    if (s.addr.is_v6() && h->dst == SolicitedNodeMulticast(s.addr)) ours = true;
  }
  if (!ours) return;
  switch (h->next_header) {
    case kProtoIcmpv6:
      HandleIcmpv6Locked(nic, h->src, h->dst, h->hop_limit, payload);
      break;
    case kProtoTcp:
      HandleTcpLocked(h->src, h->dst, payload);
      break;
    case kProtoUdp:
      if (!HandleUdpLocked(h->src, h->dst, payload) && !h->dst.IsMulticast()) {
        ++stats_.udp_no_port;
        SendIcmpv6ErrorLocked(packet, kIcmpv6DestUnreachable, kIcmpv6PortUnreachable);
      }
      break;
    default:
      break;  // parameter problem (unknown next header): not yet
  }
}

void Stack::HandleIcmpv6Locked(Nic& nic, const IpAddress& src, const IpAddress& dst,
                               uint8_t hop_limit, View payload) {
  auto m = ParseIcmpv6(payload, src, dst);
  if (!m) return;
  ++stats_.icmpv6_in;
  absl::Time now = opts_.clock->Now();
  switch (m->type) {
    case kIcmpv6EchoRequest: {
      if (dst.IsMulticast()) return;
      Icmpv6Message reply{kIcmpv6EchoReply, 0, m->rest, m->body};
      ++stats_.icmp_echo_replies_out;
      (void)SendIpLocked(dst, src, kProtoIcmpv6, EncodeIcmpv6(reply, dst, src));
      return;
    }
    case kIcmpv6NeighborSolicit: {
      // RFC 4861 7.1.1: hop limit 255 proves the sender is on the link.
      if (hop_limit != kNdpHopLimit || m->code != 0) return;
      auto ns = ParseNdpBody(m->body, /*advert=*/false);
      if (!ns) return;
      bool mine = false;
      for (const Subnet& s : nic.addresses) mine |= s.addr == ns->target;
      if (!mine) return;
      bool dad = src.IsAny();  // duplicate address detection probe
      if (!dad && ns->link_addr) {
        FlushPendingLocked(nic, *ns->link_addr, nic.neighbors.Learn(src, *ns->link_addr, now));
      }
      IpAddress to = dad ? AllNodesMulticast() : src;
      Icmpv6Message na{kIcmpv6NeighborAdvert, 0, (dad ? 0 : kNaSolicited) | kNaOverride,
                       EncodeNdpBody({ns->target, nic.link->mac()}, /*advert=*/true)};
      Ipv6Header h;
      h.next_header = kProtoIcmpv6;
      h.hop_limit = kNdpHopLimit;
      h.src = ns->target;
      h.dst = to;
      ++stats_.ndp_adverts_out;
      TransmitIpv6Locked(nic, to, EncodeIpv6(h, EncodeIcmpv6(na, h.src, h.dst)));
      return;
    }
    case kIcmpv6NeighborAdvert: {
      if (hop_limit != kNdpHopLimit || m->code != 0) return;
      auto na = ParseNdpBody(m->body, /*advert=*/true);
      if (!na || !na->link_addr) return;
      FlushPendingLocked(nic, *na->link_addr, nic.neighbors.Learn(na->target, *na->link_addr, now));
      return;
    }
    case kIcmpv6DestUnreachable:
    case kIcmpv6TimeExceeded: {
      // The body holds the offending packet: fixed header, then transport.
      View body(m->body);
      if (body.size() < kIpv6HeaderSize + 4 || (body[0] >> 4) != 6) return;
      IpAddress inner_src = IpAddress::V6FromBytes(&body[8]);
      IpAddress inner_dst = IpAddress::V6FromBytes(&body[24]);
      Error err = Error::kHostUnreachable;
      if (m->type == kIcmpv6DestUnreachable) {
        if (m->code == kIcmpv6PortUnreachable) err = Error::kConnectionRefused;
        if (m->code == kIcmpv6NoRoute) err = Error::kNetworkUnreachable;
      }
      HandleTransportErrorLocked(body[6], inner_src, inner_dst, body.subspan(kIpv6HeaderSize), err);
      return;
    }
    default:
      return;  // packet too big (path MTU), router advertisements: not yet
  }
}

void Stack::SendNeighborSolicitLocked(Nic& nic, const IpAddress& target) {
  auto src = SourceAddressLocked(nic, Family::kV6, target);
  if (!src) return;
  IpAddress dst = SolicitedNodeMulticast(target);
  Icmpv6Message ns{kIcmpv6NeighborSolicit, 0, 0,
                   EncodeNdpBody({target, nic.link->mac()}, /*advert=*/false)};
  Ipv6Header h;
  h.next_header = kProtoIcmpv6;
  h.hop_limit = kNdpHopLimit;
  h.src = *src;
  h.dst = dst;
  ++stats_.ndp_solicits_out;
  WriteFrameLocked(nic, EncodeEthernet({MulticastMac(dst), nic.link->mac(), kEtherTypeIpv6},
                                       EncodeIpv6(h, EncodeIcmpv6(ns, h.src, h.dst))));
}

void Stack::TransmitIpv6Locked(Nic& nic, const IpAddress& next_hop, Buffer packet) {
  ++stats_.ip_out;
  if (nic.link->kind() == LinkKind::kLoopback) {
    WriteFrameLocked(nic, std::move(packet));
    return;
  }
  MacAddress dst_mac;
  if (next_hop.IsMulticast()) {
    dst_mac = MulticastMac(next_hop);
  } else {
    absl::Time now = opts_.clock->Now();
    auto mac = nic.neighbors.Lookup(next_hop, now);
    if (!mac) {
      if (nic.neighbors.Enqueue(next_hop, std::move(packet), now)) {
        SendNeighborSolicitLocked(nic, next_hop);
      }
      return;
    }
    dst_mac = *mac;
  }
  WriteFrameLocked(nic, EncodeEthernet({dst_mac, nic.link->mac(), kEtherTypeIpv6}, packet));
}

void Stack::SendIcmpv6ErrorLocked(View offending, uint8_t type, uint8_t code) {
  if (offending.size() < kIpv6HeaderSize) return;
  IpAddress src = IpAddress::V6FromBytes(&offending[8]);
  IpAddress dst = IpAddress::V6FromBytes(&offending[24]);
  // RFC 4443 2.4(e): never to unspecified or multicast sources.
  if (src.IsAny() || src.IsMulticast() || dst.IsMulticast()) return;
  // As much of the offending packet as fits in the minimum MTU.
  size_t n = std::min(offending.size(), kIpv6MinMtu - kIpv6HeaderSize - 8);
  Icmpv6Message m{type, code, 0, Buffer(offending.begin(), offending.begin() + n)};
  ++stats_.icmp_unreachable_out;
  (void)SendIpLocked(dst, src, kProtoIcmpv6, EncodeIcmpv6(m, dst, src));
}

}  // namespace sb::netstack
