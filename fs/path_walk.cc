// path_walk.cc: the path walk of VfsNamespace (Linux's fs/namei.c
// link_path_walk/walk_component/follow_dotdot), entirely ours: the host
// only ever sees single names below directories we already hold.
#include <vector>

#include "fs/mount.h"
#include "kernel/base/abi.h"

namespace sb::fs {
namespace {

std::vector<std::string_view> SplitPath(std::string_view path) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < path.size()) {
    while (i < path.size() && path[i] == '/') ++i;
    size_t j = i;
    while (j < path.size() && path[j] != '/') ++j;
    if (j > i) out.push_back(path.substr(i, j - i));
    i = j;
  }
  return out;
}

// The directory `loc` must be a directory the caller may search.
ErrnoStatus CheckSearchable(const FsContext& ctx, const Location& loc) {
  SB_ASSIGN_OR_RETURN(struct stat st, loc.dentry->inode()->Stat());
  if (!S_ISDIR(st.st_mode)) return Errno(ENOTDIR);
  return CheckPermission(ctx.creds, st, X_OK);
}

ErrnoOr<bool> IsSymlink(const Location& loc) {
  SB_ASSIGN_OR_RETURN(struct stat st, loc.dentry->inode()->Stat());
  return S_ISLNK(st.st_mode);
}

// /proc's magic links (fd/N, cwd, root, exe, ns/...) live below a
// directory of proc; the ordinary symlinks in proc's root (self,
// thread-self, mounts, net) are not magic.
bool IsMagicLink(const Location& link) {
  if (link.dentry->inode()->fs().type() != "proc") return false;
  DentryRef parent = link.dentry->parent();
  return parent && parent != link.mount->root();
}

}  // namespace

ErrnoStatus CheckFollowAllowed(const FsContext& ctx, const Location& link) {
  if (!ctx.walk_rules) return Ok();
  if (ctx.walk_rules->no_symlinks) return Errno(ELOOP);
  if (ctx.walk_rules->no_magiclinks && IsMagicLink(link)) return Errno(ELOOP);
  return Ok();
}

ErrnoStatus CheckAbsoluteAllowed(const FsContext& ctx) {
  if (!ctx.walk_rules) return Ok();
  if (ctx.walk_rules->beneath) return Errno(EXDEV);
  if (ctx.walk_rules->no_xdev && ctx.root.mount != ctx.walk_rules->anchor.mount)
    return Errno(EXDEV);
  return Ok();
}

namespace {}  // namespace

MountRef VfsNamespace::MountedOn(const Location& loc) {
  absl::ReaderMutexLock lock(&mu_);
  auto it = mounts_.find(std::make_pair(loc.mount.get(), loc.dentry.get()));
  return it == mounts_.end() ? nullptr : it->second;
}

ErrnoOr<Location> VfsNamespace::Step(const Location& dir, std::string_view name) {
  SB_ASSIGN_OR_RETURN(DentryRef child, dir.dentry->Child(name));
  Location loc{dir.mount, std::move(child)};
  while (MountRef m = MountedOn(loc)) loc = Location{m, m->root()};
  return loc;
}

Location VfsNamespace::Parent(const FsContext& ctx, Location loc) {
  while (true) {
    if (SameLocation(loc, ctx.root)) return loc;
    if (loc.dentry == loc.mount->root()) {
      auto [parent, mountpoint] = loc.mount->attachment();
      if (!parent) return loc;  // the namespace root (or detached): ".." stays
      loc = Location{std::move(parent), std::move(mountpoint)};
      continue;
    }
    DentryRef parent = loc.dentry->parent();
    if (!parent) return loc;
    return Location{loc.mount, std::move(parent)};
  }
}

ErrnoOr<Location> VfsNamespace::Walk(const FsContext& ctx, const Location& start,
                                     std::string_view path, FollowFinal follow, int* links) {
  if (path.empty()) return Errno(ENOENT);
  if (path.size() >= static_cast<size_t>(abi::kPathMax)) return Errno(ENAMETOOLONG);
  if (path[0] == '/') SB_TRY(CheckAbsoluteAllowed(ctx));
  Location cur = path[0] == '/' ? ctx.root : start;
  if (!cur.valid()) return Errno(ENOENT);
  const WalkRestrictions* r = ctx.walk_rules;
  bool trailing_slash = path.back() == '/';
  std::vector<std::string_view> comps = SplitPath(path);
  bool must_be_dir = trailing_slash;
  for (size_t i = 0; i < comps.size(); ++i) {
    std::string_view name = comps[i];
    bool last = i + 1 == comps.size();
    SB_TRY(CheckSearchable(ctx, cur));
    if (name.size() > static_cast<size_t>(abi::kNameMax)) return Errno(ENAMETOOLONG);
    if (name == ".") {
      if (last) must_be_dir = true;
      continue;
    }
    if (name == "..") {
      if (r && r->beneath && SameLocation(cur, r->anchor)) return Errno(EXDEV);
      cur = Parent(ctx, cur);
      if (r && r->no_xdev && cur.mount != r->anchor.mount) return Errno(EXDEV);
      if (last) must_be_dir = true;
      continue;
    }
    SB_ASSIGN_OR_RETURN(Location next, Step(cur, name));
    if (r && r->no_xdev && next.mount != r->anchor.mount) return Errno(EXDEV);
    if (!last || follow == FollowFinal::kYes || trailing_slash) {
      SB_ASSIGN_OR_RETURN(bool is_link, IsSymlink(next));
      if (is_link) {
        SB_TRY(CheckFollowAllowed(ctx, next));
        if (++*links > abi::kMaxSymlinks) return Errno(ELOOP);
        SB_ASSIGN_OR_RETURN(std::string target, next.dentry->inode()->Readlink());
        if (target.empty()) return Errno(ENOENT);
        // An absolute target restarts at the caller's root, never the host's.
        SB_ASSIGN_OR_RETURN(cur, Walk(ctx, cur, target, FollowFinal::kYes, links));
        continue;
      }
    }
    cur = std::move(next);
  }
  if (must_be_dir) {
    SB_ASSIGN_OR_RETURN(struct stat st, cur.dentry->inode()->Stat());
    if (!S_ISDIR(st.st_mode)) return Errno(ENOTDIR);
  }
  return cur;
}

ErrnoOr<Location> VfsNamespace::Lookup(const FsContext& ctx, const Location& start,
                                       std::string_view path, FollowFinal follow) {
  int links = 0;
  return Walk(ctx, start, path, follow, &links);
}

ErrnoOr<ParentWalk> VfsNamespace::WalkParent(const FsContext& ctx, const Location& start,
                                             std::string_view path) {
  if (path.empty()) return Errno(ENOENT);
  if (path.size() >= static_cast<size_t>(abi::kPathMax)) return Errno(ENAMETOOLONG);
  ParentWalk out;
  size_t end = path.size();
  while (end > 0 && path[end - 1] == '/') --end;
  out.trailing_slash = end < path.size();
  std::string_view trimmed = path.substr(0, end);
  size_t slash = trimmed.rfind('/');
  std::string_view dir_part;
  if (path[0] == '/') SB_TRY(CheckAbsoluteAllowed(ctx));
  if (end == 0) {
    out.dir = ctx.root;  // "/" or "///": no last component
  } else if (slash == std::string_view::npos) {
    out.dir = start;
    out.last = std::string(trimmed);
  } else {
    dir_part = trimmed.substr(0, slash + 1);
    out.last = std::string(trimmed.substr(slash + 1));
    if (dir_part.find_first_not_of('/') == std::string_view::npos) {
      out.dir = ctx.root;
    } else {
      SB_ASSIGN_OR_RETURN(out.dir, Lookup(ctx, start, dir_part, FollowFinal::kYes));
    }
  }
  if (!out.dir.valid()) return Errno(ENOENT);
  SB_TRY(CheckSearchable(ctx, out.dir));
  if (out.last.size() > static_cast<size_t>(abi::kNameMax)) return Errno(ENAMETOOLONG);
  return out;
}

ErrnoOr<std::string> VfsNamespace::PathOf(const Location& root, const Location& loc) {
  std::vector<std::string> parts;
  Location cur = loc;
  bool reachable = true;
  while (!SameLocation(cur, root)) {
    if (cur.dentry == cur.mount->root()) {
      auto [parent, mountpoint] = cur.mount->attachment();
      if (!parent) {
        // Not below `root`, unless an internal mount (memfd) or a detached
        // one, which Linux's d_path names from its own root.
        reachable = cur.mount != RootMount();
        break;
      }
      cur = Location{std::move(parent), std::move(mountpoint)};
      continue;
    }
    DentryRef parent = cur.dentry->parent();
    if (!parent) {
      reachable = false;
      break;
    }
    parts.push_back(cur.dentry->name());
    cur.dentry = std::move(parent);
  }
  std::string path = reachable ? "" : "(unreachable)";
  for (auto it = parts.rbegin(); it != parts.rend(); ++it) {
    path += "/";
    path += *it;
  }
  if (parts.empty()) path += "/";
  if (loc.dentry->deleted()) path += " (deleted)";
  return path;
}

}  // namespace sb::fs
