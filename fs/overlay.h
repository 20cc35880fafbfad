// overlay.h: the overlay filesystem: a tmpfs upper over a read-only lower.
//
// What Linux's overlayfs does with one lower layer and redirect_dir=off,
// index=off, metacopy=off, for the container root (issue 5): the lower (any
// of our filesystems; in practice the host-backed rootfs) is never written;
// every change lands in a private tmpfs (the upper, data in the memory
// file).
//
// - Lookup merges: an upper entry hides the lower one; a directory in both
//   is merged unless the upper one is opaque.
// - Copy-up (data, mode, owner, atime/mtime, the lower's xattrs where it
//   has any) happens on open for write, O_TRUNC/truncate, chmod/chown/
//   utimensat, setxattr/removexattr, link and rename; directories are
//   copied up (attributes only) on the way to a copied-up child. The
//   parent's times are restored afterwards, as Linux's ovl_copy_up_one.
// - The upper is kept in Linux's on-disk format, so it is the whole state:
//   a whiteout is a 0/0 character device, an opaque directory has
//   trusted.overlay.opaque="y", a copied-up file trusted.overlay.origin
//   (here: the lower's st_ino, 8 bytes). trusted.overlay.* is never shown
//   to or settable by programs (EOPNOTSUPP, as Linux).
// - readdir merges upper and lower, without whiteouts and duplicates, from
//   a snapshot taken at the first getdents64 and again after a seek to 0
//   (Linux's ovl_dir_cache); offsets are positions in it (1 "." 2 ".." ...),
//   so telldir/seekdir work.
// - rename of a directory that exists in the lower (lower-only or merged)
//   fails EXDEV, as without redirect_dir (mv falls back to copying).
// - st_dev is the overlay's for every file (Linux with xino on). st_ino:
//   a file from the lower keeps the lower's number, also after copy-up
//   (through the origin xattr, as Linux); a file made in the sandbox gets
//   its tmpfs number with bit 62 set, so the two never collide. A merged
//   directory has st_nlink 1, as Linux's ovl_getattr. Hard links in the
//   lower are broken by copy-up (index=off).
// - statfs is the upper's with f_type OVERLAYFS_SUPER_MAGIC (0x794c7630).
// - Files are the real layer's open files: a file opened for write is
//   always the upper's; a descriptor opened read-only before another one
//   copied the file up keeps reading the lower (Linux before 4.19). Shared
//   mappings follow the real file (the upper's tmpfs pages, or whatever the
//   lower's filesystem gives a read-only mapping).
//
// Locking: one mutex per overlay (OverlayFilesystem::mu) guards every
// overlay inode's upper pointer, name, parent and child cache, and is held
// across a copy-up (whose data copy may be long). It is filesystem-internal
// in vfs.h's order: after Filesystem::rename_mu, Dentry::mu_ and an open
// directory's position mutex; before the upper's and lower's own locks.
//
// Checkpoint: the state to save is the upper tmpfs (with its whiteouts and
// xattrs) and the lower's identity (its host path); OverlayInode objects
// hold only caches rebuilt by lookups. The save/load hook belongs on the
// mount (Mount/VfsNamespace save) once tmpfs has its SaveTo.
#pragma once

#include <string_view>

#include "absl/status/statusor.h"
#include "fs/inode.h"
#include "fs/vfs.h"

namespace sb::fs {

// Linux's OVERLAYFS_SUPER_MAGIC.
inline constexpr uint64_t kOverlayMagic = 0x794c7630;

// An overlay whose lower is the directory `lower_root` (never written) and
// whose upper is a new tmpfs made from `upper_data` (tmpfs mount data:
// size=, nr_inodes=). Returns the overlay's root inode (it owns the
// filesystem).
ErrnoOr<InodeRef> NewOverlay(InodeRef lower_root, std::string_view upper_data);

// A new mount namespace whose root is an overlay over the host directory
// `host_root` (opened beneath itself, read-only, as NewHostRootedNamespace)
// with a tmpfs upper: programs may change anything and nothing reaches
// the host. `opts.read_only` is ignored (the overlay is writable); device
// nodes are never opened (nodev).
absl::StatusOr<MountNamespaceRef> NewOverlayRootedNamespace(std::string_view host_root,
                                                            const MountOptions& opts);

}  // namespace sb::fs
