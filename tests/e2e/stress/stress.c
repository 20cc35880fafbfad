/* Stress for processes, threads and signals; run by tests/e2e/stress.sh in a
 * sandboxd sandbox. Prints deterministic results only and exits 0 iff every
 * check held:
 *   1. 200 processes forked in waves of 20, each exiting with its own status,
 *      all reaped with the right status;
 *   2. 64 threads contending on one pthread mutex (futexes) incrementing a
 *      counter, while the main thread sends SIGUSR1/SIGUSR2 to the thread
 *      group (kill) and to individual threads (pthread_kill) at random times;
 *      the counter must be exact and every handler run counted;
 *   3. a second, condition-variable round (futex wait/wake) with signals.
 *
 * usage: stress [PROCESSES] [THREADS]   (defaults 200, 64) */
#define _GNU_SOURCE 1
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

enum { kWave = 20, kIncrements = 2000, kMaxThreads = 256 };

static atomic_long usr1_handled;
static atomic_long usr2_handled;

static void on_usr1(int sig) {
  (void)sig;
  atomic_fetch_add(&usr1_handled, 1);
}
static void on_usr2(int sig) {
  (void)sig;
  atomic_fetch_add(&usr2_handled, 1);
}

static int forks(int total) {
  int bad = 0, reaped = 0;
  for (int base = 0; base < total; base += kWave) {
    pid_t pids[kWave];
    int n = total - base < kWave ? total - base : kWave;
    for (int i = 0; i < n; i++) {
      pids[i] = fork();
      if (pids[i] == 0) _exit((base + i) % 128);
      if (pids[i] < 0) {
        perror("fork");
        return -1;
      }
    }
    for (int i = 0; i < n; i++) {
      int st;
      pid_t r;
      do r = waitpid(pids[i], &st, 0);
      while (r < 0 && errno == EINTR);
      if (r != pids[i] || !WIFEXITED(st) || WEXITSTATUS(st) != (base + i) % 128)
        bad++;
      else
        reaped++;
    }
  }
  int st;
  if (waitpid(-1, &st, WNOHANG) != -1 || errno != ECHILD) bad++; /* nothing left */
  printf("forks: %d reaped, %d bad\n", reaped, bad);
  return bad;
}

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static long counter;
static long turn; /* condition round: whose turn, modulo nthreads */
static int nthreads;
static pthread_barrier_t start_barrier;

static void* mutex_worker(void* arg) {
  (void)arg;
  pthread_barrier_wait(&start_barrier);
  for (int i = 0; i < kIncrements; i++) {
    pthread_mutex_lock(&mu);
    long v = counter;
    if ((i & 63) == 0) sched_yield(); /* hold the lock across a reschedule */
    counter = v + 1;
    pthread_mutex_unlock(&mu);
  }
  return NULL;
}

enum { kCondRounds = 20 };
static void* cond_worker(void* arg) {
  long id = (long)arg;
  pthread_barrier_wait(&start_barrier);
  for (int r = 0; r < kCondRounds; r++) {
    pthread_mutex_lock(&mu);
    while (turn % nthreads != id) pthread_cond_wait(&cv, &mu);
    turn++;
    counter++;
    pthread_cond_broadcast(&cv);
    pthread_mutex_unlock(&mu);
  }
  return NULL;
}

static unsigned rng_state = 12345;
static unsigned rnd(void) {
  rng_state = rng_state * 1103515245u + 12345u;
  return rng_state >> 8;
}

/* Runs nthreads of WORKER while signalling them; returns the signals sent. */
static long run_threads(void* (*worker)(void*), pthread_t* tids, long* sent) {
  counter = 0;
  turn = 0;
  pthread_barrier_init(&start_barrier, NULL, (unsigned)nthreads + 1);
  for (long i = 0; i < nthreads; i++) {
    int e = pthread_create(&tids[i], NULL, worker, (void*)i);
    if (e) {
      fprintf(stderr, "pthread_create: %s\n", strerror(e));
      exit(1);
    }
  }
  pthread_barrier_wait(&start_barrier);
  long n = 0;
  /* Signal at random intervals while the workers run, then join. */
  for (int k = 0; k < 200; k++) {
    struct timespec d = {0, (long)(rnd() % 2000) * 1000}; /* 0-2 ms */
    nanosleep(&d, NULL);
    int sig = (rnd() & 1) ? SIGUSR1 : SIGUSR2;
    if (k & 1) {
      if (kill(getpid(), sig) == 0) n++;
    } else {
      /* a thread may have exited already: ESRCH is fine, not counted */
      if (pthread_kill(tids[rnd() % (unsigned)nthreads], sig) == 0) n++;
    }
  }
  for (int i = 0; i < nthreads; i++) pthread_join(tids[i], NULL);
  pthread_barrier_destroy(&start_barrier);
  *sent = n;
  return n;
}

int main(int argc, char** argv) {
  int nproc = argc > 1 ? atoi(argv[1]) : 200;
  nthreads = argc > 2 ? atoi(argv[2]) : 64;
  if (nthreads < 1 || nthreads > kMaxThreads) nthreads = 64;
  setvbuf(stdout, NULL, _IOLBF, 0);
  int failures = 0;

  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_flags = SA_RESTART;
  sa.sa_handler = on_usr1;
  sigaction(SIGUSR1, &sa, NULL);
  sa.sa_handler = on_usr2;
  sigaction(SIGUSR2, &sa, NULL);

  if (forks(nproc) != 0) failures++;

  pthread_t tids[kMaxThreads];
  long sent = 0;
  run_threads(mutex_worker, tids, &sent);
  long want = (long)nthreads * kIncrements;
  printf("mutex: counter %s (%d threads x %d)\n", counter == want ? "exact" : "WRONG", nthreads,
         kIncrements);
  if (counter != want) {
    fprintf(stderr, "mutex counter %ld, want %ld\n", counter, want);
    failures++;
  }
  long sent2 = 0;
  run_threads(cond_worker, tids, &sent2);
  want = (long)nthreads * kCondRounds;
  printf("condvar: counter %s, turns %s\n", counter == want ? "exact" : "WRONG",
         turn == want ? "exact" : "WRONG");
  if (counter != want || turn != want) {
    fprintf(stderr, "condvar counter %ld turns %ld, want %ld\n", counter, turn, want);
    failures++;
  }

  /* Standard signals coalesce, so handled <= sent; but at least one of each
   * kind must have run, and none may be pending forever: send one more of
   * each to ourselves with both unblocked and check they run synchronously. */
  long h1 = atomic_load(&usr1_handled), h2 = atomic_load(&usr2_handled);
  int handled_ok = h1 > 0 && h2 > 0 && h1 + h2 <= sent + sent2;
  raise(SIGUSR1);
  raise(SIGUSR2);
  int sync_ok = atomic_load(&usr1_handled) == h1 + 1 && atomic_load(&usr2_handled) == h2 + 1;
  printf("signals: handled %s, synchronous raise %s\n", handled_ok ? "ok" : "WRONG",
         sync_ok ? "ok" : "WRONG");
  if (!handled_ok || !sync_ok) {
    fprintf(stderr, "signals sent %ld, usr1 handled %ld, usr2 handled %ld\n", sent + sent2, h1, h2);
    failures++;
  }
  printf("%s\n", failures ? "FAILED" : "OK");
  return failures ? 1 : 0;
}
