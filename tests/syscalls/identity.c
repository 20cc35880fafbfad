/* Who a process is: sessions and process groups, reparenting, prctl names
 * and flags, RLIMIT_NOFILE enforcement, umask. Prints no ids. See sbtest.h. */
#include "sbtest.h"

#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>

/* Runs fn in a child and returns its exit code (or -1). */
static int child_code(int (*fn)(void)) {
  pid_t c = fork();
  if (c == 0) _exit(fn());
  int st = 0;
  waitpid(c, &st, 0);
  int code = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  sb_value("child exit code=%d", code);
  return code;
}

static int setsid_child(void) {
  pid_t s = setsid();
  if (s != getpid()) return 1;
  if (getsid(0) != getpid() || getpgrp() != getpid() || getpgid(0) != getpid()) return 2;
  if (setsid() != -1 || errno != EPERM) return 3;
  if (setpgid(0, 0) != -1 || errno != EPERM) return 4; /* session leaders cannot move */
  return 0;
}

static int leader_setsid_child(void) {
  if (setpgid(0, 0) != 0) return 1;
  if (getpgrp() != getpid()) return 2;
  return setsid() == -1 && errno == EPERM ? 0 : 3;
}

static int cross_session_child(void) {
  pid_t parent_pgrp = getpgrp();
  setsid();
  return setpgid(0, parent_pgrp) == -1 && errno == EPERM ? 0 : 1;
}

static int group_kill_child(void) {
  setpgid(0, 0);
  pid_t g = fork();
  if (g == 0) {
    for (;;) pause();
  }
  signal(SIGTERM, SIG_IGN);
  kill(0, SIGTERM);
  int st = 0;
  waitpid(g, &st, 0);
  return WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM ? 0 : 1;
}

static void test_sessions(void) {
  sb_case("setsid_in_child_new_session", child_code(setsid_child) == 0);
  sb_case("setsid_group_leader_eperm", child_code(leader_setsid_child) == 0);
  sb_case("setpgid_into_other_session_eperm", child_code(cross_session_child) == 0);
  sb_case("kill_0_signals_process_group", child_code(group_kill_child) == 0);
  sb_case("getpgrp_equals_getpgid_0", getpgrp() == getpgid(0) && getpgid(getpid()) == getpgrp());
  sb_case("getsid_self_equals_getsid_0", getsid(getpid()) == getsid(0));

  int p[2];
  pipe(p);
  pid_t c = fork();
  if (c == 0) {
    char x;
    read(p[0], &x, 1);
    _exit(0);
  }
  int rc = setpgid(c, c);
  sb_case("parent_setpgid_child", rc == 0 && getpgid(c) == c);
  sb_case("child_same_session_as_parent", getsid(c) == getsid(0));
  rc = setpgid(c, getpgrp());
  sb_case("parent_moves_child_back", rc == 0 && getpgid(c) == getpgrp());
  write(p[1], "x", 1);
  waitpid(c, NULL, 0);
  close(p[0]);
  close(p[1]);

  SB_ERRNO("setpgid_negative_einval", setpgid(0, -1), EINVAL);
  SB_ERRNO("setpgid_nonexistent_esrch", setpgid(0x3fffff00, 0), ESRCH);
  SB_ERRNO("getpgid_nonexistent_esrch", getpgid(0x3fffff00), ESRCH);
  SB_ERRNO("getsid_nonexistent_esrch", getsid(0x3fffff00), ESRCH);
  SB_ERRNO("setpgid_no_such_group_eperm", setpgid(0, 0x3fffff00), EPERM);
  SB_ERRNO("kill_nonexistent_esrch", kill(0x3fffff00, 0), ESRCH);
  SB_ERRNO("kill_nonexistent_group_esrch", kill(-0x3fffff00, 0), ESRCH);
}

static void test_reparent(void) {
  int p[2];
  pipe(p);
  pid_t c = fork();
  if (c == 0) {
    pid_t orig = getpid();
    pid_t g = fork();
    if (g == 0) {
      for (int i = 0; i < 3000 && getppid() == orig; i++) usleep(1000);
      char r = getppid() != orig ? 'y' : 'n';
      write(p[1], &r, 1);
      _exit(0);
    }
    _exit(0);
  }
  close(p[1]);
  waitpid(c, NULL, 0);
  char r = 0;
  read(p[0], &r, 1);
  close(p[0]);
  sb_case("getppid_changes_after_parent_exit", r == 'y');

  sb_case("pr_set_child_subreaper", prctl(PR_SET_CHILD_SUBREAPER, 1) == 0);
  int is = 0;
  prctl(PR_GET_CHILD_SUBREAPER, &is);
  sb_case("pr_get_child_subreaper", is == 1);
  pipe(p);
  c = fork();
  if (c == 0) {
    pid_t g = fork();
    if (g == 0) {
      char x;
      read(p[0], &x, 1);
      _exit(0);
    }
    _exit(0);
  }
  waitpid(c, NULL, 0);
  write(p[1], "x", 1);
  int st = 0;
  pid_t w = waitpid(-1, &st, 0);
  sb_case("subreaper_reaps_orphaned_grandchild", w > 0 && w != c && WIFEXITED(st));
  close(p[0]);
  close(p[1]);
  prctl(PR_SET_CHILD_SUBREAPER, 0);
}

static int pdeath_child(void) {
  signal(SIGUSR1, SIG_DFL);
  if (prctl(PR_SET_PDEATHSIG, SIGUSR1) != 0) return 1;
  int sig = 0;
  prctl(PR_GET_PDEATHSIG, &sig);
  if (sig != SIGUSR1) return 2;
  pid_t g = fork();
  if (g == 0) {
    int s2 = -1;
    prctl(PR_GET_PDEATHSIG, &s2);
    _exit(s2 == 0 ? 0 : 3);
  }
  int st;
  waitpid(g, &st, 0);
  return WIFEXITED(st) ? WEXITSTATUS(st) : 4;
}

static int nnp_child(void) {
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) return 1;
  if (prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 1) return 2;
  if (prctl(PR_SET_NO_NEW_PRIVS, 0, 0, 0, 0) != -1 || errno != EINVAL) return 3;
  pid_t g = fork();
  if (g == 0) _exit(prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) == 1 ? 0 : 1);
  int st;
  waitpid(g, &st, 0);
  return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : 4;
}

static void test_prctl(void) {
  char name[32] = {0};
  prctl(PR_GET_NAME, name);
  sb_value("initial name=%s", name);
  sb_case("pr_get_name_initial_is_exe_basename", strcmp(name, "identity") == 0);
  prctl(PR_SET_NAME, "sb-renamed");
  memset(name, 0, sizeof name);
  prctl(PR_GET_NAME, name);
  sb_case("pr_set_name_round_trip", strcmp(name, "sb-renamed") == 0);
  prctl(PR_SET_NAME, "0123456789abcdefghij");
  memset(name, 0, sizeof name);
  prctl(PR_GET_NAME, name);
  sb_value("truncated name=%s", name);
  sb_case("pr_set_name_truncates_to_15", strcmp(name, "0123456789abcde") == 0);
  int p[2];
  pipe(p);
  if (fork() == 0) {
    char n2[32] = {0};
    prctl(PR_GET_NAME, n2);
    write(p[1], n2, 16);
    _exit(0);
  }
  char n2[32] = {0};
  read(p[0], n2, 16);
  wait(NULL);
  close(p[0]);
  close(p[1]);
  sb_case("pr_name_inherited_by_fork", strcmp(n2, "0123456789abcde") == 0);
  prctl(PR_SET_NAME, "identity");

  sb_case("pr_set_no_new_privs_in_child", child_code(nnp_child) == 0);
  SB_ERRNO("pr_set_no_new_privs_extra_args_einval", prctl(PR_SET_NO_NEW_PRIVS, 1, 1, 0, 0), EINVAL);
  sb_case("pr_pdeathsig_set_get_cleared_on_fork", child_code(pdeath_child) == 0);
  SB_ERRNO("pr_set_pdeathsig_bad_signal_einval", prctl(PR_SET_PDEATHSIG, 99), EINVAL);
  SB_ERRNO("prctl_unknown_option_einval", prctl(0x7fff1234, 0, 0, 0, 0), EINVAL);
  sb_case("pr_get_dumpable", prctl(PR_GET_DUMPABLE) == 1);
}

static int nofile_child(void) {
  struct rlimit rl = {16, 16};
  if (setrlimit(RLIMIT_NOFILE, &rl) != 0) return 1;
  int last = -1, fd;
  while ((fd = open("/dev/null", O_RDONLY)) >= 0) last = fd;
  if (errno != EMFILE || last != 15) return 2;
  if (dup(0) != -1 || errno != EMFILE) return 3;
  int p[2];
  if (pipe(p) != -1 || errno != EMFILE) return 4;
  if (dup2(0, 16) != -1 || errno != EBADF) return 5;
  if (fcntl(0, F_DUPFD, 16) != -1 || errno != EINVAL) return 6;
  close(10);
  if (dup(0) != 10) return 7;
  rl.rlim_max = 32;
  if (setrlimit(RLIMIT_NOFILE, &rl) != -1 || errno != EPERM) return geteuid() == 0 ? 0 : 8;
  return 0;
}

static void test_rlimits(void) {
  int code = child_code(nofile_child);
  sb_case("rlimit_nofile_lowered_emfile_on_open_dup_pipe", code == 0);
  struct rlimit rl;
  getrlimit(RLIMIT_NOFILE, &rl);
  struct rlimit bad = {rl.rlim_max + 1, rl.rlim_max};
  if (rl.rlim_max != RLIM_INFINITY)
    SB_ERRNO("setrlimit_soft_above_hard_einval", setrlimit(RLIMIT_NOFILE, &bad), EINVAL);
  else
    sb_case("setrlimit_soft_above_hard_einval", 1);
  SB_ERRNO("getrlimit_bad_resource_einval", getrlimit(99, &rl), EINVAL);
  struct rlimit huge = {1 << 30, 1 << 30};
  SB_ERRNO("setrlimit_nofile_above_nr_open_eperm", setrlimit(RLIMIT_NOFILE, &huge), EPERM);
  struct rlimit got;
  sb_case("prlimit64_self_matches_getrlimit",
          syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, NULL, &got) == 0 &&
              getrlimit(RLIMIT_NOFILE, &rl) == 0 && got.rlim_cur == rl.rlim_cur);
}

static void test_umask(void) {
  mode_t old = umask(022);
  char path[] = "/tmp/sb-identity-XXXXXX";
  int fd = mkstemp(path);
  close(fd);
  unlink(path);
  fd = open(path, O_CREAT | O_EXCL | O_WRONLY, 0666);
  struct stat st;
  fstat(fd, &st);
  close(fd);
  unlink(path);
  sb_value("mode=%03o", st.st_mode & 0777);
  sb_case("umask_022_applied_to_open", (st.st_mode & 0777) == 0644);
  umask(077);
  fd = open(path, O_CREAT | O_EXCL | O_WRONLY, 0666);
  fstat(fd, &st);
  close(fd);
  unlink(path);
  sb_case("umask_077_applied_to_open", (st.st_mode & 0777) == 0600);
  umask(07777);
  sb_case("umask_keeps_only_0777", umask(022) == 0777);
  int p[2];
  pipe(p);
  umask(027);
  if (fork() == 0) {
    mode_t m = umask(0);
    write(p[1], &m, sizeof m);
    _exit(0);
  }
  mode_t m = 0;
  read(p[0], &m, sizeof m);
  wait(NULL);
  close(p[0]);
  close(p[1]);
  sb_case("umask_inherited_by_fork", m == 027);
  umask(old);
}

int main(void) {
  sb_init();
  test_sessions();
  test_reparent();
  test_prctl();
  test_rlimits();
  test_umask();
  return sb_finish();
}
