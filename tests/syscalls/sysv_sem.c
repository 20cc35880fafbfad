/* System V semaphores: semget, semop, semtimedop, semctl, SEM_UNDO,
 * blocking, signals and removal, per IPC namespace. Every set is
 * IPC_PRIVATE or keyed from getpid(), and removed before the program ends.
 * See sbtest.h for the output contract. */
#include "sbtest.h"

#include <sched.h>
#include <stdint.h>
#include <sys/ipc.h>
#include <sys/sem.h>
#include <time.h>

#ifndef SEM_STAT_ANY
#define SEM_STAT_ANY 20
#endif

union semun {
  int val;
  struct semid_ds* buf;
  unsigned short* array;
  struct seminfo* __buf;
};

static key_t key_base;

static int getval(int id, int n) { return semctl(id, n, GETVAL); }
static int setval(int id, int n, int v) {
  union semun u = {.val = v};
  return semctl(id, n, SETVAL, u);
}
static int op1(int id, int num, int op, int flg) {
  struct sembuf b = {(unsigned short)num, (short)op, (short)flg};
  return semop(id, &b, 1);
}
/* Waits (up to 5 s) until `cmd` (GETNCNT/GETZCNT) of semaphore `n` is `want`. */
static int wait_cnt(int id, int n, int cmd, int want) {
  for (int i = 0; i < 500; i++) {
    if (semctl(id, n, cmd) == want) return 1;
    usleep(10000);
  }
  return 0;
}

static void test_get(void) {
  int id = semget(IPC_PRIVATE, 3, 0640);
  sb_case("semget_private", sb_succeeds("semget", id));
  struct semid_ds ds;
  union semun u = {.buf = &ds};
  int rc = semctl(id, 0, IPC_STAT, u);
  sb_value("nsems=%lu mode=%o otime=%ld key=%d", (unsigned long)ds.sem_nsems, ds.sem_perm.mode,
           (long)ds.sem_otime, ds.sem_perm.__key);
  sb_case("sem_stat_new", rc == 0 && ds.sem_nsems == 3 && ds.sem_perm.mode == 0640 &&
                              ds.sem_otime == 0 && ds.sem_ctime > 0 &&
                              ds.sem_perm.uid == geteuid());
  sb_case("sem_initial_zero", getval(id, 0) == 0 && getval(id, 2) == 0);
  SB_ERRNO("semget_zero_einval", semget(IPC_PRIVATE, 0, 0600), EINVAL);
  SB_ERRNO("semget_neg_einval", semget(IPC_PRIVATE, -1, 0600), EINVAL);
  SB_ERRNO("semget_semmsl_einval", semget(IPC_PRIVATE, 32001, 0600), EINVAL);
  SB_ERRNO("semget_nokey_enoent", semget(key_base, 1, 0600), ENOENT);
  int k = semget(key_base, 2, IPC_CREAT | IPC_EXCL | 0600);
  sb_case("semget_key_create", sb_succeeds("semget", k));
  SB_ERRNO("semget_excl_eexist", semget(key_base, 2, IPC_CREAT | IPC_EXCL | 0600), EEXIST);
  sb_case("semget_key_again", semget(key_base, 0, 0) == k && semget(key_base, 2, 0) == k);
  SB_ERRNO("semget_key_more_einval", semget(key_base, 3, 0), EINVAL);
  semctl(k, 0, IPC_RMID);
  SB_ERRNO("sem_rmid_stat_einval", semctl(k, 0, IPC_STAT, u), EINVAL);
  SB_ERRNO("semctl_bad_cmd_einval", semctl(id, 0, 99), EINVAL);
  SB_ERRNO("semctl_neg_id_einval", semctl(-1, 0, GETVAL), EINVAL);
  semctl(id, 0, IPC_RMID);
}

static void test_values(void) {
  int id = semget(IPC_PRIVATE, 3, 0600);
  sb_case("sem_setval_getval", setval(id, 1, 7) == 0 && getval(id, 1) == 7);
  sb_case("sem_getpid", semctl(id, 1, GETPID) == getpid() && semctl(id, 0, GETPID) == 0);
  SB_ERRNO("sem_setval_neg_erange", setval(id, 0, -1), ERANGE);
  SB_ERRNO("sem_setval_big_erange", setval(id, 0, 32768), ERANGE);
  sb_case("sem_setval_max", setval(id, 0, 32767) == 0 && getval(id, 0) == 32767);
  SB_ERRNO("sem_getval_range_einval", semctl(id, 3, GETVAL), EINVAL);
  SB_ERRNO("sem_setval_range_einval", setval(id, 3, 1), EINVAL);
  unsigned short in[3] = {1, 2, 3}, out[3] = {0};
  union semun u = {.array = in};
  union semun v = {.array = out};
  int rc = semctl(id, 0, SETALL, u);
  semctl(id, 0, GETALL, v);
  sb_value("getall=%d,%d,%d", out[0], out[1], out[2]);
  sb_case("sem_setall_getall", rc == 0 && out[0] == 1 && out[1] == 2 && out[2] == 3);
  unsigned short bad[3] = {1, 40000, 3};
  union semun b = {.array = bad};
  SB_ERRNO("sem_setall_erange", semctl(id, 0, SETALL, b), ERANGE);
  union semun f = {.array = (unsigned short*)8};
  SB_ERRNO("sem_getall_efault", semctl(id, 0, GETALL, f), EFAULT);
  /* semop */
  struct semid_ds ds;
  union semun su = {.buf = &ds};
  sb_case("semop_dec", op1(id, 2, -3, 0) == 0 && getval(id, 2) == 0);
  semctl(id, 0, IPC_STAT, su);
  sb_case("semop_sets_otime", ds.sem_otime > 0);
  SB_ERRNO("semop_nowait_eagain", op1(id, 2, -1, IPC_NOWAIT), EAGAIN);
  SB_ERRNO("semop_zero_nowait_eagain", op1(id, 0, 0, IPC_NOWAIT), EAGAIN);
  sb_case("semop_zero_ok", op1(id, 2, 0, 0) == 0);
  struct sembuf two[2] = {{0, 5, 0}, {2, -1, IPC_NOWAIT}};
  SB_ERRNO("semop_atomic_eagain", semop(id, two, 2), EAGAIN);
  sb_case("semop_atomic_unchanged", getval(id, 0) == 1);
  struct sembuf dup[2] = {{1, 3, 0}, {1, -5, 0}};
  sb_case("semop_same_sem_in_order", semop(id, dup, 2) == 0 && getval(id, 1) == 0);
  SB_ERRNO("semop_efbig", op1(id, 3, 1, 0), EFBIG);
  SB_ERRNO("semop_nsops0_einval", semop(id, two, 0), EINVAL);
  static struct sembuf many[501];
  SB_ERRNO("semop_e2big", semop(id, many, 501), E2BIG);
  setval(id, 0, 32767);
  SB_ERRNO("semop_over_max_erange", op1(id, 0, 1, 0), ERANGE);
  SB_ERRNO("semop_bad_id_einval", op1(id + 1, 0, 1, 0), EINVAL);
  SB_ERRNO("semop_efault", semop(id, (struct sembuf*)8, 1), EFAULT);
  struct timespec ts = {0, 50 * 1000 * 1000};
  struct sembuf w = {2, -1, 0};
  SB_ERRNO("semtimedop_timeout_eagain", semtimedop(id, &w, 1, &ts), EAGAIN);
  struct timespec bad_ts = {0, 1000000000};
  SB_ERRNO("semtimedop_bad_ts_einval", semtimedop(id, &w, 1, &bad_ts), EINVAL);
  struct sembuf ok = {2, 0, 0};
  sb_case("semtimedop_immediate", semtimedop(id, &ok, 1, &ts) == 0);
  semctl(id, 0, IPC_RMID);
  SB_ERRNO("semop_removed_einval", op1(id, 0, 1, 0), EINVAL);
}

static void test_blocking(void) {
  int id = semget(IPC_PRIVATE, 2, 0600);
  pid_t pid = fork();
  if (pid == 0) _exit(op1(id, 0, -2, 0) == 0 ? 0 : 1);
  int waited = wait_cnt(id, 0, GETNCNT, 1);
  sb_value("ncnt=%d zcnt=%d", semctl(id, 0, GETNCNT), semctl(id, 0, GETZCNT));
  sb_case("sem_getncnt_sleeper", waited);
  op1(id, 0, 1, 0);
  usleep(20000);
  sb_case("sem_partial_still_blocked", semctl(id, 0, GETNCNT) == 1 && getval(id, 0) == 1);
  op1(id, 0, 1, 0);
  int st;
  waitpid(pid, &st, 0);
  sb_case("semop_woken", WIFEXITED(st) && WEXITSTATUS(st) == 0 && getval(id, 0) == 0 &&
                             semctl(id, 0, GETPID) == pid);
  /* wait-for-zero */
  setval(id, 1, 1);
  pid = fork();
  if (pid == 0) _exit(op1(id, 1, 0, 0) == 0 ? 0 : 1);
  waited = wait_cnt(id, 1, GETZCNT, 1);
  sb_case("sem_getzcnt_sleeper", waited && semctl(id, 1, GETNCNT) == 0);
  setval(id, 1, 0);
  waitpid(pid, &st, 0);
  sb_case("semop_zero_woken_by_setval", WIFEXITED(st) && WEXITSTATUS(st) == 0);
  semctl(id, 0, IPC_RMID);
}

static void on_usr1(int sig) { (void)sig; }

static void test_signals_rmid(void) {
  int id = semget(IPC_PRIVATE, 1, 0600);
  pid_t pid = fork();
  if (pid == 0) {
    sb_set_handler(SIGUSR1, (void*)on_usr1, SA_RESTART);
    int r = op1(id, 0, -1, 0);
    _exit(r == -1 && errno == EINTR ? 0 : 1);
  }
  wait_cnt(id, 0, GETNCNT, 1);
  kill(pid, SIGUSR1);
  int st;
  waitpid(pid, &st, 0);
  sb_case("semop_signal_eintr", WIFEXITED(st) && WEXITSTATUS(st) == 0);
  sb_case("sem_ncnt_after_signal", semctl(id, 0, GETNCNT) == 0);
  pid = fork();
  if (pid == 0) {
    int r = op1(id, 0, -1, 0);
    _exit(r == -1 && errno == EIDRM ? 0 : 1);
  }
  wait_cnt(id, 0, GETNCNT, 1);
  semctl(id, 0, IPC_RMID);
  waitpid(pid, &st, 0);
  sb_case("semop_rmid_eidrm", WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

static void test_undo(void) {
  int id = semget(IPC_PRIVATE, 2, 0600);
  setval(id, 0, 5);
  pid_t pid = fork();
  if (pid == 0) {
    op1(id, 0, -2, SEM_UNDO);
    op1(id, 1, 3, SEM_UNDO);
    _exit(getval(id, 0) == 3 && getval(id, 1) == 3 ? 0 : 1);
  }
  int st;
  waitpid(pid, &st, 0);
  sb_value("after exit: %d %d", getval(id, 0), getval(id, 1));
  sb_case("sem_undo_at_exit", WIFEXITED(st) && WEXITSTATUS(st) == 0 && getval(id, 0) == 5 &&
                                  getval(id, 1) == 0 && semctl(id, 0, GETPID) == pid);
  /* Clamped at 0. */
  int p2c[2], c2p[2];
  pipe(p2c);
  pipe(c2p);
  setval(id, 0, 0);
  pid = fork();
  if (pid == 0) {
    char c;
    op1(id, 0, 2, SEM_UNDO);
    write(c2p[1], "x", 1);
    read(p2c[0], &c, 1);
    _exit(0);
  }
  char c;
  read(c2p[0], &c, 1);
  op1(id, 0, -2, 0);
  write(p2c[1], "x", 1);
  waitpid(pid, NULL, 0);
  sb_value("clamped: %d", getval(id, 0));
  sb_case("sem_undo_clamps_zero", getval(id, 0) == 0);
  /* SETVAL forgets the adjustments. */
  pid = fork();
  if (pid == 0) {
    char c2;
    op1(id, 1, 4, SEM_UNDO);
    write(c2p[1], "x", 1);
    read(p2c[0], &c2, 1);
    _exit(0);
  }
  read(c2p[0], &c, 1);
  setval(id, 1, 9);
  write(p2c[1], "x", 1);
  waitpid(pid, NULL, 0);
  sb_value("after setval: %d", getval(id, 1));
  sb_case("sem_setval_clears_undo", getval(id, 1) == 9);
  /* Undo range: an adjustment below -32768 is ERANGE. */
  setval(id, 0, 0);
  int r1 = op1(id, 0, 32767, SEM_UNDO);
  int r2 = op1(id, 0, -32767, 0);
  int r3 = op1(id, 0, 1, SEM_UNDO);
  int r4 = op1(id, 0, -1, 0);
  errno = 0;
  int r5 = op1(id, 0, 1, SEM_UNDO);
  int e5 = errno;
  sb_value("r=%d %d %d %d %d %s val=%d", r1, r2, r3, r4, r5, r5 ? strerrorname_np(e5) : "-",
           getval(id, 0));
  sb_case("sem_undo_range_erange", r1 == 0 && r2 == 0 && r3 == 0 && r4 == 0 && r5 == -1 &&
                                       e5 == ERANGE && getval(id, 0) == 0);
  setval(id, 0, 0);
  close(p2c[0]), close(p2c[1]), close(c2p[0]), close(c2p[1]);
  semctl(id, 0, IPC_RMID);
}

static void test_ctl(void) {
  int id = semget(IPC_PRIVATE, 1, 0600);
  struct semid_ds ds;
  union semun u = {.buf = &ds};
  semctl(id, 0, IPC_STAT, u);
  ds.sem_perm.mode = 0644;
  sb_case("sem_ipc_set", semctl(id, 0, IPC_SET, u) == 0 && semctl(id, 0, IPC_STAT, u) == 0 &&
                             ds.sem_perm.mode == 0644);
  struct seminfo si;
  union semun iu = {.__buf = &si};
  int maxidx = semctl(0, 0, IPC_INFO, iu);
  int msl = 0, mns = 0, opm = 0, mni = 0;
  FILE* f = fopen("/proc/sys/kernel/sem", "r");
  if (f) fscanf(f, "%d %d %d %d", &msl, &mns, &opm, &mni), fclose(f);
  sb_value("vmx=%d usz=%d aem=%d procsys_matches=%d", si.semvmx, si.semusz, si.semaem,
           si.semmsl == msl && si.semmns == mns && si.semopm == opm && si.semmni == mni);
  sb_case("sem_ipc_info", maxidx >= 0 && si.semvmx == 32767 && si.semmsl == msl &&
                              si.semmns == mns && si.semopm == opm && si.semmni == mni);
  int maxidx2 = semctl(0, 0, SEM_INFO, iu);
  sb_case("sem_info", maxidx2 == maxidx && si.semusz >= 1 && si.semaem >= 1);
  int found = 0, found_any = 0;
  for (int i = 0; i <= maxidx; i++) {
    if (semctl(i, 0, SEM_STAT, u) == id) found = 1;
    if (semctl(i, 0, SEM_STAT_ANY, u) == id) found_any = 1;
  }
  sb_case("sem_stat_by_index", found && found_any);
  {
    FILE* pf = fopen("/proc/sysvipc/sem", "r");
    char line[256], header[256] = "";
    int ok = 0;
    if (pf && fgets(header, sizeof header, pf)) {
      while (fgets(line, sizeof line, pf)) {
        int key, sid;
        unsigned mode, nsems, uid;
        if (sscanf(line, "%d %d %o %u %u", &key, &sid, &mode, &nsems, &uid) == 5 && sid == id) {
          ok = key == 0 && mode == 0644 && nsems == 1 && uid == geteuid();
        }
      }
    }
    if (pf) fclose(pf);
    header[strcspn(header, "\n")] = 0;
    sb_value("%s", header);
    sb_case("proc_sysvipc_sem", ok);
  }
  if (geteuid() != 0) {
    sb_skip("sem_other_user", "needs root to become another user");
  } else {
    ds.sem_perm.mode = 0600;
    semctl(id, 0, IPC_SET, u);
    pid_t pid = fork();
    if (pid == 0) {
      if (setresgid(65534, 65534, 65534) || setresuid(65534, 65534, 65534)) _exit(99);
      int a = semctl(id, 0, GETVAL) == -1 && errno == EACCES;
      int b = op1(id, 0, 1, IPC_NOWAIT) == -1 && errno == EACCES;
      int c = semctl(id, 0, IPC_RMID) == -1 && errno == EPERM;
      int own = semget(IPC_PRIVATE, 1, 0600);
      if (own >= 0) semctl(own, 0, IPC_RMID);
      _exit(a | b << 1 | c << 2);
    }
    int st;
    waitpid(pid, &st, 0);
    sb_value("bits=%d", WEXITSTATUS(st));
    sb_case("sem_other_user", WIFEXITED(st) && WEXITSTATUS(st) == 7);
  }
  semctl(id, 0, IPC_RMID);
}

static void newipc_child(void* arg) {
  int id = *(int*)arg;
  if (unshare(CLONE_NEWIPC) != 0) _exit(2);
  int a = semctl(id, 0, GETVAL) == -1 && errno == EINVAL;
  int b = semget(key_base + 1, 0, 0) == -1 && errno == ENOENT;
  struct seminfo si;
  union semun iu = {.__buf = &si};
  int c = semctl(0, 0, SEM_INFO, iu) == 0 && si.semusz == 0;
  _exit(a && b && c ? 0 : 1);
}

static void test_newipc(void) {
  int id = semget(key_base + 1, 1, IPC_CREAT | 0600);
  int st = sb_in_child(newipc_child, &id);
  if (WIFEXITED(st) && WEXITSTATUS(st) == 2) {
    sb_skip("sem_newipc_separate", "unshare(CLONE_NEWIPC) refused here");
  } else {
    sb_value("child exit=%d", WEXITSTATUS(st));
    sb_case("sem_newipc_separate", WIFEXITED(st) && WEXITSTATUS(st) == 0);
  }
  semctl(id, 0, IPC_RMID);
}

int main(void) {
  sb_init();
  key_base = (key_t)(0x5c000000 | (getpid() & 0xffff) << 4);
  test_get();
  test_values();
  test_blocking();
  test_signals_rmid();
  test_undo();
  test_ctl();
  test_newipc();
  return sb_finish();
}
