// internal.h: what the files of kernel/procfs/ share: the directory and
// file builders each of them provides to the others.
#pragma once

#include <string>
#include <vector>

#include "kernel/procfs/nodes.h"

namespace sb::kernel::procfs {

// task_dir.cc: /proc/[pid] (`a.task` a process) and /proc/[pid]/task/[tid]
// (a thread): their fixed entries, fd/, fdinfo/, ns/ and task/.
fs::InodeRef NewTaskDir(NodeArgs a);

// task_files.cc: the text of the per-task files.
ErrnoOr<std::string> TaskStatText(const Node& n, Task* reader);
ErrnoOr<std::string> TaskStatusText(const Node& n, Task* reader);
ErrnoOr<std::string> TaskStatmText(const Node& n, Task* reader);
ErrnoOr<std::string> TaskCmdlineText(const Node& n, Task* reader);
ErrnoOr<std::string> TaskEnvironText(const Node& n, Task* reader);
ErrnoOr<std::string> TaskAuxvText(const Node& n, Task* reader);
ErrnoOr<std::string> TaskCommText(const Node& n, Task* reader);
ErrnoStatus TaskCommWrite(const Node& n, Task* writer, std::string_view data);
ErrnoOr<std::string> TaskMapsText(const Node& n, Task* reader);
ErrnoOr<std::string> TaskSmapsText(const Node& n, Task* reader);
ErrnoOr<std::string> TaskMountsText(const Node& n, Task* reader);
ErrnoOr<std::string> TaskMountinfoText(const Node& n, Task* reader);
ErrnoOr<std::string> TaskLimitsText(const Node& n, Task* reader);
ErrnoOr<std::string> TaskIoText(const Node& n, Task* reader);
ErrnoOr<std::string> TaskOomScoreAdjText(const Node& n, Task* reader);
ErrnoStatus TaskOomScoreAdjWrite(const Node& n, Task* writer, std::string_view data);
ErrnoOr<std::string> TaskExeLink(const Node& n, Task* reader);
ErrnoOr<std::string> TaskCwdLink(const Node& n, Task* reader);
ErrnoOr<std::string> TaskRootLink(const Node& n, Task* reader);

// system_files.cc: /proc's own files (meminfo, stat, uptime, ...).
std::vector<TableDir::Spec> SystemEntries();
// sys_dir.cc: /proc/sys.
TableDir::Factory MakeSysDir();
// /proc/sysvipc: the reader's IPC namespace's objects (sys_dir.cc).
TableDir::Factory MakeSysvipcDir();

// The ID `pid` has in the mount's PID namespace (0: invisible there).
pid_t IdIn(const Node& n, const PidRef& pid);

}  // namespace sb::kernel::procfs
