// Tests of the path walk over the host-backed root: no escape through
// "..", relative or absolute symlinks; Linux's errnos; read-only root.
#include <linux/fs.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <algorithm>

#include "fs/vfs.h"
#include "gtest/gtest.h"
#include "tests/fs/test_util.h"

namespace sb::fs {
namespace {

using testing::ReadString;
using testing::TempDir;

class HostFsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // <tmp>/outside_secret sits next to the root: it must never be reachable.
    tmp_.WriteFile("outside_secret", "host secret");
    tmp_.MakeDir("root");
    tmp_.MakeDir("root/etc");
    tmp_.WriteFile("root/etc/passwd", "sandbox passwd");
    tmp_.MakeDir("root/a");
    tmp_.MakeDir("root/a/b");
    tmp_.MakeDir("root/a/b/c");
    tmp_.WriteFile("root/file", "hello");
    tmp_.Symlink("/etc/passwd", "root/abs_passwd");
    tmp_.Symlink("../../../../../../etc/passwd", "root/a/b/rel_passwd");
    tmp_.Symlink("../outside_secret", "root/secret_link");
    tmp_.Symlink("/../../outside_secret", "root/secret_abs");
    tmp_.Symlink("loop2", "root/loop1");
    tmp_.Symlink("loop1", "root/loop2");
    tmp_.Symlink("a/b", "root/link_ab");
    tmp_.Symlink("/", "root/rootlink");
    tmp_.Symlink("file", "root/file_link");
    auto ns = NewHostRootedNamespace(tmp_ / "root", MountOptions{.read_only = true});
    ASSERT_TRUE(ns.ok()) << ns.status();
    ns_ = *ns;
  }

  FsContext Ctx() { return FsContext{creds_, ns_->Root(), ns_->Root()}; }
  ErrnoOr<Location> Look(std::string_view path, FollowFinal f = FollowFinal::kYes) {
    return ns_->Lookup(Ctx(), ns_->Root(), path, f);
  }
  ErrnoOr<std::string> Cat(std::string_view path) {
    SB_ASSIGN_OR_RETURN(FileRef f, ns_->OpenAt(Ctx(), ns_->Root(), path, O_RDONLY, 0));
    return ReadString(*f);
  }

  TempDir tmp_;
  Credentials creds_ = Credentials::Root();
  MountNamespaceRef ns_;
};

TEST_F(HostFsTest, ReadsFiles) {
  auto s = Cat("/etc/passwd");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(*s, "sandbox passwd");
  EXPECT_EQ(*Cat("file"), "hello");
  EXPECT_EQ(*Cat("/a/b/c/../../../file"), "hello");
  EXPECT_EQ(*Cat("link_ab/c/../../../file"), "hello");
  EXPECT_EQ(*Cat("file_link"), "hello");
}

TEST_F(HostFsTest, DotDotStaysInsideRoot) {
  EXPECT_EQ(*Cat("/../../../../etc/passwd"), "sandbox passwd");
  EXPECT_EQ(*Cat("a/b/c/../../../../../../../../etc/passwd"), "sandbox passwd");
  auto loc = Look("/..");
  ASSERT_TRUE(loc.ok());
  EXPECT_EQ(loc->dentry, ns_->Root().dentry);
  EXPECT_ERRNO(Cat("../outside_secret"), ENOENT);
}

TEST_F(HostFsTest, SymlinksResolveInsideRoot) {
  EXPECT_EQ(*Cat("abs_passwd"), "sandbox passwd");
  EXPECT_EQ(*Cat("a/b/rel_passwd"), "sandbox passwd");
  EXPECT_ERRNO(Cat("secret_link"), ENOENT);
  EXPECT_ERRNO(Cat("secret_abs"), ENOENT);
  EXPECT_EQ(*Cat("rootlink/rootlink/../etc/passwd"), "sandbox passwd");
  auto r = ns_->Readlink(*Look("abs_passwd", FollowFinal::kNo));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, "/etc/passwd");
  EXPECT_ERRNO(ns_->Readlink(*Look("file")), EINVAL);
}

TEST_F(HostFsTest, ChrootedContextStopsDotDot) {
  auto sub = Look("/a");
  ASSERT_TRUE(sub.ok());
  FsContext ctx{creds_, *sub, *sub};
  // From a root of /a, "/etc/passwd" is /a/etc/passwd: absent.
  EXPECT_ERRNO(ns_->Lookup(ctx, *sub, "/etc/passwd", FollowFinal::kYes), ENOENT);
  auto b = ns_->Lookup(ctx, *sub, "../../b", FollowFinal::kYes);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(*ns_->PathOf(*sub, *b), "/b");
  EXPECT_EQ(*ns_->PathOf(ns_->Root(), *b), "/a/b");
}

TEST_F(HostFsTest, Errnos) {
  EXPECT_ERRNO(Look("loop1"), ELOOP);
  EXPECT_ERRNO(Look("loop1/x"), ELOOP);
  EXPECT_ERRNO(Look("file/x"), ENOTDIR);
  EXPECT_ERRNO(Look("file/"), ENOTDIR);
  EXPECT_ERRNO(Look("file/."), ENOTDIR);
  EXPECT_ERRNO(Look("missing"), ENOENT);
  EXPECT_ERRNO(Look("missing/x"), ENOENT);
  EXPECT_ERRNO(Look(""), ENOENT);
  EXPECT_ERRNO(Look(std::string(256, 'x')), ENAMETOOLONG);
  EXPECT_ERRNO(Look("/" + std::string(4096, 'a')), ENAMETOOLONG);
  EXPECT_TRUE(Look("link_ab/").ok());
  EXPECT_TRUE(Look("a//b///c/").ok());
  // A symlink chain of exactly 40 links works, 41 is ELOOP.
  tmp_.Symlink("file", "root/chain0");
  for (int i = 1; i <= 40; ++i) {
    tmp_.Symlink("chain" + std::to_string(i - 1), "root/chain" + std::to_string(i));
  }
  EXPECT_TRUE(Look("chain39").ok());
  EXPECT_ERRNO(Look("chain40"), ELOOP);
}

TEST_F(HostFsTest, OpenFlags) {
  auto ctx = Ctx();
  EXPECT_ERRNO(ns_->OpenAt(ctx, ns_->Root(), "file_link", O_RDONLY | O_NOFOLLOW, 0), ELOOP);
  auto p = ns_->OpenAt(ctx, ns_->Root(), "file_link", O_PATH | O_NOFOLLOW, 0);
  ASSERT_TRUE(p.ok());
  EXPECT_ERRNO(ReadString(**p), EBADF);
  EXPECT_TRUE(S_ISLNK((*p)->Stat()->st_mode));
  EXPECT_TRUE((*p)->location().has_value());
  EXPECT_ERRNO(ns_->OpenAt(ctx, ns_->Root(), "file", O_RDONLY | O_DIRECTORY, 0), ENOTDIR);
  EXPECT_ERRNO(ns_->OpenAt(ctx, ns_->Root(), "a", O_RDWR, 0), EISDIR);
  EXPECT_ERRNO(ns_->OpenAt(ctx, ns_->Root(), "a", O_WRONLY, 0), EISDIR);
  auto d = ns_->OpenAt(ctx, ns_->Root(), "a", O_RDONLY | O_DIRECTORY, 0);
  ASSERT_TRUE(d.ok());
  EXPECT_ERRNO(ReadString(**d), EISDIR);
  auto names = testing::ListDir(**d);
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{".", "..", "b"}));
}

TEST_F(HostFsTest, ReadOnlyRootGivesErofs) {
  auto ctx = Ctx();
  auto root = ns_->Root();
  EXPECT_ERRNO(ns_->OpenAt(ctx, root, "file", O_WRONLY, 0), EROFS);
  EXPECT_ERRNO(ns_->OpenAt(ctx, root, "file", O_RDONLY | O_TRUNC, 0), EROFS);
  EXPECT_ERRNO(ns_->OpenAt(ctx, root, "new", O_CREAT | O_WRONLY, 0644), EROFS);
  EXPECT_ERRNO(ns_->OpenAt(ctx, root, "file", O_CREAT | O_EXCL | O_WRONLY, 0644), EEXIST);
  EXPECT_ERRNO(ns_->MkdirAt(ctx, root, "newdir", 0755), EROFS);
  EXPECT_ERRNO(ns_->MkdirAt(ctx, root, "a", 0755), EEXIST);
  EXPECT_ERRNO(ns_->UnlinkAt(ctx, root, "file"), EROFS);
  EXPECT_ERRNO(ns_->RmdirAt(ctx, root, "a/b/c"), EROFS);
  EXPECT_ERRNO(ns_->SymlinkAt(ctx, "x", root, "sym"), EROFS);
  EXPECT_ERRNO(ns_->RenameAt(ctx, root, "file", root, "file2", 0), EROFS);
  EXPECT_ERRNO(ns_->LinkAt(ctx, root, "file", root, "file2", FollowFinal::kNo), EROFS);
  EXPECT_ERRNO(ns_->Access(ctx, *Look("file"), W_OK), EROFS);
  EXPECT_TRUE(ns_->Access(ctx, *Look("file"), R_OK).ok());
  // The host file is untouched.
  EXPECT_EQ(*Cat("file"), "hello");
}

TEST_F(HostFsTest, PermissionsForUnprivilegedUser) {
  tmp_.WriteFile("root/private", "p", 0600);
  tmp_.MakeDir("root/noexec", 0700);
  tmp_.WriteFile("root/noexec/f", "x", 0644);
  uid_t owner = geteuid();
  Credentials other = testing::UserCreds(owner + 4242, 4242);
  FsContext ctx{other, ns_->Root(), ns_->Root()};
  EXPECT_ERRNO(ns_->OpenAt(ctx, ns_->Root(), "private", O_RDONLY, 0), EACCES);
  EXPECT_ERRNO(ns_->Lookup(ctx, ns_->Root(), "noexec/f", FollowFinal::kYes), EACCES);
  EXPECT_TRUE(ns_->OpenAt(ctx, ns_->Root(), "file", O_RDONLY, 0).ok());
  EXPECT_ERRNO(ns_->Access(ctx, *Look("private"), R_OK), EACCES);
  // The owner may; root bypasses with CAP_DAC_OVERRIDE.
  Credentials mine = testing::UserCreds(owner, getegid());
  FsContext own{mine, ns_->Root(), ns_->Root()};
  EXPECT_TRUE(ns_->OpenAt(own, ns_->Root(), "private", O_RDONLY, 0).ok());
  EXPECT_TRUE(ns_->OpenAt(Ctx(), ns_->Root(), "private", O_RDONLY, 0).ok());
  // CAP_DAC_READ_SEARCH alone: read and search, not write.
  Credentials reader = testing::UserCreds(owner + 4242, 4242);
  reader.cap_effective = uint64_t{1} << 2;  // CAP_DAC_READ_SEARCH
  FsContext rctx{reader, ns_->Root(), ns_->Root()};
  EXPECT_TRUE(ns_->OpenAt(rctx, ns_->Root(), "private", O_RDONLY, 0).ok());
  EXPECT_TRUE(ns_->Lookup(rctx, ns_->Root(), "noexec/f", FollowFinal::kYes).ok());
}

TEST_F(HostFsTest, StatUsesOurDevice) {
  auto st = ns_->Stat(*Look("file"));
  ASSERT_TRUE(st.ok());
  struct stat host;
  ASSERT_EQ(stat((tmp_ / "root/file").c_str(), &host), 0);
  EXPECT_EQ(st->st_ino, host.st_ino);
  EXPECT_NE(st->st_dev, host.st_dev);
  EXPECT_EQ(st->st_size, 5);
  EXPECT_TRUE(S_ISREG(st->st_mode));
}

TEST_F(HostFsTest, HostDeviceNodesAreNeverOpened) {
  if (mknod((tmp_ / "root/nulldev").c_str(), S_IFCHR | 0666, makedev(1, 3)) != 0) {
    GTEST_SKIP() << "cannot mknod here";
  }
  EXPECT_ERRNO(ns_->OpenAt(Ctx(), ns_->Root(), "nulldev", O_RDONLY, 0), EACCES);
}

TEST_F(HostFsTest, RenamedHostDirectoryCannotLeadOutside) {
  // Hold a location in a/b/c, then move the host directory out of the
  // root: the held fds pin the inode; ".." stops at the namespace root.
  auto c = Look("a/b/c");
  ASSERT_TRUE(c.ok());
  ASSERT_EQ(rename((tmp_ / "root/a").c_str(), (tmp_ / "moved_a").c_str()), 0);
  auto up = ns_->Lookup(Ctx(), *c, "../../../../outside_secret", FollowFinal::kYes);
  EXPECT_ERRNO(up, ENOENT);
}

}  // namespace
}  // namespace sb::fs

namespace sb::fs {
namespace {

// A writable bind mount of a host directory: changes reach the host, made
// beneath the held directory fds.
TEST(HostBindMountTest, ReadWriteOperations) {
  testing::TempDir tmp;
  tmp.MakeDir("root");
  tmp.MakeDir("root/mnt");
  tmp.MakeDir("data");
  tmp.WriteFile("data/existing", "old");
  tmp.WriteFile("outside", "secret");
  auto ns_or = NewHostRootedNamespace(tmp / "root", MountOptions{.read_only = true});
  ASSERT_TRUE(ns_or.ok());
  MountNamespaceRef ns = *ns_or;
  ASSERT_TRUE(ns->MountHostDirectory("/mnt", tmp / "data", {}).ok());
  Credentials root = Credentials::Root();
  FsContext ctx{root, ns->Root(), ns->Root(), 022};
  Location r = ns->Root();

  ASSERT_OK(ns->MkdirAt(ctx, r, "/mnt/dir", 0777));
  struct stat st;
  ASSERT_EQ(stat((tmp / "data/dir").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0755u);
  ASSERT_OK_AND_ASSIGN(FileRef f, ns->OpenAt(ctx, r, "/mnt/dir/f", O_CREAT | O_RDWR, 0640));
  ASSERT_OK(testing::WriteString(*f, "written"));
  ASSERT_EQ(stat((tmp / "data/dir/f").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0640u);
  EXPECT_EQ(st.st_size, 7);
  f->SetStatusFlags(O_APPEND);
  ASSERT_OK(testing::WriteString(*f, "+", 0));
  ASSERT_EQ(stat((tmp / "data/dir/f").c_str(), &st), 0);
  EXPECT_EQ(st.st_size, 8);
  ASSERT_OK(ns->RenameAt(ctx, r, "/mnt/dir/f", r, "/mnt/g", 0));
  EXPECT_ERRNO(ns->RenameAt(ctx, r, "/mnt/g", r, "/mnt/existing", RENAME_NOREPLACE), EEXIST);
  ASSERT_OK(ns->LinkAt(ctx, r, "/mnt/g", r, "/mnt/h", FollowFinal::kNo));
  EXPECT_EQ(ns->Stat(*ns->Lookup(ctx, r, "/mnt/h", FollowFinal::kNo))->st_nlink, 2u);
  ASSERT_OK(ns->SymlinkAt(ctx, "/../outside", r, "/mnt/esc"));
  EXPECT_ERRNO(ns->OpenAt(ctx, r, "/mnt/esc", O_RDONLY, 0), ENOENT);
  ASSERT_OK(ns->OpenAt(ctx, r, "/mnt/existing", O_WRONLY | O_TRUNC, 0));
  ASSERT_EQ(stat((tmp / "data/existing").c_str(), &st), 0);
  EXPECT_EQ(st.st_size, 0);
  EXPECT_ERRNO(ns->RmdirAt(ctx, r, "/mnt/dir/.."), ENOTEMPTY);
  ASSERT_OK(ns->UnlinkAt(ctx, r, "/mnt/g"));
  ASSERT_OK(ns->RmdirAt(ctx, r, "/mnt/dir"));
  EXPECT_NE(access((tmp / "data/dir").c_str(), F_OK), 0);
  EXPECT_NE(access((tmp / "data/g").c_str(), F_OK), 0);
  // The read-only root around the mount still refuses writes.
  EXPECT_ERRNO(ns->MkdirAt(ctx, r, "/other", 0755), EROFS);
  EXPECT_EQ(*ns->PathOf(r, *ns->Lookup(ctx, r, "/mnt/h", FollowFinal::kNo)), "/mnt/h");
}

}  // namespace
}  // namespace sb::fs
