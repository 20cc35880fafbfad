// proc_root.cc: the root of a procfs mount: the system-wide entries, one
// directory per process the mount's PID namespace sees, and the self and
// thread-self links; plus NewProcfs and MountProcfs.
#include <algorithm>
#include <charconv>

#include "absl/strings/str_cat.h"
#include "kernel/kernel.h"
#include "kernel/procfs/internal.h"
#include "kernel/procfs/procfs.h"

namespace sb::kernel::procfs {
namespace {

// "123" -> 123; nullopt for anything else (leading zeros, signs, junk).
std::optional<pid_t> ParsePid(std::string_view name) {
  if (name.empty() || name[0] == '0') return std::nullopt;
  pid_t v = 0;
  auto [p, ec] = std::from_chars(name.data(), name.data() + name.size(), v);
  if (ec != std::errc() || p != name.data() + name.size() || v <= 0) return std::nullopt;
  return v;
}

// /proc/self: the reader's process ID here; /proc/thread-self:
// "pid/task/tid". ENOENT for a reader this namespace does not see.
ErrnoOr<std::string> SelfLink(const Node& n, Task* reader, bool thread) {
  if (reader == nullptr) return Errno(ENOENT);
  pid_t tgid, tid;
  {
    absl::MutexLock lock(&n.kernel().tree_mu_);
    tgid = IdIn(n, reader->thread_group().pid());
    tid = IdIn(n, reader->pid());
  }
  if (tgid == 0 || tid == 0) return Errno(ENOENT);
  if (thread) return absl::StrCat(tgid, "/task/", tid);
  return absl::StrCat(tgid);
}

class RootDir : public DirNode {
 public:
  RootDir(NodeArgs a, std::vector<TableDir::Spec> specs)
      : DirNode(std::move(a)), specs_(std::move(specs)) {}

  ErrnoOr<std::vector<DirEntry>> List() override {
    std::vector<DirEntry> out;
    for (const auto& s : specs_) out.push_back(DirEntry{s.name, s.mode});
    std::vector<pid_t> pids;
    {
      Kernel& k = kernel();
      absl::MutexLock lock(&k.tree_mu_);
      for (const auto& [global, tg] : k.groups_) {
        if (pid_t nr = IdIn(*this, tg->pid()); nr > 0) pids.push_back(nr);
      }
    }
    std::sort(pids.begin(), pids.end());
    for (pid_t p : pids) out.push_back(DirEntry{absl::StrCat(p), S_IFDIR});
    return out;
  }

  ErrnoOr<fs::InodeRef> Lookup(std::string_view name) override {
    for (const auto& s : specs_) {
      if (s.name == name) return s.make(args().Child(name, s.mode));
    }
    std::optional<pid_t> nr = ParsePid(name);
    if (!nr) return Errno(ENOENT);
    ThreadGroupRef tg = kernel().FindThreadGroupIn(procfs().pidns(), *nr);
    if (!tg) {
      // A thread's ID names its process's directory too (unlisted), as Linux.
      TaskRef t = kernel().FindTaskIn(procfs().pidns(), *nr);
      if (!t) return Errno(ENOENT);
      tg = t->thread_group_ref();
    }
    NodeArgs a = args().Child(name, S_IFDIR | 0555);
    a.task = std::make_shared<const TaskHandle>(tg, 0);
    return NewTaskDir(std::move(a));
  }

 private:
  const std::vector<TableDir::Spec> specs_;  // immutable
};

}  // namespace

pid_t IdIn(const Node& n, const PidRef& pid) { return PidIn(pid, n.procfs().pidns()); }

}  // namespace sb::kernel::procfs

namespace sb::kernel {

fs::InodeRef NewProcfs(Kernel& kernel, PidNamespaceRef pidns) {
  using namespace procfs;  // NOLINT
  auto fs = std::make_shared<ProcFs>(kernel, std::move(pidns));
  std::vector<TableDir::Spec> specs = SystemEntries();
  specs.push_back({"self", S_IFLNK | 0777, MakeLink([](const Node& n, Task* reader) {
                     return SelfLink(n, reader, false);
                   })});
  specs.push_back({"thread-self", S_IFLNK | 0777, MakeLink([](const Node& n, Task* reader) {
                     return SelfLink(n, reader, true);
                   })});
  specs.push_back({"sys", S_IFDIR | 0555, MakeSysDir()});
  specs.push_back({"sysvipc", S_IFDIR | 0555, MakeSysvipcDir()});
  std::sort(specs.begin(), specs.end(),
            [](const TableDir::Spec& a, const TableDir::Spec& b) { return a.name < b.name; });
  return std::make_shared<RootDir>(NodeArgs{fs, "", S_IFDIR | 0555, nullptr}, std::move(specs));
}

absl::Status MountProcfs(Kernel& kernel, fs::MountNamespace& ns, PidNamespaceRef pidns,
                         std::string_view target) {
  fs::MountOptions opts;
  opts.nosuid = opts.nodev = opts.noexec = true;
  return ns.MountFilesystemRoot(target, NewProcfs(kernel, std::move(pidns)), opts);
}

}  // namespace sb::kernel
