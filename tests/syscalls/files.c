/* File and directory syscalls under a fresh directory in /tmp.
 * Prints only what is the same on any Linux filesystem for /tmp (tmpfs or
 * not): sizes, link counts, modes, names; never inode/device numbers or
 * times. See sbtest.h for the output contract. */
#include "sbtest.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>

static char dir[PATH_MAX];

static int read_all(const char* path, char* buf, size_t n) {
  int fd = open(path, O_RDONLY);
  if (fd < 0) return -1;
  ssize_t r = read(fd, buf, n - 1);
  close(fd);
  if (r < 0) return -1;
  buf[r] = 0;
  return (int)r;
}

static int write_file(const char* path, const char* s) {
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) return -1;
  ssize_t w = write(fd, s, strlen(s));
  close(fd);
  return w == (ssize_t)strlen(s) ? 0 : -1;
}

static void test_open_read_write(void) {
  int fd = openat(AT_FDCWD, "f", O_CREAT | O_EXCL | O_RDWR, 0666);
  sb_case("openat_creat_excl", sb_succeeds("openat", fd));
  SB_ERRNO("open_creat_excl_eexist", open("f", O_CREAT | O_EXCL | O_RDWR, 0644), EEXIST);
  SB_ERRNO("open_missing_enoent", open("missing", O_RDONLY), ENOENT);
  SB_ERRNO("open_missing_parent_enoent", open("missing/x", O_RDONLY | O_CREAT, 0644), ENOENT);
  SB_ERRNO("open_through_file_enotdir", open("f/x", O_RDONLY), ENOTDIR);
  SB_ERRNO("open_dir_for_write_eisdir", open(".", O_WRONLY), EISDIR);
  SB_ERRNO("open_directory_flag_on_file_enotdir", open("f", O_RDONLY | O_DIRECTORY), ENOTDIR);
  SB_ERRNO("open_empty_path_enoent", open("", O_RDONLY), ENOENT);

  ssize_t w = write(fd, "hello world", 11);
  sb_value("write=%zd", w);
  sb_case("write", w == 11);
  off_t off = lseek(fd, 0, SEEK_CUR);
  sb_value("offset_after_write=%lld", (long long)off);
  sb_case("lseek_cur_after_write", off == 11);
  char buf[256] = {0};
  sb_case("lseek_set", lseek(fd, 0, SEEK_SET) == 0);
  ssize_t r = read(fd, buf, sizeof buf);
  sb_value("read=%zd data=%.*s", r, (int)(r > 0 ? r : 0), buf);
  sb_case("read_back", r == 11 && memcmp(buf, "hello world", 11) == 0);
  sb_case("read_at_eof_returns_0", read(fd, buf, sizeof buf) == 0);

  w = pwrite(fd, "XYZ", 3, 100);
  off = lseek(fd, 0, SEEK_CUR);
  sb_value("pwrite=%zd offset=%lld", w, (long long)off);
  sb_case("pwrite64_keeps_offset", w == 3 && off == 11);
  memset(buf, 1, sizeof buf);
  r = pread(fd, buf, 200, 0);
  int hole_zero = 1;
  for (int i = 11; i < 100; i++) hole_zero &= buf[i] == 0;
  sb_value("pread=%zd tail=%.3s", r, buf + 100);
  sb_case("pread64_with_hole", r == 103 && hole_zero && memcmp(buf + 100, "XYZ", 3) == 0);
  SB_ERRNO("pread64_negative_offset_einval", pread(fd, buf, 1, -1), EINVAL);

  off = lseek(fd, 0, SEEK_END);
  sb_value("seek_end=%lld", (long long)off);
  sb_case("lseek_end", off == 103);
  sb_case("lseek_past_end", lseek(fd, 1000, SEEK_SET) == 1000);
  SB_ERRNO("lseek_negative_einval", lseek(fd, -1, SEEK_SET), EINVAL);
  SB_ERRNO("lseek_bad_whence_einval", lseek(fd, 0, 42), EINVAL);

  struct iovec iov[3] = {{"ab", 2}, {"", 0}, {"cdef", 4}};
  lseek(fd, 0, SEEK_SET);
  w = writev(fd, iov, 3);
  char b1[3] = {0}, b2[8] = {0};
  struct iovec riov[2] = {{b1, 2}, {b2, 7}};
  lseek(fd, 0, SEEK_SET);
  r = readv(fd, riov, 2);
  sb_value("writev=%zd readv=%zd b1=%s b2=%s", w, r, b1, b2);
  sb_case("writev_readv", w == 6 && r == 9 && strcmp(b1, "ab") == 0 && strcmp(b2, "cdefwor") == 0);
  struct iovec bad = {buf, (size_t)-1};
  SB_ERRNO("readv_bad_len_einval", readv(fd, &bad, 1), EINVAL);

  struct stat st;
  int rc = fstat(fd, &st);
  sb_value("fstat size=%lld nlink=%lu mode=%o", (long long)st.st_size, (unsigned long)st.st_nlink,
           st.st_mode);
  sb_case("fstat", rc == 0 && st.st_size == 103 && S_ISREG(st.st_mode) &&
                       (st.st_mode & 07777) == 0644 && st.st_nlink == 1);
  close(fd);

  fd = open("f", O_WRONLY | O_APPEND);
  w = write(fd, "!", 1);
  off = lseek(fd, 0, SEEK_CUR);
  sb_value("append offset=%lld", (long long)off);
  sb_case("o_append_writes_at_end", w == 1 && off == 104);
  SB_ERRNO("read_on_wronly_ebadf", read(fd, buf, 1), EBADF);
  close(fd);
  fd = open("f", O_RDONLY);
  SB_ERRNO("write_on_rdonly_ebadf", write(fd, "x", 1), EBADF);
  close(fd);
  fd = open("f", O_RDWR | O_TRUNC);
  sb_case("o_trunc", fd >= 0 && fstat(fd, &st) == 0 && st.st_size == 0);
  close(fd);
  write_file("f", "hello world\n");

  fd = open(".", O_RDONLY | O_DIRECTORY);
  SB_ERRNO("read_dir_eisdir", read(fd, buf, 10), EISDIR);
  close(fd);
  SB_ERRNO("read_bad_fd_ebadf", read(9999, buf, 1), EBADF);
  SB_ERRNO("close_bad_fd_ebadf", close(9999), EBADF);
  SB_ERRNO("fstat_bad_fd_ebadf", fstat(-1, &st), EBADF);
}

static void test_stat_links(void) {
  struct stat st;
  sb_case("symlink", symlink("f", "ln") == 0);
  SB_ERRNO("symlink_exists_eexist", symlink("f", "ln"), EEXIST);
  sb_case("symlink_dangling_created", symlink("nowhere", "dangling") == 0);
  int rc = lstat("ln", &st);
  sb_value("lstat size=%lld mode=%o", (long long)st.st_size, st.st_mode & S_IFMT);
  sb_case("lstat_symlink", rc == 0 && S_ISLNK(st.st_mode) && st.st_size == 1);
  rc = stat("ln", &st);
  sb_value("stat size=%lld mode=%o", (long long)st.st_size, st.st_mode);
  sb_case("stat_follows_symlink", rc == 0 && S_ISREG(st.st_mode) && st.st_size == 12);
  SB_ERRNO("stat_dangling_enoent", stat("dangling", &st), ENOENT);
  SB_ERRNO("stat_missing_enoent", stat("missing", &st), ENOENT);
  SB_ERRNO("open_nofollow_eloop", open("ln", O_RDONLY | O_NOFOLLOW), ELOOP);
  int fd = open("ln", O_RDONLY);
  char buf[64] = {0};
  sb_case("open_through_symlink", fd >= 0 && read(fd, buf, 5) == 5 && memcmp(buf, "hello", 5) == 0);
  close(fd);

  rc = (int)syscall(SYS_newfstatat, AT_FDCWD, "ln", &st, AT_SYMLINK_NOFOLLOW);
  sb_case("newfstatat_nofollow", rc == 0 && S_ISLNK(st.st_mode));
  rc = (int)syscall(SYS_newfstatat, AT_FDCWD, "ln", &st, 0);
  sb_case("newfstatat_follow", rc == 0 && S_ISREG(st.st_mode) && st.st_size == 12);
  fd = open("f", O_RDONLY);
  rc = (int)syscall(SYS_newfstatat, fd, "", &st, AT_EMPTY_PATH);
  sb_case("newfstatat_empty_path", rc == 0 && st.st_size == 12);
  close(fd);
  SB_ERRNO("newfstatat_bad_flags_einval", syscall(SYS_newfstatat, AT_FDCWD, "f", &st, 0x1), EINVAL);

  struct statx sx;
  memset(&sx, 0, sizeof sx);
  rc = statx(AT_FDCWD, "f", 0, STATX_BASIC_STATS, &sx);
  sb_value("statx size=%llu mode=%o nlink=%u basic=%d", (unsigned long long)sx.stx_size,
           sx.stx_mode, sx.stx_nlink, (sx.stx_mask & STATX_BASIC_STATS) == STATX_BASIC_STATS);
  sb_case("statx", rc == 0 && sx.stx_size == 12 && S_ISREG(sx.stx_mode) && sx.stx_nlink == 1);
  rc = statx(AT_FDCWD, "ln", AT_SYMLINK_NOFOLLOW, STATX_TYPE | STATX_SIZE, &sx);
  sb_case("statx_nofollow", rc == 0 && S_ISLNK(sx.stx_mode) && sx.stx_size == 1);
  SB_ERRNO("statx_missing_enoent", statx(AT_FDCWD, "missing", 0, STATX_BASIC_STATS, &sx), ENOENT);

  char lb[64];
  ssize_t n = readlink("ln", lb, sizeof lb);
  sb_value("readlink=%zd %.*s", n, (int)(n > 0 ? n : 0), lb);
  sb_case("readlink", n == 1 && lb[0] == 'f');
  n = readlink("dangling", lb, 3);
  sb_case("readlink_truncates", n == 3 && memcmp(lb, "now", 3) == 0);
  SB_ERRNO("readlink_on_file_einval", readlink("f", lb, sizeof lb), EINVAL);
  SB_ERRNO("readlink_missing_enoent", readlink("missing", lb, sizeof lb), ENOENT);
  SB_ERRNO("readlink_bufsiz0_einval", syscall(SYS_readlink, "ln", lb, 0), EINVAL);

  sb_case("link", link("f", "hard") == 0);
  rc = stat("f", &st);
  sb_value("nlink_after_link=%lu", (unsigned long)st.st_nlink);
  sb_case("link_bumps_nlink", rc == 0 && st.st_nlink == 2);
  SB_ERRNO("link_exists_eexist", link("f", "hard"), EEXIST);
  SB_ERRNO("link_missing_enoent", link("missing", "hard2"), ENOENT);
  mkdir("ldir", 0755);
  SB_ERRNO("link_dir_eperm", link("ldir", "ldir2"), EPERM);
  rmdir("ldir");
  sb_case("unlink_hard", unlink("hard") == 0);
  rc = stat("f", &st);
  sb_case("unlink_drops_nlink", rc == 0 && st.st_nlink == 1);
  sb_case("unlink_symlink_not_target",
          unlink("dangling") == 0 && unlink("ln") == 0 && stat("f", &st) == 0);
  SB_ERRNO("unlink_missing_enoent", unlink("missing"), ENOENT);
}

static void test_access(void) {
  sb_case("access_rw", access("f", R_OK | W_OK) == 0);
  sb_case("access_exists", access("f", F_OK) == 0);
  SB_ERRNO("access_missing_enoent", access("missing", F_OK), ENOENT);
  SB_ERRNO("access_x_no_exec_bits_eacces", access("f", X_OK), EACCES);
  SB_ERRNO("access_bad_mode_einval", access("f", 0100), EINVAL);
  int dfd = open(".", O_RDONLY | O_DIRECTORY);
  sb_case("faccessat_dirfd", syscall(SYS_faccessat, dfd, "f", R_OK) == 0);
  SB_ERRNO("faccessat_missing_enoent", syscall(SYS_faccessat, dfd, "missing", F_OK), ENOENT);
  SB_ERRNO("faccessat_bad_dirfd_ebadf", syscall(SYS_faccessat, 9999, "f", F_OK), EBADF);
  close(dfd);
}

static int cmp_str(const void* a, const void* b) {
  return strcmp(*(char* const*)a, *(char* const*)b);
}

static void test_dirs(void) {
  sb_case("mkdir", mkdir("d", 0750) == 0);
  SB_ERRNO("mkdir_exists_eexist", mkdir("d", 0755), EEXIST);
  SB_ERRNO("mkdir_missing_parent_enoent", mkdir("missing/d", 0755), ENOENT);
  SB_ERRNO("mkdir_under_file_enotdir", mkdir("f/d", 0755), ENOTDIR);
  struct stat st;
  int rc = stat("d", &st);
  sb_value("dir mode=%o nlink=%lu", st.st_mode, (unsigned long)st.st_nlink);
  sb_case("mkdir_mode_and_nlink", rc == 0 && S_ISDIR(st.st_mode) && (st.st_mode & 07777) == 0750);
  write_file("d/a", "a");
  write_file("d/b", "bb");
  mkdir("d/sub", 0755);
  symlink("a", "d/l");

  int fd = open("d", O_RDONLY | O_DIRECTORY);
  char buf[4096];
  char* names[16];
  int count = 0, types_ok = 1;
  long n;
  while ((n = syscall(SYS_getdents64, fd, buf, sizeof buf)) > 0) {
    for (long off = 0; off < n;) {
      struct dirent64* de = (struct dirent64*)(buf + off);
      if (count < 16) {
        char* s = malloc(300);
        snprintf(s, 300, "%s:%d", de->d_name, de->d_type);
        names[count++] = s;
      }
      int want = strcmp(de->d_name, "a") == 0 || strcmp(de->d_name, "b") == 0 ? DT_REG
                 : strcmp(de->d_name, "l") == 0                               ? DT_LNK
                                                                              : DT_DIR;
      types_ok &= de->d_type == want;
      off += de->d_reclen;
    }
  }
  qsort(names, count, sizeof names[0], cmp_str);
  char line[512] = "";
  for (int i = 0; i < count; i++) {
    strcat(line, names[i]);
    strcat(line, " ");
    free(names[i]);
  }
  sb_value("getdents64: %s", line);
  sb_case("getdents64", n == 0 && count == 6 && types_ok);
  sb_case("getdents64_at_end_returns_0", syscall(SYS_getdents64, fd, buf, sizeof buf) == 0);
  SB_ERRNO("getdents64_small_buffer_einval",
           (lseek(fd, 0, SEEK_SET), syscall(SYS_getdents64, fd, buf, 8)), EINVAL);
  close(fd);
  fd = open("f", O_RDONLY);
  SB_ERRNO("getdents64_on_file_enotdir", syscall(SYS_getdents64, fd, buf, sizeof buf), ENOTDIR);
  close(fd);
  SB_ERRNO("getdents64_bad_fd_ebadf", syscall(SYS_getdents64, 9999, buf, sizeof buf), EBADF);

  SB_ERRNO("rmdir_nonempty_enotempty", rmdir("d"), ENOTEMPTY);
  SB_ERRNO("rmdir_file_enotdir", rmdir("f"), ENOTDIR);
  SB_ERRNO("rmdir_missing_enoent", rmdir("missing"), ENOENT);
  SB_ERRNO("rmdir_dot_einval", rmdir("d/sub/."), EINVAL);
  SB_ERRNO("unlink_dir_eisdir", unlink("d/sub"), EISDIR);
  sb_case("rmdir_empty", rmdir("d/sub") == 0);

  char cwd[PATH_MAX];
  sb_case("getcwd", getcwd(cwd, sizeof cwd) && strcmp(cwd, dir) == 0);
  SB_ERRNO("getcwd_small_erange", getcwd(cwd, 2) == NULL ? -1 : 0, ERANGE);
  int here = open(".", O_RDONLY | O_DIRECTORY);
  sb_case("chdir", chdir("d") == 0);
  char* end = getcwd(cwd, sizeof cwd) ? strrchr(cwd, '/') : NULL;
  sb_value("cwd basename=%s", end ? end : "(null)");
  sb_case("getcwd_after_chdir", end && strcmp(end, "/d") == 0);
  sb_case("relative_open_after_chdir", access("a", F_OK) == 0);
  sb_case("fchdir", fchdir(here) == 0 && getcwd(cwd, sizeof cwd) && strcmp(cwd, dir) == 0);
  SB_ERRNO("chdir_file_enotdir", chdir("f"), ENOTDIR);
  SB_ERRNO("chdir_missing_enoent", chdir("missing"), ENOENT);
  SB_ERRNO("fchdir_bad_fd_ebadf", fchdir(9999), EBADF);
  int ffd = open("f", O_RDONLY);
  SB_ERRNO("fchdir_file_enotdir", fchdir(ffd), ENOTDIR);
  close(ffd);
  close(here);
}

static void test_rename(void) {
  char buf[64];
  write_file("r1", "one");
  write_file("r2", "two");
  sb_case("rename", rename("r1", "r3") == 0 && access("r1", F_OK) == -1 &&
                        read_all("r3", buf, sizeof buf) == 3);
  sb_case("rename_over_existing", rename("r3", "r2") == 0 && read_all("r2", buf, sizeof buf) == 3 &&
                                      strcmp(buf, "one") == 0 && access("r3", F_OK) == -1);
  SB_ERRNO("rename_missing_enoent", rename("missing", "x"), ENOENT);
  mkdir("e1", 0755);
  mkdir("e2", 0755);
  write_file("e2/x", "x");
  SB_ERRNO("rename_dir_over_nonempty_enotempty", rename("e1", "e2"), ENOTEMPTY);
  SB_ERRNO("rename_file_over_dir_eisdir", rename("r2", "e1"), EISDIR);
  SB_ERRNO("rename_dir_over_file_enotdir", rename("e1", "r2"), ENOTDIR);
  SB_ERRNO("rename_into_own_subdir_einval", rename("e2", "e2/sub"), EINVAL);
  mkdir("e3", 0755);
  sb_case("rename_dir_over_empty_dir", rename("e3", "e1") == 0 && access("e3", F_OK) == -1);

  write_file("n1", "n1");
  write_file("n2", "n2");
  SB_ERRNO("renameat2_noreplace_eexist",
           renameat2(AT_FDCWD, "n1", AT_FDCWD, "n2", RENAME_NOREPLACE), EEXIST);
  sb_case(
      "renameat2_noreplace_free",
      renameat2(AT_FDCWD, "n1", AT_FDCWD, "n3", RENAME_NOREPLACE) == 0 && access("n1", F_OK) == -1);
  int rc = renameat2(AT_FDCWD, "n2", AT_FDCWD, "n3", RENAME_EXCHANGE);
  char b2[8] = {0}, b3[8] = {0};
  read_all("n2", b2, sizeof b2);
  read_all("n3", b3, sizeof b3);
  sb_value("after exchange n2=%s n3=%s", b2, b3);
  sb_case("renameat2_exchange", rc == 0 && strcmp(b2, "n1") == 0 && strcmp(b3, "n2") == 0);
  SB_ERRNO("renameat2_exchange_missing_enoent",
           renameat2(AT_FDCWD, "n2", AT_FDCWD, "nx", RENAME_EXCHANGE), ENOENT);
  SB_ERRNO("renameat2_bad_flags_einval",
           renameat2(AT_FDCWD, "n2", AT_FDCWD, "n4", RENAME_NOREPLACE | RENAME_EXCHANGE), EINVAL);
  unlink("n2");
  unlink("n3");
  unlink("r2");
  unlink("e2/x");
  rmdir("e2");
  rmdir("e1");
}

static void test_fds(void) {
  int fd = open("f", O_RDONLY);
  int d = dup(fd);
  sb_value("dup gave fd+1: %d", d == fd + 1);
  sb_case("dup_lowest_free", d == fd + 1);
  char c;
  read(fd, &c, 1);
  sb_case("dup_shares_offset", lseek(d, 0, SEEK_CUR) == 1);
  sb_case("dup2_same_fd", dup2(fd, fd) == fd);
  sb_case("dup2_to_100", dup2(fd, 100) == 100 && fcntl(100, F_GETFD) == 0);
  SB_ERRNO("dup2_bad_old_ebadf", dup2(9999, 101), EBADF);
  SB_ERRNO("dup3_same_fd_einval", dup3(fd, fd, 0), EINVAL);
  SB_ERRNO("dup3_bad_flags_einval", dup3(fd, 102, O_NONBLOCK), EINVAL);
  sb_case("dup3_cloexec", dup3(fd, 100, O_CLOEXEC) == 100 && fcntl(100, F_GETFD) == FD_CLOEXEC);
  SB_ERRNO("dup_bad_fd_ebadf", dup(9999), EBADF);

  int f50 = fcntl(fd, F_DUPFD, 50);
  sb_value("F_DUPFD=%d", f50);
  sb_case("fcntl_dupfd_min", f50 == 50 && fcntl(f50, F_GETFD) == 0);
  int f51 = fcntl(fd, F_DUPFD_CLOEXEC, 50);
  sb_value("F_DUPFD_CLOEXEC=%d", f51);
  sb_case("fcntl_dupfd_cloexec", f51 == 51 && fcntl(f51, F_GETFD) == FD_CLOEXEC);
  sb_case("fcntl_setfd", fcntl(f50, F_SETFD, FD_CLOEXEC) == 0 &&
                             fcntl(f50, F_GETFD) == FD_CLOEXEC && fcntl(f50, F_SETFD, 0) == 0 &&
                             fcntl(f50, F_GETFD) == 0);
  int rw = open("f", O_RDWR);
  int fl = fcntl(rw, F_GETFL);
  sb_value("F_GETFL accmode=%d append=%d", fl & O_ACCMODE, !!(fl & O_APPEND));
  sb_case("fcntl_getfl", (fl & O_ACCMODE) == O_RDWR && !(fl & O_APPEND));
  int set = fcntl(rw, F_SETFL, fl | O_APPEND | O_NONBLOCK);
  fl = fcntl(rw, F_GETFL);
  sb_value("after F_SETFL append=%d nonblock=%d", !!(fl & O_APPEND), !!(fl & O_NONBLOCK));
  sb_case("fcntl_setfl",
          set == 0 && (fl & O_APPEND) && (fl & O_NONBLOCK) && (fl & O_ACCMODE) == O_RDWR);
  /* F_SETFL cannot change the access mode. */
  fcntl(rw, F_SETFL, O_RDONLY);
  sb_case("fcntl_setfl_keeps_accmode", (fcntl(rw, F_GETFL) & O_ACCMODE) == O_RDWR);
  SB_ERRNO("fcntl_bad_fd_ebadf", fcntl(9999, F_GETFD), EBADF);
  SB_ERRNO("fcntl_bad_cmd_einval", fcntl(fd, 9999), EINVAL);
  SB_ERRNO("fcntl_dupfd_negative_einval", fcntl(fd, F_DUPFD, -1), EINVAL);
  close(rw);
  close(f50);
  close(f51);
  close(100);
  close(d);
  close(fd);
}

static void test_pipes(void) {
  signal(SIGPIPE, SIG_IGN);
  int p[2];
  sb_case("pipe", pipe(p) == 0);
  char buf[16] = {0};
  sb_case("pipe_write_read", write(p[1], "abc", 3) == 3 && read(p[0], buf, sizeof buf) == 3 &&
                                 strcmp(buf, "abc") == 0);
  sb_case("pipe_fds_not_cloexec", fcntl(p[0], F_GETFD) == 0 && fcntl(p[1], F_GETFD) == 0);
  SB_ERRNO("lseek_pipe_espipe", lseek(p[0], 0, SEEK_SET), ESPIPE);
  SB_ERRNO("write_pipe_read_end_ebadf", write(p[0], "x", 1), EBADF);
  close(p[1]);
  sb_case("pipe_eof_after_close", read(p[0], buf, sizeof buf) == 0);
  close(p[0]);

  sb_case("pipe2_flags", pipe2(p, O_CLOEXEC | O_NONBLOCK) == 0 &&
                             fcntl(p[0], F_GETFD) == FD_CLOEXEC &&
                             (fcntl(p[1], F_GETFL) & O_NONBLOCK));
  SB_ERRNO("pipe2_empty_nonblock_eagain", read(p[0], buf, sizeof buf), EAGAIN);
  close(p[0]);
  SB_ERRNO("pipe_write_no_reader_epipe", write(p[1], "x", 1), EPIPE);
  close(p[1]);
  SB_ERRNO("pipe2_bad_flags_einval", pipe2(p, O_RDWR), EINVAL);
}

int main(void) {
  sb_init();
  umask(022);
  strcpy(dir, "/tmp/sb-files-XXXXXX");
  if (!mkdtemp(dir) || chdir(dir) != 0) {
    sb_case("setup_tmp_dir", 0);
    return sb_finish();
  }
  test_open_read_write();
  test_stat_links();
  test_access();
  test_dirs();
  test_rename();
  test_fds();
  test_pipes();

  unlink("d/a");
  unlink("d/b");
  unlink("d/l");
  rmdir("d");
  unlink("f");
  chdir("/");
  int rc = rmdir(dir);
  sb_case("cleanup_rmdir_tmp_dir", sb_succeeds("rmdir", rc));
  return sb_finish();
}
