/* getppid round trip: the cheapest syscall, so it measures the platform's
 * trap + dispatch + return cost.
 *
 * usage: bench_getppid [ITERATIONS]   (default 100000)
 * prints: getppid iterations=N ns_per_op=X.XXX */
#define _GNU_SOURCE 1
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char** argv) {
  long n = argc > 1 ? atol(argv[1]) : 100000;
  if (n <= 0) n = 1;
  /* Warm up: first calls fault in code and may take slow paths. */
  for (long i = 0; i < 100; i++) syscall(SYS_getppid);
  struct timespec a, b;
  clock_gettime(CLOCK_MONOTONIC, &a);
  for (long i = 0; i < n; i++) syscall(SYS_getppid);
  clock_gettime(CLOCK_MONOTONIC, &b);
  double ns = (double)(b.tv_sec - a.tv_sec) * 1e9 + (double)(b.tv_nsec - a.tv_nsec);
  printf("getppid iterations=%ld ns_per_op=%.3f\n", n, ns / (double)n);
  return 0;
}
