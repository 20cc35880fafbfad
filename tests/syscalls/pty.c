/* Pseudo-terminals: /dev/ptmx and /dev/pts, termios defaults, the line
 * discipline (canonical editing, echo, input and output processing, raw
 * VMIN/VTIME), ISIG signals, job control (controlling terminal, foreground
 * group, SIGTTIN/SIGTTOU), window size, hangup and readiness.
 * Prints no pty numbers or timings. See sbtest.h. */
#include "sbtest.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/time.h>
#include <termios.h>
#include <time.h>

static int open_master(void) {
  int m = posix_openpt(O_RDWR | O_NOCTTY);
  if (m < 0) return -1;
  if (grantpt(m) < 0 || unlockpt(m) < 0) return -1;
  return m;
}

/* A pair; the replica with `flags` (O_NOCTTY unless a test wants a ctty). */
static int open_pair(int* m, int* s, int flags) {
  *m = open_master();
  if (*m < 0) return -1;
  *s = open(ptsname(*m), O_RDWR | flags);
  return *s < 0 ? -1 : 0;
}

static void put(int fd, const char* s) {
  if (write(fd, s, strlen(s)) != (ssize_t)strlen(s)) sb_value("short write");
}

/* Reads exactly n bytes from fd (poll-waiting up to 5 s); returns count. */
static int read_n(int fd, char* buf, int n) {
  int got = 0;
  while (got < n) {
    struct pollfd p = {fd, POLLIN, 0};
    if (poll(&p, 1, 5000) <= 0) break;
    ssize_t r = read(fd, buf + got, n - got);
    if (r <= 0) break;
    got += r;
  }
  buf[got] = 0;
  return got;
}

/* Reads the master until it has `want` and compares. */
static int master_sees(int m, const char* want) {
  char buf[256];
  int n = read_n(m, buf, strlen(want));
  if (n == (int)strlen(want) && memcmp(buf, want, n) == 0) return 1;
  sb_value("master: got %d bytes:", n);
  for (int i = 0; i < n; i++) printf(" %02x", (unsigned char)buf[i]);
  printf("\n");
  return 0;
}

/* One read of the replica, blocking; compares with want. */
static int replica_reads(int s, int max, const char* want, int want_len) {
  char buf[256];
  ssize_t n = read(s, buf, max);
  if (n == want_len && memcmp(buf, want, want_len) == 0) return 1;
  sb_value("replica read: %zd errno=%s", n, n < 0 ? strerrorname_np(errno) : "-");
  return 0;
}

static void set_lflag(int fd, tcflag_t on, tcflag_t off) {
  struct termios t;
  tcgetattr(fd, &t);
  t.c_lflag = (t.c_lflag | on) & ~off;
  tcsetattr(fd, TCSANOW, &t);
}

static void set_raw(int fd, int vmin, int vtime) {
  struct termios t;
  tcgetattr(fd, &t);
  t.c_lflag &= ~(ICANON | ECHO);
  t.c_cc[VMIN] = vmin;
  t.c_cc[VTIME] = vtime;
  tcsetattr(fd, TCSANOW, &t);
}

static long ms_since(struct timespec* a) {
  struct timespec b;
  clock_gettime(CLOCK_MONOTONIC, &b);
  return (b.tv_sec - a->tv_sec) * 1000 + (b.tv_nsec - a->tv_nsec) / 1000000;
}

static void test_allocation(void) {
  int m = posix_openpt(O_RDWR | O_NOCTTY);
  sb_case("posix_openpt", sb_succeeds("posix_openpt", m));
  int lk = -1;
  ioctl(m, TIOCGPTLCK, &lk);
  sb_value("locked at first: %d", lk);
  sb_case("new_pty_locked", lk == 1);
  const char* name = ptsname(m);
  sb_case("ptsname_prefix", name && strncmp(name, "/dev/pts/", 9) == 0);
  int n = -1;
  ioctl(m, TIOCGPTN, &n);
  char expect[32];
  snprintf(expect, sizeof expect, "/dev/pts/%d", n);
  sb_case("tiocgptn_matches_ptsname", name && strcmp(name, expect) == 0);
  SB_ERRNO("open_locked_replica_eio", open(expect, O_RDWR | O_NOCTTY), EIO);
  SB_ERRNO("tiocgptpeer_locked_eio", ioctl(m, TIOCGPTPEER, O_RDWR | O_NOCTTY), EIO);
  sb_case("grantpt", sb_succeeds("grantpt", grantpt(m)));
  sb_case("unlockpt", sb_succeeds("unlockpt", unlockpt(m)));
  ioctl(m, TIOCGPTLCK, &lk);
  sb_case("unlocked_after_unlockpt", lk == 0);
  int s = open(expect, O_RDWR | O_NOCTTY);
  sb_case("open_replica", sb_succeeds("open", s));
  struct stat st;
  fstat(s, &st);
  sb_value("replica chr=%d major=%u minor_is_ptn=%d owner_is_me=%d", S_ISCHR(st.st_mode),
           major(st.st_rdev), (int)minor(st.st_rdev) == n, st.st_uid == getuid());
  sb_case("replica_stat", S_ISCHR(st.st_mode) && major(st.st_rdev) == 136);
  fstat(m, &st);
  sb_value("master chr=%d rdev=%u:%u", S_ISCHR(st.st_mode), major(st.st_rdev), minor(st.st_rdev));
  sb_case("master_stat_ptmx", S_ISCHR(st.st_mode) && st.st_rdev == makedev(5, 2));
  int peer = ioctl(m, TIOCGPTPEER, O_RDWR | O_NOCTTY);
  sb_case("tiocgptpeer", sb_succeeds("TIOCGPTPEER", peer));
  SB_ERRNO("tiocgptn_on_replica_enotty", ioctl(s, TIOCGPTN, &n), ENOTTY);
  sb_case("isatty_replica_and_master", isatty(s) == 1 && isatty(m) == 1);
  int p[2];
  pipe(p);
  errno = 0;
  sb_case("isatty_pipe_enotty", isatty(p[0]) == 0 && errno == ENOTTY);
  close(p[0]);
  close(p[1]);
  int pm = open("/dev/pts/ptmx", O_RDWR | O_NOCTTY);
  sb_case("dev_pts_ptmx_opens", sb_succeeds("open /dev/pts/ptmx", pm));
  if (pm >= 0) close(pm);
  close(peer);
  close(s);
  close(m);
  struct stat st2;
  SB_ERRNO("replica_node_gone_after_master_close", stat(expect, &st2), ENOENT);
}

static void test_termios_defaults(void) {
  int m, s;
  open_pair(&m, &s, O_NOCTTY);
  struct termios t;
  tcgetattr(s, &t);
  sb_value("iflag=%o oflag=%o cflag=%o lflag=%o", t.c_iflag, t.c_oflag, t.c_cflag, t.c_lflag);
  sb_case("default_flags",
          t.c_iflag == (ICRNL | IXON) && t.c_oflag == (OPOST | ONLCR) &&
              t.c_lflag == (ISIG | ICANON | ECHO | ECHOE | ECHOK | ECHOCTL | ECHOKE | IEXTEN));
  char line[200] = "";
  for (int i = 0; i < 17; i++) snprintf(line + strlen(line), 8, " %d", t.c_cc[i]);
  sb_value("cc:%s", line);
  sb_case("default_cc",
          t.c_cc[VINTR] == 3 && t.c_cc[VERASE] == 0177 && t.c_cc[VEOF] == 4 && t.c_cc[VMIN] == 1);
  sb_value("ospeed=%d ispeed=%d", (int)cfgetospeed(&t), (int)cfgetispeed(&t));
  sb_case("default_speed_b38400", cfgetospeed(&t) == B38400);
  struct termios tm;
  tcgetattr(m, &tm);
  sb_case("master_tcgets_same", t.c_iflag == tm.c_iflag && t.c_oflag == tm.c_oflag &&
                                    t.c_lflag == tm.c_lflag && memcmp(t.c_cc, tm.c_cc, 17) == 0);
  set_lflag(s, 0, ECHO);
  tcgetattr(m, &tm);
  sb_case("master_sees_replica_termios", !(tm.c_lflag & ECHO));
  struct winsize ws = {1, 1, 1, 1};
  ioctl(s, TIOCGWINSZ, &ws);
  sb_value("winsize %d %d", ws.ws_row, ws.ws_col);
  sb_case("default_winsize_zero", ws.ws_row == 0 && ws.ws_col == 0);
  ws.ws_row = 24;
  ws.ws_col = 80;
  ioctl(m, TIOCSWINSZ, &ws);
  struct winsize ws2 = {0};
  ioctl(s, TIOCGWINSZ, &ws2);
  sb_case("tiocswinsz_from_master", ws2.ws_row == 24 && ws2.ws_col == 80);
  int p[2];
  pipe(p);
  SB_ERRNO("tcgetattr_pipe_enotty", tcgetattr(p[0], &t), ENOTTY);
  close(p[0]);
  close(p[1]);
  close(s);
  close(m);
}

static void test_canonical(void) {
  int m, s;
  open_pair(&m, &s, O_NOCTTY);
  put(m, "hello\n");
  sb_case("canon_line", replica_reads(s, 100, "hello\n", 6));
  put(m,
      "abx\x7f"
      "c\n");
  sb_case("canon_erase", replica_reads(s, 100, "abc\n", 4));
  put(m, "garbage\x15ok\n");
  sb_case("canon_kill", replica_reads(s, 100, "ok\n", 3));
  put(m, "one two\x17three\n");
  sb_case("canon_werase", replica_reads(s, 100, "one three\n", 10));
  put(m, "hello\n");
  int a = replica_reads(s, 3, "hel", 3);
  sb_case("canon_partial_line", a && replica_reads(s, 100, "lo\n", 3));
  put(m, "a\nb\n");
  a = replica_reads(s, 100, "a\n", 2);
  sb_case("canon_one_line_per_read", a && replica_reads(s, 100, "b\n", 2));
  put(m, "\x04");
  sb_case("canon_eof_empty_line_reads_0", replica_reads(s, 100, "", 0));
  put(m, "ab\x04");
  sb_case("canon_eof_mid_line", replica_reads(s, 100, "ab", 2));
  put(m, "x\r");
  sb_case("icrnl", replica_reads(s, 100, "x\n", 2));
  put(m, "\x16\x7f\n");
  sb_case("vlnext_literal_erase", replica_reads(s, 100, "\x7f\n", 2));
  /* FIONREAD counts only complete lines in canonical mode. */
  put(m, "abc\nde");
  struct pollfd pfd = {s, POLLIN, 0};
  poll(&pfd, 1, 5000);
  int n = -1;
  usleep(20000);
  ioctl(s, FIONREAD, &n);
  sb_value("fionread=%d", n);
  sb_case("fionread_canon_complete_lines", n == 4);
  tcflush(s, TCIFLUSH);
  ioctl(s, FIONREAD, &n);
  sb_case("tcflush_tciflush_empties_input", n == 0);
  struct termios t;
  tcgetattr(s, &t);
  t.c_cc[VEOL] = '!';
  tcsetattr(s, TCSANOW, &t);
  put(m, "hi!");
  sb_case("veol_ends_line", replica_reads(s, 100, "hi!", 3));
  t.c_cc[VEOL] = 0;
  t.c_iflag |= IGNCR;
  tcsetattr(s, TCSANOW, &t);
  put(m, "x\ry\n");
  sb_case("igncr", replica_reads(s, 100, "xy\n", 3));
  t.c_iflag &= ~IGNCR;
  tcsetattr(s, TCSANOW, &t);
  /* A partial line becomes readable when canonical mode is switched off. */
  put(m, "abc");
  tcdrain(m);
  usleep(50000);
  set_raw(s, 1, 0);
  sb_case("canon_to_raw_keeps_partial_line", replica_reads(s, 100, "abc", 3));
  close(s);
  close(m);
}

static void test_echo_and_output(void) {
  int m, s;
  open_pair(&m, &s, O_NOCTTY);
  char tmp[64];
  put(m, "hi\n");
  sb_case("echo_onlcr", master_sees(m, "hi\r\n"));
  read(s, tmp, sizeof tmp);
  put(m, "\x01");
  sb_case("echoctl_caret", master_sees(m, "^A"));
  put(m, "ab\x7f");
  sb_case("echoe_erase", master_sees(m, "ab\b \b"));
  put(m, "cd\x15");
  sb_case("echoke_kill", master_sees(m, "cd\b \b\b \b\b \b\b \b\b \b"));
  put(m, "\n");
  master_sees(m, "\r\n");
  read(s, tmp, sizeof tmp);
  put(m, "xy");
  master_sees(m, "xy");
  put(m, "\x03");
  sb_case("isig_echo_ctrl_c", master_sees(m, "^C"));
  put(m, "cd\n");
  master_sees(m, "cd\r\n");
  sb_case("isig_flushes_input", replica_reads(s, 100, "cd\n", 3));
  set_lflag(s, NOFLSH, 0);
  put(m,
      "ab\x03"
      "cd\n");
  master_sees(m, "ab^Ccd\r\n");
  sb_case("noflsh_keeps_input", replica_reads(s, 100, "abcd\n", 5));
  set_lflag(s, ECHONL, ECHO | NOFLSH);
  put(m, "pw\n");
  sb_case("echonl_without_echo", master_sees(m, "\r\n"));
  read(s, tmp, sizeof tmp);
  set_lflag(s, ECHO, ECHONL);
  put(s, "a\nb");
  sb_case("replica_output_onlcr", master_sees(m, "a\r\nb"));
  struct termios t;
  tcgetattr(s, &t);
  t.c_oflag |= OCRNL;
  tcsetattr(s, TCSANOW, &t);
  put(s, "c\r");
  sb_case("ocrnl", master_sees(m, "c\n"));
  t.c_oflag = OPOST | ONLCR | XTABS;
  tcsetattr(s, TCSANOW, &t);
  put(s, "\r\tx");
  sb_case("xtabs", master_sees(m, "\r        x"));
  t.c_oflag = 0;
  tcsetattr(s, TCSANOW, &t);
  put(s, "a\nb");
  sb_case("opost_off_raw_output", master_sees(m, "a\nb"));
  put(s, "zz");
  usleep(50000);
  int n = -1;
  ioctl(m, FIONREAD, &n);
  sb_value("master fionread=%d", n);
  sb_case("fionread_master", n == 2);
  read_n(m, tmp, 2);
  set_raw(s, 1, 0);
  set_lflag(s, ECHO, 0);
  put(m, "q\n");
  sb_case("raw_echo_newline_as_ctl", master_sees(m, "q^J"));
  close(s);
  close(m);
}

static void test_raw(void) {
  int m, s;
  open_pair(&m, &s, O_NOCTTY);
  struct termios t;
  tcgetattr(s, &t);
  t.c_iflag = ISTRIP | INLCR;
  tcsetattr(s, TCSANOW, &t);
  set_raw(s, 0, 0);
  char buf[64];
  sb_case("raw_vmin0_vtime0_empty_returns_0", read(s, buf, sizeof buf) == 0);
  set_raw(s, 1, 0);
  put(m, "a\n\xc1");
  sb_case("raw_inlcr_istrip", replica_reads(s, 1, "a", 1) && replica_reads(s, 1, "\r", 1) &&
                                  replica_reads(s, 1, "A", 1));
  set_raw(s, 3, 0);
  put(m, "ab");
  struct pollfd p = {s, POLLIN, 0};
  int r = poll(&p, 1, 200);
  sb_case("raw_vmin3_not_ready_with_2", r == 0);
  put(m, "c");
  sb_case("raw_vmin3_reads_3", replica_reads(s, 10, "abc", 3));
  set_raw(s, 0, 2);
  struct timespec t0;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  ssize_t n = read(s, buf, sizeof buf);
  long el = ms_since(&t0);
  sb_case("raw_vtime_timeout_returns_0", n == 0 && el >= 150);
  put(m, "z");
  sb_case("raw_vtime_data", replica_reads(s, 10, "z", 1));
  set_raw(s, 2, 1);
  put(m, "k");
  clock_gettime(CLOCK_MONOTONIC, &t0);
  n = read(s, buf, sizeof buf);
  sb_case("raw_vmin2_vtime1_interbyte_timeout", n == 1 && buf[0] == 'k');
  set_raw(s, 1, 0);
  fcntl(s, F_SETFL, O_NONBLOCK);
  SB_ERRNO("raw_nonblock_empty_eagain", read(s, buf, sizeof buf), EAGAIN);
  fcntl(s, F_SETFL, 0);
  close(s);
  close(m);
}

static void test_poll(void) {
  int m, s;
  open_pair(&m, &s, O_NOCTTY);
  struct pollfd p[2] = {{s, POLLIN | POLLOUT, 0}, {m, POLLIN | POLLOUT, 0}};
  poll(p, 2, 0);
  sb_value("replica %#x master %#x", p[0].revents, p[1].revents);
  sb_case("poll_fresh_pair_writable", p[0].revents == POLLOUT && p[1].revents == POLLOUT);
  set_lflag(s, 0, ECHO);
  put(m, "ab");
  struct pollfd q = {s, POLLIN, 0};
  sb_case("poll_partial_line_not_readable", poll(&q, 1, 200) == 0);
  put(m, "\n");
  sb_case("poll_line_readable", poll(&q, 1, 5000) == 1 && q.revents == POLLIN);
  char buf[16];
  read(s, buf, sizeof buf);
  put(s, "x\n");
  close(s);
  struct pollfd mp = {m, POLLIN, 0};
  poll(&mp, 1, 5000);
  sb_value("master after replica close %#x", mp.revents);
  sb_case("master_pollhup_after_replica_close", (mp.revents & POLLHUP) && (mp.revents & POLLIN));
  sb_case("master_reads_rest", master_sees(m, "x\r\n"));
  SB_ERRNO("master_read_eio_after_replica_close", read(m, buf, sizeof buf), EIO);
  close(m);
}

/* --- job control: everything below runs in a child that is a session leader. */

static volatile sig_atomic_t got_sig;
static void on_sig(int sig) { got_sig = sig; }

struct jc {
  int m, s;
  int ready[2];
};

/* A child in its own process group; `fn` runs after it signals ready. */
static pid_t spawn_job(struct jc* j, void (*fn)(struct jc*)) {
  pipe(j->ready);
  pid_t pid = fork();
  if (pid == 0) {
    setpgid(0, 0);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    close(j->ready[0]);
    fn(j);
    _exit(0);
  }
  setpgid(pid, pid);
  close(j->ready[1]);
  char c;
  read(j->ready[0], &c, 1);
  close(j->ready[0]);
  return pid;
}

static void say_ready(struct jc* j) {
  write(j->ready[1], "r", 1);
  close(j->ready[1]);
}

static void job_wait_sigint(struct jc* j) {
  sb_set_handler(SIGINT, on_sig, 0);
  sb_set_handler(SIGQUIT, on_sig, 0);
  sigset_t none;
  sigemptyset(&none);
  say_ready(j);
  while (!got_sig) sigsuspend(&none);
  _exit(got_sig == SIGINT ? 10 : got_sig == SIGQUIT ? 11 : 12);
}

static void job_pause(struct jc* j) {
  say_ready(j);
  for (;;) pause();
}

static void job_read(struct jc* j) {
  say_ready(j);
  char buf[8];
  ssize_t n = read(j->s, buf, sizeof buf);
  _exit(n < 0 ? (errno == EIO ? 20 : 21) : 22);
}

static void job_read_ign(struct jc* j) {
  signal(SIGTTIN, SIG_IGN);
  job_read(j);
}

static void job_write(struct jc* j) {
  say_ready(j);
  ssize_t n = write(j->s, "bg\n", 3);
  _exit(n == 3 ? 30 : 31);
}

static void job_tcsetattr_ign(struct jc* j) {
  signal(SIGTTOU, SIG_IGN);
  say_ready(j);
  struct termios t;
  tcgetattr(j->s, &t);
  _exit(tcsetattr(j->s, TCSANOW, &t) == 0 ? 40 : 41);
}

static void job_tcsetattr(struct jc* j) {
  say_ready(j);
  struct termios t;
  tcgetattr(j->s, &t);
  _exit(tcsetattr(j->s, TCSANOW, &t) == 0 ? 40 : 41);
}

static int wait_code(pid_t pid) {
  int st;
  waitpid(pid, &st, WUNTRACED);
  if (WIFSTOPPED(st)) {
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    return 1000 + WSTOPSIG(st);
  }
  if (WIFEXITED(st)) return WEXITSTATUS(st);
  return 2000 + WTERMSIG(st);
}

static void expect_code(const char* name, int got, int want) {
  if (got != want) sb_value("code %d, want %d", got, want);
  sb_case(name, got == want);
}

static void session_main(void* arg) {
  (void)arg;
  setsid();
  /* As a shell does: taking the foreground back must not stop us. */
  sigset_t ttou;
  sigemptyset(&ttou);
  sigaddset(&ttou, SIGTTOU);
  sigprocmask(SIG_BLOCK, &ttou, NULL);
  SB_ERRNO("dev_tty_without_ctty_enxio", open("/dev/tty", O_RDWR), ENXIO);
  struct jc j;
  open_pair(&j.m, &j.s, O_NOCTTY);
  int other_m, other_s;
  open_pair(&other_m, &other_s, O_NOCTTY);
  SB_ERRNO("tiocgpgrp_not_ctty_enotty", ioctl(j.s, TIOCGPGRP, &(pid_t){0}), ENOTTY);
  sb_case("tiocsctty", sb_succeeds("TIOCSCTTY", ioctl(j.s, TIOCSCTTY, 0)));
  sb_case("tiocsctty_again_ok", sb_succeeds("TIOCSCTTY", ioctl(j.s, TIOCSCTTY, 0)));
  SB_ERRNO("tiocsctty_second_tty_eperm", ioctl(other_s, TIOCSCTTY, 0), EPERM);
  pid_t sid = -1, pg = -1;
  ioctl(j.s, TIOCGSID, &sid);
  ioctl(j.s, TIOCGPGRP, &pg);
  sb_case("tiocgsid_is_me", sid == getpid());
  sb_case("tiocgpgrp_is_me", pg == getpgrp() && tcgetpgrp(j.s) == getpid());
  pg = -1;
  ioctl(j.m, TIOCGPGRP, &pg);
  sb_case("tiocgpgrp_via_master", pg == getpid());
  int tty = open("/dev/tty", O_RDWR);
  sb_case("dev_tty_opens_ctty", sb_succeeds("open /dev/tty", tty));
  close(tty);
  SB_ERRNO("tiocspgrp_not_ctty_enotty", ioctl(other_s, TIOCSPGRP, &(pid_t){getpid()}), ENOTTY);
  SB_ERRNO("tiocspgrp_negative_einval", ioctl(j.s, TIOCSPGRP, &(pid_t){-5}), EINVAL);
  SB_ERRNO("tiocspgrp_no_such_group_esrch", ioctl(j.s, TIOCSPGRP, &(pid_t){99999999}), ESRCH);

  /* ISIG characters go to the foreground group. */
  pid_t c = spawn_job(&j, job_wait_sigint);
  sb_case("tcsetpgrp_child_group", sb_succeeds("tcsetpgrp", tcsetpgrp(j.s, c)));
  put(j.m, "\x03");
  master_sees(j.m, "^C");
  expect_code("isig_ctrl_c_sigint_to_foreground", wait_code(c), 10);
  tcsetpgrp(j.s, getpid());
  c = spawn_job(&j, job_wait_sigint);
  tcsetpgrp(j.s, c);
  put(j.m, "\x1c");
  master_sees(j.m, "^\\");
  expect_code("isig_ctrl_backslash_sigquit", wait_code(c), 11);
  c = spawn_job(&j, job_pause);
  tcsetpgrp(j.s, c);
  put(j.m, "\x1a");
  master_sees(j.m, "^Z");
  expect_code("isig_ctrl_z_stops_foreground", wait_code(c), 1000 + SIGTSTP);

  /* Taking the foreground back from the background, SIGTTOU blocked. */
  sb_case("tcsetpgrp_from_background_sigttou_blocked",
          sb_succeeds("tcsetpgrp", tcsetpgrp(j.s, getpid())));

  /* Background jobs. */
  c = spawn_job(&j, job_read);
  expect_code("background_read_sigttin", wait_code(c), 1000 + SIGTTIN);
  c = spawn_job(&j, job_read_ign);
  expect_code("background_read_sigttin_ignored_eio", wait_code(c), 20);
  c = spawn_job(&j, job_write);
  expect_code("background_write_without_tostop", wait_code(c), 30);
  char tmp[64];
  master_sees(j.m, "bg\r\n");
  set_lflag(j.s, TOSTOP, 0);
  c = spawn_job(&j, job_write);
  expect_code("background_write_tostop_sigttou", wait_code(c), 1000 + SIGTTOU);
  set_lflag(j.s, 0, TOSTOP);
  c = spawn_job(&j, job_tcsetattr);
  expect_code("background_tcsetattr_sigttou", wait_code(c), 1000 + SIGTTOU);
  c = spawn_job(&j, job_tcsetattr_ign);
  expect_code("background_tcsetattr_sigttou_ignored_ok", wait_code(c), 40);

  /* SIGWINCH to the foreground group (us) when the size changes. */
  sigset_t winch, pend, old;
  sigemptyset(&winch);
  sigaddset(&winch, SIGWINCH);
  sigprocmask(SIG_BLOCK, &winch, &old);
  struct winsize ws = {30, 100, 0, 0};
  ioctl(j.m, TIOCSWINSZ, &ws);
  sigpending(&pend);
  sb_case("tiocswinsz_sigwinch", sigismember(&pend, SIGWINCH));
  signal(SIGWINCH, SIG_IGN);
  signal(SIGWINCH, SIG_DFL);
  sigprocmask(SIG_SETMASK, &old, NULL);

  /* A blocking read is interrupted by a signal. */
  sb_set_handler(SIGALRM, on_sig, 0);
  struct itimerval it = {{0, 0}, {0, 100000}};
  setitimer(ITIMER_REAL, &it, NULL);
  errno = 0;
  ssize_t n = read(j.s, tmp, sizeof tmp);
  sb_case("blocking_read_eintr", n == -1 && errno == EINTR);

  /* A child leaving the session loses the terminal. */
  pid_t k = fork();
  if (k == 0) {
    setsid();
    int fd = open("/dev/tty", O_RDWR);
    _exit(fd < 0 && errno == ENXIO ? 50 : 51);
  }
  expect_code("setsid_drops_ctty", wait_code(k), 50);
  k = fork();
  if (k == 0) {
    if (ioctl(j.s, TIOCNOTTY) != 0) _exit(52);
    int fd = open("/dev/tty", O_RDWR);
    _exit(fd < 0 && errno == ENXIO ? 50 : 51);
  }
  expect_code("tiocnotty_non_leader", wait_code(k), 50);
  k = fork();
  if (k == 0) {
    _exit(ioctl(j.s, TIOCSCTTY, 0) == -1 && errno == EPERM ? 50 : 51);
  }
  expect_code("tiocsctty_non_leader_eperm", wait_code(k), 50);

  /* Hangup: a session leader whose terminal's master closes. */
  int hm = open_master();
  char name[64];
  snprintf(name, sizeof name, "%s", ptsname(hm));
  int hp[2];
  pipe(hp);
  k = fork();
  if (k == 0) {
    close(hm);
    setsid();
    sb_set_handler(SIGHUP, on_sig, 0);
    int fd = open(name, O_RDWR); /* no O_NOCTTY: becomes our terminal */
    pid_t s2 = 0;
    int ctty = ioctl(fd, TIOCGSID, &s2) == 0 && s2 == getpid();
    sigset_t none;
    sigemptyset(&none);
    got_sig = 0;
    write(hp[1], "r", 1);
    while (!got_sig) sigsuspend(&none);
    char b[8];
    ssize_t r = read(fd, b, sizeof b);
    errno = 0;
    ssize_t w = write(fd, "x", 1);
    int werr = errno;
    struct pollfd p = {fd, POLLIN | POLLOUT, 0};
    poll(&p, 1, 0);
    int code = (ctty ? 1 : 0) | (r == 0 ? 2 : 0) | (w == -1 && werr == EIO ? 4 : 0) |
               ((p.revents & POLLHUP) ? 8 : 0);
    _exit(code + 60);
  }
  close(hp[1]);
  read(hp[0], tmp, 1);
  close(hm);
  expect_code("hangup_sighup_read0_write_eio_pollhup", wait_code(k), 60 + 15);
  close(other_s);
  close(other_m);
  _exit(sb_failed ? 1 : 0);
}

static void test_job_control(void) {
  int st = sb_in_child(session_main, NULL);
  sb_case("session_child_passed", WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

int main(void) {
  sb_init();
  test_allocation();
  test_termios_defaults();
  test_canonical();
  test_echo_and_output();
  test_raw();
  test_poll();
  test_job_control();
  return sb_finish();
}
