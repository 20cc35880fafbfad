/* Futex ping-pong between two threads: one round trip is main waking the
 * peer and waiting until the peer wakes it back (two FUTEX_WAKEs and, unless
 * the other side is still spinning in, two FUTEX_WAITs).
 *
 * usage: bench_futex_pingpong [ROUND-TRIPS]   (default 10000)
 * prints: futex_pingpong iterations=N ns_per_op=X.XXX */
#define _GNU_SOURCE 1
#include <linux/futex.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static _Atomic int word; /* even: main's turn; odd: the peer's */
static long n;

static void futex_wait(_Atomic int* w, int v) {
  syscall(SYS_futex, w, FUTEX_WAIT_PRIVATE, v, NULL, NULL, 0);
}
static void futex_wake(_Atomic int* w) {
  syscall(SYS_futex, w, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}

static void* peer(void* arg) {
  (void)arg;
  for (long i = 0; i < n; i++) {
    int v;
    while (((v = atomic_load(&word)) & 1) == 0) futex_wait(&word, v);
    atomic_fetch_add(&word, 1);
    futex_wake(&word);
  }
  return NULL;
}

int main(int argc, char** argv) {
  n = argc > 1 ? atol(argv[1]) : 10000;
  if (n <= 0) n = 1;
  pthread_t t;
  if (pthread_create(&t, NULL, peer, NULL) != 0) return 1;
  struct timespec a, b;
  clock_gettime(CLOCK_MONOTONIC, &a);
  for (long i = 0; i < n; i++) {
    atomic_fetch_add(&word, 1); /* odd: the peer's turn */
    futex_wake(&word);
    int v;
    while (((v = atomic_load(&word)) & 1) == 1) futex_wait(&word, v);
  }
  clock_gettime(CLOCK_MONOTONIC, &b);
  pthread_join(t, NULL);
  if (atomic_load(&word) != 2 * n) {
    fprintf(stderr, "bench_futex_pingpong: word %d, want %ld\n", atomic_load(&word), 2 * n);
    return 1;
  }
  double ns = (double)(b.tv_sec - a.tv_sec) * 1e9 + (double)(b.tv_nsec - a.tv_nsec);
  printf("futex_pingpong iterations=%ld ns_per_op=%.3f\n", n, ns / (double)n);
  return 0;
}
