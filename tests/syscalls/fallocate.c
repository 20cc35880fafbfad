/* fallocate (tmpfs as Linux's shmem), posix_fallocate, fadvise64,
 * readahead, sync_file_range. See sbtest.h for the output contract. */
#include "sbtest.h"

#include <fcntl.h>
#include <linux/falloc.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#define SHM "/dev/shm/sb_falloc"

static long fsize(int fd) {
  struct stat st;
  return fstat(fd, &st) == 0 ? (long)st.st_size : -1;
}
static long fblocks(int fd) {
  struct stat st;
  return fstat(fd, &st) == 0 ? (long)st.st_blocks : -1;
}

static void test_tmpfs(void) {
  int fd = open(SHM, O_RDWR | O_CREAT | O_TRUNC, 0600);
  sb_case("falloc_mode0", sb_succeeds("fallocate", fallocate(fd, 0, 0, 8192)));
  sb_value("size=%ld blocks=%ld", fsize(fd), fblocks(fd));
  sb_case("falloc_mode0_grows", fsize(fd) == 8192 && fblocks(fd) == 16);
  sb_case("falloc_inside_no_shrink", fallocate(fd, 0, 0, 100) == 0 && fsize(fd) == 8192);
  sb_case("falloc_keep_size",
          sb_succeeds("fallocate", fallocate(fd, FALLOC_FL_KEEP_SIZE, 8192, 8192)));
  sb_value("size=%ld blocks=%ld", fsize(fd), fblocks(fd));
  sb_case("falloc_keep_size_blocks", fsize(fd) == 8192 && fblocks(fd) == 32);
  sb_case("falloc_truncate_drops_keep_size",
          ftruncate(fd, 4096) == 0 && fsize(fd) == 4096 && fblocks(fd) == 8);
  pwrite(fd, "abcdefgh", 8, 0);
  sb_case("falloc_punch_hole", sb_succeeds("punch", fallocate(fd, FALLOC_FL_PUNCH_HOLE |
                                                                      FALLOC_FL_KEEP_SIZE,
                                                                  2, 3)));
  char buf[9] = {0};
  pread(fd, buf, 8, 0);
  sb_value("%02x %02x %02x %02x %02x %02x size=%ld", buf[0], buf[1], buf[2], buf[4], buf[5],
           buf[7], fsize(fd));
  sb_case("falloc_punch_hole_zeroes",
          buf[0] == 'a' && buf[1] == 'b' && buf[2] == 0 && buf[4] == 0 && buf[5] == 'f' &&
              fsize(fd) == 4096);
  sb_case("falloc_punch_past_eof_ok",
          fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 1 << 20, 4096) == 0 &&
              fsize(fd) == 4096);
  /* A shared mapping sees the hole too. */
  char* m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  m[100] = 'Z';
  fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, 4096);
  sb_case("falloc_punch_hole_mapping", m[100] == 0 && m[0] == 0);
  munmap(m, 4096);
  SB_ERRNO("falloc_zero_range_tmpfs_eopnotsupp", fallocate(fd, FALLOC_FL_ZERO_RANGE, 0, 10),
           EOPNOTSUPP);
  SB_ERRNO("falloc_collapse_tmpfs_eopnotsupp", fallocate(fd, FALLOC_FL_COLLAPSE_RANGE, 0, 4096),
           EOPNOTSUPP);
  SB_ERRNO("falloc_insert_tmpfs_eopnotsupp", fallocate(fd, FALLOC_FL_INSERT_RANGE, 0, 4096),
           EOPNOTSUPP);
  SB_ERRNO("falloc_unshare_tmpfs_eopnotsupp", fallocate(fd, FALLOC_FL_UNSHARE_RANGE, 0, 4096),
           EOPNOTSUPP);
  SB_ERRNO("falloc_punch_without_keep_eopnotsupp", fallocate(fd, FALLOC_FL_PUNCH_HOLE, 0, 10),
           EOPNOTSUPP);
  SB_ERRNO("falloc_punch_and_zero_eopnotsupp",
           fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE, 0, 10),
           EOPNOTSUPP);
  SB_ERRNO("falloc_unknown_mode_eopnotsupp", fallocate(fd, 0x8000, 0, 10), EOPNOTSUPP);
  SB_ERRNO("falloc_zero_range_keep_tmpfs_eopnotsupp",
           fallocate(fd, FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE, 0, 10), EOPNOTSUPP);
  SB_ERRNO("falloc_negative_offset_einval", fallocate(fd, 0, -1, 10), EINVAL);
  SB_ERRNO("falloc_zero_len_einval", fallocate(fd, 0, 0, 0), EINVAL);
  SB_ERRNO("falloc_negative_len_einval", fallocate(fd, 0, 0, -4096), EINVAL);
  SB_ERRNO("falloc_einval_before_ebadf", fallocate(-1, 0, 0, 0), EBADF);
  SB_ERRNO("falloc_wrap_efbig", fallocate(fd, 0, 0x7fffffffffff0000L, 0x100000), EFBIG);
  SB_ERRNO("falloc_badfd_ebadf", fallocate(999, 0, 0, 10), EBADF);
  close(fd);
  fd = open(SHM, O_RDONLY);
  SB_ERRNO("falloc_rdonly_ebadf", fallocate(fd, 0, 0, 10), EBADF);
  SB_ERRNO("falloc_mode_before_ebadf", fallocate(fd, FALLOC_FL_PUNCH_HOLE, 0, 10), EOPNOTSUPP);
  close(fd);
  fd = open(SHM, O_PATH);
  SB_ERRNO("falloc_opath_ebadf", fallocate(fd, 0, 0, 10), EBADF);
  close(fd);
  fd = open(SHM, O_WRONLY | O_APPEND);
  sb_case("falloc_append_only_fd_ok", fallocate(fd, 0, 0, 20000) == 0 && fsize(fd) == 20000);
  close(fd);
  /* posix_fallocate is fallocate(0) here. */
  fd = open(SHM, O_RDWR);
  int e = posix_fallocate(fd, 30000, 10);
  sb_value("posix_fallocate=%d size=%ld", e, fsize(fd));
  sb_case("posix_fallocate", e == 0 && fsize(fd) == 30010);
  close(fd);
  unlink(SHM);
}

static void test_memfd_seals(void) {
  int fd = memfd_create("sb_falloc", MFD_ALLOW_SEALING);
  ftruncate(fd, 4096);
  fcntl(fd, F_ADD_SEALS, F_SEAL_GROW);
  SB_ERRNO("falloc_seal_grow_eperm", fallocate(fd, 0, 0, 8192), EPERM);
  sb_case("falloc_seal_grow_inside_ok", fallocate(fd, 0, 0, 4096) == 0);
  fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE);
  SB_ERRNO("falloc_seal_write_punch_eperm",
           fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, 10), EPERM);
  close(fd);
}

static void test_other_files(void) {
  int p[2];
  pipe(p);
  SB_ERRNO("falloc_pipe_write_espipe", fallocate(p[1], 0, 0, 10), ESPIPE);
  SB_ERRNO("falloc_pipe_read_ebadf", fallocate(p[0], 0, 0, 10), EBADF);
  SB_ERRNO("fadvise_pipe_espipe", syscall(SYS_fadvise64, p[0], 0, 0, POSIX_FADV_NORMAL), ESPIPE);
  sb_case("posix_fadvise_pipe_espipe", posix_fadvise(p[0], 0, 0, POSIX_FADV_WILLNEED) == ESPIPE);
  SB_ERRNO("readahead_pipe_einval", readahead(p[0], 0, 10), EINVAL);
  SB_ERRNO("readahead_pipe_wronly_ebadf", readahead(p[1], 0, 10), EBADF);
  SB_ERRNO("sfr_pipe_espipe", sync_file_range(p[1], 0, 10, SYNC_FILE_RANGE_WRITE), ESPIPE);
  close(p[0]);
  close(p[1]);
  int fd = open("/dev/null", O_RDWR);
  SB_ERRNO("falloc_chardev_enodev", fallocate(fd, 0, 0, 10), ENODEV);
  SB_ERRNO("readahead_chardev_einval", readahead(fd, 0, 10), EINVAL);
  SB_ERRNO("sfr_chardev_espipe", sync_file_range(fd, 0, 10, 0), ESPIPE);
  sb_case("fadvise_chardev_ok", posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL) == 0);
  close(fd);
  int s[2];
  socketpair(AF_UNIX, SOCK_STREAM, 0, s);
  SB_ERRNO("falloc_socket_enodev", fallocate(s[0], 0, 0, 10), ENODEV);
  sb_case("fadvise_socket_ok", posix_fadvise(s[0], 0, 0, POSIX_FADV_NORMAL) == 0);
  close(s[0]);
  close(s[1]);
  fd = open("/dev/shm", O_RDONLY | O_DIRECTORY);
  SB_ERRNO("falloc_dir_rdonly_ebadf", fallocate(fd, 0, 0, 10), EBADF);
  SB_ERRNO("readahead_dir_einval", readahead(fd, 0, 10), EINVAL);
  sb_case("sfr_dir_ok", sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE) == 0);
  close(fd);
}

static void test_advise(void) {
  int fd = open(SHM, O_RDWR | O_CREAT | O_TRUNC, 0600);
  write(fd, "data", 4);
  int advs[] = {POSIX_FADV_NORMAL,   POSIX_FADV_RANDOM,   POSIX_FADV_SEQUENTIAL,
                POSIX_FADV_WILLNEED, POSIX_FADV_DONTNEED, POSIX_FADV_NOREUSE};
  int ok = 1;
  for (int i = 0; i < 6; i++) ok &= posix_fadvise(fd, 0, 0, advs[i]) == 0;
  sb_case("fadvise_all_advice_ok", ok);
  SB_ERRNO("fadvise_bad_advice_einval", syscall(SYS_fadvise64, fd, 0, 0, 6), EINVAL);
  SB_ERRNO("fadvise_bad_advice_big_einval", syscall(SYS_fadvise64, fd, 0, 0, 100), EINVAL);
  SB_ERRNO("fadvise_negative_len_einval",
           syscall(SYS_fadvise64, fd, 0, -1L, POSIX_FADV_NORMAL), EINVAL);
  sb_case("fadvise_negative_offset_ok",
          syscall(SYS_fadvise64, fd, -4096L, 10, POSIX_FADV_NORMAL) == 0);
  SB_ERRNO("fadvise_badfd_ebadf", syscall(SYS_fadvise64, 999, 0, 0, POSIX_FADV_NORMAL), EBADF);
  sb_case("readahead_tmpfs_ok", readahead(fd, 0, 4096) == 0);
  SB_ERRNO("readahead_badfd_ebadf", readahead(999, 0, 10), EBADF);
  sb_case("sfr_tmpfs_ok", sync_file_range(fd, 0, 4, SYNC_FILE_RANGE_WAIT_BEFORE |
                                                        SYNC_FILE_RANGE_WRITE |
                                                        SYNC_FILE_RANGE_WAIT_AFTER) == 0);
  sb_case("sfr_zero_nbytes_ok", sync_file_range(fd, 100, 0, SYNC_FILE_RANGE_WRITE) == 0);
  SB_ERRNO("sfr_bad_flags_einval", sync_file_range(fd, 0, 4, 8), EINVAL);
  SB_ERRNO("sfr_negative_offset_einval", sync_file_range(fd, -1, 4, 0), EINVAL);
  SB_ERRNO("sfr_negative_nbytes_einval", sync_file_range(fd, 0, -4, 0), EINVAL);
  SB_ERRNO("sfr_wrap_einval", sync_file_range(fd, 0x7fffffffffffff00L, 0x1000, 0), EINVAL);
  SB_ERRNO("sfr_badfd_ebadf", sync_file_range(999, 0, 4, 0), EBADF);
  close(fd);
  fd = open(SHM, O_PATH);
  SB_ERRNO("fadvise_opath_ebadf", syscall(SYS_fadvise64, fd, 0, 0, POSIX_FADV_NORMAL), EBADF);
  close(fd);
  fd = open("/proc/self/exe", O_RDONLY);  /* host-backed in the sandbox */
  sb_case("fadvise_host_file_ok", posix_fadvise(fd, 0, 0, POSIX_FADV_WILLNEED) == 0);
  sb_case("readahead_host_file_ok", readahead(fd, 0, 4096) == 0);
  sb_case("sfr_host_file_ok", sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE) == 0);
  SB_ERRNO("falloc_host_rdonly_ebadf", fallocate(fd, 0, 0, 10), EBADF);
  close(fd);
  unlink(SHM);
}

static void fsize_child(void* arg) {
  (void)arg;
  signal(SIGXFSZ, SIG_IGN);
  struct rlimit rl = {65536, 65536};
  setrlimit(RLIMIT_FSIZE, &rl);
  int fd = open(SHM, O_RDWR | O_CREAT | O_TRUNC, 0600);
  errno = 0;
  int r = fallocate(fd, 0, 0, 65537);
  printf("  over limit: r=%d %s\n", r, strerrorname_np(errno));
  errno = 0;
  r = fallocate(fd, FALLOC_FL_KEEP_SIZE, 60000, 10000);
  printf("  keep_size over limit: r=%d %s\n", r, strerrorname_np(errno));
  r = fallocate(fd, 0, 0, 65536);
  printf("  at limit: r=%d size=%ld\n", r, fsize(fd));
  r = fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, 1 << 20);
  printf("  punch past limit: r=%d\n", r);
  r = fallocate(fd, 0, 100, 1 << 20);
  printf("  inside but past limit: r=%d %s\n", r, strerrorname_np(errno));
  close(fd);
  signal(SIGXFSZ, SIG_DFL);
  fallocate(open(SHM, O_RDWR), 0, 0, 1 << 20);
  _exit(3);
}

static void test_rlimit(void) {
  int st = sb_in_child(fsize_child, NULL);
  sb_case("falloc_rlimit_fsize_efbig_sigxfsz", sb_killed_by(st, SIGXFSZ));
  unlink(SHM);
}

int main(void) {
  sb_init();
  test_tmpfs();
  test_memfd_seals();
  test_other_files();
  test_advise();
  test_rlimit();
  return sb_finish();
}
