// netstack/route.h: the routing table of one Stack. Longest-prefix match;
// a /0 entry is the default route. Owned by Stack, guarded by Stack::mu_.
#ifndef SB_NETSTACK_ROUTE_H_
#define SB_NETSTACK_ROUTE_H_

#include <optional>
#include <vector>

#include "netstack/address.h"
#include "netstack/link_endpoint.h"

namespace sb::netstack {

struct RouteEntry {
  Subnet destination;
  IpAddress gateway;  // invalid (family kNone) or any: destination is on-link
  NicId nic = 0;
  bool operator==(const RouteEntry&) const = default;
};

class RouteTable {
 public:
  void Add(const RouteEntry& r) { routes_.push_back(r); }
  // Removes the routes equal to `r`.
  void Remove(const RouteEntry& r);
  // Removes every route on `nic`.
  void RemoveNic(NicId nic);
  // The most specific route to `dst`, if any.
  std::optional<RouteEntry> Lookup(const IpAddress& dst) const;
  const std::vector<RouteEntry>& entries() const { return routes_; }

 private:
  std::vector<RouteEntry> routes_;
};

}  // namespace sb::netstack

#endif  // SB_NETSTACK_ROUTE_H_
