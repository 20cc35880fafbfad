// control.h: kernel-side helpers for the daemon's control API
// (daemon/control_server.h): signal a process from outside the sandbox and
// describe the process tree. The caller is the daemon, not a task, so
// signals carry SI_USER from pid 0 / uid 0 (as if sent by the host).
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "kernel/kernel.h"

namespace sb::kernel {

struct ProcessStatus {
  pid_t pid = 0;
  pid_t ppid = 0;  // 0 for a process the daemon started
  pid_t pgid = 0;
  uid_t uid = 0;  // real uid of the first live thread
  bool zombie = false;
  // "running", "stopped" (job control), "paused" (frozen) or "zombie".
  std::string state = "running";
  std::string cmdline;  // argv joined by spaces (the comm if unreadable)
};

// Every process of the kernel, zombies included, in pid order.
std::vector<ProcessStatus> ListProcesses(Kernel& k) ABSL_LOCKS_EXCLUDED(k.tree_mu_);

// Queues `sig` (1..64) for process `pid`; 0 only checks that it exists.
// NotFound when there is no such live process.
absl::Status SignalProcess(Kernel& k, pid_t pid, int sig) ABSL_LOCKS_EXCLUDED(k.tree_mu_);

// The command line of `t`, read from its arg_start..arg_end in its memory.
std::string ReadCmdline(Task& t);

}  // namespace sb::kernel
