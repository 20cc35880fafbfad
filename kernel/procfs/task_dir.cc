// task_dir.cc: /proc/[pid] and /proc/[pid]/task/[tid]: the table of
// per-task files (in Linux's order), and the computed directories fd/,
// fdinfo/, ns/ and task/.
#include <algorithm>
#include <charconv>
#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/synchronization/mutex.h"
#include "fs/inotify.h"
#include "kernel/kernel.h"
#include "kernel/procfs/internal.h"

namespace sb::kernel::procfs {
namespace {

std::optional<int> ParseNumber(std::string_view name) {
  if (name.empty() || (name.size() > 1 && name[0] == '0')) return std::nullopt;
  int v = 0;
  auto [p, ec] = std::from_chars(name.data(), name.data() + name.size(), v);
  if (ec != std::errc() || p != name.data() + name.size() || v < 0) return std::nullopt;
  return v;
}

// The task's fd table, for a reader allowed to look (EACCES otherwise).
ErrnoOr<FdTableRef> FdsOf(const Node& n, Task* reader) {
  SB_ASSIGN_OR_RETURN(TaskHandle::Target t, n.Target());
  if (!MayInspect(reader, t)) return Errno(EACCES);
  if (!t.task) return FdTableRef();
  return t.task->SnapshotResources().fds;
}

// What /proc/[pid]/fd/N points at: the file's path as the reader sees it,
// or the name of an anonymous file ("pipe:[12]").
ErrnoOr<std::string> FdLink(const Node& n, Task* reader, int fd) {
  SB_ASSIGN_OR_RETURN(FdTableRef fds, FdsOf(n, reader));
  if (!fds) return Errno(ENOENT);
  auto file = fds->Get(fd);
  if (!file.ok()) return Errno(ENOENT);
  std::optional<fs::Location> loc = (*file)->location();
  if (!loc) return (*file)->AnonymousName();
  // The path as the reader sees it (the target's own view for the kernel).
  SB_ASSIGN_OR_RETURN(TaskHandle::Target t, n.Target());
  Task* viewer = reader != nullptr ? reader : t.task.get();
  if (viewer == nullptr) return Errno(ENOENT);
  Task::Resources r = viewer->SnapshotResources();
  if (!r.fs || !r.ns.mnt) return Errno(ENOENT);
  fs::Location root;
  {
    absl::MutexLock lock(&r.fs->mu);
    root = r.fs->root;
  }
  return r.ns.mnt->PathOf(root, *loc);
}

// /proc/[pid]/fdinfo/N (Linux's seq_show): position, flags (octal, with
// O_CLOEXEC from the descriptor), mount ID and inode number.
ErrnoOr<std::string> FdInfo(const Node& n, Task* reader, int fd) {
  SB_ASSIGN_OR_RETURN(FdTableRef fds, FdsOf(n, reader));
  if (!fds) return Errno(ENOENT);
  auto entry = fds->GetEntry(fd);
  if (!entry.ok()) return Errno(ENOENT);
  const fs::FileRef& f = entry->file;
  auto pos = f->Seek(0, SEEK_CUR);
  int flags = f->status_flags() | (entry->cloexec ? O_CLOEXEC : 0);
  uint64_t ino = 0;
  if (auto st = f->Stat(); st.ok()) ino = st->st_ino;
  std::optional<fs::Location> loc = f->location();
  // Anonymous files (pipes, eventfds) live on no mount of ours: 0.
  uint64_t mnt_id = loc ? fs::MountNamespace::MountId(*loc) : 0;
  return absl::StrFormat("pos:\t%d\nflags:\t0%o\nmnt_id:\t%d\nino:\t%d\n", pos.ok() ? *pos : 0,
                         flags, mnt_id, ino) +
         fs::InotifyFdInfo(*f);
}

class FdDir : public DirNode {
 public:
  FdDir(NodeArgs a, bool info) : DirNode(std::move(a)), info_(info) {}

  ErrnoOr<std::vector<DirEntry>> List() override {
    SB_ASSIGN_OR_RETURN(FdTableRef fds, FdsOf(*this, Task::Current()));
    std::vector<DirEntry> out;
    if (!fds) return out;
    for (int fd : fds->Fds())
      out.push_back(DirEntry{absl::StrCat(fd), info_ ? mode_t{S_IFREG} : mode_t{S_IFLNK}});
    return out;
  }

  ErrnoOr<fs::InodeRef> Lookup(std::string_view name) override {
    std::optional<int> fd = ParseNumber(name);
    if (!fd) return Errno(ENOENT);
    auto fds = FdsOf(*this, Task::Current());
    if (!fds.ok() || !*fds) return Errno(ENOENT);
    auto file = (*fds)->Get(*fd);
    if (!file.ok()) return Errno(ENOENT);
    const int n = *fd;
    if (info_) {
      return fs::InodeRef(std::make_shared<FileNode>(
          args().Child(name, S_IFREG | 0444),
          [n](const Node& node, Task* reader) { return FdInfo(node, reader, n); }));
    }
    // Linux: r-x for a readable file, -wx for a writable one, for the owner.
    mode_t mode = S_IFLNK;
    if ((*file)->readable()) mode |= S_IRUSR | S_IXUSR;
    if ((*file)->writable()) mode |= S_IWUSR | S_IXUSR;
    return fs::InodeRef(std::make_shared<LinkNode>(
        args().Child(name, mode),
        [n](const Node& node, Task* reader) { return FdLink(node, reader, n); }));
  }

 private:
  const bool info_;  // fdinfo/ rather than fd/
};

// Stable inode numbers for namespace objects ("pid:[4026531836]"), in
// Linux's range for them (PROC_DYNAMIC_FIRST + ...). Keyed by the object;
// a number is given again only after its object is gone.
uint64_t NamespaceIno(const std::shared_ptr<const void>& obj) {
  static absl::Mutex mu(absl::kConstInit);
  static auto* table ABSL_GUARDED_BY(mu) =
      new std::map<const void*, std::pair<std::weak_ptr<const void>, uint64_t>>();  // NOLINT
  static uint64_t next ABSL_GUARDED_BY(mu) = 0xEFFFFFFBULL;  // 4026531835: Linux's first
  absl::MutexLock lock(&mu);
  auto it = table->find(obj.get());
  if (it != table->end() && !it->second.first.expired()) return it->second.second;
  std::erase_if(*table, [](const auto& e) { return e.second.first.expired(); });
  uint64_t ino = next++;
  (*table)[obj.get()] = {obj, ino};
  return ino;
}

// The namespaces of kinds the kernel has only one of (every task is in the
// initial one, as on a Linux host without them): an identity object each,
// for the link numbers.
std::shared_ptr<const void> InitialNamespace(const std::string& kind) {
  static const auto* objs =
      new std::map<std::string, std::shared_ptr<const void>>{// NOLINT
                                                             {"cgroup", std::make_shared<int>(0)},
                                                             {"net", std::make_shared<int>(0)},
                                                             {"time", std::make_shared<int>(0)},
                                                             {"user", std::make_shared<int>(0)}};
  auto it = objs->find(kind);
  return it == objs->end() ? nullptr : it->second;
}

ErrnoOr<std::string> NsLink(const Node& n, Task* reader, const std::string& kind) {
  SB_ASSIGN_OR_RETURN(TaskHandle::Target t, n.Target());
  if (!MayInspect(reader, t)) return Errno(EACCES);
  if (!t.task) return Errno(ENOENT);
  Task::Resources r = t.task->SnapshotResources();
  std::shared_ptr<const void> obj;
  std::string type = kind;
  if (kind == "pid") {
    obj = t.tg->pid()->ns();
  } else if (kind == "pid_for_children") {
    type = "pid";
    obj = r.pidns_for_children ? r.pidns_for_children : t.tg->pid()->ns();
  } else if (kind == "mnt") {
    obj = r.ns.mnt;
  } else if (kind == "uts") {
    obj = r.ns.uts;
  } else if (kind == "ipc") {
    obj = r.ns.ipc;
  } else if (kind == "time_for_children") {
    type = "time";
    obj = InitialNamespace(type);
  } else {
    obj = InitialNamespace(kind);
  }
  if (!obj) return Errno(ENOENT);
  return absl::StrCat(type, ":[", NamespaceIno(obj), "]");
}

TableDir::Factory NsDir() {
  std::vector<TableDir::Spec> specs;
  // Linux's entries, in its order. net, user, cgroup and time have one
  // namespace each in this kernel (InitialNamespace).
  for (const char* kind : {"cgroup", "ipc", "mnt", "net", "pid", "pid_for_children", "time",
                           "time_for_children", "user", "uts"}) {
    std::string k = kind;
    specs.push_back({k, S_IFLNK | 0777,
                     MakeLink([k](const Node& n, Task* reader) { return NsLink(n, reader, k); })});
  }
  return MakeTable(std::move(specs));
}

// /proc/[pid]/task: one directory per live thread.
class TaskListDir : public DirNode {
 public:
  using DirNode::DirNode;

  ErrnoOr<std::vector<DirEntry>> List() override {
    SB_ASSIGN_OR_RETURN(TaskHandle::Target t, Target());
    std::vector<pid_t> tids;
    {
      absl::MutexLock lock(&kernel().tree_mu_);
      for (Task* task : t.tg->tasks_) {
        if (pid_t nr = IdIn(*this, task->pid()); nr > 0) tids.push_back(nr);
      }
    }
    std::sort(tids.begin(), tids.end());
    std::vector<DirEntry> out;
    for (pid_t tid : tids) out.push_back(DirEntry{absl::StrCat(tid), S_IFDIR});
    return out;
  }

  ErrnoOr<fs::InodeRef> Lookup(std::string_view name) override {
    std::optional<int> nr = ParseNumber(name);
    if (!nr || *nr == 0) return Errno(ENOENT);
    auto t = Target();
    if (!t.ok()) return Errno(ENOENT);
    TaskRef task = kernel().FindTaskIn(procfs().pidns(), *nr);
    if (!task || task->thread_group_ref() != t->tg) return Errno(ENOENT);
    NodeArgs a = args().Child(name, S_IFDIR | 0555);
    a.task = std::make_shared<const TaskHandle>(t->tg, task->tid());
    return NewTaskDir(std::move(a));
  }
};

template <class T, class... Extra>
TableDir::Factory MakeDir(Extra... extra) {
  return [extra...](NodeArgs a) -> ErrnoOr<fs::InodeRef> {
    return fs::InodeRef(std::make_shared<T>(std::move(a), extra...));
  };
}

std::vector<TableDir::Spec> TaskEntries(bool thread) {
  constexpr mode_t kR = S_IFREG | 0444, kOwnerR = S_IFREG | 0400, kRW = S_IFREG | 0644;
  constexpr mode_t kLink = S_IFLNK | 0777;
  std::vector<TableDir::Spec> s;
  if (!thread) s.push_back({"task", S_IFDIR | 0555, MakeDir<TaskListDir>()});
  s.push_back({"fd", S_IFDIR | 0500, MakeDir<FdDir>(false)});
  s.push_back({"fdinfo", S_IFDIR | 0500, MakeDir<FdDir>(true)});
  s.push_back({"ns", S_IFDIR | 0511, NsDir()});
  s.push_back({"environ", kOwnerR, MakeFile(TaskEnvironText)});
  s.push_back({"auxv", kOwnerR, MakeFile(TaskAuxvText)});
  s.push_back({"status", kR, MakeFile(TaskStatusText)});
  s.push_back({"personality", kOwnerR, MakeFile([](const Node&, Task*) -> ErrnoOr<std::string> {
                 return std::string("00000000\n");  // PER_LINUX: personality(2) sets nothing else
               })});
  s.push_back({"limits", kR, MakeFile(TaskLimitsText)});
  s.push_back({"comm", kRW, MakeFile(TaskCommText, TaskCommWrite)});
  s.push_back({"cmdline", kR, MakeFile(TaskCmdlineText)});
  s.push_back({"stat", kR, MakeFile(TaskStatText)});
  s.push_back({"statm", kR, MakeFile(TaskStatmText)});
  s.push_back({"maps", kR, MakeFile(TaskMapsText)});
  s.push_back({"cwd", kLink, MakeLink(TaskCwdLink)});
  s.push_back({"root", kLink, MakeLink(TaskRootLink)});
  s.push_back({"exe", kLink, MakeLink(TaskExeLink)});
  s.push_back({"mounts", kR, MakeFile(TaskMountsText)});
  s.push_back({"mountinfo", kR, MakeFile(TaskMountinfoText)});
  s.push_back({"smaps", kR, MakeFile(TaskSmapsText)});
  // Nothing here waits in a kernel function Linux would name.
  s.push_back({"wchan", kR, MakeConstant("0")});
  // Every process is in the one root cgroup (no cgroups yet).
  s.push_back({"cgroup", kR, MakeConstant("0::/\n")});
  s.push_back({"oom_score_adj", kRW, MakeFile(TaskOomScoreAdjText, TaskOomScoreAdjWrite)});
  // No audit subsystem: the login UID is unset, and setting it is refused.
  s.push_back(
      {"loginuid", kRW,
       MakeFile([](const Node&, Task*) -> ErrnoOr<std::string> { return "4294967295"; },
                [](const Node&, Task*, std::string_view) -> ErrnoStatus { return Errno(EPERM); })});
  s.push_back({"io", kOwnerR, MakeFile(TaskIoText)});
  return s;
}

}  // namespace

fs::InodeRef NewTaskDir(NodeArgs a) {
  bool thread = a.task->is_thread();
  return std::make_shared<TableDir>(std::move(a), TaskEntries(thread));
}

}  // namespace sb::kernel::procfs
