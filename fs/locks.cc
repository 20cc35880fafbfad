// locks.cc: flock and record locks (Linux's fs/locks.c), and the wait
// graph for deadlock detection.
#include "fs/locks.h"

#include <poll.h>

#include <algorithm>

#include "absl/container/flat_hash_map.h"
#include "fs/file.h"

namespace sb::fs {
namespace {

// What a lock change tells waiters on the context's queue.
constexpr uint32_t kLockEvent = POLLIN | POLLOUT;

bool Overlaps(const RecordLock& l, int64_t start, int64_t end) {
  return l.start <= end && start <= l.end;
}

// Do [a_start, a_end] and [b_start, b_end] touch without overlapping?
bool Adjacent(int64_t a_start, int64_t a_end, int64_t b_start, int64_t b_end) {
  return (a_end != kLockOffsetMax && a_end + 1 == b_start) ||
         (b_end != kLockOffsetMax && b_end + 1 == a_start);
}

bool Conflicts(short a, short b) { return a == F_WRLCK || b == F_WRLCK; }

// Owners blocked in F_SETLKW and whom they wait for. Leaf lock.
struct WaitGraph {
  absl::Mutex mu;
  absl::flat_hash_map<const void*, const void*> waits_for ABSL_GUARDED_BY(mu);
};

WaitGraph& Graph() {
  static WaitGraph graph;
  return graph;
}

}  // namespace

ErrnoStatus FileLockContext::Flock(const void* file, short type) {
  bool removed = false;
  ErrnoStatus result = Ok();
  {
    absl::MutexLock lock(&mu_);
    auto mine = std::find_if(flocks_.begin(), flocks_.end(),
                             [&](const auto& e) { return e.first == file; });
    if (mine != flocks_.end()) {
      if (mine->second == type) return Ok();
      flocks_.erase(mine);
      removed = true;
    }
    if (type != F_UNLCK) {
      bool conflict = std::any_of(flocks_.begin(), flocks_.end(),
                                  [&](const auto& e) { return Conflicts(e.second, type); });
      if (conflict) {
        result = Errno(EAGAIN);
      } else {
        flocks_.emplace_back(file, type);
      }
    }
  }
  if (removed) queue_.Notify(kLockEvent);
  return result;
}

ErrnoStatus FileLockContext::SetLock(const LockOwner& owner, short type, int64_t start, int64_t end,
                                     LockOwner* blocker) {
  {
    absl::MutexLock lock(&mu_);
    if (type != F_UNLCK) {
      for (const RecordLock& l : records_) {
        if (l.owner.id != owner.id && Overlaps(l, start, end) && Conflicts(l.type, type)) {
          if (blocker != nullptr) *blocker = l.owner;
          return Errno(EAGAIN);
        }
      }
    }
    // The new lock swallows the owner's locks of the same type that it
    // overlaps or touches, so an owner's locks stay disjoint and merged.
    int64_t s = start, e = end;
    if (type != F_UNLCK) {
      for (const RecordLock& l : records_) {
        if (l.owner.id == owner.id && l.type == type &&
            (Overlaps(l, start, end) || Adjacent(l.start, l.end, start, end))) {
          s = std::min(s, l.start);
          e = std::max(e, l.end);
        }
      }
    }
    // Cut [s, e] out of the owner's locks, splitting where needed.
    std::vector<RecordLock> kept;
    kept.reserve(records_.size() + 2);
    for (const RecordLock& l : records_) {
      if (l.owner.id != owner.id || !Overlaps(l, s, e)) {
        kept.push_back(l);
        continue;
      }
      if (l.start < s) {
        RecordLock left = l;
        left.end = s - 1;
        kept.push_back(left);
      }
      if (l.end > e) {
        RecordLock right = l;
        right.start = e + 1;
        kept.push_back(right);
      }
    }
    if (type != F_UNLCK) kept.push_back(RecordLock{owner, type, s, e});
    records_ = std::move(kept);
  }
  // An unlock, a downgrade or a merge may let a waiter in.
  queue_.Notify(kLockEvent);
  return Ok();
}

std::optional<RecordLock> FileLockContext::TestLock(const LockOwner& owner, short type,
                                                    int64_t start, int64_t end) {
  absl::MutexLock lock(&mu_);
  for (const RecordLock& l : records_) {
    if (l.owner.id != owner.id && Overlaps(l, start, end) && Conflicts(l.type, type)) return l;
  }
  return std::nullopt;
}

void FileLockContext::ReleaseOwner(const void* owner_id) {
  {
    absl::MutexLock lock(&mu_);
    auto it = std::remove_if(records_.begin(), records_.end(),
                             [&](const RecordLock& l) { return l.owner.id == owner_id; });
    if (it == records_.end()) return;
    records_.erase(it, records_.end());
  }
  queue_.Notify(kLockEvent);
}

void FileLockContext::ReleaseFile(const void* file) {
  {
    absl::MutexLock lock(&mu_);
    auto rit = std::remove_if(records_.begin(), records_.end(), [&](const RecordLock& l) {
      return l.owner.ofd && l.owner.id == file;
    });
    auto fit = std::remove_if(flocks_.begin(), flocks_.end(),
                              [&](const auto& e) { return e.first == file; });
    if (rit == records_.end() && fit == flocks_.end()) return;
    records_.erase(rit, records_.end());
    flocks_.erase(fit, flocks_.end());
  }
  queue_.Notify(kLockEvent);
}

std::vector<RecordLock> FileLockContext::RecordLocks() const {
  absl::MutexLock lock(&mu_);
  return records_;
}

ScopedLockWait::ScopedLockWait(const void* waiter, const void* blocker) : waiter_(waiter) {
  // Linux gives up after MAX_DEADLK_ITERATIONS steps.
  constexpr int kMaxSteps = 10;
  WaitGraph& g = Graph();
  absl::MutexLock lock(&g.mu);
  const void* cur = blocker;
  for (int i = 0; i < kMaxSteps && cur != nullptr; ++i) {
    if (cur == waiter) {
      deadlock_ = true;
      return;
    }
    auto it = g.waits_for.find(cur);
    cur = it == g.waits_for.end() ? nullptr : it->second;
  }
  g.waits_for[waiter] = blocker;
}

ScopedLockWait::~ScopedLockWait() {
  if (deadlock_) return;
  WaitGraph& g = Graph();
  absl::MutexLock lock(&g.mu);
  g.waits_for.erase(waiter_);
}

void ReleasePosixLocks(FileDescription& f, const void* owner) {
  if (std::shared_ptr<FileLockContext> ctx = f.LockContext(/*create=*/false)) {
    ctx->ReleaseOwner(owner);
  }
}

}  // namespace sb::fs
