// sem.cc: semget, semop, semtimedop, semctl (System V semaphores, Linux's
// ipc/sem.c). The sets live in the caller's IPC namespace
// (kernel/ipc/sem.h).
#include <linux/capability.h>
#include <poll.h>

#include <optional>

#include "kernel/base/abi.h"
#include "kernel/kernel.h"
#include "kernel/syscalls/handlers.h"

namespace sb::kernel {
namespace {

using ipc::SemNamespace;
using ipc::SemSet;

constexpr int kIpcCreat = 01000, kIpcExcl = 02000, kIpcNowait = 04000, kSemUndo = 0x1000;
constexpr int kIpcRmid = 0, kIpcSet = 1, kIpcStat = 2, kIpcInfo = 3, kGetPid = 11, kGetVal = 12,
              kGetAll = 13, kGetNcnt = 14, kGetZcnt = 15, kSetVal = 16, kSetAll = 17, kSemStat = 18,
              kSemInfo = 19, kSemStatAny = 20;

struct Sembuf {
  uint16_t num;
  int16_t op;
  int16_t flg;
};
// struct semid64_ds (x86-64).
struct Semid64Ds {
  ipc::Ipc64Perm perm;
  int64_t otime;
  uint64_t unused1;
  int64_t ctime;
  uint64_t unused2;
  uint64_t nsems;
  uint64_t unused3, unused4;
};
static_assert(sizeof(Semid64Ds) == 104);
struct Seminfo {
  int32_t semmap, semmni, semmns, semmnu, semmsl, semopm, semume, semusz, semvmx, semaem;
};

ErrnoOr<int> NewSet(Task& t, SemNamespace& ns, key_t key, int nsems, int flag)
    ABSL_EXCLUSIVE_LOCKS_REQUIRED(ns.mu) {
  if (nsems == 0) return Errno(EINVAL);
  if (ns.used_sems + nsems > ns.semmns) return Errno(ENOSPC);
  auto set = std::make_shared<SemSet>();
  set->perm = ipc::NewPerm(t.creds(), key, flag);
  set->sems.resize(nsems);
  set->ctime = ipc::NowSeconds();
  SB_ASSIGN_OR_RETURN(int id, ns.ids.Add(set, std::min(ns.semmni, ipc::kIpcmni)));
  ns.used_sems += nsems;
  return id;
}

// Tries `sops` on `set` all at once (Linux's perform_atomic_semop_slow).
// Ok: applied. EAGAIN: operation `*blocking` would block. ERANGE.
ErrnoStatus TryApply(Task& t, SemSet& set, const std::vector<Sembuf>& sops, const void* tg,
                     size_t* blocking) {
  std::vector<int> vals(set.sems.size());
  for (size_t i = 0; i < vals.size(); i++) vals[i] = set.sems[i].value;
  std::vector<int>* undo = nullptr;
  std::vector<int> adj;
  bool undos = false;
  for (const Sembuf& s : sops) undos |= (s.flg & kSemUndo) != 0;
  if (undos) {
    auto it = set.undo.find(tg);
    adj = it == set.undo.end() ? std::vector<int>(set.sems.size()) : it->second;
  }
  for (size_t i = 0; i < sops.size(); i++) {
    const Sembuf& s = sops[i];
    int v = vals[s.num];
    if (s.op == 0 && v != 0) {
      *blocking = i;
      return Errno(EAGAIN);
    }
    v += s.op;
    if (v < 0) {
      *blocking = i;
      return Errno(EAGAIN);
    }
    if (v > ipc::kSemVmx) return Errno(ERANGE);
    if (s.flg & kSemUndo) {
      int u = adj[s.num] - s.op;
      if (u < -ipc::kSemAem - 1 || u > ipc::kSemAem) return Errno(ERANGE);
      adj[s.num] = u;
    }
    vals[s.num] = v;
  }
  PidRef pid = t.thread_group().pid();
  for (const Sembuf& s : sops) set.sems[s.num].pid = pid;
  for (size_t i = 0; i < vals.size(); i++) set.sems[i].value = vals[i];
  if (undos) undo = &set.undo[tg];
  if (undo) *undo = std::move(adj);
  set.otime = ipc::NowSeconds();
  return Ok();
}

SyscallResult DoSemop(Task& t, int id, uint64_t sops_addr, uint64_t nsops,
                      const std::optional<struct timespec>& timeout) {
  if (nsops < 1 || id < 0) return Errno(EINVAL);
  const std::shared_ptr<SemNamespace>& ns = t.namespaces().ipc->sem_ref();
  {
    absl::MutexLock lock(&ns->mu);
    if (nsops > static_cast<uint64_t>(ns->semopm)) return Errno(E2BIG);
  }
  std::vector<Sembuf> sops(nsops);
  SB_TRY(t.CopyIn(sops_addr, sops.data(), nsops * sizeof(Sembuf)));
  std::optional<absl::Time> deadline;
  if (timeout) {
    const struct timespec& ts = *timeout;
    if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000L) return Errno(EINVAL);
    deadline = absl::Now() + absl::DurationFromTimespec(ts);
  }
  int max = 0;
  bool undos = false, alter = false;
  for (const Sembuf& s : sops) {
    max = std::max<int>(max, s.num);
    undos |= (s.flg & kSemUndo) != 0;
    alter |= s.op != 0;
  }
  const void* tg = &t.thread_group();
  Waiter& w = t.waiter();
  std::shared_ptr<SemSet> set;
  absl::MutexLock lock(&ns->mu);
  set = ns->ids.FindId(id);
  if (!set) return Errno(EINVAL);
  if (max >= static_cast<int>(set->sems.size())) return Errno(EFBIG);
  if (!ipc::Permits(t.creds(), set->perm, alter ? 0222 : 0444)) return Errno(EACCES);
  if (undos) ipc::NoteUndo(tg, ns, set);
  for (;;) {
    if (set->removed) return Errno(EIDRM);
    size_t blocking = 0;
    ErrnoStatus r = TryApply(t, *set, sops, tg, &blocking);
    if (r.ok()) {
      if (alter) set->queue.Notify(POLLIN | POLLOUT);
      return 0;
    }
    if (r.error().value() != EAGAIN) return r.error();
    if (sops[blocking].flg & kIpcNowait) return Errno(EAGAIN);
    const std::pair<int, bool> sleeper{sops[blocking].num, sops[blocking].op == 0};
    set->sleepers.push_back(sleeper);
    Waiter::Result res;
    {
      WaitRegistration reg(&set->queue, &w, ~0u);
      w.ResetEvents();
      ns->mu.Unlock();
      res = w.Wait(deadline ? *deadline : absl::InfiniteFuture());
      ns->mu.Lock();
    }
    auto it = std::find(set->sleepers.begin(), set->sleepers.end(), sleeper);
    if (it != set->sleepers.end()) set->sleepers.erase(it);
    if (set->removed) return Errno(EIDRM);
    // semop is never restarted (Linux returns EINTR directly).
    if (res == Waiter::Result::kInterrupted) return Errno(EINTR);
    if (res == Waiter::Result::kTimedOut) {
      // One last try, as a wake-up may have come with the deadline.
      r = TryApply(t, *set, sops, tg, &blocking);
      if (r.ok()) {
        if (alter) set->queue.Notify(POLLIN | POLLOUT);
        return 0;
      }
      return Errno(EAGAIN);
    }
  }
}

}  // namespace

SyscallResult Semget(Task& t, const SyscallArgs& a) {
  const key_t key = a.i32(0);
  const int nsems = a.i32(1), flag = a.i32(2);
  SemNamespace& ns = t.namespaces().ipc->sem();
  absl::MutexLock lock(&ns.mu);
  if (nsems < 0 || nsems > ns.semmsl) return Errno(EINVAL);
  if (key == ipc::kIpcPrivate) {
    SB_ASSIGN_OR_RETURN(int id, NewSet(t, ns, key, nsems, flag));
    return id;
  }
  auto set = ns.ids.FindKey(key);
  if (!set) {
    if (!(flag & kIpcCreat)) return Errno(ENOENT);
    SB_ASSIGN_OR_RETURN(int id, NewSet(t, ns, key, nsems, flag));
    return id;
  }
  if ((flag & kIpcCreat) && (flag & kIpcExcl)) return Errno(EEXIST);
  if (nsems > static_cast<int>(set->sems.size())) return Errno(EINVAL);
  if (!ipc::Permits(t.creds(), set->perm, flag)) return Errno(EACCES);
  return set->perm.id;
}

SyscallResult Semop(Task& t, const SyscallArgs& a) {
  return DoSemop(t, a.i32(0), a.addr(1), a.u64(2), std::nullopt);
}

SyscallResult Semtimedop(Task& t, const SyscallArgs& a) {
  std::optional<struct timespec> timeout;
  if (a.addr(3) != 0) {
    SB_ASSIGN_OR_RETURN(struct timespec ts, t.CopyInObj<struct timespec>(a.addr(3)));
    timeout = ts;
  }
  return DoSemop(t, a.i32(0), a.addr(1), a.u64(2), timeout);
}

SyscallResult Semctl(Task& t, const SyscallArgs& a) {
  const int id = a.i32(0), num = a.i32(1), cmd = a.i32(2);
  const uint64_t arg = a.u64(3);
  if (id < 0) return Errno(EINVAL);
  SemNamespace& ns = t.namespaces().ipc->sem();
  const void* tg = &t.thread_group();
  switch (cmd) {
    case kIpcInfo:
    case kSemInfo: {
      Seminfo info{};
      int max_idx;
      {
        absl::MutexLock lock(&ns.mu);
        info.semmni = ns.semmni;
        info.semmns = ns.semmns;
        info.semmsl = ns.semmsl;
        info.semopm = ns.semopm;
        info.semvmx = ipc::kSemVmx;
        info.semmnu = info.semmap = ipc::kSemMns;
        info.semume = ipc::kSemOpm;
        if (cmd == kSemInfo) {
          info.semusz = ns.ids.in_use();
          info.semaem = ns.used_sems;
        } else {
          info.semusz = 20;
          info.semaem = ipc::kSemAem;
        }
        max_idx = ns.ids.max_idx();
      }
      SB_TRY(t.CopyOutObj(arg, info));
      return max_idx < 0 ? 0 : max_idx;
    }
    case kIpcStat:
    case kSemStat:
    case kSemStatAny: {
      Semid64Ds ds{};
      int ret = 0;
      {
        absl::MutexLock lock(&ns.mu);
        auto set = cmd == kIpcStat ? ns.ids.FindId(id) : ns.ids.FindIndex(id);
        if (!set) return Errno(EINVAL);
        if (cmd != kSemStatAny && !ipc::Permits(t.creds(), set->perm, 0444)) {
          return Errno(EACCES);
        }
        ds.perm = ipc::ToAbi(set->perm);
        ds.otime = set->otime;
        ds.ctime = set->ctime;
        ds.nsems = set->sems.size();
        if (cmd != kIpcStat) ret = set->perm.id;
      }
      SB_TRY(t.CopyOutObj(arg, ds));
      return ret;
    }
    case kGetAll:
    case kGetVal:
    case kGetPid:
    case kGetNcnt:
    case kGetZcnt:
    case kSetAll: {
      std::vector<uint16_t> in;
      if (cmd == kSetAll) {
        size_t n;
        {
          absl::MutexLock lock(&ns.mu);
          auto set = ns.ids.FindId(id);
          if (!set) return Errno(EINVAL);
          if (!ipc::Permits(t.creds(), set->perm, 0222)) return Errno(EACCES);
          n = set->sems.size();
        }
        in.resize(n);
        SB_TRY(t.CopyIn(arg, in.data(), n * sizeof(uint16_t)));
        for (uint16_t v : in) {
          if (v > ipc::kSemVmx) return Errno(ERANGE);
        }
      }
      absl::MutexLock lock(&ns.mu);
      auto set = ns.ids.FindId(id);
      if (!set) return Errno(EINVAL);
      if (!ipc::Permits(t.creds(), set->perm, cmd == kSetAll ? 0222 : 0444)) {
        return Errno(EACCES);
      }
      const int n = static_cast<int>(set->sems.size());
      if (cmd == kGetAll) {
        std::vector<uint16_t> out(n);
        for (int i = 0; i < n; i++) out[i] = static_cast<uint16_t>(set->sems[i].value);
        SB_TRY(t.CopyOut(arg, out.data(), n * sizeof(uint16_t)));
        return 0;
      }
      if (cmd == kSetAll) {
        if (static_cast<int>(in.size()) != n) return Errno(EIDRM);
        PidRef pid = t.thread_group().pid();
        for (int i = 0; i < n; i++) {
          set->sems[i].value = in[i];
          set->sems[i].pid = pid;
        }
        for (auto& [p, adj] : set->undo) std::fill(adj.begin(), adj.end(), 0);
        set->ctime = ipc::NowSeconds();
        set->queue.Notify(POLLIN | POLLOUT);
        return 0;
      }
      if (num < 0 || num >= n) return Errno(EINVAL);
      switch (cmd) {
        case kGetVal:
          return set->sems[num].value;
        case kGetPid:
          return t.IdOf(set->sems[num].pid);
        default: {
          const bool zero = cmd == kGetZcnt;
          return std::count(set->sleepers.begin(), set->sleepers.end(),
                            std::pair<int, bool>{num, zero});
        }
      }
    }
    case kSetVal: {
      const int val = static_cast<int>(arg);
      if (val > ipc::kSemVmx || val < 0) return Errno(ERANGE);
      absl::MutexLock lock(&ns.mu);
      auto set = ns.ids.FindId(id);
      if (!set) return Errno(EINVAL);
      if (num < 0 || num >= static_cast<int>(set->sems.size())) return Errno(EINVAL);
      if (!ipc::Permits(t.creds(), set->perm, 0222)) return Errno(EACCES);
      for (auto& [p, adj] : set->undo) adj[num] = 0;
      set->sems[num].value = val;
      set->sems[num].pid = t.thread_group().pid();
      set->ctime = ipc::NowSeconds();
      set->queue.Notify(POLLIN | POLLOUT);
      return 0;
    }
    case kIpcSet:
    case kIpcRmid: {
      Semid64Ds in{};
      if (cmd == kIpcSet) SB_TRY(t.CopyIn(arg, &in, sizeof(in)));
      absl::MutexLock lock(&ns.mu);
      auto set = ns.ids.FindId(id);
      if (!set) return Errno(EINVAL);
      if (!ipc::MayControl(t.creds(), set->perm)) return Errno(EPERM);
      if (cmd == kIpcRmid) {
        ns.RemoveLocked(*set);
        return 0;
      }
      set->perm.uid = in.perm.uid;
      set->perm.gid = in.perm.gid;
      set->perm.mode = (set->perm.mode & ~0777) | (in.perm.mode & 0777);
      set->ctime = ipc::NowSeconds();
      return 0;
    }
    default:
      (void)tg;
      return Errno(EINVAL);
  }
}

}  // namespace sb::kernel
