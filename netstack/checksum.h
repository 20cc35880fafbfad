// netstack/checksum.h: the Internet checksum (RFC 1071) and the IPv4/IPv6
// pseudo-header sums used by UDP, TCP and ICMPv6. Pure functions; called by
// every protocol that builds or validates a checksum.
#ifndef SB_NETSTACK_CHECKSUM_H_
#define SB_NETSTACK_CHECKSUM_H_

#include <cstdint>

#include "netstack/address.h"
#include "netstack/buffer.h"

namespace sb::netstack {

// Adds `data` to a running 32-bit one's-complement sum (not folded).
uint32_t ChecksumAdd(uint32_t sum, View data);
// Folds and complements a running sum into the 16-bit checksum field value.
uint16_t ChecksumFinish(uint32_t sum);
// Checksum of `data` alone (IPv4 header, ICMPv4).
inline uint16_t Checksum(View data) { return ChecksumFinish(ChecksumAdd(0, data)); }
// Sum of the pseudo-header for a transport protocol (not folded).
uint32_t PseudoHeaderSum(const IpAddress& src, const IpAddress& dst, uint8_t protocol,
                         uint32_t length);
// Checksum of a transport segment `seg` (checksum field included as is).
// Building: zero the field, store the result. Validating: result must be 0.
uint16_t TransportChecksum(const IpAddress& src, const IpAddress& dst, uint8_t protocol, View seg);

}  // namespace sb::netstack

#endif  // SB_NETSTACK_CHECKSUM_H_
