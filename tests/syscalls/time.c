/* Time: clock_gettime/getres, nanosleep, clock_nanosleep, alarm, itimers,
 * POSIX timers and timerfd. Only lower bounds on elapsed time and counts are
 * asserted; no times are printed. See sbtest.h. */
#include "sbtest.h"

#include <poll.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/timerfd.h>
#include <time.h>

static long long now_ns(clockid_t c) {
  struct timespec t;
  clock_gettime(c, &t);
  return t.tv_sec * 1000000000LL + t.tv_nsec;
}

static volatile int alarms, vtalrms;
static siginfo_t tinfo;
static void on_alarm(int sig) {
  (void)sig;
  alarms++;
}
static void on_vtalrm(int sig) {
  (void)sig;
  vtalrms++;
}
static void on_timer(int sig, siginfo_t* si, void* uc) {
  (void)sig;
  (void)uc;
  tinfo = *si;
  alarms++;
}

static void test_clocks(void) {
  static const struct {
    clockid_t id;
    const char* name;
  } clocks[] = {{CLOCK_REALTIME, "realtime"},
                {CLOCK_MONOTONIC, "monotonic"},
                {CLOCK_MONOTONIC_RAW, "monotonic_raw"},
                {CLOCK_BOOTTIME, "boottime"},
                {CLOCK_REALTIME_COARSE, "realtime_coarse"},
                {CLOCK_MONOTONIC_COARSE, "monotonic_coarse"},
                {CLOCK_PROCESS_CPUTIME_ID, "process_cputime"},
                {CLOCK_THREAD_CPUTIME_ID, "thread_cputime"}};
  char name[64];
  for (size_t i = 0; i < sizeof clocks / sizeof clocks[0]; i++) {
    struct timespec t = {-1, -1}, r = {-1, -1};
    int ok = syscall(SYS_clock_gettime, clocks[i].id, &t) == 0 && t.tv_sec >= 0 && t.tv_nsec >= 0 &&
             t.tv_nsec < 1000000000;
    snprintf(name, sizeof name, "clock_gettime_%s", clocks[i].name);
    sb_case(name, ok);
    ok = syscall(SYS_clock_getres, clocks[i].id, &r) == 0 && r.tv_sec == 0 && r.tv_nsec > 0 &&
         r.tv_nsec <= 20000000;
    snprintf(name, sizeof name, "clock_getres_%s", clocks[i].name);
    sb_case(name, ok);
  }
  long long prev = now_ns(CLOCK_MONOTONIC);
  int mono = 1;
  for (int i = 0; i < 10000; i++) {
    long long t = now_ns(CLOCK_MONOTONIC);
    if (t < prev) mono = 0;
    prev = t;
  }
  sb_case("monotonic_non_decreasing", mono);
  struct timespec t0;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  long long raw = 0;
  for (int i = 0; i < 100; i++) raw = syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &t0);
  sb_case("raw_syscall_monotonic_matches_vdso",
          raw == 0 && t0.tv_sec * 1000000000LL + t0.tv_nsec <= now_ns(CLOCK_MONOTONIC));
  SB_ERRNO("clock_gettime_bad_clock_einval", syscall(SYS_clock_gettime, 1234, &t0), EINVAL);
  SB_ERRNO("clock_gettime_bad_ptr_efault", syscall(SYS_clock_gettime, CLOCK_MONOTONIC, (void*)8),
           EFAULT);
  sb_case("clock_getres_null_ok", syscall(SYS_clock_getres, CLOCK_MONOTONIC, NULL) == 0);
  SB_ERRNO("clock_getres_bad_clock_einval", syscall(SYS_clock_getres, 1234, &t0), EINVAL);

  struct timeval tv;
  gettimeofday(&tv, NULL);
  long long rt = now_ns(CLOCK_REALTIME);
  long long diff = rt - (tv.tv_sec * 1000000000LL + tv.tv_usec * 1000LL);
  sb_case("gettimeofday_close_to_realtime", diff >= 0 && diff < 1000000000LL);
  time_t tt = (time_t)syscall(SYS_time, NULL);
  // Linux's time(2) reads the coarse clock, up to a tick behind
  // gettimeofday: across a second boundary it may say the second before.
  sb_case("time_close_to_realtime", tt >= tv.tv_sec - 1 && tt <= tv.tv_sec + 2);

  long long c0 = now_ns(CLOCK_PROCESS_CPUTIME_ID);
  volatile unsigned long x = 0;
  for (unsigned long i = 0; i < 20000000; i++) x += i;
  (void)x;
  sb_case("process_cputime_advances_with_work", now_ns(CLOCK_PROCESS_CPUTIME_ID) > c0);
}

static void test_sleep(void) {
  long long t = now_ns(CLOCK_MONOTONIC);
  int rc = nanosleep(&(struct timespec){0, 50000000}, NULL);
  sb_case("nanosleep_lower_bound", rc == 0 && now_ns(CLOCK_MONOTONIC) - t >= 50000000);
  SB_ERRNO("nanosleep_bad_nsec_einval", nanosleep(&(struct timespec){0, 1000000000}, NULL), EINVAL);
  SB_ERRNO("nanosleep_negative_einval", nanosleep(&(struct timespec){-1, 0}, NULL), EINVAL);
  sb_case("nanosleep_zero_ok", nanosleep(&(struct timespec){0, 0}, NULL) == 0);

  struct timespec target;
  clock_gettime(CLOCK_MONOTONIC, &target);
  target.tv_nsec += 50000000;
  if (target.tv_nsec >= 1000000000) target.tv_sec++, target.tv_nsec -= 1000000000;
  rc = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &target, NULL);
  long long after = now_ns(CLOCK_MONOTONIC);
  sb_case("clock_nanosleep_abstime_reaches_target",
          rc == 0 && after >= target.tv_sec * 1000000000LL + target.tv_nsec);
  t = now_ns(CLOCK_MONOTONIC);
  rc = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &(struct timespec){1, 0}, NULL);
  sb_case("clock_nanosleep_abstime_past_immediate",
          rc == 0 && now_ns(CLOCK_MONOTONIC) - t < 1000000000LL);
  t = now_ns(CLOCK_MONOTONIC);
  rc = clock_nanosleep(CLOCK_REALTIME, 0, &(struct timespec){0, 30000000}, NULL);
  sb_case("clock_nanosleep_realtime_relative", rc == 0 && now_ns(CLOCK_MONOTONIC) - t >= 30000000);
  rc = clock_nanosleep(1234, 0, &(struct timespec){0, 1}, NULL);
  sb_case("clock_nanosleep_bad_clock_einval", rc == EINVAL);
  rc = clock_nanosleep(CLOCK_THREAD_CPUTIME_ID, 0, &(struct timespec){0, 1}, NULL);
  sb_case("clock_nanosleep_thread_cputime_einval", rc == EINVAL);
  rc = clock_nanosleep(CLOCK_MONOTONIC, 0, &(struct timespec){0, 2000000000}, NULL);
  sb_case("clock_nanosleep_bad_nsec_einval", rc == EINVAL);
}

static void test_alarm_itimer(void) {
  signal(SIGALRM, on_alarm);
  alarms = 0;
  unsigned prev = alarm(5);
  unsigned left = alarm(0);
  sb_value("alarm prev=%u left=%u", prev, left);
  sb_case("alarm_returns_remaining", prev == 0 && left == 5);
  long long t = now_ns(CLOCK_MONOTONIC);
  alarm(1);
  while (!alarms && now_ns(CLOCK_MONOTONIC) - t < 5000000000LL) pause();
  sb_case("alarm_delivers_sigalrm", alarms == 1 && now_ns(CLOCK_MONOTONIC) - t >= 1000000000LL);

  struct itimerval it = {{0, 10000}, {0, 10000}}, got, old;
  alarms = 0;
  t = now_ns(CLOCK_MONOTONIC);
  int rc = setitimer(ITIMER_REAL, &it, NULL);
  getitimer(ITIMER_REAL, &got);
  sb_value("interval=%ld.%06ld", (long)got.it_interval.tv_sec, (long)got.it_interval.tv_usec);
  sb_case("getitimer_interval_after_set",
          rc == 0 && got.it_interval.tv_sec == 0 && got.it_interval.tv_usec == 10000);
  sb_case("getitimer_value_bounded",
          got.it_value.tv_sec == 0 && got.it_value.tv_usec > 0 && got.it_value.tv_usec <= 10000);
  while (alarms < 5 && now_ns(CLOCK_MONOTONIC) - t < 5000000000LL) pause();
  long long el = now_ns(CLOCK_MONOTONIC) - t;
  struct itimerval off = {{0, 0}, {0, 0}};
  setitimer(ITIMER_REAL, &off, &old);
  sb_case("itimer_real_periodic_count", alarms >= 5 && el >= 49000000);
  sb_case("setitimer_returns_old_value", old.it_interval.tv_usec == 10000);
  getitimer(ITIMER_REAL, &got);
  sb_case("getitimer_after_disarm_zero",
          got.it_value.tv_sec == 0 && got.it_value.tv_usec == 0 && got.it_interval.tv_usec == 0);
  SB_ERRNO("setitimer_bad_which_einval", setitimer(99, &it, NULL), EINVAL);
  struct itimerval bad = {{0, 0}, {0, 1000000}};
  SB_ERRNO("setitimer_bad_usec_einval", setitimer(ITIMER_REAL, &bad, NULL), EINVAL);

  signal(SIGVTALRM, on_vtalrm);
  struct itimerval vt = {{0, 10000}, {0, 10000}};
  setitimer(ITIMER_VIRTUAL, &vt, NULL);
  t = now_ns(CLOCK_MONOTONIC);
  volatile unsigned long x = 0;
  while (vtalrms < 2 && now_ns(CLOCK_MONOTONIC) - t < 5000000000LL) x++;
  setitimer(ITIMER_VIRTUAL, &off, NULL);
  sb_case("itimer_virtual_fires_on_cpu_time", vtalrms >= 2);

  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = on_timer;
  sa.sa_flags = SA_SIGINFO;
  sigaction(SIGRTMIN, &sa, NULL);
  struct sigevent sev = {.sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGRTMIN};
  sev.sigev_value.sival_int = 4242;
  timer_t tm;
  rc = timer_create(CLOCK_MONOTONIC, &sev, &tm);
  alarms = 0;
  struct itimerspec its = {{0, 0}, {0, 20000000}};
  t = now_ns(CLOCK_MONOTONIC);
  timer_settime(tm, 0, &its, NULL);
  while (!alarms && now_ns(CLOCK_MONOTONIC) - t < 5000000000LL) pause();
  sb_value("timer: code=%d value=%d", tinfo.si_code, tinfo.si_value.sival_int);
  sb_case("posix_timer_signal_si_timer", rc == 0 && alarms == 1 && tinfo.si_code == SI_TIMER &&
                                             tinfo.si_value.sival_int == 4242 &&
                                             now_ns(CLOCK_MONOTONIC) - t >= 20000000);
  struct itimerspec cur;
  timer_gettime(tm, &cur);
  sb_case("posix_timer_gettime_disarmed", cur.it_value.tv_sec == 0 && cur.it_value.tv_nsec == 0);
  sb_case("posix_timer_getoverrun_0", timer_getoverrun(tm) == 0);
  sb_case("posix_timer_delete", timer_delete(tm) == 0);
  SB_ERRNO("timer_create_bad_clock_einval", timer_create(1234, &sev, &tm), EINVAL);
}

static void test_timerfd(void) {
  int fd = timerfd_create(CLOCK_MONOTONIC, 0);
  sb_case("timerfd_create", fd >= 0);
  SB_ERRNO("timerfd_create_bad_clock_einval", timerfd_create(1234, 0), EINVAL);
  SB_ERRNO("timerfd_create_bad_flags_einval", timerfd_create(CLOCK_MONOTONIC, 0x1234), EINVAL);
  struct itimerspec its = {{0, 0}, {0, 30000000}}, cur;
  long long t = now_ns(CLOCK_MONOTONIC);
  timerfd_settime(fd, 0, &its, NULL);
  uint64_t n = 0;
  ssize_t r = read(fd, &n, sizeof n);
  sb_value("oneshot read=%zd count=%llu", r, (unsigned long long)n);
  sb_case("timerfd_oneshot_one_expiration",
          r == 8 && n == 1 && now_ns(CLOCK_MONOTONIC) - t >= 30000000);
  timerfd_gettime(fd, &cur);
  sb_case("timerfd_gettime_after_oneshot_zero",
          cur.it_value.tv_sec == 0 && cur.it_value.tv_nsec == 0);

  its = (struct itimerspec){{0, 10000000}, {0, 10000000}};
  timerfd_settime(fd, 0, &its, NULL);
  timerfd_gettime(fd, &cur);
  sb_case("timerfd_gettime_interval",
          cur.it_interval.tv_sec == 0 && cur.it_interval.tv_nsec == 10000000);
  sb_case("timerfd_gettime_value_bounded",
          cur.it_value.tv_sec == 0 && cur.it_value.tv_nsec > 0 && cur.it_value.tv_nsec <= 10000000);
  usleep(100000);
  r = read(fd, &n, sizeof n);
  sb_case("timerfd_periodic_count_lower_bound", r == 8 && n >= 5);
  its = (struct itimerspec){{0, 0}, {0, 0}};
  struct itimerspec old;
  timerfd_settime(fd, 0, &its, &old);
  sb_case("timerfd_settime_returns_old", old.it_interval.tv_nsec == 10000000);
  close(fd);

  fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
  SB_ERRNO("timerfd_nonblock_unarmed_eagain", read(fd, &n, sizeof n), EAGAIN);
  its = (struct itimerspec){{0, 0}, {5, 0}};
  timerfd_settime(fd, 0, &its, NULL);
  SB_ERRNO("timerfd_nonblock_before_expiry_eagain", read(fd, &n, sizeof n), EAGAIN);
  SB_ERRNO("timerfd_short_read_einval", read(fd, &n, 4), EINVAL);
  its = (struct itimerspec){{0, 0}, {1, 0}};
  timerfd_settime(fd, TFD_TIMER_ABSTIME, &its, NULL);
  struct pollfd p = {fd, POLLIN, 0};
  int pr = poll(&p, 1, 1000);
  r = read(fd, &n, sizeof n);
  sb_case("timerfd_abstime_past_fires_immediately", pr == 1 && r == 8 && n == 1);
  SB_ERRNO("timerfd_settime_bad_flags_einval", timerfd_settime(fd, 0x100, &its, NULL), EINVAL);
  its = (struct itimerspec){{0, 0}, {0, 1000000000}};
  SB_ERRNO("timerfd_settime_bad_nsec_einval", timerfd_settime(fd, 0, &its, NULL), EINVAL);
  struct itimerspec ok_its = {{0, 0}, {1, 0}};
  int pf[2];
  pipe(pf);
  SB_ERRNO("timerfd_settime_not_timerfd_einval", timerfd_settime(pf[0], 0, &ok_its, NULL), EINVAL);
  SB_ERRNO("timerfd_settime_bad_fd_ebadf", timerfd_settime(999, 0, &ok_its, NULL), EBADF);
  close(pf[0]);
  close(pf[1]);
  close(fd);
}

int main(void) {
  sb_init();
  test_clocks();
  test_sleep();
  test_alarm_itimer();
  test_timerfd();
  return sb_finish();
}
