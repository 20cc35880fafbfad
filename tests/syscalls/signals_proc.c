/* Signals and processes: SIGCHLD siginfo, default actions, job control with
 * waitpid/waitid, syscall restart (SA_RESTART) and rt_sigreturn restoring
 * registers and the mask. Prints no pids or timings. See sbtest.h. */
#include "sbtest.h"

#include <stdint.h>
#include <sys/syscall.h>
#include <time.h>

static volatile sig_atomic_t hits;
static siginfo_t last_info;

static void reset(void) {
  hits = 0;
  memset(&last_info, 0, sizeof last_info);
}

static void info_handler(int sig, siginfo_t* si, void* uc) {
  (void)sig;
  (void)uc;
  last_info = *si;
  hits++;
}

static void plain_handler(int sig) {
  (void)sig;
  hits++;
}

/* waitpid that retries when a handler interrupts it. */
static pid_t reap(pid_t pid, int* st) {
  pid_t w;
  do w = waitpid(pid, st, 0);
  while (w == -1 && errno == EINTR);
  return w;
}

static void test_sigchld(void) {
  sigset_t w;
  sigemptyset(&w);
  sigaddset(&w, SIGCHLD);
  sigprocmask(SIG_BLOCK, &w, NULL);
  siginfo_t si;

  pid_t child = fork();
  if (child == 0) _exit(5);
  int rc = sigwaitinfo(&w, &si);
  sb_value("exit: code=%d status=%d", si.si_code, si.si_status);
  sb_case("sigchld_exit_code_status",
          rc == SIGCHLD && si.si_code == CLD_EXITED && si.si_status == 5 && si.si_pid == child);
  waitpid(child, NULL, 0);

  child = fork();
  if (child == 0) {
    for (;;) pause();
  }
  kill(child, SIGKILL);
  rc = sigwaitinfo(&w, &si);
  sb_value("kill: code=%d status=%d", si.si_code, si.si_status);
  sb_case("sigchld_killed_code_status",
          rc == SIGCHLD && si.si_code == CLD_KILLED && si.si_status == SIGKILL);
  waitpid(child, NULL, 0);
  sigprocmask(SIG_UNBLOCK, &w, NULL);

  reset();
  sb_set_handler(SIGCHLD, info_handler, SA_SIGINFO);
  child = fork();
  if (child == 0) _exit(9);
  int st;
  reap(child, &st);
  for (int i = 0; i < 100 && !hits; i++) usleep(1000);
  sb_case("sigchld_handler_siginfo", hits == 1 && last_info.si_code == CLD_EXITED &&
                                         last_info.si_status == 9 && last_info.si_pid == child);
  signal(SIGCHLD, SIG_IGN);
  child = fork();
  if (child == 0) _exit(0);
  SB_ERRNO("sigchld_sig_ign_autoreaps_echild", waitpid(child, &st, 0), ECHILD);
  signal(SIGCHLD, SIG_DFL);
}

static void raise_arg(void* arg) {
  int sig = (int)(intptr_t)arg;
  raise(sig);
  _exit(0);
}

static void test_default_actions(void) {
  static const int term[] = {SIGTERM, SIGUSR1, SIGHUP, SIGINT, SIGALRM, SIGPIPE};
  static const int core[] = {SIGQUIT, SIGABRT, SIGSEGV, SIGFPE, SIGILL, SIGBUS, SIGSYS, SIGTRAP};
  static const int ign[] = {SIGCHLD, SIGURG, SIGWINCH};
  char name[64];
  for (int sig = 1; sig < 32; sig++)
    if (sig != SIGKILL && sig != SIGSTOP) signal(sig, SIG_DFL);
  for (size_t i = 0; i < sizeof term / sizeof term[0]; i++) {
    int st = sb_in_child(raise_arg, (void*)(intptr_t)term[i]);
    snprintf(name, sizeof name, "default_terminate_%s", sigabbrev_np(term[i]));
    sb_case(name, sb_killed_by(st, term[i]));
  }
  for (size_t i = 0; i < sizeof core / sizeof core[0]; i++) {
    int st = sb_in_child(raise_arg, (void*)(intptr_t)core[i]);
    sb_value("termsig=%d", WIFSIGNALED(st) ? WTERMSIG(st) : 0);
    snprintf(name, sizeof name, "default_core_%s", sigabbrev_np(core[i]));
    sb_case(name, sb_killed_by(st, core[i]));
  }
  for (size_t i = 0; i < sizeof ign / sizeof ign[0]; i++) {
    int st = sb_in_child(raise_arg, (void*)(intptr_t)ign[i]);
    snprintf(name, sizeof name, "default_ignore_%s", sigabbrev_np(ign[i]));
    sb_case(name, st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 0);
  }
  signal(SIGTERM, SIG_IGN);
  int st = sb_in_child(raise_arg, (void*)(intptr_t)SIGTERM);
  signal(SIGTERM, SIG_DFL);
  sb_case("sig_ign_inherited_by_fork_survives", WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

static void test_job_control(void) {
  pid_t child = fork();
  if (child == 0) {
    for (;;) pause();
  }
  int st = 0;
  kill(child, SIGSTOP);
  pid_t w = waitpid(child, &st, WUNTRACED);
  sb_case("waitpid_wuntraced_stopped", w == child && WIFSTOPPED(st) && WSTOPSIG(st) == SIGSTOP);
  sb_case("waitpid_stop_reported_once", waitpid(child, &st, WUNTRACED | WNOHANG) == 0);
  kill(child, SIGCONT);
  w = waitpid(child, &st, WCONTINUED);
  sb_case("waitpid_wcontinued", w == child && WIFCONTINUED(st));

  siginfo_t si;
  kill(child, SIGSTOP);
  memset(&si, 0, sizeof si);
  int rc = waitid(P_PID, child, &si, WSTOPPED);
  sb_value("waitid stopped: code=%d status=%d", si.si_code, si.si_status);
  sb_case("waitid_wstopped", rc == 0 && si.si_code == CLD_STOPPED && si.si_status == SIGSTOP &&
                                 si.si_pid == child && si.si_signo == SIGCHLD);
  kill(child, SIGCONT);
  memset(&si, 0, sizeof si);
  rc = waitid(P_PID, child, &si, WCONTINUED);
  sb_value("waitid continued: code=%d status=%d", si.si_code, si.si_status);
  sb_case("waitid_wcontinued", rc == 0 && si.si_code == CLD_CONTINUED && si.si_status == SIGCONT);
  memset(&si, 0, sizeof si);
  rc = waitid(P_PID, child, &si, WEXITED | WNOHANG);
  sb_case("waitid_wnohang_running_si_pid_0", rc == 0 && si.si_pid == 0);

  kill(child, SIGTERM);
  memset(&si, 0, sizeof si);
  rc = waitid(P_PID, child, &si, WEXITED | WNOWAIT);
  sb_case("waitid_wnowait_killed", rc == 0 && si.si_code == CLD_KILLED && si.si_status == SIGTERM);
  memset(&si, 0, sizeof si);
  rc = waitid(P_ALL, 0, &si, WEXITED);
  sb_case("waitid_after_wnowait_still_waitable", rc == 0 && si.si_pid == child);
  SB_ERRNO("waitid_no_children_echild", waitid(P_ALL, 0, &si, WEXITED), ECHILD);
  SB_ERRNO("waitid_no_options_einval", waitid(P_ALL, 0, &si, 0), EINVAL);

  child = fork();
  if (child == 0) _exit(33);
  memset(&si, 0, sizeof si);
  rc = waitid(P_PID, child, &si, WEXITED);
  sb_case("waitid_exited_status", rc == 0 && si.si_code == CLD_EXITED && si.si_status == 33);
}

static int pipe_read_with_signal(int flags, char* got) {
  int p[2];
  pipe(p);
  sb_set_handler(SIGUSR1, plain_handler, flags);
  pid_t child = fork();
  if (child == 0) {
    usleep(100000);
    kill(getppid(), SIGUSR1);
    usleep(100000);
    write(p[1], "x", 1);
    _exit(0);
  }
  reset();
  errno = 0;
  int rc = read(p[0], got, 1);
  int e = errno;
  reap(child, NULL);
  close(p[0]);
  close(p[1]);
  errno = e;
  return rc;
}

static void test_restart(void) {
  char c = 0;
  int rc = pipe_read_with_signal(0, &c);
  sb_case("read_interrupted_without_sa_restart_eintr", rc == -1 && errno == EINTR && hits == 1);
  rc = pipe_read_with_signal(SA_RESTART, &c);
  sb_case("read_restarted_with_sa_restart", rc == 1 && c == 'x' && hits == 1);

  sb_set_handler(SIGUSR1, plain_handler, SA_RESTART);
  pid_t child = fork();
  if (child == 0) {
    usleep(50000);
    kill(getppid(), SIGUSR1);
    _exit(0);
  }
  struct timespec rem = {0, 0};
  errno = 0;
  rc = nanosleep(&(struct timespec){5, 0}, &rem);
  sb_case("nanosleep_eintr_even_with_sa_restart", rc == -1 && errno == EINTR && rem.tv_sec >= 3);
  reap(child, NULL);
}

static void regs_handler(int sig) {
  (void)sig;
  /* Clobber callee-saved and SSE registers; rt_sigreturn must restore them. */
  asm volatile(
      "mov $1, %%rbx\n mov $2, %%r12\n mov $3, %%r13\n mov $4, %%r14\n mov $5, %%r15\n"
      "pxor %%xmm0, %%xmm0\n pxor %%xmm7, %%xmm7\n" ::
          : "rbx", "r12", "r13", "r14", "r15", "xmm0", "xmm7");
  sigset_t s;
  sigemptyset(&s);
  sigaddset(&s, SIGUSR2);
  sigprocmask(SIG_BLOCK, &s, NULL);
  hits++;
}

static void test_sigreturn(void) {
  reset();
  sb_set_handler(SIGUSR1, regs_handler, 0);
  long pid = getpid();
  uint64_t rbx, r12, r13, r14, r15, x0, x7;
  asm volatile(
      "mov $0x1111, %%rbx\n mov $0x1212, %%r12\n mov $0x1313, %%r13\n"
      "mov $0x1414, %%r14\n mov $0x1515, %%r15\n"
      "mov $0xabcdef, %%rax\n movq %%rax, %%xmm0\n mov $0x777777, %%rax\n movq %%rax, %%xmm7\n"
      "mov %[nr], %%eax\n mov %[pid], %%rdi\n mov %[sig], %%esi\n syscall\n"
      "mov %%rbx, %[rbx]\n mov %%r12, %[r12]\n mov %%r13, %[r13]\n"
      "mov %%r14, %[r14]\n mov %%r15, %[r15]\n movq %%xmm0, %[x0]\n movq %%xmm7, %[x7]\n"
      : [rbx] "=m"(rbx), [r12] "=m"(r12), [r13] "=m"(r13), [r14] "=m"(r14), [r15] "=m"(r15),
        [x0] "=m"(x0), [x7] "=m"(x7)
      : [nr] "i"(SYS_kill), [pid] "r"(pid), [sig] "i"(SIGUSR1)
      : "rax", "rdi", "rsi", "rcx", "r11", "rbx", "r12", "r13", "r14", "r15", "xmm0", "xmm7",
        "memory");
  sb_case("sigreturn_restores_callee_saved_regs", hits == 1 && rbx == 0x1111 && r12 == 0x1212 &&
                                                      r13 == 0x1313 && r14 == 0x1414 &&
                                                      r15 == 0x1515);
  sb_case("sigreturn_restores_sse_regs", x0 == 0xabcdef && x7 == 0x777777);
  sigset_t now = sb_cur_mask();
  sb_case("sigreturn_restores_mask_changed_in_handler", !sigismember(&now, SIGUSR2));
}

int main(void) {
  sb_init();
  test_sigchld();
  test_default_actions();
  test_job_control();
  test_restart();
  test_sigreturn();
  return sb_finish();
}
