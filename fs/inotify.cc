// inotify.cc: inotify instances, watches and event delivery (Linux's
// fs/notify/inotify/inotify_user.c and inotify_fsnotify.c).
#include "fs/inotify.h"

#include <sys/ioctl.h>

#include <deque>
#include <map>
#include <vector>

#include "absl/strings/str_format.h"
#include "absl/synchronization/mutex.h"
#include "fs/anon_inode.h"
#include "fs/dentry.h"
#include "fs/inode.h"

namespace sb::fs {
namespace {

// The inotify lock (see inotify.h). A leaf.
absl::Mutex& Mu() {
  static absl::Mutex* mu = new absl::Mutex;
  return *mu;
}

// Per-user instance and watch counts (Linux's ucounts), by real UID.
struct UserCounts {
  int instances = 0, watches = 0;
};
std::map<uid_t, UserCounts>& Users() ABSL_EXCLUSIVE_LOCKS_REQUIRED(Mu()) {
  static auto* users = new std::map<uid_t, UserCounts>;
  return *users;
}

constexpr uint32_t kAllBits = IN_ALL_EVENTS | IN_UNMOUNT | IN_Q_OVERFLOW | IN_IGNORED | IN_ONLYDIR |
                              IN_DONT_FOLLOW | IN_EXCL_UNLINK | IN_MASK_CREATE | IN_MASK_ADD |
                              IN_ISDIR | IN_ONESHOT;
constexpr size_t kEventSize = sizeof(struct inotify_event);

std::atomic<uint32_t> next_cookie{0};
// Watches anywhere: file operations skip every inotify step while none
// exist. Atomic; changed with the marks under Mu().
std::atomic<int> total_marks{0};

}  // namespace

InotifyLimits& GetInotifyLimits() {
  static auto* limits = new InotifyLimits;
  return *limits;
}

// One inotify instance: its queue and its watches. Everything here is
// guarded by the inotify lock; the wait queue is notified after it.
class InotifyInstance : public std::enable_shared_from_this<InotifyInstance> {
 public:
  struct Event {
    int32_t wd;
    uint32_t mask, cookie;
    std::string name;
    size_t size() const {
      if (name.empty()) return kEventSize;
      return kEventSize + (name.size() + 1 + kEventSize - 1) / kEventSize * kEventSize;
    }
  };
  struct Watch {
    Location loc;  // keeps the inode (and its identity) alive
    uint32_t mask;
  };

  explicit InotifyInstance(uid_t uid) : uid(uid) {}

  // Queues an event (Linux's inotify_handle_inode_event and
  // fsnotify_add_event): identical consecutive events merge; past
  // max_queued_events one IN_Q_OVERFLOW stands for the rest.
  void QueueLocked(Event e) ABSL_EXCLUSIVE_LOCKS_REQUIRED(Mu()) {
    if (!events.empty()) {
      const Event& last = events.back();
      if (last.wd == e.wd && last.mask == e.mask && last.cookie == e.cookie &&
          last.name == e.name && !(e.mask & IN_IGNORED)) {
        return;
      }
    }
    const int max = GetInotifyLimits().max_queued_events.load();
    if (static_cast<int>(events.size()) >= max) {
      if (!events.empty() && events.back().mask == IN_Q_OVERFLOW) return;
      if (static_cast<int>(events.size()) > max) return;
      e = Event{-1, IN_Q_OVERFLOW, 0, ""};
    }
    bytes += e.size();
    events.push_back(std::move(e));
    dirty = true;
  }

  // Removes watch `wd` from its inode and queues IN_IGNORED.
  void RemoveWatchLocked(int wd) ABSL_EXCLUSIVE_LOCKS_REQUIRED(Mu()) {
    auto it = watches.find(wd);
    if (it == watches.end()) return;
    Inode& inode = *it->second.loc.dentry->inode();
    auto& marks = inode.inotify_marks;
    for (auto m = marks.begin(); m != marks.end(); ++m) {
      if (m->wd == wd && m->instance.lock().get() == this) {
        marks.erase(m);
        inode.inotify_mark_count.fetch_sub(1);
        total_marks.fetch_sub(1);
        break;
      }
    }
    watches.erase(it);
    Users()[uid].watches--;
    QueueLocked(Event{wd, IN_IGNORED, 0, ""});
  }

  const uid_t uid;  // immutable: whose limits count this instance
  std::deque<Event> events;
  size_t bytes = 0;
  std::map<int, Watch> watches;
  int last_wd = 0;
  // Events were queued since the last wake-up.
  bool dirty = false;
  WaitQueue queue;
};

namespace {

// Instances to wake once the lock is released.
class Wakeups {
 public:
  void Add(const std::shared_ptr<InotifyInstance>& in) ABSL_EXCLUSIVE_LOCKS_REQUIRED(Mu()) {
    if (in->dirty) {
      in->dirty = false;
      list_.push_back(in);
    }
  }
  ~Wakeups() {
    for (auto& in : list_) in->queue.Notify(POLLIN | POLLRDNORM);
  }

 private:
  std::vector<std::shared_ptr<InotifyInstance>> list_;
};

// Delivers `mask` to the watches on `inode` (Linux's send_to_group per
// mark). `name` is empty for events on the inode itself. Caller holds Mu().
void DeliverLocked(Inode& inode, uint32_t mask, std::string_view name, uint32_t cookie,
                   bool child_unlinked, Wakeups& wake) ABSL_EXCLUSIVE_LOCKS_REQUIRED(Mu()) {
  const uint32_t type = mask & ~IN_ISDIR;
  // Copy: IN_ONESHOT removes marks while we go.
  std::vector<InotifyMark> marks = inode.inotify_marks;
  for (const InotifyMark& m : marks) {
    auto in = m.instance.lock();
    if (!in) continue;
    if (!(m.mask & type) && !(type & (IN_IGNORED | IN_UNMOUNT))) continue;
    if (child_unlinked && (m.mask & IN_EXCL_UNLINK)) continue;
    in->QueueLocked(InotifyInstance::Event{m.wd, mask, cookie, std::string(name)});
    if (m.mask & IN_ONESHOT) in->RemoveWatchLocked(m.wd);
    wake.Add(in);
  }
}

bool IsDir(Inode& inode) {
  auto st = inode.Stat();
  return st.ok() && S_ISDIR(st->st_mode);
}

// IN_DELETE_SELF, then IN_IGNORED as each watch goes.
void DeleteSelf(Inode& inode) {
  if (inode.inotify_mark_count.load() == 0) return;
  Wakeups wake;
  absl::MutexLock lock(&Mu());
  DeliverLocked(inode, IN_DELETE_SELF, "", 0, false, wake);
  std::vector<InotifyMark> marks = inode.inotify_marks;
  for (const InotifyMark& m : marks) {
    if (auto in = m.instance.lock()) {
      in->RemoveWatchLocked(m.wd);
      wake.Add(in);
    }
  }
}

class InotifyFile : public FileDescription {
 public:
  InotifyFile(std::shared_ptr<InotifyInstance> in, int flags)
      : FileDescription(O_RDONLY | (flags & O_NONBLOCK)), in_(std::move(in)) {}

  ~InotifyFile() override {
    absl::MutexLock lock(&Mu());
    std::vector<int> wds;
    for (const auto& [wd, w] : in_->watches) wds.push_back(wd);
    for (int wd : wds) in_->RemoveWatchLocked(wd);
    Users()[in_->uid].instances--;
  }

  // Linux's inotify_read(): whole events only; EINVAL if the first does
  // not fit.
  ErrnoOr<size_t> Read(HostIoVecs dst, int64_t offset) override {
    const size_t cap = TotalLength(dst);
    std::string out;
    {
      absl::MutexLock lock(&Mu());
      if (in_->events.empty()) return Errno(EAGAIN);
      while (!in_->events.empty()) {
        InotifyInstance::Event& e = in_->events.front();
        const size_t sz = e.size();
        if (out.size() + sz > cap) {
          if (out.empty()) return Errno(EINVAL);
          break;
        }
        struct inotify_event h {};
        h.wd = e.wd;
        h.mask = e.mask;
        h.cookie = e.cookie;
        h.len = static_cast<uint32_t>(sz - kEventSize);
        out.append(reinterpret_cast<const char*>(&h), kEventSize);
        out.append(e.name);
        out.append(h.len - e.name.size(), '\0');
        in_->bytes -= sz;
        in_->events.pop_front();
      }
    }
    ScatterToIoVecs(dst, 0, out.data(), out.size());
    return out.size();
  }
  ErrnoOr<size_t> Write(HostIoVecs, int64_t) override { return Errno(EINVAL); }
  ErrnoOr<int64_t> Ioctl(uint32_t cmd, uint64_t arg, UserIo& io) override {
    if (cmd != FIONREAD) return Errno(ENOTTY);
    int n;
    {
      absl::MutexLock lock(&Mu());
      n = static_cast<int>(in_->bytes);
    }
    SB_TRY(io.CopyOut(arg, &n, sizeof(n)));
    return int64_t{0};
  }
  ErrnoOr<struct stat> Stat() override { return AnonInodeStat(); }
  uint32_t Readiness(uint32_t mask) override {
    absl::MutexLock lock(&Mu());
    return in_->events.empty() ? 0 : (mask & (POLLIN | POLLRDNORM));
  }
  WaitQueue* wait_queue() override { return &in_->queue; }
  std::string AnonymousName() const override { return "anon_inode:inotify"; }

  const std::shared_ptr<InotifyInstance>& instance() const { return in_; }

 private:
  const std::shared_ptr<InotifyInstance> in_;  // immutable
};

}  // namespace

ErrnoOr<FileRef> NewInotify(uid_t uid, int flags) {
  auto in = std::make_shared<InotifyInstance>(uid);
  {
    absl::MutexLock lock(&Mu());
    UserCounts& c = Users()[uid];
    if (c.instances >= GetInotifyLimits().max_user_instances.load()) return Errno(EMFILE);
    c.instances++;
  }
  return FileRef(std::make_shared<InotifyFile>(std::move(in), flags));
}

bool IsInotify(const FileDescription& f) { return dynamic_cast<const InotifyFile*>(&f) != nullptr; }

ErrnoOr<int> InotifyAddWatch(FileDescription& f, const Location& loc, uint32_t mask) {
  auto* file = dynamic_cast<InotifyFile*>(&f);
  if (file == nullptr) return Errno(EINVAL);
  InotifyInstance& in = *file->instance();
  Inode& inode = *loc.dentry->inode();
  const uint32_t bits = mask & (IN_ALL_EVENTS | IN_ONESHOT | IN_EXCL_UNLINK);
  absl::MutexLock lock(&Mu());
  for (InotifyMark& m : inode.inotify_marks) {
    if (m.instance.lock().get() != &in) continue;
    if (mask & IN_MASK_CREATE) return Errno(EEXIST);
    m.mask = (mask & IN_MASK_ADD) ? (m.mask | bits) : bits;
    in.watches[m.wd].mask = m.mask;
    return m.wd;
  }
  UserCounts& c = Users()[in.uid];
  if (c.watches >= GetInotifyLimits().max_user_watches.load()) return Errno(ENOSPC);
  // Linux's idr_alloc_cyclic from 1: descriptors are not reused at once.
  int wd = in.last_wd + 1;
  if (wd <= 0) wd = 1;
  while (in.watches.count(wd)) wd++;
  in.last_wd = wd;
  c.watches++;
  in.watches[wd] = InotifyInstance::Watch{loc, bits};
  inode.inotify_marks.push_back(InotifyMark{file->instance(), wd, bits});
  inode.inotify_mark_count.fetch_add(1);
  total_marks.fetch_add(1);
  return wd;
}

ErrnoStatus InotifyRmWatch(FileDescription& f, int wd) {
  auto* file = dynamic_cast<InotifyFile*>(&f);
  if (file == nullptr) return Errno(EINVAL);
  Wakeups wake;
  absl::MutexLock lock(&Mu());
  if (!file->instance()->watches.count(wd)) return Errno(EINVAL);
  file->instance()->RemoveWatchLocked(wd);
  wake.Add(file->instance());
  return Ok();
}

void NotifyLocation(const Location& loc, uint32_t mask) {
  if (total_marks.load(std::memory_order_relaxed) == 0 || !loc.dentry) return;
  Inode& inode = *loc.dentry->inode();
  DentryRef parent = loc.dentry->parent();
  const bool parent_watched = parent && parent->inode()->inotify_mark_count.load() > 0;
  const bool self_watched = inode.inotify_mark_count.load() > 0;
  if (!parent_watched && !self_watched) return;
  if (IsDir(inode)) mask |= IN_ISDIR;
  const std::string name = parent_watched ? loc.dentry->name() : std::string();
  const bool unlinked = loc.dentry->deleted();
  Wakeups wake;
  absl::MutexLock lock(&Mu());
  if (parent_watched) DeliverLocked(*parent->inode(), mask, name, 0, unlinked, wake);
  if (self_watched) DeliverLocked(inode, mask, "", 0, false, wake);
}

void NotifyDirEntry(Inode& dir, uint32_t mask, std::string_view name, bool is_dir,
                    uint32_t cookie) {
  if (dir.inotify_mark_count.load() == 0) return;
  Wakeups wake;
  absl::MutexLock lock(&Mu());
  DeliverLocked(dir, mask | (is_dir ? IN_ISDIR : 0), name, cookie, false, wake);
}

void NotifyInode(Inode& inode, uint32_t mask) {
  if (inode.inotify_mark_count.load() == 0) return;
  if (IsDir(inode)) mask |= IN_ISDIR;
  Wakeups wake;
  absl::MutexLock lock(&Mu());
  DeliverLocked(inode, mask, "", 0, false, wake);
}

void NotifyUnlinked(Inode& inode, bool is_dir) {
  if (inode.inotify_mark_count.load() == 0) return;
  if (!is_dir) {
    auto st = inode.Stat();
    if (!st.ok() || st->st_nlink != 0) return;
  }
  if (inode.open_files.load() > 0) {
    inode.delete_pending.store(true);
    return;
  }
  DeleteSelf(inode);
}

uint32_t NewInotifyCookie() { return next_cookie.fetch_add(1) + 1; }

void InotifyFileOpened(Inode& inode) { inode.open_files.fetch_add(1); }

void InotifyFileClosed(Inode& inode) {
  if (inode.open_files.fetch_sub(1) == 1 && inode.delete_pending.exchange(false)) {
    DeleteSelf(inode);
  }
}

std::string InotifyFdInfo(const FileDescription& f) {
  auto* file = dynamic_cast<const InotifyFile*>(&f);
  if (file == nullptr) return "";
  std::string out;
  absl::MutexLock lock(&Mu());
  for (const auto& [wd, w] : file->instance()->watches) {
    auto st = w.loc.dentry->inode()->Stat();
    if (!st.ok()) continue;
    // Linux's inotify_fdinfo: the mask without the flag bits, and the
    // file handle of the inode (shown here as its number, as "ino").
    out += absl::StrFormat("inotify wd:%x ino:%x sdev:%x mask:%x ignored_mask:0\n", wd, st->st_ino,
                           st->st_dev, w.mask & ~(IN_ONESHOT | IN_EXCL_UNLINK));
  }
  return out;
}

}  // namespace sb::fs
