#include "kernel/task/pid_namespace.h"

#include <cerrno>

#include "kernel/base/abi.h"

namespace sb::kernel {
namespace {

constexpr pid_t kPidMax = abi::kPidMax;  // /proc/sys/kernel/pid_max
constexpr pid_t kReservedPids = 300;     // Linux wraps to RESERVED_PIDS (root namespace)

}  // namespace

pid_t Pid::In(const PidNamespace& ns) const {
  const int level = ns.level();
  if (level >= static_cast<int>(numbers_.size())) return 0;
  const PidNamespace* p = ns_.get();
  for (int l = static_cast<int>(numbers_.size()) - 1; l > level; --l) p = p->parent().get();
  return p == &ns ? numbers_[level] : 0;
}

bool PidNamespace::IsAncestorOf(const PidNamespace& other) const {
  const PidNamespace* p = &other;
  while (p != nullptr && p->level_ > level_) p = p->parent_.get();
  return p == this;
}

ErrnoOr<pid_t> PidNamespace::ReserveLocked() {
  if (dead_) return Errno(ENOMEM);
  // Forget numbers whose Pid is gone now and then, so the table tracks
  // only live IDs.
  if (++allocations_ % 4096 == 0) {
    std::erase_if(pids_, [](const auto& e) { return e.second.expired(); });
  }
  for (pid_t tries = 0; tries < kPidMax; ++tries) {
    pid_t nr = next_++;
    if (next_ >= kPidMax) next_ = level_ == 0 ? kReservedPids : 2;
    auto it = pids_.find(nr);
    if (it == pids_.end() || it->second.expired()) {
      pids_[nr].reset();  // reserved until bound
      last_ = nr;
      return nr;
    }
  }
  return Errno(EAGAIN);
}

void PidNamespace::BindLocked(pid_t nr, const PidRef& pid) { pids_[nr] = pid; }

PidRef PidNamespace::LookupLocked(pid_t nr) const {
  auto it = pids_.find(nr);
  return it == pids_.end() ? nullptr : it->second.lock();
}

}  // namespace sb::kernel
