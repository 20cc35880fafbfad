/* open + read 4 KiB + close of a tmpfs file (the sandbox's /tmp; natively
 * whatever /tmp is).
 *
 * usage: bench_open_read_close [ITERATIONS]   (default 10000)
 * prints: open_read_close iterations=N ns_per_op=X.XXX */
#define _GNU_SOURCE 1
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char** argv) {
  long n = argc > 1 ? atol(argv[1]) : 10000;
  if (n <= 0) n = 1;
  char path[] = "/tmp/sb-bench-orc.XXXXXX";
  int fd = mkstemp(path);
  static char buf[4096];
  memset(buf, 'x', sizeof buf);
  if (fd < 0 || write(fd, buf, sizeof buf) != (ssize_t)sizeof buf) {
    perror("bench_open_read_close: setup");
    return 1;
  }
  close(fd);
  struct timespec a, b;
  clock_gettime(CLOCK_MONOTONIC, &a);
  for (long i = 0; i < n; i++) {
    fd = open(path, O_RDONLY);
    if (fd < 0 || read(fd, buf, sizeof buf) != (ssize_t)sizeof buf) {
      perror("bench_open_read_close");
      return 1;
    }
    close(fd);
  }
  clock_gettime(CLOCK_MONOTONIC, &b);
  unlink(path);
  double ns = (double)(b.tv_sec - a.tv_sec) * 1e9 + (double)(b.tv_nsec - a.tv_nsec);
  printf("open_read_close iterations=%ld ns_per_op=%.3f\n", n, ns / (double)n);
  return 0;
}
