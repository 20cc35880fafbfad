/* The process tree's corners: CLONE_PARENT, clone exit signals with
 * __WCLONE/__WALL, execve from a non-leader thread, robust futexes of a
 * dead owner, orphaned process groups getting SIGHUP+SIGCONT, RLIMIT_CPU,
 * and the stack growing to RLIMIT_STACK. */
#include "sbtest.h"

#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>

static const char* self_path;

static pid_t clone_fork(unsigned long flags) {
  return (pid_t)syscall(SYS_clone, flags, 0, NULL, NULL, 0);
}

static int exited_ok(int st) { return WIFEXITED(st) && WEXITSTATUS(st) == 0; }

static void show_status(int st) {
  if (WIFEXITED(st)) {
    sb_value("exit %d", WEXITSTATUS(st));
  } else if (WIFSIGNALED(st)) {
    sb_value("signal %d", WTERMSIG(st));
  }
}

/* --- CLONE_PARENT --- */

static void clone_parent(void) {
  const pid_t me = getpid();
  pid_t c = fork();
  if (c == 0) {
    pid_t g = clone_fork(CLONE_PARENT | SIGCHLD);
    if (g == 0) _exit(getppid() == me ? 0 : 1);
    _exit(g > 0 ? 0 : 2);
  }
  int reaped = 0, good = 0, st;
  pid_t got;
  while ((got = waitpid(-1, &st, 0)) > 0) {
    ++reaped;
    good += exited_ok(st);
  }
  sb_value("reaped %d, exited 0: %d", reaped, good);
  sb_case("clone_parent_makes_a_sibling", reaped == 2 && good == 2);
}

/* --- Exit signals --- */

static void exit_signals(void) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGUSR1);
  sigprocmask(SIG_BLOCK, &set, NULL);
  pid_t c = clone_fork(SIGUSR1);
  if (c == 0) _exit(7);
  struct timespec ts = {10, 0};
  siginfo_t si;
  int sig = sigtimedwait(&set, &si, &ts);
  sb_case("clone_exit_signal_sent",
          sig == SIGUSR1 && si.si_code == CLD_EXITED && si.si_pid == c && si.si_status == 7);
  SB_ERRNO("clone_child_invisible_without_wclone", waitpid(c, NULL, WNOHANG), ECHILD);
  int st = 0;
  sb_case("wclone_reaps_clone_child",
          waitpid(c, &st, __WCLONE) == c && WIFEXITED(st) && WEXITSTATUS(st) == 7);
  sigprocmask(SIG_UNBLOCK, &set, NULL);

  pid_t quiet = clone_fork(0);
  if (quiet == 0) _exit(3);
  pid_t normal = fork();
  if (normal == 0) _exit(4);
  /* __WCLONE sees only the clone child; __WALL both. */
  int seen = 0;
  pid_t got;
  while ((got = waitpid(-1, &st, __WALL)) > 0) {
    if (got == quiet && WEXITSTATUS(st) == 3) seen |= 1;
    if (got == normal && WEXITSTATUS(st) == 4) seen |= 2;
  }
  sb_case("wall_reaps_both_kinds", seen == 3);
}

/* SIGCHLD and waitid carry the child's real user ID. */
static void child_uid(void) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGCHLD);
  sigprocmask(SIG_BLOCK, &set, NULL);
  pid_t c = fork();
  if (c == 0) {
    if (setuid(65534) != 0) _exit(1);
    _exit(0);
  }
  struct timespec ts = {10, 0};
  siginfo_t si;
  memset(&si, 0, sizeof(si));
  int sig = sigtimedwait(&set, &si, &ts);
  sb_value("SIGCHLD si_uid %d si_code %d", (int)si.si_uid, si.si_code);
  sb_case("sigchld_carries_child_uid", sig == SIGCHLD && si.si_uid == 65534 && si.si_pid == c);
  memset(&si, 0, sizeof(si));
  int r = waitid(P_PID, c, &si, WEXITED);
  sb_value("waitid si_uid %d", (int)si.si_uid);
  sb_case("waitid_carries_child_uid", r == 0 && si.si_uid == 65534 && si.si_status == 0);
  sigprocmask(SIG_UNBLOCK, &set, NULL);
}

/* --- execve from a thread --- */

static void* exec_thread(void* arg) {
  char pid[32];
  snprintf(pid, sizeof(pid), "%d", (int)getpid());
  char* argv[] = {(char*)self_path, "exec-from-thread", pid, NULL};
  execv(self_path, argv);
  _exit(99);
}

static void* sleeper(void* arg) {
  for (;;) pause();
}

static void exec_from_thread(void) {
  pid_t c = fork();
  if (c == 0) {
    pthread_t t1, t2;
    pthread_create(&t1, NULL, sleeper, NULL);
    pthread_create(&t2, NULL, exec_thread, NULL);
    for (;;) pause(); /* the leader is blocked when the exec kills it */
  }
  int st = 0;
  waitpid(c, &st, 0);
  show_status(st);
  sb_case("exec_from_thread_keeps_pid", exited_ok(st));
}

/* The re-exec'd image: the process ID is the same and we are its only
 * thread, now its leader. */
static int exec_from_thread_image(const char* pid) {
  if (getpid() != atoi(pid)) return 1;
  if (syscall(SYS_gettid) != getpid()) return 2;
  return 0;
}

/* --- Robust futexes --- */

static pthread_mutex_t* shared_robust_mutex(void) {
  pthread_mutex_t* m =
      mmap(NULL, sizeof(*m), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  pthread_mutexattr_t a;
  pthread_mutexattr_init(&a);
  pthread_mutexattr_setpshared(&a, PTHREAD_PROCESS_SHARED);
  pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST);
  pthread_mutex_init(m, &a);
  return m;
}

static void* lock_and_exit(void* m) {
  pthread_mutex_lock(m);
  return NULL;
}

static void robust(void) {
  pthread_mutex_t* m = shared_robust_mutex();
  pid_t c = fork();
  if (c == 0) {
    pthread_mutex_lock(m);
    _exit(0); /* dies holding it */
  }
  waitpid(c, NULL, 0);
  int r = pthread_mutex_lock(m);
  sb_value("lock after the owner process died: %s", r ? strerrorname_np(r) : "0");
  sb_case("robust_owner_process_died", r == EOWNERDEAD);
  pthread_mutex_consistent(m);
  pthread_mutex_unlock(m);

  /* A waiter blocked on the lock is woken when the owner dies. */
  int p[2];
  pipe(p);
  c = fork();
  if (c == 0) {
    pthread_mutex_lock(m);
    write(p[1], "x", 1);
    usleep(100000);
    _exit(0);
  }
  char x;
  read(p[0], &x, 1);
  r = pthread_mutex_lock(m);
  waitpid(c, NULL, 0);
  sb_case("robust_waiter_woken_by_owner_death", r == EOWNERDEAD);
  pthread_mutex_consistent(m);
  pthread_mutex_unlock(m);

  /* A thread's exit. */
  pthread_t t;
  pthread_create(&t, NULL, lock_and_exit, m);
  pthread_join(t, NULL);
  r = pthread_mutex_lock(m);
  sb_case("robust_owner_thread_exited", r == EOWNERDEAD);
  pthread_mutex_consistent(m);
  pthread_mutex_unlock(m);

  void* head = NULL;
  size_t len = 0;
  long rr = syscall(SYS_get_robust_list, 0, &head, &len);
  sb_case("get_robust_list_self", rr == 0 && head != NULL && len == 3 * sizeof(void*));
  SB_ERRNO("get_robust_list_esrch", syscall(SYS_get_robust_list, 0x3fffff00, &head, &len), ESRCH);
  SB_ERRNO("set_robust_list_bad_len_einval", syscall(SYS_set_robust_list, head, 12), EINVAL);
}

/* --- Orphaned process groups --- */

static int hup_pipe;
static void on_hup(int sig) { write(hup_pipe, "H", 1); }

/* The job's last link to a parent in its session goes; the orphan is
 * reaped by us, a subreaper in another session, so the outcome does not
 * depend on who the host's init is or which session it is in. */
static void orphaned_pgrp(void) {
  int p[2];
  pipe(p);
  prctl(PR_SET_CHILD_SUBREAPER, 1);
  pid_t s = fork();
  if (s == 0) {
    setsid(); /* S: a session of its own */
    pid_t c1 = fork();
    if (c1 == 0) {
      close(p[0]);
      setpgid(0, 0); /* C1: a new job in S's session */
      pid_t c2 = fork();
      if (c2 == 0) {
        hup_pipe = p[1];
        signal(SIGHUP, on_hup);
        kill(getpid(), SIGSTOP);
        write(p[1], "C", 1); /* continued */
        _exit(0);
      }
      close(p[1]);
      int st;
      waitpid(c2, &st, WUNTRACED);   /* stopped */
      _exit(WIFSTOPPED(st) ? 0 : 1); /* C2 goes to us, outside the session */
    }
    close(p[0]);
    close(p[1]);
    int st;
    waitpid(c1, &st, 0);
    _exit(exited_ok(st) ? 0 : 1);
  }
  close(p[1]);
  int st;
  waitpid(s, &st, 0);
  alarm(10);
  char buf[8] = {0};
  size_t n = 0;
  ssize_t r;
  while (n < sizeof(buf) - 1 && (r = read(p[0], buf + n, sizeof(buf) - 1 - n)) > 0) n += r;
  alarm(0);
  close(p[0]);
  alarm(10);
  while (waitpid(-1, NULL, 0) > 0) { /* C2, ours since C1 exited */
  }
  alarm(0);
  prctl(PR_SET_CHILD_SUBREAPER, 0);
  sb_value("c1 %s, c2 wrote \"%s\"", exited_ok(st) ? "ok" : "failed", buf);
  sb_case("orphaned_stopped_pgrp_gets_hup_then_cont", exited_ok(st) && strcmp(buf, "HC") == 0);
}

/* SIGTSTP to an orphaned process group is discarded; SIGSTOP still stops. */
static void orphaned_tstp(void) {
  pid_t c = fork();
  if (c == 0) {
    setsid(); /* a new session: its group has no parent inside it */
    kill(getpid(), SIGTSTP);
    _exit(0); /* reached only if SIGTSTP was discarded */
  }
  int st = 0;
  waitpid(c, &st, WUNTRACED);
  show_status(st);
  if (WIFSTOPPED(st)) {
    kill(c, SIGKILL);
    waitpid(c, &st, 0);
  }
  sb_case("orphaned_pgrp_tstp_discarded", WIFEXITED(st) && WEXITSTATUS(st) == 0);
  c = fork();
  if (c == 0) {
    setsid();
    kill(getpid(), SIGSTOP);
    _exit(0);
  }
  waitpid(c, &st, WUNTRACED);
  sb_case("orphaned_pgrp_sigstop_stops", WIFSTOPPED(st) && WSTOPSIG(st) == SIGSTOP);
  kill(c, SIGKILL);
  waitpid(c, &st, 0);
}

/* --- RLIMIT_CPU --- */

static volatile sig_atomic_t got_xcpu;
static void on_xcpu(int sig) { got_xcpu = 1; }

static void burn_until(volatile sig_atomic_t* flag) {
  struct timespec start, now;
  clock_gettime(CLOCK_MONOTONIC, &start);
  while (!*flag) {
    clock_gettime(CLOCK_MONOTONIC, &now);
    if (now.tv_sec - start.tv_sec > 20) _exit(9);
  }
}

static void rlimit_cpu(void) {
  pid_t c = fork();
  if (c == 0) {
    signal(SIGXCPU, on_xcpu);
    struct rlimit rl = {1, 3};
    setrlimit(RLIMIT_CPU, &rl);
    burn_until(&got_xcpu);
    getrlimit(RLIMIT_CPU, &rl);
    _exit(rl.rlim_cur == 2 ? 0 : 1); /* Linux raises the soft limit a second */
  }
  int st = 0;
  waitpid(c, &st, 0);
  show_status(st);
  sb_case("rlimit_cpu_sigxcpu_at_soft_limit", exited_ok(st));

  c = fork();
  if (c == 0) {
    signal(SIGXCPU, SIG_IGN);
    struct rlimit rl = {1, 1};
    setrlimit(RLIMIT_CPU, &rl);
    static volatile sig_atomic_t never;
    burn_until(&never);
    _exit(0);
  }
  waitpid(c, &st, 0);
  show_status(st);
  sb_case("rlimit_cpu_sigkill_at_hard_limit", WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
}

/* --- The stack --- */

static int recurse(int depth) {
  volatile char frame[4096];
  for (int i = 0; i < 4096; i += 512) frame[i] = (char)depth; /* the whole frame exists */
  frame[4095] = (char)depth;
  if (depth == 0) return frame[0];
  return recurse(depth - 1) + frame[4095];
}

static void stack(void) {
  pid_t c = fork();
  if (c == 0) {
    struct rlimit rl = {32 << 20, RLIM_INFINITY};
    setrlimit(RLIMIT_STACK, &rl);
    volatile int sink = recurse(16 * 256); /* 16 MiB deep: beyond the default 8 */
    (void)sink;
    _exit(0);
  }
  int st = 0;
  waitpid(c, &st, 0);
  show_status(st);
  sb_case("stack_grows_to_raised_rlimit", exited_ok(st));

  c = fork();
  if (c == 0) {
    struct rlimit rl = {1 << 20, RLIM_INFINITY};
    setrlimit(RLIMIT_STACK, &rl);
    volatile int sink = recurse(4 * 256); /* 4 MiB: past the 1 MiB limit */
    (void)sink;
    _exit(0);
  }
  waitpid(c, &st, 0);
  show_status(st);
  sb_case("stack_overflow_past_rlimit_segv", WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV);
}

int main(int argc, char** argv) {
  if (argc == 3 && strcmp(argv[1], "exec-from-thread") == 0) {
    return exec_from_thread_image(argv[2]);
  }
  self_path = argv[0];
  sb_init();
  clone_parent();
  exit_signals();
  child_uid();
  exec_from_thread();
  robust();
  orphaned_pgrp();
  orphaned_tstp();
  rlimit_cpu();
  stack();
  return sb_failed ? 1 : 0;
}
