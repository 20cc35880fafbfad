// netstack/ethernet.h: Ethernet II framing. Pure encode/parse functions
// called by Stack for NICs whose link endpoint carries Ethernet frames.
#ifndef SB_NETSTACK_ETHERNET_H_
#define SB_NETSTACK_ETHERNET_H_

#include <optional>

#include "netstack/address.h"
#include "netstack/buffer.h"

namespace sb::netstack {

inline constexpr size_t kEthernetHeaderSize = 14;
inline constexpr uint16_t kEtherTypeIpv4 = 0x0800;
inline constexpr uint16_t kEtherTypeArp = 0x0806;
inline constexpr uint16_t kEtherTypeIpv6 = 0x86dd;

struct EthernetHeader {
  MacAddress dst;
  MacAddress src;
  uint16_t type = 0;
};

// Returns dst|src|type|payload.
Buffer EncodeEthernet(const EthernetHeader& h, View payload);
// Parses the header; `payload` is set to the bytes after it.
std::optional<EthernetHeader> ParseEthernet(View frame, View* payload);

}  // namespace sb::netstack

#endif  // SB_NETSTACK_ETHERNET_H_
