// netstack/address.h: link and network addresses used across the netstack.
//
// MacAddress (Ethernet), IpAddress (IPv4 or IPv6, by value), FullAddress
// (address + port, what sockets bind and connect to) and Subnet (address +
// prefix length, for routes and interface addresses). Value types; no state.
#ifndef SB_NETSTACK_ADDRESS_H_
#define SB_NETSTACK_ADDRESS_H_

#include <array>
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/types/span.h"

namespace sb::netstack {

struct MacAddress {
  std::array<uint8_t, 6> b{};
  static MacAddress Broadcast() { return {{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}}; }
  bool IsBroadcast() const { return *this == Broadcast(); }
  bool IsMulticast() const { return b[0] & 1; }
  std::string ToString() const;
  auto operator<=>(const MacAddress&) const = default;
};

enum class Family : uint8_t { kNone = 0, kV4 = 4, kV6 = 6 };

// An IPv4 or IPv6 address. The unspecified IpAddress() has family kNone;
// V4Any() (0.0.0.0) and V6Any() (::) are the wildcard addresses for bind.
class IpAddress {
 public:
  IpAddress() = default;
  static IpAddress V4(uint32_t host_order);
  static IpAddress V4(uint8_t a, uint8_t b, uint8_t c, uint8_t d) {
    return V4(static_cast<uint32_t>(a) << 24 | static_cast<uint32_t>(b) << 16 |
              static_cast<uint32_t>(c) << 8 | d);
  }
  static IpAddress V4FromBytes(const uint8_t* p);
  static IpAddress V6FromBytes(const uint8_t* p);
  static IpAddress V4Any() { return V4(0); }
  static IpAddress V6Any() { return V6FromBytes(std::array<uint8_t, 16>{}.data()); }
  // The wildcard address of `f`.
  static IpAddress Any(Family f) { return f == Family::kV6 ? V6Any() : V4Any(); }
  // Parses dotted-quad IPv4 ("10.0.0.1"); returns nullopt if malformed.
  static std::optional<IpAddress> ParseV4(std::string_view s);

  Family family() const { return family_; }
  bool is_v4() const { return family_ == Family::kV4; }
  bool is_v6() const { return family_ == Family::kV6; }
  bool valid() const { return family_ != Family::kNone; }
  // 4 bytes for IPv4, 16 for IPv6, network order.
  absl::Span<const uint8_t> bytes() const {
    return {bytes_.data(), static_cast<size_t>(is_v4() ? 4 : is_v6() ? 16 : 0)};
  }
  uint32_t v4() const;  // host order; IPv4 only
  bool IsAny() const;
  bool IsLoopback() const;
  bool IsBroadcastV4() const { return is_v4() && v4() == 0xffffffff; }
  bool IsMulticast() const;
  std::string ToString() const;
  auto operator<=>(const IpAddress&) const = default;

 private:
  Family family_ = Family::kNone;
  std::array<uint8_t, 16> bytes_{};
};

// Whether an endpoint of family `ep` (bound to `ep_addr`, IPV6_V6ONLY
// `v6only`) may use `a`: its own family, or IPv4 on a dual-stack IPv6
// endpoint (the kernel maps ::ffff:a.b.c.d to plain IPv4 before calling).
inline bool FamilyAccepts(Family ep, bool v6only, const IpAddress& a) {
  return a.family() == ep || (ep == Family::kV6 && !v6only && a.is_v4());
}

// What a socket binds or connects to.
struct FullAddress {
  IpAddress addr;
  uint16_t port = 0;
  std::string ToString() const;
  auto operator<=>(const FullAddress&) const = default;
};

// An address with a prefix length: 10.0.0.0/8.
struct Subnet {
  IpAddress addr;
  int prefix = 0;
  bool Contains(const IpAddress& a) const;
  auto operator<=>(const Subnet&) const = default;
};

}  // namespace sb::netstack

#endif  // SB_NETSTACK_ADDRESS_H_
