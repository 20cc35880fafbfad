/* Resource limits that are enforced: RLIMIT_NOFILE, RLIMIT_FSIZE (SIGXFSZ,
 * EFBIG, short writes), RLIMIT_AS (mmap, brk), RLIMIT_NPROC (fork). */
#include "sbtest.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/resource.h>

static volatile sig_atomic_t xfsz;
static void on_xfsz(int sig) { xfsz = sig; }

static void fsize_limits(void) {
  char path[64];
  snprintf(path, sizeof(path), "/tmp/sb-rlimit-%d", (int)getpid() % 2);
  int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
  signal(SIGXFSZ, on_xfsz);
  /* Only the soft limit, restored before printing: stdout may be a file. */
  struct rlimit rl = {100, RLIM_INFINITY}, unlimited = {RLIM_INFINITY, RLIM_INFINITY};
  int set_ok = setrlimit(RLIMIT_FSIZE, &rl) == 0;
  char buf[150];
  memset(buf, 'x', sizeof(buf));
  ssize_t n1 = write(fd, buf, sizeof(buf));
  errno = 0;
  ssize_t n2 = write(fd, buf, 1);
  int e2 = errno;
  ssize_t n3 = pwrite(fd, buf, 10, 95);
  setrlimit(RLIMIT_FSIZE, &unlimited);
  sb_case("set_fsize", set_ok);
  sb_value("short write: %zd", n1);
  sb_case("fsize_short_write", n1 == 100);
  sb_value("at limit: %zd %s sig=%d", n2, strerrorname_np(e2), (int)xfsz);
  sb_case("fsize_efbig_and_sigxfsz", n2 == -1 && e2 == EFBIG && xfsz == SIGXFSZ);
  sb_case("fsize_pwrite_short", n3 == 5);
  close(fd);
  unlink(path);
}

static void as_limits(void) {
  pid_t c = fork();
  if (c == 0) {
    struct rlimit rl = {256 << 20, 256 << 20};
    setrlimit(RLIMIT_AS, &rl);
    void* big = mmap(NULL, 512 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    int mmap_refused = big == MAP_FAILED && errno == ENOMEM;
    void* small = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    int small_ok = small != MAP_FAILED;
    void* cur = sbrk(0);
    int brk_refused = sbrk(512 << 20) == (void*)-1 && sbrk(0) == cur;
    _exit((mmap_refused ? 1 : 0) | (small_ok ? 2 : 0) | (brk_refused ? 4 : 0));
  }
  int st;
  waitpid(c, &st, 0);
  int r = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  sb_case("as_mmap_over_limit_enomem", r >= 0 && (r & 1));
  sb_case("as_mmap_under_limit_ok", r >= 0 && (r & 2));
  sb_case("as_brk_over_limit_refused", r >= 0 && (r & 4));
}

static void nproc_limits(void) {
  pid_t c = fork();
  if (c == 0) {
    if (setgid(65534) != 0 || setuid(65534) != 0) _exit(10);
    struct rlimit rl = {1, 1};
    if (setrlimit(RLIMIT_NPROC, &rl) != 0) _exit(11);
    pid_t g = fork();
    if (g == 0) _exit(0);
    _exit(g == -1 && errno == EAGAIN ? 0 : 12);
  }
  int st;
  waitpid(c, &st, 0);
  sb_value("nproc child: %d", WIFEXITED(st) ? WEXITSTATUS(st) : -1);
  sb_case("nproc_fork_eagain", WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

static void nofile_limits(void) {
  struct rlimit old;
  getrlimit(RLIMIT_NOFILE, &old);
  struct rlimit rl = {8, old.rlim_max};
  setrlimit(RLIMIT_NOFILE, &rl);
  int last = 0, err = 0;
  for (int i = 0; i < 16; i++) {
    int fd = open("/dev/null", O_RDONLY);
    if (fd < 0) {
      err = errno;
      break;
    }
    last = fd;
  }
  sb_value("last fd %d err %s", last, strerrorname_np(err));
  sb_case("nofile_emfile", last == 7 && err == EMFILE);
  errno = 0;
  sb_case("nofile_dup2_above_limit_ebadf", dup2(0, 9) == -1 && errno == EBADF);
  for (int fd = 3; fd <= 7; fd++) close(fd);
  setrlimit(RLIMIT_NOFILE, &old);
}

int main(void) {
  sb_init();
  fsize_limits();
  as_limits();
  nproc_limits();
  nofile_limits();
  return sb_finish();
}
