// tmpfs_node.cc: opening the special nodes mknod(2) makes in tmpfs: FIFOs
// (Linux's fifo_open), sockets (ENXIO: only connect(2) reaches them) and
// device nodes (devfs's devices, else ENXIO).
#include "fs/devfs.h"
#include "fs/pipe.h"
#include "fs/tmpfs_inode.h"

namespace sb::fs {

ErrnoOr<FileRef> TmpfsNode::Open(const Location& loc, int flags) {
  switch (type_) {
    case S_IFIFO: {
      std::shared_ptr<Pipe> pipe;
      {
        absl::MutexLock lock(&mu_);
        pipe = pipe_.lock();
        if (!pipe) {
          pipe = std::make_shared<Pipe>();
          pipe_ = pipe;
        }
      }
      return NewFifoFile(std::move(pipe), loc, flags);
    }
    case S_IFCHR:
    case S_IFBLK:
      return OpenDeviceNode(type_, rdev_, loc, flags);
    default:
      return Errno(ENXIO);
  }
}

}  // namespace sb::fs
