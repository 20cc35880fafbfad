// netstack/tcp_segment.cc: see tcp_segment.h.
#include "netstack/tcp_segment.h"

#include <algorithm>

#include "netstack/checksum.h"
#include "netstack/ipv4.h"

namespace sb::netstack {
namespace {

constexpr uint8_t kOptEnd = 0, kOptNop = 1, kOptMss = 2, kOptWs = 3, kOptSackOk = 4, kOptSack = 5,
                  kOptTs = 8;

void EncodeOptions(const TcpOptions& o, Buffer& out) {
  if (o.mss) {
    out.insert(out.end(),
               {kOptMss, 4, static_cast<uint8_t>(*o.mss >> 8), static_cast<uint8_t>(*o.mss)});
  }
  if (o.window_scale) out.insert(out.end(), {kOptNop, kOptWs, 3, *o.window_scale});
  if (o.sack_permitted) out.insert(out.end(), {kOptNop, kOptNop, kOptSackOk, 2});
  if (o.timestamp) {
    out.insert(out.end(), {kOptNop, kOptNop, kOptTs, 10});
    size_t at = out.size();
    out.resize(at + 8);
    Store32(&out[at], o.timestamp->first);
    Store32(&out[at + 4], o.timestamp->second);
  }
  if (!o.sack.empty()) {
    size_t n = std::min<size_t>(o.sack.size(), o.timestamp ? 3 : 4);
    out.insert(out.end(), {kOptNop, kOptNop, kOptSack, static_cast<uint8_t>(2 + 8 * n)});
    for (size_t i = 0; i < n; ++i) {
      size_t at = out.size();
      out.resize(at + 8);
      Store32(&out[at], o.sack[i].start);
      Store32(&out[at + 4], o.sack[i].end);
    }
  }
  while (out.size() % 4) out.push_back(kOptEnd);
}

}  // namespace

size_t TcpOptionsSize(const TcpOptions& o) {
  Buffer b;
  EncodeOptions(o, b);
  return b.size();
}

Buffer EncodeTcp(const TcpSegment& s, const IpAddress& src, const IpAddress& dst) {
  Buffer opts;
  EncodeOptions(s.options, opts);
  size_t hlen = kTcpHeaderSize + opts.size();
  Buffer out(hlen + s.payload.size());
  Store16(&out[0], s.src_port);
  Store16(&out[2], s.dst_port);
  Store32(&out[4], s.seq);
  Store32(&out[8], s.ack);
  out[12] = static_cast<uint8_t>((hlen / 4) << 4);
  out[13] = s.flags;
  Store16(&out[14], s.window);
  std::copy(opts.begin(), opts.end(), out.begin() + kTcpHeaderSize);
  std::copy(s.payload.begin(), s.payload.end(), out.begin() + hlen);
  Store16(&out[16], TransportChecksum(src, dst, kProtoTcp, out));
  return out;
}

std::optional<TcpSegment> ParseTcp(View d, const IpAddress& src, const IpAddress& dst) {
  if (d.size() < kTcpHeaderSize) return std::nullopt;
  size_t hlen = static_cast<size_t>(d[12] >> 4) * 4;
  if (hlen < kTcpHeaderSize || hlen > d.size()) return std::nullopt;
  if (TransportChecksum(src, dst, kProtoTcp, d) != 0) return std::nullopt;
  TcpSegment s;
  s.src_port = Load16(&d[0]);
  s.dst_port = Load16(&d[2]);
  s.seq = Load32(&d[4]);
  s.ack = Load32(&d[8]);
  s.flags = d[13];
  s.window = Load16(&d[14]);
  s.payload = d.subspan(hlen);
  for (size_t i = kTcpHeaderSize; i < hlen;) {
    uint8_t kind = d[i];
    if (kind == kOptEnd) break;
    if (kind == kOptNop) {
      ++i;
      continue;
    }
    if (i + 1 >= hlen) break;
    size_t len = d[i + 1];
    if (len < 2 || i + len > hlen) break;  // malformed: ignore the rest
    const uint8_t* p = d.data() + i + 2;
    if (kind == kOptMss && len == 4) s.options.mss = Load16(p);
    if (kind == kOptWs && len == 3) s.options.window_scale = std::min<uint8_t>(p[0], 14);
    if (kind == kOptSackOk && len == 2) s.options.sack_permitted = true;
    if (kind == kOptTs && len == 10) s.options.timestamp = {Load32(p), Load32(p + 4)};
    if (kind == kOptSack && (len - 2) % 8 == 0) {
      for (size_t j = 0; j + 8 <= len - 2; j += 8) {
        s.options.sack.push_back({Load32(p + j), Load32(p + j + 4)});
      }
    }
    i += len;
  }
  return s;
}

}  // namespace sb::netstack
