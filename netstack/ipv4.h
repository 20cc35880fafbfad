// netstack/ipv4.h: IPv4 headers (RFC 791), fragmentation and reassembly.
//
// Encode/parse/fragment are pure functions. Reassembler holds fragments
// of incomplete datagrams; Stack owns one and guards it with Stack::mu_.
// Options in received headers are skipped (never interpreted); we never
// send options.
#ifndef SB_NETSTACK_IPV4_H_
#define SB_NETSTACK_IPV4_H_

#include <map>
#include <optional>
#include <tuple>
#include <vector>

#include "absl/time/time.h"
#include "netstack/address.h"
#include "netstack/buffer.h"

namespace sb::netstack {

inline constexpr size_t kIpv4MinHeaderSize = 20;
inline constexpr uint8_t kProtoIcmp = 1;
inline constexpr uint8_t kProtoTcp = 6;
inline constexpr uint8_t kProtoUdp = 17;
inline constexpr uint8_t kProtoIcmpv6 = 58;
inline constexpr uint8_t kDefaultTtl = 64;

struct Ipv4Header {
  uint8_t tos = 0;
  uint16_t total_length = 0;  // filled by Encode
  uint16_t id = 0;
  bool dont_fragment = false;
  bool more_fragments = false;
  uint16_t fragment_offset = 0;  // in bytes (multiple of 8)
  uint8_t ttl = kDefaultTtl;
  uint8_t protocol = 0;
  IpAddress src;
  IpAddress dst;
  size_t header_length = kIpv4MinHeaderSize;  // parsed; options skipped
};

// Returns header (20 bytes, checksum set) + payload.
Buffer EncodeIpv4(const Ipv4Header& h, View payload);
// Validates version, lengths and checksum. On success `payload` is the
// datagram's payload (trailing link padding removed).
std::optional<Ipv4Header> ParseIpv4(View packet, View* payload);
// Splits `payload` into datagrams that fit `mtu`. Returns empty if `h` has DF
// set and it does not fit.
std::vector<Buffer> FragmentIpv4(const Ipv4Header& h, View payload, size_t mtu);

// Collects fragments until a datagram is whole (RFC 815 hole tracking, by
// sorted offsets). Overlapping data keeps the first copy received.
class Reassembler {
 public:
  static constexpr absl::Duration kTimeout = absl::Seconds(30);
  static constexpr size_t kMaxDatagrams = 64;

  // Adds a fragment. Returns the whole payload when the datagram completes.
  std::optional<Buffer> Add(const Ipv4Header& h, View payload, absl::Time now);
  // Drops datagrams older than kTimeout. Returns, for each dropped datagram
  // whose first fragment had arrived, that fragment's header and first 8
  // payload bytes (the body of an ICMP "reassembly time exceeded").
  std::vector<Buffer> Expire(absl::Time now);
  absl::Time NextDeadline() const;
  size_t pending() const { return parts_.size(); }

 private:
  using Key = std::tuple<IpAddress, IpAddress, uint16_t, uint8_t>;
  struct Datagram {
    std::map<size_t, Buffer> pieces;  // by offset
    std::optional<size_t> total;      // known once the last fragment arrives
    absl::Time deadline;
    Buffer first;  // header + 8 bytes of the offset-0 fragment, once seen
  };
  std::map<Key, Datagram> parts_;
};

}  // namespace sb::netstack

#endif  // SB_NETSTACK_IPV4_H_
