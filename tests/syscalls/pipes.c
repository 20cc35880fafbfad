/* Pipes: capacity and F_GETPIPE_SZ/F_SETPIPE_SZ, PIPE_BUF atomicity,
 * O_NONBLOCK, EPIPE and SIGPIPE, pipe2 flags, FIONREAD and errors.
 * See sbtest.h. */
#include "sbtest.h"

#include <fcntl.h>
#include <limits.h>
#include <sys/ioctl.h>
#include <sys/stat.h>

static char big[1 << 17];

static void nonblock(int fd) { fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK); }

static long fill(int fd, size_t chunk) {
  long total = 0;
  for (;;) {
    ssize_t n = write(fd, big, chunk);
    if (n <= 0) break;
    total += n;
  }
  return total;
}

static void test_capacity(void) {
  int p[2];
  pipe(p);
  int sz = fcntl(p[0], F_GETPIPE_SZ);
  sb_value("default size=%d", sz);
  sb_case("f_getpipe_sz_default_65536", sz == 65536);
  nonblock(p[1]);
  errno = 0;
  long total = fill(p[1], 4096);
  sb_value("filled=%ld errno=%s", total, strerrorname_np(errno));
  sb_case("nonblock_full_pipe_eagain_after_capacity", total == 65536 && errno == EAGAIN);
  SB_ERRNO("f_setpipe_sz_below_used_ebusy", fcntl(p[1], F_SETPIPE_SZ, 4096), EBUSY);
  int avail = -1;
  ioctl(p[0], FIONREAD, &avail);
  sb_case("fionread_counts_bytes", avail == 65536);
  close(p[0]);
  close(p[1]);

  pipe(p);
  nonblock(p[1]);
  total = fill(p[1], 1);
  sb_case("nonblock_byte_writes_fill_65536", total == 65536);
  close(p[0]);
  close(p[1]);

  pipe(p);
  int r1 = fcntl(p[0], F_SETPIPE_SZ, 5000);
  int r2 = fcntl(p[0], F_GETPIPE_SZ);
  sb_value("setpipe 5000 -> %d, get %d", r1, r2);
  sb_case("f_setpipe_sz_rounds_to_pages_pow2", r1 == 8192 && r2 == 8192);
  r1 = fcntl(p[1], F_SETPIPE_SZ, 1);
  sb_case("f_setpipe_sz_min_one_page", r1 == 4096);
  r1 = fcntl(p[1], F_SETPIPE_SZ, 3 * 4096 + 1);
  sb_case("f_setpipe_sz_rounds_up_pow2_pages", r1 == 16384);
  nonblock(p[1]);
  total = fill(p[1], 4096);
  sb_case("capacity_follows_setpipe_sz", total == 16384);
  close(p[0]);
  close(p[1]);
  SB_ERRNO("f_setpipe_sz_bad_fd_ebadf", fcntl(999, F_SETPIPE_SZ, 4096), EBADF);
}

static void test_atomic(void) {
  int p[2];
  pipe(p);
  nonblock(p[1]);
  ssize_t n = write(p[1], big, 65536 - 1000);
  errno = 0;
  ssize_t a = write(p[1], big, PIPE_BUF);
  sb_case("pipe_buf_write_no_room_eagain_not_partial", n == 64536 && a == -1 && errno == EAGAIN);
  ssize_t b = write(p[1], big, 1000);
  sb_value("small write into remaining room returned %zd", b);
  sb_case("small_write_fits_remaining_room", b == 1000);
  close(p[0]);
  close(p[1]);

  /* Four writers of 512-byte records; each record must arrive whole. */
  pipe(p);
  for (int w = 0; w < 4; w++) {
    if (fork() == 0) {
      char rec[512];
      memset(rec, 'A' + w, sizeof rec);
      for (int i = 0; i < 200; i++) write(p[1], rec, sizeof rec);
      _exit(0);
    }
  }
  close(p[1]);
  int counts[4] = {0}, torn = 0;
  char rec[512];
  for (;;) {
    size_t got = 0;
    while (got < sizeof rec) {
      ssize_t r = read(p[0], rec + got, sizeof rec - got);
      if (r <= 0) break;
      got += (size_t)r;
    }
    if (got == 0) break;
    int ok = got == sizeof rec && rec[0] >= 'A' && rec[0] <= 'D';
    for (size_t i = 1; ok && i < sizeof rec; i++) ok = rec[i] == rec[0];
    if (ok)
      counts[rec[0] - 'A']++;
    else
      torn++;
  }
  while (wait(NULL) > 0) {
  }
  close(p[0]);
  sb_value("records %d %d %d %d torn=%d", counts[0], counts[1], counts[2], counts[3], torn);
  sb_case("pipe_buf_writes_atomic_many_writers", torn == 0 && counts[0] == 200 &&
                                                     counts[1] == 200 && counts[2] == 200 &&
                                                     counts[3] == 200);

  pipe(p);
  pid_t c = fork();
  if (c == 0) {
    close(p[0]);
    ssize_t w = write(p[1], big, sizeof big);
    _exit(w == (ssize_t)sizeof big ? 0 : 1);
  }
  close(p[1]);
  long total = 0;
  ssize_t r;
  while ((r = read(p[0], big, 3000)) > 0) total += r;
  int st;
  waitpid(c, &st, 0);
  close(p[0]);
  sb_case("blocking_write_larger_than_capacity_completes",
          total == (long)sizeof big && WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

static volatile int pipe_hits;
static siginfo_t pipe_info;
static void on_pipe(int sig, siginfo_t* si, void* uc) {
  (void)sig;
  (void)uc;
  pipe_info = *si;
  pipe_hits++;
}

static void write_to_closed(void* arg) {
  (void)arg;
  int p[2];
  pipe(p);
  close(p[0]);
  write(p[1], "x", 1);
  _exit(0);
}

static void test_epipe(void) {
  int p[2];
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = on_pipe;
  sa.sa_flags = SA_SIGINFO;
  sigaction(SIGPIPE, &sa, NULL);
  pipe(p);
  close(p[0]);
  errno = 0;
  ssize_t n = write(p[1], "x", 1);
  sb_case("write_no_reader_epipe", n == -1 && errno == EPIPE);
  sb_value("sigpipe code=%d", pipe_info.si_code);
  sb_case("sigpipe_handler_runs", pipe_hits == 1 && pipe_info.si_signo == SIGPIPE);
  sb_case("sigpipe_si_code_si_user", pipe_info.si_code == SI_USER);

  signal(SIGPIPE, SIG_IGN);
  SB_ERRNO("write_no_reader_sig_ign_epipe", write(p[1], "x", 1), EPIPE);
  signal(SIGPIPE, SIG_DFL);
  sigset_t b, pend;
  sigemptyset(&b);
  sigaddset(&b, SIGPIPE);
  sigprocmask(SIG_BLOCK, &b, NULL);
  SB_ERRNO("write_no_reader_blocked_epipe", write(p[1], "x", 1), EPIPE);
  sigpending(&pend);
  sb_case("sigpipe_pending_when_blocked", sigismember(&pend, SIGPIPE));
  signal(SIGPIPE, SIG_IGN);
  sigprocmask(SIG_UNBLOCK, &b, NULL);
  signal(SIGPIPE, SIG_DFL);
  close(p[1]);

  int st = sb_in_child(write_to_closed, NULL);
  sb_case("sigpipe_default_kills_writer", sb_killed_by(st, SIGPIPE));
}

static void test_misc(void) {
  int p[2];
  sb_case("pipe2_cloexec_nonblock", pipe2(p, O_CLOEXEC | O_NONBLOCK) == 0 &&
                                        fcntl(p[0], F_GETFD) == FD_CLOEXEC &&
                                        (fcntl(p[1], F_GETFL) & O_NONBLOCK));
  sb_case("pipe_access_modes", (fcntl(p[0], F_GETFL) & O_ACCMODE) == O_RDONLY &&
                                   (fcntl(p[1], F_GETFL) & O_ACCMODE) == O_WRONLY);
  char c;
  SB_ERRNO("nonblock_read_empty_eagain", read(p[0], &c, 1), EAGAIN);
  SB_ERRNO("write_on_read_end_ebadf", write(p[0], "x", 1), EBADF);
  SB_ERRNO("read_on_write_end_ebadf", read(p[1], &c, 1), EBADF);
  SB_ERRNO("lseek_pipe_espipe", lseek(p[0], 0, SEEK_SET), ESPIPE);
  struct stat sst;
  fstat(p[0], &sst);
  sb_case("fstat_pipe_is_fifo", S_ISFIFO(sst.st_mode));
  write(p[1], "hello", 5);
  char buf[16];
  ssize_t n = read(p[0], buf, sizeof buf);
  sb_case("read_returns_available_partial", n == 5 && memcmp(buf, "hello", 5) == 0);
  close(p[1]);
  sb_case("read_eof_after_writer_closed", read(p[0], buf, sizeof buf) == 0);
  close(p[0]);
  SB_ERRNO("pipe2_bad_flags_einval", pipe2(p, O_APPEND), EINVAL);
  SB_ERRNO("pipe_bad_ptr_efault", pipe((int*)8), EFAULT);
}

int main(void) {
  sb_init();
  test_capacity();
  test_atomic();
  test_epipe();
  test_misc();
  return sb_finish();
}
