/* Minimal helpers for the syscall conformance programs (tests/syscalls/).
 *
 * Contract: a program prints only lines that are identical natively and in
 * the sandbox. Each case ends with one line `ok NAME` or `not ok NAME`;
 * lines printed before it (values, failure details) belong to that case and
 * are compared too. The program exits 0 if every case passed, 1 otherwise.
 * run_conformance.sh runs each program natively and in sandboxd and compares
 * the blocks case by case.
 *
 * stdout is unbuffered (sb_init), so forked children never flush a copy of
 * the parent's buffer and output order is the order of the write calls.
 */
#ifndef SANDBOXD_TESTS_SYSCALLS_SBTEST_H_
#define SANDBOXD_TESTS_SYSCALLS_SBTEST_H_

#define _GNU_SOURCE 1
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static int sb_failed;

static inline void sb_init(void) { setvbuf(stdout, NULL, _IONBF, 0); }

/* Ends a case. */
static inline void sb_case(const char* name, int ok) {
  printf("%s %s\n", ok ? "ok" : "not ok", name);
  if (!ok) sb_failed++;
}

/* Ends a case the host cannot run (a capability it lacks): prints the
 * reason as the case's first line. Only for native runs: the runner fails a
 * case skipped in the sandbox. */
static inline void sb_skip(const char* name, const char* why) {
  printf("  %s\nskip %s\n", why, name);
}

/* A value line belonging to the next case. Only print deterministic values. */
static inline void sb_value(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
static inline void sb_value(const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fputs("  ", stdout);
  vprintf(fmt, ap);
  fputc('\n', stdout);
  va_end(ap);
}

/* Expects `ret == -1 && errno == want`; prints what happened otherwise. */
static inline int sb_errno_is(const char* what, long ret, int want) {
  int e = errno;
  if (ret == -1 && e == want) return 1;
  sb_value("%s: got ret=%ld errno=%s, want errno=%s", what, ret,
           ret == -1 ? strerrorname_np(e) : "-", strerrorname_np(want));
  return 0;
}

/* Expects success (ret != -1); prints errno otherwise. */
static inline int sb_succeeds(const char* what, long ret) {
  if (ret != -1) return 1;
  sb_value("%s: failed with %s", what, strerrorname_np(errno));
  return 0;
}

/* One errno case: SB_ERRNO("name", call, EXXX). */
#define SB_ERRNO(name, call, want)                    \
  do {                                                \
    errno = 0;                                        \
    long sb_ret_ = (long)(call);                      \
    sb_case(name, sb_errno_is(#call, sb_ret_, want)); \
  } while (0)

/* Runs fn(arg) in a forked child and returns its raw wait status (-1 on a
 * fork/wait error). The child exits 0 if fn returns. */
static inline int sb_in_child(void (*fn)(void*), void* arg) {
  pid_t pid = fork();
  if (pid < 0) return -1;
  if (pid == 0) {
    fn(arg);
    _exit(0);
  }
  int status = 0;
  if (waitpid(pid, &status, 0) != pid) return -1;
  return status;
}

/* Whether the raw wait status says "killed by sig". */
static inline int sb_killed_by(int status, int sig) {
  return status != -1 && WIFSIGNALED(status) && WTERMSIG(status) == sig;
}

static inline int sb_finish(void) {
  fflush(stdout);
  return sb_failed ? 1 : 0;
}

/* Installs `fn` for `sig` (sa_sigaction when `flags` has SA_SIGINFO). */
static inline int sb_set_handler(int sig, void* fn, int flags) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  if (flags & SA_SIGINFO)
    sa.sa_sigaction = (void (*)(int, siginfo_t*, void*))fn;
  else
    sa.sa_handler = (void (*)(int))fn;
  sa.sa_flags = flags;
  return sigaction(sig, &sa, NULL);
}

/* The calling thread's signal mask. */
static inline sigset_t sb_cur_mask(void) {
  sigset_t s;
  sigprocmask(SIG_SETMASK, NULL, &s);
  return s;
}

#endif  // SANDBOXD_TESTS_SYSCALLS_SBTEST_H_
