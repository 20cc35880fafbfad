// Tests of the attribute, statfs, mknod, FIFO, memfd and xattr operations
// of the VFS over tmpfs, devfs and host-backed mounts (read-only root,
// writable bind mount), as the kernel sets them up.
#include <fcntl.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "fs/pipe.h"
#include "fs/vfs.h"
#include "gtest/gtest.h"
#include "tests/fs/test_util.h"

namespace sb::fs {
namespace {

using testing::ReadString;
using testing::TempDir;
using testing::WriteString;

class FileOpsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    tmp_.MakeDir("root");
    tmp_.MakeDir("root/tmp");
    tmp_.MakeDir("root/dev");
    tmp_.MakeDir("root/mnt");
    tmp_.MakeDir("data");
    tmp_.WriteFile("root/hostfile", "host");
    tmp_.WriteFile("data/f", "bind");
    auto ns = NewHostRootedNamespace(tmp_ / "root", MountOptions{.read_only = true});
    ASSERT_TRUE(ns.ok()) << ns.status();
    ns_ = *ns;
    ASSERT_TRUE(ns_->MountFilesystem("/tmp", "tmpfs", "mode=1777,size=1m", {}).ok());
    ASSERT_TRUE(ns_->MountFilesystem("/dev", "devtmpfs", "", {}).ok());
    ASSERT_TRUE(ns_->MountHostDirectory("/mnt", tmp_ / "data", {}).ok());
  }

  FsContext Ctx(const Credentials& c) { return FsContext{c, ns_->Root(), ns_->Root(), 022}; }
  FsContext Ctx() { return Ctx(root_); }
  Location Look(std::string_view path, FollowFinal f = FollowFinal::kYes) {
    auto loc = ns_->Lookup(Ctx(), ns_->Root(), path, f);
    EXPECT_TRUE(loc.ok()) << path;
    return loc.ok() ? *loc : Location{};
  }
  struct stat StatOf(std::string_view path, FollowFinal f = FollowFinal::kNo) {
    return *ns_->Stat(Look(path, f));
  }
  void Touch(std::string_view path, mode_t mode = 0644) {
    ASSERT_TRUE(ns_->OpenAt(Ctx(), ns_->Root(), path, O_CREAT | O_WRONLY, mode).ok()) << path;
  }

  TempDir tmp_;
  Credentials root_ = Credentials::Root();
  Credentials user_ = testing::UserCreds(1000, 1000);
  MountNamespaceRef ns_;
};

TEST_F(FileOpsTest, ChmodChownOnTmpfs) {
  Touch("/tmp/f");
  ASSERT_OK(ns_->Chmod(Ctx(), Look("/tmp/f"), 04755));
  EXPECT_EQ(StatOf("/tmp/f").st_mode & 07777, 04755u);
  ASSERT_OK(ns_->Chown(Ctx(), Look("/tmp/f"), 1000, -1));
  struct stat st = StatOf("/tmp/f");
  EXPECT_EQ(st.st_uid, 1000u);
  EXPECT_EQ(st.st_gid, 0u);
  EXPECT_EQ(st.st_mode & 07777, 0755u);  // chown drops setuid
  // The owner may chmod, others may not; S_ISGID needs the group.
  ASSERT_OK(ns_->Chmod(Ctx(user_), Look("/tmp/f"), 02700));
  EXPECT_EQ(StatOf("/tmp/f").st_mode & 07777, 0700u);
  Credentials other = testing::UserCreds(1001, 1001);
  EXPECT_ERRNO(ns_->Chmod(Ctx(other), Look("/tmp/f"), 0777), EPERM);
  EXPECT_ERRNO(ns_->Chown(Ctx(user_), Look("/tmp/f"), 1001, -1), EPERM);
  EXPECT_ERRNO(ns_->Chown(Ctx(user_), Look("/tmp/f"), -1, 5), EPERM);
  ASSERT_OK(ns_->Chown(Ctx(user_), Look("/tmp/f"), -1, 1000));
  // Symlink modes never change.
  ASSERT_OK(ns_->SymlinkAt(Ctx(), "f", ns_->Root(), "/tmp/l"));
  EXPECT_ERRNO(ns_->Chmod(Ctx(), Look("/tmp/l", FollowFinal::kNo), 0600), EOPNOTSUPP);
}

TEST_F(FileOpsTest, UtimensRules) {
  Touch("/tmp/f");
  ASSERT_OK(ns_->Chmod(Ctx(), Look("/tmp/f"), 0666));
  UtimesRequest t{{100, 5}, {200, 6}};
  ASSERT_OK(ns_->Utimens(Ctx(), Look("/tmp/f"), &t));
  struct stat st = StatOf("/tmp/f");
  EXPECT_EQ(st.st_atim.tv_sec, 100);
  EXPECT_EQ(st.st_atim.tv_nsec, 5);
  EXPECT_EQ(st.st_mtim.tv_sec, 200);
  UtimesRequest omit{{0, UTIME_OMIT}, {300, 0}};
  ASSERT_OK(ns_->Utimens(Ctx(), Look("/tmp/f"), &omit));
  st = StatOf("/tmp/f");
  EXPECT_EQ(st.st_atim.tv_sec, 100);
  EXPECT_EQ(st.st_mtim.tv_sec, 300);
  // Not the owner: "now" needs write permission, explicit times ownership.
  ASSERT_OK(ns_->Utimens(Ctx(user_), Look("/tmp/f"), nullptr));
  EXPECT_GT(StatOf("/tmp/f").st_mtim.tv_sec, 300);
  EXPECT_ERRNO(ns_->Utimens(Ctx(user_), Look("/tmp/f"), &t), EPERM);
  ASSERT_OK(ns_->Chmod(Ctx(), Look("/tmp/f"), 0644));
  EXPECT_ERRNO(ns_->Utimens(Ctx(user_), Look("/tmp/f"), nullptr), EACCES);
  EXPECT_TRUE(ValidUtimeNsec(UTIME_NOW));
  EXPECT_FALSE(ValidUtimeNsec(1000000000));
  EXPECT_FALSE(ValidUtimeNsec(-1));
}

TEST_F(FileOpsTest, ReadOnlyRootRefusesAttributeChanges) {
  Location f = Look("/hostfile");
  EXPECT_ERRNO(ns_->Chmod(Ctx(), f, 0600), EROFS);
  EXPECT_ERRNO(ns_->Chown(Ctx(), f, 0, 0), EROFS);
  EXPECT_ERRNO(ns_->Utimens(Ctx(), f, nullptr), EROFS);
  EXPECT_ERRNO(ns_->SetXattr(Ctx(), f, "user.x", "v", 0), EROFS);
  EXPECT_ERRNO(ns_->RemoveXattr(Ctx(), f, "user.x"), EROFS);
  EXPECT_ERRNO(ns_->MknodAt(Ctx(), ns_->Root(), "/fifo", S_IFIFO | 0644, 0), EROFS);
  // EROFS comes before the permission check, as mnt_want_write does.
  EXPECT_ERRNO(ns_->Chmod(Ctx(user_), f, 0600), EROFS);
}

TEST_F(FileOpsTest, HostBindMountAttributes) {
  Location f = Look("/mnt/f");
  ASSERT_OK(ns_->Chmod(Ctx(), f, 0600));
  struct stat st;
  ASSERT_EQ(stat((tmp_ / "data/f").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
  UtimesRequest t{{1000000000, 0}, {1000000001, 0}};
  ASSERT_OK(ns_->Utimens(Ctx(), f, &t));
  ASSERT_EQ(stat((tmp_ / "data/f").c_str(), &st), 0);
  EXPECT_EQ(st.st_mtim.tv_sec, 1000000001);
  ASSERT_OK(ns_->Chown(Ctx(), f, getuid(), getgid()));  // as the host allows
  // Extended attributes never reach the host.
  EXPECT_ERRNO(ns_->SetXattr(Ctx(), f, "user.x", "v", 0), EOPNOTSUPP);
  EXPECT_ERRNO(ns_->GetXattr(Ctx(), f, "user.x"), EOPNOTSUPP);
  EXPECT_ERRNO(ns_->ListXattr(Ctx(), f), EOPNOTSUPP);
  // FIFOs and sockets may be made there; device nodes never.
  ASSERT_OK(ns_->MknodAt(Ctx(), ns_->Root(), "/mnt/fifo", S_IFIFO | 0640, 0));
  ASSERT_EQ(lstat((tmp_ / "data/fifo").c_str(), &st), 0);
  EXPECT_TRUE(S_ISFIFO(st.st_mode));
  EXPECT_EQ(st.st_mode & 07777, 0640u & ~022u);
  EXPECT_ERRNO(ns_->MknodAt(Ctx(), ns_->Root(), "/mnt/null", S_IFCHR | 0666, makedev(1, 3)), EPERM);
}

TEST_F(FileOpsTest, StatFsPerFilesystem) {
  ASSERT_OK_AND_ASSIGN(struct statfs tmp, ns_->StatFs(Look("/tmp")));
  EXPECT_EQ(tmp.f_type, TMPFS_MAGIC);
  EXPECT_EQ(tmp.f_bsize, 4096);
  EXPECT_EQ(tmp.f_blocks, 256u);  // size=1m
  EXPECT_EQ(tmp.f_namelen, 255);
  EXPECT_FALSE(tmp.f_flags & kStRdonly);
  Touch("/tmp/f");
  ASSERT_OK_AND_ASSIGN(FileRef f, ns_->OpenAt(Ctx(), ns_->Root(), "/tmp/f", O_RDWR, 0));
  ASSERT_OK(WriteString(*f, std::string(10000, 'x')));
  ASSERT_OK_AND_ASSIGN(struct statfs after, f->StatFs());
  EXPECT_EQ(after.f_bfree, 256u - 3);
  ASSERT_OK_AND_ASSIGN(struct statfs dev, ns_->StatFs(Look("/dev/null")));
  EXPECT_EQ(dev.f_type, TMPFS_MAGIC);
  ASSERT_OK_AND_ASSIGN(struct statfs root, ns_->StatFs(Look("/hostfile")));
  EXPECT_TRUE(root.f_flags & kStRdonly);
  struct statfs host;
  ASSERT_EQ(statfs(tmp_.path().c_str(), &host), 0);
  EXPECT_EQ(root.f_type, host.f_type);
  ASSERT_OK_AND_ASSIGN(struct statfs mnt, ns_->StatFs(Look("/mnt")));
  EXPECT_FALSE(mnt.f_flags & kStRdonly);
  auto [r, w] = NewPipe(0);
  ASSERT_OK_AND_ASSIGN(struct statfs pipefs, r->StatFs());
  EXPECT_EQ(pipefs.f_type, PIPEFS_MAGIC);
}

TEST_F(FileOpsTest, MknodKinds) {
  FsContext ctx = Ctx();
  Location r = ns_->Root();
  ASSERT_OK(ns_->MknodAt(ctx, r, "/tmp/reg", 0, 0));
  EXPECT_TRUE(S_ISREG(StatOf("/tmp/reg").st_mode));
  EXPECT_ERRNO(ns_->MknodAt(ctx, r, "/tmp/reg", S_IFIFO, 0), EEXIST);
  EXPECT_ERRNO(ns_->MknodAt(ctx, r, "/tmp/d", S_IFDIR | 0755, 0), EPERM);
  EXPECT_ERRNO(ns_->MknodAt(ctx, r, "/tmp/x", S_IFLNK | 0755, 0), EINVAL);
  ASSERT_OK(ns_->MknodAt(ctx, r, "/tmp/sock", S_IFSOCK | 0600, 0));
  EXPECT_ERRNO(ns_->OpenAt(ctx, r, "/tmp/sock", O_RDONLY, 0), ENXIO);
  ASSERT_OK(ns_->MknodAt(ctx, r, "/tmp/zero", S_IFCHR | 0666, makedev(1, 5)));
  struct stat st = StatOf("/tmp/zero");
  EXPECT_EQ(st.st_rdev, makedev(1, 5));
  ASSERT_OK_AND_ASSIGN(FileRef z, ns_->OpenAt(ctx, r, "/tmp/zero", O_RDONLY, 0));
  EXPECT_EQ(*ReadString(*z, 4), std::string(4, '\0'));
  ASSERT_OK(ns_->MknodAt(ctx, r, "/tmp/mem", S_IFCHR | 0600, makedev(1, 1)));
  EXPECT_ERRNO(ns_->OpenAt(ctx, r, "/tmp/mem", O_RDONLY, 0), ENXIO);  // never a host device
  ASSERT_OK(ns_->MknodAt(ctx, r, "/tmp/blk", S_IFBLK | 0600, makedev(8, 0)));
  EXPECT_ERRNO(ns_->OpenAt(ctx, r, "/tmp/blk", O_RDONLY, 0), ENXIO);
  EXPECT_ERRNO(ns_->MknodAt(Ctx(user_), r, "/tmp/c", S_IFCHR | 0600, makedev(1, 3)), EPERM);
  ASSERT_OK(ns_->MknodAt(Ctx(user_), r, "/tmp/userfifo", S_IFIFO | 0600, 0));
  EXPECT_EQ(StatOf("/tmp/userfifo").st_uid, 1000u);
}

TEST_F(FileOpsTest, FifoOpenRules) {
  FsContext ctx = Ctx();
  Location r = ns_->Root();
  ASSERT_OK(ns_->MknodAt(ctx, r, "/tmp/fifo", S_IFIFO | 0666, 0));
  EXPECT_ERRNO(ns_->OpenAt(ctx, r, "/tmp/fifo", O_WRONLY | O_NONBLOCK, 0), ENXIO);
  // A blocking reader waits for a writer.
  ASSERT_OK_AND_ASSIGN(FileRef rd, ns_->OpenAt(ctx, r, "/tmp/fifo", O_RDONLY, 0));
  EXPECT_ERRNO(rd->OpenWait(), EAGAIN);
  ASSERT_OK_AND_ASSIGN(FileRef wr, ns_->OpenAt(ctx, r, "/tmp/fifo", O_WRONLY | O_NONBLOCK, 0));
  ASSERT_OK(rd->OpenWait());
  ASSERT_OK(wr->OpenWait());
  ASSERT_OK(WriteString(*wr, "through"));
  EXPECT_EQ(*ReadString(*rd), "through");
  EXPECT_TRUE(S_ISFIFO(rd->Stat()->st_mode));
  EXPECT_TRUE(rd->location().has_value());
  EXPECT_NE(AsPipe(*rd), nullptr);
  EXPECT_EQ(AsPipe(*rd), AsPipe(*wr));
  // A writer that opened and left still lets a waiting reader go.
  wr.reset();
  ASSERT_OK_AND_ASSIGN(FileRef rd2, ns_->OpenAt(ctx, r, "/tmp/fifo", O_RDONLY, 0));
  EXPECT_ERRNO(rd2->OpenWait(), EAGAIN);
  ASSERT_OK(ns_->OpenAt(ctx, r, "/tmp/fifo", O_WRONLY, 0));  // opened and closed at once
  ASSERT_OK(rd2->OpenWait());
  ASSERT_OK_AND_ASSIGN(FileRef rw, ns_->OpenAt(ctx, r, "/tmp/fifo", O_RDWR, 0));
  ASSERT_OK(rw->OpenWait());
  EXPECT_ERRNO(ns_->OpenAt(ctx, r, "/tmp/fifo", O_ACCMODE, 0), EINVAL);
}

TEST_F(FileOpsTest, MemfdNameSealsAndMapping) {
  ASSERT_OK_AND_ASSIGN(FileRef m, NewMemfd(root_, "buf", /*allow_sealing=*/true, false));
  ASSERT_TRUE(m->location().has_value());
  EXPECT_EQ(*ns_->PathOf(ns_->Root(), *m->location()), "/memfd:buf (deleted)");
  struct stat st = *m->Stat();
  EXPECT_EQ(st.st_mode, S_IFREG | 0777u);
  EXPECT_EQ(st.st_nlink, 0u);
  ASSERT_OK(WriteString(*m, "data"));
  ASSERT_OK_AND_ASSIGN(auto mf, MemoryFile::Create(uint64_t{64} << 20));
  {
    ASSERT_OK_AND_ASSIGN(SharedMapping map, m->MapShared(*mf, 0, 4096, /*want_write=*/true));
    EXPECT_EQ(std::string(reinterpret_cast<char*>(map.range->host() + map.offset), 4), "data");
    EXPECT_ERRNO(m->AddSeals(F_SEAL_WRITE), EBUSY);  // a writable mapping exists
  }
  ASSERT_OK(m->AddSeals(F_SEAL_WRITE | F_SEAL_SEAL));
  EXPECT_ERRNO(WriteString(*m, "more"), EPERM);
  EXPECT_ERRNO(m->MapShared(*mf, 0, 4096, /*want_write=*/true), EPERM);
  ASSERT_OK_AND_ASSIGN(SharedMapping ro, m->MapShared(*mf, 0, 4096, /*want_write=*/false));
  EXPECT_TRUE(ro.deny_write);
  EXPECT_ERRNO(m->AddSeals(F_SEAL_GROW), EPERM);
  EXPECT_EQ(*m->GetSeals(), unsigned{F_SEAL_WRITE | F_SEAL_SEAL});
  ASSERT_OK_AND_ASSIGN(FileRef plain, NewMemfd(root_, "x", /*allow_sealing=*/false, false));
  EXPECT_EQ(*plain->GetSeals(), unsigned{F_SEAL_SEAL});
  EXPECT_ERRNO(plain->AddSeals(F_SEAL_WRITE), EPERM);
}

TEST_F(FileOpsTest, XattrsOnTmpfs) {
  Touch("/tmp/f");
  Location f = Look("/tmp/f");
  ASSERT_OK(ns_->SetXattr(Ctx(), f, "user.a", "1", 0));
  ASSERT_OK(ns_->SetXattr(Ctx(), f, "trusted.t", "2", XATTR_CREATE));
  ASSERT_OK(ns_->SetXattr(Ctx(), f, "security.s", "3", 0));
  EXPECT_ERRNO(ns_->SetXattr(Ctx(), f, "user.a", "1", XATTR_CREATE), EEXIST);
  EXPECT_ERRNO(ns_->SetXattr(Ctx(), f, "user.b", "1", XATTR_REPLACE), ENODATA);
  EXPECT_ERRNO(ns_->SetXattr(Ctx(), f, "system.posix_acl_access", "", 0), EOPNOTSUPP);
  EXPECT_ERRNO(ns_->SetXattr(Ctx(), f, "other.x", "", 0), EOPNOTSUPP);
  EXPECT_ERRNO(ns_->SetXattr(Ctx(), f, "trusted.", "", 0), EINVAL);
  EXPECT_EQ(*ns_->GetXattr(Ctx(), f, "trusted.t"), "2");
  EXPECT_EQ(*ns_->ListXattr(Ctx(), f),
            (std::vector<std::string>{"security.s", "trusted.t", "user.a"}));
  EXPECT_EQ(*ns_->ListXattr(Ctx(user_), f), (std::vector<std::string>{"security.s", "user.a"}));
  EXPECT_EQ(*ns_->GetXattr(Ctx(user_), f, "security.s"), "3");  // anyone may read
  EXPECT_ERRNO(ns_->GetXattr(Ctx(user_), f, "trusted.t"), ENODATA);
  EXPECT_ERRNO(ns_->SetXattr(Ctx(user_), f, "security.s", "x", 0), EPERM);
  EXPECT_ERRNO(ns_->SetXattr(Ctx(user_), f, "user.a", "x", 0), EACCES);
  ASSERT_OK(ns_->RemoveXattr(Ctx(), f, "user.a"));
  EXPECT_ERRNO(ns_->RemoveXattr(Ctx(), f, "user.a"), ENODATA);
}

}  // namespace
}  // namespace sb::fs
