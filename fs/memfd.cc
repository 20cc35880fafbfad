// memfd.cc: memfd_create(2). Each memfd is a TmpfsFile of one internal
// tmpfs instance, named by a dentry that no directory holds (so its path
// reads "/memfd:NAME (deleted)", as Linux's d_path of shm_mnt files) on an
// internal mount that no namespace holds. Its data, MAP_SHARED mappings,
// seals, xattrs and locks are tmpfs's.
#include "fs/mount.h"
#include "fs/tmpfs.h"
#include "fs/tmpfs_inode.h"
#include "fs/vfs.h"

namespace sb::fs {
namespace {

// The internal mount every memfd lives on (Linux: shm_mnt). Never freed:
// memfds may outlive any one kernel object.
const MountRef& MemfdMount() {
  static const MountRef mount = [] {
    ErrnoOr<InodeRef> root = NewTmpfs("mode=1777");
    // NewTmpfs cannot fail on this constant data.
    InodeRef inode = std::move(root).value();
    FilesystemRef fs = inode->fs_ref();
    return std::make_shared<Mount>(std::move(fs), Dentry::NewRoot(std::move(inode)), nullptr,
                                   nullptr, MountOptions{});
  }();
  return mount;
}

}  // namespace

ErrnoOr<FileRef> NewMemfd(const Credentials& creds, std::string_view name, bool allow_sealing,
                          bool noexec) {
  const MountRef& mount = MemfdMount();
  CreateRequest req{S_IFREG | (noexec ? 0666u : 0777u), creds.fsuid, creds.fsgid};
  auto file = std::make_shared<TmpfsFile>(mount->fs(), req);
  file->DecLinks();  // in no directory: st_nlink 0, as Linux's memfd
  if (noexec) {
    file->set_seals(kSealExec);
  } else {
    file->set_seals(allow_sealing ? 0 : F_SEAL_SEAL);
  }
  DentryRef dentry =
      Dentry::NewUnlinked(mount->root(), "memfd:" + std::string(name), std::move(file));
  Location loc{mount, dentry};
  return dentry->inode()->Open(loc, O_RDWR | O_LARGEFILE);
}

}  // namespace sb::fs
