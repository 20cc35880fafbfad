/* Signal delivery round trip: kill(getpid(), SIGUSR1), the handler runs and
 * returns (sigreturn).
 *
 * usage: bench_signal_roundtrip [ITERATIONS]   (default 10000)
 * prints: signal_roundtrip iterations=N ns_per_op=X.XXX */
#define _GNU_SOURCE 1
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t handled;
static void on_usr1(int sig) {
  (void)sig;
  handled++;
}

int main(int argc, char** argv) {
  long n = argc > 1 ? atol(argv[1]) : 10000;
  if (n <= 0) n = 1;
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_usr1;
  sigaction(SIGUSR1, &sa, NULL);
  pid_t self = getpid();
  struct timespec a, b;
  clock_gettime(CLOCK_MONOTONIC, &a);
  for (long i = 0; i < n; i++) kill(self, SIGUSR1);
  clock_gettime(CLOCK_MONOTONIC, &b);
  if (handled != (sig_atomic_t)n) {
    fprintf(stderr, "bench_signal_roundtrip: %ld handled, want %ld\n", (long)handled, n);
    return 1;
  }
  double ns = (double)(b.tv_sec - a.tv_sec) * 1e9 + (double)(b.tv_nsec - a.tv_nsec);
  printf("signal_roundtrip iterations=%ld ns_per_op=%.3f\n", n, ns / (double)n);
  return 0;
}
