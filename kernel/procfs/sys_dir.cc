// sys_dir.cc: /proc/sys, the sysctls programs read, each the value our
// kernel uses (sysctls it has no notion of are absent: ENOENT).
#include <linux/capability.h>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "fs/inotify.h"
#include "fs/pipe.h"
#include "kernel/base/abi.h"
#include "kernel/base/credentials.h"
#include "kernel/kernel.h"
#include "kernel/mm/memory_manager.h"
#include "kernel/procfs/internal.h"

namespace sb::kernel::procfs {
namespace {

// kernel.hostname / kernel.domainname: the reader's UTS namespace.
TableDir::Factory UtsFile(char (utsname::*field)[_UTSNAME_LENGTH]) {
  return MakeFile(
      [field](const Node& n, Task* reader) -> ErrnoOr<std::string> {
        struct utsname u =
            reader ? reader->uts_namespace().Get() : n.kernel().root_uts_namespace()->Get();
        return absl::StrCat(u.*field, "\n");
      },
      [field](const Node&, Task* writer, std::string_view data) -> ErrnoStatus {
        if (writer == nullptr || !writer->creds().HasCapability(CAP_SYS_ADMIN)) {
          return Errno(EPERM);
        }
        if (!data.empty() && data.back() == '\n') data.remove_suffix(1);
        if (data.size() >= _UTSNAME_LENGTH) return Errno(EINVAL);
        writer->uts_namespace().Set(field, data.data(), data.size());
        return Ok();
      });
}

// kernel.shm*, sem, msg*: the reader's IPC namespace's limits (Linux's
// ipc_sysctl.c), writable by root there.
IpcNamespace& IpcOf(const Node& n, Task* t) {
  return t ? *t->namespaces().ipc : *n.kernel().root_ipc_namespace();
}

template <class Get, class Set>
TableDir::Factory IpcFile(Get get, Set set) {
  return MakeFile(
      [get](const Node& n, Task* reader) -> ErrnoOr<std::string> {
        return get(IpcOf(n, reader)) + "\n";
      },
      [set](const Node& n, Task* writer, std::string_view data) -> ErrnoStatus {
        if (writer == nullptr ||
            (writer->creds().euid != 0 && !writer->creds().HasCapability(CAP_DAC_OVERRIDE))) {
          return Errno(EPERM);
        }
        std::vector<std::string> fields =
            absl::StrSplit(absl::string_view(data.data(), data.size()), absl::ByAnyChar(" \t\n"),
                           absl::SkipEmpty());
        std::vector<uint64_t> vals;
        for (const std::string& f : fields) {
          uint64_t v;
          if (!absl::SimpleAtoi(f, &v)) return Errno(EINVAL);
          vals.push_back(v);
        }
        if (vals.empty()) return Errno(EINVAL);
        return set(IpcOf(n, writer), vals);
      });
}

TableDir::Spec ShmKnob(std::string name, uint64_t ipc::ShmNamespace::*field) {
  return {std::move(name), S_IFREG | 0644,
          IpcFile(
              [field](IpcNamespace& ns) {
                absl::MutexLock lock(&ns.shm().mu);
                return absl::StrCat(ns.shm().*field);
              },
              [field](IpcNamespace& ns, const std::vector<uint64_t>& v) -> ErrnoStatus {
                absl::MutexLock lock(&ns.shm().mu);
                ns.shm().*field = v[0];
                return Ok();
              })};
}

TableDir::Spec MsgKnob(std::string name, int ipc::MsgNamespace::*field) {
  return {std::move(name), S_IFREG | 0644,
          IpcFile(
              [field](IpcNamespace& ns) {
                absl::MutexLock lock(&ns.msg().mu);
                return absl::StrCat(ns.msg().*field);
              },
              [field](IpcNamespace& ns, const std::vector<uint64_t>& v) -> ErrnoStatus {
                if (v[0] > INT32_MAX) return Errno(EINVAL);
                absl::MutexLock lock(&ns.msg().mu);
                ns.msg().*field = static_cast<int>(v[0]);
                return Ok();
              })};
}

TableDir::Spec SemKnob() {
  return {"sem", S_IFREG | 0644,
          IpcFile(
              [](IpcNamespace& ns) {
                ipc::SemNamespace& s = ns.sem();
                absl::MutexLock lock(&s.mu);
                return absl::StrCat(s.semmsl, "\t", s.semmns, "\t", s.semopm, "\t", s.semmni);
              },
              [](IpcNamespace& ns, const std::vector<uint64_t>& v) -> ErrnoStatus {
                if (v.size() < 4) return Errno(EINVAL);
                for (uint64_t x : v) {
                  if (x > INT32_MAX) return Errno(EINVAL);
                }
                ipc::SemNamespace& s = ns.sem();
                absl::MutexLock lock(&s.mu);
                s.semmsl = static_cast<int>(v[0]);
                s.semmns = static_cast<int>(v[1]);
                s.semopm = static_cast<int>(v[2]);
                s.semmni = static_cast<int>(v[3]);
                return Ok();
              })};
}

TableDir::Spec Const(std::string name, std::string value) {
  return {std::move(name), S_IFREG | 0444, MakeConstant(value + "\n")};
}

}  // namespace

TableDir::Factory MakeSysDir() {
  constexpr mode_t kDir = S_IFDIR | 0555;
  std::vector<TableDir::Spec> random = {
      {"boot_id", S_IFREG | 0444, MakeFile([](const Node& n, Task*) -> ErrnoOr<std::string> {
         return n.kernel().boot_id() + "\n";
       })},
      {"uuid", S_IFREG | 0444,
       MakeFile([](const Node&, Task*) -> ErrnoOr<std::string> { return NewUuid() + "\n"; })},
  };
  std::vector<TableDir::Spec> kernel = {
      Const("cap_last_cap", absl::StrCat(kCapLastCap)),
      {"domainname", S_IFREG | 0644, UtsFile(&utsname::domainname)},
      {"hostname", S_IFREG | 0644, UtsFile(&utsname::nodename)},
      MsgKnob("msgmax", &ipc::MsgNamespace::msgmax),
      MsgKnob("msgmnb", &ipc::MsgNamespace::msgmnb),
      MsgKnob("msgmni", &ipc::MsgNamespace::msgmni),
      Const("ngroups_max", absl::StrCat(abi::kNgroupsMax)),
      Const("osrelease", kRelease),
      Const("ostype", kSysname),
      // What the credential code maps unmappable IDs to (Linux's default).
      Const("overflowgid", "65534"),
      Const("overflowuid", "65534"),
      Const("pid_max", absl::StrCat(abi::kPidMax)),
      {"random", kDir, MakeTable(std::move(random))},
      SemKnob(),
      ShmKnob("shmall", &ipc::ShmNamespace::shmall),
      ShmKnob("shmmax", &ipc::ShmNamespace::shmmax),
      ShmKnob("shmmni", &ipc::ShmNamespace::shmmni),
      Const("version", kVersion),
  };
  auto limit = [](std::atomic<int> fs::InotifyLimits::*field) -> TableDir::Factory {
    return MakeFile(
        [field](const Node&, Task*) -> ErrnoOr<std::string> {
          return absl::StrCat((fs::GetInotifyLimits().*field).load(), "\n");
        },
        [field](const Node&, Task* writer, std::string_view data) -> ErrnoStatus {
          if (writer == nullptr || !writer->creds().HasCapability(CAP_SYS_ADMIN)) {
            return Errno(EPERM);
          }
          int v;
          std::string s(data);
          if (!s.empty() && s.back() == '\n') s.pop_back();
          if (!absl::SimpleAtoi(s, &v) || v < 0) return Errno(EINVAL);
          (fs::GetInotifyLimits().*field).store(v);
          return Ok();
        });
  };
  std::vector<TableDir::Spec> inotify = {
      {"max_queued_events", S_IFREG | 0644, limit(&fs::InotifyLimits::max_queued_events)},
      {"max_user_instances", S_IFREG | 0644, limit(&fs::InotifyLimits::max_user_instances)},
      {"max_user_watches", S_IFREG | 0644, limit(&fs::InotifyLimits::max_user_watches)},
  };
  std::vector<TableDir::Spec> fs = {
      {"inotify", kDir, MakeTable(std::move(inotify))},
      Const("nr_open", absl::StrCat(abi::kNrOpen)),
      Const("pipe-max-size", absl::StrCat(fs::kPipeMaxSize)),
  };
  std::vector<TableDir::Spec> vm = {
      Const("mmap_min_addr", absl::StrCat(mm::MemoryManager::kMinAddress)),
      // Memory is a sparse memory file: mappings are never refused for
      // lack of commit, as Linux's "always overcommit".
      Const("overcommit_memory", "1"),
  };
  return MakeTable({
      {"fs", kDir, MakeTable(std::move(fs))},
      {"kernel", kDir, MakeTable(std::move(kernel))},
      {"vm", kDir, MakeTable(std::move(vm))},
  });
}

// /proc/sysvipc/{msg,sem,shm} in Linux's formats (ipc/msg.c, sem.c,
// shm.c sysvipc_*_proc_show), PIDs as this procfs's namespace sees them.
TableDir::Factory MakeSysvipcDir() {
  auto shm = [](const Node& n, Task* reader) -> ErrnoOr<std::string> {
    ipc::ShmNamespace& ns = IpcOf(n, reader).shm();
    std::string out =
        "       key      shmid perms                  size  cpid  lpid nattch   uid   gid  cuid  "
        "cgid      atime      dtime      ctime                   rss                  swap\n";
    absl::MutexLock lock(&ns.mu);
    for (const auto& [idx, s] : ns.ids.objects()) {
      out += absl::StrFormat(
          "%10d %10d  %4o %21u %5u %5u  %5u %5u %5u %5u %5u %10u %10u %10u %21u %21u\n",
          s->perm.key, s->perm.id, s->perm.mode, s->size, IdIn(n, s->cpid), IdIn(n, s->lpid),
          s->nattch, s->perm.uid, s->perm.gid, s->perm.cuid, s->perm.cgid, s->atime, s->dtime,
          s->ctime, ipc::ResidentBytes(*s), 0);
    }
    return out;
  };
  auto sem = [](const Node& n, Task* reader) -> ErrnoOr<std::string> {
    ipc::SemNamespace& ns = IpcOf(n, reader).sem();
    std::string out =
        "       key      semid perms      nsems   uid   gid  cuid  cgid      otime      ctime\n";
    absl::MutexLock lock(&ns.mu);
    for (const auto& [idx, s] : ns.ids.objects()) {
      out += absl::StrFormat("%10d %10d  %4o %10u %5u %5u %5u %5u %10u %10u\n", s->perm.key,
                             s->perm.id, s->perm.mode, s->sems.size(), s->perm.uid, s->perm.gid,
                             s->perm.cuid, s->perm.cgid, s->otime, s->ctime);
    }
    return out;
  };
  auto msg = [](const Node& n, Task* reader) -> ErrnoOr<std::string> {
    ipc::MsgNamespace& ns = IpcOf(n, reader).msg();
    std::string out =
        "       key      msqid perms      cbytes       qnum lspid lrpid   uid   gid  cuid  cgid   "
        "   stime      rtime      ctime\n";
    absl::MutexLock lock(&ns.mu);
    for (const auto& [idx, q] : ns.ids.objects()) {
      out += absl::StrFormat("%10d %10d  %4o  %10u %10u %5u %5u %5u %5u %5u %5u %10u %10u %10u\n",
                             q->perm.key, q->perm.id, q->perm.mode, q->cbytes, q->messages.size(),
                             IdIn(n, q->lspid), IdIn(n, q->lrpid), q->perm.uid, q->perm.gid,
                             q->perm.cuid, q->perm.cgid, q->stime, q->rtime, q->ctime);
    }
    return out;
  };
  return MakeTable({
      {"msg", S_IFREG | 0444, MakeFile(msg)},
      {"sem", S_IFREG | 0444, MakeFile(sem)},
      {"shm", S_IFREG | 0444, MakeFile(shm)},
  });
}

}  // namespace sb::kernel::procfs
