/* preadv, pwritev, preadv2, pwritev2: offsets, RWF_* flags, ESPIPE,
 * IOV_MAX, EBADF, EFAULT. See sbtest.h for the output contract. */
#include "sbtest.h"

#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>

#ifndef RWF_HIPRI
#define RWF_HIPRI 0x1
#define RWF_DSYNC 0x2
#define RWF_SYNC 0x4
#define RWF_NOWAIT 0x8
#define RWF_APPEND 0x10
#endif
#define RWF_NOAPPEND_ 0x20

static char dir[64];

static int tmpfile_in(const char* base, const char* name, int flags) {
  char path[128];
  snprintf(path, sizeof path, "%s/%s", base, name);
  return open(path, flags | O_CREAT | O_TRUNC, 0600);
}

static long raw_preadv2(int fd, struct iovec* v, int n, long off, int flags) {
  return syscall(SYS_preadv2, fd, v, n, off, 0, flags);
}
static long raw_pwritev2(int fd, struct iovec* v, int n, long off, int flags) {
  return syscall(SYS_pwritev2, fd, v, n, off, 0, flags);
}

static void test_basic(void) {
  int fd = tmpfile_in("/dev/shm", "sb_rwv_basic", O_RDWR);
  char a[] = "hello ", b[] = "world";
  struct iovec w[2] = {{a, 6}, {b, 5}};
  long n = pwritev(fd, w, 2, 3);
  sb_value("pwritev=%ld pos=%ld", n, (long)lseek(fd, 0, SEEK_CUR));
  sb_case("pwritev_offset_keeps_pos", n == 11 && lseek(fd, 0, SEEK_CUR) == 0);
  char x[4] = {0}, y[16] = {0};
  struct iovec r[2] = {{x, 3}, {y, 15}};
  n = preadv(fd, r, 2, 0);
  sb_value("preadv=%ld x0=%d y=%s", n, x[0], y);
  sb_case("preadv_hole_zero_and_data", n == 14 && x[0] == 0 && strcmp(y, "hello world") == 0);
  n = preadv(fd, r, 2, 100);
  sb_case("preadv_past_eof_0", n == 0);
  /* high/low split: on 64-bit the whole offset is the low word. */
  memset(y, 0, sizeof y);
  struct iovec r1 = {y, 5};
  n = syscall(SYS_preadv, fd, &r1, 1, 9L, 0x12345L);
  sb_value("preadv raw=%ld %s", n, y);
  sb_case("preadv_high_word_ignored", n == 5 && memcmp(y, "world", 5) == 0);
  /* v2 with -1: the file position, which advances. */
  lseek(fd, 3, SEEK_SET);
  memset(y, 0, sizeof y);
  n = raw_preadv2(fd, &r1, 1, -1, 0);
  sb_value("preadv2(-1)=%ld %s pos=%ld", n, y, (long)lseek(fd, 0, SEEK_CUR));
  sb_case("preadv2_minus1_uses_pos", n == 5 && memcmp(y, "hello", 5) == 0 &&
                                         lseek(fd, 0, SEEK_CUR) == 8);
  struct iovec w1 = {"XY", 2};
  n = raw_pwritev2(fd, &w1, 1, -1, 0);
  sb_case("pwritev2_minus1_uses_pos", n == 2 && lseek(fd, 0, SEEK_CUR) == 10);
  n = raw_pwritev2(fd, &w1, 1, 0, 0);
  sb_case("pwritev2_offset_keeps_pos", n == 2 && lseek(fd, 0, SEEK_CUR) == 10);
  SB_ERRNO("preadv_negative_einval", preadv(fd, r, 2, -1), EINVAL);
  SB_ERRNO("pwritev_negative_einval", pwritev(fd, w, 2, -5), EINVAL);
  SB_ERRNO("preadv2_minus2_einval", raw_preadv2(fd, r, 2, -2, 0), EINVAL);
  SB_ERRNO("pwritev2_minus2_einval", raw_pwritev2(fd, w, 2, -2, 0), EINVAL);
  SB_ERRNO("preadv_badfd_ebadf", preadv(999, r, 2, 0), EBADF);
  SB_ERRNO("preadv_negative_before_ebadf", preadv(999, r, 2, -1), EINVAL);
  SB_ERRNO("pwritev2_badfd_ebadf", raw_pwritev2(-1, w, 2, 0, 0), EBADF);
  SB_ERRNO("preadv_iovmax_einval", preadv(fd, r, IOV_MAX + 1, 0), EINVAL);
  SB_ERRNO("preadv_negative_count_einval", syscall(SYS_preadv, fd, r, -1L, 0L, 0L), EINVAL);
  SB_ERRNO("preadv_bad_iov_efault", preadv(fd, (struct iovec*)8, 1, 0), EFAULT);
  n = preadv(fd, r, 0, 0);
  sb_case("preadv_zero_vectors_0", n == 0);
  /* A zero-length transfer returns 0 before the flags are looked at. */
  struct iovec empty = {y, 0};
  n = raw_preadv2(fd, &empty, 1, 0, 0x40000000);
  sb_case("preadv2_empty_bad_flags_0", n == 0);
  SB_ERRNO("preadv2_unknown_flag_eopnotsupp", raw_preadv2(fd, r, 2, 0, 0x40000000), EOPNOTSUPP);
  SB_ERRNO("pwritev2_unknown_flag_eopnotsupp", raw_pwritev2(fd, w, 2, 0, 0x40000000),
           EOPNOTSUPP);
  SB_ERRNO("pwritev2_append_noappend_einval",
           raw_pwritev2(fd, w, 2, 0, RWF_APPEND | RWF_NOAPPEND_), EINVAL);
  SB_ERRNO("preadv2_nowait_tmpfs_eopnotsupp", raw_preadv2(fd, r, 2, 0, RWF_NOWAIT), EOPNOTSUPP);
  SB_ERRNO("pwritev2_nowait_tmpfs_eopnotsupp", raw_pwritev2(fd, w, 2, 0, RWF_NOWAIT),
           EOPNOTSUPP);
  n = raw_preadv2(fd, r, 2, 0, RWF_HIPRI);
  sb_case("preadv2_hipri_ok", n == 14);
  n = raw_pwritev2(fd, &w1, 1, 0, RWF_DSYNC);
  sb_case("pwritev2_dsync_ok", n == 2);
  n = raw_pwritev2(fd, &w1, 1, 0, RWF_SYNC);
  sb_case("pwritev2_sync_ok", n == 2);
  close(fd);

  /* Access modes. */
  fd = tmpfile_in("/dev/shm", "sb_rwv_basic", O_WRONLY);
  SB_ERRNO("preadv_wronly_ebadf", preadv(fd, r, 2, 0), EBADF);
  close(fd);
  fd = open("/dev/shm/sb_rwv_basic", O_RDONLY);
  SB_ERRNO("pwritev_rdonly_ebadf", pwritev(fd, w, 2, 0), EBADF);
  SB_ERRNO("pwritev_rdonly_ebadf_before_efault", pwritev(fd, (struct iovec*)8, 1, 0), EBADF);
  close(fd);
  fd = open("/dev/shm", O_RDONLY | O_DIRECTORY);
  SB_ERRNO("preadv_dir_eisdir", preadv(fd, r, 2, 0), EISDIR);
  close(fd);
  fd = open("/dev/shm/sb_rwv_basic", O_PATH);
  SB_ERRNO("preadv_opath_ebadf", preadv(fd, r, 2, 0), EBADF);
  close(fd);
  unlink("/dev/shm/sb_rwv_basic");
}

static void test_append(void) {
  int fd = tmpfile_in("/dev/shm", "sb_rwv_app", O_RDWR);
  write(fd, "0123456789", 10);
  lseek(fd, 2, SEEK_SET);
  struct iovec w = {"AB", 2};
  long n = raw_pwritev2(fd, &w, 1, 0, RWF_APPEND);
  struct stat st;
  fstat(fd, &st);
  char buf[16] = {0};
  pread(fd, buf, 15, 0);
  sb_value("n=%ld size=%ld pos=%ld data=%s", n, (long)st.st_size, (long)lseek(fd, 0, SEEK_CUR),
           buf);
  sb_case("pwritev2_rwf_append_offset", n == 2 && st.st_size == 12 &&
                                            lseek(fd, 0, SEEK_CUR) == 2 &&
                                            strcmp(buf, "0123456789AB") == 0);
  n = raw_pwritev2(fd, &w, 1, -1, RWF_APPEND);
  sb_value("n=%ld pos=%ld", n, (long)lseek(fd, 0, SEEK_CUR));
  sb_case("pwritev2_rwf_append_pos_moves", n == 2 && lseek(fd, 0, SEEK_CUR) == 14);
  close(fd);
  fd = open("/dev/shm/sb_rwv_app", O_RDWR | O_APPEND);
  n = pwritev(fd, &w, 1, 0);
  fstat(fd, &st);
  sb_value("O_APPEND pwritev n=%ld size=%ld", n, (long)st.st_size);
  sb_case("pwritev_o_append_appends", n == 2 && st.st_size == 16);
  n = raw_pwritev2(fd, &w, 1, 0, RWF_NOAPPEND_);
  fstat(fd, &st);
  memset(buf, 0, sizeof buf);
  pread(fd, buf, 2, 0);
  if (n == -1 && errno == EOPNOTSUPP) {
    sb_skip("pwritev2_noappend", "kernel without RWF_NOAPPEND");
  } else {
    sb_value("NOAPPEND n=%ld size=%ld head=%s", n, (long)st.st_size, buf);
    sb_case("pwritev2_noappend", n == 2 && st.st_size == 16 && strcmp(buf, "AB") == 0);
  }
  close(fd);
  unlink("/dev/shm/sb_rwv_app");
}

static void test_pipes(void) {
  int p[2];
  pipe(p);
  struct iovec w = {"ping", 4};
  char buf[8] = {0};
  struct iovec r = {buf, 8};
  SB_ERRNO("preadv_pipe_espipe", preadv(p[0], &r, 1, 0), ESPIPE);
  SB_ERRNO("pwritev_pipe_espipe", pwritev(p[1], &w, 1, 0), ESPIPE);
  SB_ERRNO("preadv2_pipe_offset_espipe", raw_preadv2(p[0], &r, 1, 0, 0), ESPIPE);
  SB_ERRNO("preadv_pipe_espipe_before_ebadf", preadv(p[1], &r, 1, 0), ESPIPE);
  SB_ERRNO("preadv2_pipe_nowait_empty_eagain", raw_preadv2(p[0], &r, 1, -1, RWF_NOWAIT), EAGAIN);
  long n = raw_pwritev2(p[1], &w, 1, -1, RWF_NOWAIT);
  sb_case("pwritev2_pipe_nowait", n == 4);
  n = raw_preadv2(p[0], &r, 1, -1, RWF_NOWAIT);
  sb_value("read=%ld %s", n, buf);
  sb_case("preadv2_pipe_nowait_data", n == 4 && strcmp(buf, "ping") == 0);
  n = raw_pwritev2(p[1], &w, 1, -1, 0);
  sb_case("pwritev2_pipe_minus1", n == 4);
  SB_ERRNO("preadv2_pipe_write_end_ebadf", raw_preadv2(p[1], &r, 1, -1, 0), EBADF);
  close(p[0]);
  signal(SIGPIPE, SIG_IGN);
  SB_ERRNO("pwritev2_pipe_epipe", raw_pwritev2(p[1], &w, 1, -1, 0), EPIPE);
  signal(SIGPIPE, SIG_DFL);
  close(p[1]);
  int s[2];
  socketpair(AF_UNIX, SOCK_STREAM, 0, s);
  SB_ERRNO("preadv_socket_espipe", preadv(s[0], &r, 1, 0), ESPIPE);
  SB_ERRNO("preadv2_socket_nowait_eagain", raw_preadv2(s[0], &r, 1, -1, RWF_NOWAIT), EAGAIN);
  close(s[0]);
  close(s[1]);
  int fd = open("/dev/null", O_RDWR);
  n = raw_pwritev2(fd, &w, 1, -1, RWF_NOWAIT);
  sb_case("pwritev2_devnull_nowait", n == 4);
  n = preadv(fd, &r, 1, 0);
  sb_case("preadv_devnull_offset_ok", n == 0);
  close(fd);
}

static void test_host_files(void) {
  /* The test binary's directory tree is host-backed in the sandbox. */
  int fd = open("/proc/self/exe", O_RDONLY);
  char buf[4] = {0};
  struct iovec r = {buf, 4};
  long n = preadv(fd, &r, 1, 0);
  sb_value("n=%ld magic=%.3s", n, buf + 1);
  sb_case("preadv_host_file", n == 4 && memcmp(buf + 1, "ELF", 3) == 0);
  n = raw_preadv2(fd, &r, 1, 1, RWF_HIPRI);
  sb_case("preadv2_host_file_hipri", n == 4 && memcmp(buf, "ELF", 3) == 0);
  struct iovec w = {"x", 1};
  SB_ERRNO("pwritev_host_rdonly_ebadf", pwritev(fd, &w, 1, 0), EBADF);
  close(fd);
  (void)dir;
}

int main(void) {
  sb_init();
  test_basic();
  test_append();
  test_pipes();
  test_host_files();
  return sb_finish();
}
