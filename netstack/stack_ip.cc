// netstack/stack_ip.cc: the Stack's link and network layers: Ethernet
// dispatch, ARP, IPv4 input/output (with fragmentation and reassembly),
// ICMPv4 echo and errors, routing and source address selection.
#include "netstack/stack.h"

#include "netstack/checksum.h"
#include "netstack/ethernet.h"
#include "netstack/icmp.h"
#include "netstack/ipv4.h"
#include "netstack/ipv6.h"

namespace sb::netstack {

void Stack::HandleFrameLocked(NicId id, const Buffer& frame) {
  Nic* nic = FindNicLocked(id);
  if (nic == nullptr) return;
  ++stats_.frames_in;
  ++nic->rx_packets;
  nic->rx_bytes += frame.size();
  if (nic->link->kind() == LinkKind::kLoopback) {
    if (!frame.empty() && (frame[0] >> 4) == 4) HandleIpv4Locked(*nic, frame);
    if (!frame.empty() && (frame[0] >> 4) == 6) HandleIpv6Locked(*nic, frame);
    return;
  }
  View payload;
  auto eth = ParseEthernet(frame, &payload);
  if (!eth) {
    ++stats_.frames_dropped;
    return;
  }
  MacAddress mine = nic->link->mac();
  if (eth->dst != mine && !eth->dst.IsBroadcast() && !eth->dst.IsMulticast()) {
    ++stats_.frames_dropped;  // not for us (the link may be promiscuous)
    return;
  }
  switch (eth->type) {
    case kEtherTypeArp:
      HandleArpLocked(*nic, payload);
      break;
    case kEtherTypeIpv4:
      HandleIpv4Locked(*nic, payload);
      break;
    case kEtherTypeIpv6:
      HandleIpv6Locked(*nic, payload);
      break;
    default:
      ++stats_.frames_dropped;
      break;
  }
}

void Stack::HandleArpLocked(Nic& nic, View data) {
  auto arp = ParseArp(data);
  if (!arp) return;
  bool for_us = false;
  for (const Subnet& s : nic.addresses) for_us |= s.addr == arp->target_ip;
  absl::Time now = opts_.clock->Now();
  // RFC 826: update the sender's entry; create it only if the packet is for us.
  if (for_us || nic.neighbors.Lookup(arp->sender_ip, now)) {
    FlushPendingLocked(nic, arp->sender_mac,
                       nic.neighbors.Learn(arp->sender_ip, arp->sender_mac, now));
  }
  if (for_us && arp->op == kArpRequest) {
    ArpPacket reply{kArpReply, nic.link->mac(), arp->target_ip, arp->sender_mac, arp->sender_ip};
    ++stats_.arp_replies_out;
    WriteFrameLocked(
        nic, EncodeEthernet({arp->sender_mac, nic.link->mac(), kEtherTypeArp}, EncodeArp(reply)));
  }
}

void Stack::FlushPendingLocked(Nic& nic, const MacAddress& mac, std::vector<Buffer> packets) {
  for (Buffer& pkt : packets) {
    uint16_t type = !pkt.empty() && (pkt[0] >> 4) == 6 ? kEtherTypeIpv6 : kEtherTypeIpv4;
    WriteFrameLocked(nic, EncodeEthernet({mac, nic.link->mac(), type}, pkt));
  }
}

std::optional<IpAddress> Stack::SourceAddressLocked(const Nic& nic, Family family,
                                                    const IpAddress& peer) {
  std::optional<IpAddress> out;
  for (const Subnet& s : nic.addresses) {
    if (s.addr.family() != family) continue;
    if (s.Contains(peer)) return s.addr;
    if (!out) out = s.addr;
  }
  return out;
}

void Stack::SendResolutionLocked(Nic& nic, const IpAddress& target) {
  if (target.is_v6()) {
    SendNeighborSolicitLocked(nic, target);
  } else {
    SendArpRequestLocked(nic, target);
  }
}

void Stack::SendArpRequestLocked(Nic& nic, const IpAddress& target) {
  auto src = SourceAddressLocked(nic, Family::kV4, target);
  if (!src) return;
  ArpPacket req{kArpRequest, nic.link->mac(), *src, MacAddress{}, target};
  ++stats_.arp_requests_out;
  WriteFrameLocked(nic, EncodeEthernet({MacAddress::Broadcast(), nic.link->mac(), kEtherTypeArp},
                                       EncodeArp(req)));
}

void Stack::WriteFrameLocked(Nic& nic, Buffer frame) {
  ++stats_.frames_out;
  const size_t len = frame.size();
  if (!nic.link->WritePacket(std::move(frame))) {
    ++stats_.frames_dropped;
    ++nic.tx_dropped;
    return;
  }
  ++nic.tx_packets;
  nic.tx_bytes += len;
}

void Stack::TransmitIpv4Locked(Nic& nic, const IpAddress& next_hop, Buffer packet) {
  ++stats_.ip_out;
  if (nic.link->kind() == LinkKind::kLoopback) {
    WriteFrameLocked(nic, std::move(packet));
    return;
  }
  MacAddress dst_mac;
  if (next_hop.IsBroadcastV4()) {
    dst_mac = MacAddress::Broadcast();
  } else {
    absl::Time now = opts_.clock->Now();
    auto mac = nic.neighbors.Lookup(next_hop, now);
    if (!mac) {
      if (nic.neighbors.Enqueue(next_hop, std::move(packet), now)) {
        SendArpRequestLocked(nic, next_hop);
      }
      return;
    }
    dst_mac = *mac;
  }
  WriteFrameLocked(nic, EncodeEthernet({dst_mac, nic.link->mac(), kEtherTypeIpv4}, packet));
}

Result<Stack::Route> Stack::FindRouteLocked(const IpAddress& dst) {
  if (!dst.valid()) return Error::kBadAddress;
  // Local destinations (including 127/8 and ::1) go over loopback when we
  // have one.
  if (IsLocalAddressLocked(dst) || dst.IsLoopback()) {
    for (auto& [id, nic] : nics_) {
      if (nic->link->kind() != LinkKind::kLoopback) continue;
      IpAddress local = dst;
      if (!IsLocalAddressLocked(dst)) {
        auto src = SourceAddressLocked(*nic, dst.family(), dst);
        if (!src) break;
        local = *src;
      }
      return Route{nic.get(), dst, local};
    }
  }
  auto r = routes_.Lookup(dst);
  if (!r) return Error::kNetworkUnreachable;
  Nic* nic = FindNicLocked(r->nic);
  if (nic == nullptr) return Error::kNetworkUnreachable;
  Route out{nic, dst, IpAddress()};
  if (r->gateway.valid() && !r->gateway.IsAny()) out.next_hop = r->gateway;
  // Prefer a source address on the next hop's subnet.
  auto src = SourceAddressLocked(*nic, dst.family(), out.next_hop);
  if (!src) return Error::kAddressNotAvailable;
  out.local = *src;
  return out;
}

uint32_t Stack::PathMtuLocked(const IpAddress& dst) {
  auto r = FindRouteLocked(dst);
  return r.ok() ? r->nic->link->mtu() : 0;
}

Error Stack::SendIpLocked(const IpAddress& src, const IpAddress& dst, uint8_t protocol,
                          View payload, uint8_t ttl, bool dont_fragment) {
  if (payload.size() > 65535 - kIpv4MinHeaderSize) return Error::kMessageTooLong;
  auto r = FindRouteLocked(dst);
  if (!r.ok()) return r.error();
  if (dst.is_v6()) {
    // We never fragment IPv6 (transports size their segments by the MTU).
    if (payload.size() + kIpv6HeaderSize > r->nic->link->mtu()) return Error::kMessageTooLong;
    Ipv6Header h6;
    h6.next_header = protocol;
    h6.hop_limit = ttl;
    h6.src = src.valid() && !src.IsAny() ? src : r->local;
    h6.dst = dst;
    TransmitIpv6Locked(*r->nic, r->next_hop, EncodeIpv6(h6, payload));
    return Error::kOk;
  }
  Ipv4Header h;
  h.id = next_ip_id_++;
  h.ttl = ttl;
  h.protocol = protocol;
  h.src = src.valid() && !src.IsAny() ? src : r->local;
  h.dst = dst;
  h.dont_fragment = dont_fragment;
  auto packets = FragmentIpv4(h, payload, r->nic->link->mtu());
  if (packets.empty()) return Error::kMessageTooLong;
  if (packets.size() > 1) stats_.ip_fragments_out += packets.size();
  for (Buffer& p : packets) TransmitIpv4Locked(*r->nic, r->next_hop, std::move(p));
  return Error::kOk;
}

void Stack::HandleIpv4Locked(Nic& nic, View packet) {
  View payload;
  auto h = ParseIpv4(packet, &payload);
  if (!h) {
    ++stats_.ip_malformed;
    return;
  }
  ++stats_.ip_in;
  // We are a host, not a router: accept only our addresses and broadcast.
  bool ours = IsLocalAddressLocked(h->dst) || h->dst.IsBroadcastV4() ||
              (nic.link->kind() == LinkKind::kLoopback && h->dst.IsLoopback());
  if (!ours) {
    for (const Subnet& s : nic.addresses) {
      // Directed broadcast of one of our subnets.
      uint32_t host_mask = s.prefix >= 32 ? 0 : (0xffffffffu >> s.prefix);
      if (s.Contains(h->dst) && host_mask && (h->dst.v4() & host_mask) == host_mask) ours = true;
    }
  }
  if (!ours) return;
  Buffer whole;
  if (h->more_fragments || h->fragment_offset != 0) {
    auto done = reassembler_.Add(*h, payload, opts_.clock->Now());
    if (!done) return;
    ++stats_.ip_reassembled;
    whole = std::move(*done);
    payload = whole;
  }
  switch (h->protocol) {
    case kProtoIcmp:
      HandleIcmpLocked(h->src, h->dst, packet, payload);
      break;
    case kProtoTcp:
      HandleTcpLocked(h->src, h->dst, payload);
      break;
    case kProtoUdp:
      if (!HandleUdpLocked(h->src, h->dst, payload) && !h->dst.IsBroadcastV4()) {
        ++stats_.udp_no_port;
        SendIcmpErrorLocked(packet, kIcmpDestUnreachable, kIcmpPortUnreachable);
      }
      break;
    default:
      SendIcmpErrorLocked(packet, kIcmpDestUnreachable, kIcmpProtoUnreachable);
      break;
  }
}

void Stack::HandleIcmpLocked(const IpAddress& src, const IpAddress& dst, View packet,
                             View payload) {
  auto m = ParseIcmp(payload);
  if (!m) return;
  ++stats_.icmp_in;
  if (m->type == kIcmpEchoRequest) {
    if (dst.IsBroadcastV4()) return;  // do not answer broadcast pings
    IcmpMessage reply = *m;
    reply.type = kIcmpEchoReply;
    reply.code = 0;
    ++stats_.icmp_echo_replies_out;
    (void)SendIpLocked(dst, src, kProtoIcmp, EncodeIcmp(reply));
    return;
  }
  if (m->type != kIcmpDestUnreachable && m->type != kIcmpTimeExceeded) return;
  // The body holds the offending datagram's header and 8 bytes of transport.
  View inner_payload;
  View body(m->body);
  if (body.size() < kIpv4MinHeaderSize) return;
  size_t ihl = static_cast<size_t>(body[0] & 0xf) * 4;
  if ((body[0] >> 4) != 4 || ihl < kIpv4MinHeaderSize || body.size() < ihl + 8) return;
  IpAddress inner_src = IpAddress::V4FromBytes(&body[12]);
  IpAddress inner_dst = IpAddress::V4FromBytes(&body[16]);
  inner_payload = body.subspan(ihl);
  Error err = Error::kHostUnreachable;
  if (m->type == kIcmpDestUnreachable) {
    if (m->code == kIcmpPortUnreachable || m->code == kIcmpProtoUnreachable) {
      err = Error::kConnectionRefused;
    } else if (m->code == kIcmpNetUnreachable) {
      err = Error::kNetworkUnreachable;
    } else if (m->code == kIcmpFragNeeded) {
      return;  // path MTU discovery: not yet (we do not set DF)
    }
  }
  HandleTransportErrorLocked(body[9], inner_src, inner_dst, inner_payload, err);
}

void Stack::SendIcmpErrorLocked(View offending, uint8_t type, uint8_t code) {
  if (offending.size() < kIpv4MinHeaderSize) return;
  IpAddress src = IpAddress::V4FromBytes(&offending[12]);
  IpAddress dst = IpAddress::V4FromBytes(&offending[16]);
  // RFC 1122 3.2.2: never about ICMP errors, broadcasts or non-first fragments.
  if (src.IsAny() || src.IsBroadcastV4() || src.IsMulticast() || dst.IsBroadcastV4()) return;
  if ((Load16(&offending[6]) & 0x1fff) != 0) return;
  if (offending[9] == kProtoIcmp) {
    size_t ihl = static_cast<size_t>(offending[0] & 0xf) * 4;
    if (offending.size() > ihl && offending[ihl] != kIcmpEchoRequest &&
        offending[ihl] != kIcmpEchoReply) {
      return;
    }
  }
  IcmpMessage m{type, code, 0, IcmpErrorBody(offending)};
  ++stats_.icmp_unreachable_out;
  (void)SendIpLocked(dst, src, kProtoIcmp, EncodeIcmp(m));
}

}  // namespace sb::netstack
