#include "fs/epoll.h"

#include <algorithm>
#include <optional>

#include "fs/anon_inode.h"

namespace sb::fs {
namespace {

// Linux's EP_MAX_NESTS: the most levels of epoll nesting.
constexpr int kMaxNests = 4;
// Events always reported (Linux's ep_insert/ep_modify add them).
constexpr uint32_t kAlwaysReported = EPOLLERR | EPOLLHUP;
// Flags that are not events (Linux's EP_PRIVATE_BITS).
constexpr uint32_t kPrivateBits = EPOLLWAKEUP | EPOLLONESHOT | EPOLLET | EPOLLEXCLUSIVE;
// What EPOLLEXCLUSIVE may be combined with (Linux's EPOLLEXCLUSIVE_OK_BITS).
constexpr uint32_t kExclusiveOkBits = EPOLLIN | EPOLLOUT | EPOLLRDNORM | EPOLLRDBAND | EPOLLWRNORM |
                                      EPOLLWRBAND | EPOLLERR | EPOLLHUP | EPOLLWAKEUP | EPOLLET |
                                      EPOLLEXCLUSIVE;

absl::Mutex epoll_nest_mu(absl::kConstInit);
absl::Mutex epoll_parents_mu(absl::kConstInit);

}  // namespace

// One watched (fd, file). Owned by EpollFile::items_.
struct EpollFile::Item final : WaitEntry {
  Item(EpollFile* e, int f, const FileRef& t) : ep(e), key(f, t.get()), file(t) {}

  void Notify(uint32_t events) override { ep->OnEvent(this, events); }

  EpollFile* const ep;                        // immutable; the owner, outlives the item
  const Key key;                              // immutable: (fd, target)
  const std::weak_ptr<FileDescription> file;  // immutable; does not pin the target
  EpollFile* nested = nullptr;                // immutable after ADD: target, if an epoll
  // The requested events and flags, as Linux's epi->event. Guarded by
  // ep->ready_mu_ (read by OnEvent); writes also hold ep->mu_, so holders
  // of mu_ may read it without ready_mu_.
  struct epoll_event event = {};
  bool on_ready_list = false;  // guarded by ep->ready_mu_
  WaitRegistration reg;        // guarded by ep->mu_
};

EpollFile::EpollFile() : FileDescription(O_RDWR) {}

EpollFile::~EpollFile() {
  {
    absl::MutexLock lock(&mu_);
    while (!items_.empty()) RemoveLocked(items_.begin());
  }
  absl::MutexLock lock(&epoll_parents_mu);
  // Nobody can reach us any more; our parents' items for us are dead.
  parents_.clear();
}

ErrnoOr<struct stat> EpollFile::Stat() { return AnonInodeStat(); }

void EpollFile::MarkReadyLocked(Item* item) {
  if (item->on_ready_list) return;
  item->on_ready_list = true;
  ready_.push_back(item);
}

// Linux's ep_poll_callback().
void EpollFile::OnEvent(Item* item, uint32_t events) {
  {
    absl::MutexLock lock(&ready_mu_);
    uint32_t want = item->event.events & ~kPrivateBits;
    if (want == 0) return;  // a disarmed EPOLLONESHOT item
    if ((events & want) == 0) return;
    MarkReadyLocked(item);
  }
  queue_.Notify(POLLIN | POLLRDNORM);
}

EpollFile::Item* EpollFile::FindLocked(int fd, const FileRef& target) {
  auto it = items_.find(Key{fd, target.get()});
  if (it == items_.end()) return nullptr;
  if (it->second->file.lock() == target) return it->second.get();
  // A dead item whose file's address was reused: Linux freed it at the
  // file's last close.
  RemoveLocked(it);
  return nullptr;
}

void EpollFile::RemoveLocked(std::map<Key, std::unique_ptr<Item>>::iterator it) {
  Item* item = it->second.get();
  // After this no callback runs for the item (the target queue's lock).
  item->reg.Reset();
  {
    absl::MutexLock lock(&ready_mu_);
    if (item->on_ready_list) ready_.remove(item);
  }
  if (item->nested) {
    if (FileRef alive = item->file.lock()) {
      absl::MutexLock lock(&epoll_parents_mu);
      auto& p = item->nested->parents_;
      auto pos = std::find(p.begin(), p.end(), this);
      if (pos != p.end()) p.erase(pos);
    }
  }
  items_.erase(it);
}

bool EpollFile::PollNewLocked(Item* item) {
  FileRef file = item->file.lock();
  if (!file) return false;
  uint32_t want = item->event.events & ~kPrivateBits;
  if (want == 0 || file->Readiness(want) == 0) return false;
  absl::MutexLock lock(&ready_mu_);
  MarkReadyLocked(item);
  return true;
}

int EpollFile::NestDepth(const EpollFile* needle) {
  if (this == needle) return -1;
  std::vector<std::shared_ptr<FileDescription>> children;
  {
    absl::MutexLock lock(&mu_);
    for (auto& [key, item] : items_) {
      if (!item->nested) continue;
      if (FileRef f = item->file.lock()) children.push_back(std::move(f));
    }
  }
  int depth = 0;
  for (auto& child : children) {
    int d = static_cast<EpollFile*>(child.get())->NestDepth(needle);
    if (d < 0) return -1;
    depth = std::max(depth, d + 1);
  }
  return depth;
}

int EpollFile::UpDepthLocked() const {
  int depth = 0;
  for (const EpollFile* p : parents_) depth = std::max(depth, p->UpDepthLocked() + 1);
  return depth;
}

// Linux's do_epoll_ctl().
ErrnoStatus EpollFile::Ctl(int op, int fd, const FileRef& target, const struct epoll_event& ev) {
  if (op != EPOLL_CTL_ADD && op != EPOLL_CTL_MOD && op != EPOLL_CTL_DEL) return Errno(EINVAL);
  if (target.get() == this) return Errno(EINVAL);
  // Linux's file_can_poll(): files without a poll method cannot be watched.
  if (target->wait_queue() == nullptr) {
    auto st = target->Stat();
    if (st.ok() && (S_ISREG(st->st_mode) || S_ISDIR(st->st_mode))) return Errno(EPERM);
  }
  struct epoll_event want = ev;
  want.events &= ~EPOLLWAKEUP;  // no CAP_BLOCK_SUSPEND, no suspend
  auto* nested = dynamic_cast<EpollFile*>(target.get());
  if (op != EPOLL_CTL_DEL && (want.events & EPOLLEXCLUSIVE)) {
    if (op == EPOLL_CTL_MOD) return Errno(EINVAL);
    if (nested || (want.events & ~kExclusiveOkBits)) return Errno(EINVAL);
  }
  want.events |= kAlwaysReported;

  // Loop and depth checks for an epoll target, under the global nest lock
  // so no other epoll-in-epoll ADD changes the graph meanwhile.
  std::optional<absl::MutexLock> nest_lock;
  if (op == EPOLL_CTL_ADD && nested) {
    nest_lock.emplace(&epoll_nest_mu);
    int down = nested->NestDepth(this);
    if (down < 0) return Errno(ELOOP);
    int up;
    {
      absl::MutexLock lock(&epoll_parents_mu);
      up = UpDepthLocked();
    }
    if (down + 1 + up > kMaxNests) return Errno(ELOOP);
  }

  bool notify = false;
  {
    absl::MutexLock lock(&mu_);
    Item* item = FindLocked(fd, target);
    switch (op) {
      case EPOLL_CTL_ADD: {
        if (item) return Errno(EEXIST);
        auto owned = std::make_unique<Item>(this, fd, target);
        item = owned.get();
        item->event = want;  // not yet reachable by callbacks
        item->nested = nested;
        items_.emplace(Key{fd, target.get()}, std::move(owned));
        if (WaitQueue* q = target->wait_queue()) item->reg = WaitRegistration(q, item, ~0u);
        if (nested) {
          absl::MutexLock plock(&epoll_parents_mu);
          nested->parents_.push_back(this);
        }
        notify = PollNewLocked(item);
        break;
      }
      case EPOLL_CTL_MOD: {
        if (!item) return Errno(ENOENT);
        {
          absl::MutexLock rlock(&ready_mu_);
          if (item->event.events & EPOLLEXCLUSIVE) return Errno(EINVAL);
          item->event = want;  // re-arms an EPOLLONESHOT item
        }
        notify = PollNewLocked(item);
        break;
      }
      case EPOLL_CTL_DEL: {
        if (!item) return Errno(ENOENT);
        RemoveLocked(items_.find(Key{fd, target.get()}));
        break;
      }
    }
  }
  if (notify) queue_.Notify(POLLIN | POLLRDNORM);
  return Ok();
}

// Linux's ep_send_events().
ErrnoOr<int> EpollFile::Collect(struct epoll_event* out, int max) {
  if (max <= 0) return Errno(EINVAL);
  int n = 0;
  bool still_ready;
  {
    absl::MutexLock lock(&mu_);
    std::list<Item*> batch;
    {
      absl::MutexLock rlock(&ready_mu_);
      batch.swap(ready_);
      for (Item* item : batch) item->on_ready_list = false;
    }
    std::vector<Item*> requeue;  // level-triggered items reported now
    std::vector<Item*> dead;
    auto it = batch.begin();
    for (; it != batch.end() && n < max; ++it) {
      Item* item = *it;
      FileRef file = item->file.lock();
      if (!file) {
        dead.push_back(item);
        continue;
      }
      uint32_t want = item->event.events & ~kPrivateBits;  // mu_ held: stable
      if (want == 0) continue;                             // disarmed one-shot
      uint32_t revents = file->Readiness(want) & want;
      if (revents == 0) continue;  // no longer ready; a new event re-queues it
      out[n].events = revents;
      out[n].data = item->event.data;
      ++n;
      if (item->event.events & EPOLLONESHOT) {
        absl::MutexLock rlock(&ready_mu_);
        item->event.events &= kPrivateBits;  // disarmed until EPOLL_CTL_MOD
      } else if (!(item->event.events & EPOLLET)) {
        requeue.push_back(item);
      }
    }
    {
      absl::MutexLock rlock(&ready_mu_);
      // Unvisited items go back to the front, in order; then the reported
      // level-triggered ones at the tail (round-robin across calls).
      std::list<Item*> rest;
      for (; it != batch.end(); ++it) {
        if (!(*it)->on_ready_list) {
          (*it)->on_ready_list = true;
          rest.push_back(*it);
        }
      }
      ready_.splice(ready_.begin(), rest);
      for (Item* item : requeue) MarkReadyLocked(item);
      still_ready = !ready_.empty();
    }
    for (Item* item : dead) RemoveLocked(items_.find(item->key));
  }
  // Let other waiters on this epoll see what is left (Linux wakes ep->wq).
  if (still_ready) queue_.Notify(POLLIN | POLLRDNORM);
  return n;
}

// Linux's ep_eventpoll_poll(): ready if an item on the ready list really is.
uint32_t EpollFile::Readiness(uint32_t mask) {
  if (!(mask & (POLLIN | POLLRDNORM))) return 0;
  absl::MutexLock lock(&mu_);
  std::vector<Item*> candidates;
  {
    absl::MutexLock rlock(&ready_mu_);
    candidates.assign(ready_.begin(), ready_.end());
  }
  for (Item* item : candidates) {
    FileRef file = item->file.lock();
    if (!file) continue;
    uint32_t want = item->event.events & ~kPrivateBits;
    if (want != 0 && (file->Readiness(want) & want) != 0) return mask & (POLLIN | POLLRDNORM);
  }
  return 0;
}

std::shared_ptr<EpollFile> NewEpoll() { return std::make_shared<EpollFile>(); }

EpollFile* AsEpoll(FileDescription& f) { return dynamic_cast<EpollFile*>(&f); }

}  // namespace sb::fs
