// overlay_inode.h: the overlay's filesystem and inode classes (overlay.h
// says what the overlay does). Used by overlay.cc (names, attributes),
// overlay_copy_up.cc (copy-up, merged listings, directory files, set-up).
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "fs/inode.h"

namespace sb::fs {

// The private xattrs the upper keeps (Linux's names).
inline constexpr std::string_view kOpaqueXattr = "trusted.overlay.opaque";
inline constexpr std::string_view kOriginXattr = "trusted.overlay.origin";
inline constexpr std::string_view kPrivateXattrPrefix = "trusted.overlay.";
// st_ino of a file made in the sandbox: its tmpfs number with this bit.
inline constexpr uint64_t kUpperOnlyInoBit = uint64_t{1} << 62;

// One overlay instance (Linux: ovl_fs): its upper tmpfs and the one lock.
class OverlayFilesystem : public Filesystem {
 public:
  explicit OverlayFilesystem(FilesystemRef upper_fs)
      : Filesystem("overlay"), upper_fs_(std::move(upper_fs)) {}
  // The upper's numbers with the overlay's magic, as Linux's ovl_statfs.
  ErrnoOr<struct statfs> StatFs() override;

  // Guards every OverlayInode's mutable fields and serializes copy-up and
  // every change to the layers (overlay.h: locking).
  absl::Mutex mu;
  // Names for copy-ups of unlinked files (briefly in the upper root).
  std::atomic<uint64_t> next_orphan{0};
  // The upper's root directory; set once by NewOverlay before any use.
  InodeRef upper_root;

 private:
  const FilesystemRef upper_fs_;  // immutable
};

// One entry of a merged directory listing.
struct OverlayDirEntry {
  std::string name;
  uint64_t ino;
  uint8_t type;  // DT_*
};

// One overlay file (Linux: ovl_inode): the lower inode it shows (if any,
// never written) and its upper copy (once copied up or made here). A
// directory caches the overlay inodes of its children weakly, so that one
// name has one overlay inode while anything (a dentry) holds it; a child
// holds its parent, for copy-up.
class OverlayInode : public Inode {
 public:
  OverlayInode(FilesystemRef fs, InodeRef lower, InodeRef upper,
               std::shared_ptr<OverlayInode> parent, std::string name, mode_t type, bool root);

  mode_t file_type() const { return type_; }

  ErrnoOr<struct stat> Stat() override ABSL_LOCKS_EXCLUDED(mu_);
  ErrnoOr<InodeRef> Lookup(std::string_view name) override ABSL_LOCKS_EXCLUDED(mu_);
  ErrnoOr<InodeRef> CreateChild(std::string_view name, const CreateRequest& req) override
      ABSL_LOCKS_EXCLUDED(mu_);
  ErrnoStatus LinkChild(std::string_view name, const InodeRef& target) override
      ABSL_LOCKS_EXCLUDED(mu_);
  ErrnoStatus RemoveChild(std::string_view name, bool dir) override ABSL_LOCKS_EXCLUDED(mu_);
  ErrnoStatus RenameChild(std::string_view old_name, Inode& new_dir, std::string_view new_name,
                          unsigned flags) override ABSL_LOCKS_EXCLUDED(mu_);
  std::shared_ptr<BoundSocket> bound_socket() override ABSL_LOCKS_EXCLUDED(mu_);
  ErrnoOr<std::string> Readlink() override ABSL_LOCKS_EXCLUDED(mu_);
  ErrnoStatus SetAttr(const AttrChange& change) override ABSL_LOCKS_EXCLUDED(mu_);
  ErrnoStatus Truncate(uint64_t length) override ABSL_LOCKS_EXCLUDED(mu_);
  ErrnoOr<std::string> GetXattr(std::string_view name) override ABSL_LOCKS_EXCLUDED(mu_);
  ErrnoStatus SetXattr(std::string_view name, std::string_view value, int flags) override
      ABSL_LOCKS_EXCLUDED(mu_);
  ErrnoOr<std::vector<std::string>> ListXattr() override ABSL_LOCKS_EXCLUDED(mu_);
  ErrnoStatus RemoveXattr(std::string_view name) override ABSL_LOCKS_EXCLUDED(mu_);
  ErrnoOr<FileRef> Open(const Location& loc, int flags) override ABSL_LOCKS_EXCLUDED(mu_);

  // The merged listing of this directory (without "." and "..").
  ErrnoOr<std::vector<OverlayDirEntry>> List() ABSL_LOCKS_EXCLUDED(mu_);

 private:
  // What a directory holds under one name.
  struct Found {
    InodeRef upper;         // the upper entry (never a whiteout)
    bool whiteout = false;  // the upper holds a whiteout here
    InodeRef lower;         // the visible lower entry
    mode_t type = 0;
  };
  OverlayFilesystem& ofs() const { return static_cast<OverlayFilesystem&>(fs()); }
  // Tells the analysis that this inode's mu_ (the overlay's one mutex) is
  // held: it is, when any inode's is.
  void AssertLocked() const ABSL_ASSERT_EXCLUSIVE_LOCK(mu_) { mu_.AssertHeld(); }

  ErrnoOr<Found> FindLocked(std::string_view name) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // The overlay inode for `name` (cached, or made from `f`).
  std::shared_ptr<OverlayInode> ChildLocked(std::string_view name, const Found& f)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Copy-up: the upper inode, made (with its parents') if missing.
  // `copy_data` false skips the data of a file about to be truncated to 0.
  ErrnoOr<InodeRef> CopyUpLocked(bool copy_data = true) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  ErrnoOr<std::vector<OverlayDirEntry>> ListLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Is the merged directory empty (whiteouts aside)?
  ErrnoOr<bool> EmptyLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Removes the whiteouts from an upper directory about to be removed or
  // replaced (Linux's ovl_clear_empty).
  static ErrnoStatus ClearWhiteouts(Inode& upper_dir);
  // Makes name a whiteout in the (copied-up) upper directory.
  ErrnoStatus WhiteoutLocked(std::string_view name) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // A child was removed or replaced: it now has no name.
  void DetachChildLocked(std::string_view name) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Checks that `name` is free for a new entry; removes a whiteout there
  // (`*had_whiteout`).
  ErrnoStatus PrepareCreateLocked(Inode& upper_dir, std::string_view name, bool* had_whiteout)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  absl::Mutex& mu_;       // the overlay's mutex (OverlayFilesystem::mu)
  const InodeRef lower_;  // immutable; null if only in the upper
  const mode_t type_;     // immutable: S_IFMT bits
  const bool root_;       // immutable
  InodeRef upper_ ABSL_GUARDED_BY(mu_);
  // Where this file is named, for copy-up; null parent once unlinked
  // (but for the root).
  std::shared_ptr<OverlayInode> parent_ ABSL_GUARDED_BY(mu_);
  std::string name_ ABSL_GUARDED_BY(mu_);
  bool unlinked_ ABSL_GUARDED_BY(mu_) = false;
  std::map<std::string, std::weak_ptr<OverlayInode>, std::less<>> children_ ABSL_GUARDED_BY(mu_);

  friend class OverlayDirFile;
  friend ErrnoOr<InodeRef> NewOverlay(InodeRef lower_root, std::string_view upper_data);
};

// A Location for reading a layer's inode internally (no mount).
Location LayerLocation(const InodeRef& inode);
// Every entry of a layer's directory but "." and "..", as its getdents64
// gives them.
ErrnoOr<std::vector<OverlayDirEntry>> ReadLayerDir(Inode& dir);
// Is `inode` (an upper entry) a whiteout?
bool IsWhiteout(Inode& inode);
// st_ino as the overlay reports it for the upper inode `upper`.
uint64_t OverlayIno(Inode& upper, const struct stat& upper_st);

}  // namespace sb::fs
