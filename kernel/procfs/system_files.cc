// system_files.cc: /proc's system-wide files: meminfo, cpuinfo, stat,
// uptime, loadavg, version, filesystems, cmdline and the mounts link.
//
// The sandbox runs on the host's CPUs and memory with no accounting of its
// own for them, so cpuinfo, meminfo and /proc/stat's cpu lines are the
// host's (as sysinfo(2) already reports the host's memory); everything
// about processes and time is the kernel's own.
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "kernel/kernel.h"
#include "kernel/procfs/internal.h"

namespace sb::kernel::procfs {
namespace {

ErrnoOr<std::string> HostFile(const char* path) {
  std::ifstream in(path);
  if (!in) return Errno(ENOENT);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Tasks this mount's namespace sees, those not blocked in the kernel,
// and the last ID handed out there.
struct TaskCounts {
  int total = 0, running = 0;
  pid_t last_pid = 0;
  uint64_t forks = 0;
};

TaskCounts CountTasks(const Node& n) {
  TaskCounts c;
  Kernel& k = n.kernel();
  absl::MutexLock lock(&k.tree_mu_);
  for (const auto& [global, task] : k.tasks_) {
    if (IdIn(n, task->pid()) == 0) continue;
    ++c.total;
    if (!task->waiter().waiting()) ++c.running;
  }
  c.last_pid = n.procfs().pidns().last_pid_locked();
  c.forks = n.procfs().pidns().allocations_locked();
  return c;
}

ErrnoOr<std::string> StatText(const Node& n, Task*) {
  SB_ASSIGN_OR_RETURN(std::string host, HostFile("/proc/stat"));
  std::string out;
  std::istringstream lines(host);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.starts_with("cpu")) out += line + "\n";
  }
  TaskCounts c = CountTasks(n);
  const int64_t btime = absl::ToUnixSeconds(n.kernel().boot_time());
  // Interrupts, context switches and softirqs are the host's to count:
  // none happen in our kernel.
  absl::StrAppendFormat(&out,
                        "intr 0\nctxt 0\nbtime %d\nprocesses %d\nprocs_running %d\n"
                        "procs_blocked 0\nsoftirq 0 0 0 0 0 0 0 0 0 0 0\n",
                        btime, c.forks, c.running);
  return out;
}

ErrnoOr<std::string> UptimeText(const Node& n, Task*) {
  absl::Duration up = absl::Now() - n.kernel().boot_time();
  // Idle time is not accounted (the CPUs are the host's): 0.
  return absl::StrFormat("%.2f 0.00\n", absl::ToDoubleSeconds(up));
}

ErrnoOr<std::string> LoadavgText(const Node& n, Task*) {
  TaskCounts c = CountTasks(n);
  // Load averages are not computed (sysinfo(2) reports 0 too).
  return absl::StrFormat("0.00 0.00 0.00 %d/%d %d\n", c.running, c.total, c.last_pid);
}

}  // namespace

std::vector<TableDir::Spec> SystemEntries() {
  constexpr mode_t kR = S_IFREG | 0444;
  std::vector<TableDir::Spec> s;
  s.push_back(
      {"meminfo", kR, MakeFile([](const Node&, Task*) { return HostFile("/proc/meminfo"); })});
  s.push_back(
      {"cpuinfo", kR, MakeFile([](const Node&, Task*) { return HostFile("/proc/cpuinfo"); })});
  s.push_back({"stat", kR, MakeFile(StatText)});
  s.push_back({"uptime", kR, MakeFile(UptimeText)});
  s.push_back({"loadavg", kR, MakeFile(LoadavgText)});
  s.push_back({"version", kR,
               MakeConstant(absl::StrCat("Linux version ", kRelease, " (sandboxd@sandboxd) (",
                                         "sandboxd) ", kVersion, "\n"))});
  s.push_back({"filesystems", kR, MakeConstant("nodev\ttmpfs\nnodev\tproc\nnodev\tdevtmpfs\n")});
  // Our kernel boots with no command line.
  s.push_back({"cmdline", kR, MakeConstant("\n")});
  s.push_back({"mounts", S_IFLNK | 0777,
               MakeLink([](const Node&, Task*) -> ErrnoOr<std::string> { return "self/mounts"; })});
  return s;
}

}  // namespace sb::kernel::procfs
