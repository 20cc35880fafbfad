/* PR_SET_PDEATHSIG fires when the parent exits; sched_setaffinity's mask is
 * what sched_getaffinity reports. */
#include "sbtest.h"

#include <sched.h>
#include <sys/prctl.h>

int main(void) {
  sb_init();
  int p[2];
  pipe(p);
  pid_t mid = fork();
  if (mid == 0) {
    pid_t child = fork();
    if (child == 0) {
      close(p[0]);
      sigset_t s;
      sigemptyset(&s);
      sigaddset(&s, SIGUSR1);
      sigprocmask(SIG_BLOCK, &s, NULL);
      prctl(PR_SET_PDEATHSIG, SIGUSR1);
      write(p[1], "r", 1); /* ready */
      siginfo_t si;
      struct timespec ts = {10, 0};
      int sig = sigtimedwait(&s, &si, &ts);
      write(p[1], sig == SIGUSR1 ? "y" : "n", 1);
      _exit(0);
    }
    char c;
    read(p[0], &c, 1); /* the child armed PDEATHSIG: exit now */
    _exit(0);
  }
  close(p[1]);
  waitpid(mid, NULL, 0);
  /* The middle process consumed the "ready" byte; the verdict follows. */
  char verdict = 0;
  read(p[0], &verdict, 1);
  sb_case("pdeathsig_sent_when_parent_exits", verdict == 'y');
  int cur = 0;
  prctl(PR_GET_PDEATHSIG, &cur);
  sb_case("pdeathsig_not_inherited", cur == 0);

  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(0, &set);
  sb_case("setaffinity_cpu0", sched_setaffinity(0, sizeof set, &set) == 0);
  cpu_set_t got;
  CPU_ZERO(&got);
  sched_getaffinity(0, sizeof got, &got);
  sb_value("count %d cpu0 %d", CPU_COUNT(&got), CPU_ISSET(0, &got) ? 1 : 0);
  sb_case("getaffinity_reports_mask", CPU_COUNT(&got) == 1 && CPU_ISSET(0, &got));
  CPU_ZERO(&set);
  errno = 0;
  sb_case("setaffinity_empty_einval",
          sched_setaffinity(0, sizeof set, &set) == -1 && errno == EINVAL);
  return sb_finish();
}
