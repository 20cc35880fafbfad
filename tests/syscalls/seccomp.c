/* seccomp: strict mode, filters installed by the program (actions, their
 * precedence when stacked, argument and instruction-pointer filters,
 * inheritance by fork, threads and execve, TSYNC), filter validation and
 * the query operations. Filters cannot be removed, so every case that
 * installs one does it in a forked child and reports through its wait
 * status (and deterministic lines the child prints). Prints no pids or
 * addresses. See sbtest.h. */
#include "sbtest.h"

#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <ucontext.h>

#ifndef SYS_SECCOMP
#define SYS_SECCOMP 1 /* si_code of a seccomp SIGSYS; glibc does not define it */
#endif

#define EXEC_MARKER "--seccomp-exec-check"

static const char* self_path;

static long sys_seccomp(unsigned op, unsigned flags, void* args) {
  return syscall(SYS_seccomp, op, flags, args);
}

/* In a child: fail the case with a line saying what went wrong. */
#define CHILD_EXPECT(cond)                                                                  \
  do {                                                                                      \
    if (!(cond)) {                                                                          \
      sb_value("child: %s failed (errno %s)", #cond, errno ? strerrorname_np(errno) : "0"); \
      _exit(1);                                                                             \
    }                                                                                       \
  } while (0)

#define LOAD(field) BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, field))
#define RET(v) BPF_STMT(BPF_RET | BPF_K, (v))
#define PROG(f) ((struct sock_fprog){.len = sizeof(f) / sizeof((f)[0]), .filter = (f)})

/* Returns `action` for syscall `nr`, ALLOW for the others (and kills a
 * foreign architecture, as real filters do). */
static long install_for(int nr, uint32_t action, unsigned flags) {
  struct sock_filter f[] = {
      LOAD(arch),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
      RET(SECCOMP_RET_KILL_PROCESS),
      LOAD(nr),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)nr, 0, 1),
      RET(action),
      RET(SECCOMP_RET_ALLOW),
  };
  struct sock_fprog prog = PROG(f);
  return sys_seccomp(SECCOMP_SET_MODE_FILTER, flags, &prog);
}

static void no_new_privs(void) { prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); }

static int exited_with(int status, int code) {
  return status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == code;
}

static void describe(int status) {
  if (status == -1)
    sb_value("fork/wait failed");
  else if (WIFEXITED(status))
    sb_value("child exited %d", WEXITSTATUS(status));
  else if (WIFSIGNALED(status))
    sb_value("child killed by %s", sigabbrev_np(WTERMSIG(status)));
}

/* A case whose child must exit 0. */
static void case_child_ok(const char* name, void (*fn)(void*), void* arg) {
  int st = sb_in_child(fn, arg);
  if (!exited_with(st, 0)) describe(st);
  sb_case(name, exited_with(st, 0));
}

/* A case whose child must die of `sig`. */
static void case_child_killed(const char* name, void (*fn)(void*), void* arg, int sig) {
  int st = sb_in_child(fn, arg);
  if (!sb_killed_by(st, sig)) describe(st);
  sb_case(name, sb_killed_by(st, sig));
}

/* ---- queries: no filter installed ---- */

static void test_queries(void) {
  sb_case("get_seccomp_initially_disabled", prctl(PR_GET_SECCOMP, 0, 0, 0, 0) == 0);

  static const uint32_t known[] = {
      SECCOMP_RET_KILL_PROCESS, SECCOMP_RET_KILL_THREAD, SECCOMP_RET_TRAP, SECCOMP_RET_ERRNO,
      SECCOMP_RET_USER_NOTIF,   SECCOMP_RET_TRACE,       SECCOMP_RET_LOG,  SECCOMP_RET_ALLOW};
  int all = 1;
  for (size_t i = 0; i < sizeof known / sizeof known[0]; i++) {
    uint32_t a = known[i];
    if (sys_seccomp(SECCOMP_GET_ACTION_AVAIL, 0, &a) != 0) {
      sb_value("action 0x%x: %s", known[i], strerrorname_np(errno));
      all = 0;
    }
  }
  sb_case("action_avail_known_actions", all);

  uint32_t unknown = 0x00010000;
  SB_ERRNO("action_avail_unknown_eopnotsupp", sys_seccomp(SECCOMP_GET_ACTION_AVAIL, 0, &unknown),
           EOPNOTSUPP);
  uint32_t allow = SECCOMP_RET_ALLOW;
  SB_ERRNO("action_avail_flags_einval", sys_seccomp(SECCOMP_GET_ACTION_AVAIL, 1, &allow), EINVAL);
  SB_ERRNO("action_avail_bad_pointer_efault", sys_seccomp(SECCOMP_GET_ACTION_AVAIL, 0, NULL),
           EFAULT);

  struct seccomp_notif_sizes sizes;
  memset(&sizes, 0, sizeof sizes);
  long r = sys_seccomp(SECCOMP_GET_NOTIF_SIZES, 0, &sizes);
  sb_value("notif=%u resp=%u data=%u", sizes.seccomp_notif, sizes.seccomp_notif_resp,
           sizes.seccomp_data);
  sb_case("get_notif_sizes", r == 0 && sizes.seccomp_data == sizeof(struct seccomp_data));

  SB_ERRNO("unknown_operation_einval", sys_seccomp(99, 0, NULL), EINVAL);
  SB_ERRNO("strict_with_flags_einval", sys_seccomp(SECCOMP_SET_MODE_STRICT, 1, NULL), EINVAL);
  SB_ERRNO("strict_with_args_einval", sys_seccomp(SECCOMP_SET_MODE_STRICT, 0, &allow), EINVAL);
  SB_ERRNO("prctl_set_seccomp_bad_mode_einval", prctl(PR_SET_SECCOMP, 3, 0, 0, 0), EINVAL);
}

/* ---- installing: errors (in children, in case one wrongly succeeds) ---- */

struct install {
  unsigned flags;
  struct sock_filter* insns;
  unsigned short len;
  int raw_null; /* pass a NULL sock_fprog */
  int via_prctl;
};

/* The child exits with the errno of the install (0: it succeeded). */
static void install_child(void* arg) {
  struct install* in = arg;
  no_new_privs();
  struct sock_fprog prog = {.len = in->len, .filter = in->insns};
  struct sock_fprog* p = in->raw_null ? NULL : &prog;
  long r = in->via_prctl ? prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, p, 0, 0)
                         : sys_seccomp(SECCOMP_SET_MODE_FILTER, in->flags, p);
  _exit(r == -1 ? errno : 0);
}

static void expect_install_error(const char* name, struct install in, int want) {
  int st = sb_in_child(install_child, &in);
  if (!exited_with(st, want)) {
    if (st != -1 && WIFEXITED(st))
      sb_value("got %s, want %s", WEXITSTATUS(st) ? strerrorname_np(WEXITSTATUS(st)) : "success",
               strerrorname_np(want));
    else
      describe(st);
  }
  sb_case(name, exited_with(st, want));
}

static void test_bad_programs(void) {
  static struct sock_filter allow[] = {RET(SECCOMP_RET_ALLOW)};
  expect_install_error("filter_len_zero_einval", (struct install){.insns = allow, .len = 0},
                       EINVAL);
  static struct sock_filter big[BPF_MAXINSNS + 1];
  for (int i = 0; i <= BPF_MAXINSNS; i++) big[i] = (struct sock_filter)RET(SECCOMP_RET_ALLOW);
  expect_install_error("filter_len_4097_einval",
                       (struct install){.insns = big, .len = BPF_MAXINSNS + 1}, EINVAL);
  expect_install_error("filter_len_4096_ok", (struct install){.insns = big, .len = BPF_MAXINSNS},
                       0);

  static struct sock_filter bad_op[] = {BPF_STMT(0xffff, 0), RET(SECCOMP_RET_ALLOW)};
  expect_install_error("filter_bad_opcode_einval", (struct install){.insns = bad_op, .len = 2},
                       EINVAL);
  static struct sock_filter half_load[] = {BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 0),
                                           RET(SECCOMP_RET_ALLOW)};
  expect_install_error("filter_halfword_load_einval",
                       (struct install){.insns = half_load, .len = 2}, EINVAL);
  static struct sock_filter mod[] = {BPF_STMT(BPF_ALU | BPF_MOD | BPF_K, 2),
                                     RET(SECCOMP_RET_ALLOW)};
  expect_install_error("filter_mod_einval", (struct install){.insns = mod, .len = 2}, EINVAL);
  static struct sock_filter jump[] = {LOAD(nr), BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 5, 0),
                                      RET(SECCOMP_RET_ALLOW)};
  expect_install_error("filter_jump_out_of_range_einval", (struct install){.insns = jump, .len = 3},
                       EINVAL);
  static struct sock_filter ja[] = {BPF_STMT(BPF_JMP | BPF_JA, 1), RET(SECCOMP_RET_ALLOW)};
  expect_install_error("filter_ja_out_of_range_einval", (struct install){.insns = ja, .len = 2},
                       EINVAL);
  static struct sock_filter unaligned[] = {BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 2),
                                           RET(SECCOMP_RET_ALLOW)};
  expect_install_error("filter_unaligned_load_einval",
                       (struct install){.insns = unaligned, .len = 2}, EINVAL);
  static struct sock_filter past_end[] = {
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, sizeof(struct seccomp_data)), RET(SECCOMP_RET_ALLOW)};
  expect_install_error("filter_load_past_data_einval",
                       (struct install){.insns = past_end, .len = 2}, EINVAL);
  static struct sock_filter no_ret[] = {LOAD(nr)};
  expect_install_error("filter_no_final_ret_einval", (struct install){.insns = no_ret, .len = 1},
                       EINVAL);
  static struct sock_filter scratch[] = {BPF_STMT(BPF_LD | BPF_MEM, 0), RET(SECCOMP_RET_ALLOW)};
  expect_install_error("filter_unset_scratch_load_einval",
                       (struct install){.insns = scratch, .len = 2}, EINVAL);
  static struct sock_filter div0[] = {BPF_STMT(BPF_ALU | BPF_DIV | BPF_K, 0),
                                      RET(SECCOMP_RET_ALLOW)};
  expect_install_error("filter_div_by_zero_einval", (struct install){.insns = div0, .len = 2},
                       EINVAL);

  expect_install_error("filter_null_fprog_efault", (struct install){.raw_null = 1}, EFAULT);
  expect_install_error("filter_bad_insns_pointer_efault",
                       (struct install){.insns = (struct sock_filter*)8, .len = 1}, EFAULT);
  expect_install_error("prctl_filter_null_efault", (struct install){.raw_null = 1, .via_prctl = 1},
                       EFAULT);
  expect_install_error("filter_unknown_flag_einval",
                       (struct install){.flags = 1u << 20, .insns = allow, .len = 1}, EINVAL);
  expect_install_error(
      "filter_tsync_with_listener_einval",
      (struct install){.flags = SECCOMP_FILTER_FLAG_TSYNC | SECCOMP_FILTER_FLAG_NEW_LISTENER,
                       .insns = allow,
                       .len = 1},
      EINVAL);
  expect_install_error(
      "filter_log_and_spec_allow_flags_ok",
      (struct install){.flags = SECCOMP_FILTER_FLAG_LOG | SECCOMP_FILTER_FLAG_SPEC_ALLOW,
                       .insns = allow,
                       .len = 1},
      0);
}

/* Without no_new_privs, installing needs CAP_SYS_ADMIN: a non-root user
 * (setuid drops every capability) gets EACCES until it sets no_new_privs. */
static void eacces_child(void* arg) {
  (void)arg;
  if (getuid() == 0) CHILD_EXPECT(setuid(65534) == 0);
  static struct sock_filter allow[] = {RET(SECCOMP_RET_ALLOW)};
  struct sock_fprog prog = PROG(allow);
  errno = 0;
  CHILD_EXPECT(sys_seccomp(SECCOMP_SET_MODE_FILTER, 0, &prog) == -1 && errno == EACCES);
  no_new_privs();
  errno = 0;
  CHILD_EXPECT(sys_seccomp(SECCOMP_SET_MODE_FILTER, 0, &prog) == 0);
}

/* The stack limit: 32768 instructions as Linux translates the programs to
 * eBPF (3 of prologue, RET K 2, DIV X 5, a JEQ on a K with the top bit set
 * 2, others 1), each older filter counting 4 more. Three filters of 4096
 * (JA, 4095 RET K: 8194 each) leave 8174 for a fourth. */
static struct sock_filter limit_prog[BPF_MAXINSNS];

static void install_three_big(void) {
  limit_prog[0] = (struct sock_filter)BPF_STMT(BPF_JMP | BPF_JA, BPF_MAXINSNS - 2);
  for (int i = 1; i < BPF_MAXINSNS; i++) limit_prog[i] = (struct sock_filter)RET(SECCOMP_RET_ALLOW);
  struct sock_fprog prog = PROG(limit_prog);
  for (int i = 0; i < 3; i++) CHILD_EXPECT(sys_seccomp(SECCOMP_SET_MODE_FILTER, 0, &prog) == 0);
}

struct limit {
  int extra;   /* LD IMMs first */
  int div_jeq; /* an unreachable DIV X and JEQ 0x80000000 after the JA */
  int rets;    /* RET K instructions */
  int want;    /* errno, or 0 */
};

static void limit_child(void* arg) {
  struct limit* l = arg;
  no_new_privs();
  install_three_big();
  int n = 0;
  for (int i = 0; i < l->extra; i++)
    limit_prog[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_IMM, 1);
  limit_prog[n++] = (struct sock_filter)BPF_STMT(BPF_JMP | BPF_JA, l->div_jeq ? 2 : 0);
  if (l->div_jeq) {
    limit_prog[n++] = (struct sock_filter)BPF_STMT(BPF_ALU | BPF_DIV | BPF_X, 0);
    limit_prog[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0x80000000u, 0, 0);
  }
  for (int i = 0; i < l->rets; i++) limit_prog[n++] = (struct sock_filter)RET(SECCOMP_RET_ALLOW);
  struct sock_fprog prog = {.len = (unsigned short)n, .filter = limit_prog};
  errno = 0;
  long r = sys_seccomp(SECCOMP_SET_MODE_FILTER, 0, &prog);
  int e = r == -1 ? errno : 0;
  if (e != l->want) sb_value("got %s", e ? strerrorname_np(e) : "success");
  CHILD_EXPECT(e == l->want);
}

static void count_child(void* arg) {
  (void)arg;
  no_new_privs();
  install_three_big();
  /* Even the smallest filter no longer fits after a fourth big one. */
  struct sock_fprog prog = PROG(limit_prog);
  CHILD_EXPECT(sys_seccomp(SECCOMP_SET_MODE_FILTER, 0, &prog) == -1 && errno == ENOMEM);
  static struct sock_filter allow[] = {RET(SECCOMP_RET_ALLOW)};
  struct sock_fprog small = PROG(allow);
  CHILD_EXPECT(sys_seccomp(SECCOMP_SET_MODE_FILTER, 0, &small) == 0);
}

static void test_limit(void) {
  /* 3 + 1 + 2 * 4085 = 8174: exactly 32768. */
  case_child_ok("stack_limit_exactly_full_ok", limit_child, &(struct limit){0, 0, 4085, 0});
  case_child_ok("stack_limit_one_over_enomem", limit_child, &(struct limit){1, 0, 4085, ENOMEM});
  /* 3 + 1 + 1 + 5 + 2 + 2 * 4081 = 8174, then one more. */
  case_child_ok("stack_limit_div_jeq_full_ok", limit_child, &(struct limit){1, 1, 4081, 0});
  case_child_ok("stack_limit_div_jeq_over_enomem", limit_child,
                &(struct limit){2, 1, 4081, ENOMEM});
  case_child_ok("stack_limit_fourth_big_filter_enomem", count_child, NULL);
}

/* ---- strict mode ---- */

static void strict_write_child(void* arg) {
  (void)arg;
  prctl(PR_SET_SECCOMP, SECCOMP_MODE_STRICT, 0, 0, 0);
  static const char msg[] = "  strict: write allowed\n";
  char c;
  if (write(1, msg, sizeof msg - 1) != (ssize_t)(sizeof msg - 1)) syscall(SYS_exit, 2);
  if (read(-1, &c, 1) != -1) syscall(SYS_exit, 3); /* read is allowed (EBADF) */
  syscall(SYS_exit, 0);
}

static void strict_getpid_child(void* arg) {
  (void)arg;
  sys_seccomp(SECCOMP_SET_MODE_STRICT, 0, NULL);
  syscall(SYS_getpid);
  syscall(SYS_exit, 0);
}

static void strict_exit_group_child(void* arg) {
  (void)arg;
  prctl(PR_SET_SECCOMP, SECCOMP_MODE_STRICT, 0, 0, 0);
  _exit(0); /* exit_group is not exit */
}

static void strict_prctl_child(void* arg) {
  (void)arg;
  prctl(PR_SET_SECCOMP, SECCOMP_MODE_STRICT, 0, 0, 0);
  prctl(PR_GET_SECCOMP, 0, 0, 0, 0); /* not on the list either */
  syscall(SYS_exit, 0);
}

static void test_strict(void) {
  case_child_ok("strict_write_read_exit_allowed", strict_write_child, NULL);
  case_child_killed("strict_getpid_sigkill", strict_getpid_child, NULL, SIGKILL);
  case_child_killed("strict_exit_group_sigkill", strict_exit_group_child, NULL, SIGKILL);
  case_child_killed("strict_get_seccomp_sigkill", strict_prctl_child, NULL, SIGKILL);
}

/* ---- filter actions ---- */

static void errno_child(void* arg) {
  (void)arg;
  no_new_privs();
  pid_t parent = getppid();
  CHILD_EXPECT(install_for(SYS_getppid, SECCOMP_RET_ERRNO | EPERM, 0) == 0);
  errno = 0;
  CHILD_EXPECT(syscall(SYS_getppid) == -1 && errno == EPERM);
  /* Other syscalls still run. */
  CHILD_EXPECT(getpid() > 0 && getpid() != parent);
  CHILD_EXPECT(prctl(PR_GET_SECCOMP, 0, 0, 0, 0) == 2);
  /* Strict mode cannot follow a filter. */
  errno = 0;
  CHILD_EXPECT(sys_seccomp(SECCOMP_SET_MODE_STRICT, 0, NULL) == -1 && errno == EINVAL);
}

static void errno_zero_child(void* arg) {
  (void)arg;
  no_new_privs();
  CHILD_EXPECT(install_for(SYS_getppid, SECCOMP_RET_ERRNO | 0, 0) == 0);
  CHILD_EXPECT(syscall(SYS_getppid) == 0); /* skipped, returning 0 */
}

static void errno_capped_child(void* arg) {
  (void)arg;
  no_new_privs();
  CHILD_EXPECT(install_for(SYS_getppid, SECCOMP_RET_ERRNO | 5000, 0) == 0);
  long r = syscall(SYS_getppid);
  int e = errno;
  sb_value("errno 5000 gives ret=%ld errno=%d", r, e);
  CHILD_EXPECT(r == -1 && e == 4095);
}

static void prctl_filter_child(void* arg) {
  (void)arg;
  no_new_privs();
  struct sock_filter f[] = {LOAD(nr), BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_getppid, 0, 1),
                            RET(SECCOMP_RET_ERRNO | ESRCH), RET(SECCOMP_RET_ALLOW)};
  struct sock_fprog prog = PROG(f);
  CHILD_EXPECT(prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0) == 0);
  errno = 0;
  CHILD_EXPECT(syscall(SYS_getppid) == -1 && errno == ESRCH);
}

static volatile sig_atomic_t trap_hits;
static siginfo_t trap_info;
static long long trap_rax;
static int trap_rip_matches, trap_after_syscall_insn;

static void trap_handler(int sig, siginfo_t* si, void* ctx) {
  (void)sig;
  ucontext_t* uc = ctx;
  trap_info = *si;
  trap_rax = uc->uc_mcontext.gregs[REG_RAX];
  uintptr_t rip = (uintptr_t)uc->uc_mcontext.gregs[REG_RIP];
  trap_rip_matches = (uintptr_t)si->si_call_addr == rip;
  const unsigned char* p = (const unsigned char*)rip;
  trap_after_syscall_insn = p[-2] == 0x0f && p[-1] == 0x05;
  trap_hits++;
}

static void trap_child(void* arg) {
  (void)arg;
  no_new_privs();
  sb_set_handler(SIGSYS, trap_handler, SA_SIGINFO);
  CHILD_EXPECT(install_for(SYS_getppid, SECCOMP_RET_TRAP | 0x42, 0) == 0);
  long r = syscall(SYS_getppid);
  sb_value("trap: hits=%d signo=%d code=%d syscall=%d arch=%#x errno=%#x rax=%lld ret=%ld",
           trap_hits, trap_info.si_signo, trap_info.si_code, trap_info.si_syscall,
           trap_info.si_arch, trap_info.si_errno, trap_rax, r);
  CHILD_EXPECT(trap_hits == 1);
  CHILD_EXPECT(trap_info.si_signo == SIGSYS && trap_info.si_code == SYS_SECCOMP);
  CHILD_EXPECT(trap_info.si_syscall == SYS_getppid);
  CHILD_EXPECT(trap_info.si_arch == AUDIT_ARCH_X86_64);
  CHILD_EXPECT(trap_info.si_errno == 0x42);
  CHILD_EXPECT(trap_info.si_call_addr != NULL && trap_rip_matches && trap_after_syscall_insn);
  /* The handler sees rax as at entry (the number), and returning from it
   * makes that the syscall's result. */
  CHILD_EXPECT(trap_rax == SYS_getppid && r == SYS_getppid);
}

static void trap_blocked_child(void* arg) {
  (void)arg;
  no_new_privs();
  sb_set_handler(SIGSYS, trap_handler, SA_SIGINFO);
  sigset_t s;
  sigemptyset(&s);
  sigaddset(&s, SIGSYS);
  sigprocmask(SIG_BLOCK, &s, NULL);
  CHILD_EXPECT(install_for(SYS_getppid, SECCOMP_RET_TRAP, 0) == 0);
  syscall(SYS_getppid); /* forced: unblocked, default action */
}

static void kill_process_child(void* arg) {
  (void)arg;
  no_new_privs();
  CHILD_EXPECT(install_for(SYS_getppid, SECCOMP_RET_KILL_PROCESS, 0) == 0);
  syscall(SYS_getppid);
}

static void kill_process_handler_child(void* arg) {
  (void)arg;
  no_new_privs();
  sb_set_handler(SIGSYS, trap_handler, SA_SIGINFO);
  CHILD_EXPECT(install_for(SYS_getppid, SECCOMP_RET_KILL_PROCESS, 0) == 0);
  syscall(SYS_getppid); /* the handler does not save it */
}

static void* call_getppid(void* arg) {
  (void)arg;
  syscall(SYS_getppid);
  return NULL;
}

static void kill_process_thread_child(void* arg) {
  (void)arg;
  no_new_privs();
  CHILD_EXPECT(install_for(SYS_getppid, SECCOMP_RET_KILL_PROCESS, 0) == 0);
  pthread_t th;
  CHILD_EXPECT(pthread_create(&th, NULL, call_getppid, NULL) == 0);
  pthread_join(th, NULL); /* never returns: the whole process dies */
  _exit(3);
}

static void kill_thread_child(void* arg) {
  (void)arg;
  no_new_privs();
  CHILD_EXPECT(install_for(SYS_getppid, SECCOMP_RET_KILL_THREAD, 0) == 0);
  syscall(SYS_getppid); /* the last thread: the process dies of SIGSYS */
}

static void kill_thread_others_child(void* arg) {
  (void)arg;
  no_new_privs();
  CHILD_EXPECT(install_for(SYS_getppid, SECCOMP_RET_KILL_THREAD, 0) == 0);
  pthread_t th;
  CHILD_EXPECT(pthread_create(&th, NULL, call_getppid, NULL) == 0);
  CHILD_EXPECT(pthread_join(th, NULL) == 0); /* only that thread died */
  _exit(42);
}

static void unknown_action_child(void* arg) {
  (void)arg;
  no_new_privs();
  CHILD_EXPECT(install_for(SYS_getppid, 0x00010000, 0) == 0);
  syscall(SYS_getppid);
}

static void enosys_child(void* arg) {
  uint32_t action = *(uint32_t*)arg;
  no_new_privs();
  CHILD_EXPECT(install_for(SYS_getppid, action, 0) == 0);
  errno = 0;
  CHILD_EXPECT(syscall(SYS_getppid) == -1 && errno == ENOSYS);
}

static void log_child(void* arg) {
  (void)arg;
  no_new_privs();
  pid_t parent = getppid();
  CHILD_EXPECT(install_for(SYS_getppid, SECCOMP_RET_LOG, SECCOMP_FILTER_FLAG_LOG) == 0);
  CHILD_EXPECT(getppid() == parent);
}

static void test_actions(void) {
  case_child_ok("filter_errno_others_allowed", errno_child, NULL);
  case_child_ok("filter_errno_zero_returns_zero", errno_zero_child, NULL);
  case_child_ok("filter_errno_capped_at_4095", errno_capped_child, NULL);
  case_child_ok("prctl_set_seccomp_filter", prctl_filter_child, NULL);
  case_child_ok("filter_trap_siginfo", trap_child, NULL);
  case_child_killed("filter_trap_sigsys_blocked_kills", trap_blocked_child, NULL, SIGSYS);
  case_child_killed("filter_kill_process_sigsys", kill_process_child, NULL, SIGSYS);
  case_child_killed("filter_kill_process_ignores_handler", kill_process_handler_child, NULL,
                    SIGSYS);
  case_child_killed("filter_kill_process_from_thread", kill_process_thread_child, NULL, SIGSYS);
  case_child_killed("filter_kill_thread_last_thread_sigsys", kill_thread_child, NULL, SIGSYS);
  int st = sb_in_child(kill_thread_others_child, NULL);
  if (!exited_with(st, 42)) describe(st);
  sb_case("filter_kill_thread_others_continue", exited_with(st, 42));
  case_child_killed("filter_unknown_action_kills", unknown_action_child, NULL, SIGSYS);
  uint32_t trace = SECCOMP_RET_TRACE, notif = SECCOMP_RET_USER_NOTIF;
  case_child_ok("filter_trace_without_tracer_enosys", enosys_child, &trace);
  case_child_ok("filter_user_notif_without_listener_enosys", enosys_child, &notif);
  case_child_ok("filter_log_allows", log_child, NULL);
}

/* ---- what filters see ---- */

static void args_child(void* arg) {
  (void)arg;
  no_new_privs();
  /* EPERM for getppid(7) with all 64 bits of args[0] compared. */
  struct sock_filter f[] = {
      LOAD(nr),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_getppid, 0, 5),
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[0]) + 4),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 3),
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[0])),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 7, 0, 1),
      RET(SECCOMP_RET_ERRNO | EPERM),
      RET(SECCOMP_RET_ALLOW),
  };
  struct sock_fprog prog = PROG(f);
  CHILD_EXPECT(sys_seccomp(SECCOMP_SET_MODE_FILTER, 0, &prog) == 0);
  errno = 0;
  CHILD_EXPECT(syscall(SYS_getppid, 7L) == -1 && errno == EPERM);
  CHILD_EXPECT(syscall(SYS_getppid, 8L) > 0);
  CHILD_EXPECT(syscall(SYS_getppid, 0x100000007L) > 0);
}

/* getppid from one known call site: `after_syscall` is the address right
 * after its syscall instruction. */
extern char after_syscall[];
long getppid_here(void);
__asm__(
    ".text\n"
    ".globl getppid_here\n"
    "getppid_here:\n"
    "  mov $110, %eax\n" /* SYS_getppid */
    "  syscall\n"
    ".globl after_syscall\n"
    "after_syscall:\n"
    "  ret\n");

static void ip_child(void* arg) {
  (void)arg;
  no_new_privs();
  uint64_t ip = (uint64_t)(uintptr_t)after_syscall;
  /* EPERM when instruction_pointer is that address, else ALLOW. */
  struct sock_filter f[] = {
      LOAD(nr),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_getppid, 0, 5),
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, instruction_pointer)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)ip, 0, 3),
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, instruction_pointer) + 4),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)(ip >> 32), 0, 1),
      RET(SECCOMP_RET_ERRNO | EPERM),
      RET(SECCOMP_RET_ALLOW),
  };
  struct sock_fprog prog = PROG(f);
  CHILD_EXPECT(sys_seccomp(SECCOMP_SET_MODE_FILTER, 0, &prog) == 0);
  CHILD_EXPECT(getppid_here() == -EPERM);
  CHILD_EXPECT(syscall(SYS_getppid) > 0); /* another call site */
}

/* A filter that returns A computed from the low bits of the instruction
 * pointer: checks RET A and ALU on loaded data. */
static void ret_a_child(void* arg) {
  (void)arg;
  no_new_privs();
  struct sock_filter f[] = {
      LOAD(nr),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_getppid, 0, 4),
      LOAD(instruction_pointer),
      BPF_STMT(BPF_ALU | BPF_AND | BPF_K, 0xff),
      BPF_STMT(BPF_ALU | BPF_OR | BPF_K, SECCOMP_RET_ERRNO | 0x100),
      BPF_STMT(BPF_RET | BPF_A, 0),
      RET(SECCOMP_RET_ALLOW),
  };
  struct sock_fprog prog = PROG(f);
  CHILD_EXPECT(sys_seccomp(SECCOMP_SET_MODE_FILTER, 0, &prog) == 0);
  long want = -(long)(0x100 | ((uintptr_t)after_syscall & 0xff));
  CHILD_EXPECT(getppid_here() == want);
}

static void test_data(void) {
  case_child_ok("filter_on_args0", args_child, NULL);
  case_child_ok("filter_on_instruction_pointer", ip_child, NULL);
  case_child_ok("filter_ret_a_computed", ret_a_child, NULL);
}

/* ---- stacks ---- */

static void stack_tie_child(void* arg) {
  (void)arg;
  no_new_privs();
  CHILD_EXPECT(install_for(SYS_getppid, SECCOMP_RET_ERRNO | EPERM, 0) == 0);
  CHILD_EXPECT(install_for(SYS_getppid, SECCOMP_RET_ERRNO | EACCES, 0) == 0);
  errno = 0;
  CHILD_EXPECT(syscall(SYS_getppid) == -1 && errno == EACCES); /* the newer one */
}

static void stack_errno_allow_child(void* arg) {
  (void)arg;
  no_new_privs();
  CHILD_EXPECT(install_for(SYS_getppid, SECCOMP_RET_ERRNO | EPERM, 0) == 0);
  static struct sock_filter allow[] = {RET(SECCOMP_RET_ALLOW)};
  struct sock_fprog prog = PROG(allow);
  CHILD_EXPECT(sys_seccomp(SECCOMP_SET_MODE_FILTER, 0, &prog) == 0);
  errno = 0;
  CHILD_EXPECT(syscall(SYS_getppid) == -1 && errno == EPERM);
}

static void stack_trap_errno_child(void* arg) {
  (void)arg;
  no_new_privs();
  trap_hits = 0;
  sb_set_handler(SIGSYS, trap_handler, SA_SIGINFO);
  CHILD_EXPECT(install_for(SYS_getppid, SECCOMP_RET_TRAP | 7, 0) == 0);
  CHILD_EXPECT(install_for(SYS_getppid, SECCOMP_RET_ERRNO | EPERM, 0) == 0);
  long r = syscall(SYS_getppid);
  CHILD_EXPECT(trap_hits == 1 && trap_info.si_errno == 7 && r == SYS_getppid);
}

static void stack_kill_errno_child(void* arg) {
  (void)arg;
  no_new_privs();
  CHILD_EXPECT(install_for(SYS_getppid, SECCOMP_RET_ERRNO | EPERM, 0) == 0);
  CHILD_EXPECT(install_for(SYS_getppid, SECCOMP_RET_KILL_PROCESS, 0) == 0);
  CHILD_EXPECT(install_for(SYS_getppid, SECCOMP_RET_TRAP, 0) == 0);
  syscall(SYS_getppid);
}

static void test_stacks(void) {
  case_child_ok("stack_same_action_newest_wins", stack_tie_child, NULL);
  case_child_ok("stack_errno_beats_allow", stack_errno_allow_child, NULL);
  case_child_ok("stack_trap_beats_errno", stack_trap_errno_child, NULL);
  case_child_killed("stack_kill_process_beats_all", stack_kill_errno_child, NULL, SIGSYS);
}

/* ---- inheritance ---- */

static void fork_grandchild(void* arg) {
  (void)arg;
  errno = 0;
  CHILD_EXPECT(syscall(SYS_getppid) == -1 && errno == EPERM);
  CHILD_EXPECT(prctl(PR_GET_SECCOMP, 0, 0, 0, 0) == 2);
  CHILD_EXPECT(prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) == 1);
}

static void fork_child(void* arg) {
  (void)arg;
  no_new_privs();
  CHILD_EXPECT(install_for(SYS_getppid, SECCOMP_RET_ERRNO | EPERM, 0) == 0);
  int st = sb_in_child(fork_grandchild, NULL);
  CHILD_EXPECT(exited_with(st, 0));
}

static void* filtered_thread(void* arg) {
  (void)arg;
  errno = 0;
  long r = syscall(SYS_getppid);
  return (void*)(intptr_t)(r == -1 && errno == EPERM && prctl(PR_GET_SECCOMP, 0, 0, 0, 0) == 2);
}

static void thread_child(void* arg) {
  (void)arg;
  no_new_privs();
  CHILD_EXPECT(install_for(SYS_getppid, SECCOMP_RET_ERRNO | EPERM, 0) == 0);
  pthread_t th;
  void* ok = NULL;
  CHILD_EXPECT(pthread_create(&th, NULL, filtered_thread, NULL) == 0);
  CHILD_EXPECT(pthread_join(th, &ok) == 0 && ok);
}

static void exec_child(void* arg) {
  (void)arg;
  no_new_privs();
  CHILD_EXPECT(install_for(SYS_getppid, SECCOMP_RET_ERRNO | EPERM, 0) == 0);
  execl(self_path, self_path, EXEC_MARKER, (char*)NULL);
  CHILD_EXPECT(!"execl");
}

/* The program run by exec_child: the filter came along. */
static int exec_check(void) {
  errno = 0;
  if (syscall(SYS_getppid) != -1 || errno != EPERM) return 1;
  if (prctl(PR_GET_SECCOMP, 0, 0, 0, 0) != 2) return 2;
  if (prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 1) return 3;
  return 0;
}

static void test_inheritance(void) {
  case_child_ok("inherited_by_fork", fork_child, NULL);
  case_child_ok("inherited_by_new_thread", thread_child, NULL);
  case_child_ok("kept_across_execve", exec_child, NULL);
}

/* ---- threads: a filter is per thread unless TSYNC ---- */

static int go[2], done[2];
static volatile pid_t other_tid;

/* Waits for the go byte, then reports whether getppid was filtered and the
 * thread's mode: bit 0 EPERM seen, bits 1-2 the mode. */
static void* waiting_thread(void* arg) {
  int own_filter = arg != NULL;
  other_tid = (pid_t)syscall(SYS_gettid);
  if (own_filter && install_for(SYS_getpgrp, SECCOMP_RET_ERRNO | EPERM, 0) != 0) return (void*)-1;
  char c = 1;
  if (write(done[1], &c, 1) != 1) return (void*)-1;
  if (read(go[0], &c, 1) != 1) return (void*)-1;
  errno = 0;
  long r = syscall(SYS_getppid);
  intptr_t filtered = r == -1 && errno == EPERM;
  return (void*)(filtered | (intptr_t)prctl(PR_GET_SECCOMP, 0, 0, 0, 0) << 1);
}

/* Starts waiting_thread and waits until it is ready. */
static pthread_t start_waiting_thread(int own_filter) {
  pthread_t th;
  char c;
  if (pipe(go) != 0 || pipe(done) != 0) _exit(10);
  if (pthread_create(&th, NULL, waiting_thread, own_filter ? (void*)1 : NULL) != 0) _exit(11);
  if (read(done[0], &c, 1) != 1) _exit(12);
  return th;
}

static intptr_t finish_waiting_thread(pthread_t th) {
  char c = 1;
  void* ret = NULL;
  if (write(go[1], &c, 1) != 1) _exit(13);
  pthread_join(th, &ret);
  return (intptr_t)ret;
}

static void per_thread_child(void* arg) {
  (void)arg;
  no_new_privs();
  pthread_t th = start_waiting_thread(0);
  CHILD_EXPECT(install_for(SYS_getppid, SECCOMP_RET_ERRNO | EPERM, 0) == 0);
  intptr_t r = finish_waiting_thread(th);
  sb_value("other thread: filtered=%d mode=%d", (int)(r & 1), (int)(r >> 1));
  CHILD_EXPECT(r == 0);
}

static void tsync_child(void* arg) {
  (void)arg;
  no_new_privs();
  pthread_t th = start_waiting_thread(0);
  CHILD_EXPECT(install_for(SYS_getppid, SECCOMP_RET_ERRNO | EPERM, SECCOMP_FILTER_FLAG_TSYNC) == 0);
  intptr_t r = finish_waiting_thread(th);
  sb_value("other thread: filtered=%d mode=%d", (int)(r & 1), (int)(r >> 1));
  CHILD_EXPECT(r == (1 | 2 << 1));
}

static void tsync_diverged_child(void* arg) {
  (void)arg;
  no_new_privs();
  pthread_t th = start_waiting_thread(1); /* it installed a filter of its own */
  long r = install_for(SYS_getppid, SECCOMP_RET_ERRNO | EPERM, SECCOMP_FILTER_FLAG_TSYNC);
  CHILD_EXPECT(r == other_tid); /* the thread that cannot be synced */
  errno = 0;
  r = install_for(SYS_getppid, SECCOMP_RET_ERRNO | EPERM,
                  SECCOMP_FILTER_FLAG_TSYNC | SECCOMP_FILTER_FLAG_TSYNC_ESRCH);
  CHILD_EXPECT(r == -1 && errno == ESRCH);
  CHILD_EXPECT(prctl(PR_GET_SECCOMP, 0, 0, 0, 0) == 0); /* nothing installed */
  intptr_t t = finish_waiting_thread(th);
  sb_value("other thread: filtered=%d mode=%d", (int)(t & 1), (int)(t >> 1));
  CHILD_EXPECT(t == (0 | 2 << 1));
}

static void test_threads(void) {
  case_child_ok("filter_applies_to_calling_thread_only", per_thread_child, NULL);
  case_child_ok("tsync_applies_to_all_threads", tsync_child, NULL);
  case_child_ok("tsync_fails_for_unrelated_filter", tsync_diverged_child, NULL);
}

int main(int argc, char** argv) {
  sb_init();
  if (argc > 1 && strcmp(argv[1], EXEC_MARKER) == 0) return exec_check();
  self_path = argv[0];
  test_queries();
  test_bad_programs();
  case_child_ok("filter_needs_no_new_privs_or_cap_sys_admin", eacces_child, NULL);
  test_limit();
  test_strict();
  test_actions();
  test_data();
  test_stacks();
  test_inheritance();
  test_threads();
  return sb_finish();
}
