// procfs.h: /proc, as Linux's procfs shows it, for one PID namespace.
//
// A procfs instance lists the processes its PID namespace sees, by their
// numbers there; /proc/self and /proc/thread-self resolve for the task
// that reads them (Task::Current()). It lives in kernel/ because it reads
// kernel state (tasks, thread groups, address spaces, fd tables,
// credentials); fs/ knows no Task, so it is mounted through
// fs::MountNamespace::MountFilesystemRoot.
//
// Stateless: every file is computed from the kernel when read, so there is
// nothing to checkpoint; a restored kernel's /proc is rebuilt by mounting
// a new instance.
#pragma once

#include <string_view>

#include "absl/status/status.h"
#include "fs/vfs.h"
#include "kernel/task/pid_namespace.h"

namespace sb::kernel {

class Kernel;

// The root inode of a new procfs for `pidns` (it holds the filesystem).
fs::InodeRef NewProcfs(Kernel& kernel, PidNamespaceRef pidns);

// Mounts a new procfs for `pidns` at `target` (normally "/proc") in `ns`
// (nosuid, nodev, noexec, as Linux's usual /proc).
absl::Status MountProcfs(Kernel& kernel, fs::MountNamespace& ns, PidNamespaceRef pidns,
                         std::string_view target = "/proc");

}  // namespace sb::kernel
