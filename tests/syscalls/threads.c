/* Threads: pthread create/join, exit values, thread ids, thread-directed
 * signals, per-thread masks, main-thread pthread_exit, exit_group from a
 * thread, raw clone with CLONE_CHILD_CLEARTID/PARENT_SETTID, TLS, fork from a
 * thread. Prints no ids. See sbtest.h. */
#include "sbtest.h"

#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <sys/syscall.h>

static pid_t tid(void) { return (pid_t)syscall(SYS_gettid); }

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static long counter;

static void* count_fn(void* arg) {
  (void)arg;
  for (int i = 0; i < 10000; i++) {
    pthread_mutex_lock(&mu);
    counter++;
    pthread_mutex_unlock(&mu);
  }
  return NULL;
}

static void* exit_fn(void* arg) {
  pthread_exit((void*)((intptr_t)arg * 2));
  return NULL;
}

struct ids {
  pid_t pid, tid;
};
static void* ids_fn(void* arg) {
  struct ids* r = arg;
  r->pid = getpid();
  r->tid = tid();
  return NULL;
}

static __thread int tls_value = 5;
static void* tls_fn(void* arg) {
  (void)arg;
  int initial = tls_value;
  tls_value = 99;
  return (void*)(intptr_t)initial;
}

static void test_basic(void) {
  pthread_t th[8];
  int created = 0;
  for (int i = 0; i < 8; i++) created += pthread_create(&th[i], NULL, count_fn, NULL) == 0;
  for (int i = 0; i < 8; i++) pthread_join(th[i], NULL);
  sb_value("created=%d counter=%ld", created, counter);
  sb_case("eight_threads_mutex_counter", created == 8 && counter == 80000);

  void* ret = NULL;
  pthread_t t;
  pthread_create(&t, NULL, exit_fn, (void*)21);
  int rc = pthread_join(t, &ret);
  sb_case("pthread_exit_value_via_join", rc == 0 && ret == (void*)42);

  struct ids r[2];
  pthread_create(&th[0], NULL, ids_fn, &r[0]);
  pthread_create(&th[1], NULL, ids_fn, &r[1]);
  pthread_join(th[0], NULL);
  pthread_join(th[1], NULL);
  sb_case("thread_getpid_equals_process", r[0].pid == getpid() && r[1].pid == getpid());
  sb_case("thread_gettid_differs_from_pid", r[0].tid != getpid() && r[0].tid > 0);
  sb_case("thread_tids_distinct", r[0].tid != r[1].tid);
  sb_case("main_gettid_equals_pid", tid() == getpid());

  tls_value = 6;
  pthread_create(&t, NULL, tls_fn, NULL);
  pthread_join(t, &ret);
  sb_case("tls_initial_value_per_thread", ret == (void*)5 && tls_value == 6);

  sb_case("sched_yield", sched_yield() == 0);
  sb_case("set_tid_address_returns_tid", syscall(SYS_set_tid_address, NULL) == getpid());
}

static volatile pid_t handled_tid;
static volatile int handled;
static void record_tid(int sig) {
  (void)sig;
  handled_tid = tid();
  handled++;
}

struct waiter {
  pid_t tid;
  volatile int ready, stop;
  int block_usr1;
};
static void* wait_fn(void* arg) {
  struct waiter* w = arg;
  if (w->block_usr1) {
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, SIGUSR1);
    pthread_sigmask(SIG_BLOCK, &s, NULL);
  }
  w->tid = tid();
  __atomic_store_n(&w->ready, 1, __ATOMIC_SEQ_CST);
  while (!w->stop) usleep(1000);
  return NULL;
}

static void test_signals(void) {
  signal(SIGUSR1, record_tid);
  struct waiter w[3] = {{0}};
  pthread_t th[3];
  for (int i = 0; i < 3; i++) pthread_create(&th[i], NULL, wait_fn, &w[i]);
  for (int i = 0; i < 3; i++)
    while (!__atomic_load_n(&w[i].ready, __ATOMIC_SEQ_CST)) usleep(1000);

  handled = 0;
  int rc = (int)syscall(SYS_tgkill, getpid(), w[1].tid, SIGUSR1);
  for (int i = 0; i < 2000 && !handled; i++) usleep(1000);
  sb_case("tgkill_runs_handler_on_target_thread",
          rc == 0 && handled == 1 && handled_tid == w[1].tid);

  handled = 0;
  pthread_kill(th[2], SIGUSR1);
  for (int i = 0; i < 2000 && !handled; i++) usleep(1000);
  sb_case("pthread_kill_targets_thread", handled == 1 && handled_tid == w[2].tid);

  SB_ERRNO("tgkill_wrong_tgid_esrch", syscall(SYS_tgkill, getpid() + 100000, w[1].tid, 0), ESRCH);
  SB_ERRNO("tgkill_bad_tid_einval", syscall(SYS_tgkill, getpid(), 0, SIGUSR1), EINVAL);
  for (int i = 0; i < 3; i++) w[i].stop = 1;
  for (int i = 0; i < 3; i++) pthread_join(th[i], NULL);

  /* Process-directed: every thread but one blocks SIGUSR1. */
  sigset_t s, old;
  sigemptyset(&s);
  sigaddset(&s, SIGUSR1);
  pthread_sigmask(SIG_BLOCK, &s, &old);
  struct waiter w2[2] = {{0}, {0}};
  w2[0].block_usr1 = 1;
  pthread_create(&th[0], NULL, wait_fn, &w2[0]);
  pthread_create(&th[1], NULL, wait_fn, &w2[1]); /* inherits the block */
  while (!w2[0].ready || !w2[1].ready) usleep(1000);
  sigset_t inherited;
  pthread_sigmask(SIG_SETMASK, NULL, &inherited);
  handled = 0;
  /* One thread starts with an empty mask. */
  struct waiter w3 = {0};
  sigset_t none;
  sigemptyset(&none);
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setsigmask_np(&attr, &none);
  pthread_create(&th[2], &attr, wait_fn, &w3);
  while (!w3.ready) usleep(1000);
  kill(getpid(), SIGUSR1);
  for (int i = 0; i < 2000 && !handled; i++) usleep(1000);
  sb_case("process_signal_goes_to_unblocking_thread", handled == 1 && handled_tid == w3.tid);
  w2[0].stop = w2[1].stop = w3.stop = 1;
  for (int i = 0; i < 3; i++) pthread_join(th[i], NULL);
  pthread_sigmask(SIG_SETMASK, &old, NULL);
  sb_case("thread_inherits_creator_mask", sigismember(&inherited, SIGUSR1));
}

static int pipefd[2];
static void* late_writer(void* arg) {
  (void)arg;
  usleep(50000);
  write(pipefd[1], "done", 4);
  return NULL;
}
static void main_pthread_exit(void* arg) {
  (void)arg;
  pthread_t t;
  pthread_create(&t, NULL, late_writer, NULL);
  pthread_exit(NULL);
}

static void* exit_group_fn(void* arg) {
  (void)arg;
  usleep(20000);
  exit(3);
}
static void thread_exit_group(void* arg) {
  (void)arg;
  pthread_t t;
  pthread_create(&t, NULL, exit_group_fn, NULL);
  for (;;) pause();
}

static void* killer_fn(void* arg) {
  (void)arg;
  syscall(SYS_tgkill, getpid(), tid(), SIGTERM);
  return NULL;
}
static void thread_fatal_signal(void* arg) {
  (void)arg;
  pthread_t t;
  pthread_create(&t, NULL, killer_fn, NULL);
  for (;;) pause();
}

static void* fork_fn(void* arg) {
  (void)arg;
  pid_t c = fork();
  if (c == 0) _exit(getpid() == tid() ? 4 : 5);
  int st = 0;
  waitpid(c, &st, 0);
  return (void*)(intptr_t)(WIFEXITED(st) ? WEXITSTATUS(st) : -1);
}

static void* reap_fn(void* arg) {
  pid_t c = (pid_t)(intptr_t)arg;
  int st = 0;
  pid_t w = waitpid(c, &st, 0);
  return (void*)(intptr_t)(w == c && WIFEXITED(st) ? WEXITSTATUS(st) : -1);
}

static void test_process_level(void) {
  pipe(pipefd);
  int st = sb_in_child(main_pthread_exit, NULL);
  char buf[8] = {0};
  read(pipefd[0], buf, 4);
  sb_value("status exited=%d code=%d data=%s", WIFEXITED(st), WEXITSTATUS(st), buf);
  sb_case("main_pthread_exit_others_finish",
          WIFEXITED(st) && WEXITSTATUS(st) == 0 && strcmp(buf, "done") == 0);
  close(pipefd[0]);
  close(pipefd[1]);

  st = sb_in_child(thread_exit_group, NULL);
  sb_case("exit_from_thread_ends_process", WIFEXITED(st) && WEXITSTATUS(st) == 3);
  st = sb_in_child(thread_fatal_signal, NULL);
  sb_case("fatal_signal_in_thread_kills_process", sb_killed_by(st, SIGTERM));

  pthread_t t;
  void* ret;
  pthread_create(&t, NULL, fork_fn, NULL);
  pthread_join(t, &ret);
  sb_case("fork_from_thread_child_single_threaded", ret == (void*)4);

  pid_t c = fork();
  if (c == 0) _exit(17);
  pthread_create(&t, NULL, reap_fn, (void*)(intptr_t)c);
  pthread_join(t, &ret);
  sb_case("sibling_thread_reaps_child", ret == (void*)17);
}

static volatile int clone_ran;
static int clone_fn(void* arg) {
  (void)arg;
  clone_ran = 1;
  return 0;
}

static void test_raw_clone(void) {
  static char stack[65536] __attribute__((aligned(16)));
  pid_t ptid = 0, ctid = 0;
  int flags = CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD | CLONE_SYSVSEM |
              CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID | CLONE_CHILD_SETTID;
  __atomic_store_n(&ctid, -1, __ATOMIC_SEQ_CST);
  pid_t t = clone(clone_fn, stack + sizeof stack, flags, NULL, &ptid, NULL, &ctid);
  int rounds = 0;
  for (;;) {
    pid_t v = __atomic_load_n(&ctid, __ATOMIC_SEQ_CST);
    if (v == 0) break;
    syscall(SYS_futex, &ctid, FUTEX_WAIT, v, &(struct timespec){1, 0}, NULL, 0);
    if (++rounds > 10) break;
  }
  sb_case("clone_thread_returns_tid", t > 0 && t != getpid());
  sb_case("clone_parent_settid", ptid == t);
  sb_case("clone_child_cleartid_zeroes_and_wakes", ctid == 0 && clone_ran == 1);

  SB_ERRNO("clone_thread_without_sighand_einval",
           syscall(SYS_clone, CLONE_THREAD | CLONE_VM, stack + sizeof stack, NULL, NULL, 0),
           EINVAL);
  SB_ERRNO("clone_sighand_without_vm_einval",
           syscall(SYS_clone, CLONE_SIGHAND, stack + sizeof stack, NULL, NULL, 0), EINVAL);
}

int main(void) {
  sb_init();
  test_basic();
  test_signals();
  test_process_level();
  test_raw_clone();
  return sb_finish();
}
