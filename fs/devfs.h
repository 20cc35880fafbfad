// devfs.h: our minimal devtmpfs: null, zero, full, random, urandom, the
// fd/stdin/stdout/stderr symlinks, and the terminal nodes (tty, ptmx and
// the pts directory, a devpts instance of its own), with Linux's modes and
// device numbers. A tmpfs instance populated at mount; the device inodes
// open the files in devfs.cc. Called by
// VfsNamespace::MountFilesystem("devtmpfs"), and by tmpfs for device nodes
// made with mknod(2).
//
// Terminals live in the kernel (kernel/tty/), since they need processes,
// sessions and signals; fs/ only names them. The kernel installs a
// TtyDriver once at start-up; /dev/ptmx, /dev/pts/ptmx and /dev/tty call
// it (ENXIO while none is installed). A Devpts is one pts directory: the
// driver adds the replica node /dev/pts/N of each new pseudo-terminal and
// removes it when the master is closed.
#pragma once

#include <functional>
#include <memory>
#include <set>
#include <string_view>

#include "absl/synchronization/mutex.h"
#include "fs/inode.h"

namespace sb::fs {

class TmpfsDir;

ErrnoOr<InodeRef> NewDevfs(std::string_view data);

// Opens the device `rdev` of kind `type` (S_IFCHR or S_IFBLK) for a node at
// `loc`: one of the devices above, or ENXIO (no such device here; a host
// device is never opened).
ErrnoOr<FileRef> OpenDeviceNode(mode_t type, dev_t rdev, const Location& loc, int flags);

// The pts directory of one devfs instance: the index allocator and the
// replica nodes. Thread-safe; Devpts::mu_ comes before the directory's
// TmpfsDir::mu_ and is never held while calling out of fs/.
class Devpts {
 public:
  explicit Devpts(std::weak_ptr<TmpfsDir> dir) : dir_(std::move(dir)) {}

  // Opens the replica of one terminal; the Location is the node's.
  using Opener = std::function<ErrnoOr<FileRef>(const Location& loc, int flags)>;
  // Takes the lowest free index (ENOSPC past /proc/sys/kernel/pty/max,
  // 4096) and adds node N (character device 136:N, mode 0620, owned by
  // `uid`, group tty) whose opens call `open`.
  ErrnoOr<int> Add(uid_t uid, Opener open) ABSL_LOCKS_EXCLUDED(mu_);
  // Removes node N and frees the index. The caller forgets any cached
  // dentry of the node (Dentry::ChildRemoved on the pts directory's).
  void Remove(int index) ABSL_LOCKS_EXCLUDED(mu_);
  // The pts directory itself (null once unmounted and gone).
  InodeRef dir() const;

 private:
  absl::Mutex mu_;
  std::set<int> used_ ABSL_GUARDED_BY(mu_);
  const std::weak_ptr<TmpfsDir> dir_;  // immutable; weak: the dir holds us
};
using DevptsRef = std::shared_ptr<Devpts>;

// The kernel's terminal driver (kernel/tty/). Called with no fs/ lock held.
class TtyDriver {
 public:
  // /dev/ptmx or /dev/pts/ptmx at `loc`: a new pseudo-terminal in `pts`.
  virtual ErrnoOr<FileRef> OpenPtmx(const DevptsRef& pts, const Location& loc, int flags) = 0;
  // /dev/tty at `loc`: the caller's controlling terminal (ENXIO if none).
  virtual ErrnoOr<FileRef> OpenTty(const Location& loc, int flags) = 0;

 protected:
  ~TtyDriver() = default;
};
// Installs the driver (the kernel's, at start-up; it lives forever).
void SetTtyDriver(TtyDriver* driver);

}  // namespace sb::fs
