// namespace_bind.cc: bind mounts of host files and directories
// (VfsNamespace::MountHostPath) and the noexec test of a location.
#include <sys/stat.h>

#include "absl/strings/str_cat.h"
#include "fs/host_fs.h"
#include "fs/mount.h"

namespace sb::fs {

bool MountNamespace::NoExec(const Location& loc) {
  return loc.mount && loc.mount->options().noexec;
}

absl::Status VfsNamespace::MountHostPath(std::string_view target, std::string_view host_path,
                                         const MountOptions& opts) {
  const std::string path(host_path);
  struct stat hst;
  if (path.empty() || path[0] != '/' || lstat(path.c_str(), &hst) != 0) {
    return absl::NotFoundError(absl::StrCat("bind source ", path, " does not exist"));
  }
  if (S_ISDIR(hst.st_mode)) return MountHostDirectory(target, host_path, opts);
  if (!S_ISREG(hst.st_mode)) {
    return absl::InvalidArgumentError(
        absl::StrCat("bind source ", path, " is neither a directory nor a regular file"));
  }
  // A file is reached as one name beneath its host directory, opened
  // O_PATH|O_NOFOLLOW like every host file.
  const size_t slash = path.rfind('/');
  const std::string dir = slash == 0 ? "/" : path.substr(0, slash);
  const std::string base = path.substr(slash + 1);
  auto dir_inode = NewHostFs(dir);
  if (!dir_inode.ok()) {
    return ErrnoToStatus(dir_inode.error(), absl::StrCat("open host dir ", dir));
  }
  auto file = (*dir_inode)->Lookup(base);
  if (!file.ok()) return ErrnoToStatus(file.error(), absl::StrCat("open bind source ", path));

  Credentials creds = Credentials::Root();
  FsContext ctx{creds, Root(), Root()};
  const std::string where = absl::StrCat("mount target ", std::string(target));
  auto loc = Lookup(ctx, Root(), target, FollowFinal::kYes);
  if (!loc.ok()) return ErrnoToStatus(loc.error(), where);
  auto st = loc->dentry->inode()->Stat();
  if (!st.ok()) return ErrnoToStatus(st.error(), where);
  if (S_ISDIR(st->st_mode)) {
    return ErrnoToStatus(Errno(ENOTDIR), absl::StrCat(where, " is a directory, ", path, " a file"));
  }
  MountOptions o = opts;
  o.nodev = true;  // host device nodes are never opened
  FilesystemRef fs = (*file)->fs_ref();
  auto mount = std::make_shared<Mount>(std::move(fs), Dentry::NewRoot(std::move(file).value()),
                                       loc->mount, loc->dentry, o);
  absl::MutexLock lock(&mu_);
  mounts_[std::make_pair(loc->mount.get(), loc->dentry.get())] = mount;
  loc->dentry->mount_count.fetch_add(1);
  return absl::OkStatus();
}

}  // namespace sb::fs
