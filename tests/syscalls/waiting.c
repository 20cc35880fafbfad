/* Waiting on many things: poll, ppoll, select, pselect, epoll (level, edge,
 * oneshot, errors) and eventfd. No timings are printed. See sbtest.h. */
#include "sbtest.h"

#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/select.h>
#include <time.h>

static long long now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1000LL + t.tv_nsec / 1000000;
}

static volatile int hits;
static void on_usr1(int sig) {
  (void)sig;
  hits++;
}

static void test_poll(void) {
  int p[2];
  pipe(p);
  struct pollfd f[2] = {{p[0], POLLIN, 0}, {p[1], POLLOUT, 0}};
  int n = poll(f, 2, 0);
  sb_value("empty: n=%d rd=%#x wr=%#x", n, f[0].revents, f[1].revents);
  sb_case("poll_empty_pipe_only_writable", n == 1 && f[0].revents == 0 && f[1].revents == POLLOUT);
  write(p[1], "a", 1);
  n = poll(f, 1, 0);
  sb_case("poll_pipe_readable_after_write", n == 1 && f[0].revents == POLLIN);
  char c;
  read(p[0], &c, 1);
  long long t = now_ms();
  n = poll(f, 1, 50);
  sb_case("poll_timeout_returns_0", n == 0 && now_ms() - t >= 49);
  close(p[1]);
  f[0].revents = 0;
  n = poll(f, 1, 0);
  sb_value("hup: n=%d revents=%#x", n, f[0].revents);
  sb_case("poll_pollhup_writer_closed", n == 1 && f[0].revents == POLLHUP);
  struct pollfd nv[2] = {{999, POLLIN, 0}, {-1, POLLIN, 0}};
  n = poll(nv, 2, 0);
  sb_case("poll_pollnval_bad_fd", n == 1 && nv[0].revents == POLLNVAL);
  sb_case("poll_negative_fd_ignored", nv[1].revents == 0);
  close(p[0]);

  pipe(p);
  close(p[0]);
  struct pollfd w = {p[1], POLLOUT, 0};
  n = poll(&w, 1, 0);
  sb_value("err: revents=%#x", w.revents);
  sb_case("poll_pollerr_reader_closed", n == 1 && (w.revents & POLLERR));
  close(p[1]);
  SB_ERRNO("poll_too_many_fds_einval", poll(f, 1 << 30, 0), EINVAL);
  SB_ERRNO("poll_bad_ptr_efault", poll((void*)8, 1, 0), EFAULT);

  pipe(p);
  signal(SIGUSR1, on_usr1);
  sigset_t b, empty;
  sigemptyset(&b);
  sigaddset(&b, SIGUSR1);
  sigemptyset(&empty);
  sigprocmask(SIG_BLOCK, &b, NULL);
  raise(SIGUSR1);
  hits = 0;
  struct pollfd r = {p[0], POLLIN, 0};
  errno = 0;
  n = ppoll(&r, 1, NULL, &empty);
  sb_case("ppoll_sigmask_eintr", n == -1 && errno == EINTR && hits == 1);
  n = ppoll(&r, 1, &(struct timespec){0, 20000000}, NULL);
  sb_case("ppoll_timeout_returns_0", n == 0);
  struct timeval tv = {0, 0};
  fd_set rs, ws;
  FD_ZERO(&rs);
  FD_ZERO(&ws);
  FD_SET(p[0], &rs);
  FD_SET(p[1], &ws);
  n = select(p[1] + 1, &rs, &ws, NULL, &tv);
  sb_case("select_empty_pipe_writable_only", n == 1 && !FD_ISSET(p[0], &rs) && FD_ISSET(p[1], &ws));
  write(p[1], "b", 1);
  FD_ZERO(&rs);
  FD_SET(p[0], &rs);
  n = select(p[0] + 1, &rs, NULL, NULL, &tv);
  sb_case("select_readable_after_write", n == 1 && FD_ISSET(p[0], &rs));
  read(p[0], &c, 1);
  FD_ZERO(&rs);
  FD_SET(p[0], &rs);
  tv = (struct timeval){0, 30000};
  t = now_ms();
  n = select(p[0] + 1, &rs, NULL, NULL, &tv);
  sb_case("select_timeout_returns_0", n == 0 && !FD_ISSET(p[0], &rs) && now_ms() - t >= 29);
  sb_case("select_timeout_updates_timeval", tv.tv_sec == 0 && tv.tv_usec == 0);
  FD_ZERO(&rs);
  int closed = dup(p[0]);
  close(closed);
  FD_SET(closed, &rs);
  SB_ERRNO("select_bad_fd_ebadf", select(closed + 1, &rs, NULL, NULL, &(struct timeval){0, 0}),
           EBADF);
  SB_ERRNO("select_negative_nfds_einval", select(-1, NULL, NULL, NULL, &(struct timeval){0, 0}),
           EINVAL);
  tv = (struct timeval){0, -1};
  SB_ERRNO("select_bad_timeout_einval", select(0, NULL, NULL, NULL, &tv), EINVAL);
  raise(SIGUSR1);
  hits = 0;
  FD_ZERO(&rs);
  FD_SET(p[0], &rs);
  errno = 0;
  n = pselect(p[0] + 1, &rs, NULL, NULL, NULL, &empty);
  sb_case("pselect_sigmask_eintr", n == -1 && errno == EINTR && hits == 1);
  sigprocmask(SIG_UNBLOCK, &b, NULL);
  close(p[1]);
  FD_ZERO(&rs);
  FD_SET(p[0], &rs);
  n = select(p[0] + 1, &rs, NULL, NULL, &(struct timeval){0, 0});
  sb_case("select_eof_is_readable", n == 1 && FD_ISSET(p[0], &rs));
  close(p[0]);
}

static int ep_wait(int ep, struct epoll_event* ev, int ms) { return epoll_wait(ep, ev, 8, ms); }

static void test_epoll(void) {
  int ep = epoll_create1(EPOLL_CLOEXEC);
  sb_case("epoll_create1_cloexec", ep >= 0 && fcntl(ep, F_GETFD) == FD_CLOEXEC);
  SB_ERRNO("epoll_create1_bad_flags_einval", epoll_create1(0x1234), EINVAL);
  SB_ERRNO("epoll_create_zero_einval", epoll_create(0), EINVAL);
  int p[2];
  pipe(p);
  struct epoll_event ev = {.events = EPOLLIN, .data.u64 = 0x1122334455667788ULL}, out[8];
  sb_case("epoll_ctl_add", epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev) == 0);
  SB_ERRNO("epoll_ctl_add_twice_eexist", epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev), EEXIST);
  SB_ERRNO("epoll_ctl_mod_missing_enoent", epoll_ctl(ep, EPOLL_CTL_MOD, p[1], &ev), ENOENT);
  SB_ERRNO("epoll_ctl_del_missing_enoent", epoll_ctl(ep, EPOLL_CTL_DEL, p[1], &ev), ENOENT);
  SB_ERRNO("epoll_ctl_bad_fd_ebadf", epoll_ctl(ep, EPOLL_CTL_ADD, 999, &ev), EBADF);
  SB_ERRNO("epoll_ctl_bad_epfd_ebadf", epoll_ctl(999, EPOLL_CTL_ADD, p[0], &ev), EBADF);
  SB_ERRNO("epoll_ctl_not_epoll_einval", epoll_ctl(p[1], EPOLL_CTL_ADD, p[0], &ev), EINVAL);
  SB_ERRNO("epoll_ctl_self_einval", epoll_ctl(ep, EPOLL_CTL_ADD, ep, &ev), EINVAL);
  SB_ERRNO("epoll_ctl_bad_op_einval", epoll_ctl(ep, 99, p[0], &ev), EINVAL);
  char tmpl[] = "/tmp/sb-waiting-XXXXXX";
  int reg = mkstemp(tmpl);
  unlink(tmpl);
  SB_ERRNO("epoll_ctl_regular_file_eperm", epoll_ctl(ep, EPOLL_CTL_ADD, reg, &ev), EPERM);
  close(reg);
  SB_ERRNO("epoll_wait_zero_maxevents_einval", epoll_wait(ep, out, 0, 0), EINVAL);
  SB_ERRNO("epoll_wait_not_epoll_einval", epoll_wait(p[0], out, 1, 0), EINVAL);

  long long t = now_ms();
  int n = ep_wait(ep, out, 30);
  sb_case("epoll_wait_timeout_returns_0", n == 0 && now_ms() - t >= 29);
  write(p[1], "ab", 2);
  n = ep_wait(ep, out, 0);
  sb_case("epoll_level_ready_with_data",
          n == 1 && out[0].events == EPOLLIN && out[0].data.u64 == 0x1122334455667788ULL);
  n = ep_wait(ep, out, 0);
  sb_case("epoll_level_still_ready", n == 1);

  ev.events = EPOLLIN | EPOLLET;
  sb_case("epoll_ctl_mod_to_edge", epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev) == 0);
  n = ep_wait(ep, out, 0);
  int n2 = ep_wait(ep, out, 0);
  sb_case("epoll_edge_reports_once", n == 1 && n2 == 0);
  write(p[1], "c", 1);
  n = ep_wait(ep, out, 0);
  sb_case("epoll_edge_new_data_reports_again", n == 1);
  char buf[8];
  read(p[0], buf, sizeof buf);

  ev.events = EPOLLIN | EPOLLONESHOT;
  epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev);
  write(p[1], "d", 1);
  n = ep_wait(ep, out, 0);
  n2 = ep_wait(ep, out, 0);
  sb_case("epoll_oneshot_disables_after_event", n == 1 && n2 == 0);
  epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev);
  n = ep_wait(ep, out, 0);
  sb_case("epoll_oneshot_rearm_with_mod", n == 1);

  struct epoll_event wev = {.events = EPOLLOUT, .data.fd = p[1]};
  epoll_ctl(ep, EPOLL_CTL_ADD, p[1], &wev);
  ev.events = EPOLLIN;
  epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev);
  n = ep_wait(ep, out, 0);
  sb_case("epoll_two_fds_ready", n == 2);
  sb_case("epoll_ctl_del", epoll_ctl(ep, EPOLL_CTL_DEL, p[1], NULL) == 0);
  n = ep_wait(ep, out, 0);
  sb_case("epoll_after_del_one_ready", n == 1 && out[0].data.u64 == 0x1122334455667788ULL);

  int outer = epoll_create1(0);
  struct epoll_event oev = {.events = EPOLLIN, .data.u32 = 7};
  epoll_ctl(outer, EPOLL_CTL_ADD, ep, &oev);
  n = epoll_wait(outer, out, 8, 0);
  sb_case("epoll_nested_inner_ready", n == 1 && out[0].data.u32 == 7);
  read(p[0], buf, sizeof buf);
  n = epoll_wait(outer, out, 8, 0);
  sb_case("epoll_nested_inner_idle", n == 0);
  close(outer);

  close(p[1]);
  n = ep_wait(ep, out, 0);
  sb_value("hup events=%#x", n == 1 ? out[0].events : 0);
  sb_case("epoll_hup_when_writer_closed", n == 1 && (out[0].events & EPOLLHUP));
  close(p[0]);
  n = ep_wait(ep, out, 0);
  sb_case("epoll_close_removes_fd", n == 0);

  signal(SIGUSR1, on_usr1);
  sigset_t b, empty;
  sigemptyset(&b);
  sigaddset(&b, SIGUSR1);
  sigemptyset(&empty);
  sigprocmask(SIG_BLOCK, &b, NULL);
  raise(SIGUSR1);
  hits = 0;
  errno = 0;
  n = epoll_pwait(ep, out, 8, -1, &empty);
  sb_case("epoll_pwait_sigmask_eintr", n == -1 && errno == EINTR && hits == 1);
  sigprocmask(SIG_UNBLOCK, &b, NULL);
  close(ep);
}

static void test_eventfd(void) {
  int fd = eventfd(3, EFD_NONBLOCK);
  uint64_t v = 0;
  ssize_t r = read(fd, &v, 8);
  sb_case("eventfd_read_initval", r == 8 && v == 3);
  SB_ERRNO("eventfd_read_zero_nonblock_eagain", read(fd, &v, 8), EAGAIN);
  v = 5;
  write(fd, &v, 8);
  v = 6;
  write(fd, &v, 8);
  r = read(fd, &v, 8);
  sb_case("eventfd_writes_accumulate", r == 8 && v == 11);
  SB_ERRNO("eventfd_short_read_einval", read(fd, &v, 4), EINVAL);
  SB_ERRNO("eventfd_short_write_einval", write(fd, &v, 7), EINVAL);
  v = UINT64_MAX;
  SB_ERRNO("eventfd_write_max_einval", write(fd, &v, 8), EINVAL);
  v = UINT64_MAX - 1;
  sb_case("eventfd_write_max_minus_1", write(fd, &v, 8) == 8);
  v = 1;
  SB_ERRNO("eventfd_overflow_nonblock_eagain", write(fd, &v, 8), EAGAIN);
  struct pollfd pf = {fd, POLLIN | POLLOUT, 0};
  poll(&pf, 1, 0);
  sb_case("eventfd_full_readable_not_writable", pf.revents == POLLIN);
  char big[16];
  r = read(fd, big, sizeof big);
  sb_case("eventfd_large_buffer_reads_8", r == 8);
  pf.revents = 0;
  poll(&pf, 1, 0);
  sb_case("eventfd_empty_writable_only", pf.revents == POLLOUT);
  close(fd);

  fd = eventfd(3, EFD_SEMAPHORE | EFD_NONBLOCK);
  int ones = 0;
  for (int i = 0; i < 3; i++) ones += read(fd, &v, 8) == 8 && v == 1;
  sb_case("eventfd_semaphore_reads_one_each", ones == 3);
  SB_ERRNO("eventfd_semaphore_exhausted_eagain", read(fd, &v, 8), EAGAIN);
  close(fd);
  SB_ERRNO("eventfd_bad_flags_einval", eventfd(0, 0x12345), EINVAL);

  fd = eventfd(0, 0);
  pid_t c = fork();
  if (c == 0) {
    usleep(30000);
    uint64_t one = 9;
    write(fd, &one, 8);
    _exit(0);
  }
  r = read(fd, &v, 8);
  waitpid(c, NULL, 0);
  sb_case("eventfd_blocking_read_woken_by_child", r == 8 && v == 9);
  close(fd);
}

int main(void) {
  sb_init();
  test_poll();
  test_epoll();
  test_eventfd();
  return sb_finish();
}
