// Tests of the overlay (fs/overlay.h): a tmpfs upper over a host-backed
// lower, as the container root is built. Every test also checks that the
// host lower is untouched.
#include <dirent.h>
#include <linux/fs.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/xattr.h>

#include <fstream>
#include <set>
#include <sstream>

#include "fs/overlay.h"
#include "fs/vfs.h"
#include "gtest/gtest.h"
#include "tests/fs/test_util.h"

namespace sb::fs {
namespace {

using testing::ListDir;
using testing::ParseDirents;
using testing::ReadString;
using testing::TempDir;
using testing::WriteString;

std::string HostRead(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class OverlayTest : public ::testing::Test {
 protected:
  void SetUp() override {
    tmp_.MakeDir("root");
    tmp_.MakeDir("root/etc");
    tmp_.WriteFile("root/etc/passwd", "root:x:0:0\n", 0644);
    tmp_.WriteFile("root/etc/hosts", "127.0.0.1 localhost\n", 0644);
    tmp_.MakeDir("root/etc/sub");
    tmp_.WriteFile("root/etc/sub/a", "a", 0600);
    tmp_.MakeDir("root/empty");
    tmp_.Symlink("passwd", "root/etc/link");
    auto ns = NewOverlayRootedNamespace(tmp_ / "root", MountOptions{.read_only = true});
    ASSERT_TRUE(ns.ok()) << ns.status();
    ns_ = *ns;
  }

  FsContext Ctx() { return FsContext{root_, ns_->Root(), ns_->Root(), 022}; }
  Location Root() { return ns_->Root(); }
  ErrnoOr<FileRef> Open(std::string_view path, int flags, mode_t mode = 0644) {
    return ns_->OpenAt(Ctx(), Root(), path, flags, mode);
  }
  ErrnoOr<struct stat> Stat(std::string_view path) {
    SB_ASSIGN_OR_RETURN(Location loc, ns_->Lookup(Ctx(), Root(), path, FollowFinal::kNo));
    return ns_->Stat(loc);
  }
  std::string Read(std::string_view path) {
    auto f = Open(path, O_RDONLY);
    if (!f.ok()) return "<" + f.error().Name() + ">";
    return *ReadString(**f);
  }
  std::set<std::string> List(std::string_view path) {
    auto f = Open(path, O_RDONLY | O_DIRECTORY);
    if (!f.ok()) return {"<" + f.error().Name() + ">"};
    auto names = ListDir(**f);
    return std::set<std::string>(names.begin(), names.end());
  }
  // The host tree is as SetUp made it.
  void ExpectHostUntouched() {
    EXPECT_EQ(HostRead(tmp_ / "root/etc/passwd"), "root:x:0:0\n");
    EXPECT_EQ(HostRead(tmp_ / "root/etc/hosts"), "127.0.0.1 localhost\n");
    EXPECT_EQ(HostRead(tmp_ / "root/etc/sub/a"), "a");
    struct stat st;
    ASSERT_EQ(stat((tmp_ / "root/etc/passwd").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 07777, 0644u);
    ASSERT_EQ(stat((tmp_ / "root/empty").c_str(), &st), 0);
    DIR* d = opendir((tmp_ / "root/etc").c_str());
    std::set<std::string> names;
    while (struct dirent* e = readdir(d)) names.insert(e->d_name);
    closedir(d);
    EXPECT_EQ(names, (std::set<std::string>{".", "..", "passwd", "hosts", "sub", "link"}));
  }

  TempDir tmp_;
  Credentials root_ = Credentials::Root();
  MountNamespaceRef ns_;
};

TEST_F(OverlayTest, ReadsTheLower) {
  EXPECT_EQ(Read("/etc/passwd"), "root:x:0:0\n");
  EXPECT_EQ(Read("/etc/link"), "root:x:0:0\n");
  EXPECT_EQ(List("/etc"), (std::set<std::string>{".", "..", "passwd", "hosts", "sub", "link"}));
  ASSERT_OK_AND_ASSIGN(struct stat st, Stat("/etc/passwd"));
  struct stat hst;
  ASSERT_EQ(stat((tmp_ / "root/etc/passwd").c_str(), &hst), 0);
  EXPECT_EQ(st.st_ino, hst.st_ino);  // the lower's number
  EXPECT_EQ(st.st_size, hst.st_size);
  ExpectHostUntouched();
}

TEST_F(OverlayTest, WriteCopiesUpAndKeepsIdentity) {
  ASSERT_OK_AND_ASSIGN(struct stat before, Stat("/etc/passwd"));
  ASSERT_OK_AND_ASSIGN(struct stat dir_before, Stat("/etc"));
  {
    ASSERT_OK_AND_ASSIGN(FileRef f, Open("/etc/passwd", O_WRONLY | O_APPEND));
    ASSERT_OK(WriteString(*f, "x:y\n"));
  }
  EXPECT_EQ(Read("/etc/passwd"), "root:x:0:0\nx:y\n");
  ASSERT_OK_AND_ASSIGN(struct stat after, Stat("/etc/passwd"));
  EXPECT_EQ(after.st_ino, before.st_ino);
  EXPECT_EQ(after.st_dev, before.st_dev);
  EXPECT_EQ(after.st_mode, before.st_mode);
  EXPECT_EQ(after.st_uid, before.st_uid);
  EXPECT_EQ(after.st_size, before.st_size + 4);
  // The parent's times are put back after its copy-up.
  ASSERT_OK_AND_ASSIGN(struct stat dir_after, Stat("/etc"));
  EXPECT_EQ(dir_after.st_mtim.tv_sec, dir_before.st_mtim.tv_sec);
  EXPECT_EQ(dir_after.st_mtim.tv_nsec, dir_before.st_mtim.tv_nsec);
  EXPECT_EQ(dir_after.st_nlink, 1u);  // a merged directory, as Linux
  ExpectHostUntouched();
}

TEST_F(OverlayTest, TruncateChmodChownUtimensCopyUp) {
  ASSERT_OK_AND_ASSIGN(Location loc, ns_->Lookup(Ctx(), Root(), "/etc/hosts", FollowFinal::kYes));
  ASSERT_OK(ns_->Chmod(Ctx(), loc, 0600));
  ASSERT_OK(ns_->Chown(Ctx(), loc, 12, 34));
  UtimesRequest t{{100, 0}, {200, 0}};
  ASSERT_OK(ns_->Utimens(Ctx(), loc, &t));
  ASSERT_OK_AND_ASSIGN(struct stat st, Stat("/etc/hosts"));
  EXPECT_EQ(st.st_mode & 07777, 0600u);
  EXPECT_EQ(st.st_uid, 12u);
  EXPECT_EQ(st.st_gid, 34u);
  EXPECT_EQ(st.st_mtim.tv_sec, 200);
  EXPECT_EQ(Read("/etc/hosts"), "127.0.0.1 localhost\n");
  ASSERT_OK(Open("/etc/sub/a", O_WRONLY | O_TRUNC));
  EXPECT_EQ(Read("/etc/sub/a"), "");
  ExpectHostUntouched();
}

TEST_F(OverlayTest, UnlinkLeavesAWhiteout) {
  ASSERT_OK(ns_->UnlinkAt(Ctx(), Root(), "/etc/passwd"));
  EXPECT_EQ(Read("/etc/passwd"), "<ENOENT>");
  EXPECT_EQ(Read("/etc/link"), "<ENOENT>");
  EXPECT_EQ(List("/etc"), (std::set<std::string>{".", "..", "hosts", "sub", "link"}));
  // Made again: a new file, not the lower one.
  {
    ASSERT_OK_AND_ASSIGN(FileRef f, Open("/etc/passwd", O_CREAT | O_EXCL | O_WRONLY));
    ASSERT_OK(WriteString(*f, "new"));
  }
  EXPECT_EQ(Read("/etc/passwd"), "new");
  ASSERT_OK_AND_ASSIGN(struct stat st, Stat("/etc/passwd"));
  EXPECT_NE(st.st_ino & (uint64_t{1} << 62), 0u);
  EXPECT_EQ(List("/etc"), (std::set<std::string>{".", "..", "passwd", "hosts", "sub", "link"}));
  ExpectHostUntouched();
}

TEST_F(OverlayTest, RmdirAndOpaqueDirectories) {
  EXPECT_ERRNO(ns_->RmdirAt(Ctx(), Root(), "/etc/sub"), ENOTEMPTY);
  ASSERT_OK(ns_->UnlinkAt(Ctx(), Root(), "/etc/sub/a"));
  EXPECT_EQ(List("/etc/sub"), (std::set<std::string>{".", ".."}));
  ASSERT_OK(ns_->RmdirAt(Ctx(), Root(), "/etc/sub"));
  EXPECT_ERRNO(Stat("/etc/sub"), ENOENT);
  // Made again, the directory is opaque: the lower's "a" stays hidden.
  ASSERT_OK(ns_->MkdirAt(Ctx(), Root(), "/etc/sub", 0755));
  EXPECT_EQ(List("/etc/sub"), (std::set<std::string>{".", ".."}));
  EXPECT_ERRNO(Stat("/etc/sub/a"), ENOENT);
  ASSERT_OK(ns_->RmdirAt(Ctx(), Root(), "/empty"));
  EXPECT_ERRNO(Stat("/empty"), ENOENT);
  ExpectHostUntouched();
}

TEST_F(OverlayTest, RenameFilesAndDirectories) {
  ASSERT_OK(ns_->RenameAt(Ctx(), Root(), "/etc/hosts", Root(), "/etc/hosts2", 0));
  EXPECT_EQ(Read("/etc/hosts2"), "127.0.0.1 localhost\n");
  EXPECT_ERRNO(Stat("/etc/hosts"), ENOENT);
  // Over a lower file.
  ASSERT_OK(ns_->RenameAt(Ctx(), Root(), "/etc/hosts2", Root(), "/etc/passwd", 0));
  EXPECT_EQ(Read("/etc/passwd"), "127.0.0.1 localhost\n");
  EXPECT_EQ(List("/etc"), (std::set<std::string>{".", "..", "passwd", "sub", "link"}));
  // A lower directory cannot move (no redirect_dir): EXDEV, as Linux.
  EXPECT_ERRNO(ns_->RenameAt(Ctx(), Root(), "/etc/sub", Root(), "/sub2", 0), EXDEV);
  EXPECT_ERRNO(ns_->RenameAt(Ctx(), Root(), "/empty", Root(), "/empty2", 0), EXDEV);
  // A directory made here can, also over an empty lower directory.
  ASSERT_OK(ns_->MkdirAt(Ctx(), Root(), "/new", 0755));
  ASSERT_OK(Open("/new/f", O_CREAT | O_WRONLY));
  ASSERT_OK(ns_->RenameAt(Ctx(), Root(), "/new", Root(), "/new2", 0));
  EXPECT_EQ(List("/new2"), (std::set<std::string>{".", "..", "f"}));
  ASSERT_OK(ns_->RenameAt(Ctx(), Root(), "/new2", Root(), "/empty", 0));
  EXPECT_EQ(List("/empty"), (std::set<std::string>{".", "..", "f"}));
  EXPECT_ERRNO(ns_->RenameAt(Ctx(), Root(), "/etc/link", Root(), "/etc/sub", 0), EISDIR);
  ExpectHostUntouched();
}

TEST_F(OverlayTest, ReaddirOffsetsSurviveSeek) {
  for (int i = 0; i < 20; ++i) {
    ASSERT_OK(Open("/etc/n" + std::to_string(i), O_CREAT | O_WRONLY));
  }
  ASSERT_OK(ns_->UnlinkAt(Ctx(), Root(), "/etc/hosts"));
  ASSERT_OK_AND_ASSIGN(FileRef d, Open("/etc", O_RDONLY | O_DIRECTORY));
  uint8_t buf[4096];
  ASSERT_OK_AND_ASSIGN(size_t n, d->GetDents64(std::span<uint8_t>(buf, sizeof(buf))));
  auto all = ParseDirents(buf, n);
  ASSERT_EQ(all.size(), 2u + 20 + 3);  // . .. n0-19 passwd sub link (hosts gone)
  std::set<std::string> names;
  std::set<uint64_t> inos;
  for (const auto& e : all) {
    names.insert(e.name);
    if (e.name != "." && e.name != "..") inos.insert(e.ino);
  }
  EXPECT_EQ(names.size(), all.size());  // no duplicates
  EXPECT_EQ(inos.size(), all.size() - 2);
  EXPECT_FALSE(names.count("hosts"));
  // seekdir to an entry's offset resumes after it.
  ASSERT_OK(d->Seek(all[5].off, SEEK_SET));
  ASSERT_OK_AND_ASSIGN(n, d->GetDents64(std::span<uint8_t>(buf, sizeof(buf))));
  auto rest = ParseDirents(buf, n);
  ASSERT_EQ(rest.size(), all.size() - 6);
  EXPECT_EQ(rest[0].name, all[6].name);
  // d_ino matches stat's st_ino.
  for (const auto& e : all) {
    if (e.name == "." || e.name == "..") continue;
    ASSERT_OK_AND_ASSIGN(struct stat st, Stat("/etc/" + e.name));
    EXPECT_EQ(st.st_ino, e.ino) << e.name;
  }
}

TEST_F(OverlayTest, LinksSymlinksAndXattrs) {
  ASSERT_OK(ns_->LinkAt(Ctx(), Root(), "/etc/hosts", Root(), "/etc/hosts.lnk", FollowFinal::kNo));
  ASSERT_OK_AND_ASSIGN(struct stat st, Stat("/etc/hosts.lnk"));
  EXPECT_EQ(st.st_nlink, 2u);
  EXPECT_EQ(Read("/etc/hosts.lnk"), "127.0.0.1 localhost\n");
  ASSERT_OK(ns_->SymlinkAt(Ctx(), "/etc/hosts", Root(), "/sl"));
  EXPECT_EQ(Read("/sl"), "127.0.0.1 localhost\n");
  ASSERT_OK_AND_ASSIGN(Location loc, ns_->Lookup(Ctx(), Root(), "/etc/passwd", FollowFinal::kYes));
  ASSERT_OK(ns_->SetXattr(Ctx(), loc, "user.k", "v", 0));
  EXPECT_EQ(*ns_->GetXattr(Ctx(), loc, "user.k"), "v");
  // The overlay's own xattrs are not the program's.
  EXPECT_ERRNO(ns_->GetXattr(Ctx(), loc, "trusted.overlay.origin"), EOPNOTSUPP);
  EXPECT_ERRNO(ns_->SetXattr(Ctx(), loc, "trusted.overlay.opaque", "y", 0), EOPNOTSUPP);
  ASSERT_OK_AND_ASSIGN(std::vector<std::string> names, ns_->ListXattr(Ctx(), loc));
  EXPECT_EQ(names, std::vector<std::string>{"user.k"});
  ExpectHostUntouched();
}

TEST_F(OverlayTest, OpenFileSurvivesUnlinkAndCopiesUp) {
  ASSERT_OK_AND_ASSIGN(FileRef f, Open("/etc/hosts", O_RDONLY));
  ASSERT_OK_AND_ASSIGN(Location loc, ns_->Lookup(Ctx(), Root(), "/etc/hosts", FollowFinal::kYes));
  ASSERT_OK(ns_->UnlinkAt(Ctx(), Root(), "/etc/hosts"));
  EXPECT_EQ(*ReadString(*f), "127.0.0.1 localhost\n");
  ASSERT_OK_AND_ASSIGN(struct stat st, f->Stat());
  EXPECT_EQ(st.st_nlink, 0u);
  ASSERT_OK(ns_->Chmod(Ctx(), loc, 0600));  // an orphan copy-up
  ASSERT_OK_AND_ASSIGN(st, f->Stat());
  EXPECT_EQ(st.st_mode & 07777, 0600u);
  EXPECT_EQ(List("/"), (std::set<std::string>{".", "..", "etc", "empty"}));
  ExpectHostUntouched();
}

TEST_F(OverlayTest, StatfsIsTheUppersWithOverlayMagic) {
  ASSERT_OK_AND_ASSIGN(struct statfs sfs, ns_->StatFs(Root()));
  EXPECT_EQ(static_cast<uint64_t>(sfs.f_type), 0x794c7630u);
  EXPECT_EQ(sfs.f_bsize, 4096);
  EXPECT_GT(sfs.f_blocks, 0u);
  auto mounts = ns_->Mounts(Root());
  ASSERT_FALSE(mounts.empty());
  EXPECT_EQ(mounts[0].type, "overlay");
  EXPECT_FALSE(mounts[0].options.read_only);
}

TEST_F(OverlayTest, MountPointsInTheUpper) {
  ASSERT_OK(ns_->MkdirAt(Ctx(), Root(), "/mnt", 0755));
  ASSERT_TRUE(ns_->MountFilesystem("/mnt", "tmpfs", "mode=1777", {}).ok());
  ASSERT_OK(Open("/mnt/x", O_CREAT | O_WRONLY));
  EXPECT_EQ(List("/mnt"), (std::set<std::string>{".", "..", "x"}));
  ExpectHostUntouched();
}

}  // namespace
}  // namespace sb::fs
