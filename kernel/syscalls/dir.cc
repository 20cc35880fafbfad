// dir.cc: getdents, getdents64, getcwd, chdir, fchdir, umask.
#include <cstring>

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

// The old getdents: struct linux_dirent {u64 d_ino; u64 d_off; u16
// d_reclen; char d_name[]; ... char d_type at d_reclen - 1}. On 64-bit its
// records are exactly as long as linux_dirent64's (both ALIGN(20 + namelen,
// 8)), so the same directory read fills the same entries and each record
// is rewritten in place: the type moves from byte 18 to the last byte and
// the name down one.
SyscallResult Getdents(Task& t, const SyscallArgs& a) {
  SB_ASSIGN_OR_RETURN(fs::FileRef f, t.fds().Get(a.fd(0)));
  size_t count = std::min<size_t>(a.size(2), 1 << 20);
  SB_ASSIGN_OR_RETURN(auto dst, t.UserBuffer(a.addr(1), count, PROT_WRITE));
  std::vector<uint8_t> buf(count);
  SB_ASSIGN_OR_RETURN(size_t n, f->GetDents64(std::span<uint8_t>(buf.data(), buf.size())));
  for (size_t pos = 0; pos + 19 < n;) {
    uint8_t* d = buf.data() + pos;
    uint16_t reclen;
    std::memcpy(&reclen, d + 16, 2);
    if (reclen < 20 || pos + reclen > n) break;
    const uint8_t type = d[18];
    const size_t namelen = strnlen(reinterpret_cast<const char*>(d + 19), reclen - 19);
    std::memmove(d + 18, d + 19, namelen);
    std::memset(d + 18 + namelen, 0, reclen - 18 - namelen);
    d[reclen - 1] = type;
    pos += reclen;
  }
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
