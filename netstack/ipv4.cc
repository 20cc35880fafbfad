// netstack/ipv4.cc: see ipv4.h.
#include "netstack/ipv4.h"

#include <algorithm>

#include "netstack/checksum.h"

namespace sb::netstack {

Buffer EncodeIpv4(const Ipv4Header& h, View payload) {
  Buffer out(kIpv4MinHeaderSize + payload.size());
  out[0] = 0x45;
  out[1] = h.tos;
  Store16(&out[2], static_cast<uint16_t>(out.size()));
  Store16(&out[4], h.id);
  uint16_t frag = static_cast<uint16_t>(h.fragment_offset / 8);
  if (h.dont_fragment) frag |= 0x4000;
  if (h.more_fragments) frag |= 0x2000;
  Store16(&out[6], frag);
  out[8] = h.ttl;
  out[9] = h.protocol;
  Store32(&out[12], h.src.v4());
  Store32(&out[16], h.dst.v4());
  Store16(&out[10], Checksum(View(out.data(), kIpv4MinHeaderSize)));
  std::copy(payload.begin(), payload.end(), out.begin() + kIpv4MinHeaderSize);
  return out;
}

std::optional<Ipv4Header> ParseIpv4(View p, View* payload) {
  if (p.size() < kIpv4MinHeaderSize || (p[0] >> 4) != 4) return std::nullopt;
  size_t ihl = static_cast<size_t>(p[0] & 0xf) * 4;
  size_t total = Load16(&p[2]);
  if (ihl < kIpv4MinHeaderSize || total < ihl || total > p.size()) return std::nullopt;
  if (Checksum(p.subspan(0, ihl)) != 0) return std::nullopt;
  Ipv4Header h;
  h.tos = p[1];
  h.total_length = static_cast<uint16_t>(total);
  h.id = Load16(&p[4]);
  uint16_t frag = Load16(&p[6]);
  h.dont_fragment = frag & 0x4000;
  h.more_fragments = frag & 0x2000;
  h.fragment_offset = static_cast<uint16_t>((frag & 0x1fff) * 8);
  h.ttl = p[8];
  h.protocol = p[9];
  h.src = IpAddress::V4FromBytes(&p[12]);
  h.dst = IpAddress::V4FromBytes(&p[16]);
  h.header_length = ihl;
  *payload = p.subspan(ihl, total - ihl);
  return h;
}

std::vector<Buffer> FragmentIpv4(const Ipv4Header& h, View payload, size_t mtu) {
  std::vector<Buffer> out;
  if (payload.size() + kIpv4MinHeaderSize <= mtu) {
    out.push_back(EncodeIpv4(h, payload));
    return out;
  }
  if (h.dont_fragment || mtu < kIpv4MinHeaderSize + 8) return out;
  size_t chunk = (mtu - kIpv4MinHeaderSize) & ~size_t{7};
  for (size_t off = 0; off < payload.size(); off += chunk) {
    size_t n = std::min(chunk, payload.size() - off);
    Ipv4Header f = h;
    f.fragment_offset = static_cast<uint16_t>(h.fragment_offset + off);
    f.more_fragments = h.more_fragments || off + n < payload.size();
    out.push_back(EncodeIpv4(f, payload.subspan(off, n)));
  }
  return out;
}

std::optional<Buffer> Reassembler::Add(const Ipv4Header& h, View payload, absl::Time now) {
  Key key{h.src, h.dst, h.id, h.protocol};
  auto it = parts_.find(key);
  if (it == parts_.end()) {
    if (parts_.size() >= kMaxDatagrams) return std::nullopt;  // under pressure: drop
    it = parts_.emplace(key, Datagram{{}, std::nullopt, now + kTimeout}).first;
  }
  Datagram& d = it->second;
  size_t end = h.fragment_offset + payload.size();
  if (end > 65535) {
    parts_.erase(it);
    return std::nullopt;
  }
  if (!h.more_fragments) d.total = end;
  if (h.fragment_offset == 0 && d.first.empty()) {
    d.first = EncodeIpv4(h, payload.first(std::min<size_t>(8, payload.size())));
  }
  d.pieces.emplace(h.fragment_offset, Buffer(payload.begin(), payload.end()));
  if (!d.total) return std::nullopt;
  // Whole if the pieces cover [0, total) without a hole.
  size_t covered = 0;
  for (const auto& [off, bytes] : d.pieces) {
    if (off > covered) return std::nullopt;
    covered = std::max(covered, off + bytes.size());
  }
  if (covered < *d.total) return std::nullopt;
  Buffer whole(*d.total);
  std::vector<bool> have(*d.total, false);
  for (const auto& [off, bytes] : d.pieces) {
    for (size_t i = 0; i < bytes.size() && off + i < whole.size(); ++i) {
      if (!have[off + i]) {
        whole[off + i] = bytes[i];
        have[off + i] = true;
      }
    }
  }
  parts_.erase(it);
  return whole;
}

std::vector<Buffer> Reassembler::Expire(absl::Time now) {
  std::vector<Buffer> expired;
  for (auto it = parts_.begin(); it != parts_.end();) {
    if (now >= it->second.deadline) {
      if (!it->second.first.empty()) expired.push_back(std::move(it->second.first));
      it = parts_.erase(it);
    } else {
      ++it;
    }
  }
  return expired;
}

absl::Time Reassembler::NextDeadline() const {
  absl::Time t = absl::InfiniteFuture();
  for (const auto& [k, d] : parts_) t = std::min(t, d.deadline);
  return t;
}

}  // namespace sb::netstack
