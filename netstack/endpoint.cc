// netstack/endpoint.cc: waiter registration shared by all endpoints.
#include "netstack/endpoint.h"

#include <vector>

namespace sb::netstack {

WaiterId Endpoint::AddWaiter(uint32_t mask, WaiterCallback cb) {
  absl::MutexLock l(&waiters_mu_);
  WaiterId id = next_waiter_++;
  waiters_[id] = Waiter{mask, std::make_shared<WaiterCallback>(std::move(cb))};
  return id;
}

void Endpoint::RemoveWaiter(WaiterId id) {
  absl::MutexLock l(&waiters_mu_);
  waiters_.erase(id);
}

void Endpoint::NotifyWaiters(uint32_t events) {
  std::vector<std::shared_ptr<WaiterCallback>> run;
  {
    absl::MutexLock l(&waiters_mu_);
    for (auto& [id, w] : waiters_) {
      if (w.mask & events) run.push_back(w.cb);
    }
  }
  for (auto& cb : run) (*cb)(events);
}

}  // namespace sb::netstack
