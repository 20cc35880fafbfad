/* Synchronous faults delivered to handlers: SIGSEGV (si_addr, MAPERR vs
 * ACCERR), SIGFPE, SIGILL, SIGTRAP, registers edited through the ucontext,
 * uc_sigmask on return, faults while blocked or ignored, stack overflow on an
 * alternate stack. Prints no addresses. See sbtest.h. */
#include "sbtest.h"

#include <limits.h>
#include <setjmp.h>
#include <stdint.h>
#include <sys/mman.h>
#include <ucontext.h>

/* Instruction-level helpers with known addresses. */
long sb_ud2(void);
long sb_int3(void);
long sb_ud2_rax(void);
asm(".text\n"
    ".globl sb_ud2\nsb_ud2:\n ud2\n mov $7, %eax\n ret\n"
    ".globl sb_int3\nsb_int3:\n int3\n mov $9, %eax\n ret\n"
    ".globl sb_ud2_rax\nsb_ud2_rax:\n mov $1, %eax\n ud2\n ret\n");

static sigjmp_buf jb;
static volatile int hits;
static siginfo_t info;
static greg_t fault_rip;
static int skip_bytes; /* > 0: skip the instruction instead of longjmp */
static int set_rax = -1;
static int block_in_uc = 0;

static void handler(int sig, siginfo_t* si, void* ucv) {
  (void)sig;
  ucontext_t* uc = ucv;
  info = *si;
  hits++;
  fault_rip = uc->uc_mcontext.gregs[REG_RIP];
  if (block_in_uc) sigaddset(&uc->uc_sigmask, SIGUSR2);
  if (set_rax >= 0) uc->uc_mcontext.gregs[REG_RAX] = set_rax;
  if (skip_bytes > 0) {
    uc->uc_mcontext.gregs[REG_RIP] += skip_bytes;
    return;
  }
  if (skip_bytes == 0) siglongjmp(jb, 1);
  /* skip_bytes < 0: plain return (trap-like signals resume after). */
}

static void install(int sig, int flags) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = handler;
  sa.sa_flags = SA_SIGINFO | flags;
  sigaction(sig, &sa, NULL);
}

static void prep(int skip) {
  hits = 0;
  memset(&info, 0, sizeof info);
  skip_bytes = skip;
  set_rax = -1;
  block_in_uc = 0;
}

static long pg;

static void test_segv(void) {
  install(SIGSEGV, 0);
  char* p = mmap(NULL, pg, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  char* gone = mmap(NULL, pg, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  munmap(gone, pg);

  prep(0);
  if (sigsetjmp(jb, 1) == 0) (void)*(volatile char*)(gone + 123);
  sb_value("maperr: signo=%d code=%d", info.si_signo, info.si_code);
  sb_case("segv_unmapped_read_handler_runs", hits == 1 && info.si_signo == SIGSEGV);
  sb_case("segv_unmapped_si_code_maperr", info.si_code == SEGV_MAPERR);
  sb_case("segv_unmapped_si_addr_exact", info.si_addr == gone + 123);

  prep(0);
  if (sigsetjmp(jb, 1) == 0) *(volatile char*)(p + 77) = 1;
  sb_value("accerr: signo=%d code=%d", info.si_signo, info.si_code);
  sb_case("segv_readonly_write_si_code_accerr", hits == 1 && info.si_code == SEGV_ACCERR);
  sb_case("segv_readonly_write_si_addr_exact", info.si_addr == p + 77);

  prep(0);
  if (sigsetjmp(jb, 1) == 0) (void)*(volatile char*)NULL;
  sb_case("segv_null_read_si_addr_0_maperr",
          hits == 1 && info.si_addr == NULL && info.si_code == SEGV_MAPERR);

  char* nx = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  nx[0] = (char)0xc3; /* ret */
  prep(0);
  if (sigsetjmp(jb, 1) == 0) ((void (*)(void))nx)();
  sb_value("exec nx: code=%d", info.si_code);
  sb_case("segv_exec_noexec_page_accerr",
          hits == 1 && info.si_code == SEGV_ACCERR && info.si_addr == nx);
  sb_case("segv_exec_noexec_rip_is_page", fault_rip == (greg_t)(uintptr_t)nx);

  prep(0);
  mprotect(p, pg, PROT_NONE);
  if (sigsetjmp(jb, 1) == 0) (void)*(volatile char*)(p + 5);
  sb_case("segv_prot_none_read_accerr",
          hits == 1 && info.si_code == SEGV_ACCERR && info.si_addr == p + 5);
  sb_case("segv_si_errno_zero", info.si_errno == 0);

  prep(0);
  mprotect(p, pg, PROT_READ | PROT_WRITE);
  sigset_t s;
  sigprocmask(SIG_SETMASK, NULL, &s);
  sb_case("siglongjmp_restores_mask_unblocked", !sigismember(&s, SIGSEGV));
  p[0] = 1;
  sb_case("write_after_mprotect_rw", p[0] == 1);
  munmap(p, pg);
  munmap(nx, pg);
}

static volatile int divisor = 0;
static volatile int minus_one = -1;
static volatile int int_min = INT_MIN;

static void test_fpe_ill_trap(void) {
  install(SIGFPE, 0);
  prep(0);
  volatile int r = 0;
  if (sigsetjmp(jb, 1) == 0) r = 10 / divisor;
  sb_value("fpe: signo=%d code=%d", info.si_signo, info.si_code);
  sb_case("sigfpe_div_zero_fpe_intdiv",
          hits == 1 && info.si_signo == SIGFPE && info.si_code == FPE_INTDIV);
  sb_case("sigfpe_si_addr_is_rip", info.si_addr == (void*)fault_rip);
  prep(0);
  if (sigsetjmp(jb, 1) == 0) r = int_min / minus_one;
  sb_value("fpe overflow: code=%d", info.si_code);
  sb_case("sigfpe_intmin_div_minus1", hits == 1 && info.si_signo == SIGFPE);
  (void)r;

  install(SIGILL, 0);
  prep(2);
  long v = sb_ud2();
  sb_value("ill: signo=%d code=%d ret=%ld", info.si_signo, info.si_code, v);
  sb_case("sigill_ud2_handler_runs", hits == 1 && info.si_signo == SIGILL);
  sb_case("sigill_ud2_si_code_illopn", info.si_code == ILL_ILLOPN);
  sb_case("sigill_ud2_si_addr_and_rip",
          info.si_addr == (void*)sb_ud2 && fault_rip == (greg_t)(uintptr_t)sb_ud2);
  sb_case("sigill_skip_via_uc_rip_resumes", v == 7);

  prep(2);
  set_rax = 77;
  v = sb_ud2_rax();
  sb_case("sigreturn_applies_uc_rax_change", hits == 1 && v == 77);

  prep(2);
  block_in_uc = 1;
  sb_ud2();
  sigset_t s;
  sigprocmask(SIG_SETMASK, NULL, &s);
  sb_case("sigreturn_applies_uc_sigmask", sigismember(&s, SIGUSR2));
  sigdelset(&s, SIGUSR2);
  sigprocmask(SIG_SETMASK, &s, NULL);

  install(SIGTRAP, 0);
  prep(-1);
  v = sb_int3();
  sb_value("trap: signo=%d code=%d ret=%ld", info.si_signo, info.si_code, v);
  sb_case("sigtrap_int3_handler_runs", hits == 1 && info.si_signo == SIGTRAP);
  sb_case("sigtrap_int3_si_code_si_kernel", info.si_code == SI_KERNEL);
  sb_case("sigtrap_int3_rip_after_int3", fault_rip == (greg_t)(uintptr_t)sb_int3 + 1);
  sb_case("sigtrap_int3_resumes", v == 9);
}

static void fault_blocked(void* arg) {
  (void)arg;
  install(SIGSEGV, 0);
  sigset_t s;
  sigemptyset(&s);
  sigaddset(&s, SIGSEGV);
  sigprocmask(SIG_BLOCK, &s, NULL);
  prep(0);
  (void)*(volatile char*)NULL;
  _exit(hits ? 10 : 11);
}

static void fault_ignored(void* arg) {
  (void)arg;
  signal(SIGSEGV, SIG_IGN);
  (void)*(volatile char*)NULL;
  _exit(12);
}

static void fault_default(void* arg) {
  (void)arg;
  signal(SIGSEGV, SIG_DFL);
  (void)*(volatile char*)NULL;
  _exit(13);
}

static void ill_default(void* arg) {
  (void)arg;
  signal(SIGILL, SIG_DFL);
  sb_ud2();
  _exit(14);
}

static void fpe_default(void* arg) {
  (void)arg;
  signal(SIGFPE, SIG_DFL);
  volatile int r = 10 / divisor;
  (void)r;
  _exit(15);
}

static void trap_default(void* arg) {
  (void)arg;
  signal(SIGTRAP, SIG_DFL);
  sb_int3();
  _exit(16);
}

static volatile char* sink;
static int recurse(int n) {
  volatile char buf[4096];
  buf[0] = (char)n;
  sink = buf;
  if (n < 0) return 0;
  return recurse(n + 1) + buf[0];
}

static void overflow_altstack(void* arg) {
  (void)arg;
  static char alt[65536];
  stack_t ss = {.ss_sp = alt, .ss_size = sizeof alt};
  sigaltstack(&ss, NULL);
  install(SIGSEGV, SA_ONSTACK);
  prep(0);
  if (sigsetjmp(jb, 1) == 0) recurse(0);
  _exit(hits == 1 && info.si_signo == SIGSEGV ? 20 : 21);
}

static void overflow_no_altstack(void* arg) {
  (void)arg;
  install(SIGSEGV, 0);
  prep(0);
  if (sigsetjmp(jb, 1) == 0) recurse(0);
  _exit(22);
}

static void check_child(const char* name, void (*fn)(void*), int want_sig, int want_exit) {
  int st = sb_in_child(fn, NULL);
  sb_value("exited=%d code=%d signaled=%d sig=%d", WIFEXITED(st),
           WIFEXITED(st) ? WEXITSTATUS(st) : 0, WIFSIGNALED(st),
           WIFSIGNALED(st) ? WTERMSIG(st) : 0);
  sb_case(name, want_sig ? sb_killed_by(st, want_sig)
                         : (st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == want_exit));
}

int main(void) {
  sb_init();
  pg = sysconf(_SC_PAGESIZE);
  test_segv();
  test_fpe_ill_trap();
  check_child("segv_while_blocked_kills", fault_blocked, SIGSEGV, 0);
  check_child("segv_while_ignored_kills", fault_ignored, SIGSEGV, 0);
  check_child("segv_default_kills", fault_default, SIGSEGV, 0);
  check_child("sigill_default_kills", ill_default, SIGILL, 0);
  check_child("sigfpe_default_kills", fpe_default, SIGFPE, 0);
  check_child("sigtrap_default_kills", trap_default, SIGTRAP, 0);
  check_child("stack_overflow_caught_on_altstack", overflow_altstack, 0, 20);
  check_child("stack_overflow_without_altstack_kills", overflow_no_altstack, SIGSEGV, 0);
  return sb_finish();
}
