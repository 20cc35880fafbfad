/* chmod/chown/utimes families, statfs/fstatfs and mknod (regular files,
 * FIFOs, sockets, device nodes) under a fresh directory in /tmp. Prints
 * only what is the same on any Linux filesystem for /tmp (tmpfs natively
 * or not): modes, owners, explicit times, errnos; never the statfs numbers
 * that differ between filesystems. See sbtest.h for the output contract. */
#include "sbtest.h"

#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <stdint.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/time.h>
#include <time.h>
#include <utime.h>

static char dir[PATH_MAX];

static int make_file(const char* path, mode_t mode) {
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
  if (fd < 0) return -1;
  int rc = fchmod(fd, mode);
  close(fd);
  return rc;
}

static mode_t mode_of(const char* path) {
  struct stat st;
  if (lstat(path, &st) != 0) return (mode_t)-1;
  return st.st_mode & 07777;
}

static struct timespec ctime_of(const char* path) {
  struct stat st = {0};
  lstat(path, &st);
  return st.st_ctim;
}

static int ts_after(struct timespec a, struct timespec b) {
  return a.tv_sec > b.tv_sec || (a.tv_sec == b.tv_sec && a.tv_nsec > b.tv_nsec);
}

static void pause_ms(int ms) {
  struct timespec ts = {0, ms * 1000000L};
  nanosleep(&ts, NULL);
}

/* Runs fn as uid 1000, gid 1000 with supplementary group 2000 in a child;
 * the child's cases print themselves, its failures count here. */
static void as_user(void (*fn)(void)) {
  pid_t pid = fork();
  if (pid == 0) {
    gid_t groups[1] = {2000};
    if (setgroups(1, groups) != 0 || setgid(1000) != 0 || setuid(1000) != 0) {
      sb_case("drop_privileges", 0);
      _exit(1);
    }
    fn();
    _exit(sb_failed ? 1 : 0);
  }
  int st = 0;
  waitpid(pid, &st, 0);
  if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) sb_failed++;
}

/* ---- chmod ---- */

static void test_chmod(void) {
  make_file("m", 0644);
  sb_case("chmod", chmod("m", 0600) == 0 && mode_of("m") == 0600);
  sb_case("chmod_ignores_type_bits", chmod("m", S_IFDIR | 0751) == 0 && mode_of("m") == 0751);
  sb_case("chmod_setid_bits_as_root", chmod("m", 06755) == 0 && mode_of("m") == 06755);
  int fd = open("m", O_RDONLY);
  sb_case("fchmod", fchmod(fd, 0640) == 0 && mode_of("m") == 0640);
  int dfd = open(".", O_RDONLY | O_DIRECTORY);
  sb_case("fchmodat", syscall(SYS_fchmodat, dfd, "m", 0604) == 0 && mode_of("m") == 0604);
  symlink("m", "m_link");
  sb_case("chmod_follows_symlink",
          chmod("m_link", 0620) == 0 && mode_of("m") == 0620 && mode_of("m_link") == 0777);
  struct timespec before = ctime_of("m");
  pause_ms(20);
  chmod("m", 0644);
  sb_case("chmod_updates_ctime", ts_after(ctime_of("m"), before));
  SB_ERRNO("chmod_missing_enoent", chmod("missing", 0644), ENOENT);
  SB_ERRNO("chmod_through_file_enotdir", chmod("m/x", 0644), ENOTDIR);
  SB_ERRNO("chmod_empty_path_enoent", chmod("", 0644), ENOENT);
  SB_ERRNO("fchmod_bad_fd_ebadf", fchmod(9999, 0644), EBADF);
  int pfd = open("m", O_PATH);
  SB_ERRNO("fchmod_o_path_ebadf", fchmod(pfd, 0644), EBADF);
  close(pfd);
  close(fd);
  close(dfd);
}

static void chmod_as_user(void) {
  SB_ERRNO("chmod_not_owner_eperm", chmod("m", 0600), EPERM);
  sb_case("chmod_owner", chmod("mine", 0700) == 0 && mode_of("mine") == 0700);
  /* Not in the file's group (0): S_ISGID is dropped silently. */
  sb_case("chmod_drops_sgid_outside_group",
          chmod("mine_root_group", 02755) == 0 && mode_of("mine_root_group") == 0755);
  /* In the file's group (a supplementary one): S_ISGID stays. */
  sb_case("chmod_keeps_sgid_in_group",
          chmod("mine_group", 02755) == 0 && mode_of("mine_group") == 02755);
}

static void test_chmod_permissions(void) {
  make_file("mine", 0644);
  make_file("mine_root_group", 0644);
  make_file("mine_group", 0644);
  chown("mine", 1000, 1000);
  chown("mine_root_group", 1000, 0);
  chown("mine_group", 1000, 2000);
  as_user(chmod_as_user);
}

/* ---- chown ---- */

static void owner_of(const char* path, int follow, unsigned* uid, unsigned* gid) {
  struct stat st = {0};
  if (follow) {
    stat(path, &st);
  } else {
    lstat(path, &st);
  }
  *uid = st.st_uid;
  *gid = st.st_gid;
}

static void test_chown(void) {
  unsigned u, g;
  make_file("o", 0644);
  int rc = chown("o", 1000, 1001);
  owner_of("o", 1, &u, &g);
  sb_value("owner %u:%u", u, g);
  sb_case("chown", rc == 0 && u == 1000 && g == 1001);
  int fd = open("o", O_RDONLY);
  rc = fchown(fd, 1002, -1);
  owner_of("o", 1, &u, &g);
  sb_value("owner %u:%u", u, g);
  sb_case("fchown_uid_only", rc == 0 && u == 1002 && g == 1001);
  symlink("o", "o_link");
  rc = lchown("o_link", 1003, 1003);
  unsigned lu, lg;
  owner_of("o_link", 0, &lu, &lg);
  owner_of("o", 1, &u, &g);
  sb_value("link %u:%u target %u:%u", lu, lg, u, g);
  sb_case("lchown_changes_link_only", rc == 0 && lu == 1003 && lg == 1003 && u == 1002);
  rc = fchownat(AT_FDCWD, "o_link", 1004, -1, AT_SYMLINK_NOFOLLOW);
  owner_of("o_link", 0, &lu, &lg);
  sb_case("fchownat_nofollow", rc == 0 && lu == 1004);
  rc = fchownat(AT_FDCWD, "o_link", -1, 1005, 0);
  owner_of("o", 1, &u, &g);
  sb_case("fchownat_follows", rc == 0 && g == 1005);
  int pfd = open("o", O_PATH);
  rc = fchownat(pfd, "", 0, 0, AT_EMPTY_PATH);
  owner_of("o", 1, &u, &g);
  sb_case("fchownat_empty_path_o_path", rc == 0 && u == 0 && g == 0);
  SB_ERRNO("fchown_o_path_ebadf", fchown(pfd, 0, 0), EBADF);
  SB_ERRNO("fchownat_empty_path_without_flag_enoent", fchownat(pfd, "", 0, 0, 0), ENOENT);
  SB_ERRNO("fchownat_bad_flags_einval", fchownat(AT_FDCWD, "o", 0, 0, 0x8000), EINVAL);
  SB_ERRNO("chown_missing_enoent", chown("missing", 0, 0), ENOENT);
  SB_ERRNO("fchown_bad_fd_ebadf", fchown(9999, 0, 0), EBADF);
  close(pfd);

  chmod("o", 04755);
  rc = chown("o", 1000, -1);
  sb_value("mode after chown of setuid file: %o", mode_of("o"));
  sb_case("chown_clears_setuid", rc == 0 && mode_of("o") == 0755);
  chmod("o", 04755);
  rc = chown("o", -1, -1);
  sb_case("chown_noop_still_clears_setuid", rc == 0 && mode_of("o") == 0755);
  chmod("o", 02755);
  rc = chown("o", -1, 1000);
  sb_case("chown_clears_setgid_with_group_exec", rc == 0 && mode_of("o") == 0755);
  chmod("o", 02745);
  rc = chown("o", -1, 1001);
  sb_case("chown_keeps_setgid_without_group_exec", rc == 0 && mode_of("o") == 02745);
  mkdir("od", 02755);
  chmod("od", 02755);
  rc = chown("od", 1000, 1000);
  sb_case("chown_keeps_setgid_on_directory", rc == 0 && mode_of("od") == 02755);
  struct timespec before = ctime_of("o");
  pause_ms(20);
  chown("o", 0, 0);
  sb_case("chown_updates_ctime", ts_after(ctime_of("o"), before));
  close(fd);
}

static void chown_as_user(void) {
  unsigned u, g;
  SB_ERRNO("chown_give_away_eperm", chown("uo", 1001, -1), EPERM);
  SB_ERRNO("chgrp_not_member_eperm", chown("uo", -1, 3000), EPERM);
  sb_case("chown_to_self", chown("uo", 1000, -1) == 0);
  int rc = chown("uo", -1, 2000);
  owner_of("uo", 1, &u, &g);
  sb_case("chgrp_to_supplementary_group", rc == 0 && g == 2000);
  SB_ERRNO("chown_not_owner_eperm", chown("ro", -1, 1000), EPERM);
  sb_case("chown_noop_not_owner", chown("ro", -1, -1) == 0);
}

static void test_chown_permissions(void) {
  make_file("uo", 0644);
  make_file("ro", 0644);
  chown("uo", 1000, 1000);
  as_user(chown_as_user);
}

/* ---- utimes ---- */

static int times_are(const char* path, int follow, long as, long an, long ms, long mn) {
  struct stat st = {0};
  if (follow) {
    stat(path, &st);
  } else {
    lstat(path, &st);
  }
  int ok = st.st_atim.tv_sec == as && st.st_atim.tv_nsec == an && st.st_mtim.tv_sec == ms &&
           st.st_mtim.tv_nsec == mn;
  if (!ok) {
    sb_value("times %ld.%09ld %ld.%09ld", (long)st.st_atim.tv_sec, st.st_atim.tv_nsec,
             (long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
  }
  return ok;
}

static int mtime_is_now(const char* path, time_t t0) {
  struct stat st = {0};
  stat(path, &st);
  return st.st_mtime >= t0 && st.st_mtime <= time(NULL) + 1 && st.st_atime >= t0;
}

static long utimensat_raw(int dfd, const char* path, const struct timespec* ts, int flags) {
  return syscall(SYS_utimensat, dfd, path, ts, flags);
}

static void test_utimes(void) {
  make_file("t", 0644);
  struct timespec ts[2] = {{1000000000, 123456789}, {1100000000, 5}};
  sb_case("utimensat_explicit", utimensat(AT_FDCWD, "t", ts, 0) == 0 &&
                                    times_are("t", 1, 1000000000, 123456789, 1100000000, 5));
  struct timespec omit_a[2] = {{0, UTIME_OMIT}, {1200000000, 7}};
  sb_case("utimensat_omit_atime", utimensat(AT_FDCWD, "t", omit_a, 0) == 0 &&
                                      times_are("t", 1, 1000000000, 123456789, 1200000000, 7));
  struct timespec omit[2] = {{0, UTIME_OMIT}, {0, UTIME_OMIT}};
  sb_case("utimensat_both_omit_skips_path", utimensat_raw(AT_FDCWD, "missing", omit, 0) == 0);
  time_t t0 = time(NULL);
  sb_case("utimensat_null_is_now", utimensat(AT_FDCWD, "t", NULL, 0) == 0 && mtime_is_now("t", t0));
  utimensat(AT_FDCWD, "t", ts, 0);
  struct timespec now[2] = {{0, UTIME_NOW}, {0, UTIME_NOW}};
  sb_case("utimensat_utime_now", utimensat(AT_FDCWD, "t", now, 0) == 0 && mtime_is_now("t", t0));
  struct timespec now_omit[2] = {{0, UTIME_OMIT}, {0, UTIME_NOW}};
  utimensat(AT_FDCWD, "t", ts, 0);
  struct stat st;
  int rc = utimensat(AT_FDCWD, "t", now_omit, 0);
  stat("t", &st);
  sb_case("utimensat_now_and_omit", rc == 0 && st.st_atime == 1000000000 && st.st_mtime >= t0);
  struct timespec bad[2] = {{0, 1000000000}, {0, 0}};
  SB_ERRNO("utimensat_nsec_too_big_einval", utimensat(AT_FDCWD, "t", bad, 0), EINVAL);
  struct timespec neg[2] = {{0, 0}, {0, -1}};
  SB_ERRNO("utimensat_negative_nsec_einval", utimensat(AT_FDCWD, "t", neg, 0), EINVAL);
  SB_ERRNO("utimensat_bad_flags_einval", utimensat(AT_FDCWD, "t", ts, 0x8000), EINVAL);
  SB_ERRNO("utimensat_missing_enoent", utimensat(AT_FDCWD, "missing", ts, 0), ENOENT);
  SB_ERRNO("utimensat_null_path_fdcwd_efault", utimensat_raw(AT_FDCWD, NULL, ts, 0), EFAULT);

  symlink("t", "t_link");
  utimensat(AT_FDCWD, "t", ts, 0);
  struct timespec lts[2] = {{900000000, 0}, {900000001, 0}};
  rc = utimensat(AT_FDCWD, "t_link", lts, AT_SYMLINK_NOFOLLOW);
  sb_case("utimensat_nofollow_sets_link",
          rc == 0 && times_are("t_link", 0, 900000000, 0, 900000001, 0) &&
              times_are("t", 1, 1000000000, 123456789, 1100000000, 5));

  int fd = open("t", O_RDONLY);
  struct timespec fts[2] = {{1300000000, 1}, {1300000000, 2}};
  sb_case("futimens", futimens(fd, fts) == 0 && times_are("t", 1, 1300000000, 1, 1300000000, 2));
  SB_ERRNO("futimens_with_flags_einval", utimensat_raw(fd, NULL, fts, AT_SYMLINK_NOFOLLOW), EINVAL);
  int pfd = open("t", O_PATH);
  SB_ERRNO("futimens_o_path_ebadf", futimens(pfd, fts), EBADF);
  struct timespec ets[2] = {{1400000000, 0}, {1400000000, 0}};
  sb_case("utimensat_empty_path_o_path", utimensat(pfd, "", ets, AT_EMPTY_PATH) == 0 &&
                                             times_are("t", 1, 1400000000, 0, 1400000000, 0));
  SB_ERRNO("futimens_bad_fd_ebadf", futimens(9999, fts), EBADF);
  close(pfd);
  close(fd);

  struct utimbuf ub = {1500000000, 1500000001};
  sb_case("utime", utime("t", &ub) == 0 && times_are("t", 1, 1500000000, 0, 1500000001, 0));
  sb_case("utime_null_is_now", utime("t", NULL) == 0 && mtime_is_now("t", t0));
  struct timeval tv[2] = {{1600000000, 1}, {1600000000, 999999}};
  sb_case("utimes_microseconds",
          utimes("t", tv) == 0 && times_are("t", 1, 1600000000, 1000, 1600000000, 999999000));
  struct timeval badtv[2] = {{0, 1000000}, {0, 0}};
  SB_ERRNO("utimes_usec_too_big_einval", utimes("t", badtv), EINVAL);
  int dfd = open(".", O_RDONLY | O_DIRECTORY);
  struct timeval tv2[2] = {{1700000000, 0}, {1700000000, 0}};
  sb_case("futimesat", syscall(SYS_futimesat, dfd, "t", tv2) == 0 &&
                           times_are("t", 1, 1700000000, 0, 1700000000, 0));
  close(dfd);
  struct timespec before = ctime_of("t");
  pause_ms(20);
  utimensat(AT_FDCWD, "t", ts, 0);
  sb_case("utimensat_updates_ctime", ts_after(ctime_of("t"), before));
}

static void utimes_as_user(void) {
  time_t t0 = time(NULL);
  struct timespec ts[2] = {{1000000000, 0}, {1000000000, 0}};
  struct timespec now_omit[2] = {{0, UTIME_NOW}, {0, UTIME_OMIT}};
  sb_case("utimes_now_with_write_permission",
          utimensat(AT_FDCWD, "tw", NULL, 0) == 0 && mtime_is_now("tw", t0));
  SB_ERRNO("utimes_explicit_not_owner_eperm", utimensat(AT_FDCWD, "tw", ts, 0), EPERM);
  SB_ERRNO("utimes_now_omit_not_owner_eperm", utimensat(AT_FDCWD, "tw", now_omit, 0), EPERM);
  SB_ERRNO("utimes_now_no_write_eacces", utimensat(AT_FDCWD, "tr", NULL, 0), EACCES);
  sb_case("utimes_explicit_owner", utimensat(AT_FDCWD, "tmine", ts, 0) == 0);
}

static void test_utimes_permissions(void) {
  make_file("tw", 0666);
  make_file("tr", 0644);
  make_file("tmine", 0444);
  chown("tmine", 1000, 1000);
  as_user(utimes_as_user);
}

/* ---- a pipe's own inode ---- */

static void test_pipe_attrs(void) {
  int p[2];
  pipe(p);
  struct stat st;
  fstat(p[1], &st);
  sb_value("pipe mode=%o uid=%u", st.st_mode, (unsigned)st.st_uid);
  sb_case("pipe_fstat_owner", S_ISFIFO(st.st_mode) && (st.st_mode & 07777) == 0600 &&
                                  st.st_uid == getuid() && st.st_gid == getgid());
  sb_case("pipe_fchmod",
          fchmod(p[0], 0640) == 0 && fstat(p[1], &st) == 0 && (st.st_mode & 07777) == 0640);
  sb_case("pipe_fchown", fchown(p[1], 1000, 1001) == 0 && fstat(p[0], &st) == 0 &&
                             st.st_uid == 1000 && st.st_gid == 1001);
  struct timespec ts[2] = {{1000000000, 1}, {1000000000, 2}};
  sb_case("pipe_futimens", futimens(p[0], ts) == 0 && fstat(p[0], &st) == 0 &&
                               st.st_atim.tv_sec == 1000000000 && st.st_mtim.tv_nsec == 2);
  close(p[0]);
  close(p[1]);
}

/* ---- statfs ---- */

static void test_statfs(void) {
  struct statfs a, b;
  int rc = statfs(".", &a);
  sb_value("namelen=%ld", (long)a.f_namelen);
  sb_case("statfs_tmp", rc == 0 && a.f_namelen == 255 && a.f_bsize > 0 && a.f_blocks > 0 &&
                            a.f_bfree <= a.f_blocks && a.f_bavail <= a.f_bfree);
  sb_case("statfs_tmp_writable", rc == 0 && !(a.f_flags & ST_RDONLY));
  make_file("s", 0644);
  int fd = open("s", O_RDONLY);
  rc = fstatfs(fd, &b);
  sb_case("fstatfs_matches_statfs",
          rc == 0 && a.f_type == b.f_type && a.f_bsize == b.f_bsize && a.f_namelen == b.f_namelen);
  close(fd);
  fd = open("s", O_PATH);
  sb_case("fstatfs_o_path", fstatfs(fd, &b) == 0 && a.f_type == b.f_type);
  close(fd);
  int p[2];
  pipe(p);
  rc = fstatfs(p[0], &b);
  sb_value("pipe f_type=%#lx", (unsigned long)b.f_type);
  sb_case("fstatfs_pipe_pipefs", rc == 0 && b.f_type == 0x50495045);
  close(p[0]);
  close(p[1]);
  fd = eventfd(0, 0);
  rc = fstatfs(fd, &b);
  sb_value("eventfd f_type=%#lx", (unsigned long)b.f_type);
  sb_case("fstatfs_eventfd_anon_inodefs", rc == 0 && b.f_type == 0x09041934);
  close(fd);
  rc = statfs("/dev/null", &b);
  sb_value("/dev f_type=%#lx", (unsigned long)b.f_type);
  sb_case("statfs_dev_is_tmpfs", rc == 0 && b.f_type == 0x01021994);
  SB_ERRNO("statfs_missing_enoent", statfs("missing", &b), ENOENT);
  SB_ERRNO("statfs_through_file_enotdir", statfs("s/x", &b), ENOTDIR);
  SB_ERRNO("statfs_empty_enoent", statfs("", &b), ENOENT);
  SB_ERRNO("fstatfs_bad_fd_ebadf", fstatfs(9999, &b), EBADF);
}

/* ---- mknod and FIFOs ---- */

static mode_t type_of(const char* path) {
  struct stat st;
  if (lstat(path, &st) != 0) return 0;
  return st.st_mode & S_IFMT;
}

static void test_mknod(void) {
  sb_case("mknod_regular", mknod("n_reg", S_IFREG | 0666, 0) == 0 && type_of("n_reg") == S_IFREG &&
                               mode_of("n_reg") == 0644);
  sb_case("mknod_type_zero_is_regular",
          mknod("n_zero", 0600, 0) == 0 && type_of("n_zero") == S_IFREG);
  sb_case("mknod_fifo", mknod("n_fifo", S_IFIFO | 0666, 0) == 0 && type_of("n_fifo") == S_IFIFO &&
                            mode_of("n_fifo") == 0644);
  sb_case("mknod_socket",
          mknod("n_sock", S_IFSOCK | 0600, 0) == 0 && type_of("n_sock") == S_IFSOCK);
  SB_ERRNO("open_socket_node_enxio", open("n_sock", O_RDONLY), ENXIO);
  SB_ERRNO("mknod_exists_eexist", mknod("n_fifo", S_IFIFO | 0644, 0), EEXIST);
  SB_ERRNO("mknod_dir_eperm", mknod("n_dir", S_IFDIR | 0755, 0), EPERM);
  SB_ERRNO("mknod_symlink_type_einval", mknod("n_lnk", S_IFLNK | 0755, 0), EINVAL);
  SB_ERRNO("mknod_bad_type_einval", mknod("n_bad", 030000 | 0644, 0), EINVAL);
  SB_ERRNO("mknod_bad_type_before_path_einval", mknod("missing/x", 030000 | 0644, 0), EINVAL);
  SB_ERRNO("mknod_missing_dir_enoent", mknod("missing/x", S_IFIFO | 0644, 0), ENOENT);
  SB_ERRNO("mknod_trailing_slash_enoent", mknod("n_new/", S_IFIFO | 0644, 0), ENOENT);
  int dfd = open(".", O_RDONLY | O_DIRECTORY);
  sb_case("mknodat", mknodat(dfd, "n_at", S_IFIFO | 0600, 0) == 0 && type_of("n_at") == S_IFIFO);
  close(dfd);

  int rc = mknod("n_null", S_IFCHR | 0666, makedev(1, 3));
  struct stat st = {0};
  stat("n_null", &st);
  sb_value("rdev %u:%u", major(st.st_rdev), minor(st.st_rdev));
  sb_case("mknod_char_device",
          rc == 0 && S_ISCHR(st.st_mode) && major(st.st_rdev) == 1 && minor(st.st_rdev) == 3);
  int fd = open("n_null", O_RDWR);
  char c;
  sb_case("open_mknod_null_device", fd >= 0 && write(fd, "abc", 3) == 3 && read(fd, &c, 1) == 0);
  close(fd);
  mknod("n_c42", S_IFCHR | 0600, makedev(42, 42));
  SB_ERRNO("open_unknown_char_device_enxio", open("n_c42", O_RDONLY), ENXIO);
  mknod("n_b42", S_IFBLK | 0600, makedev(42, 42));
  SB_ERRNO("open_unknown_block_device_enxio", open("n_b42", O_RDONLY), ENXIO);
}

static void mknod_as_user(void) {
  SB_ERRNO("mknod_device_unprivileged_eperm", mknod("ud/c", S_IFCHR | 0600, makedev(1, 3)), EPERM);
  sb_case("mknod_fifo_unprivileged", mknod("ud/f", S_IFIFO | 0600, 0) == 0);
  SB_ERRNO("mknod_unwritable_dir_eacces", mknod("n_user", S_IFIFO | 0600, 0), EACCES);
}

static void test_mknod_permissions(void) {
  mkdir("ud", 0755);
  chown("ud", 1000, 1000);
  as_user(mknod_as_user);
}

static void fifo_writer(void* arg) {
  int fd = open("n_fifo", O_WRONLY); /* blocks until the reader opens */
  if (fd < 0) _exit(2);
  if (write(fd, "hi", 2) != 2) _exit(3);
  close(fd);
}

static void test_fifo(void) {
  int r = open("n_fifo", O_RDONLY | O_NONBLOCK);
  sb_case("fifo_open_read_nonblock", sb_succeeds("open", r));
  char buf[8] = {0};
  sb_case("fifo_read_no_writer_eof", read(r, buf, sizeof buf) == 0);
  int w = open("n_fifo", O_WRONLY | O_NONBLOCK);
  sb_case("fifo_open_write_nonblock_with_reader", sb_succeeds("open", w));
  sb_case("fifo_write_read",
          write(w, "abc", 3) == 3 && read(r, buf, sizeof buf) == 3 && memcmp(buf, "abc", 3) == 0);
  errno = 0;
  SB_ERRNO("fifo_read_empty_eagain", read(r, buf, sizeof buf), EAGAIN);
  struct stat st;
  sb_case("fifo_fstat", fstat(w, &st) == 0 && S_ISFIFO(st.st_mode) && (st.st_mode & 07777) == 0644);
  close(w);
  sb_case("fifo_eof_after_writer_closes", read(r, buf, sizeof buf) == 0);
  close(r);
  SB_ERRNO("fifo_open_write_nonblock_no_reader_enxio", open("n_fifo", O_WRONLY | O_NONBLOCK),
           ENXIO);

  int rw = open("n_fifo", O_RDWR);
  sb_case("fifo_open_rdwr_does_not_block", sb_succeeds("open", rw));
  write(rw, "x", 1);
  close(rw);
  rw = open("n_fifo", O_RDWR | O_NONBLOCK);
  SB_ERRNO("fifo_data_gone_after_last_close", read(rw, buf, sizeof buf), EAGAIN);
  close(rw);

  pid_t pid = fork();
  if (pid == 0) {
    fifo_writer(NULL);
    _exit(0);
  }
  r = open("n_fifo", O_RDONLY); /* blocks until the writer opens */
  memset(buf, 0, sizeof buf);
  ssize_t n = r >= 0 ? read(r, buf, sizeof buf) : -1;
  int status = 0;
  waitpid(pid, &status, 0);
  sb_value("read %zd '%s', writer exit %d", n, buf, WIFEXITED(status) ? WEXITSTATUS(status) : -1);
  sb_case("fifo_blocking_open_pairs",
          n == 2 && strcmp(buf, "hi") == 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0);
  close(r);
}

int main(void) {
  sb_init();
  umask(022);
  strcpy(dir, "/tmp/sb-fileops-XXXXXX");
  if (!mkdtemp(dir) || chdir(dir) != 0) {
    sb_case("setup_tmp_dir", 0);
    return sb_finish();
  }
  chmod(".", 0755);
  test_chmod();
  test_chmod_permissions();
  test_chown();
  test_chown_permissions();
  test_utimes();
  test_utimes_permissions();
  test_pipe_attrs();
  test_statfs();
  test_mknod();
  test_mknod_permissions();
  test_fifo();
  chdir("/");
  /* Remove what we made (no shell: unlinkat over the known names). */
  int dfd = open(dir, O_RDONLY | O_DIRECTORY);
  const char* files[] = {
      "m",     "m_link", "mine",   "mine_root_group", "mine_group", "o",    "o_link",
      "uo",    "ro",     "t",      "t_link",          "tw",         "tr",   "tmine",
      "s",     "n_reg",  "n_zero", "n_fifo",          "n_sock",     "n_at", "n_null",
      "n_c42", "n_b42",  "ud/f"};
  for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) unlinkat(dfd, files[i], 0);
  unlinkat(dfd, "od", AT_REMOVEDIR);
  unlinkat(dfd, "ud", AT_REMOVEDIR);
  close(dfd);
  int rc = rmdir(dir);
  sb_case("cleanup_rmdir_tmp_dir", sb_succeeds("rmdir", rc));
  return sb_finish();
}
