// fd_table.h: a process's file descriptor table (Linux: files_struct).
//
// Maps descriptor numbers to open file descriptions and the close-on-exec
// bit. Shared by tasks cloned with CLONE_FILES through FdTableRef; copied by
// fork. Thread-safe.
//
// The table is also the owner of POSIX record locks (fcntl F_SETLK, as
// Linux's fl_owner = files_struct): closing any descriptor of a file drops
// the table's locks on that file (fs::ReleasePosixLocks), and so does the
// table's end.
#pragma once

#include <map>
#include <memory>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "fs/file.h"
#include "kernel/base/errno.h"

namespace sb::kernel {

class FdTable;
using FdTableRef = std::shared_ptr<FdTable>;

class FdTable {
 public:
  struct Entry {
    fs::FileRef file;
    bool cloexec = false;
  };

  FdTable() = default;
  ~FdTable();
  FdTable(const FdTable&) = delete;
  FdTable& operator=(const FdTable&) = delete;

  // The lowest free descriptor >= `min_fd`, below `limit` (RLIMIT_NOFILE):
  // EMFILE when none (EINVAL for F_DUPFD when min_fd >= limit is the
  // caller's).
  ErrnoOr<int> Install(fs::FileRef file, bool cloexec, int min_fd, uint64_t limit)
      ABSL_LOCKS_EXCLUDED(mu_);
  // dup2/dup3: installs at exactly `fd`, closing what was there.
  ErrnoStatus InstallAt(int fd, fs::FileRef file, bool cloexec, uint64_t limit)
      ABSL_LOCKS_EXCLUDED(mu_);
  ErrnoOr<fs::FileRef> Get(int fd) ABSL_LOCKS_EXCLUDED(mu_);
  ErrnoOr<Entry> GetEntry(int fd) ABSL_LOCKS_EXCLUDED(mu_);
  ErrnoStatus SetCloexec(int fd, bool cloexec) ABSL_LOCKS_EXCLUDED(mu_);
  // close(2). The description is released outside the lock.
  ErrnoStatus Remove(int fd) ABSL_LOCKS_EXCLUDED(mu_);
  void CloseOnExec() ABSL_LOCKS_EXCLUDED(mu_);
  void Clear() ABSL_LOCKS_EXCLUDED(mu_);
  FdTableRef Fork() ABSL_LOCKS_EXCLUDED(mu_);
  std::vector<int> Fds() ABSL_LOCKS_EXCLUDED(mu_);

 private:
  // A descriptor of `file` was closed: drop this table's POSIX locks on it.
  // Called without mu_.
  void Closed(const fs::FileRef& file) ABSL_LOCKS_EXCLUDED(mu_);

  absl::Mutex mu_;
  std::map<int, Entry> fds_ ABSL_GUARDED_BY(mu_);
};

}  // namespace sb::kernel
