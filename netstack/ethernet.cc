// netstack/ethernet.cc: see ethernet.h.
#include "netstack/ethernet.h"

#include <algorithm>

namespace sb::netstack {

Buffer EncodeEthernet(const EthernetHeader& h, View payload) {
  Buffer out(kEthernetHeaderSize + payload.size());
  std::copy(h.dst.b.begin(), h.dst.b.end(), out.begin());
  std::copy(h.src.b.begin(), h.src.b.end(), out.begin() + 6);
  Store16(&out[12], h.type);
  std::copy(payload.begin(), payload.end(), out.begin() + kEthernetHeaderSize);
  return out;
}

std::optional<EthernetHeader> ParseEthernet(View frame, View* payload) {
  if (frame.size() < kEthernetHeaderSize) return std::nullopt;
  EthernetHeader h;
  std::copy(frame.begin(), frame.begin() + 6, h.dst.b.begin());
  std::copy(frame.begin() + 6, frame.begin() + 12, h.src.b.begin());
  h.type = Load16(&frame[12]);
  *payload = frame.subspan(kEthernetHeaderSize);
  return h;
}

}  // namespace sb::netstack
