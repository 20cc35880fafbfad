/* fork + execve(static /bin/busybox true) + waitpid.
 *
 * usage: bench_exec_wait [ITERATIONS]   (default 100)
 * prints: exec_wait iterations=N ns_per_op=X.XXX */
#define _GNU_SOURCE 1
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char** argv) {
  long n = argc > 1 ? atol(argv[1]) : 100;
  if (n <= 0) n = 1;
  char* const args[] = {"/bin/busybox", "true", NULL};
  char* const env[] = {NULL};
  struct timespec a, b;
  clock_gettime(CLOCK_MONOTONIC, &a);
  for (long i = 0; i < n; i++) {
    pid_t pid = fork();
    if (pid == 0) {
      execve(args[0], args, env);
      _exit(127);
    }
    int st;
    if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
      fprintf(stderr, "bench_exec_wait: child failed\n");
      return 1;
    }
  }
  clock_gettime(CLOCK_MONOTONIC, &b);
  double ns = (double)(b.tv_sec - a.tv_sec) * 1e9 + (double)(b.tv_nsec - a.tv_nsec);
  printf("exec_wait iterations=%ld ns_per_op=%.3f\n", n, ns / (double)n);
  return 0;
}
