// dir.cc: getdents64, getcwd, chdir, fchdir, umask.
#include "kernel/base/abi.h"
#include "kernel/syscalls/handlers.h"

namespace sb::kernel {

SyscallResult Getdents64(Task& t, const SyscallArgs& a) {
  SB_ASSIGN_OR_RETURN(fs::FileRef f, t.fds().Get(a.fd(0)));
  size_t count = std::min<size_t>(a.size(2), 1 << 20);
  SB_ASSIGN_OR_RETURN(auto dst, t.UserBuffer(a.addr(1), count, PROT_WRITE));
  std::vector<uint8_t> buf(count);
  SB_ASSIGN_OR_RETURN(size_t n, f->GetDents64(std::span<uint8_t>(buf.data(), buf.size())));
  SB_TRY(t.CopyOut(a.addr(1), buf.data(), n));
  return n;
}

SyscallResult Getcwd(Task& t, const SyscallArgs& a) {
  fs::FsContext ctx = t.FsContext();
  SB_ASSIGN_OR_RETURN(std::string path, t.mount_namespace().PathOf(ctx.root, ctx.cwd));
  if (path.size() + 1 > a.size(1)) return Errno(ERANGE);
  SB_TRY(t.CopyOut(a.addr(0), path.c_str(), path.size() + 1));
  return path.size() + 1;
}

namespace {

SyscallResult SetCwd(Task& t, const fs::Location& loc) {
  SB_ASSIGN_OR_RETURN(struct stat st, t.mount_namespace().Stat(loc));
  if (!S_ISDIR(st.st_mode)) return Errno(ENOTDIR);
  SB_TRY(t.mount_namespace().Access(t.FsContext(), loc, X_OK));
  absl::MutexLock lock(&t.fs_state().mu);
  t.fs_state().cwd = loc;
  return 0;
}

}  // namespace

SyscallResult Chdir(Task& t, const SyscallArgs& a) {
  SB_ASSIGN_OR_RETURN(std::string path, t.CopyInString(a.addr(0), sb::abi::kPathMax));
  if (path.empty()) return Errno(ENOENT);
  SB_ASSIGN_OR_RETURN(fs::Location start, t.AtLocation(AT_FDCWD, path));
  SB_ASSIGN_OR_RETURN(fs::Location loc, t.mount_namespace().Lookup(t.FsContext(), start, path,
                                                                   fs::FollowFinal::kYes));
  return SetCwd(t, loc);
}

SyscallResult Fchdir(Task& t, const SyscallArgs& a) {
  SB_ASSIGN_OR_RETURN(fs::FileRef f, t.fds().Get(a.fd(0)));
  auto loc = f->location();
  if (!loc) return Errno(ENOTDIR);
  return SetCwd(t, *loc);
}

SyscallResult Umask(Task& t, const SyscallArgs& a) {
  absl::MutexLock lock(&t.fs_state().mu);
  mode_t old = t.fs_state().umask;
  t.fs_state().umask = a.u32(0) & 0777;
  return old;
}

}  // namespace sb::kernel
