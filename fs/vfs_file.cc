#include "fs/vfs_file.h"

#include "fs/inotify.h"

#include <dirent.h>

#include <cstring>
#include <limits>

#include "fs/mount.h"

namespace sb::fs {

VfsFile::VfsFile(const Location& loc, int flags)
    : FileDescription(flags), loc_(loc), notify_(!(flags & O_PATH)) {
  if (notify_) InotifyFileOpened(inode());
}

VfsFile::~VfsFile() {
  if (!notify_) return;
  NotifyLocation(loc_, writable() ? IN_CLOSE_WRITE : IN_CLOSE_NOWRITE);
  InotifyFileClosed(inode());
}

ErrnoOr<size_t> VfsFile::NotifyRead(ErrnoOr<size_t> r) {
  if (r.ok() && *r > 0) NotifyLocation(loc_, IN_ACCESS);
  return r;
}

ErrnoOr<size_t> VfsFile::NotifyWrite(ErrnoOr<size_t> r) {
  if (r.ok() && *r > 0) NotifyLocation(loc_, IN_MODIFY);
  return r;
}

ErrnoOr<size_t> VfsFile::NotifyDirRead(ErrnoOr<size_t> r) {
  if (r.ok()) NotifyLocation(loc_, IN_ACCESS);
  return r;
}

ErrnoStatus VfsFile::NotifyTruncate(ErrnoStatus r) {
  if (r.ok()) NotifyLocation(loc_, IN_MODIFY);
  return r;
}

ErrnoOr<struct statfs> StatFsAt(const Location& loc) {
  SB_ASSIGN_OR_RETURN(struct statfs sfs, loc.dentry->inode()->fs().StatFs());
  const MountOptions& o = loc.mount->options();
  if (o.read_only) sfs.f_flags |= kStRdonly;
  if (o.nosuid) sfs.f_flags |= kStNosuid;
  if (o.nodev) sfs.f_flags |= kStNodev;
  if (o.noexec) sfs.f_flags |= kStNoexec;
  // The atime flags are the mount's (Linux's flags_by_mnt).
  constexpr long kStNoatime = 0x0400, kStNodiratime = 0x0800, kStNosymfollow = 0x2000;
  sfs.f_flags &= ~kStRelatime;
  if (o.atime == AtimeMode::kRelatime) sfs.f_flags |= kStRelatime;
  if (o.atime == AtimeMode::kNoatime) sfs.f_flags |= kStNoatime;
  if (o.nodiratime) sfs.f_flags |= kStNodiratime;
  if (o.nosymfollow) sfs.f_flags |= kStNosymfollow;
  return sfs;
}

ErrnoOr<struct statfs> VfsFile::StatFs() { return StatFsAt(loc_); }

bool PutDirent64(std::span<uint8_t> buf, size_t* used, uint64_t ino, int64_t off, uint8_t type,
                 std::string_view name) {
  // struct linux_dirent64 { u64 d_ino; s64 d_off; u16 d_reclen; u8 d_type; char d_name[]; }
  constexpr size_t kHeader = 8 + 8 + 2 + 1;
  size_t reclen = (kHeader + name.size() + 1 + 7) & ~size_t{7};
  if (*used + reclen > buf.size()) return false;
  uint8_t* p = buf.data() + *used;
  std::memset(p, 0, reclen);
  uint16_t rl = static_cast<uint16_t>(reclen);
  std::memcpy(p, &ino, 8);
  std::memcpy(p + 8, &off, 8);
  std::memcpy(p + 16, &rl, 2);
  p[18] = type;
  std::memcpy(p + kHeader, name.data(), name.size());
  *used += reclen;
  return true;
}

uint8_t DirentType(mode_t mode) { return static_cast<uint8_t>((mode & S_IFMT) >> 12); }

ErrnoOr<int64_t> SeekInFile(int64_t cur, int64_t size, int64_t offset, int whence) {
  int64_t base;
  switch (whence) {
    case SEEK_SET:
      base = 0;
      break;
    case SEEK_CUR:
      base = cur;
      break;
    case SEEK_END:
      base = size;
      break;
    case SEEK_DATA:
      if (offset < 0 || offset >= size) return Errno(ENXIO);
      return offset;
    case SEEK_HOLE:
      if (offset < 0 || offset >= size) return Errno(ENXIO);
      return size;
    default:
      return Errno(EINVAL);
  }
  if ((offset > 0 && base > std::numeric_limits<int64_t>::max() - offset)) return Errno(EOVERFLOW);
  int64_t pos = base + offset;
  if (pos < 0) return Errno(EINVAL);
  return pos;
}

ErrnoOr<int64_t> SeekSetOrCur(int64_t cur, int64_t offset, int whence) {
  if (whence != SEEK_SET && whence != SEEK_CUR) return Errno(EINVAL);
  return SeekInFile(cur, 0, offset, whence);
}

}  // namespace sb::fs
