// terminal.h: pseudo-terminals (Linux's drivers/tty/pty.c, tty_io.c,
// tty_jobctrl.c): a master/replica pair sharing one line discipline, its
// session and foreground process group, and job control.
//
// Why here and not in fs/: a terminal sends signals to process groups,
// checks the caller's session and signal mask, and installs fds
// (TIOCGPTPEER), so it needs Task and ThreadGroup. fs/ only names the
// device nodes (fs/devfs.h) and calls the TtyDriver this file installs
// (InstallTtyDriver, from Kernel::Create).
//
// The controlling terminal is per process, as Linux's signal->tty:
// ThreadGroup::tty_ (guarded by Kernel::tree_mu_), inherited by fork,
// dropped by setsid, TIOCNOTTY and hangup. The terminal's own session and
// foreground group are guarded by Terminal::mu_.
//
// Lock order: Kernel::tree_mu_ before Terminal::mu_. Terminal::mu_ is
// otherwise a leaf: signals are sent and wait queues notified after it is
// released.
//
// Save/load: termios, window size and queues are plain data
// (line_discipline.h); the session and group are Pids, re-linked by number.
#pragma once

#include <memory>
#include <optional>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "fs/dentry.h"
#include "fs/devfs.h"
#include "fs/vfs_file.h"
#include "kernel/task/pid_namespace.h"
#include "kernel/tty/line_discipline.h"

namespace sb::kernel {
class Kernel;
class Task;
}  // namespace sb::kernel

namespace sb::kernel::tty {

class Terminal;
using TerminalRef = std::shared_ptr<Terminal>;

// Installs the /dev/ptmx and /dev/tty driver into fs/ (idempotent).
void InstallTtyDriver();

// A file of a terminal's replica side (/dev/pts/N, /dev/tty). read(2) comes
// here instead of FileDescription::Read, for VMIN/VTIME and SIGTTIN.
// Without `may_block` (FileDescription::Read, which never sleeps) it
// answers EAGAIN where it would wait.
class ReplicaFile;
ReplicaFile* AsReplicaFile(fs::FileDescription& f);
ErrnoOr<size_t> ReadReplica(Task& t, ReplicaFile& f, HostIoVecs dst, bool may_block = true);

// When the leader of a session exits: its terminal loses the session and
// the foreground group gets SIGHUP (Linux's disassociate_ctty(1)).
void SessionLeaderExited(Kernel& kernel, ThreadGroup& leader);
// setsid: the process leaves its controlling terminal. Caller holds tree_mu_.
void DropControllingTtyLocked(ThreadGroup& tg);

class Terminal : public std::enable_shared_from_this<Terminal> {
 public:
  Terminal(Kernel& kernel, fs::DevptsRef devpts, fs::Location pts_dir);
  Kernel& kernel() const { return kernel_; }
  int index() const { return index_; }

 private:
  friend class MasterFile;
  friend class ReplicaFile;
  friend class Driver;
  friend ErrnoOr<size_t> ReadReplica(Task& t, ReplicaFile& f, HostIoVecs dst, bool may_block);
  friend void SessionLeaderExited(Kernel& kernel, ThreadGroup& leader);
  friend void DropControllingTtyLocked(ThreadGroup& tg);

  // A new replica file at `loc` (the node, /dev/tty or TIOCGPTPEER's).
  // EIO while locked or after hangup. Makes the terminal the caller's
  // controlling terminal when `may_acquire` and Linux would.
  ErrnoOr<fs::FileRef> OpenReplica(const fs::Location& loc, int flags, bool may_acquire);
  void MasterClosed();
  void ReplicaClosed();
  // The ioctls both sides share (`master`: called on the master).
  ErrnoOr<int64_t> CommonIoctl(bool master, uint32_t cmd, uint64_t arg, UserIo& io);
  // Linux's __tty_check_change: a background caller gets `sig` (EIO when
  // it cannot be stopped). Ok for a caller whose terminal this is not.
  ErrnoStatus CheckChange(int sig);
  // Sends `sig` to the foreground group `pgrp`, from the kernel.
  void SignalGroup(const PidRef& pgrp, int sig);
  // Hangup: forget the session, SIGHUP + SIGCONT to its leaders.
  void HangUpSession();

  Kernel& kernel_;              // outlives every terminal
  const fs::DevptsRef devpts_;  // immutable
  const fs::Location pts_dir_;  // immutable; the pts directory (may be invalid)
  int index_ = -1;              // set once before the terminal is published

  absl::Mutex mu_;
  LineDiscipline ld_ ABSL_GUARDED_BY(mu_);
  bool locked_ ABSL_GUARDED_BY(mu_) = true;  // TIOCSPTLCK
  int replicas_ ABSL_GUARDED_BY(mu_) = 0;    // open replica files
  bool replica_opened_ ABSL_GUARDED_BY(mu_) = false;
  bool hung_up_ ABSL_GUARDED_BY(mu_) = false;  // the master is closed
  PidRef session_ ABSL_GUARDED_BY(mu_);
  PidRef pgrp_ ABSL_GUARDED_BY(mu_);
  WaitQueue queue_;  // readiness of both sides
};

}  // namespace sb::kernel::tty
