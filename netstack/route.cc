// netstack/route.cc: see route.h.
#include "netstack/route.h"

#include <algorithm>

namespace sb::netstack {

void RouteTable::Remove(const RouteEntry& r) { std::erase(routes_, r); }

void RouteTable::RemoveNic(NicId nic) {
  std::erase_if(routes_, [nic](const RouteEntry& r) { return r.nic == nic; });
}

std::optional<RouteEntry> RouteTable::Lookup(const IpAddress& dst) const {
  const RouteEntry* best = nullptr;
  for (const RouteEntry& r : routes_) {
    if (!r.destination.Contains(dst)) continue;
    if (best == nullptr || r.destination.prefix > best->destination.prefix) best = &r;
  }
  if (best == nullptr) return std::nullopt;
  return *best;
}

}  // namespace sb::netstack
