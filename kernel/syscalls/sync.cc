// sync.cc: fsync, fdatasync, sync, syncfs.
#include <unistd.h>

#include "kernel/syscalls/handlers.h"

namespace sb::kernel {

SyscallResult Fsync(Task& t, const SyscallArgs& a) {
  SB_ASSIGN_OR_RETURN(fs::FileRef f, t.fds().Get(a.fd(0)));
  SB_TRY(f->Sync(/*data_only=*/false));
  return 0;
}

SyscallResult Fdatasync(Task& t, const SyscallArgs& a) {
  SB_ASSIGN_OR_RETURN(fs::FileRef f, t.fds().Get(a.fd(0)));
  SB_TRY(f->Sync(/*data_only=*/true));
  return 0;
}

// tmpfs and the memory file hold nothing to write back; host-backed files
// were written through to the host's page cache, which the host's sync
// flushes. Linux's sync(2) cannot fail.
SyscallResult Sync(Task& t, const SyscallArgs& a) {
  ::sync();
  return 0;
}

// As sync(2) for the file's filesystem: Linux accepts any open file,
// pipes and sockets included.
SyscallResult Syncfs(Task& t, const SyscallArgs& a) {
  SB_ASSIGN_OR_RETURN(fs::FileRef f, t.fds().Get(a.fd(0)));
  ::sync();
  return 0;
}

}  // namespace sb::kernel
