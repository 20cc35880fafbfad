// host_fs.cc: the host-backed filesystem. Every host file is reached by
// openat(parent_fd, one_name, O_PATH|O_NOFOLLOW) below a directory fd we
// hold; nothing here ever hands the host a path with '/' or "..", so a
// symlink or a rename on the host cannot lead us outside the mount.
#include "fs/host_fs.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "fs/vfs_file.h"
#include "kernel/base/log_once.h"
#include "kernel/base/unique_fd.h"

namespace sb::fs {
namespace {

ErrnoOr<struct stat> HostStat(int fd) {
  struct stat st;
  if (fstatat(fd, "", &st, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) < 0) return HostErrno();
  return st;
}

// Host pseudo-filesystems (the host's /proc, /sys, cgroups, ...) describe
// the host, not the sandbox: a directory where one is mounted shows as an
// empty directory, as a mount point does in a non-recursive bind mount.
bool IsHostPseudoFs(int fd) {
  struct statfs sfs;
  if (fstatfs(fd, &sfs) != 0) return true;  // cannot tell: refuse
  switch (static_cast<uint64_t>(sfs.f_type)) {
    case 0x9fa0:      // proc
    case 0x62656572:  // sysfs
    case 0x1cd1:      // devpts
    case 0x27e0eb:    // cgroup
    case 0x63677270:  // cgroup2
    case 0x73636673:  // securityfs
    case 0x64626720:  // debugfs
    case 0x74726163:  // tracefs
    case 0xcafe4a11:  // bpf
    case 0x62656570:  // configfs
    case 0x65735543:  // fusectl
    case 0x6165676c:  // pstore
    case 0xde5e81e4:  // efivarfs
    case 0x42494e4d:  // binfmt_misc
    case 0x19800202:  // mqueue
    case 0x958458f6:  // hugetlbfs
    case 0x6e736673:  // nsfs
      return true;
    default:
      return false;
  }
}

// Reopens an O_PATH fd for I/O. /proc/self/fd/N is a magic link to the
// inode the O_PATH fd pins, not a path walk, so this cannot escape.
ErrnoOr<UniqueFd> Reopen(int path_fd, int flags) {
  std::string proc = absl::StrCat("/proc/self/fd/", path_fd);
  int fd = open(proc.c_str(), flags | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) return HostErrno();
  return UniqueFd(fd);
}

class HostRegularFile : public VfsFile {
 public:
  HostRegularFile(const Location& loc, int flags, UniqueFd fd)
      : VfsFile(loc, flags), fd_(std::move(fd)) {}

  ErrnoOr<size_t> Read(HostIoVecs dst, int64_t offset) override {
    return NotifyRead(ReadImpl(dst, offset));
  }
  ErrnoOr<size_t> ReadImpl(HostIoVecs dst, int64_t offset) {
    if (!readable()) return Errno(EBADF);
    ssize_t n = offset < 0 ? readv(fd_.get(), dst.data(), static_cast<int>(dst.size()))
                           : preadv(fd_.get(), dst.data(), static_cast<int>(dst.size()), offset);
    if (n < 0) return HostErrno();
    return static_cast<size_t>(n);
  }

  ErrnoOr<size_t> Write(HostIoVecs src, int64_t offset) override {
    return NotifyWrite(WriteImpl(src, offset));
  }
  ErrnoOr<size_t> WriteImpl(HostIoVecs src, int64_t offset) {
    if (!writable()) return Errno(EBADF);
    SB_TRY(SyncAppend());
    ssize_t n = offset < 0 ? writev(fd_.get(), src.data(), static_cast<int>(src.size()))
                           : pwritev(fd_.get(), src.data(), static_cast<int>(src.size()), offset);
    if (n < 0) return HostErrno();
    return static_cast<size_t>(n);
  }

  ErrnoOr<int64_t> Seek(int64_t offset, int whence) override {
    off_t r = lseek(fd_.get(), offset, whence);
    if (r < 0) return HostErrno();
    return static_cast<int64_t>(r);
  }

  ErrnoStatus Truncate(uint64_t length) override {
    if (!writable()) return Errno(EINVAL);
    if (ftruncate(fd_.get(), static_cast<off_t>(length)) < 0) return HostErrno();
    return NotifyTruncate(Ok());
  }

  ErrnoStatus Sync(bool data_only) override {
    if ((data_only ? fdatasync(fd_.get()) : fsync(fd_.get())) < 0) return HostErrno();
    return Ok();
  }

  // fallocate, sync_file_range, fadvise and preadv2/pwritev2 go to the host
  // fd, so the host filesystem answers (ext4 supports modes tmpfs does
  // not). RLIMIT_FSIZE is the sandbox's, checked here as Linux's
  // inode_newsize_ok() would before the host grows the file.
  ErrnoStatus Allocate(int mode, uint64_t offset, uint64_t length, uint64_t fsize_limit) override {
    if (!(mode & FALLOC_FL_PUNCH_HOLE) && offset + length > fsize_limit) {
      struct stat st;
      if (fstat(fd_.get(), &st) == 0 && offset + length > static_cast<uint64_t>(st.st_size)) {
        return Errno(EFBIG);
      }
    }
    if (fallocate(fd_.get(), mode, static_cast<off_t>(offset), static_cast<off_t>(length)) < 0) {
      return HostErrno();
    }
    return Ok();
  }
  ErrnoStatus SyncRange(int64_t offset, int64_t nbytes, unsigned flags) override {
    if (sync_file_range(fd_.get(), offset, nbytes, flags) < 0) return HostErrno();
    return Ok();
  }
  ErrnoStatus Advise(int64_t offset, int64_t length, int advice) override {
    int e = posix_fadvise(fd_.get(), offset, length, advice);
    if (e != 0) return Errno(e);
    return Ok();
  }
  bool SupportsNowait() const override { return true; }  // the host decides
  std::optional<ErrnoOr<size_t>> HostReadV2(HostIoVecs dst, int64_t offset, int flags) override {
    if (!readable()) return ErrnoOr<size_t>(Errno(EBADF));
    ssize_t n = preadv2(fd_.get(), dst.data(), static_cast<int>(dst.size()), offset, flags);
    if (n < 0) return ErrnoOr<size_t>(HostErrno());
    return ErrnoOr<size_t>(static_cast<size_t>(n));
  }
  std::optional<ErrnoOr<size_t>> HostWriteV2(HostIoVecs src, int64_t offset, int flags) override {
    if (!writable()) return ErrnoOr<size_t>(Errno(EBADF));
    if (auto s = SyncAppend(); !s.ok()) return ErrnoOr<size_t>(s.error());
    ssize_t n = pwritev2(fd_.get(), src.data(), static_cast<int>(src.size()), offset, flags);
    if (n < 0) return ErrnoOr<size_t>(HostErrno());
    return ErrnoOr<size_t>(static_cast<size_t>(n));
  }

 private:
  // F_SETFL changes O_APPEND on the description only; carry it to the
  // host fd (ours alone) before writing.
  ErrnoStatus SyncAppend() {
    bool want = status_flags() & O_APPEND;
    if (want == host_append_.load(std::memory_order_relaxed)) return Ok();
    int fl = fcntl(fd_.get(), F_GETFL);
    if (fl < 0 || fcntl(fd_.get(), F_SETFL, want ? (fl | O_APPEND) : (fl & ~O_APPEND)) < 0) {
      return HostErrno();
    }
    host_append_.store(want, std::memory_order_relaxed);
    return Ok();
  }

  const UniqueFd fd_;  // immutable; the host offset is this file's offset
  // Whether the host fd has O_APPEND. Atomic: a racing F_SETFL and write
  // settle on the last flags, as Linux's f_flags.
  std::atomic<bool> host_append_{static_cast<bool>(status_flags() & O_APPEND)};
};

class HostDirFile : public VfsFile {
 public:
  HostDirFile(const Location& loc, int flags, UniqueFd fd, bool sealed = false)
      : VfsFile(loc, flags), fd_(std::move(fd)), sealed_(sealed) {}

  ErrnoOr<size_t> Read(HostIoVecs, int64_t) override { return Errno(EISDIR); }
  ErrnoOr<size_t> Write(HostIoVecs, int64_t) override { return Errno(EBADF); }

  ErrnoStatus Sync(bool data_only) override {
    if (sealed_) return Ok();
    if ((data_only ? fdatasync(fd_.get()) : fsync(fd_.get())) < 0) return HostErrno();
    return Ok();
  }
  ErrnoStatus SyncRange(int64_t offset, int64_t nbytes, unsigned flags) override {
    if (sealed_) return Ok();
    if (sync_file_range(fd_.get(), offset, nbytes, flags) < 0) return HostErrno();
    return Ok();
  }

  ErrnoOr<size_t> GetDents64(std::span<uint8_t> buf) override {
    return NotifyDirRead(GetDentsImpl(buf));
  }
  ErrnoOr<size_t> GetDentsImpl(std::span<uint8_t> buf) {
    if (sealed_) return SealedDents(buf);
    long n = syscall(SYS_getdents64, fd_.get(), buf.data(), buf.size());
    if (n < 0) return HostErrno();
    // ".." of a mount root would name a host directory outside the mount:
    // report our own parent's inode number instead.
    uint64_t parent_ino = 0;
    size_t pos = 0;
    while (pos + 19 < static_cast<size_t>(n)) {
      uint16_t reclen;
      std::memcpy(&reclen, buf.data() + pos + 16, 2);
      if (std::strcmp(reinterpret_cast<const char*>(buf.data() + pos + 19), "..") == 0) {
        if (parent_ino == 0) parent_ino = ParentIno();
        std::memcpy(buf.data() + pos, &parent_ino, 8);
      }
      if (reclen == 0) break;
      pos += reclen;
    }
    return static_cast<size_t>(n);
  }

  ErrnoOr<int64_t> Seek(int64_t offset, int whence) override {
    if (whence != SEEK_SET && whence != SEEK_CUR) return Errno(EINVAL);
    if (sealed_) {
      int64_t pos = whence == SEEK_SET ? offset : sealed_pos_.load() + offset;
      if (pos < 0) return Errno(EINVAL);
      sealed_pos_ = pos;
      return pos;
    }
    off_t r = lseek(fd_.get(), offset, whence);
    if (r < 0) return HostErrno();
    return static_cast<int64_t>(r);
  }

 private:
  uint64_t ParentIno() const {
    DentryRef parent = loc_.dentry->parent();
    const DentryRef& d = parent ? parent : loc_.dentry;
    auto st = d->inode()->Stat();
    return st.ok() ? st->st_ino : 1;
  }

  // A sealed directory lists only "." and "..".
  ErrnoOr<size_t> SealedDents(std::span<uint8_t> buf) {
    size_t out = 0;
    const char* names[] = {".", ".."};
    for (int64_t i = sealed_pos_.load(); i < 2; ++i) {
      const size_t reclen = 24;  // 19-byte header + name + NUL, 8-aligned
      if (out + reclen > buf.size()) {
        if (out == 0) return Errno(EINVAL);
        break;
      }
      uint8_t* d = buf.data() + out;
      std::memset(d, 0, reclen);
      auto st = i == 0 ? loc_.dentry->inode()->Stat() : ErrnoOr<struct stat>(Errno(ENOENT));
      uint64_t ino = st.ok() ? st->st_ino : ParentIno();
      int64_t off = i + 1;
      uint16_t rl = reclen;
      std::memcpy(d, &ino, 8);
      std::memcpy(d + 8, &off, 8);
      std::memcpy(d + 16, &rl, 2);
      d[18] = DT_DIR;
      std::strcpy(reinterpret_cast<char*>(d + 19), names[i]);
      out += reclen;
      sealed_pos_ = i + 1;
    }
    return out;
  }

  const UniqueFd fd_;  // immutable
  const bool sealed_;  // immutable: a host pseudo-filesystem's mount point
  std::atomic<int64_t> sealed_pos_{0};
};

// One host-backed filesystem: the host directory it was created on, and
// the lock state of its files by host identity, so that every inode object
// of one host file (a later lookup, a hard link) shares one set of locks.
class HostFilesystem : public Filesystem {
 public:
  explicit HostFilesystem(UniqueFd root_fd) : Filesystem("host"), root_fd_(std::move(root_fd)) {}

  // The host's statfs of the mount's root directory, with the host's own
  // filesystem type (as gVisor reports for gofer mounts).
  ErrnoOr<struct statfs> StatFs() override {
    struct statfs sfs;
    if (fstatfs(root_fd_.get(), &sfs) < 0) return HostErrno();
    return sfs;
  }

  // The lock context of host file (dev, ino); created when `create`.
  std::shared_ptr<FileLockContext> LockContext(dev_t dev, ino_t ino, bool create)
      ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    // Forget contexts nobody holds any more.
    absl::erase_if(locks_, [](const auto& kv) { return kv.second.expired(); });
    std::shared_ptr<FileLockContext> ctx;
    auto it = locks_.find(std::make_pair(dev, ino));
    if (it != locks_.end()) ctx = it->second.lock();
    if (!ctx && create) {
      ctx = std::make_shared<FileLockContext>();
      locks_[std::make_pair(dev, ino)] = ctx;
    }
    return ctx;
  }
  // False when no file of this filesystem can have locks (the common close).
  bool MayHaveLocks() ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    return !locks_.empty();
  }

 private:
  const UniqueFd root_fd_;  // immutable; O_PATH, the host directory mounted
  absl::Mutex mu_;
  // Weak: a context lives while an inode object holds it (while a lock may
  // exist, an open file holds its inode).
  absl::flat_hash_map<std::pair<dev_t, ino_t>, std::weak_ptr<FileLockContext>> locks_
      ABSL_GUARDED_BY(mu_);
};

class HostInode : public Inode {
 public:
  HostInode(FilesystemRef fs, UniqueFd path_fd, mode_t type, bool sealed = false)
      : Inode(std::move(fs)), path_fd_(std::move(path_fd)), type_(type), sealed_(sealed) {}

  ErrnoOr<struct stat> Stat() override {
    SB_ASSIGN_OR_RETURN(struct stat st, HostStat(path_fd_.get()));
    st.st_dev = fs().dev();
    return st;
  }

  ErrnoOr<InodeRef> Lookup(std::string_view name) override {
    if (!S_ISDIR(type_)) return Errno(ENOTDIR);
    if (sealed_) return Errno(ENOENT);
    // The walk never sends these; refuse them anyway (defence in depth).
    if (name.empty() || name == "." || name == ".." || name.find('/') != std::string_view::npos) {
      return Errno(EINVAL);
    }
    std::string n(name);
    int fd = openat(path_fd_.get(), n.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) return HostErrno();
    UniqueFd child(fd);
    SB_ASSIGN_OR_RETURN(struct stat st, HostStat(child.get()));
    bool sealed = S_ISDIR(st.st_mode) && IsHostPseudoFs(child.get());
    return InodeRef(
        std::make_shared<HostInode>(fs_ref(), std::move(child), st.st_mode & S_IFMT, sealed));
  }

  ErrnoOr<InodeRef> CreateChild(std::string_view name, const CreateRequest& req) override {
    if (!S_ISDIR(type_)) return Errno(ENOTDIR);
    std::string n(name);
    mode_t perms = req.mode & 07777;
    switch (req.mode & S_IFMT) {
      case S_IFDIR: {
        if (mkdirat(path_fd_.get(), n.c_str(), 0700) < 0) return HostErrno();
        // Set the exact mode: the host's umask must not apply.
        int fd = openat(path_fd_.get(), n.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0) return HostErrno();
        UniqueFd dir(fd);
        if (fchmod(dir.get(), perms) < 0) return HostErrno();
        break;
      }
      case S_IFREG: {
        int fd = openat(path_fd_.get(), n.c_str(),
                        O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd < 0) return HostErrno();
        UniqueFd file(fd);
        if (fchmod(file.get(), perms) < 0) return HostErrno();
        break;
      }
      case S_IFLNK: {
        std::string target(req.target);
        if (symlinkat(target.c_str(), path_fd_.get(), n.c_str()) < 0) return HostErrno();
        break;
      }
      case S_IFSOCK:
        if (!req.socket.expired()) {
          // A host node could not lead back to our socket (and sandboxed
          // sockets are never host sockets): bind beneath tmpfs instead.
          ReportUnsupported("bind of an AF_UNIX socket on a host-backed filesystem");
          return Errno(EOPNOTSUPP);
        }
        [[fallthrough]];
      case S_IFIFO: {
        // Harmless on the host: we never open a host FIFO or socket.
        if (mknodat(path_fd_.get(), n.c_str(), (req.mode & S_IFMT) | 0600, 0) < 0) {
          return HostErrno();
        }
        SB_ASSIGN_OR_RETURN(InodeRef child, Lookup(name));
        SB_TRY(static_cast<HostInode&>(*child).SetHostMode(perms));
        return child;
      }
      case S_IFCHR:
      case S_IFBLK:
        ReportUnsupported("mknod of a device node on a host-backed mount");
        return Errno(EPERM);
      default:
        return Errno(EPERM);
    }
    return Lookup(name);
  }

  ErrnoStatus LinkChild(std::string_view name, const InodeRef& target) override {
    auto* t = dynamic_cast<HostInode*>(target.get());
    if (t == nullptr || &t->fs() != &fs()) return Errno(EXDEV);
    std::string n(name);
    // linkat(fd, "", AT_EMPTY_PATH) needs CAP_DAC_READ_SEARCH; the /proc
    // magic link names the same pinned inode.
    std::string proc = absl::StrCat("/proc/self/fd/", t->path_fd_.get());
    if (linkat(AT_FDCWD, proc.c_str(), path_fd_.get(), n.c_str(), AT_SYMLINK_FOLLOW) < 0) {
      return HostErrno();
    }
    return Ok();
  }

  ErrnoStatus RemoveChild(std::string_view name, bool dir) override {
    std::string n(name);
    if (unlinkat(path_fd_.get(), n.c_str(), dir ? AT_REMOVEDIR : 0) < 0) return HostErrno();
    return Ok();
  }

  ErrnoStatus RenameChild(std::string_view old_name, Inode& new_dir, std::string_view new_name,
                          unsigned flags) override {
    auto* nd = dynamic_cast<HostInode*>(&new_dir);
    if (nd == nullptr || &nd->fs() != &fs()) return Errno(EXDEV);
    std::string o(old_name), n(new_name);
    if (renameat2(path_fd_.get(), o.c_str(), nd->path_fd_.get(), n.c_str(), flags) < 0) {
      return HostErrno();
    }
    return Ok();
  }

  // Owner changes go to the host as asked (it may refuse); then the mode
  // we computed (chown may have cleared set-id bits on the host too); then
  // the times. ctime is the host's.
  ErrnoStatus SetAttr(const AttrChange& change) override {
    if (change.uid || change.gid) {
      uid_t uid = change.uid.value_or(static_cast<uid_t>(-1));
      gid_t gid = change.gid.value_or(static_cast<gid_t>(-1));
      if (fchownat(path_fd_.get(), "", uid, gid, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) < 0) {
        return HostErrno();
      }
    }
    if (change.mode) SB_TRY(SetHostMode(*change.mode));
    if (change.atime || change.mtime) {
      struct timespec ts[2] = {change.atime.value_or(timespec{0, UTIME_OMIT}),
                               change.mtime.value_or(timespec{0, UTIME_OMIT})};
      if (utimensat(path_fd_.get(), "", ts, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) < 0) {
        // A host kernel without AT_EMPTY_PATH for utimensat: the /proc magic
        // link names the pinned inode (not for symlinks: it would follow).
        if (errno != EINVAL || S_ISLNK(type_)) return HostErrno();
        std::string proc = absl::StrCat("/proc/self/fd/", path_fd_.get());
        if (utimensat(AT_FDCWD, proc.c_str(), ts, 0) < 0) return HostErrno();
      }
    } else if (!change.uid && !change.gid && !change.mode) {
      // Nothing but ctime: the host updates it with an ownership no-op.
      if (fchownat(path_fd_.get(), "", -1, -1, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) < 0) {
        return HostErrno();
      }
    }
    return Ok();
  }

  ErrnoStatus SetHostMode(mode_t mode) {
    if (S_ISLNK(type_)) return Errno(EOPNOTSUPP);
    std::string proc = absl::StrCat("/proc/self/fd/", path_fd_.get());
    if (chmod(proc.c_str(), mode & 07777) < 0) return HostErrno();
    return Ok();
  }

  // Extended attributes never reach the host.
  ErrnoOr<std::vector<std::string>> ListXattr() override { return Errno(EOPNOTSUPP); }

  // Shared by every inode object of the same host file (HostFilesystem).
  std::shared_ptr<FileLockContext> LockContext(bool create) override
      ABSL_LOCKS_EXCLUDED(lock_ctx_mu_) {
    absl::MutexLock lock(&lock_ctx_mu_);
    if (lock_ctx_ || (!create && !host_fs().MayHaveLocks())) return lock_ctx_;
    auto st = HostStat(path_fd_.get());
    if (st.ok()) {
      lock_ctx_ = host_fs().LockContext(st->st_dev, st->st_ino, create);
    } else if (create) {
      lock_ctx_ = std::make_shared<FileLockContext>();  // the host file is gone: ours alone
    }
    return lock_ctx_;
  }

  ErrnoStatus Truncate(uint64_t length) override {
    if (!S_ISREG(type_)) return Errno(S_ISDIR(type_) ? EISDIR : EINVAL);
    SB_ASSIGN_OR_RETURN(UniqueFd fd, Reopen(path_fd_.get(), O_WRONLY));
    if (ftruncate(fd.get(), static_cast<off_t>(length)) < 0) return HostErrno();
    return Ok();
  }

  ErrnoOr<std::string> Readlink() override {
    if (!S_ISLNK(type_)) return Errno(EINVAL);
    char buf[4096];
    ssize_t n = readlinkat(path_fd_.get(), "", buf, sizeof(buf));
    if (n < 0) return HostErrno();
    return std::string(buf, static_cast<size_t>(n));
  }

  ErrnoOr<FileRef> Open(const Location& loc, int flags) override {
    switch (type_) {
      case S_IFDIR: {
        if (sealed_) return FileRef(std::make_shared<HostDirFile>(loc, flags, UniqueFd(), true));
        SB_ASSIGN_OR_RETURN(UniqueFd fd, Reopen(path_fd_.get(), O_RDONLY | O_DIRECTORY));
        return FileRef(std::make_shared<HostDirFile>(loc, flags, std::move(fd)));
      }
      case S_IFREG: {
        // No O_NOFOLLOW: it would refuse the /proc magic link itself.
        int host_flags = flags & (O_ACCMODE | O_APPEND | O_DSYNC | O_SYNC);
        SB_ASSIGN_OR_RETURN(UniqueFd fd, Reopen(path_fd_.get(), host_flags));
        return FileRef(std::make_shared<HostRegularFile>(loc, flags, std::move(fd)));
      }
      case S_IFLNK:
        return Errno(ELOOP);
      case S_IFCHR:
      case S_IFBLK:
        return Errno(EACCES);  // as nodev: host devices are never opened
      case S_IFSOCK:
        return Errno(ENXIO);
      default:
        ReportUnsupported("open of a host FIFO");
        return Errno(EACCES);
    }
  }

 private:
  HostFilesystem& host_fs() const { return static_cast<HostFilesystem&>(fs()); }

  absl::Mutex lock_ctx_mu_;  // a leaf but for HostFilesystem::mu_ beneath it
  std::shared_ptr<FileLockContext> lock_ctx_ ABSL_GUARDED_BY(lock_ctx_mu_);
  const UniqueFd path_fd_;     // immutable; O_PATH, pins the host inode
  const mode_t type_;          // immutable
  const bool sealed_ = false;  // immutable: a host pseudo-filesystem mount point; empty
};

}  // namespace

ErrnoOr<InodeRef> NewHostFs(std::string_view host_dir) {
  std::string dir(host_dir);
  int fd = open(dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return HostErrno();
  UniqueFd root(fd);
  int dup_fd = fcntl(root.get(), F_DUPFD_CLOEXEC, 0);
  if (dup_fd < 0) return HostErrno();
  auto fs = std::make_shared<HostFilesystem>(UniqueFd(dup_fd));
  return InodeRef(std::make_shared<HostInode>(std::move(fs), std::move(root), S_IFDIR));
}

}  // namespace sb::fs
