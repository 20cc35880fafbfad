// Tests of tmpfs and devfs mounted into a namespace over a read-only host
// root, as the kernel sets it up (/tmp and /dev).
#include <dirent.h>
#include <linux/fs.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <functional>
#include <set>
#include <thread>

#include "fs/vfs.h"
#include "gtest/gtest.h"
#include "tests/fs/test_util.h"

namespace sb::fs {
namespace {

using testing::ReadString;
using testing::TempDir;
using testing::WriteString;

class TmpfsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    tmp_.MakeDir("root");
    tmp_.MakeDir("root/tmp");
    tmp_.MakeDir("root/dev");
    auto ns = NewHostRootedNamespace(tmp_ / "root", MountOptions{.read_only = true});
    ASSERT_TRUE(ns.ok()) << ns.status();
    ns_ = *ns;
    ASSERT_TRUE(ns_->MountFilesystem("/tmp", "tmpfs", "mode=1777", {}).ok());
    ASSERT_TRUE(ns_->MountFilesystem("/dev", "devtmpfs", "", {}).ok());
  }

  FsContext Ctx(const Credentials& c) { return FsContext{c, ns_->Root(), ns_->Root(), 022}; }
  FsContext Ctx() { return Ctx(root_); }
  Location Root() { return ns_->Root(); }
  ErrnoOr<Location> Look(std::string_view path, FollowFinal f = FollowFinal::kYes) {
    return ns_->Lookup(Ctx(), Root(), path, f);
  }
  ErrnoOr<FileRef> Open(std::string_view path, int flags, mode_t mode = 0644) {
    return ns_->OpenAt(Ctx(), Root(), path, flags, mode);
  }
  struct stat StatOf(std::string_view path) {
    auto loc = ns_->Lookup(Ctx(), Root(), path, FollowFinal::kNo);
    EXPECT_TRUE(loc.ok()) << path;
    if (!loc.ok()) return {};
    return *ns_->Stat(*loc);
  }
  void Touch(std::string_view path) { ASSERT_TRUE(Open(path, O_CREAT | O_WRONLY).ok()) << path; }

  TempDir tmp_;
  Credentials root_ = Credentials::Root();
  MountNamespaceRef ns_;
};

TEST_F(TmpfsTest, CreateWriteReadSeek) {
  ASSERT_OK_AND_ASSIGN(FileRef f, Open("/tmp/f", O_CREAT | O_RDWR, 0666));
  ASSERT_OK_AND_ASSIGN(size_t n, WriteString(*f, "hello world"));
  EXPECT_EQ(n, 11u);
  EXPECT_EQ(*ReadString(*f), "");
  EXPECT_EQ(*f->Seek(0, SEEK_SET), 0);
  EXPECT_EQ(*ReadString(*f, 5), "hello");
  EXPECT_EQ(*ReadString(*f, 100, 6), "world");
  EXPECT_EQ(*f->Seek(-5, SEEK_END), 6);
  EXPECT_EQ(*f->Seek(2, SEEK_CUR), 8);
  EXPECT_ERRNO(f->Seek(-100, SEEK_CUR), EINVAL);
  EXPECT_EQ(*f->Seek(3, SEEK_DATA), 3);
  EXPECT_EQ(*f->Seek(3, SEEK_HOLE), 11);
  EXPECT_ERRNO(f->Seek(11, SEEK_DATA), ENXIO);
  // Sparse write past the end.
  ASSERT_OK(WriteString(*f, "!", 20));
  struct stat st = StatOf("/tmp/f");
  EXPECT_EQ(st.st_size, 21);
  EXPECT_EQ(st.st_mode, S_IFREG | 0644u);  // umask 022
  EXPECT_EQ(st.st_nlink, 1u);
  EXPECT_EQ(st.st_blksize, 4096);
  EXPECT_EQ(st.st_blocks, 8);
  EXPECT_EQ(*ReadString(*f, 100, 10), std::string("d\0\0\0\0\0\0\0\0\0!", 11));
  ASSERT_OK(f->Truncate(4));
  EXPECT_EQ(StatOf("/tmp/f").st_size, 4);
  // O_APPEND writes at the end whatever the offset.
  ASSERT_OK_AND_ASSIGN(FileRef a, Open("/tmp/f", O_WRONLY | O_APPEND));
  ASSERT_OK(WriteString(*a, "XY"));
  EXPECT_EQ(*ReadString(*f, 100, 0), "hellXY");
  // O_TRUNC empties; O_EXCL refuses.
  ASSERT_OK(Open("/tmp/f", O_WRONLY | O_TRUNC));
  EXPECT_EQ(StatOf("/tmp/f").st_size, 0);
  EXPECT_ERRNO(Open("/tmp/f", O_CREAT | O_EXCL | O_WRONLY), EEXIST);
  ASSERT_OK_AND_ASSIGN(FileRef ro, Open("/tmp/f", O_RDONLY));
  EXPECT_ERRNO(WriteString(*ro, "x"), EBADF);
  EXPECT_ERRNO(ro->Truncate(0), EINVAL);
  EXPECT_ERRNO(Open("/tmp", O_CREAT | O_RDWR), EISDIR);
  EXPECT_ERRNO(Open("/tmp/nodir/", O_CREAT | O_RDWR), EISDIR);
}

// nr_inodes= and nr_blocks= are limits, not hints.
TEST_F(TmpfsTest, InodeAndBlockLimits) {
  tmp_.MakeDir("root/lim");
  ASSERT_TRUE(ns_->MountFilesystem("/lim", "tmpfs", "nr_inodes=3,nr_blocks=1", {}).ok());
  // The root is one inode: two more fit.
  ASSERT_TRUE(ns_->OpenAt(Ctx(), Root(), "/lim/a", O_CREAT | O_WRONLY, 0644).ok());
  ASSERT_TRUE(ns_->MkdirAt(Ctx(), Root(), "/lim/d", 0755).ok());
  auto third = ns_->OpenAt(Ctx(), Root(), "/lim/b", O_CREAT | O_WRONLY, 0644);
  ASSERT_FALSE(third.ok());
  EXPECT_EQ(third.error().value(), ENOSPC);
  auto st = ns_->StatFs(*Look("/lim"));
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(st->f_files, 3u);
  EXPECT_EQ(st->f_blocks, 1u);
  ASSERT_TRUE(ns_->UnlinkAt(Ctx(), Root(), "/lim/a").ok());
  EXPECT_TRUE(ns_->OpenAt(Ctx(), Root(), "/lim/b", O_CREAT | O_WRONLY, 0644).ok());
}

TEST_F(TmpfsTest, TimestampsAndLinks) {
  ASSERT_OK_AND_ASSIGN(FileRef f, Open("/tmp/f", O_CREAT | O_RDWR));
  struct stat before = StatOf("/tmp/f");
  struct stat dir_before = StatOf("/tmp");
  usleep(2000);
  ASSERT_OK(WriteString(*f, "data"));
  struct stat after = StatOf("/tmp/f");
  EXPECT_GT(after.st_mtim.tv_sec * 1000000000L + after.st_mtim.tv_nsec,
            before.st_mtim.tv_sec * 1000000000L + before.st_mtim.tv_nsec);
  EXPECT_EQ(after.st_ctim.tv_nsec, after.st_mtim.tv_nsec);
  ASSERT_OK(ns_->LinkAt(Ctx(), Root(), "/tmp/f", Root(), "/tmp/g", FollowFinal::kNo));
  EXPECT_EQ(StatOf("/tmp/f").st_nlink, 2u);
  EXPECT_EQ(StatOf("/tmp/g").st_ino, after.st_ino);
  ASSERT_OK(ns_->UnlinkAt(Ctx(), Root(), "/tmp/f"));
  EXPECT_EQ(StatOf("/tmp/g").st_nlink, 1u);
  ASSERT_OK_AND_ASSIGN(FileRef g, Open("/tmp/g", O_RDONLY));
  EXPECT_EQ(*ReadString(*g), "data");
  struct stat dir_after = StatOf("/tmp");
  EXPECT_NE(dir_after.st_mtim.tv_nsec + dir_after.st_mtim.tv_sec * 1000000000L,
            dir_before.st_mtim.tv_nsec + dir_before.st_mtim.tv_sec * 1000000000L);
  // Directory link counts: 2 + subdirectories.
  EXPECT_EQ(StatOf("/tmp").st_nlink, 2u);
  ASSERT_OK(ns_->MkdirAt(Ctx(), Root(), "/tmp/d1", 0777));
  ASSERT_OK(ns_->MkdirAt(Ctx(), Root(), "/tmp/d2", 0777));
  EXPECT_EQ(StatOf("/tmp").st_nlink, 4u);
  EXPECT_EQ(StatOf("/tmp/d1").st_mode, S_IFDIR | 0755u);
  ASSERT_OK(ns_->RmdirAt(Ctx(), Root(), "/tmp/d2"));
  EXPECT_EQ(StatOf("/tmp").st_nlink, 3u);
  EXPECT_ERRNO(ns_->LinkAt(Ctx(), Root(), "/tmp/d1", Root(), "/tmp/d3", FollowFinal::kNo), EPERM);
  EXPECT_ERRNO(ns_->LinkAt(Ctx(), Root(), "/tmp/g", Root(), "/g", FollowFinal::kNo), EXDEV);
}

TEST_F(TmpfsTest, SymlinksInTmpfs) {
  Touch("/tmp/target");
  ASSERT_OK(ns_->SymlinkAt(Ctx(), "target", Root(), "/tmp/rel"));
  ASSERT_OK(ns_->SymlinkAt(Ctx(), "/tmp/target", Root(), "/tmp/abs"));
  ASSERT_OK(ns_->SymlinkAt(Ctx(), "../..", Root(), "/tmp/up"));
  EXPECT_EQ(Look("/tmp/rel")->dentry, Look("/tmp/target")->dentry);
  EXPECT_EQ(Look("/tmp/abs")->dentry, Look("/tmp/target")->dentry);
  EXPECT_EQ(Look("/tmp/up")->dentry, Root().dentry);
  struct stat st = StatOf("/tmp/rel");
  EXPECT_TRUE(S_ISLNK(st.st_mode));
  EXPECT_EQ(st.st_size, 6);
  EXPECT_ERRNO(ns_->SymlinkAt(Ctx(), "x", Root(), "/tmp/rel"), EEXIST);
  EXPECT_ERRNO(ns_->SymlinkAt(Ctx(), "", Root(), "/tmp/empty"), ENOENT);
  EXPECT_ERRNO(Open("/tmp/rel", O_RDONLY | O_NOFOLLOW), ELOOP);
  EXPECT_ERRNO(Open("/tmp/rel", O_CREAT | O_NOFOLLOW | O_WRONLY), ELOOP);
  EXPECT_TRUE(Open("/tmp/rel", O_CREAT | O_WRONLY).ok());
  // O_CREAT through a dangling symlink creates its target, as Linux.
  ASSERT_OK(ns_->SymlinkAt(Ctx(), "/tmp/made", Root(), "/tmp/dangling"));
  ASSERT_OK(Open("/tmp/dangling", O_CREAT | O_WRONLY));
  EXPECT_TRUE(S_ISREG(StatOf("/tmp/made").st_mode));
  EXPECT_ERRNO(Open("/tmp/dangling", O_CREAT | O_EXCL | O_WRONLY), EEXIST);
  ASSERT_OK(ns_->SymlinkAt(Ctx(), "self", Root(), "/tmp/self"));
  EXPECT_ERRNO(Open("/tmp/self", O_CREAT | O_WRONLY), ELOOP);
}

TEST_F(TmpfsTest, RenameSemantics) {
  ASSERT_OK(ns_->MkdirAt(Ctx(), Root(), "/tmp/a", 0755));
  ASSERT_OK(ns_->MkdirAt(Ctx(), Root(), "/tmp/a/sub", 0755));
  ASSERT_OK(ns_->MkdirAt(Ctx(), Root(), "/tmp/b", 0755));
  Touch("/tmp/b/inside");
  Touch("/tmp/f1");
  Touch("/tmp/f2");
  auto R = [&](std::string_view a, std::string_view b, unsigned flags = 0) {
    return ns_->RenameAt(Ctx(), Root(), a, Root(), b, flags);
  };
  ASSERT_OK(R("/tmp/f1", "/tmp/a/g"));
  EXPECT_ERRNO(Look("/tmp/f1"), ENOENT);
  EXPECT_TRUE(Look("/tmp/a/g").ok());
  EXPECT_ERRNO(R("/tmp/a", "/tmp/a/sub/x"), EINVAL);
  EXPECT_ERRNO(R("/tmp/a", "/tmp/b"), ENOTEMPTY);
  EXPECT_ERRNO(R("/tmp/f2", "/tmp/a"), EISDIR);
  EXPECT_ERRNO(R("/tmp/a", "/tmp/f2"), ENOTDIR);
  EXPECT_ERRNO(R("/tmp/f2", "/tmp/a/g", RENAME_NOREPLACE), EEXIST);
  EXPECT_ERRNO(R("/tmp/f2", "/tmp/a/g", 4 /*RENAME_WHITEOUT*/), EINVAL);
  EXPECT_ERRNO(R("/tmp/f2", "/tmp/a/g", RENAME_NOREPLACE | RENAME_EXCHANGE), EINVAL);
  EXPECT_ERRNO(R("/tmp/f2", "/tmp/zz", RENAME_EXCHANGE), ENOENT);
  EXPECT_ERRNO(R("/tmp/missing", "/tmp/zz"), ENOENT);
  EXPECT_ERRNO(R("/tmp/f2", "/f2"), EXDEV);
  EXPECT_ERRNO(R("/tmp/f2/", "/tmp/f3"), ENOTDIR);
  EXPECT_ERRNO(R("/tmp/.", "/tmp/x"), EBUSY);
  // Replace a file, exchange a file and a directory.
  uint64_t ino = StatOf("/tmp/f2").st_ino;
  ASSERT_OK(R("/tmp/f2", "/tmp/a/g"));
  EXPECT_EQ(StatOf("/tmp/a/g").st_ino, ino);
  ASSERT_OK(R("/tmp/a/g", "/tmp/b", RENAME_EXCHANGE));
  EXPECT_TRUE(S_ISDIR(StatOf("/tmp/a/g").st_mode));
  EXPECT_TRUE(Look("/tmp/a/g/inside").ok());
  EXPECT_EQ(StatOf("/tmp/b").st_ino, ino);
  EXPECT_EQ(StatOf("/tmp/a").st_nlink, 4u);  // sub and g
  // A directory replaces an empty one; the moved dentry follows.
  ASSERT_OK(ns_->MkdirAt(Ctx(), Root(), "/tmp/empty", 0755));
  auto held = Look("/tmp/a/sub");
  ASSERT_OK(R("/tmp/a/sub", "/tmp/empty"));
  EXPECT_EQ(*ns_->PathOf(Root(), *held), "/tmp/empty");
  EXPECT_EQ(StatOf("/tmp/a").st_nlink, 3u);
}

TEST_F(TmpfsTest, UnlinkRmdirErrors) {
  ASSERT_OK(ns_->MkdirAt(Ctx(), Root(), "/tmp/d", 0755));
  Touch("/tmp/d/f");
  EXPECT_ERRNO(ns_->UnlinkAt(Ctx(), Root(), "/tmp/d"), EISDIR);
  EXPECT_ERRNO(ns_->RmdirAt(Ctx(), Root(), "/tmp/d/f"), ENOTDIR);
  EXPECT_ERRNO(ns_->RmdirAt(Ctx(), Root(), "/tmp/d"), ENOTEMPTY);
  EXPECT_ERRNO(ns_->RmdirAt(Ctx(), Root(), "/tmp/d/."), EINVAL);
  EXPECT_ERRNO(ns_->RmdirAt(Ctx(), Root(), "/tmp/d/.."), ENOTEMPTY);
  EXPECT_ERRNO(ns_->UnlinkAt(Ctx(), Root(), "/tmp/d/f/"), ENOTDIR);
  EXPECT_ERRNO(ns_->UnlinkAt(Ctx(), Root(), "/tmp/d/missing"), ENOENT);
  EXPECT_ERRNO(ns_->MkdirAt(Ctx(), Root(), "/tmp/d/f/x", 0755), ENOTDIR);
  EXPECT_ERRNO(ns_->MkdirAt(Ctx(), Root(), "/tmp/d", 0755), EEXIST);
  ASSERT_OK(ns_->MkdirAt(Ctx(), Root(), "/tmp/d/mnt", 0755));
  ASSERT_TRUE(ns_->MountFilesystem("/tmp/d/mnt", "tmpfs", "", {}).ok());
  EXPECT_ERRNO(ns_->RmdirAt(Ctx(), Root(), "/tmp/d/mnt"), EBUSY);
  EXPECT_ERRNO(ns_->RenameAt(Ctx(), Root(), "/tmp/d/mnt", Root(), "/tmp/d/m2", 0), EBUSY);
  ASSERT_OK(ns_->UnlinkAt(Ctx(), Root(), "/tmp/d/f"));
  EXPECT_ERRNO(ns_->RmdirAt(Ctx(), Root(), "/tmp/d"), ENOTEMPTY);  // mnt
}

TEST_F(TmpfsTest, GetdentsOffsetsStableAcrossDeletion) {
  ASSERT_OK(ns_->MkdirAt(Ctx(), Root(), "/tmp/d", 0755));
  for (int i = 0; i < 10; ++i) Touch("/tmp/d/f" + std::to_string(i));
  ASSERT_OK_AND_ASSIGN(FileRef dir, Open("/tmp/d", O_RDONLY | O_DIRECTORY));
  // A buffer for about four records.
  std::vector<uint8_t> small(4 * 24);  // four 24-byte records
  ASSERT_OK_AND_ASSIGN(size_t n, dir->GetDents64(small));
  auto first = testing::ParseDirents(small.data(), n);
  ASSERT_EQ(first.size(), 4u);
  EXPECT_EQ(first[0].name, ".");
  EXPECT_EQ(first[1].name, "..");
  EXPECT_EQ(first[0].type, DT_DIR);
  EXPECT_EQ(first[2].name, "f0");
  EXPECT_EQ(first[2].type, DT_REG);
  EXPECT_EQ(first[1].ino, StatOf("/tmp").st_ino);
  // Delete an entry already read and one not yet read.
  ASSERT_OK(ns_->UnlinkAt(Ctx(), Root(), "/tmp/d/f0"));
  ASSERT_OK(ns_->UnlinkAt(Ctx(), Root(), "/tmp/d/f5"));
  std::vector<std::string> rest = testing::ListDir(*dir);
  EXPECT_EQ(rest, (std::vector<std::string>{"f2", "f3", "f4", "f6", "f7", "f8", "f9"}));
  // Offsets increase; seeking to one resumes after it; 0 rewinds.
  ASSERT_OK(dir->Seek(first[2].off, SEEK_SET));
  rest = testing::ListDir(*dir);
  EXPECT_EQ(rest.front(), "f1");
  ASSERT_OK(dir->Seek(0, SEEK_SET));
  rest = testing::ListDir(*dir);
  EXPECT_EQ(rest.size(), 2u + 8u);
  std::vector<uint8_t> tiny(8);
  ASSERT_OK(dir->Seek(0, SEEK_SET));
  EXPECT_ERRNO(dir->GetDents64(tiny), EINVAL);
  EXPECT_EQ(StatOf("/tmp/d").st_size, 8 * 20);
}

TEST_F(TmpfsTest, StickyDirectoryRules) {
  Credentials alice = testing::UserCreds(1000, 1000);
  Credentials bob = testing::UserCreds(1001, 1001);
  ASSERT_OK(ns_->OpenAt(Ctx(alice), Root(), "/tmp/alice", O_CREAT | O_WRONLY, 0666));
  ASSERT_OK(ns_->MkdirAt(Ctx(alice), Root(), "/tmp/alicedir", 0777));
  EXPECT_EQ(StatOf("/tmp/alice").st_uid, 1000u);
  EXPECT_EQ(StatOf("/tmp/alice").st_mode, S_IFREG | 0644u);
  EXPECT_ERRNO(ns_->UnlinkAt(Ctx(bob), Root(), "/tmp/alice"), EPERM);
  EXPECT_ERRNO(ns_->RenameAt(Ctx(bob), Root(), "/tmp/alice", Root(), "/tmp/bob", 0), EPERM);
  EXPECT_ERRNO(ns_->RmdirAt(Ctx(bob), Root(), "/tmp/alicedir"), EPERM);
  ASSERT_OK(ns_->OpenAt(Ctx(bob), Root(), "/tmp/bobfile", O_CREAT | O_WRONLY, 0666));
  EXPECT_ERRNO(ns_->RenameAt(Ctx(alice), Root(), "/tmp/alice", Root(), "/tmp/bobfile", 0), EPERM);
  // alicedir is 0755 after umask: bob cannot create in it.
  EXPECT_ERRNO(ns_->OpenAt(Ctx(bob), Root(), "/tmp/alicedir/x", O_CREAT | O_WRONLY, 0666), EACCES);
  EXPECT_ERRNO(ns_->OpenAt(Ctx(bob), Root(), "/tmp/alice", O_WRONLY, 0), EACCES);
  ASSERT_OK(ns_->UnlinkAt(Ctx(alice), Root(), "/tmp/alice"));
  ASSERT_OK(ns_->UnlinkAt(Ctx(), Root(), "/tmp/bobfile"));  // root: CAP_FOWNER
  ASSERT_OK(ns_->RmdirAt(Ctx(alice), Root(), "/tmp/alicedir"));
}

TEST_F(TmpfsTest, PathOfAcrossMountAndDeleted) {
  ASSERT_OK(ns_->MkdirAt(Ctx(), Root(), "/tmp/x", 0755));
  ASSERT_OK(ns_->MkdirAt(Ctx(), Root(), "/tmp/x/y", 0755));
  ASSERT_OK_AND_ASSIGN(Location y, Look("/tmp/x/y"));
  EXPECT_EQ(*ns_->PathOf(Root(), y), "/tmp/x/y");
  EXPECT_EQ(*ns_->PathOf(Root(), *Look("/tmp")), "/tmp");
  EXPECT_EQ(*ns_->PathOf(Root(), Root()), "/");
  // ".." from the mount root crosses back to the host root.
  ASSERT_OK_AND_ASSIGN(Location up, Look("/tmp/.."));
  EXPECT_EQ(up.dentry, Root().dentry);
  EXPECT_EQ(up.mount, Root().mount);
  ASSERT_OK_AND_ASSIGN(Location up2, ns_->Lookup(Ctx(), y, "../../..", FollowFinal::kYes));
  EXPECT_EQ(up2.dentry, Root().dentry);
  ASSERT_OK(ns_->RmdirAt(Ctx(), Root(), "/tmp/x/y"));
  EXPECT_EQ(*ns_->PathOf(Root(), y), "/tmp/x/y (deleted)");
  EXPECT_ERRNO(ns_->OpenAt(Ctx(), y, "newfile", O_CREAT | O_WRONLY, 0644), ENOENT);
  // Seen from a root inside /tmp, the host root is unreachable.
  ASSERT_OK_AND_ASSIGN(Location x, Look("/tmp/x"));
  EXPECT_EQ(*ns_->PathOf(x, *Look("/tmp/x")), "/");
  EXPECT_EQ(ns_->PathOf(x, Root())->rfind("(unreachable)", 0), 0u);
}

TEST_F(TmpfsTest, SizeLimit) {
  ASSERT_OK(ns_->MkdirAt(Ctx(), Root(), "/tmp/small", 0755));
  ASSERT_TRUE(ns_->MountFilesystem("/tmp/small", "tmpfs", "size=8k", {}).ok());
  ASSERT_OK_AND_ASSIGN(FileRef f, Open("/tmp/small/f", O_CREAT | O_RDWR));
  std::string big(10000, 'x');
  ASSERT_OK_AND_ASSIGN(size_t n, WriteString(*f, big));
  EXPECT_EQ(n, 8192u);
  EXPECT_ERRNO(WriteString(*f, "y"), ENOSPC);
  ASSERT_OK(f->Truncate(0));
  EXPECT_ERRNO(WriteString(*f, "y"), ENOSPC);  // the offset is still 8192
  EXPECT_TRUE(WriteString(*f, "y", 0).ok());
  EXPECT_FALSE(ns_->MountFilesystem("/tmp/small", "tmpfs", "bogus=1", {}).ok());
}

TEST_F(TmpfsTest, ReadOnlyTmpfsMount) {
  ASSERT_OK(ns_->MkdirAt(Ctx(), Root(), "/tmp/ro", 0755));
  ASSERT_TRUE(ns_->MountFilesystem("/tmp/ro", "tmpfs", "", {.read_only = true}).ok());
  EXPECT_ERRNO(Open("/tmp/ro/f", O_CREAT | O_WRONLY), EROFS);
  EXPECT_ERRNO(ns_->MkdirAt(Ctx(), Root(), "/tmp/ro/d", 0755), EROFS);
  EXPECT_ERRNO(Open("/tmp/ro", O_RDWR), EISDIR);
}

TEST_F(TmpfsTest, DevfsDevices) {
  struct Dev {
    const char* path;
    unsigned minor;
  };
  for (Dev d : {Dev{"/dev/null", 3}, Dev{"/dev/zero", 5}, Dev{"/dev/full", 7},
                Dev{"/dev/random", 8}, Dev{"/dev/urandom", 9}}) {
    struct stat st = StatOf(d.path);
    EXPECT_EQ(st.st_mode, S_IFCHR | 0666u) << d.path;
    EXPECT_EQ(major(st.st_rdev), 1u) << d.path;
    EXPECT_EQ(minor(st.st_rdev), d.minor) << d.path;
  }
  ASSERT_OK_AND_ASSIGN(FileRef null, Open("/dev/null", O_RDWR));
  EXPECT_EQ(*ReadString(*null), "");
  EXPECT_EQ(*WriteString(*null, "abc"), 3u);
  ASSERT_OK_AND_ASSIGN(FileRef zero, Open("/dev/zero", O_RDWR));
  EXPECT_EQ(*ReadString(*zero, 5), std::string(5, '\0'));
  EXPECT_EQ(*WriteString(*zero, "abc"), 3u);
  ASSERT_OK_AND_ASSIGN(FileRef full, Open("/dev/full", O_RDWR));
  EXPECT_EQ(*ReadString(*full, 3), std::string(3, '\0'));
  EXPECT_ERRNO(WriteString(*full, "abc"), ENOSPC);
  ASSERT_OK_AND_ASSIGN(FileRef ur, Open("/dev/urandom", O_RDONLY));
  std::string r = *ReadString(*ur, 64);
  EXPECT_EQ(r.size(), 64u);
  EXPECT_NE(r, std::string(64, '\0'));
  EXPECT_EQ(*ns_->Readlink(*Look("/dev/fd", FollowFinal::kNo)), "/proc/self/fd");
  EXPECT_EQ(*ns_->Readlink(*Look("/dev/stderr", FollowFinal::kNo)), "/proc/self/fd/2");
  EXPECT_EQ(StatOf("/dev").st_mode, S_IFDIR | 0755u);
  EXPECT_NE(StatOf("/dev").st_dev, StatOf("/tmp").st_dev);
}

// Concurrent create/rename/unlink/list/walk: no deadlock, no crash, and the
// directory is consistent afterwards.
TEST_F(TmpfsTest, ConcurrentDirectoryOperations) {
  ASSERT_OK(ns_->MkdirAt(Ctx(), Root(), "/tmp/a", 0755));
  ASSERT_OK(ns_->MkdirAt(Ctx(), Root(), "/tmp/b", 0755));
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([this, t] {
      FsContext ctx = Ctx();
      for (int i = 0; i < 200; ++i) {
        std::string name = "f" + std::to_string(t) + "_" + std::to_string(i % 7);
        (void)ns_->OpenAt(ctx, Root(), "/tmp/a/" + name, O_CREAT | O_WRONLY, 0644);
        (void)ns_->RenameAt(ctx, Root(), "/tmp/a/" + name, Root(), "/tmp/b/" + name, 0);
        (void)ns_->RenameAt(ctx, Root(), "/tmp/a", Root(), "/tmp/b/x", 0);
        (void)ns_->RenameAt(ctx, Root(), "/tmp/b", Root(), "/tmp/a", RENAME_EXCHANGE);
        (void)ns_->UnlinkAt(ctx, Root(), "/tmp/b/" + name);
        auto d = ns_->OpenAt(ctx, Root(), "/tmp/a", O_RDONLY | O_DIRECTORY, 0);
        if (d.ok()) (void)testing::ListDir(**d);
        (void)ns_->Lookup(ctx, Root(), "/tmp/b/../a/./", FollowFinal::kYes);
      }
    });
  }
  for (auto& th : threads) th.join();
  // Every directory's link count is 2 + its subdirectories.
  std::function<void(const std::string&)> check = [&](const std::string& path) {
    auto dir = Open(path, O_RDONLY | O_DIRECTORY);
    ASSERT_TRUE(dir.ok()) << path;
    nlink_t subdirs = 0;
    for (const std::string& n : testing::ListDir(**dir)) {
      if (n == "." || n == "..") continue;
      std::string child = path + "/" + n;
      if (S_ISDIR(StatOf(child).st_mode)) {
        ++subdirs;
        check(child);
      }
    }
    EXPECT_EQ(StatOf(path).st_nlink, 2 + subdirs) << path;
  };
  check("/tmp");
}

}  // namespace
}  // namespace sb::fs
