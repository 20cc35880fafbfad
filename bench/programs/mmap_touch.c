/* mmap 1 MiB anonymous + write one byte per page + munmap.
 *
 * usage: bench_mmap_touch [ITERATIONS]   (default 1000)
 * prints: mmap_touch iterations=N ns_per_op=X.XXX */
#define _GNU_SOURCE 1
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char** argv) {
  long n = argc > 1 ? atol(argv[1]) : 1000;
  if (n <= 0) n = 1;
  const size_t len = 1 << 20;
  const long pg = sysconf(_SC_PAGESIZE);
  struct timespec a, b;
  clock_gettime(CLOCK_MONOTONIC, &a);
  for (long i = 0; i < n; i++) {
    char* p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) {
      perror("bench_mmap_touch");
      return 1;
    }
    for (size_t off = 0; off < len; off += (size_t)pg) p[off] = 1;
    munmap(p, len);
  }
  clock_gettime(CLOCK_MONOTONIC, &b);
  double ns = (double)(b.tv_sec - a.tv_sec) * 1e9 + (double)(b.tv_nsec - a.tv_nsec);
  printf("mmap_touch iterations=%ld ns_per_op=%.3f\n", n, ns / (double)n);
  return 0;
}
