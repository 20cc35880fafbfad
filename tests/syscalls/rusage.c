/* getrusage, wait4's rusage and /proc/self/status VmHWM: peak resident
 * memory (ru_maxrss, in KiB) and CPU times, for the process, its threads,
 * its reaped children, and across exec. Values depend on the machine, so
 * the cases print comparisons against what the program itself touched. */
#include "sbtest.h"

#include <stdint.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>

#define MB (1024L * 1024L)

static long maxrss_kb(int who) {
  struct rusage ru;
  if (getrusage(who, &ru) != 0) return -1;
  return ru.ru_maxrss;
}

/* Maps and touches `bytes` of private anonymous memory. */
static char* touch(long bytes) {
  char* p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) return NULL;
  for (long i = 0; i < bytes; i += 4096) p[i] = 1;
  return p;
}

static void spin_cpu_ms(long ms) {
  struct timespec t0, t;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t0);
  do {
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  } while ((t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000 < ms);
}

static long status_kb(const char* key) {
  FILE* f = fopen("/proc/self/status", "r");
  if (!f) return -1;
  char line[256];
  long v = -1;
  size_t n = strlen(key);
  while (fgets(line, sizeof line, f)) {
    if (strncmp(line, key, n) == 0 && line[n] == ':') v = strtol(line + n + 1, NULL, 10);
  }
  fclose(f);
  return v;
}

static long tv_ms(struct timeval tv) { return tv.tv_sec * 1000 + tv.tv_usec / 1000; }

int main(int argc, char** argv) {
  sb_init();
  if (argc > 1 && strcmp(argv[1], "after-exec") == 0) {
    /* Re-executed by exec_keeps_peak: the peak before exec counts. */
    long want = strtol(argv[2], NULL, 10);
    return maxrss_kb(RUSAGE_SELF) >= want ? 0 : 1;
  }

  long base = maxrss_kb(RUSAGE_SELF);
  sb_value("self maxrss > 0: %d", base > 0);
  sb_case("getrusage_self_maxrss_positive", base > 0);

  long th = maxrss_kb(RUSAGE_THREAD);
  sb_value("thread maxrss > 0: %d", th > 0);
  sb_case("getrusage_thread_maxrss_positive", th > 0);

  char* p = touch(64 * MB);
  long grown = maxrss_kb(RUSAGE_SELF);
  sb_value("grew by >= 60 MiB: %d", p && grown - base >= 60 * 1024);
  sb_case("maxrss_grows_with_touched_memory", p && grown - base >= 60 * 1024);

  long hwm_before = status_kb("VmHWM"), rss_before = status_kb("VmRSS");
  sb_value("VmHWM >= VmRSS: %d", hwm_before >= rss_before && rss_before > 0);
  sb_case("status_vmhwm_at_least_vmrss", hwm_before >= rss_before && rss_before > 0);

  munmap(p, 64 * MB);
  long after = maxrss_kb(RUSAGE_SELF);
  long hwm = status_kb("VmHWM"), rss = status_kb("VmRSS");
  sb_value("maxrss kept after munmap: %d", after >= grown);
  sb_case("maxrss_keeps_peak_after_munmap", after >= grown);
  sb_value("VmHWM kept, VmRSS dropped: %d %d", hwm >= 60 * 1024 + base / 2,
           rss < hwm - 50 * 1024);
  sb_case("status_vmhwm_keeps_peak", hwm >= 60 * 1024 + base / 2 && rss < hwm - 50 * 1024);

  /* A reaped child's peak and CPU time reach wait4 and RUSAGE_CHILDREN. */
  long cbase = maxrss_kb(RUSAGE_CHILDREN);
  sb_value("children maxrss before any child: %ld", cbase);
  sb_case("children_maxrss_zero_without_children", cbase == 0);
  pid_t c = fork();
  if (c == 0) {
    touch(40 * MB);
    spin_cpu_ms(60);
    _exit(0);
  }
  int st = 0;
  struct rusage ru;
  memset(&ru, 0xff, sizeof ru);
  pid_t w = wait4(c, &st, 0, &ru);
  sb_value("wait4 maxrss >= 40 MiB: %d", w == c && ru.ru_maxrss >= 40 * 1024);
  sb_case("wait4_rusage_child_maxrss", w == c && ru.ru_maxrss >= 40 * 1024);
  long cpu = tv_ms(ru.ru_utime) + tv_ms(ru.ru_stime);
  sb_value("wait4 cpu >= 40 ms: %d", cpu >= 40);
  sb_case("wait4_rusage_child_cpu_time", cpu >= 40);
  struct rusage cr;
  getrusage(RUSAGE_CHILDREN, &cr);
  sb_value("children maxrss >= 40 MiB: %d, cpu >= 40 ms: %d", cr.ru_maxrss >= 40 * 1024,
           tv_ms(cr.ru_utime) + tv_ms(cr.ru_stime) >= 40);
  sb_case("rusage_children_after_reap",
          cr.ru_maxrss >= 40 * 1024 && tv_ms(cr.ru_utime) + tv_ms(cr.ru_stime) >= 40);

  /* waitid's rusage too (the raw syscall's fifth argument). */
  c = fork();
  if (c == 0) {
    touch(24 * MB);
    _exit(5);
  }
  siginfo_t si;
  memset(&ru, 0, sizeof ru);
  long r = syscall(SYS_waitid, P_PID, c, &si, WEXITED, &ru);
  sb_value("waitid status %d maxrss >= 24 MiB: %d", si.si_status, r == 0 && ru.ru_maxrss >= 24 * 1024);
  sb_case("waitid_rusage_child_maxrss", r == 0 && si.si_status == 5 && ru.ru_maxrss >= 24 * 1024);

  /* A grandchild's peak reaches its grandparent through the child. */
  c = fork();
  if (c == 0) {
    pid_t g = fork();
    if (g == 0) {
      touch(48 * MB);
      _exit(0);
    }
    waitpid(g, NULL, 0);
    _exit(0);
  }
  memset(&ru, 0, sizeof ru);
  w = wait4(c, &st, 0, &ru);
  sb_value("wait4 includes grandchild peak: %d", ru.ru_maxrss >= 48 * 1024);
  sb_case("wait4_rusage_includes_grandchildren", w == c && ru.ru_maxrss >= 48 * 1024);

  /* exec keeps the old address space's peak (Linux's de_thread). */
  c = fork();
  if (c == 0) {
    touch(56 * MB);
    char want[32];
    snprintf(want, sizeof want, "%ld", 56L * 1024);
    execl(argv[0], argv[0], "after-exec", want, (char*)NULL);
    _exit(99);
  }
  w = waitpid(c, &st, 0);
  sb_value("exec child status %d", WIFEXITED(st) ? WEXITSTATUS(st) : -1);
  sb_case("exec_keeps_peak", w == c && WIFEXITED(st) && WEXITSTATUS(st) == 0);

  SB_ERRNO("getrusage_bad_who_einval", syscall(SYS_getrusage, 7, &ru), EINVAL);
  SB_ERRNO("getrusage_bad_address_efault", syscall(SYS_getrusage, RUSAGE_SELF, (void*)8), EFAULT);
  return sb_failed ? 1 : 0;
}
