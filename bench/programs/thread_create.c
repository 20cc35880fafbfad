/* pthread_create + pthread_join of a thread that returns at once.
 *
 * usage: bench_thread_create [ITERATIONS]   (default 1000)
 * prints: thread_create iterations=N ns_per_op=X.XXX */
#define _GNU_SOURCE 1
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static void* nothing(void* arg) { return arg; }

int main(int argc, char** argv) {
  long n = argc > 1 ? atol(argv[1]) : 1000;
  if (n <= 0) n = 1;
  struct timespec a, b;
  clock_gettime(CLOCK_MONOTONIC, &a);
  for (long i = 0; i < n; i++) {
    pthread_t t;
    if (pthread_create(&t, NULL, nothing, NULL) != 0 || pthread_join(t, NULL) != 0) {
      fprintf(stderr, "bench_thread_create: failed\n");
      return 1;
    }
  }
  clock_gettime(CLOCK_MONOTONIC, &b);
  double ns = (double)(b.tv_sec - a.tv_sec) * 1e9 + (double)(b.tv_nsec - a.tv_nsec);
  printf("thread_create iterations=%ld ns_per_op=%.3f\n", n, ns / (double)n);
  return 0;
}
