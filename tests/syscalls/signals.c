/* Signals: sigaction flags (SA_SIGINFO, SA_NODEFER, SA_RESETHAND, SA_ONSTACK
 * with sigaltstack, sa_mask), siginfo for kill/tgkill/sigqueue, masks,
 * sigpending, sigsuspend and sigtimedwait. Prints no pids. See sbtest.h. */
#include "sbtest.h"

#include <stdint.h>
#include <sys/syscall.h>
#include <time.h>

static volatile sig_atomic_t hits, depth, max_depth, nested_blocked;
static siginfo_t last_info;
static volatile int on_altstack;
static stack_t seen_ss;

static void reset(void) {
  hits = depth = max_depth = nested_blocked = 0;
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

static void recursive_handler(int sig) {
  depth++;
  if (depth > max_depth) max_depth = depth;
  hits++;
  if (hits == 1) raise(sig);
  depth--;
}

static void mask_handler(int sig) {
  (void)sig;
  sigset_t cur;
  sigprocmask(SIG_SETMASK, NULL, &cur);
  nested_blocked = sigismember(&cur, SIGUSR1) * 1 + sigismember(&cur, SIGUSR2) * 2;
  hits++;
}

static void altstack_handler(int sig) {
  (void)sig;
  int local;
  sigaltstack(NULL, &seen_ss);
  on_altstack = (uintptr_t)&local >= (uintptr_t)seen_ss.ss_sp &&
                (uintptr_t)&local < (uintptr_t)seen_ss.ss_sp + seen_ss.ss_size;
  hits++;
}

static void block(int sig, int how) {
  sigset_t s;
  sigemptyset(&s);
  sigaddset(&s, sig);
  sigprocmask(how, &s, NULL);
}

/* waitpid that retries when a handler interrupts it. */
static pid_t reap(pid_t pid, int* st) {
  pid_t w;
  do w = waitpid(pid, st, 0);
  while (w == -1 && errno == EINTR);
  return w;
}

static void test_siginfo(void) {
  sb_set_handler(SIGUSR1, info_handler, SA_SIGINFO);
  struct sigaction q;
  sigaction(SIGUSR1, NULL, &q);
  sb_case("sigaction_query_returns_installed",
          q.sa_sigaction == info_handler && (q.sa_flags & SA_SIGINFO));

  reset();
  kill(getpid(), SIGUSR1);
  sb_value("kill: hits=%d signo=%d code=%d", hits, last_info.si_signo, last_info.si_code);
  sb_case("kill_self_delivered_before_return", hits == 1);
  sb_case("kill_si_signo", last_info.si_signo == SIGUSR1);
  sb_case("kill_si_code_si_user", last_info.si_code == SI_USER);
  sb_case("kill_si_pid_is_self", last_info.si_pid == getpid());
  sb_case("kill_si_uid_is_uid", last_info.si_uid == getuid());

  reset();
  syscall(SYS_tgkill, getpid(), syscall(SYS_gettid), SIGUSR1);
  sb_value("tgkill: signo=%d code=%d", last_info.si_signo, last_info.si_code);
  sb_case("tgkill_si_code_si_tkill", hits == 1 && last_info.si_code == SI_TKILL);
  sb_case("tgkill_si_pid_is_self", last_info.si_pid == getpid());

  reset();
  sigqueue(getpid(), SIGUSR1, (union sigval){.sival_int = 1234});
  sb_value("sigqueue: code=%d value=%d", last_info.si_code, last_info.si_value.sival_int);
  sb_case("sigqueue_si_code_and_value",
          hits == 1 && last_info.si_code == SI_QUEUE && last_info.si_value.sival_int == 1234);

  reset();
  pid_t child = fork();
  if (child == 0) {
    kill(getppid(), SIGUSR1);
    _exit(0);
  }
  reap(child, NULL);
  for (int i = 0; i < 100 && !hits; i++) usleep(1000);
  sb_case("kill_from_child_si_pid_is_child", hits == 1 && last_info.si_pid == child);
}

static void test_flags(void) {
  reset();
  sb_set_handler(SIGUSR1, recursive_handler, SA_NODEFER);
  raise(SIGUSR1);
  sb_value("nodefer: hits=%d max_depth=%d", hits, max_depth);
  sb_case("sa_nodefer_reenters_handler", hits == 2 && max_depth == 2);

  reset();
  sb_set_handler(SIGUSR1, recursive_handler, 0);
  raise(SIGUSR1);
  sb_value("default: hits=%d max_depth=%d", hits, max_depth);
  sb_case("handler_blocks_own_signal_runs_after_return", hits == 2 && max_depth == 1);

  reset();
  sb_set_handler(SIGUSR1, mask_handler, 0);
  raise(SIGUSR1);
  sb_case("own_signal_blocked_in_handler", nested_blocked == 1);
  sigset_t after = sb_cur_mask();
  sb_case("mask_restored_after_handler", !sigismember(&after, SIGUSR1));

  reset();
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = mask_handler;
  sigaddset(&sa.sa_mask, SIGUSR2);
  sigaction(SIGUSR1, &sa, NULL);
  raise(SIGUSR1);
  sb_case("sa_mask_blocked_in_handler", nested_blocked == 3);

  reset();
  sb_set_handler(SIGUSR2, plain_handler, SA_RESETHAND);
  raise(SIGUSR2);
  struct sigaction q;
  sigaction(SIGUSR2, NULL, &q);
  sb_case("sa_resethand_resets_to_default", hits == 1 && q.sa_handler == SIG_DFL);

  stack_t ss;
  sigaltstack(NULL, &ss);
  sb_case("sigaltstack_default_disabled", ss.ss_flags == SS_DISABLE);
  static char altstack[65536];
  ss = (stack_t){.ss_sp = altstack, .ss_size = 1024, .ss_flags = 0};
  SB_ERRNO("sigaltstack_too_small_enomem", sigaltstack(&ss, NULL), ENOMEM);
  ss = (stack_t){.ss_sp = altstack, .ss_size = sizeof altstack, .ss_flags = 0x1234};
  SB_ERRNO("sigaltstack_bad_flags_einval", sigaltstack(&ss, NULL), EINVAL);
  ss = (stack_t){.ss_sp = altstack, .ss_size = sizeof altstack, .ss_flags = 0};
  int rc = sigaltstack(&ss, NULL);
  reset();
  sb_set_handler(SIGUSR1, altstack_handler, SA_ONSTACK);
  raise(SIGUSR1);
  sb_case("sa_onstack_runs_on_altstack", rc == 0 && hits == 1 && on_altstack);
  sb_case("sigaltstack_in_handler_ss_onstack", (seen_ss.ss_flags & SS_ONSTACK) != 0);
  reset();
  sb_set_handler(SIGUSR1, altstack_handler, 0);
  raise(SIGUSR1);
  sb_case("no_sa_onstack_runs_on_normal_stack", hits == 1 && !on_altstack);
  stack_t back;
  sigaltstack(NULL, &back);
  sb_case("sigaltstack_query_after_set",
          back.ss_sp == altstack && back.ss_size == sizeof altstack && back.ss_flags == 0);
  ss.ss_flags = SS_DISABLE;
  sigaltstack(&ss, NULL);
}

static void test_masks(void) {
  sigset_t s, old;
  sigemptyset(&s);
  sigaddset(&s, SIGUSR1);
  sigaddset(&s, SIGKILL);
  sigaddset(&s, SIGSTOP);
  sigprocmask(SIG_BLOCK, &s, &old);
  sigset_t now = sb_cur_mask();
  sb_case("sigprocmask_block_adds", sigismember(&now, SIGUSR1));
  sb_case("sigkill_sigstop_cannot_be_blocked",
          !sigismember(&now, SIGKILL) && !sigismember(&now, SIGSTOP));
  block(SIGUSR1, SIG_UNBLOCK);
  now = sb_cur_mask();
  sb_case("sigprocmask_unblock_removes", !sigismember(&now, SIGUSR1));
  SB_ERRNO("sigprocmask_bad_how_einval", syscall(SYS_rt_sigprocmask, 99, &s, NULL, 8), EINVAL);
  SB_ERRNO("rt_sigprocmask_bad_size_einval", syscall(SYS_rt_sigprocmask, SIG_BLOCK, &s, NULL, 4),
           EINVAL);
  SB_ERRNO("sigaction_sigkill_einval", sb_set_handler(SIGKILL, plain_handler, 0), EINVAL);
  SB_ERRNO("sigaction_sigstop_einval", sb_set_handler(SIGSTOP, plain_handler, 0), EINVAL);
  SB_ERRNO("sigaction_sig0_einval", sb_set_handler(0, plain_handler, 0), EINVAL);
  SB_ERRNO("sigaction_sig65_einval", syscall(SYS_rt_sigaction, 65, NULL, NULL, 8), EINVAL);
  SB_ERRNO("kill_bad_signal_einval", kill(getpid(), 65), EINVAL);

  reset();
  sb_set_handler(SIGUSR1, plain_handler, 0);
  block(SIGUSR1, SIG_BLOCK);
  raise(SIGUSR1);
  raise(SIGUSR1);
  sigset_t pend;
  sigpending(&pend);
  sb_case("blocked_signal_not_delivered", hits == 0);
  sb_case("sigpending_shows_blocked", sigismember(&pend, SIGUSR1) && !sigismember(&pend, SIGUSR2));
  block(SIGUSR1, SIG_UNBLOCK);
  sb_value("hits after unblock=%d", hits);
  sb_case("pending_delivered_on_unblock_coalesced", hits == 1);
  sigpending(&pend);
  sb_case("sigpending_empty_after_delivery", !sigismember(&pend, SIGUSR1));

  reset();
  sb_set_handler(SIGRTMIN, plain_handler, 0);
  block(SIGRTMIN, SIG_BLOCK);
  for (int i = 0; i < 3; i++) sigqueue(getpid(), SIGRTMIN, (union sigval){.sival_int = i});
  block(SIGRTMIN, SIG_UNBLOCK);
  sb_value("rt hits=%d", hits);
  sb_case("rt_signals_queue_each", hits == 3);

  block(SIGUSR2, SIG_BLOCK);
  signal(SIGUSR2, SIG_IGN);
  raise(SIGUSR2);
  sigpending(&pend);
  sb_case("blocked_ignored_signal_stays_pending", sigismember(&pend, SIGUSR2));
  signal(SIGUSR2, SIG_IGN);
  sigpending(&pend);
  sb_case("setting_sig_ign_discards_pending", !sigismember(&pend, SIGUSR2));
  block(SIGUSR2, SIG_UNBLOCK);

  reset();
  block(SIGUSR1, SIG_BLOCK);
  raise(SIGUSR1);
  sigset_t empty;
  sigemptyset(&empty);
  errno = 0;
  int rc = sigsuspend(&empty);
  sb_case("sigsuspend_returns_eintr_after_handler", rc == -1 && errno == EINTR && hits == 1);
  now = sb_cur_mask();
  sb_case("sigsuspend_restores_mask", sigismember(&now, SIGUSR1));

  pid_t child = fork();
  if (child == 0) {
    usleep(50000);
    kill(getppid(), SIGUSR1);
    _exit(0);
  }
  reset();
  rc = sigsuspend(&empty);
  reap(child, NULL);
  sb_case("sigsuspend_woken_by_other_process", rc == -1 && hits == 1);

  reset();
  raise(SIGUSR1);
  sigset_t w;
  sigemptyset(&w);
  sigaddset(&w, SIGUSR1);
  siginfo_t si;
  rc = sigtimedwait(&w, &si, &(struct timespec){0, 0});
  sb_case("sigtimedwait_takes_pending", rc == SIGUSR1 && si.si_code == SI_USER && hits == 0);
  SB_ERRNO("sigtimedwait_timeout_eagain", sigtimedwait(&w, &si, &(struct timespec){0, 10000000}),
           EAGAIN);
  block(SIGUSR1, SIG_UNBLOCK);
}

int main(void) {
  sb_init();
  test_siginfo();
  test_flags();
  test_masks();
  return sb_finish();
}
