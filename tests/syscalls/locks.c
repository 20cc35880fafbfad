/* Advisory locks: flock(2) and fcntl(2) record locks (POSIX and OFD), with
 * conflicts checked from forked children. Prints lock types, ranges and
 * errnos; pids only as "is the parent". See sbtest.h for the contract. */
#include "sbtest.h"

#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>

static char dir[PATH_MAX];

static void on_alarm(int sig) { (void)sig; }

/* Interrupts the next blocking call after `ms` milliseconds (no SA_RESTART). */
static void alarm_in(int ms) {
  sb_set_handler(SIGALRM, (void*)on_alarm, 0);
  struct itimerval it = {{0, 0}, {ms / 1000, (ms % 1000) * 1000}};
  setitimer(ITIMER_REAL, &it, NULL);
}

static void pause_ms(int ms) {
  struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
  nanosleep(&ts, NULL);
}

static int open_rw(void) { return open("lockfile", O_RDWR); }

/* Runs fn in a child and returns its exit status (or -1). */
static int child_status(int (*fn)(void)) {
  pid_t pid = fork();
  if (pid == 0) _exit(fn());
  int st = 0;
  if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st)) return -1;
  return WEXITSTATUS(st);
}

static int set_lock(int fd, int cmd, short type, short whence, off_t start, off_t len) {
  struct flock fl = {0};
  fl.l_type = type;
  fl.l_whence = whence;
  fl.l_start = start;
  fl.l_len = len;
  return fcntl(fd, cmd, &fl);
}

/* ---- flock ---- */

static int g_fd; /* a descriptor for children to use */

/* The inherited descriptor is the same open file description. */
static int child_flock_inherited_fd(void) { return flock(g_fd, LOCK_EX | LOCK_NB) == 0 ? 0 : 1; }

static int child_flock_new_fd(void) {
  int fd = open_rw();
  if (flock(fd, LOCK_EX | LOCK_NB) == 0) return 1;
  return errno == EWOULDBLOCK ? 0 : 2;
}

static int child_flock_blocks(void) {
  int fd = open_rw();
  /* Blocks until the parent unlocks. */
  return flock(fd, LOCK_EX) == 0 ? 0 : 1;
}

static int child_flock_eintr(void) {
  int fd = open_rw();
  alarm_in(100);
  int rc = flock(fd, LOCK_EX);
  return rc == -1 && errno == EINTR ? 0 : 1;
}

static void test_flock(void) {
  int a = open_rw(), b = open_rw(), c = open_rw();
  sb_case("flock_ex", flock(a, LOCK_EX) == 0);
  SB_ERRNO("flock_ex_conflict_ewouldblock", flock(b, LOCK_EX | LOCK_NB), EWOULDBLOCK);
  SB_ERRNO("flock_sh_vs_ex_ewouldblock", flock(b, LOCK_SH | LOCK_NB), EWOULDBLOCK);
  int a2 = dup(a);
  sb_case("flock_same_description_ok", flock(a2, LOCK_EX | LOCK_NB) == 0);
  sb_case("flock_relock_same_type_ok", flock(a, LOCK_EX | LOCK_NB) == 0);
  g_fd = a;
  sb_case("flock_inherited_description_in_child", child_status(child_flock_inherited_fd) == 0);
  sb_case("flock_new_open_in_child_blocked", child_status(child_flock_new_fd) == 0);
  close(a);
  SB_ERRNO("flock_kept_while_dup_open", flock(b, LOCK_EX | LOCK_NB), EWOULDBLOCK);
  close(a2);
  sb_case("flock_released_on_last_close", flock(b, LOCK_EX | LOCK_NB) == 0);
  sb_case("flock_unlock", flock(b, LOCK_UN) == 0 && flock(c, LOCK_EX | LOCK_NB) == 0);
  flock(c, LOCK_UN);

  a = open_rw();
  sb_case("flock_shared_twice", flock(a, LOCK_SH) == 0 && flock(b, LOCK_SH | LOCK_NB) == 0);
  SB_ERRNO("flock_ex_vs_shared_ewouldblock", flock(c, LOCK_EX | LOCK_NB), EWOULDBLOCK);
  /* A failed conversion loses the old lock (Linux drops it first). */
  SB_ERRNO("flock_upgrade_conflict_ewouldblock", flock(a, LOCK_EX | LOCK_NB), EWOULDBLOCK);
  sb_case("flock_failed_upgrade_dropped_lock", flock(b, LOCK_EX | LOCK_NB) == 0);
  sb_case("flock_downgrade", flock(b, LOCK_SH) == 0 && flock(c, LOCK_SH | LOCK_NB) == 0);
  flock(b, LOCK_UN);
  flock(c, LOCK_UN);

  flock(a, LOCK_EX);
  pid_t pid = fork();
  if (pid == 0) _exit(child_flock_blocks());
  pause_ms(100);
  flock(a, LOCK_UN);
  int st = 0;
  waitpid(pid, &st, 0);
  sb_case("flock_blocking_waits_for_unlock", WIFEXITED(st) && WEXITSTATUS(st) == 0);
  flock(a, LOCK_EX);
  sb_case("flock_blocking_interrupted_eintr", child_status(child_flock_eintr) == 0);
  flock(a, LOCK_UN);

  SB_ERRNO("flock_bad_op_einval", flock(a, 7), EINVAL);
  SB_ERRNO("flock_nb_alone_einval", flock(a, LOCK_NB), EINVAL);
  SB_ERRNO("flock_bad_fd_ebadf", flock(9999, LOCK_EX), EBADF);
  int p = open("lockfile", O_PATH);
  SB_ERRNO("flock_o_path_ebadf", flock(p, LOCK_EX), EBADF);
  close(p);
  sb_case("flock_lock_mand_ignored", flock(a, LOCK_MAND | LOCK_READ) == 0);

  int pp[2];
  pipe(pp);
  sb_case("flock_pipe", flock(pp[0], LOCK_EX) == 0);
  SB_ERRNO("flock_pipe_other_end_ewouldblock", flock(pp[1], LOCK_EX | LOCK_NB), EWOULDBLOCK);
  close(pp[0]);
  close(pp[1]);

  /* flock and record locks do not see each other. */
  set_lock(a, F_SETLK, F_WRLCK, SEEK_SET, 0, 0);
  sb_case("flock_ignores_record_locks", flock(b, LOCK_EX | LOCK_NB) == 0);
  set_lock(a, F_SETLK, F_UNLCK, SEEK_SET, 0, 0);
  flock(b, LOCK_UN);
  close(a);
  close(b);
  close(c);
}

/* ---- POSIX record locks ---- */

/* What F_GETLK reports for [start, start+len) from a child, printed. */
static struct flock child_view;
static int child_getlk_fn(void) {
  int fd = open_rw();
  struct flock fl = child_view;
  if (fcntl(fd, F_GETLK, &fl) != 0) return 255;
  const char* t = fl.l_type == F_UNLCK ? "unlck" : fl.l_type == F_RDLCK ? "rdlck" : "wrlck";
  sb_value("getlk [%lld,+%lld) -> %s start=%lld len=%lld whence=%d parent=%d",
           (long long)child_view.l_start, (long long)child_view.l_len, t, (long long)fl.l_start,
           (long long)fl.l_len, fl.l_whence, fl.l_type == F_UNLCK ? 0 : fl.l_pid == getppid());
  return 0;
}

static void child_getlk(const char* name, short type, off_t start, off_t len) {
  memset(&child_view, 0, sizeof child_view);
  child_view.l_type = type;
  child_view.l_whence = SEEK_SET;
  child_view.l_start = start;
  child_view.l_len = len;
  sb_case(name, child_status(child_getlk_fn) == 0);
}

static struct flock child_req;
static int child_setlk_fn(void) {
  int fd = open_rw();
  struct flock fl = child_req;
  if (fcntl(fd, F_SETLK, &fl) == 0) return 0;
  return errno == EAGAIN ? 11 : 12;
}

/* The child's F_SETLK result: 0 locked, 11 EAGAIN, 12 other. */
static int child_setlk(short type, off_t start, off_t len) {
  memset(&child_req, 0, sizeof child_req);
  child_req.l_type = type;
  child_req.l_whence = SEEK_SET;
  child_req.l_start = start;
  child_req.l_len = len;
  return child_status(child_setlk_fn);
}

static int child_setlkw_fn(void) {
  int fd = open_rw();
  return set_lock(fd, F_SETLKW, F_WRLCK, SEEK_SET, 0, 10) == 0 ? 0 : 1;
}

static int child_setlkw_eintr_fn(void) {
  int fd = open_rw();
  alarm_in(100);
  int rc = set_lock(fd, F_SETLKW, F_WRLCK, SEEK_SET, 0, 10);
  return rc == -1 && errno == EINTR ? 0 : 1;
}

static void test_posix_locks(void) {
  int fd = open_rw();
  sb_case("setlk_write", set_lock(fd, F_SETLK, F_WRLCK, SEEK_SET, 0, 10) == 0);
  struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 10};
  sb_case("getlk_own_lock_unlck", fcntl(fd, F_GETLK, &fl) == 0 && fl.l_type == F_UNLCK);
  child_getlk("getlk_from_child", F_WRLCK, 5, 1);
  sb_case("setlk_conflict_eagain", child_setlk(F_WRLCK, 5, 1) == 11);
  sb_case("setlk_read_vs_write_eagain", child_setlk(F_RDLCK, 0, 1) == 11);
  sb_case("setlk_disjoint_ok", child_setlk(F_WRLCK, 10, 10) == 0);
  sb_case("setlk_relock_own_range", set_lock(fd, F_SETLK, F_WRLCK, SEEK_SET, 2, 3) == 0);

  /* Split [0,10) by unlocking [3,5), then merge it back. */
  set_lock(fd, F_SETLK, F_UNLCK, SEEK_SET, 3, 2);
  child_getlk("unlock_splits_hole", F_WRLCK, 3, 2);
  child_getlk("unlock_splits_left", F_WRLCK, 0, 3);
  child_getlk("unlock_splits_right", F_WRLCK, 5, 1);
  set_lock(fd, F_SETLK, F_WRLCK, SEEK_SET, 3, 2);
  child_getlk("adjacent_locks_merge", F_WRLCK, 0, 100);
  /* Downgrade part to a read lock: readers may share it, writers not. */
  set_lock(fd, F_SETLK, F_RDLCK, SEEK_SET, 4, 2);
  child_getlk("downgrade_middle", F_WRLCK, 4, 2);
  sb_case("read_lock_shared_with_child", child_setlk(F_RDLCK, 4, 2) == 0);
  sb_case("read_lock_blocks_writer", child_setlk(F_WRLCK, 4, 1) == 11);
  set_lock(fd, F_SETLK, F_UNLCK, SEEK_SET, 0, 0);
  child_getlk("unlock_to_eof_clears_all", F_WRLCK, 0, 0);

  sb_case("setlk_negative_len", set_lock(fd, F_SETLK, F_WRLCK, SEEK_SET, 10, -5) == 0);
  child_getlk("negative_len_range", F_WRLCK, 0, 100);
  set_lock(fd, F_SETLK, F_UNLCK, SEEK_SET, 0, 0);
  sb_case("setlk_to_eof", set_lock(fd, F_SETLK, F_WRLCK, SEEK_SET, 100, 0) == 0);
  child_getlk("len_zero_means_to_eof", F_RDLCK, 1000, 5);
  set_lock(fd, F_SETLK, F_UNLCK, SEEK_SET, 0, 0);
  ftruncate(fd, 50);
  sb_case("setlk_seek_end", set_lock(fd, F_SETLK, F_WRLCK, SEEK_END, -10, 5) == 0);
  child_getlk("seek_end_range", F_WRLCK, 0, 100);
  set_lock(fd, F_SETLK, F_UNLCK, SEEK_SET, 0, 0);
  lseek(fd, 20, SEEK_SET);
  sb_case("setlk_seek_cur", set_lock(fd, F_SETLK, F_WRLCK, SEEK_CUR, 2, 3) == 0);
  child_getlk("seek_cur_range", F_WRLCK, 0, 100);
  set_lock(fd, F_SETLK, F_UNLCK, SEEK_SET, 0, 0);

  /* Closing any descriptor of the file drops the process's locks on it. */
  set_lock(fd, F_SETLK, F_WRLCK, SEEK_SET, 0, 10);
  int other = open_rw();
  close(other);
  sb_case("close_of_any_fd_releases_posix_locks", child_setlk(F_WRLCK, 0, 10) == 0);

  set_lock(fd, F_SETLK, F_WRLCK, SEEK_SET, 0, 10);
  pid_t pid = fork();
  if (pid == 0) _exit(child_setlkw_fn());
  pause_ms(100);
  set_lock(fd, F_SETLK, F_UNLCK, SEEK_SET, 0, 10);
  int st = 0;
  waitpid(pid, &st, 0);
  sb_case("setlkw_waits_for_unlock", WIFEXITED(st) && WEXITSTATUS(st) == 0);
  set_lock(fd, F_SETLK, F_WRLCK, SEEK_SET, 0, 10);
  sb_case("setlkw_interrupted_eintr", child_status(child_setlkw_eintr_fn) == 0);
  set_lock(fd, F_SETLK, F_UNLCK, SEEK_SET, 0, 0);

  SB_ERRNO("setlk_bad_type_einval", set_lock(fd, F_SETLK, 42, SEEK_SET, 0, 1), EINVAL);
  SB_ERRNO("setlk_bad_whence_einval", set_lock(fd, F_SETLK, F_WRLCK, 7, 0, 1), EINVAL);
  SB_ERRNO("setlk_negative_start_einval", set_lock(fd, F_SETLK, F_WRLCK, SEEK_SET, -1, 1), EINVAL);
  SB_ERRNO("setlk_negative_len_before_zero_einval", set_lock(fd, F_SETLK, F_WRLCK, SEEK_SET, 2, -5),
           EINVAL);
  SB_ERRNO("setlk_overflow_eoverflow", set_lock(fd, F_SETLK, F_WRLCK, SEEK_SET, LLONG_MAX, 2),
           EOVERFLOW);
  struct flock un = {.l_type = F_UNLCK, .l_whence = SEEK_SET};
  SB_ERRNO("getlk_unlck_einval", fcntl(fd, F_GETLK, &un), EINVAL);
  SB_ERRNO("setlk_bad_fd_ebadf", set_lock(9999, F_SETLK, F_WRLCK, SEEK_SET, 0, 1), EBADF);
  int ro = open("lockfile", O_RDONLY);
  SB_ERRNO("setlk_write_on_rdonly_ebadf", set_lock(ro, F_SETLK, F_WRLCK, SEEK_SET, 0, 1), EBADF);
  sb_case("setlk_read_on_rdonly", set_lock(ro, F_SETLK, F_RDLCK, SEEK_SET, 0, 1) == 0);
  close(ro);
  int wo = open("lockfile", O_WRONLY);
  SB_ERRNO("setlk_read_on_wronly_ebadf", set_lock(wo, F_SETLK, F_RDLCK, SEEK_SET, 0, 1), EBADF);
  close(wo);
  int p = open("lockfile", O_PATH);
  SB_ERRNO("setlk_o_path_ebadf", set_lock(p, F_SETLK, F_RDLCK, SEEK_SET, 0, 1), EBADF);
  close(p);
  sb_case("unlock_without_locks", set_lock(fd, F_SETLK, F_UNLCK, SEEK_SET, 0, 0) == 0);
  close(fd);
}

/* Deadlock: the parent holds byte 0 and the child byte 1; the child waits
 * for byte 0, then the parent asking for byte 1 would close the cycle. */
static int deadlock_pipe[2];
static int child_deadlock_fn(void) {
  int fd = open_rw();
  if (set_lock(fd, F_SETLK, F_WRLCK, SEEK_SET, 1, 1) != 0) return 1;
  write(deadlock_pipe[1], "r", 1);
  /* Blocks until the parent lets byte 0 go. */
  return set_lock(fd, F_SETLKW, F_WRLCK, SEEK_SET, 0, 1) == 0 ? 0 : 2;
}

static void test_deadlock(void) {
  int fd = open_rw();
  set_lock(fd, F_SETLK, F_WRLCK, SEEK_SET, 0, 1);
  pipe(deadlock_pipe);
  pid_t pid = fork();
  if (pid == 0) _exit(child_deadlock_fn());
  char c;
  read(deadlock_pipe[0], &c, 1);
  pause_ms(150); /* let the child block */
  SB_ERRNO("setlkw_deadlock_edeadlk", set_lock(fd, F_SETLKW, F_WRLCK, SEEK_SET, 1, 1), EDEADLK);
  set_lock(fd, F_SETLK, F_UNLCK, SEEK_SET, 0, 1);
  int st = 0;
  waitpid(pid, &st, 0);
  sb_case("deadlock_child_gets_lock", WIFEXITED(st) && WEXITSTATUS(st) == 0);
  close(deadlock_pipe[0]);
  close(deadlock_pipe[1]);
  close(fd);
}

/* ---- OFD locks ---- */

static int ofd_fd;
static int child_ofd_setlkw_fn(void) {
  close(ofd_fd); /* the parent's copy alone keeps the description */
  int fd = open_rw();
  return set_lock(fd, F_OFD_SETLKW, F_WRLCK, SEEK_SET, 0, 10) == 0 ? 0 : 1;
}

static void test_ofd_locks(void) {
  int a = open_rw(), b = open_rw();
  sb_case("ofd_setlk", set_lock(a, F_OFD_SETLK, F_WRLCK, SEEK_SET, 0, 10) == 0);
  SB_ERRNO("ofd_other_description_eagain", set_lock(b, F_OFD_SETLK, F_WRLCK, SEEK_SET, 5, 1),
           EAGAIN);
  int a2 = dup(a);
  sb_case("ofd_same_description_ok", set_lock(a2, F_OFD_SETLK, F_WRLCK, SEEK_SET, 5, 1) == 0);
  struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 1};
  int rc = fcntl(b, F_OFD_GETLK, &fl);
  sb_value("ofd getlk type=%d start=%lld len=%lld pid=%d", fl.l_type, (long long)fl.l_start,
           (long long)fl.l_len, fl.l_pid);
  sb_case("ofd_getlk_pid_minus_one", rc == 0 && fl.l_type == F_WRLCK && fl.l_pid == -1);
  SB_ERRNO("posix_vs_ofd_same_process_eagain", set_lock(b, F_SETLK, F_WRLCK, SEEK_SET, 0, 1),
           EAGAIN);
  struct flock pfl = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 1};
  rc = fcntl(b, F_GETLK, &pfl);
  sb_case("posix_getlk_sees_ofd_pid_minus_one",
          rc == 0 && pfl.l_type == F_WRLCK && pfl.l_pid == -1);
  struct flock bad = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_pid = 1};
  SB_ERRNO("ofd_setlk_nonzero_pid_einval", fcntl(b, F_OFD_SETLK, &bad), EINVAL);
  SB_ERRNO("ofd_getlk_nonzero_pid_einval", fcntl(b, F_OFD_GETLK, &bad), EINVAL);
  int c = open_rw();
  close(c);
  SB_ERRNO("ofd_kept_after_other_close", set_lock(b, F_OFD_SETLK, F_WRLCK, SEEK_SET, 0, 1), EAGAIN);
  close(a);
  SB_ERRNO("ofd_kept_while_dup_open", set_lock(b, F_OFD_SETLK, F_WRLCK, SEEK_SET, 0, 1), EAGAIN);
  close(a2);
  sb_case("ofd_released_on_last_close", set_lock(b, F_OFD_SETLK, F_WRLCK, SEEK_SET, 0, 1) == 0);
  set_lock(b, F_OFD_SETLK, F_UNLCK, SEEK_SET, 0, 0);

  ofd_fd = open_rw();
  set_lock(ofd_fd, F_OFD_SETLK, F_WRLCK, SEEK_SET, 0, 10);
  pid_t pid = fork();
  if (pid == 0) _exit(child_ofd_setlkw_fn());
  pause_ms(100);
  close(ofd_fd);
  int st = 0;
  waitpid(pid, &st, 0);
  sb_case("ofd_setlkw_waits_for_close", WIFEXITED(st) && WEXITSTATUS(st) == 0);
  close(b);
}

int main(void) {
  sb_init();
  strcpy(dir, "/tmp/sb-locks-XXXXXX");
  if (!mkdtemp(dir) || chdir(dir) != 0) {
    sb_case("setup_tmp_dir", 0);
    return sb_finish();
  }
  int fd = open("lockfile", O_RDWR | O_CREAT, 0644);
  close(fd);
  test_flock();
  test_posix_locks();
  test_deadlock();
  test_ofd_locks();
  unlink("lockfile");
  chdir("/");
  int rc = rmdir(dir);
  sb_case("cleanup_rmdir_tmp_dir", sb_succeeds("rmdir", rc));
  return sb_finish();
}
