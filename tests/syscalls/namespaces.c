/* Namespaces: clone/unshare with CLONE_NEWPID, CLONE_NEWUTS, CLONE_NEWNS,
 * CLONE_NEWIPC; IDs as a PID namespace sees them; a namespace's init;
 * sethostname/setdomainname; setns with no namespace files.
 *
 * Each case runs in a child (sb_in_child-like via raw clone where a new
 * namespace is made) and reports through its exit status. Hosts that refuse
 * namespaces (a CI container) skip the namespace cases natively. */
#include "sbtest.h"

#include <sched.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>

static int ns_ok;

static pid_t clone_fork(unsigned long flags) {
  return (pid_t)syscall(SYS_clone, flags, 0, NULL, NULL, 0);
}

/* Runs fn in a child made with clone(flags | SIGCHLD); the case passes if
 * the child exits 0. */
static void ns_case(const char* name, unsigned long flags, int (*fn)(void)) {
  if (!ns_ok) {
    sb_skip(name, "the host refuses namespaces");
    return;
  }
  pid_t pid = clone_fork(flags | SIGCHLD);
  if (pid == 0) _exit(fn());
  if (pid < 0) {
    sb_value("clone: %s", strerrorname_np(errno));
    sb_case(name, 0);
    return;
  }
  int st = 0;
  if (waitpid(pid, &st, 0) != pid) sb_value("waitpid: %s", strerrorname_np(errno));
  if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
    sb_value("child status %s %d", WIFEXITED(st) ? "exit" : "signal",
             WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
  }
  sb_case(name, WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

static int probe(void) {
  pid_t pid = fork();
  if (pid == 0)
    _exit(unshare(CLONE_NEWUTS | CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWIPC) == 0 ? 0 : 1);
  int st = 0;
  waitpid(pid, &st, 0);
  return WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

static int wait_one(pid_t pid) {
  int st = 0;
  if (waitpid(pid, &st, 0) != pid) return -1;
  return st;
}

/* --- PID namespaces --- */

static int child_is_pid1(void) {
  if (getpid() != 1) return 1;
  if (getppid() != 0) return 2;
  if (syscall(SYS_gettid) != 1) return 3;
  return 0;
}

static int grandchild_is_pid2(void) {
  pid_t c = fork();
  if (c == 0) _exit(getpid() == 2 && getppid() == 1 ? 0 : 1);
  if (c != 2) return 2;
  int st = wait_one(c);
  return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : 3;
}

static int outside_invisible(void) {
  /* Only our own PIDs exist here. */
  if (kill(2, 0) != -1 || errno != ESRCH) return 1;
  if (getpgid(0) != 0 || getsid(0) != 0) return 2; /* named after processes outside */
  if (getpgrp() != 0) return 3;
  if (setsid() != 1) return 4;
  if (getsid(0) != 1 || getpgrp() != 1) return 5;
  return 0;
}

static int orphan_goes_to_ns_init(void) {
  int p[2];
  if (pipe(p) != 0) return 1;
  pid_t a = fork();
  if (a == 0) {
    pid_t b = fork();
    if (b == 0) {
      char c;
      close(p[1]);
      read(p[0], &c, 1); /* until A has gone */
      for (int i = 0; i < 2000 && getppid() != 1; ++i) usleep(1000);
      _exit(getppid() == 1 ? 0 : 1);
    }
    _exit(0);
  }
  close(p[0]);
  wait_one(a);
  close(p[1]);
  /* We are init: B is ours to reap now. */
  int st = 0;
  pid_t got = wait(&st);
  if (got != 3) return 2;
  return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : 3;
}

static int init_cannot_clone_parent(void) {
  pid_t pid = clone_fork(CLONE_PARENT | SIGCHLD);
  if (pid == 0) _exit(0);
  return pid == -1 && errno == EINVAL ? 0 : 1;
}

/* Our namespace's init dies: every other process in it is killed. */
static int init_death_kills_namespace(void) {
  int p[2];
  if (pipe(p) != 0) return 1;
  pid_t inner = clone_fork(CLONE_NEWPID | SIGCHLD);
  if (inner == 0) {
    pid_t b = fork();
    if (b == 0) {
      close(p[0]);
      for (;;) pause(); /* holds the write end until killed */
    }
    _exit(0); /* init leaves */
  }
  close(p[1]);
  alarm(10);
  char c;
  ssize_t n = read(p[0], &c, 1); /* EOF once the sleeper is gone */
  alarm(0);
  int st = wait_one(inner);
  if (n != 0) return 2;
  return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : 3;
}

static int unshare_newpid(void) {
  pid_t self = getpid();
  if (unshare(CLONE_NEWPID) != 0) return 1;
  if (getpid() != self) return 2; /* we stay where we are */
  if (unshare(CLONE_NEWPID) != -1 || errno != EINVAL) return 3;
  pid_t c = fork();
  if (c == 0) _exit(getpid() == 1 && getppid() == 0 ? 0 : 1);
  int st = wait_one(c);
  if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) return 4;
  /* That namespace's init has died: no process may join it any more. */
  c = fork();
  if (c == 0) _exit(0);
  if (c != -1 || errno != ENOMEM) return 5;
  return 0;
}

static int newpid_thread_einval(void) {
  char stack[256];
  long r = syscall(SYS_clone, CLONE_NEWPID | CLONE_THREAD | CLONE_SIGHAND | CLONE_VM,
                   stack + sizeof(stack), NULL, NULL, 0);
  return r == -1 && errno == EINVAL ? 0 : 1;
}

/* --- UTS namespaces --- */

static int uts_isolated(void) {
  if (sethostname("sbtest-ns", 9) != 0) return 1;
  if (setdomainname("sbtest.dom", 10) != 0) return 2;
  struct utsname u;
  uname(&u);
  if (strcmp(u.nodename, "sbtest-ns") != 0) return 3;
  if (strcmp(u.domainname, "sbtest.dom") != 0) return 4;
  return 0;
}

static int uts_limits(void) {
  char name[80];
  memset(name, 'a', sizeof(name));
  if (sethostname(name, 65) != -1 || errno != EINVAL) return 1;
  if (sethostname(name, -1) != -1 || errno != EINVAL) return 2;
  if (sethostname(name, 64) != 0) return 3;
  struct utsname u;
  uname(&u);
  if (strlen(u.nodename) != 64) return 4;
  if (sethostname("", 0) != 0) return 5;
  uname(&u);
  if (u.nodename[0] != 0) return 6;
  if (sethostname((const char*)8, 4) != -1 || errno != EFAULT) return 7;
  return 0;
}

static int uts_nonroot_eperm(void) {
  if (setuid(65534) != 0) return 1;
  if (sethostname("x", 1) != -1 || errno != EPERM) return 2;
  if (setdomainname("x", 1) != -1 || errno != EPERM) return 3;
  if (unshare(CLONE_NEWUTS) != -1 || errno != EPERM) return 4;
  return 0;
}

static int unshare_uts_then_fork(void) {
  if (unshare(CLONE_NEWUTS) != 0) return 1;
  if (sethostname("first", 5) != 0) return 2;
  pid_t c = fork();
  if (c == 0) {
    struct utsname u;
    uname(&u);
    _exit(strcmp(u.nodename, "first") == 0 ? 0 : 1);
  }
  int st = wait_one(c);
  return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : 3;
}

/* --- Mount namespaces --- */

static int newns_keeps_cwd(void) {
  char before[256], after[256];
  if (!getcwd(before, sizeof(before))) return 1;
  if (unshare(CLONE_NEWNS) != 0) return 2;
  if (!getcwd(after, sizeof(after))) return 3;
  if (strcmp(before, after) != 0) return 4;
  if (access("/tmp", F_OK) != 0) return 5;
  return 0;
}

int main(void) {
  sb_init();
  ns_ok = probe();
  char host_before[65] = {0};
  {
    struct utsname u;
    uname(&u);
    memcpy(host_before, u.nodename, sizeof(host_before));
  }

  ns_case("newpid_child_is_pid1", CLONE_NEWPID, child_is_pid1);
  ns_case("newpid_grandchild_is_pid2", CLONE_NEWPID, grandchild_is_pid2);
  ns_case("newpid_outside_invisible", CLONE_NEWPID, outside_invisible);
  ns_case("newpid_orphan_goes_to_ns_init", CLONE_NEWPID, orphan_goes_to_ns_init);
  ns_case("newpid_init_cannot_clone_parent", CLONE_NEWPID, init_cannot_clone_parent);
  ns_case("newpid_init_death_kills_namespace", 0, init_death_kills_namespace);
  ns_case("unshare_newpid", 0, unshare_newpid);
  ns_case("newpid_with_thread_einval", 0, newpid_thread_einval);
  ns_case("newuts_isolated", CLONE_NEWUTS, uts_isolated);
  {
    struct utsname u;
    uname(&u);
    sb_case("newuts_parent_unchanged", strcmp(u.nodename, host_before) == 0);
  }
  ns_case("newuts_sethostname_limits", CLONE_NEWUTS, uts_limits);
  ns_case("uts_nonroot_eperm", 0, uts_nonroot_eperm);
  ns_case("unshare_uts_inherited_by_fork", 0, unshare_uts_then_fork);
  ns_case("newns_keeps_cwd", CLONE_NEWNS, newns_keeps_cwd);
  ns_case("newipc_then_newns", CLONE_NEWIPC, newns_keeps_cwd);

  /* Flag rules that need no namespace support. */
  SB_ERRNO("clone_newns_with_fs_einval", clone_fork(CLONE_NEWNS | CLONE_FS | SIGCHLD), EINVAL);
  SB_ERRNO("clone_newipc_with_sysvsem_einval", clone_fork(CLONE_NEWIPC | CLONE_SYSVSEM | SIGCHLD),
           EINVAL);
  SB_ERRNO("clone_sighand_without_vm_einval", clone_fork(CLONE_SIGHAND | SIGCHLD), EINVAL);
  SB_ERRNO("unshare_bad_flag_einval", unshare(CLONE_SETTLS), EINVAL);
  sb_case("unshare_files_fs_ok", unshare(CLONE_FILES | CLONE_FS) == 0);
  SB_ERRNO("setns_bad_fd_ebadf", setns(-1, 0), EBADF);
  SB_ERRNO("setns_not_a_namespace_einval", setns(1, 0), EINVAL);
  return sb_failed ? 1 : 0;
}
