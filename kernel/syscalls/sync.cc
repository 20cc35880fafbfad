// sync.cc: fsync, fdatasync, sync, syncfs, sync_file_range.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kernel/syscalls/handlers.h"

namespace sb::kernel {
namespace {

// fdget(): an O_PATH descriptor is EBADF here.
ErrnoOr<fs::FileRef> GetIoFile(Task& t, int fd) {
  SB_ASSIGN_OR_RETURN(fs::FileRef f, t.fds().Get(fd));
  if (f->status_flags() & O_PATH) return Errno(EBADF);
  return f;
}

}  // namespace

SyscallResult Fsync(Task& t, const SyscallArgs& a) {
  SB_ASSIGN_OR_RETURN(fs::FileRef f, GetIoFile(t, a.fd(0)));
  SB_TRY(f->Sync(/*data_only=*/false));
  return 0;
}

SyscallResult Fdatasync(Task& t, const SyscallArgs& a) {
  SB_ASSIGN_OR_RETURN(fs::FileRef f, GetIoFile(t, a.fd(0)));
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
  SB_ASSIGN_OR_RETURN(fs::FileRef f, GetIoFile(t, a.fd(0)));
  ::sync();
  return 0;
}

// Linux's sync_file_range(): the descriptor, then EINVAL for unknown flags
// or a negative or wrapping range, then ESPIPE unless a regular file,
// directory, symlink or block device. Host-backed files pass it on.
SyscallResult SyncFileRange(Task& t, const SyscallArgs& a) {
  SB_ASSIGN_OR_RETURN(fs::FileRef f, GetIoFile(t, a.fd(0)));
  const int64_t offset = a.s64(1), nbytes = a.s64(2);
  const unsigned flags = a.u32(3);
  constexpr unsigned kValid =
      SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE | SYNC_FILE_RANGE_WAIT_AFTER;
  if (flags & ~kValid) return Errno(EINVAL);
  const int64_t end = static_cast<int64_t>(static_cast<uint64_t>(offset) + nbytes);
  if (offset < 0 || end < 0 || end < offset) return Errno(EINVAL);
  SB_ASSIGN_OR_RETURN(struct stat st, f->Stat());
  if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode) && !S_ISDIR(st.st_mode) &&
      !S_ISLNK(st.st_mode)) {
    return Errno(ESPIPE);
  }
  SB_TRY(f->SyncRange(offset, nbytes, flags));
  return 0;
}

}  // namespace sb::kernel
