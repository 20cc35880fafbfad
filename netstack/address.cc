// netstack/address.cc: see address.h.
#include "netstack/address.h"

#include <cstring>

#include "absl/strings/str_format.h"
#include "netstack/buffer.h"

namespace sb::netstack {

std::string MacAddress::ToString() const {
  return absl::StrFormat("%02x:%02x:%02x:%02x:%02x:%02x", b[0], b[1], b[2], b[3], b[4], b[5]);
}

IpAddress IpAddress::V4(uint32_t host_order) {
  IpAddress a;
  a.family_ = Family::kV4;
  Store32(a.bytes_.data(), host_order);
  return a;
}

IpAddress IpAddress::V4FromBytes(const uint8_t* p) { return V4(Load32(p)); }

IpAddress IpAddress::V6FromBytes(const uint8_t* p) {
  IpAddress a;
  a.family_ = Family::kV6;
  std::memcpy(a.bytes_.data(), p, 16);
  return a;
}

std::optional<IpAddress> IpAddress::ParseV4(std::string_view s) {
  uint32_t v = 0;
  int parts = 0;
  size_t i = 0;
  while (parts < 4) {
    size_t start = i;
    uint32_t octet = 0;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9' && i - start < 3) {
      octet = octet * 10 + static_cast<uint32_t>(s[i] - '0');
      ++i;
    }
    if (i == start || octet > 255) return std::nullopt;
    v = v << 8 | octet;
    ++parts;
    if (parts < 4) {
      if (i >= s.size() || s[i] != '.') return std::nullopt;
      ++i;
    }
  }
  if (i != s.size()) return std::nullopt;
  return V4(v);
}

uint32_t IpAddress::v4() const { return Load32(bytes_.data()); }

bool IpAddress::IsAny() const {
  for (uint8_t b : bytes()) {
    if (b != 0) return false;
  }
  return valid();
}

bool IpAddress::IsLoopback() const {
  if (is_v4()) return bytes_[0] == 127;
  if (!is_v6()) return false;
  for (int i = 0; i < 15; ++i) {
    if (bytes_[i] != 0) return false;
  }
  return bytes_[15] == 1;
}

bool IpAddress::IsMulticast() const {
  if (is_v4()) return (bytes_[0] & 0xf0) == 0xe0;
  return is_v6() && bytes_[0] == 0xff;
}

std::string IpAddress::ToString() const {
  if (is_v4()) return absl::StrFormat("%d.%d.%d.%d", bytes_[0], bytes_[1], bytes_[2], bytes_[3]);
  if (!is_v6()) return "<none>";
  std::string s;
  for (int i = 0; i < 16; i += 2) {
    if (i) s += ':';
    s += absl::StrFormat("%x", Load16(&bytes_[i]));
  }
  return s;
}

std::string FullAddress::ToString() const {
  if (addr.is_v6()) return absl::StrFormat("[%s]:%d", addr.ToString(), port);
  return absl::StrFormat("%s:%d", addr.ToString(), port);
}

bool Subnet::Contains(const IpAddress& a) const {
  if (a.family() != addr.family()) return false;
  auto x = a.bytes();
  auto y = addr.bytes();
  int bits = prefix;
  for (size_t i = 0; i < x.size() && bits > 0; ++i, bits -= 8) {
    uint8_t mask = bits >= 8 ? 0xff : static_cast<uint8_t>(0xff << (8 - bits));
    if ((x[i] & mask) != (y[i] & mask)) return false;
  }
  return true;
}

}  // namespace sb::netstack
