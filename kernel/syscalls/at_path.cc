// at_path.cc: path-argument decoding for the *at() family.
#include "kernel/syscalls/at_path.h"

#include "kernel/base/abi.h"

namespace sb::kernel {

ErrnoOr<std::string> CopyInPath(Task& t, uint64_t addr) {
  return t.CopyInString(addr, sb::abi::kPathMax);
}

AtTarget TargetOf(fs::FileRef file) {
  AtTarget target;
  target.loc = file->location();
  target.file = std::move(file);
  return target;
}

ErrnoOr<AtTarget> ResolveAtFlags(Task& t, int dirfd, uint64_t path_addr, int flags) {
  SB_ASSIGN_OR_RETURN(std::string path, CopyInPath(t, path_addr));
  return ResolveAt(t, dirfd, path, flags & AT_EMPTY_PATH,
                   (flags & AT_SYMLINK_NOFOLLOW) ? fs::FollowFinal::kNo : fs::FollowFinal::kYes);
}

ErrnoOr<AtTarget> ResolveAt(Task& t, int dirfd, const std::string& path, bool empty_path,
                            fs::FollowFinal follow) {
  if (path.empty()) {
    if (!empty_path) return Errno(ENOENT);
    if (dirfd == AT_FDCWD) {
      SB_ASSIGN_OR_RETURN(fs::Location cwd, t.AtLocation(AT_FDCWD, ""));
      return AtTarget{cwd, nullptr};
    }
    SB_ASSIGN_OR_RETURN(fs::FileRef f, t.fds().Get(dirfd));
    return TargetOf(std::move(f));
  }
  SB_ASSIGN_OR_RETURN(fs::Location start, t.AtLocation(dirfd, path));
  SB_ASSIGN_OR_RETURN(fs::Location loc,
                      t.mount_namespace().Lookup(t.FsContext(), start, path, follow));
  return AtTarget{std::move(loc), nullptr};
}

ErrnoOr<fs::FileRef> FileForFd(Task& t, int fd) {
  SB_ASSIGN_OR_RETURN(fs::FileRef f, t.fds().Get(fd));
  if (f->status_flags() & O_PATH) return Errno(EBADF);
  return f;
}

}  // namespace sb::kernel
