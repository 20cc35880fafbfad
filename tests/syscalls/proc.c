/* Process and system-information syscalls: getpid, fork, vfork, wait4,
 * execve, pipes between processes, uname, umask, rlimits, clocks, sleep,
 * getrandom, sysinfo, sched_getaffinity, and an unimplemented call.
 * Prints no pids, times or host-specific values. See sbtest.h. */
#include "sbtest.h"

#include <sched.h>
#include <stdint.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <sys/utsname.h>
#include <time.h>

extern char** environ;

static int exec_child(int argc, char** argv) {
  /* Runs after execve: report argv and the environment we were given. */
  const char* v = getenv("SB_EXEC_VAR");
  printf("  exec child argc=%d argv1=%s argv2=%s env=%s envc_ok=%d\n", argc, argv[1],
         argc > 2 ? argv[2] : "-", v ? v : "(unset)", environ[0] && !environ[1]);
  return 42;
}

static long ns_between(struct timespec a, struct timespec b) {
  return (b.tv_sec - a.tv_sec) * 1000000000L + (b.tv_nsec - a.tv_nsec);
}

static void test_ids(void) {
  pid_t pid = getpid();
  sb_case("getpid_matches_raw_syscall", pid > 0 && pid == (pid_t)syscall(SYS_getpid));
  sb_case("gettid_equals_pid_single_thread", (pid_t)syscall(SYS_gettid) == pid);
  /* 0 for the first process of a PID namespace (a sandbox's init). */
  sb_case("getppid_nonnegative", getppid() >= 0);
  sb_case("kill_self_sig0", kill(pid, 0) == 0);
  sb_case("getuid_matches_geteuid", getuid() == geteuid() && getgid() == getegid());
  sb_case("getpgid_self_matches_getpgrp", getpgid(0) == getpgrp());
  sb_case("getsid_nonnegative",
          getsid(0) >= 0);  // 0 when the session leader is outside our pid namespace

  int p[2];
  pipe(p);
  pid_t child = fork();
  if (child == 0) {
    pid_t ids[2] = {getpid(), getppid()};
    write(p[1], ids, sizeof ids);
    _exit(0);
  }
  pid_t ids[2] = {0, 0};
  read(p[0], ids, sizeof ids);
  waitpid(child, NULL, 0);
  close(p[0]);
  close(p[1]);
  sb_case("child_getpid_matches_fork_return", ids[0] == child);
  sb_case("child_getppid_is_parent", ids[1] == pid);
}

static void test_fork_wait(void) {
  pid_t child = fork();
  if (child == 0) _exit(42);
  int st = 0;
  struct rusage ru;
  pid_t w = wait4(child, &st, 0, &ru);
  sb_value("exited=%d status=%d", WIFEXITED(st), WEXITSTATUS(st));
  sb_case("fork_wait4_exit_status", w == child && WIFEXITED(st) && WEXITSTATUS(st) == 42);

  child = fork();
  if (child == 0) {
    raise(SIGKILL);
    _exit(0);
  }
  w = wait4(child, &st, 0, NULL);
  sb_value("signaled=%d sig=%d", WIFSIGNALED(st), WIFSIGNALED(st) ? WTERMSIG(st) : 0);
  sb_case("wait4_killed_by_signal", w == child && WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);

  child = fork();
  if (child == 0) {
    usleep(100000);
    _exit(3);
  }
  w = wait4(child, &st, WNOHANG, NULL);
  sb_case("wait4_wnohang_running_returns_0", w == 0);
  w = wait4(-1, &st, 0, NULL);
  sb_case("wait4_any_child", w == child && WIFEXITED(st) && WEXITSTATUS(st) == 3);
  SB_ERRNO("wait4_no_children_echild", wait4(-1, &st, 0, NULL), ECHILD);
  SB_ERRNO("wait4_bad_options_einval", wait4(-1, &st, 0x100, NULL), EINVAL);

  volatile int shared = 0;
  child = vfork();
  if (child == 0) {
    shared = 1; /* Linux's vfork shares memory until _exit. */
    _exit(7);
  }
  w = waitpid(child, &st, 0);
  sb_value("vfork status=%d", WEXITSTATUS(st));
  sb_case("vfork_exit_status", w == child && WIFEXITED(st) && WEXITSTATUS(st) == 7);
  sb_case("vfork_shares_memory", shared == 1);
}

static void test_exec(const char* self) {
  pid_t child = fork();
  if (child == 0) {
    char* argv[] = {(char*)self, "exec-child", "hello", NULL};
    char* envp[] = {"SB_EXEC_VAR=forty-two", NULL};
    execve(self, argv, envp);
    _exit(127);
  }
  int st = 0;
  waitpid(child, &st, 0);
  sb_value("exec status=%d", WIFEXITED(st) ? WEXITSTATUS(st) : -1);
  sb_case("execve_self_argv_envp", WIFEXITED(st) && WEXITSTATUS(st) == 42);

  char* argv[] = {"x", NULL};
  SB_ERRNO("execve_missing_enoent", execve("/nonexistent/prog", argv, environ), ENOENT);
  SB_ERRNO("execve_directory_eacces", execve("/", argv, environ), EACCES);
}

static void test_pipe_between(void) {
  int down[2], up[2];
  pipe(down);
  pipe(up);
  pid_t child = fork();
  if (child == 0) {
    char b[8] = {0};
    close(down[1]);
    close(up[0]);
    ssize_t n = read(down[0], b, sizeof b - 1);
    if (n == 4 && strcmp(b, "ping") == 0) write(up[1], "pong", 4);
    _exit(0);
  }
  close(down[0]);
  close(up[1]);
  write(down[1], "ping", 4);
  char b[8] = {0};
  ssize_t n = read(up[0], b, sizeof b - 1);
  waitpid(child, NULL, 0);
  sb_value("parent got %zd bytes: %s", n, b);
  sb_case("pipe_parent_child_ping_pong", n == 4 && strcmp(b, "pong") == 0);
  sb_case("pipe_eof_after_child_exit", read(up[0], b, 1) == 0);
  close(down[1]);
  close(up[0]);
}

static void test_system_info(void) {
  struct utsname u;
  int rc = uname(&u);
  sb_value("sysname=%s machine=%s", u.sysname, u.machine);
  sb_case("uname", rc == 0 && strcmp(u.sysname, "Linux") == 0 && strcmp(u.machine, "x86_64") == 0 &&
                       u.release[0] && u.version[0] && u.nodename[0]);

  mode_t old = umask(027);
  mode_t back = umask(old);
  sb_value("umask round trip=%03o", back);
  sb_case("umask_round_trip", back == 027 && umask(old) == old);

  struct rlimit rl, rl2;
  rc = getrlimit(RLIMIT_NOFILE, &rl);
  struct rlimit lower = {256, rl.rlim_max};
  int set = setrlimit(RLIMIT_NOFILE, &lower);
  getrlimit(RLIMIT_NOFILE, &rl2);
  sb_value("nofile soft after set=%llu", (unsigned long long)rl2.rlim_cur);
  sb_case("getrlimit_setrlimit_round_trip",
          rc == 0 && set == 0 && rl2.rlim_cur == 256 && rl2.rlim_max == rl.rlim_max);
  struct rlimit lower2 = {128, rl.rlim_max}, prev = {0, 0};
  rc = prlimit(0, RLIMIT_NOFILE, &lower2, &prev);
  getrlimit(RLIMIT_NOFILE, &rl2);
  sb_value("prlimit old soft=%llu new soft=%llu", (unsigned long long)prev.rlim_cur,
           (unsigned long long)rl2.rlim_cur);
  sb_case("prlimit64_round_trip", rc == 0 && prev.rlim_cur == 256 && rl2.rlim_cur == 128);
  setrlimit(RLIMIT_NOFILE, &rl);
  struct rlimit bad = {2, 1};
  SB_ERRNO("setrlimit_soft_above_hard_einval", setrlimit(RLIMIT_NOFILE, &bad), EINVAL);
  SB_ERRNO("getrlimit_bad_resource_einval", getrlimit(1000, &rl2), EINVAL);

  struct timespec a, b, r;
  clock_gettime(CLOCK_MONOTONIC, &a);
  clock_gettime(CLOCK_MONOTONIC, &b);
  sb_case("clock_monotonic_nondecreasing", ns_between(a, b) >= 0);
  clock_gettime(CLOCK_REALTIME, &r);
  sb_case("clock_realtime_after_2020", r.tv_sec > 1577836800);
  sb_case("clock_getres_monotonic",
          clock_getres(CLOCK_MONOTONIC, &r) == 0 && r.tv_sec == 0 && r.tv_nsec > 0);
  sb_case("clock_boottime", clock_gettime(CLOCK_BOOTTIME, &r) == 0);
  SB_ERRNO("clock_gettime_bad_clock_einval", clock_gettime((clockid_t)1000, &r), EINVAL);

  struct timespec ten_ms = {0, 10 * 1000 * 1000};
  clock_gettime(CLOCK_MONOTONIC, &a);
  rc = nanosleep(&ten_ms, NULL);
  clock_gettime(CLOCK_MONOTONIC, &b);
  long slept = ns_between(a, b);
  sb_case("nanosleep_10ms", rc == 0 && slept >= 10 * 1000 * 1000 && slept < 2000L * 1000 * 1000);
  struct timespec bad_ts = {0, 1000000000};
  SB_ERRNO("nanosleep_bad_nsec_einval", nanosleep(&bad_ts, NULL), EINVAL);

  unsigned char rnd[64];
  memset(rnd, 0, sizeof rnd);
  ssize_t n = getrandom(rnd, sizeof rnd, 0);
  int nonzero = 0;
  for (size_t i = 0; i < sizeof rnd; i++) nonzero |= rnd[i];
  sb_case("getrandom_fills_buffer", n == (ssize_t)sizeof rnd && nonzero);
  sb_case("getrandom_nonblock", getrandom(rnd, 16, GRND_NONBLOCK) == 16);
  SB_ERRNO("getrandom_bad_flags_einval", getrandom(rnd, 16, 0x100), EINVAL);

  struct sysinfo si;
  rc = sysinfo(&si);
  sb_case("sysinfo", rc == 0 && si.totalram > 0 && si.mem_unit > 0 && si.procs > 0);

  cpu_set_t set_cpus;
  CPU_ZERO(&set_cpus);
  long bytes = syscall(SYS_sched_getaffinity, 0, sizeof set_cpus, &set_cpus);
  sb_case("sched_getaffinity_nonempty", bytes > 0 && CPU_COUNT(&set_cpus) >= 1);
  SB_ERRNO("sched_getaffinity_small_einval", syscall(SYS_sched_getaffinity, 0, 1, &set_cpus),
           EINVAL);
  sb_case("sched_yield", sched_yield() == 0);
}

static void test_unimplemented(void) {
  /* io_uring_setup with bad arguments fails natively (EFAULT/EINVAL) and in
   * the sandbox (ENOSYS or the same): only the failure is comparable. */
  long rc = syscall(SYS_io_uring_setup, 0, NULL);
  sb_value("io_uring_setup returned %ld", rc);
  sb_case("io_uring_setup_bad_args_fails", rc == -1);
  rc = syscall(100000);
  sb_case("syscall_out_of_range_enosys", rc == -1 && errno == ENOSYS);
}

int main(int argc, char** argv) {
  sb_init();
  if (argc > 1 && strcmp(argv[1], "exec-child") == 0) return exec_child(argc, argv);
  test_ids();
  test_fork_wait();
  test_exec(argv[0]);
  test_pipe_between();
  test_system_info();
  test_unimplemented();
  return sb_finish();
}
