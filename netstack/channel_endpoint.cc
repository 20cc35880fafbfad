// netstack/channel_endpoint.cc: see channel_endpoint.h.
#include "netstack/channel_endpoint.h"

namespace sb::netstack {

void ChannelEndpoint::Attach(NetworkDispatcher* d, NicId id) {
  absl::MutexLock l(&mu_);
  dispatcher_ = d;
  id_ = id;
}

bool ChannelEndpoint::WritePacket(Buffer frame) {
  absl::MutexLock l(&mu_);
  if (tx_.size() >= queue_limit_) return false;
  tx_.push_back(std::move(frame));
  return true;
}

std::optional<Buffer> ChannelEndpoint::Read() {
  absl::MutexLock l(&mu_);
  if (tx_.empty()) return std::nullopt;
  Buffer b = std::move(tx_.front());
  tx_.pop_front();
  return b;
}

size_t ChannelEndpoint::QueuedCount() const {
  absl::MutexLock l(&mu_);
  return tx_.size();
}

void ChannelEndpoint::Drain() {
  absl::MutexLock l(&mu_);
  tx_.clear();
}

void ChannelEndpoint::Inject(Buffer frame) {
  NetworkDispatcher* d;
  NicId id;
  {
    absl::MutexLock l(&mu_);
    d = dispatcher_;
    id = id_;
  }
  if (d != nullptr) d->DeliverFrame(id, std::move(frame));
}

}  // namespace sb::netstack
