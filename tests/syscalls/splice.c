/* sendfile, splice, tee, vmsplice and copy_file_range between files and
 * pipes under a fresh directory in /tmp. Prints byte counts, offsets and
 * data. See sbtest.h for the output contract. */
#include "sbtest.h"

#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>

static char dir[PATH_MAX];
static const char kData[] = "0123456789abcdef"; /* 16 bytes */

static int make_src(void) {
  int fd = open("src", O_RDWR | O_CREAT | O_TRUNC, 0644);
  write(fd, kData, 16);
  lseek(fd, 0, SEEK_SET);
  return fd;
}

static int make_dst(int flags) { return open("dst", O_RDWR | O_CREAT | O_TRUNC | flags, 0644); }

/* The whole of `path` as a string. */
static const char* contents(const char* path) {
  static char buf[256];
  memset(buf, 0, sizeof buf);
  int fd = open(path, O_RDONLY);
  ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  if (n < 0) buf[0] = 0;
  return buf;
}

/* Reads what is in the pipe now (non-blocking) as a string. */
static const char* drain(int rfd) {
  static char buf[256];
  memset(buf, 0, sizeof buf);
  int fl = fcntl(rfd, F_GETFL);
  fcntl(rfd, F_SETFL, fl | O_NONBLOCK);
  ssize_t n = read(rfd, buf, sizeof buf - 1);
  fcntl(rfd, F_SETFL, fl);
  if (n < 0) buf[0] = 0;
  return buf;
}

static void pause_ms(int ms) {
  struct timespec ts = {0, ms * 1000000L};
  nanosleep(&ts, NULL);
}

static void test_sendfile(void) {
  int in = make_src(), out = make_dst(0);
  ssize_t n = sendfile(out, in, NULL, 10);
  off_t pos = lseek(in, 0, SEEK_CUR);
  sb_value("sent=%zd in_pos=%lld dst=%s", n, (long long)pos, contents("dst"));
  sb_case("sendfile_file_position",
          n == 10 && pos == 10 && strcmp(contents("dst"), "0123456789") == 0);
  off_t off = 4;
  n = sendfile(out, in, &off, 4);
  pos = lseek(in, 0, SEEK_CUR);
  sb_value("sent=%zd off=%lld in_pos=%lld dst=%s", n, (long long)off, (long long)pos,
           contents("dst"));
  sb_case("sendfile_offset_keeps_position",
          n == 4 && off == 8 && pos == 10 && strcmp(contents("dst"), "01234567894567") == 0);
  n = sendfile(out, in, NULL, 100);
  sb_case("sendfile_short_at_eof", n == 6);
  sb_case("sendfile_at_eof_zero", sendfile(out, in, NULL, 100) == 0);
  sb_case("sendfile_count_zero", sendfile(out, in, NULL, 0) == 0);

  int p[2];
  pipe(p);
  off = 0;
  n = sendfile(p[1], in, &off, 5);
  sb_case("sendfile_to_pipe", n == 5 && off == 5 && strcmp(drain(p[0]), "01234") == 0);
  off = -1;
  SB_ERRNO("sendfile_negative_offset_einval", sendfile(out, in, &off, 1), EINVAL);
  off = 0;
  SB_ERRNO("sendfile_offset_on_pipe_espipe", sendfile(out, p[0], &off, 1), ESPIPE);
  SB_ERRNO("sendfile_from_pipe_einval", sendfile(out, p[0], NULL, 1), EINVAL);
  int wo = open("src", O_WRONLY);
  SB_ERRNO("sendfile_in_not_readable_ebadf", sendfile(out, wo, NULL, 1), EBADF);
  close(wo);
  int ro = open("dst", O_RDONLY);
  lseek(in, 0, SEEK_SET);
  SB_ERRNO("sendfile_out_not_writable_ebadf", sendfile(ro, in, NULL, 1), EBADF);
  close(ro);
  SB_ERRNO("sendfile_bad_fd_ebadf", sendfile(out, 9999, NULL, 1), EBADF);
  int ap = open("dst", O_WRONLY | O_APPEND);
  SB_ERRNO("sendfile_append_einval", sendfile(ap, in, NULL, 1), EINVAL);
  close(ap);
  close(p[0]);
  close(p[1]);
  close(in);
  close(out);
}

static void test_splice(void) {
  int in = make_src(), out = make_dst(0);
  int p[2];
  pipe(p);
  loff_t off = 0;
  ssize_t n = splice(in, &off, p[1], NULL, 6, 0);
  off_t pos = lseek(in, 0, SEEK_CUR);
  sb_case("splice_file_to_pipe_offset",
          n == 6 && off == 6 && pos == 0 && strcmp(drain(p[0]), "012345") == 0);
  lseek(in, 10, SEEK_SET);
  n = splice(in, NULL, p[1], NULL, 100, 0);
  pos = lseek(in, 0, SEEK_CUR);
  sb_case("splice_file_to_pipe_position",
          n == 6 && pos == 16 && strcmp(drain(p[0]), "abcdef") == 0);
  sb_case("splice_file_at_eof_zero", splice(in, NULL, p[1], NULL, 100, 0) == 0);

  write(p[1], "hello", 5);
  off = 3;
  n = splice(p[0], NULL, out, &off, 100, 0);
  pos = lseek(out, 0, SEEK_CUR);
  sb_value("spliced=%zd off=%lld out_pos=%lld", n, (long long)off, (long long)pos);
  sb_case("splice_pipe_to_file_offset", n == 5 && off == 8 && pos == 0);
  write(p[1], "XY", 2);
  n = splice(p[0], NULL, out, NULL, 100, 0);
  pos = lseek(out, 0, SEEK_CUR);
  char shown[16] = {0};
  pread(out, shown, sizeof shown - 1, 0);
  for (int i = 0; i < 8; i++)
    if (shown[i] == 0) shown[i] = '.';
  sb_value("dst=%s", shown);
  sb_case("splice_pipe_to_file_position", n == 2 && pos == 2 && memcmp(shown, "XY.hello", 8) == 0);

  int q[2];
  pipe(q);
  write(p[1], "abc", 3);
  n = splice(p[0], NULL, q[1], NULL, 10, 0);
  errno = 0;
  char c;
  int empty = read(p[0], &c, 0) == 0 && strcmp(drain(p[0]), "") == 0;
  sb_case("splice_pipe_to_pipe", n == 3 && empty && strcmp(drain(q[0]), "abc") == 0);

  SB_ERRNO("splice_no_pipe_einval", splice(in, NULL, out, NULL, 1, 0), EINVAL);
  off = 0;
  SB_ERRNO("splice_offset_on_pipe_espipe", splice(p[0], &off, out, NULL, 1, 0), ESPIPE);
  sb_case("splice_len_zero_before_fd_checks", splice(9999, NULL, 9998, NULL, 0, 0) == 0);
  SB_ERRNO("splice_bad_flags_einval", splice(p[0], NULL, out, NULL, 1, 0x100), EINVAL);
  SB_ERRNO("splice_bad_fd_ebadf", splice(9999, NULL, p[1], NULL, 1, 0), EBADF);
  SB_ERRNO("splice_same_pipe_einval", splice(p[0], NULL, p[1], NULL, 1, 0), EINVAL);
  SB_ERRNO("splice_empty_pipe_nonblock_eagain", splice(p[0], NULL, out, NULL, 1, SPLICE_F_NONBLOCK),
           EAGAIN);
  int wo = open("src", O_WRONLY);
  SB_ERRNO("splice_in_not_readable_ebadf", splice(wo, NULL, p[1], NULL, 1, 0), EBADF);
  close(wo);
  int ap = open("dst", O_WRONLY | O_APPEND);
  write(p[1], "z", 1);
  SB_ERRNO("splice_to_append_einval", splice(p[0], NULL, ap, NULL, 1, 0), EINVAL);
  close(ap);
  drain(p[0]);

  /* A full pipe: SPLICE_F_NONBLOCK says EAGAIN. */
  int f[2];
  pipe2(f, O_NONBLOCK);
  char big[4096];
  memset(big, 'x', sizeof big);
  while (write(f[1], big, sizeof big) > 0) {
  }
  lseek(in, 0, SEEK_SET);
  SB_ERRNO("splice_full_pipe_nonblock_eagain", splice(in, NULL, f[1], NULL, 1, SPLICE_F_NONBLOCK),
           EAGAIN);
  close(f[0]);
  close(f[1]);

  /* Blocking: waits for a writer's data. */
  pid_t pid = fork();
  if (pid == 0) {
    pause_ms(100);
    write(p[1], "late", 4);
    _exit(0);
  }
  off = 0;
  n = splice(p[0], NULL, out, &off, 100, 0);
  waitpid(pid, NULL, 0);
  sb_case("splice_blocks_for_data", n == 4);
  close(p[1]);
  sb_case("splice_no_writers_zero", splice(p[0], NULL, out, NULL, 1, 0) == 0);
  close(p[0]);

  signal(SIGPIPE, SIG_IGN);
  int r[2];
  pipe(r);
  close(r[0]);
  lseek(in, 0, SEEK_SET);
  SB_ERRNO("splice_no_readers_epipe", splice(in, NULL, r[1], NULL, 1, 0), EPIPE);
  signal(SIGPIPE, SIG_DFL);
  close(r[1]);
  close(q[0]);
  close(q[1]);
  close(in);
  close(out);
}

static void test_tee(void) {
  int a[2], b[2];
  pipe(a);
  pipe(b);
  write(a[1], "data", 4);
  ssize_t n = tee(a[0], b[1], 100, 0);
  sb_case("tee_copies_without_consuming",
          n == 4 && strcmp(drain(b[0]), "data") == 0 && strcmp(drain(a[0]), "data") == 0);
  SB_ERRNO("tee_same_pipe_einval", tee(a[0], a[1], 1, 0), EINVAL);
  int fd = make_src();
  SB_ERRNO("tee_not_pipe_einval", tee(fd, b[1], 1, 0), EINVAL);
  close(fd);
  sb_case("tee_len_zero", tee(a[0], b[1], 0, 0) == 0);
  SB_ERRNO("tee_bad_flags_einval", tee(a[0], b[1], 1, 0x100), EINVAL);
  SB_ERRNO("tee_empty_nonblock_eagain", tee(a[0], b[1], 1, SPLICE_F_NONBLOCK), EAGAIN);
  SB_ERRNO("tee_wrong_ends_ebadf", tee(a[1], b[0], 1, 0), EBADF);
  close(a[1]);
  sb_case("tee_no_writers_zero", tee(a[0], b[1], 1, 0) == 0);
  close(a[0]);
  close(b[0]);
  close(b[1]);
}

static void test_vmsplice(void) {
  int p[2];
  pipe(p);
  struct iovec iov[2] = {{"abc", 3}, {"de", 2}};
  ssize_t n = vmsplice(p[1], iov, 2, 0);
  char buf[8] = {0};
  read(p[0], buf, sizeof buf);
  sb_case("vmsplice_to_pipe", n == 5 && strcmp(buf, "abcde") == 0);
  write(p[1], "xyz", 3);
  char out[4] = {0};
  struct iovec riov = {out, 3};
  n = vmsplice(p[0], &riov, 1, 0);
  sb_case("vmsplice_from_pipe", n == 3 && strcmp(out, "xyz") == 0);
  int fd = make_src();
  SB_ERRNO("vmsplice_not_pipe_ebadf", vmsplice(fd, iov, 1, 0), EBADF);
  close(fd);
  SB_ERRNO("vmsplice_bad_flags_einval", vmsplice(p[1], iov, 1, 0x100), EINVAL);
  SB_ERRNO("vmsplice_empty_nonblock_eagain", vmsplice(p[0], &riov, 1, SPLICE_F_NONBLOCK), EAGAIN);
  close(p[0]);
  close(p[1]);
}

static void test_copy_file_range(void) {
  int in = make_src(), out = make_dst(0);
  ssize_t n = copy_file_range(in, NULL, out, NULL, 100, 0);
  off_t ip = lseek(in, 0, SEEK_CUR), op = lseek(out, 0, SEEK_CUR);
  sb_case("copy_file_range_positions",
          n == 16 && ip == 16 && op == 16 && strcmp(contents("dst"), kData) == 0);
  sb_case("copy_file_range_at_eof_zero", copy_file_range(in, NULL, out, NULL, 10, 0) == 0);
  loff_t oi = 2, oo = 0;
  n = copy_file_range(in, &oi, out, &oo, 3, 0);
  ip = lseek(in, 0, SEEK_CUR);
  sb_value("copied=%zd off_in=%lld off_out=%lld dst=%s", n, (long long)oi, (long long)oo,
           contents("dst"));
  sb_case("copy_file_range_offsets", n == 3 && oi == 5 && oo == 3 && ip == 16 &&
                                         strncmp(contents("dst"), "2343456789", 10) == 0);
  sb_case("copy_file_range_len_zero", copy_file_range(in, &oi, out, &oo, 0, 0) == 0);
  SB_ERRNO("copy_file_range_flags_einval", copy_file_range(in, &oi, out, &oo, 1, 1), EINVAL);
  int ap = open("dst", O_WRONLY | O_APPEND);
  SB_ERRNO("copy_file_range_append_ebadf", copy_file_range(in, &oi, ap, NULL, 1, 0), EBADF);
  close(ap);
  int wo = open("src", O_WRONLY);
  SB_ERRNO("copy_file_range_in_not_readable_ebadf", copy_file_range(wo, NULL, out, NULL, 1, 0),
           EBADF);
  close(wo);
  int d = open(".", O_RDONLY | O_DIRECTORY);
  SB_ERRNO("copy_file_range_dir_eisdir", copy_file_range(d, NULL, out, NULL, 1, 0), EISDIR);
  close(d);
  int p[2];
  pipe(p);
  SB_ERRNO("copy_file_range_pipe_einval", copy_file_range(in, &oi, p[1], NULL, 1, 0), EINVAL);
  close(p[0]);
  close(p[1]);
  SB_ERRNO("copy_file_range_bad_fd_ebadf", copy_file_range(9999, NULL, out, NULL, 1, 0), EBADF);
  loff_t a = 0, b = 4;
  SB_ERRNO("copy_file_range_overlap_einval", copy_file_range(in, &a, in, &b, 8, 0), EINVAL);
  a = 0;
  b = 16;
  n = copy_file_range(in, &a, in, &b, 4, 0);
  sb_case("copy_file_range_same_file_disjoint",
          n == 4 && strncmp(contents("src"), "0123456789abcdef0123", 20) == 0);
  close(in);
  close(out);
}

int main(void) {
  sb_init();
  umask(022);
  strcpy(dir, "/tmp/sb-splice-XXXXXX");
  if (!mkdtemp(dir) || chdir(dir) != 0) {
    sb_case("setup_tmp_dir", 0);
    return sb_finish();
  }
  test_sendfile();
  test_splice();
  test_tee();
  test_vmsplice();
  test_copy_file_range();
  unlink("src");
  unlink("dst");
  chdir("/");
  int rc = rmdir(dir);
  sb_case("cleanup_rmdir_tmp_dir", sb_succeeds("rmdir", rc));
  return sb_finish();
}
