/* signalfd and signalfd4: creation and argument errors, reading the
 * records (kill, sigqueue, tgkill, real-time order, coalescing, SIGCHLD,
 * POSIX timers), blocking and non-blocking reads, readiness through poll,
 * select and epoll, mask updates, flags, fstat, fork and threads. Prints
 * no pids (they are compared with getpid() and fork's result). See
 * sbtest.h. */
#include "sbtest.h"

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>

#define REC sizeof(struct signalfd_siginfo)

static pid_t tid(void) { return (pid_t)syscall(SYS_gettid); }

static sigset_t set_of(int a, int b) {
  sigset_t s;
  sigemptyset(&s);
  if (a) sigaddset(&s, a);
  if (b) sigaddset(&s, b);
  return s;
}

/* A signalfd for `a` (and `b`), with `flags`. */
static int sfd_for(int a, int b, int flags) {
  sigset_t s = set_of(a, b);
  return signalfd(-1, &s, flags);
}

/* Takes every pending signal, so each case starts clean. */
static void drain(void) {
  sigset_t all;
  sigfillset(&all);
  struct timespec zero = {0, 0};
  while (sigtimedwait(&all, NULL, &zero) > 0) {
  }
}

static volatile sig_atomic_t handled;
static void count_handler(int sig) {
  (void)sig;
  handled++;
}

static void test_create_and_errors(void) {
  int fd = sfd_for(SIGUSR1, 0, 0);
  sb_case("create", fd >= 0);
  close(fd);

  sigset_t s = set_of(SIGUSR1, 0);
  fd = syscall(SYS_signalfd4, -1, &s, 8, SFD_NONBLOCK | SFD_CLOEXEC);
  sb_case("create_signalfd4_flags", fd >= 0);
  close(fd);
  fd = syscall(SYS_signalfd, -1, &s, 8);
  sb_case("create_signalfd_syscall", fd >= 0);
  close(fd);

  SB_ERRNO("sizemask_4_einval", syscall(SYS_signalfd4, -1, &s, 4, 0), EINVAL);
  SB_ERRNO("sizemask_16_einval", syscall(SYS_signalfd4, -1, &s, 16, 0), EINVAL);
  SB_ERRNO("signalfd_sizemask_einval", syscall(SYS_signalfd, -1, &s, 4), EINVAL);
  SB_ERRNO("bad_flags_einval", syscall(SYS_signalfd4, -1, &s, 8, O_APPEND), EINVAL);
  SB_ERRNO("mask_efault", syscall(SYS_signalfd4, -1, NULL, 8, 0), EFAULT);
  /* The size is checked before the mask is read, the mask before flags. */
  SB_ERRNO("sizemask_before_efault", syscall(SYS_signalfd4, -1, NULL, 4, 0), EINVAL);
  SB_ERRNO("efault_before_flags", syscall(SYS_signalfd4, -1, NULL, 8, O_APPEND), EFAULT);
  SB_ERRNO("closed_fd_ebadf", signalfd(999, &s, 0), EBADF);
  SB_ERRNO("minus_two_ebadf", signalfd(-2, &s, 0), EBADF);
  int p[2];
  pipe(p);
  SB_ERRNO("not_signalfd_einval", signalfd(p[0], &s, 0), EINVAL);
  close(p[0]);
  close(p[1]);
}

static void test_flags_and_stat(void) {
  int a = sfd_for(SIGUSR1, 0, 0);
  int b = sfd_for(SIGUSR1, 0, SFD_CLOEXEC | SFD_NONBLOCK);
  int fda = fcntl(a, F_GETFD), fdb = fcntl(b, F_GETFD);
  int fla = fcntl(a, F_GETFL) & (O_ACCMODE | O_NONBLOCK);
  int flb = fcntl(b, F_GETFL) & (O_ACCMODE | O_NONBLOCK);
  sb_value("getfd plain=%d cloexec=%d getfl plain=%#o nonblock=%#o", fda, fdb, fla, flb);
  sb_case("cloexec_and_nonblock_flags",
          fda == 0 && fdb == FD_CLOEXEC && fla == O_RDWR && flb == (O_RDWR | O_NONBLOCK));

  struct stat st;
  int r = fstat(a, &st);
  sb_value("fstat=%d mode=%#o type=%#o nlink=%lu size=%ld", r, st.st_mode, st.st_mode & S_IFMT,
           (unsigned long)st.st_nlink, (long)st.st_size);
  sb_case("fstat_anon_inode", r == 0 && st.st_mode == 0600);
  struct stat st2;
  fstat(b, &st2);
  sb_case("fstat_same_anon_inode", st.st_ino == st2.st_ino && st.st_dev == st2.st_dev);

  char c = 0;
  SB_ERRNO("write_einval", write(a, &c, 1), EINVAL);
  /* lseek succeeds and moves nothing (Linux's noop_llseek). */
  off_t o1 = lseek(a, 100, SEEK_SET), o2 = lseek(a, 0, SEEK_END);
  sb_value("lseek=%ld,%ld", (long)o1, (long)o2);
  sb_case("lseek_noop", o1 == 0 && o2 == 0);
  close(a);
  close(b);
}

static void test_read_kill(void) {
  sigset_t s = set_of(SIGUSR1, SIGUSR2);
  sigprocmask(SIG_BLOCK, &s, NULL);
  int fd = sfd_for(SIGUSR1, 0, SFD_NONBLOCK);

  SB_ERRNO("nonblock_empty_eagain", read(fd, (char[REC]){0}, REC), EAGAIN);

  kill(getpid(), SIGUSR1);
  struct signalfd_siginfo si[4];
  memset(si, 0xff, sizeof si);
  SB_ERRNO("small_buffer_einval", read(fd, si, REC - 1), EINVAL);
  ssize_t n = read(fd, si, sizeof si);
  sb_value("n=%zd signo=%u code=%d errno=%d", n, si[0].ssi_signo, si[0].ssi_code, si[0].ssi_errno);
  sb_case("read_kill_record", n == (ssize_t)REC && si[0].ssi_signo == SIGUSR1 &&
                                  si[0].ssi_code == SI_USER && si[0].ssi_errno == 0);
  sb_case("read_kill_pid_uid", si[0].ssi_pid == (uint32_t)getpid() && si[0].ssi_uid == getuid());
  sb_case("read_kill_other_fields_zero", si[0].ssi_int == 0 && si[0].ssi_ptr == 0 &&
                                             si[0].ssi_status == 0 && si[0].ssi_tid == 0 &&
                                             si[0].ssi_addr == 0 && si[0].ssi_fd == 0);
  sigset_t pend;
  sigpending(&pend);
  sb_case("read_consumes_pending", !sigismember(&pend, SIGUSR1));
  SB_ERRNO("read_again_eagain", read(fd, si, sizeof si), EAGAIN);

  /* A standard signal sent twice is one record. */
  kill(getpid(), SIGUSR1);
  kill(getpid(), SIGUSR1);
  n = read(fd, si, sizeof si);
  sb_value("coalesced n=%zd", n);
  sb_case("standard_signal_coalesced", n == (ssize_t)REC && si[0].ssi_signo == SIGUSR1);

  /* Signals outside the mask are left pending. */
  kill(getpid(), SIGUSR2);
  SB_ERRNO("outside_mask_eagain", read(fd, si, sizeof si), EAGAIN);
  sigpending(&pend);
  sb_case("outside_mask_still_pending", sigismember(&pend, SIGUSR2));

  /* Updating the mask through the existing fd. */
  sigset_t s2 = set_of(SIGUSR2, 0);
  int r = signalfd(fd, &s2, 0);
  sb_case("mask_update_returns_fd", r == fd);
  n = read(fd, si, sizeof si);
  sb_value("after update n=%zd signo=%u", n, si[0].ssi_signo);
  sb_case("mask_update_reads_new_signal", n == (ssize_t)REC && si[0].ssi_signo == SIGUSR2);
  /* The update keeps the file's flags (SFD_NONBLOCK is ignored there). */
  sigset_t s1 = set_of(SIGUSR1, 0);
  signalfd(fd, &s1, 0);
  sb_case("mask_update_keeps_nonblock", fcntl(fd, F_GETFL) & O_NONBLOCK);

  /* Several signals: the lowest number first; a thread's own first. */
  signalfd(fd, &s, 0);
  kill(getpid(), SIGUSR2);
  kill(getpid(), SIGUSR1);
  n = read(fd, si, sizeof si);
  sb_value("two n=%zd first=%u second=%u", n, si[0].ssi_signo, si[1].ssi_signo);
  sb_case("lowest_signal_first",
          n == 2 * (ssize_t)REC && si[0].ssi_signo == SIGUSR1 && si[1].ssi_signo == SIGUSR2);
  kill(getpid(), SIGUSR1);                       /* shared queue */
  syscall(SYS_tgkill, getpid(), tid(), SIGUSR2); /* this thread's */
  n = read(fd, si, sizeof si);
  sb_value("own first n=%zd first=%u code=%d second=%u", n, si[0].ssi_signo, si[0].ssi_code,
           si[1].ssi_signo);
  sb_case("thread_pending_before_shared", n == 2 * (ssize_t)REC && si[0].ssi_signo == SIGUSR2 &&
                                              si[0].ssi_code == SI_TKILL &&
                                              si[1].ssi_signo == SIGUSR1);

  /* A full mask (SIGKILL and SIGSTOP are dropped silently). */
  sigset_t all;
  sigfillset(&all);
  r = signalfd(fd, &all, 0);
  sb_case("full_mask_accepted", r == fd);
  close(fd);
  drain();
  sigprocmask(SIG_UNBLOCK, &s, NULL);
}

static void test_sigqueue_and_rt(void) {
  const int rt = SIGRTMIN + 2;
  sigset_t s = set_of(SIGUSR1, rt);
  sigprocmask(SIG_BLOCK, &s, NULL);
  int fd = sfd_for(SIGUSR1, rt, SFD_NONBLOCK);

  union sigval v;
  v.sival_ptr = (void*)0x123456789abcULL;
  sigqueue(getpid(), SIGUSR1, v);
  struct signalfd_siginfo si[4];
  ssize_t n = read(fd, si, sizeof si);
  sb_value("n=%zd code=%d ptr=%#llx int=%#x", n, si[0].ssi_code, (unsigned long long)si[0].ssi_ptr,
           (unsigned)si[0].ssi_int);
  sb_case("sigqueue_value", n == (ssize_t)REC && si[0].ssi_code == SI_QUEUE &&
                                si[0].ssi_ptr == 0x123456789abcULL &&
                                si[0].ssi_int == (int32_t)0x56789abc &&
                                si[0].ssi_pid == (uint32_t)getpid() && si[0].ssi_uid == getuid());

  for (int i = 1; i <= 3; i++) {
    v.sival_int = i * 10;
    sigqueue(getpid(), rt, v);
  }
  /* A buffer for two and a half records takes two. */
  char buf[2 * REC + 50];
  n = read(fd, buf, sizeof buf);
  struct signalfd_siginfo a, b, c;
  memcpy(&a, buf, REC);
  memcpy(&b, buf + REC, REC);
  sb_value("rt n=%zd ints=%d,%d", n, a.ssi_int, b.ssi_int);
  sb_case("rt_queued_in_order_partial", n == 2 * (ssize_t)REC && a.ssi_signo == (uint32_t)rt &&
                                            a.ssi_int == 10 && b.ssi_int == 20);
  n = read(fd, &c, REC);
  sb_case("rt_rest_next_read", n == (ssize_t)REC && c.ssi_int == 30);
  SB_ERRNO("rt_then_empty", read(fd, &c, REC), EAGAIN);

  /* Readv spreads records over the iovecs. */
  v.sival_int = 77;
  sigqueue(getpid(), rt, v);
  char x[100], y[100];
  struct iovec iov[2] = {{x, sizeof x}, {y, sizeof y}};
  n = readv(fd, iov, 2);
  memcpy(buf, x, sizeof x);
  memcpy(buf + sizeof x, y, REC - sizeof x);
  memcpy(&a, buf, REC);
  sb_value("readv n=%zd int=%d", n, a.ssi_int);
  sb_case("readv_split_record", n == (ssize_t)REC && a.ssi_int == 77);
  close(fd);
  drain();
  sigprocmask(SIG_UNBLOCK, &s, NULL);
}

static void test_readiness(void) {
  sigset_t s = set_of(SIGUSR1, SIGUSR2);
  sigprocmask(SIG_BLOCK, &s, NULL);
  int fd = sfd_for(SIGUSR1, 0, SFD_NONBLOCK);

  struct pollfd p = {fd, POLLIN | POLLOUT | POLLRDNORM, 0};
  int r = poll(&p, 1, 0);
  sb_value("before r=%d revents=%#x", r, p.revents);
  sb_case("poll_not_ready", r == 0 && p.revents == 0);
  kill(getpid(), SIGUSR2); /* outside the mask */
  r = poll(&p, 1, 0);
  sb_case("poll_other_signal_not_ready", r == 0 && p.revents == 0);
  kill(getpid(), SIGUSR1);
  r = poll(&p, 1, 0);
  sb_value("after r=%d revents=%#x", r, p.revents);
  sb_case("poll_ready_pollin_only", r == 1 && p.revents == POLLIN);

  fd_set rd;
  FD_ZERO(&rd);
  FD_SET(fd, &rd);
  struct timeval tv = {0, 0};
  r = select(fd + 1, &rd, NULL, NULL, &tv);
  sb_case("select_ready", r == 1 && FD_ISSET(fd, &rd));

  int ep = epoll_create1(0);
  struct epoll_event ev = {.events = EPOLLIN, .data.u32 = 7};
  r = epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
  struct epoll_event out[2];
  int n = epoll_wait(ep, out, 2, 0);
  sb_value("epoll ctl=%d n=%d events=%#x data=%u", r, n, out[0].events, out[0].data.u32);
  sb_case("epoll_ready", r == 0 && n == 1 && out[0].events == EPOLLIN && out[0].data.u32 == 7);

  struct signalfd_siginfo si;
  read(fd, &si, sizeof si);
  r = poll(&p, 1, 0);
  n = epoll_wait(ep, out, 2, 0);
  sb_value("drained poll=%d epoll=%d", r, n);
  sb_case("not_ready_after_read", r == 0 && n == 0);

  /* A mask update makes the pending SIGUSR2 readable. */
  sigset_t s2 = set_of(SIGUSR2, 0);
  signalfd(fd, &s2, 0);
  r = poll(&p, 1, 0);
  n = epoll_wait(ep, out, 2, 0);
  sb_case("ready_after_mask_update", r == 1 && n == 1);
  read(fd, &si, sizeof si);
  close(ep);
  close(fd);
  drain();
  sigprocmask(SIG_UNBLOCK, &s, NULL);
}

/* Children that signal the parent after a short sleep. */
static void kill_parent_later(int sig) {
  if (fork() == 0) {
    usleep(50 * 1000);
    kill(getppid(), sig);
    _exit(0);
  }
}

static void reap_all(void) {
  while (waitpid(-1, NULL, 0) > 0 || errno == EINTR) {
  }
}

static void test_blocking(void) {
  sigset_t s = set_of(SIGUSR1, SIGCHLD);
  sigprocmask(SIG_BLOCK, &s, NULL);
  int fd = sfd_for(SIGUSR1, 0, 0);

  /* A blocking read sleeps until another process sends the signal. */
  pid_t child = fork();
  if (child == 0) {
    usleep(50 * 1000);
    kill(getppid(), SIGUSR1);
    _exit(0);
  }
  struct signalfd_siginfo si;
  ssize_t n = read(fd, &si, sizeof si);
  sb_value("n=%zd signo=%u code=%d", n, si.ssi_signo, si.ssi_code);
  sb_case("blocking_read_woken", n == (ssize_t)REC && si.ssi_signo == SIGUSR1 &&
                                     si.ssi_code == SI_USER && si.ssi_pid == (uint32_t)child);
  waitpid(child, NULL, 0);
  drain();

  /* A blocking epoll_wait on the signalfd: the blocked signal wakes it
   * with the file ready, not with EINTR. */
  int ep = epoll_create1(0);
  struct epoll_event ev = {.events = EPOLLIN, .data.u32 = 3};
  epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
  kill_parent_later(SIGUSR1);
  struct epoll_event out;
  int r = epoll_wait(ep, &out, 1, 10000);
  int e = errno;
  sb_value("epoll_wait=%d errno=%s events=%#x", r, r < 0 ? strerrorname_np(e) : "-",
           r > 0 ? out.events : 0);
  sb_case("blocking_epoll_woken", r == 1 && out.events == EPOLLIN);
  close(ep);
  reap_all();
  drain();

  /* poll likewise. */
  kill_parent_later(SIGUSR1);
  struct pollfd p = {fd, POLLIN, 0};
  r = poll(&p, 1, 10000);
  sb_value("poll=%d revents=%#x", r, p.revents);
  sb_case("blocking_poll_woken", r == 1 && p.revents == POLLIN);
  reap_all();
  drain();

  /* SIGCHLD from a child's exit. */
  sigset_t sc = set_of(SIGCHLD, 0);
  signalfd(fd, &sc, 0);
  child = fork();
  if (child == 0) _exit(7);
  n = read(fd, &si, sizeof si);
  sb_value("sigchld n=%zd signo=%u code=%d status=%d", n, si.ssi_signo, si.ssi_code, si.ssi_status);
  sb_case("sigchld_exit_record", n == (ssize_t)REC && si.ssi_signo == SIGCHLD &&
                                     si.ssi_code == CLD_EXITED && si.ssi_status == 7 &&
                                     si.ssi_pid == (uint32_t)child && si.ssi_uid == getuid());
  int st = 0;
  sb_case("sigchld_child_still_waitable", waitpid(child, &st, 0) == child && WEXITSTATUS(st) == 7);

  child = fork();
  if (child == 0) {
    pause();
    _exit(0);
  }
  kill(child, SIGTERM);
  n = read(fd, &si, sizeof si);
  sb_value("killed code=%d status=%d", si.ssi_code, si.ssi_status);
  sb_case("sigchld_killed_record",
          n == (ssize_t)REC && si.ssi_code == CLD_KILLED && si.ssi_status == SIGTERM);
  waitpid(child, NULL, 0);
  close(fd);
  drain();
  sigprocmask(SIG_UNBLOCK, &s, NULL);
}

static void test_interrupted(void) {
  sigset_t s = set_of(SIGUSR1, 0);
  sigprocmask(SIG_BLOCK, &s, NULL);
  int fd = sfd_for(SIGUSR1, 0, 0);

  /* A handled signal interrupts a blocking read: EINTR without SA_RESTART. */
  handled = 0;
  sb_set_handler(SIGUSR2, count_handler, 0);
  kill_parent_later(SIGUSR2);
  struct signalfd_siginfo si;
  ssize_t n = read(fd, &si, sizeof si);
  int e = errno;
  sb_value("n=%zd errno=%s handled=%d", n, n < 0 ? strerrorname_np(e) : "-", (int)handled);
  sb_case("read_eintr_without_restart", n == -1 && e == EINTR && handled == 1);
  reap_all();

  /* With SA_RESTART the read goes on and returns the later SIGUSR1. */
  handled = 0;
  sb_set_handler(SIGUSR2, count_handler, SA_RESTART);
  if (fork() == 0) {
    usleep(30 * 1000);
    kill(getppid(), SIGUSR2);
    usleep(60 * 1000);
    kill(getppid(), SIGUSR1);
    _exit(0);
  }
  n = read(fd, &si, sizeof si);
  sb_value("restart n=%zd signo=%u handled=%d", n, si.ssi_signo, (int)handled);
  sb_case("read_restarts_with_sa_restart",
          n == (ssize_t)REC && si.ssi_signo == SIGUSR1 && handled == 1);
  reap_all();
  signal(SIGUSR2, SIG_DFL);

  /* An unblocked, handled signal is delivered, so the signalfd never sees it. */
  sigprocmask(SIG_UNBLOCK, &s, NULL);
  handled = 0;
  sb_set_handler(SIGUSR1, count_handler, 0);
  int nb = sfd_for(SIGUSR1, 0, SFD_NONBLOCK);
  kill(getpid(), SIGUSR1);
  SB_ERRNO("handled_signal_not_read", read(nb, &si, sizeof si), EAGAIN);
  sb_case("handled_signal_ran_handler", handled == 1);
  signal(SIGUSR1, SIG_DFL);
  close(nb);
  close(fd);
  drain();
}

/* A signalfd inherited across fork reads the child's own signals. */
static void fork_child_reads(void* arg) {
  int fd = (int)(intptr_t)arg;
  struct signalfd_siginfo si;
  /* The parent's pending signal is not the child's. */
  ssize_t n = read(fd, &si, sizeof si);
  if (!(n == -1 && errno == EAGAIN)) _exit(1);
  kill(getpid(), SIGUSR1);
  n = read(fd, &si, sizeof si);
  if (n != (ssize_t)REC || si.ssi_signo != SIGUSR1 || si.ssi_pid != (uint32_t)getpid()) _exit(2);
  _exit(0);
}

static void test_fork(void) {
  sigset_t s = set_of(SIGUSR1, SIGUSR2);
  sigprocmask(SIG_BLOCK, &s, NULL);
  int fd = sfd_for(SIGUSR1, SIGUSR2, SFD_NONBLOCK);
  kill(getpid(), SIGUSR2);
  int st = sb_in_child(fork_child_reads, (void*)(intptr_t)fd);
  sb_value("child exit=%d", WIFEXITED(st) ? WEXITSTATUS(st) : -1);
  sb_case("fork_child_reads_own_signals", WIFEXITED(st) && WEXITSTATUS(st) == 0);
  struct signalfd_siginfo si;
  ssize_t n = read(fd, &si, sizeof si);
  sb_case("fork_parent_keeps_its_signal", n == (ssize_t)REC && si.ssi_signo == SIGUSR2);
  SB_ERRNO("fork_parent_no_child_signal", read(fd, &si, sizeof si), EAGAIN);
  close(fd);
  drain();
  sigprocmask(SIG_UNBLOCK, &s, NULL);
}

/* Thread-directed signals are readable only by their thread. */
struct thread_arg {
  int fd;
  pid_t tid;
  volatile int ready, go;
  ssize_t n;
  struct signalfd_siginfo si;
};

static void* thread_reader(void* p) {
  struct thread_arg* a = p;
  a->tid = tid();
  __atomic_store_n(&a->ready, 1, __ATOMIC_SEQ_CST);
  while (!__atomic_load_n(&a->go, __ATOMIC_SEQ_CST)) usleep(1000);
  a->n = read(a->fd, &a->si, sizeof a->si);
  return NULL;
}

static void test_threads(void) {
  sigset_t s = set_of(SIGUSR1, 0);
  sigprocmask(SIG_BLOCK, &s, NULL); /* the thread inherits the mask */
  int fd = sfd_for(SIGUSR1, 0, SFD_NONBLOCK);
  struct thread_arg a = {.fd = fd};
  pthread_t th;
  pthread_create(&th, NULL, thread_reader, &a);
  while (!__atomic_load_n(&a.ready, __ATOMIC_SEQ_CST)) usleep(1000);
  syscall(SYS_tgkill, getpid(), a.tid, SIGUSR1);
  struct signalfd_siginfo si;
  SB_ERRNO("tgkill_other_thread_not_readable_here", read(fd, &si, sizeof si), EAGAIN);
  struct pollfd p = {fd, POLLIN, 0};
  sb_case("tgkill_other_thread_not_ready_here", poll(&p, 1, 0) == 0);
  __atomic_store_n(&a.go, 1, __ATOMIC_SEQ_CST);
  pthread_join(th, NULL);
  sb_value("thread n=%zd signo=%u code=%d", a.n, a.si.ssi_signo, a.si.ssi_code);
  sb_case("tgkill_thread_reads_its_signal", a.n == (ssize_t)REC && a.si.ssi_signo == SIGUSR1 &&
                                                a.si.ssi_code == SI_TKILL &&
                                                a.si.ssi_pid == (uint32_t)getpid());
  close(fd);
  drain();
  sigprocmask(SIG_UNBLOCK, &s, NULL);
}

static void test_timer(void) {
  const int sig = SIGRTMIN + 3;
  sigset_t s = set_of(sig, 0);
  sigprocmask(SIG_BLOCK, &s, NULL);
  int fd = sfd_for(sig, 0, 0);
  struct sigevent sev;
  memset(&sev, 0, sizeof sev);
  sev.sigev_notify = SIGEV_SIGNAL;
  sev.sigev_signo = sig;
  sev.sigev_value.sival_int = 99;
  timer_t timer;
  int r = timer_create(CLOCK_MONOTONIC, &sev, &timer);
  struct itimerspec its = {{0, 0}, {0, 5 * 1000 * 1000}};
  timer_settime(timer, 0, &its, NULL);
  struct signalfd_siginfo si;
  ssize_t n = read(fd, &si, sizeof si);
  sb_value("timer create=%d n=%zd code=%d int=%d overrun=%u", r, n, si.ssi_code, si.ssi_int,
           si.ssi_overrun);
  sb_case("timer_record", r == 0 && n == (ssize_t)REC && si.ssi_signo == (uint32_t)sig &&
                              si.ssi_code == SI_TIMER && si.ssi_int == 99 && si.ssi_overrun == 0 &&
                              si.ssi_tid == (uint32_t)(intptr_t)timer && si.ssi_pid == 0);
  timer_delete(timer);
  close(fd);
  drain();
  sigprocmask(SIG_UNBLOCK, &s, NULL);
}

int main(void) {
  sb_init();
  test_create_and_errors();
  test_flags_and_stat();
  test_read_kill();
  test_sigqueue_and_rt();
  test_readiness();
  test_blocking();
  test_interrupted();
  test_fork();
  test_threads();
  test_timer();
  return sb_finish();
}
