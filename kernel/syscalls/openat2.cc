// openat2.cc: openat2 with struct open_how and its RESOLVE_* flags.
#include <fcntl.h>
#include <sys/resource.h>

#include <cstring>

#include "kernel/base/abi.h"
#include "kernel/syscalls/blocking.h"
#include "kernel/syscalls/handlers.h"

namespace sb::kernel {
namespace {

// include/uapi/linux/openat2.h
struct OpenHow {
  uint64_t flags;
  uint64_t mode;
  uint64_t resolve;
};
constexpr size_t kOpenHowSizeVer0 = 24;
constexpr uint64_t kResolveNoXdev = 0x01, kResolveNoMagiclinks = 0x02, kResolveNoSymlinks = 0x04,
                   kResolveBeneath = 0x08, kResolveInRoot = 0x10, kResolveCached = 0x20;
constexpr uint64_t kValidResolve = kResolveNoXdev | kResolveNoMagiclinks | kResolveNoSymlinks |
                                   kResolveBeneath | kResolveInRoot | kResolveCached;
// Linux's VALID_OPEN_FLAGS (O_TMPFILE includes O_DIRECTORY).
constexpr uint64_t kValidOpenFlags = O_RDONLY | O_WRONLY | O_RDWR | O_CREAT | O_EXCL | O_NOCTTY |
                                     O_TRUNC | O_APPEND | O_NDELAY | O_NONBLOCK | O_SYNC | O_DSYNC |
                                     FASYNC | O_DIRECT | O_LARGEFILE | O_DIRECTORY | O_NOFOLLOW |
                                     O_NOATIME | O_CLOEXEC | O_PATH | O_TMPFILE;
constexpr uint64_t kOpathFlags = O_DIRECTORY | O_NOFOLLOW | O_PATH | O_CLOEXEC;

// Linux's copy_struct_from_user(): a larger struct is fine if every byte
// we do not know is zero (E2BIG otherwise); a smaller one is zero-extended.
ErrnoOr<OpenHow> CopyInOpenHow(Task& t, uint64_t addr, size_t usize) {
  OpenHow how{};
  SB_TRY(t.CopyIn(addr, &how, std::min(usize, sizeof how)));
  if (usize > sizeof how) {
    std::vector<uint8_t> rest(usize - sizeof how);
    SB_TRY(t.CopyIn(addr + sizeof how, rest.data(), rest.size()));
    for (uint8_t b : rest) {
      if (b != 0) return Errno(E2BIG);
    }
  }
  return how;
}

// Linux's build_open_how() checks, in its order.
ErrnoStatus CheckOpenHow(const OpenHow& how) {
  const uint64_t flags = how.flags;
  if (flags & ~kValidOpenFlags) return Errno(EINVAL);
  if (how.resolve & ~kValidResolve) return Errno(EINVAL);
  if ((how.resolve & kResolveBeneath) && (how.resolve & kResolveInRoot)) return Errno(EINVAL);
  const bool will_create = (flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE;
  if (will_create ? (how.mode & ~uint64_t{07777}) != 0 : how.mode != 0) return Errno(EINVAL);
  if ((flags & O_DIRECTORY) && (flags & O_CREAT)) return Errno(EINVAL);
  if ((flags & O_TMPFILE & ~O_DIRECTORY)) {
    if ((flags & (O_TMPFILE | O_CREAT)) != O_TMPFILE) return Errno(EINVAL);
    const int acc = flags & O_ACCMODE;
    if (acc != O_WRONLY && acc != O_RDWR) return Errno(EINVAL);
  }
  if ((flags & O_PATH) && (flags & ~kOpathFlags)) return Errno(EINVAL);
  if (how.resolve & kResolveCached) {
    if (flags & (O_TRUNC | O_CREAT | (O_TMPFILE & ~O_DIRECTORY))) return Errno(EAGAIN);
  }
  return Ok();
}

}  // namespace

// openat2(dirfd, path, how, size). RESOLVE_CACHED asks for a lookup done
// from the dentry cache alone, failing with EAGAIN otherwise; we never
// promise that (every walk may ask a filesystem), so it is always EAGAIN,
// which Linux allows and callers retry without the flag.
SyscallResult Openat2(Task& t, const SyscallArgs& a) {
  const int dirfd = a.fd(0);
  const size_t usize = a.size(3);
  if (usize < kOpenHowSizeVer0) return Errno(EINVAL);
  if (usize > 4096) return Errno(E2BIG);
  SB_ASSIGN_OR_RETURN(OpenHow how, CopyInOpenHow(t, a.addr(2), usize));
  SB_TRY(CheckOpenHow(how));
  SB_ASSIGN_OR_RETURN(std::string path, t.CopyInString(a.addr(1), sb::abi::kPathMax));
  if (path.empty()) return Errno(ENOENT);
  if (how.resolve & kResolveCached) return Errno(EAGAIN);
  int flags = static_cast<int>(how.flags);
  if (!(flags & O_PATH)) flags |= O_LARGEFILE;

  fs::FsContext ctx = t.FsContext();
  fs::WalkRestrictions rules;
  rules.no_xdev = how.resolve & kResolveNoXdev;
  rules.no_magiclinks = how.resolve & kResolveNoMagiclinks;
  rules.no_symlinks = how.resolve & kResolveNoSymlinks;
  rules.beneath = how.resolve & kResolveBeneath;
  // The directory the walk is scoped to: dirfd (or the cwd), even for an
  // absolute path.
  SB_ASSIGN_OR_RETURN(rules.anchor, t.AtLocation(dirfd, "."));
  fs::Location start;
  if (how.resolve & kResolveInRoot) {
    ctx.root = rules.anchor;  // `..` and absolute paths stop at dirfd
    start = rules.anchor;
  } else {
    SB_ASSIGN_OR_RETURN(start, t.AtLocation(dirfd, path));
  }
  ctx.walk_rules = &rules;
  SB_ASSIGN_OR_RETURN(fs::FileRef f, t.mount_namespace().OpenAt(ctx, start, path, flags,
                                                                static_cast<mode_t>(how.mode)));
  SB_TRY(BlockOn(t, *f, POLLIN | POLLOUT, [&] { return f->OpenWait(); }));
  SB_ASSIGN_OR_RETURN(
      int fd, t.fds().Install(std::move(f), flags & O_CLOEXEC, 0, t.RlimitCur(RLIMIT_NOFILE)));
  return static_cast<uint64_t>(fd);
}

}  // namespace sb::kernel
