// task_files.cc: the text of /proc/[pid]/* (and task/[tid]/*), in the
// formats of Linux 6.x (fs/proc/array.c, task_mmu.c, base.c). Values the
// kernel does not keep (page faults, context switches, I/O counters) are
// 0, each marked where it is printed.
#include <linux/capability.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "kernel/kernel.h"
#include "kernel/procfs/internal.h"

namespace sb::kernel::procfs {
namespace {

constexpr uint64_t kPage = 4096;

int64_t Ticks(absl::Duration d) { return absl::ToInt64Seconds(d * sysconf(_SC_CLK_TCK)); }

// Numbers of the namespaces of `levels` (the task's, root first) from
// `from` down: NStgid, NSpid, ...
std::vector<pid_t> NsIds(const PidRef& pid, const std::vector<const PidNamespace*>& levels) {
  std::vector<pid_t> out;
  for (const PidNamespace* ns : levels) out.push_back(PidIn(pid, *ns));
  return out;
}

// Everything stat and status print about one task, gathered under the
// kernel's locks in their order.
struct Info {
  TaskHandle::Target t;
  Task::Resources res;
  std::string comm;
  char state = 'S';
  const char* state_name = "sleeping";
  pid_t tgid = 0, tid = 0, ppid = 0, pgid = 0, sid = 0;
  std::vector<pid_t> ns_tgid, ns_pid, ns_pgid, ns_sid;
  int threads = 0;
  int exit_signal = SIGCHLD;
  int exit_status = 0;
  uint64_t sig_pnd = 0, shd_pnd = 0, blocked = 0, ignored = 0, caught = 0;
  int nice = 0, policy = SCHED_OTHER;
  std::vector<uint8_t> affinity;
  std::array<struct rlimit, RLIM_NLIMITS> rlimits{};
  absl::Duration utime, stime, cutime, cstime;
  absl::Time start;
};

// The stub's host CPU time (utime, stime), from the host's own /proc:
// the program runs there, so that is its real CPU time.
std::pair<absl::Duration, absl::Duration> HostCpu(int host_pid) {
  if (host_pid <= 0) return {};
  std::ifstream in(absl::StrCat("/proc/", host_pid, "/stat"));
  std::string line;
  if (!std::getline(in, line)) return {};
  size_t p = line.rfind(')');
  if (p == std::string::npos) return {};
  unsigned long long ut = 0, st = 0;
  if (sscanf(line.c_str() + p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut,
             &st) != 2) {
    return {};
  }
  const long hz = sysconf(_SC_CLK_TCK);
  return {absl::Seconds(1) * static_cast<double>(ut) / hz,
          absl::Seconds(1) * static_cast<double>(st) / hz};
}

ErrnoOr<Info> Collect(const Node& n, Task* reader) {
  Info i;
  SB_ASSIGN_OR_RETURN(i.t, n.Target());
  ThreadGroup& tg = *i.t.tg;
  Task* task = i.t.task.get();
  if (task) i.res = task->SnapshotResources();
  Kernel& k = n.kernel();
  // The task's namespaces from the mount's down (NStgid and friends).
  std::vector<const PidNamespace*> levels;
  for (const PidNamespace* p = tg.pid()->ns().get(); p != nullptr; p = p->parent().get()) {
    levels.insert(levels.begin(), p);
    if (p == &n.procfs().pidns()) break;
  }
  bool zombie;
  {
    absl::MutexLock lock(&k.tree_mu_);
    i.tgid = IdIn(n, tg.pid());
    i.tid = task ? IdIn(n, task->pid()) : i.tgid;
    i.ppid = tg.parent_ ? IdIn(n, tg.parent_->pid()) : 0;
    i.pgid = IdIn(n, tg.pgid_);
    i.sid = IdIn(n, tg.sid_);
    i.ns_tgid = NsIds(tg.pid(), levels);
    i.ns_pid = task && n.task()->is_thread() ? NsIds(task->pid(), levels) : i.ns_tgid;
    i.ns_pgid = NsIds(tg.pgid_, levels);
    i.ns_sid = NsIds(tg.sid_, levels);
    i.threads = static_cast<int>(tg.tasks_.size());
    i.exit_signal = tg.exit_signal_;
    zombie = tg.zombie_;
    i.exit_status = tg.exit_status_;
    i.cutime = tg.children_utime_;
    i.cstime = tg.children_stime_;
    if (zombie) {
      i.utime = tg.exit_utime_;
      i.stime = tg.exit_stime_;
    }
  }
  bool stopped;
  {
    absl::MutexLock lock(&tg.signal_mu_);
    i.comm = tg.comm_;
    stopped = tg.stopped_;
    i.shd_pnd = tg.shared_pending_.mask;
    for (int sig = 1; sig <= kNumSignals; ++sig) {
      const SigAction& a = tg.actions_[sig - 1];
      if (a.handler == reinterpret_cast<uint64_t>(SIG_IGN)) i.ignored |= SigBit(sig);
      if (a.handler > reinterpret_cast<uint64_t>(SIG_IGN)) i.caught |= SigBit(sig);
    }
    i.rlimits = tg.rlimits_;
    if (task) {
      // The mask is written under signal_mu_ by its own task.
      i.blocked = task->signal_mask();
      i.nice = task->nice;
      i.policy = task->sched_policy;
      i.affinity = task->affinity;
    }
  }
  if (task) i.sig_pnd = task->OwnPendingSignals();
  if (!zombie) std::tie(i.utime, i.stime) = HostCpu(tg.host_pid_.load());
  const bool thread = n.task()->is_thread();
  i.start = thread && task ? task->start_time : tg.start_time_;
  if (!thread) i.tid = i.tgid;  // a process's files describe its leader
  if (zombie || !task) {
    i.state = 'Z';
    i.state_name = "zombie";
  } else if (stopped) {
    i.state = 'T';
    i.state_name = "stopped";
  } else if (task == reader || !task->waiter().waiting()) {
    // Running on the host or about to (we do not see the host's run queue).
    i.state = 'R';
    i.state_name = "running";
  }
  return i;
}

// What the address space's mappings add up to (status's Vm* lines).
struct MemTotals {
  uint64_t size = 0, rss = 0, rss_anon = 0, rss_file = 0, rss_shmem = 0;
  uint64_t data = 0, stack = 0, exe = 0, lib = 0;
  uint64_t start_code = 0, end_code = 0, start_data = 0, end_data = 0;
};

bool IsFileName(const std::string& name) { return !name.empty() && name[0] != '['; }

MemTotals Totals(const std::vector<mm::MemoryManager::Mapping>& maps, const std::string& exe) {
  MemTotals m;
  for (const auto& [v, resident] : maps) {
    uint64_t len = v.end - v.start;
    m.size += len;
    m.rss += resident;
    if (v.shared && !IsFileName(v.name)) {
      m.rss_shmem += resident;
    } else if (IsFileName(v.name)) {
      m.rss_file += resident;
    } else {
      m.rss_anon += resident;
    }
    if (v.growsdown) {
      m.stack += len;
    } else if ((v.prot & PROT_WRITE) && !v.shared) {
      m.data += len;
      if (v.name == exe && m.start_data == 0) {
        m.start_data = v.start;
        m.end_data = v.end;
      }
    } else if ((v.prot & PROT_EXEC) && !(v.prot & PROT_WRITE)) {
      // Linux counts the program's text (end_code - start_code) as VmExe
      // and the rest of the executable mappings as VmLib; our text bounds
      // are those of the program's executable mappings.
      if (v.name == exe) {
        m.exe += len;
        if (m.start_code == 0) m.start_code = v.start;
        m.end_code = v.end;
      } else {
        m.lib += len;
      }
    }
  }
  return m;
}

std::string Hex16(uint64_t v) { return absl::StrFormat("%016x", v); }

// Cpus_allowed's mask: 32-bit words, most significant first, commas between.
std::string CpuMask(const std::vector<bool>& cpus) {
  size_t words = std::max<size_t>(1, (cpus.size() + 31) / 32);
  std::vector<std::string> parts;
  for (size_t w = words; w-- > 0;) {
    uint32_t bits = 0;
    for (size_t b = 0; b < 32 && w * 32 + b < cpus.size(); ++b) {
      if (cpus[w * 32 + b]) bits |= 1u << b;
    }
    parts.push_back(w + 1 == words ? absl::StrFormat("%x", bits) : absl::StrFormat("%08x", bits));
  }
  return absl::StrJoin(parts, ",");
}

std::string CpuList(const std::vector<bool>& cpus) {
  std::vector<std::string> parts;
  for (size_t i = 0; i < cpus.size();) {
    if (!cpus[i]) {
      ++i;
      continue;
    }
    size_t j = i;
    while (j + 1 < cpus.size() && cpus[j + 1]) ++j;
    parts.push_back(i == j ? absl::StrCat(i) : absl::StrCat(i, "-", j));
    i = j + 1;
  }
  return absl::StrJoin(parts, ",");
}

// Lines of the host's status of the stub that describe the host machine
// (speculation mitigations, memory nodes): the program runs there.
std::map<std::string, std::string> HostStatusLines(int host_pid) {
  std::map<std::string, std::string> out;
  std::ifstream in(host_pid > 0 ? absl::StrCat("/proc/", host_pid, "/status")
                                : std::string("/proc/self/status"));
  std::string line;
  while (std::getline(in, line)) {
    size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    size_t v = line.find_first_not_of('\t', colon + 1);
    out[line.substr(0, colon)] = v == std::string::npos ? "" : line.substr(v);
  }
  return out;
}

// Octal escapes of mount paths (Linux's mangle(): space, tab, newline, backslash).
std::string Mangle(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\\') {
      absl::StrAppendFormat(&out, "\\%03o", static_cast<unsigned char>(c));
    } else {
      out += c;
    }
  }
  return out;
}

// The per-mount flags as Linux's show_mnt_opts() writes them.
std::string MountOpts(const fs::MountOptions& o, bool read_only) {
  std::string s = read_only ? "ro" : "rw";
  if (o.nosuid) s += ",nosuid";
  if (o.nodev) s += ",nodev";
  if (o.noexec) s += ",noexec";
  if (o.atime == fs::AtimeMode::kNoatime) s += ",noatime";
  if (o.nodiratime) s += ",nodiratime";
  if (o.atime == fs::AtimeMode::kRelatime) s += ",relatime";
  if (o.nosymfollow) s += ",nosymfollow";
  return s;
}

// The task's mounts as it sees them (from its root).
ErrnoOr<std::vector<fs::MountInfo>> MountsOf(const Node& n) {
  SB_ASSIGN_OR_RETURN(TaskHandle::Target t, n.Target());
  if (!t.task) return std::vector<fs::MountInfo>{};
  Task::Resources r = t.task->SnapshotResources();
  if (!r.fs || !r.ns.mnt) return std::vector<fs::MountInfo>{};
  fs::Location root;
  {
    absl::MutexLock lock(&r.fs->mu);
    root = r.fs->root;
  }
  return r.ns.mnt->Mounts(root);
}

// Reads [start, end) of the task's memory (cmdline, environ).
ErrnoOr<std::string> ReadMemory(const mm::MmRef& mm, uint64_t start, uint64_t end) {
  std::string out;
  if (!mm || end <= start) return out;
  auto iov = mm->Translate(start, end - start, PROT_READ);
  if (!iov.ok()) return out;  // unmapped since: nothing, as Linux's access_remote_vm
  for (const struct iovec& v : *iov) out.append(static_cast<const char*>(v.iov_base), v.iov_len);
  return out;
}

ErrnoOr<std::string> LocationLink(const Node& n, Task* reader, bool cwd) {
  SB_ASSIGN_OR_RETURN(TaskHandle::Target t, n.Target());
  if (!MayInspect(reader, t)) return Errno(EACCES);
  if (!t.task) return Errno(ENOENT);
  Task::Resources r = t.task->SnapshotResources();
  if (!r.fs || !r.ns.mnt) return Errno(ENOENT);
  fs::Location loc;
  {
    absl::MutexLock lock(&r.fs->mu);
    loc = cwd ? r.fs->cwd : r.fs->root;
  }
  // As the reader sees it: from its own root.
  Task* viewer = reader != nullptr ? reader : t.task.get();
  Task::Resources mine = viewer == t.task.get() ? r : viewer->SnapshotResources();
  if (!mine.fs) return Errno(ENOENT);
  fs::Location root;
  {
    absl::MutexLock lock(&mine.fs->mu);
    root = mine.fs->root;
  }
  return r.ns.mnt->PathOf(root, loc);
}

}  // namespace

ErrnoOr<std::string> TaskStatText(const Node& n, Task* reader) {
  SB_ASSIGN_OR_RETURN(Info i, Collect(n, reader));
  const bool permitted = MayInspect(reader, i.t);
  mm::MemoryManager::Layout layout;
  std::vector<mm::MemoryManager::Mapping> maps;
  std::pair<uint64_t, uint64_t> brk{0, 0};
  if (i.res.mm) {
    layout = i.res.mm->layout();
    maps = i.res.mm->Mappings();
    brk = i.res.mm->brk_range();
  }
  MemTotals m = Totals(maps, layout.exe_path);
  const int64_t start = Ticks(i.start - n.kernel().boot_time());
  const uint64_t rsslim = i.rlimits[RLIMIT_RSS].rlim_cur;
  auto addr = [&](uint64_t v) { return permitted ? v : 0; };
  int exit_code = i.state == 'Z' ? i.exit_status : 0;
  // Fields 10-13 (page faults), 9 (PF_* flags), 39 (last CPU) and 42-44
  // (delay accounting, guest time) are not kept: 0. tty_nr is 0 and tpgid
  // -1: no controlling terminals yet.
  return absl::StrFormat(
      "%d (%s) %c %d %d %d 0 -1 0 0 0 0 0 %d %d %d %d %d %d %d 0 %d %u %u %u %u %u %u 0 0 "
      "%u %u %u %u 0 0 0 %d 0 0 %d 0 0 0 %u %u %u %u %u %u %u %d\n",
      i.tid, i.comm, i.state, i.ppid, i.pgid, i.sid, Ticks(i.utime), Ticks(i.stime),
      Ticks(i.cutime), Ticks(i.cstime), 20 + i.nice, i.nice, i.threads, start, m.size,
      m.rss / kPage, rsslim, addr(m.start_code), addr(m.end_code), addr(layout.start_stack),
      i.sig_pnd | i.shd_pnd, i.blocked, i.ignored, i.caught, i.exit_signal, i.policy,
      addr(m.start_data), addr(m.end_data), addr(brk.first), addr(layout.arg_start),
      addr(layout.arg_end), addr(layout.env_start), addr(layout.env_end), exit_code);
}

ErrnoOr<std::string> TaskStatusText(const Node& n, Task* reader) {
  SB_ASSIGN_OR_RETURN(Info i, Collect(n, reader));
  std::string out;
  mode_t umask = 022;
  if (i.res.fs) {
    absl::MutexLock lock(&i.res.fs->mu);
    umask = i.res.fs->umask;
  }
  absl::StrAppendFormat(&out, "Name:\t%s\nUmask:\t%04o\nState:\t%c (%s)\n", i.comm, umask, i.state,
                        i.state_name);
  absl::StrAppendFormat(&out, "Tgid:\t%d\nNgid:\t0\nPid:\t%d\nPPid:\t%d\nTracerPid:\t0\n", i.tgid,
                        i.tid, i.ppid);
  Credentials c = i.res.creds ? *i.res.creds : Credentials{};
  absl::StrAppendFormat(&out, "Uid:\t%u\t%u\t%u\t%u\nGid:\t%u\t%u\t%u\t%u\n", c.ruid, c.euid,
                        c.suid, c.fsuid, c.rgid, c.egid, c.sgid, c.fsgid);
  // FDSize: the table's capacity; Linux's grows from 64 in powers of two.
  int fdsize = 0;
  if (i.res.fds) {
    std::vector<int> fds = i.res.fds->Fds();
    int highest = fds.empty() ? 0 : fds.back();
    fdsize = 64;
    while (fdsize <= highest) fdsize *= 2;
  }
  absl::StrAppendFormat(&out, "FDSize:\t%d\nGroups:\t%s \n", fdsize, absl::StrJoin(c.groups, " "));
  absl::StrAppendFormat(&out, "NStgid:\t%s\nNSpid:\t%s\nNSpgid:\t%s\nNSsid:\t%s\nKthread:\t0\n",
                        absl::StrJoin(i.ns_tgid, "\t"), absl::StrJoin(i.ns_pid, "\t"),
                        absl::StrJoin(i.ns_pgid, "\t"), absl::StrJoin(i.ns_sid, "\t"));
  if (i.res.mm) {
    std::string exe = i.res.mm->layout().exe_path;
    MemTotals m = Totals(i.res.mm->Mappings(), exe);
    auto kb = [](uint64_t bytes) { return bytes / 1024; };
    // VmHWM is the address space's sampled high-water mark (see
    // MemoryManager::HiwaterRss); VmPeak is not tracked: the current size.
    // Page tables are the host's (VmPTE 0); nothing is pinned or swapped by
    // us. VmLck: the mlocked mappings (Linux's mm->locked_vm).
    absl::StrAppendFormat(&out,
                          "VmPeak:\t%8u kB\nVmSize:\t%8u kB\nVmLck:\t%8u kB\nVmPin:\t%8u kB\n"
                          "VmHWM:\t%8u kB\nVmRSS:\t%8u kB\nRssAnon:\t%8u kB\nRssFile:\t%8u kB\n"
                          "RssShmem:\t%8u kB\nVmData:\t%8u kB\nVmStk:\t%8u kB\nVmExe:\t%8u kB\n"
                          "VmLib:\t%8u kB\nVmPTE:\t%8u kB\nVmSwap:\t%8u kB\n"
                          "HugetlbPages:\t%8u kB\n",
                          kb(m.size), kb(m.size), kb(i.res.mm->locked_bytes()), 0,
                          kb(std::max(m.rss, i.res.mm->HiwaterRss())),
                          kb(m.rss), kb(m.rss_anon), kb(m.rss_file), kb(m.rss_shmem), kb(m.data),
                          kb(m.stack), kb(m.exe), kb(m.lib), 0, 0, 0);
  }
  absl::StrAppend(&out, "CoreDumping:\t0\n");
  if (i.res.mm) absl::StrAppend(&out, "THP_enabled:\t1\nuntag_mask:\t0xffffffffffffffff\n");
  absl::StrAppendFormat(&out, "Threads:\t%d\nSigQ:\t%d/%u\n", i.threads,
                        __builtin_popcountll(i.sig_pnd) + __builtin_popcountll(i.shd_pnd),
                        i.rlimits[RLIMIT_SIGPENDING].rlim_cur);
  absl::StrAppendFormat(&out, "SigPnd:\t%s\nShdPnd:\t%s\nSigBlk:\t%s\nSigIgn:\t%s\nSigCgt:\t%s\n",
                        Hex16(i.sig_pnd), Hex16(i.shd_pnd), Hex16(i.blocked), Hex16(i.ignored),
                        Hex16(i.caught));
  absl::StrAppendFormat(&out, "CapInh:\t%s\nCapPrm:\t%s\nCapEff:\t%s\nCapBnd:\t%s\nCapAmb:\t%s\n",
                        Hex16(c.cap_inheritable), Hex16(c.cap_permitted), Hex16(c.cap_effective),
                        Hex16(c.cap_bounding), Hex16(c.cap_ambient));
  int seccomp = 0, filters = 0;
  bool nnp = false;
  if (i.t.task) {
    seccomp = i.t.task->seccomp_mode();
    filters = i.t.task->seccomp_filter_count();
    nnp = i.t.task->no_new_privs.load();
  }
  absl::StrAppendFormat(&out, "NoNewPrivs:\t%d\nSeccomp:\t%d\nSeccomp_filters:\t%d\n", nnp ? 1 : 0,
                        seccomp, filters);
  // The program runs on the host's CPUs: their mitigations and memory
  // nodes are the host's, as its kernel reports them for the stub.
  std::map<std::string, std::string> host = HostStatusLines(i.t.tg->host_pid_.load());
  for (const char* key : {"Speculation_Store_Bypass", "SpeculationIndirectBranch"}) {
    if (host.contains(key)) absl::StrAppendFormat(&out, "%s:\t%s\n", key, host[key]);
  }
  long ncpu = sysconf(_SC_NPROCESSORS_CONF);
  std::vector<bool> cpus(static_cast<size_t>(std::max(1L, ncpu)), i.affinity.empty());
  for (size_t b = 0; b < cpus.size() && b / 8 < i.affinity.size(); ++b) {
    cpus[b] = i.affinity[b / 8] & (1u << (b % 8));
  }
  absl::StrAppendFormat(&out, "Cpus_allowed:\t%s\nCpus_allowed_list:\t%s\n", CpuMask(cpus),
                        CpuList(cpus));
  for (const char* key : {"Mems_allowed", "Mems_allowed_list"}) {
    if (host.contains(key)) absl::StrAppendFormat(&out, "%s:\t%s\n", key, host[key]);
  }
  // Context switches are the host scheduler's business: not counted.
  absl::StrAppend(&out, "voluntary_ctxt_switches:\t0\nnonvoluntary_ctxt_switches:\t0\n");
  return out;
}

ErrnoOr<std::string> TaskStatmText(const Node& n, Task* reader) {
  SB_ASSIGN_OR_RETURN(TaskHandle::Target t, n.Target());
  MemTotals m;
  if (t.task) {
    if (mm::MmRef mm = t.task->SnapshotResources().mm) {
      m = Totals(mm->Mappings(), mm->layout().exe_path);
    }
  }
  // size resident shared text lib data dt, in pages; lib and dt are
  // always 0 in Linux.
  return absl::StrFormat("%u %u %u %u 0 %u 0\n", m.size / kPage, m.rss / kPage,
                         (m.rss_file + m.rss_shmem) / kPage, m.exe / kPage,
                         (m.data + m.stack) / kPage);
}

ErrnoOr<std::string> TaskCmdlineText(const Node& n, Task* reader) {
  SB_ASSIGN_OR_RETURN(TaskHandle::Target t, n.Target());
  if (!t.task) return std::string();
  mm::MmRef mm = t.task->SnapshotResources().mm;
  if (!mm) return std::string();
  mm::MemoryManager::Layout l = mm->layout();
  return ReadMemory(mm, l.arg_start, l.arg_end);
}

ErrnoOr<std::string> TaskEnvironText(const Node& n, Task* reader) {
  SB_ASSIGN_OR_RETURN(TaskHandle::Target t, n.Target());
  if (!MayInspect(reader, t)) return Errno(EACCES);
  if (!t.task) return std::string();
  mm::MmRef mm = t.task->SnapshotResources().mm;
  if (!mm) return std::string();
  mm::MemoryManager::Layout l = mm->layout();
  return ReadMemory(mm, l.env_start, l.env_end);
}

ErrnoOr<std::string> TaskAuxvText(const Node& n, Task* reader) {
  SB_ASSIGN_OR_RETURN(TaskHandle::Target t, n.Target());
  if (!MayInspect(reader, t)) return Errno(EACCES);
  if (!t.task) return std::string();
  mm::MmRef mm = t.task->SnapshotResources().mm;
  if (!mm) return std::string();
  std::vector<uint64_t> auxv = mm->layout().auxv;
  // The vector ends with its AT_NULL pair, as the program's stack has it.
  if (auxv.size() < 2 || auxv[auxv.size() - 2] != 0) auxv.insert(auxv.end(), {0, 0});
  return std::string(reinterpret_cast<const char*>(auxv.data()), auxv.size() * sizeof(uint64_t));
}

ErrnoOr<std::string> TaskCommText(const Node& n, Task* reader) {
  SB_ASSIGN_OR_RETURN(TaskHandle::Target t, n.Target());
  absl::MutexLock lock(&t.tg->signal_mu_);
  return t.tg->comm_ + "\n";
}

ErrnoStatus TaskCommWrite(const Node& n, Task* writer, std::string_view data) {
  SB_ASSIGN_OR_RETURN(TaskHandle::Target t, n.Target());
  // Only a process's own threads may rename it (Linux: EINVAL otherwise).
  if (writer == nullptr || &writer->thread_group() != t.tg.get()) return Errno(EINVAL);
  std::string name(data.substr(0, 15));
  name = name.substr(0, name.find('\0'));
  absl::MutexLock lock(&t.tg->signal_mu_);
  t.tg->comm_ = name;
  return Ok();
}

ErrnoOr<std::string> TaskMapsText(const Node& n, Task* reader) {
  SB_ASSIGN_OR_RETURN(TaskHandle::Target t, n.Target());
  if (!t.task) return std::string();
  mm::MmRef mm = t.task->SnapshotResources().mm;
  return mm ? mm->MapsText() : std::string();
}

ErrnoOr<std::string> TaskSmapsText(const Node& n, Task* reader) {
  SB_ASSIGN_OR_RETURN(TaskHandle::Target t, n.Target());
  if (!t.task) return std::string();
  mm::MmRef mm = t.task->SnapshotResources().mm;
  if (!mm) return std::string();
  // The maps lines and the mappings come from one table but two looks at
  // it; a mapping changed in between shows its newer size.
  std::string maps = mm->MapsText();
  std::vector<mm::MemoryManager::Mapping> mappings = mm->Mappings();
  std::string out;
  size_t line_start = 0;
  for (const auto& [v, resident] : mappings) {
    size_t nl = maps.find('\n', line_start);
    if (nl == std::string::npos) break;
    out.append(maps, line_start, nl + 1 - line_start);
    line_start = nl + 1;
    const uint64_t size = (v.end - v.start) / 1024, rss = resident / 1024;
    const bool file = IsFileName(v.name);
    // Rss is the pages of the memory file that exist for the mapping.
    // Private file mappings are copies here (not the page cache), so all
    // their pages are private; written or not is not tracked: dirty for
    // anonymous memory, clean for file copies. Pss equals Rss: private
    // memory is not shared, and sharing of MAP_SHARED ranges is not counted.
    const uint64_t shared_dirty = v.shared ? rss : 0;
    const uint64_t priv_clean = !v.shared && file ? rss : 0;
    const uint64_t priv_dirty = !v.shared && !file ? rss : 0;
    const uint64_t anon = !file ? rss : 0;
    auto line = [&out](const char* name, uint64_t kb) {
      absl::StrAppendFormat(&out, "%-16s%8u kB\n", absl::StrCat(name, ":"), kb);
    };
    line("Size", size);
    line("KernelPageSize", 4);
    line("MMUPageSize", 4);
    line("Rss", rss);
    line("Pss", rss);
    line("Pss_Dirty", shared_dirty + priv_dirty);
    line("Shared_Clean", 0);
    line("Shared_Dirty", shared_dirty);
    line("Private_Clean", priv_clean);
    line("Private_Dirty", priv_dirty);
    line("Referenced", rss);
    line("Anonymous", anon);
    line("KSM", 0);
    line("LazyFree", 0);
    line("AnonHugePages", 0);
    line("ShmemPmdMapped", 0);
    line("FilePmdMapped", 0);
    line("Shared_Hugetlb", 0);
    line("Private_Hugetlb", 0);
    line("Swap", 0);
    line("SwapPss", 0);
    line("Locked", 0);
    absl::StrAppend(&out, "THPeligible:    0\nVmFlags:");
    std::string flags;
    if (v.prot & PROT_READ) flags += " rd";
    if (v.prot & PROT_WRITE) flags += " wr";
    if (v.prot & PROT_EXEC) flags += " ex";
    if (v.shared) flags += " sh";
    if (v.max_prot & PROT_READ) flags += " mr";
    if (v.max_prot & PROT_WRITE) flags += " mw";
    if (v.max_prot & PROT_EXEC) flags += " me";
    if (v.shared) flags += " ms";
    if (v.growsdown) flags += " gd";
    if (!v.shared && (v.prot & PROT_WRITE)) flags += " ac";
    absl::StrAppend(&out, flags, " \n");
  }
  return out;
}

ErrnoOr<std::string> TaskMountsText(const Node& n, Task* reader) {
  SB_ASSIGN_OR_RETURN(std::vector<fs::MountInfo> mounts, MountsOf(n));
  std::string out;
  for (const fs::MountInfo& m : mounts) {
    // Read-only if the mount or its filesystem is (Linux's show_vfsmnt).
    absl::StrAppendFormat(&out, "%s %s %s %s 0 0\n", Mangle(m.source), Mangle(m.mount_point),
                          m.type, MountOpts(m.options, m.options.read_only || m.super_read_only));
  }
  return out;
}

ErrnoOr<std::string> TaskMountinfoText(const Node& n, Task* reader) {
  SB_ASSIGN_OR_RETURN(std::vector<fs::MountInfo> mounts, MountsOf(n));
  std::string out;
  for (const fs::MountInfo& m : mounts) {
    // No shared subtrees here: private mounts have no optional fields
    // before "-", unbindable ones say so (Linux's show_mountinfo). The
    // super options are the filesystem's read-only flag.
    const char* optional = m.propagation == fs::Propagation::kUnbindable ? " unbindable" : "";
    absl::StrAppendFormat(&out, "%d %d %d:%d %s %s %s%s - %s %s %s\n", m.id, m.parent_id,
                          major(m.dev), minor(m.dev), Mangle(m.root), Mangle(m.mount_point),
                          MountOpts(m.options, m.options.read_only), optional, m.type,
                          Mangle(m.source), m.super_read_only ? "ro" : "rw");
  }
  return out;
}

ErrnoOr<std::string> TaskLimitsText(const Node& n, Task* reader) {
  SB_ASSIGN_OR_RETURN(TaskHandle::Target t, n.Target());
  std::array<struct rlimit, RLIM_NLIMITS> rl;
  {
    absl::MutexLock lock(&t.tg->signal_mu_);
    rl = t.tg->rlimits_;
  }
  struct Name {
    const char* name;
    const char* unit;
  };
  static constexpr Name kNames[RLIM_NLIMITS] = {
      {"Max cpu time", "seconds"},        {"Max file size", "bytes"},
      {"Max data size", "bytes"},         {"Max stack size", "bytes"},
      {"Max core file size", "bytes"},    {"Max resident set", "bytes"},
      {"Max processes", "processes"},     {"Max open files", "files"},
      {"Max locked memory", "bytes"},     {"Max address space", "bytes"},
      {"Max file locks", "locks"},        {"Max pending signals", "signals"},
      {"Max msgqueue size", "bytes"},     {"Max nice priority", nullptr},
      {"Max realtime priority", nullptr}, {"Max realtime timeout", "us"}};
  std::string out =
      absl::StrFormat("%-25s %-20s %-20s %-10s\n", "Limit", "Soft Limit", "Hard Limit", "Units");
  auto value = [](rlim_t v) {
    return v == RLIM_INFINITY ? absl::StrFormat("%-20s ", "unlimited")
                              : absl::StrFormat("%-20u ", v);
  };
  for (int r = 0; r < RLIM_NLIMITS; ++r) {
    absl::StrAppendFormat(&out, "%-25s %s%s", kNames[r].name, value(rl[r].rlim_cur),
                          value(rl[r].rlim_max));
    if (kNames[r].unit) absl::StrAppendFormat(&out, "%-10s", kNames[r].unit);
    out += '\n';
  }
  return out;
}

ErrnoOr<std::string> TaskIoText(const Node& n, Task* reader) {
  SB_ASSIGN_OR_RETURN(TaskHandle::Target t, n.Target());
  if (!MayInspect(reader, t)) return Errno(EACCES);
  // I/O is not counted per task yet: every counter is 0.
  return std::string(
      "rchar: 0\nwchar: 0\nsyscr: 0\nsyscw: 0\nread_bytes: 0\nwrite_bytes: 0\n"
      "cancelled_write_bytes: 0\n");
}

ErrnoOr<std::string> TaskOomScoreAdjText(const Node& n, Task* reader) {
  SB_ASSIGN_OR_RETURN(TaskHandle::Target t, n.Target());
  return absl::StrCat(t.tg->oom_score_adj_.load(), "\n");
}

ErrnoStatus TaskOomScoreAdjWrite(const Node& n, Task* writer, std::string_view data) {
  SB_ASSIGN_OR_RETURN(TaskHandle::Target t, n.Target());
  std::string s(data.substr(0, 23));
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  char* end = nullptr;
  errno = 0;
  long v = strtol(s.c_str(), &end, 10);
  if (s.empty() || *end != 0 || errno != 0) return Errno(EINVAL);
  if (v < -1000 || v > 1000) return Errno(EINVAL);
  // Lowering it takes CAP_SYS_RESOURCE, as Linux.
  if (v < t.tg->oom_score_adj_.load() &&
      (writer == nullptr || !writer->creds().HasCapability(CAP_SYS_RESOURCE))) {
    if (writer != nullptr) return Errno(EACCES);
  }
  t.tg->oom_score_adj_.store(static_cast<int>(v));
  return Ok();
}

ErrnoOr<std::string> TaskExeLink(const Node& n, Task* reader) {
  SB_ASSIGN_OR_RETURN(TaskHandle::Target t, n.Target());
  if (!MayInspect(reader, t)) return Errno(EACCES);
  if (!t.task) return Errno(ENOENT);
  mm::MmRef mm = t.task->SnapshotResources().mm;
  if (!mm) return Errno(ENOENT);
  std::string path = mm->layout().exe_path;
  if (path.empty()) return Errno(ENOENT);
  return path;
}

ErrnoOr<std::string> TaskCwdLink(const Node& n, Task* reader) {
  return LocationLink(n, reader, /*cwd=*/true);
}

ErrnoOr<std::string> TaskRootLink(const Node& n, Task* reader) {
  return LocationLink(n, reader, /*cwd=*/false);
}

}  // namespace sb::kernel::procfs
