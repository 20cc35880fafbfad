/* futex(2) via syscall(SYS_futex): WAIT value mismatch and timeouts, WAKE
 * counts, bitsets, requeue, errors, private futexes between threads and a
 * shared futex across fork on a MAP_SHARED page. Wake counts are made
 * deterministic by retrying until the waiters are asleep. See sbtest.h. */
#include "sbtest.h"

#include <limits.h>
#include <linux/futex.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>

static long futex(void* uaddr, int op, uint32_t val, const struct timespec* ts, void* uaddr2,
                  uint32_t val3) {
  return syscall(SYS_futex, uaddr, op, val, ts, uaddr2, val3);
}

static long ms_since(struct timespec a) {
  struct timespec b;
  clock_gettime(CLOCK_MONOTONIC, &b);
  return (b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000;
}

/* Wakes until `want` waiters have been woken in total (or ~5s pass); each
 * call may wake at most `per_call`. Returns the total; *max_one records the
 * largest single return. */
static long wake_until(uint32_t* w, int op, int per_call, long want, uint32_t bits, long* max_one) {
  long total = 0;
  *max_one = 0;
  for (int i = 0; i < 5000 && total < want; i++) {
    long n = futex(w, op, per_call, NULL, NULL, bits);
    if (n < 0) return n;
    if (n > *max_one) *max_one = n;
    total += n;
    if (total < want) usleep(1000);
  }
  return total;
}

static uint32_t word;
static volatile int woke;
static volatile int started;

struct wait_arg {
  int op;
  uint32_t bits;
  uint32_t* addr;
  long ret;
  int err;
};

static void* waiter(void* p) {
  struct wait_arg* a = p;
  uint32_t* addr = a->addr ? a->addr : &word;
  __atomic_add_fetch(&started, 1, __ATOMIC_SEQ_CST);
  a->ret = futex(addr, a->op, 0, NULL, NULL, a->bits);
  a->err = errno;
  __atomic_add_fetch(&woke, 1, __ATOMIC_SEQ_CST);
  return NULL;
}

static void start_waiters(pthread_t* th, struct wait_arg* a, int n) {
  woke = started = 0;
  for (int i = 0; i < n; i++) pthread_create(&th[i], NULL, waiter, &a[i]);
  while (__atomic_load_n(&started, __ATOMIC_SEQ_CST) < n) usleep(1000);
}

static void test_errors(void) {
  uint32_t v = 5;
  SB_ERRNO("wait_value_mismatch_eagain", futex(&v, FUTEX_WAIT, 6, NULL, NULL, 0), EAGAIN);
  SB_ERRNO("wait_private_mismatch_eagain", futex(&v, FUTEX_WAIT_PRIVATE, 4, NULL, NULL, 0), EAGAIN);
  struct timespec t0;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  errno = 0;
  long rc = futex(&v, FUTEX_WAIT, 5, &(struct timespec){0, 30000000}, NULL, 0);
  long ms = ms_since(t0);
  sb_case("wait_relative_timeout_etimedout", sb_errno_is("wait 30ms", rc, ETIMEDOUT));
  sb_case("wait_timeout_lower_bound", ms >= 29);
  SB_ERRNO("wait_bad_timeout_nsec_einval",
           futex(&v, FUTEX_WAIT, 5, &(struct timespec){0, 1000000000}, NULL, 0), EINVAL);
  SB_ERRNO("wait_negative_timeout_einval",
           futex(&v, FUTEX_WAIT, 5, &(struct timespec){-1, 0}, NULL, 0), EINVAL);
  SB_ERRNO("wait_unaligned_einval", futex((char*)&v + 1, FUTEX_WAIT, 5, NULL, NULL, 0), EINVAL);
  SB_ERRNO("wait_null_efault", futex(NULL, FUTEX_WAIT, 0, NULL, NULL, 0), EFAULT);
  SB_ERRNO("unknown_op_enosys", futex(&v, 99, 0, NULL, NULL, 0), ENOSYS);
  sb_case("wake_no_waiters_returns_0", futex(&v, FUTEX_WAKE, 10, NULL, NULL, 0) == 0);
  SB_ERRNO("wait_bitset_zero_einval", futex(&v, FUTEX_WAIT_BITSET, 5, NULL, NULL, 0), EINVAL);
  SB_ERRNO("wake_bitset_zero_einval", futex(&v, FUTEX_WAKE_BITSET, 1, NULL, NULL, 0), EINVAL);

  struct timespec abs;
  clock_gettime(CLOCK_MONOTONIC, &abs);
  abs.tv_nsec += 20000000;
  if (abs.tv_nsec >= 1000000000) abs.tv_sec++, abs.tv_nsec -= 1000000000;
  errno = 0;
  rc = futex(&v, FUTEX_WAIT_BITSET, 5, &abs, NULL, FUTEX_BITSET_MATCH_ANY);
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  sb_case(
      "wait_bitset_abs_monotonic_etimedout",
      sb_errno_is("wait_bitset", rc, ETIMEDOUT) &&
          (now.tv_sec > abs.tv_sec || (now.tv_sec == abs.tv_sec && now.tv_nsec >= abs.tv_nsec)));
  clock_gettime(CLOCK_REALTIME, &abs);
  abs.tv_nsec += 20000000;
  if (abs.tv_nsec >= 1000000000) abs.tv_sec++, abs.tv_nsec -= 1000000000;
  errno = 0;
  rc = futex(&v, FUTEX_WAIT_BITSET | FUTEX_CLOCK_REALTIME, 5, &abs, NULL, FUTEX_BITSET_MATCH_ANY);
  sb_case("wait_bitset_abs_realtime_etimedout", sb_errno_is("wait_bitset_rt", rc, ETIMEDOUT));
  errno = 0;
  rc = futex(&v, FUTEX_WAIT_BITSET, 5, &(struct timespec){0, 0}, NULL, FUTEX_BITSET_MATCH_ANY);
  sb_case("wait_bitset_abs_past_etimedout", sb_errno_is("wait_bitset_past", rc, ETIMEDOUT));
  uint32_t other = 0;
  SB_ERRNO("cmp_requeue_mismatch_eagain", futex(&v, FUTEX_CMP_REQUEUE, 1, (void*)1L, &other, 6),
           EAGAIN);
}

static void test_wake_counts(void) {
  pthread_t th[3];
  struct wait_arg a[3];
  for (int i = 0; i < 3; i++) a[i] = (struct wait_arg){.op = FUTEX_WAIT_PRIVATE};
  word = 0;
  start_waiters(th, a, 3);
  long max_one;
  long n = wake_until(&word, FUTEX_WAKE_PRIVATE, 1, 1, 0, &max_one);
  for (int i = 0; i < 5000 && __atomic_load_n(&woke, __ATOMIC_SEQ_CST) < 1; i++) usleep(1000);
  usleep(20000);
  sb_value("wake(1): total=%ld max=%ld woke=%d", n, max_one, woke);
  sb_case("wake_one_wakes_exactly_one", n == 1 && max_one == 1 && woke == 1);
  n = wake_until(&word, FUTEX_WAKE_PRIVATE, INT_MAX, 2, 0, &max_one);
  for (int i = 0; i < 3; i++) pthread_join(th[i], NULL);
  sb_value("wake(all): total=%ld woke=%d", n, woke);
  sb_case("wake_all_wakes_remaining", n == 2 && woke == 3);
  sb_case("woken_waiters_return_0", a[0].ret == 0 && a[1].ret == 0 && a[2].ret == 0);
  sb_case("wake_after_all_woken_returns_0",
          futex(&word, FUTEX_WAKE_PRIVATE, 5, NULL, NULL, 0) == 0);

  /* Bitsets: a waiter on bit 0 is not woken by a wake on bit 1. */
  a[0] = (struct wait_arg){.op = FUTEX_WAIT_BITSET_PRIVATE, .bits = 1};
  start_waiters(th, a, 1);
  usleep(20000);
  long miss = futex(&word, FUTEX_WAKE_BITSET_PRIVATE, 1, NULL, NULL, 2);
  sb_case("wake_bitset_nonmatching_returns_0", miss == 0 && woke == 0);
  n = wake_until(&word, FUTEX_WAKE_BITSET_PRIVATE, 1, 1, 1, &max_one);
  pthread_join(th[0], NULL);
  sb_case("wake_bitset_matching_wakes", n == 1 && a[0].ret == 0 && woke == 1);

  /* A plain WAKE matches a bitset waiter (plain ops use all bits). */
  a[0] = (struct wait_arg){.op = FUTEX_WAIT_BITSET_PRIVATE, .bits = 4};
  start_waiters(th, a, 1);
  n = wake_until(&word, FUTEX_WAKE_PRIVATE, 1, 1, 0, &max_one);
  pthread_join(th[0], NULL);
  sb_case("plain_wake_wakes_bitset_waiter", n == 1 && a[0].ret == 0);

  /* Non-private WAIT/WAKE between threads on a private mapping. */
  a[0] = (struct wait_arg){.op = FUTEX_WAIT};
  start_waiters(th, a, 1);
  n = wake_until(&word, FUTEX_WAKE, 1, 1, 0, &max_one);
  pthread_join(th[0], NULL);
  sb_case("shared_ops_between_threads", n == 1 && a[0].ret == 0);

  /* Requeue: two waiters on word, wake 1, move 1 to word2. */
  static uint32_t word2;
  a[0] = (struct wait_arg){.op = FUTEX_WAIT_PRIVATE};
  a[1] = (struct wait_arg){.op = FUTEX_WAIT_PRIVATE};
  start_waiters(th, a, 2);
  long total = 0, woken = 0;
  for (int i = 0; i < 5000 && total < 2; i++) {
    long r = futex(&word, FUTEX_CMP_REQUEUE_PRIVATE, total == 0 ? 1 : 0, (void*)(long)INT_MAX,
                   &word2, 0);
    if (r < 0) break;
    total += r;
    if (total < 2) usleep(1000);
  }
  for (int i = 0; i < 5000 && __atomic_load_n(&woke, __ATOMIC_SEQ_CST) < 1; i++) usleep(1000);
  usleep(20000);
  woken = woke;
  long moved = wake_until(&word2, FUTEX_WAKE_PRIVATE, 1, 1, 0, &max_one);
  pthread_join(th[0], NULL);
  pthread_join(th[1], NULL);
  sb_value("requeue: total=%ld woken_first=%ld moved_woken=%ld", total, woken, moved);
  sb_case("cmp_requeue_wakes_one_moves_other", total == 2 && woken == 1 && moved == 1);
}

static void test_shared_fork(void) {
  uint32_t* shared = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  shared[0] = 0;
  shared[1] = 0;
  pid_t c = fork();
  if (c == 0) {
    __atomic_store_n(&shared[1], 1, __ATOMIC_SEQ_CST);
    long r = futex(&shared[0], FUTEX_WAIT, 0, &(struct timespec){10, 0}, NULL, 0);
    _exit(r == 0 && shared[0] == 7 ? 0 : 1);
  }
  while (!__atomic_load_n(&shared[1], __ATOMIC_SEQ_CST)) usleep(1000);
  usleep(20000);
  long priv = futex(&shared[0], FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
  sb_case("private_wake_does_not_cross_processes", priv == 0);
  shared[0] = 7;
  long max_one;
  long n = wake_until(&shared[0], FUTEX_WAKE, 1, 1, 0, &max_one);
  int st = 0;
  waitpid(c, &st, 0);
  sb_value("shared wake=%ld child exit=%d", n, WIFEXITED(st) ? WEXITSTATUS(st) : -1);
  sb_case("shared_futex_across_fork_wakes", n == 1 && WIFEXITED(st) && WEXITSTATUS(st) == 0);

  /* Child wakes the parent this time. */
  shared[0] = 0;
  c = fork();
  if (c == 0) {
    usleep(50000);
    __atomic_store_n(&shared[0], 1, __ATOMIC_SEQ_CST);
    long m;
    _exit(wake_until(&shared[0], FUTEX_WAKE, 1, 1, 0, &m) == 1 ? 0 : 1);
  }
  long r = futex(&shared[0], FUTEX_WAIT, 0, &(struct timespec){10, 0}, NULL, 0);
  waitpid(c, &st, 0);
  sb_case("parent_woken_by_child_shared", r == 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0);
  munmap(shared, 4096);
}

int main(void) {
  sb_init();
  test_errors();
  test_wake_counts();
  test_shared_fork();
  return sb_finish();
}
