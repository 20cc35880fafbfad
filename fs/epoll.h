// epoll.h: epoll instances (Linux's fs/eventpoll.c).
//
// An EpollFile watches target files, each keyed by (fd, file) as Linux's
// epitem. It learns of readiness changes through a WaitEntry registered on
// the target's wait_queue() (Linux's ep_poll_callback) and keeps a ready
// list (Linux's rdllist). Collect() re-checks each ready item's readiness
// and reports it: level-triggered items go back to the tail of the list
// (so repeated reports rotate fairly), EPOLLET items are reported again
// only after a new event, EPOLLONESHOT items are disarmed until
// EPOLL_CTL_MOD. EPOLLERR and EPOLLHUP are always reported; EPOLLRDHUP
// only when asked for.
//
// Lifetime: an item holds only a weak reference to its target, as Linux's
// epitem does not pin the file. When the target's last reference goes, the
// item is dead: it is never reported and does not make ADD fail with
// EEXIST. It is freed when Collect meets it on the ready list, when a Ctl
// looks up its key, or when the epoll closes (Linux frees it at once, in
// eventpoll_release at the final fput). The wait registration may outlive
// the target's queue (WaitRegistration).
//
// Never blocks: Collect returns 0 when nothing is ready. epoll_wait in the
// syscall layer registers the task's Waiter on wait_queue() for POLLIN,
// calls Collect, and sleeps until notified, interrupted or timed out.
// An epoll is itself pollable (POLLIN while an item is ready), so epolls
// nest and poll(2) works on them.
//
// Called by epoll_create1 (NewEpoll), epoll_ctl (AsEpoll + Ctl) and
// epoll_wait/epoll_pwait/epoll_pwait2 (AsEpoll + Collect).
//
// Lock order (take a lock only while holding locks above it):
//   epoll_nest_mu (global; only EPOLL_CTL_ADD of an epoll target, to check
//                  for loops; Linux's epnested_mutex)
//     (also epoll_parents_mu, the global leaf guarding parents_)
//     EpollFile::mu_  (items; held while calling target Readiness and
//                      registering on target queues; Linux's ep->mtx.
//                      Two are held only outer before inner, along the
//                      nesting, which has no loops)
//       target files' own locks, WaitQueue mu (Register/Unregister)
//   WaitQueue mu of a target (held while it notifies)
//     EpollFile::ready_mu_  (the ready list; a leaf; Linux's ep->lock)
//     the epoll's own WaitQueue mu (notified after releasing ready_mu_)
//       ...and so on up the nesting
// So a target must not hold a lock that its Readiness() takes while it
// calls WaitQueue::Notify (every fs/ file notifies after unlocking), and an
// epoll never notifies its queue while holding mu_ or ready_mu_.
#pragma once

#include <sys/epoll.h>

#include <list>
#include <map>
#include <memory>
#include <utility>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "fs/file.h"

namespace sb::fs {

class EpollFile : public FileDescription {
 public:
  // Use NewEpoll.
  EpollFile();
  ~EpollFile() override;

  // epoll_ctl(epfd, op, fd, event): `target` is the file `fd` names now.
  // ADD: EEXIST if (fd, target) is watched; EINVAL if target is this epoll,
  // or for EPOLLEXCLUSIVE with EPOLLONESHOT or an epoll target; ELOOP if
  // watching an epoll target would close a loop or make a chain of more
  // than 5 epolls (Linux's EP_MAX_NESTS = 4 levels of nesting); EPERM if target cannot be polled
  // (regular files and directories). MOD: ENOENT if not watched; EINVAL
  // with EPOLLEXCLUSIVE or if the item was added with it. DEL: ENOENT if not
  // watched (`ev` is ignored). Unknown op: EINVAL. Unknown event bits are
  // kept but never reported, as Linux; EPOLLWAKEUP is dropped (no suspend).
  ErrnoStatus Ctl(int op, int fd, const FileRef& target, const struct epoll_event& ev)
      ABSL_LOCKS_EXCLUDED(mu_, ready_mu_);
  // Fills out[0..max) with ready events and returns how many (0: none).
  // `max` must be positive (epoll_wait checks it: EINVAL).
  ErrnoOr<int> Collect(struct epoll_event* out, int max) ABSL_LOCKS_EXCLUDED(mu_, ready_mu_);

  // POLLIN while some item is ready.
  uint32_t Readiness(uint32_t mask) override ABSL_LOCKS_EXCLUDED(mu_, ready_mu_);
  WaitQueue* wait_queue() override { return &queue_; }
  ErrnoOr<struct stat> Stat() override;
  std::string AnonymousName() const override { return "anon_inode:[eventpoll]"; }

 private:
  struct Item;
  using Key = std::pair<int, const FileDescription*>;

  // The target's wait queue reported `events` for `item` (under that
  // queue's lock).
  void OnEvent(Item* item, uint32_t events) ABSL_LOCKS_EXCLUDED(ready_mu_);
  // Adds `item` to the tail of the ready list unless it is on it.
  void MarkReadyLocked(Item* item) ABSL_EXCLUSIVE_LOCKS_REQUIRED(ready_mu_);
  // The item for (fd, target) if it is alive; frees a dead one there.
  Item* FindLocked(int fd, const FileRef& target) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void RemoveLocked(std::map<Key, std::unique_ptr<Item>>::iterator it)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) ABSL_LOCKS_EXCLUDED(ready_mu_);
  // Polls `item` now and queues it if ready (after ADD and MOD).
  bool PollNewLocked(Item* item) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) ABSL_LOCKS_EXCLUDED(ready_mu_);
  // Longest chain of epolls below this one (0: it watches none), or -1 if
  // `needle` is reachable. Takes each nested mu_ in turn.
  int NestDepth(const EpollFile* needle) ABSL_LOCKS_EXCLUDED(mu_);
  // Longest chain of epolls above this one (0: none watches it).
  int UpDepthLocked() const;

  // The epolls watching this one (alive: each removes itself when its item
  // for us goes or it dies). Guarded by the global epoll_parents_mu.
  std::vector<EpollFile*> parents_;

  absl::Mutex mu_;
  std::map<Key, std::unique_ptr<Item>> items_ ABSL_GUARDED_BY(mu_);
  absl::Mutex ready_mu_;
  // Items that may be ready, oldest first. Items are destroyed only under
  // mu_ after being taken off this list.
  std::list<Item*> ready_ ABSL_GUARDED_BY(ready_mu_);
  WaitQueue queue_;  // POLLIN when an item becomes ready; declared before nothing it outlives
};

// epoll_create1(flags): the caller checks flags (EPOLL_CLOEXEC only) and
// keeps EPOLL_CLOEXEC for the descriptor.
std::shared_ptr<EpollFile> NewEpoll();

// The epoll behind `f`, or nullptr (epoll_ctl/epoll_wait then fail with
// EINVAL, as Linux).
EpollFile* AsEpoll(FileDescription& f);

}  // namespace sb::fs
