/* fork + child _exit + waitpid.
 *
 * usage: bench_fork_wait [ITERATIONS]   (default 1000)
 * prints: fork_wait iterations=N ns_per_op=X.XXX */
#define _GNU_SOURCE 1
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char** argv) {
  long n = argc > 1 ? atol(argv[1]) : 1000;
  if (n <= 0) n = 1;
  struct timespec a, b;
  clock_gettime(CLOCK_MONOTONIC, &a);
  for (long i = 0; i < n; i++) {
    pid_t pid = fork();
    if (pid == 0) _exit(0);
    int st;
    if (pid < 0 || waitpid(pid, &st, 0) != pid) {
      perror("bench_fork_wait");
      return 1;
    }
  }
  clock_gettime(CLOCK_MONOTONIC, &b);
  double ns = (double)(b.tv_sec - a.tv_sec) * 1e9 + (double)(b.tv_nsec - a.tv_nsec);
  printf("fork_wait iterations=%ld ns_per_op=%.3f\n", n, ns / (double)n);
  return 0;
}
