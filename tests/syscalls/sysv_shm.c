/* System V shared memory: shmget, shmat, shmdt, shmctl, across fork, exec
 * and exit, and per IPC namespace. Every object is IPC_PRIVATE or keyed
 * from getpid(), and removed before the program ends.
 * See sbtest.h for the output contract. */
#include "sbtest.h"

#include <fcntl.h>
#include <sched.h>
#include <stdint.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <sys/syscall.h>

#ifndef SHM_STAT_ANY
#define SHM_STAT_ANY 15
#endif
#ifndef SHM_EXEC
#define SHM_EXEC 0100000
#endif
#ifndef SHM_REMAP
#define SHM_REMAP 040000
#endif

static key_t key_base;

static int stat_of(int id, struct shmid_ds* ds) { return shmctl(id, IPC_STAT, ds); }

/* The line of /proc/self/maps of the mapping starting at `addr`. */
static int maps_line(const void* addr, char* out, size_t n) {
  FILE* f = fopen("/proc/self/maps", "r");
  if (!f) return 0;
  char line[512];
  int found = 0;
  while (fgets(line, sizeof line, f)) {
    if (strtoul(line, NULL, 16) == (unsigned long)addr) {
      snprintf(out, n, "%s", line);
      found = 1;
      break;
    }
  }
  fclose(f);
  return found;
}

static void test_get(void) {
  int id = shmget(IPC_PRIVATE, 5000, IPC_CREAT | 0640);
  sb_case("shmget_private", sb_succeeds("shmget", id));
  struct shmid_ds ds;
  int rc = stat_of(id, &ds);
  sb_value("segsz=%zu mode=%o nattch=%lu key=%d atime=%ld dtime=%ld", ds.shm_segsz,
           ds.shm_perm.mode, (unsigned long)ds.shm_nattch, ds.shm_perm.__key, (long)ds.shm_atime,
           (long)ds.shm_dtime);
  sb_case("shm_stat_new", rc == 0 && ds.shm_segsz == 5000 && ds.shm_perm.mode == 0640 &&
                              ds.shm_nattch == 0 && ds.shm_atime == 0 && ds.shm_dtime == 0);
  sb_case("shm_stat_owner", ds.shm_perm.uid == geteuid() && ds.shm_perm.cuid == geteuid() &&
                                ds.shm_perm.gid == getegid() && ds.shm_perm.cgid == getegid());
  sb_case("shm_stat_pids", ds.shm_cpid == getpid() && ds.shm_lpid == 0);
  sb_case("shm_stat_ctime", ds.shm_ctime > 0);
  SB_ERRNO("shmget_size0_einval", shmget(IPC_PRIVATE, 0, 0600), EINVAL);
  SB_ERRNO("shmget_huge_einval", shmget(IPC_PRIVATE, (size_t)-1, 0600), EINVAL);
  SB_ERRNO("shmget_nokey_enoent", shmget(key_base, 4096, 0600), ENOENT);
  int k = shmget(key_base, 8192, IPC_CREAT | IPC_EXCL | 0600);
  sb_case("shmget_key_create", sb_succeeds("shmget", k));
  SB_ERRNO("shmget_excl_eexist", shmget(key_base, 8192, IPC_CREAT | IPC_EXCL | 0600), EEXIST);
  sb_case("shmget_key_again", shmget(key_base, 4096, 0) == k && shmget(key_base, 0, 0) == k &&
                                  shmget(key_base, 8192, IPC_CREAT | 0600) == k);
  SB_ERRNO("shmget_key_bigger_einval", shmget(key_base, 8193, 0), EINVAL);
  rc = stat_of(k, &ds);
  sb_value("key_matches=%d", ds.shm_perm.__key == key_base);
  sb_case("shm_stat_key", rc == 0 && ds.shm_perm.__key == key_base);
  SB_ERRNO("shmctl_bad_cmd_einval", shmctl(id, 99, &ds), EINVAL);
  SB_ERRNO("shmctl_neg_id_einval", shmctl(-1, IPC_STAT, &ds), EINVAL);
  SB_ERRNO("shmctl_stat_efault", shmctl(id, IPC_STAT, (struct shmid_ds*)8), EFAULT);
  shmctl(k, IPC_RMID, NULL);
  sb_case("shm_rmid_unattached_gone", shmctl(k, IPC_STAT, &ds) == -1 && errno == EINVAL);
  SB_ERRNO("shmget_after_rmid_enoent", shmget(key_base, 0, 0), ENOENT);
  shmctl(id, IPC_RMID, NULL);
}

static void test_attach(void) {
  int id = shmget(IPC_PRIVATE, 5000, 0600);
  char* p = shmat(id, NULL, 0);
  sb_case("shmat", p != (void*)-1);
  if (p == (void*)-1) return;
  sb_case("shmat_zeroed", p[0] == 0 && p[4999] == 0 && p[8191] == 0);
  strcpy(p, "shared bytes");
  char* q = shmat(id, NULL, SHM_RDONLY);
  sb_case("shmat_second_sees_data", q != (void*)-1 && strcmp(q, "shared bytes") == 0);
  struct shmid_ds ds;
  stat_of(id, &ds);
  sb_value("nattch=%lu", (unsigned long)ds.shm_nattch);
  sb_case("shm_nattch_two", ds.shm_nattch == 2 && ds.shm_lpid == getpid() && ds.shm_atime > 0);
  char line[512];
  int found = maps_line(q, line, sizeof line);
  unsigned long lo = 0, hi = 0;
  char perms[8] = "";
  char rest[256] = "";
  if (found) sscanf(line, "%lx-%lx %7s %*s %*s %*s %255[^\n]", &lo, &hi, perms, rest);
  sb_value("maps: len=%lu perms=%s name=%s", hi - lo, perms, rest);
  sb_case("shm_maps_line",
          found && hi - lo == 8192 && strcmp(rest, "/SYSV00000000 (deleted)") == 0);
  sb_case("shm_rdonly_mprotect_eacces",
          mprotect(q, 4096, PROT_READ | PROT_WRITE) == -1 && errno == EACCES);
  pid_t pid = fork();
  if (pid == 0) {
    q[0] = 'x';
    _exit(0);
  }
  int st;
  waitpid(pid, &st, 0);
  sb_case("shm_rdonly_write_segv", sb_killed_by(st, SIGSEGV));
  sb_case("shmdt_second", shmdt(q) == 0);
  SB_ERRNO("shmdt_again_einval", shmdt(q), EINVAL);
  SB_ERRNO("shmdt_unaligned_einval", shmdt(p + 1), EINVAL);
  SB_ERRNO("shmdt_inside_einval", shmdt(p + 4096), EINVAL);
  stat_of(id, &ds);
  sb_case("shm_nattch_one", ds.shm_nattch == 1 && ds.shm_dtime > 0);
  /* Fixed addresses. */
  char* area = mmap(NULL, 4 * 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  munmap(area, 4 * 4096);
  SB_ERRNO("shmat_unaligned_einval", (long)shmat(id, area + 100, 0), EINVAL);
  char* r = shmat(id, area + 100, SHM_RND);
  sb_case("shmat_rnd_rounds_down", r == area);
  SB_ERRNO("shmat_overlap_einval", (long)shmat(id, area + 4096, 0), EINVAL);
  char* r2 = shmat(id, area + 4096, SHM_REMAP);
  sb_case("shmat_remap_replaces", r2 == area + 4096 && strcmp(r2, "shared bytes") == 0);
  SB_ERRNO("shmat_remap_null_einval", (long)shmat(id, NULL, SHM_REMAP), EINVAL);
  /* The part of the first attachment that survived is not at its start: */
  SB_ERRNO("shmdt_partial_not_start_einval", shmdt(area + 4096 + 8192), EINVAL);
  shmdt(r2);
  shmdt(area);
  SB_ERRNO("shmat_bad_id_einval", (long)shmat(id + 1, NULL, 0), EINVAL);
  SB_ERRNO("shmat_neg_id_einval", (long)shmat(-1, NULL, 0), EINVAL);
  char* x = shmat(id, NULL, SHM_EXEC);
  found = maps_line(x, line, sizeof line);
  perms[0] = 0;
  if (found) sscanf(line, "%*lx-%*lx %7s", perms);
  sb_value("exec perms=%s", perms);
  sb_case("shmat_exec", x != (void*)-1 && strcmp(perms, "rwxs") == 0);
  shmdt(x);
  shmdt(p);
  stat_of(id, &ds);
  sb_case("shm_nattch_zero", ds.shm_nattch == 0);
  shmctl(id, IPC_RMID, NULL);
}

static void test_fork_exit(const char* self) {
  int id = shmget(IPC_PRIVATE, 4096, 0600);
  char* p = shmat(id, NULL, 0);
  pid_t pid = fork();
  if (pid == 0) {
    struct shmid_ds ds;
    stat_of(id, &ds);
    strcpy(p + 100, ds.shm_nattch == 2 ? "child saw 2" : "child saw other");
    _exit(0);
  }
  waitpid(pid, NULL, 0);
  struct shmid_ds ds;
  stat_of(id, &ds);
  sb_value("%s", p + 100);
  sb_case("shm_fork_inherits", strcmp(p + 100, "child saw 2") == 0);
  sb_case("shm_exit_detaches", ds.shm_nattch == 1 && ds.shm_lpid == pid);
  /* exec detaches too. */
  pid = fork();
  if (pid == 0) {
    char ids[16];
    snprintf(ids, sizeof ids, "%d", id);
    char* q = shmat(id, NULL, 0);
    if (q == (void*)-1) _exit(3);
    execl(self, self, "--exec-child", ids, (char*)NULL);
    _exit(4);
  }
  int st;
  waitpid(pid, &st, 0);
  stat_of(id, &ds);
  sb_value("exit=%d nattch=%lu", WEXITSTATUS(st), (unsigned long)ds.shm_nattch);
  sb_case("shm_exec_detaches", WIFEXITED(st) && WEXITSTATUS(st) == 0 && ds.shm_nattch == 1);
  /* IPC_RMID while attached: marked, key gone, still there by ID. */
  key_t key = key_base + 1;
  int k = shmget(key, 4096, IPC_CREAT | 0600);
  char* kp = shmat(k, NULL, 0);
  sb_case("shm_rmid_attached", shmctl(k, IPC_RMID, NULL) == 0);
  int rc = stat_of(k, &ds);
  sb_value("mode=%o key=%d nattch=%lu", ds.shm_perm.mode, ds.shm_perm.__key,
           (unsigned long)ds.shm_nattch);
  sb_case("shm_rmid_dest_flag", rc == 0 && ds.shm_perm.mode == (01000 | 0600) &&
                                    ds.shm_perm.__key == 0 && ds.shm_nattch == 1);
  SB_ERRNO("shm_rmid_key_gone_enoent", shmget(key, 0, 0), ENOENT);
  char* kp2 = shmat(k, NULL, 0);
  sb_case("shm_rmid_attach_by_id", kp2 != (void*)-1);
  shmdt(kp2);
  shmdt(kp);
  SB_ERRNO("shm_rmid_last_detach_destroys", shmctl(k, IPC_STAT, &ds), EINVAL);
  /* A child's exit destroys a marked segment it was the last to hold. */
  int k2 = shmget(IPC_PRIVATE, 4096, 0600);
  pid = fork();
  if (pid == 0) {
    shmat(k2, NULL, 0);
    shmctl(k2, IPC_RMID, NULL);
    _exit(0);
  }
  waitpid(pid, NULL, 0);
  SB_ERRNO("shm_rmid_exit_destroys", shmctl(k2, IPC_STAT, &ds), EINVAL);
  shmdt(p);
  shmctl(id, IPC_RMID, NULL);
}

static void test_ctl(void) {
  int id = shmget(IPC_PRIVATE, 4096, 0600);
  struct shmid_ds ds;
  stat_of(id, &ds);
  ds.shm_perm.mode = 0644 | 01000;
  sb_case("shm_ipc_set", shmctl(id, IPC_SET, &ds) == 0);
  stat_of(id, &ds);
  sb_value("mode=%o", ds.shm_perm.mode);
  sb_case("shm_ipc_set_mode", ds.shm_perm.mode == 0644);
  struct shminfo info;
  int maxidx = shmctl(0, IPC_INFO, (struct shmid_ds*)&info);
  unsigned long long pmax = 0, pall = 0, pmni = 0;
  FILE* f = fopen("/proc/sys/kernel/shmmax", "r");
  if (f) fscanf(f, "%llu", &pmax), fclose(f);
  f = fopen("/proc/sys/kernel/shmall", "r");
  if (f) fscanf(f, "%llu", &pall), fclose(f);
  f = fopen("/proc/sys/kernel/shmmni", "r");
  if (f) fscanf(f, "%llu", &pmni), fclose(f);
  sb_value("shmmin=%lu max_matches=%d all_matches=%d mni_matches=%d seg=mni:%d", info.shmmin,
           info.shmmax == pmax, info.shmall == pall, info.shmmni == pmni,
           info.shmseg == info.shmmni);
  sb_case("shm_ipc_info", maxidx >= 0 && info.shmmin == 1 && info.shmmax == pmax &&
                              info.shmall == pall && info.shmmni == pmni);
  struct shm_info si;
  int maxidx2 = shmctl(0, SHM_INFO, (struct shmid_ds*)&si);
  sb_case("shm_info", maxidx2 == maxidx && si.used_ids >= 1 && si.shm_tot >= 1);
  int found = 0;
  for (int i = 0; i <= maxidx; i++) {
    int r = shmctl(i, SHM_STAT, &ds);
    if (r == id) found = 1;
  }
  sb_case("shm_stat_by_index", found);
  found = 0;
  for (int i = 0; i <= maxidx; i++) {
    if (shmctl(i, SHM_STAT_ANY, &ds) == id) found = 1;
  }
  sb_case("shm_stat_any_by_index", found);
  {
    char* at = shmat(id, NULL, 0);
    at[0] = 1;
    FILE* pf = fopen("/proc/sysvipc/shm", "r");
    char line[512], header[512] = "";
    int ok = 0;
    if (pf && fgets(header, sizeof header, pf)) {
      while (fgets(line, sizeof line, pf)) {
        int key, sid, cpid, lpid;
        unsigned mode;
        unsigned long size, nattch, rss;
        unsigned long long at_t, dt, ct;
        unsigned uid, gid, cuid, cgid;
        if (sscanf(line, "%d %d %o %lu %d %d %lu %u %u %u %u %llu %llu %llu %lu", &key, &sid, &mode,
                   &size, &cpid, &lpid, &nattch, &uid, &gid, &cuid, &cgid, &at_t, &dt, &ct,
                   &rss) == 15 &&
            sid == id) {
          ok = key == 0 && mode == 0644 && size == 4096 && cpid == getpid() && lpid == getpid() &&
               nattch == 1 && uid == geteuid() && rss == 4096;
        }
      }
    }
    if (pf) fclose(pf);
    header[strcspn(header, "\n")] = 0;
    sb_value("%s", header);
    sb_case("proc_sysvipc_shm", ok);
    shmdt(at);
  }
  sb_case("shm_lock", shmctl(id, SHM_LOCK, NULL) == 0 && stat_of(id, &ds) == 0 &&
                          ds.shm_perm.mode == (02000 | 0644));
  sb_case("shm_unlock",
          shmctl(id, SHM_UNLOCK, NULL) == 0 && stat_of(id, &ds) == 0 && ds.shm_perm.mode == 0644);
  /* Another user: no access to a 0600 segment, no control. */
  if (geteuid() != 0) {
    sb_skip("shm_other_user", "needs root to become another user");
  } else {
    ds.shm_perm.mode = 0600;
    shmctl(id, IPC_SET, &ds);
    pid_t pid = fork();
    if (pid == 0) {
      if (setresgid(65534, 65534, 65534) || setresuid(65534, 65534, 65534)) _exit(9);
      struct shmid_ds d2;
      int a = shmctl(id, IPC_STAT, &d2) == -1 && errno == EACCES;
      int b = shmat(id, NULL, 0) == (void*)-1 && errno == EACCES;
      int c = shmctl(id, IPC_RMID, NULL) == -1 && errno == EPERM;
      int d = shmctl(id, SHM_STAT_ANY, &d2) == -1 ? 0 : 1;
      int e = shmctl(id, SHM_LOCK, NULL) == -1 && errno == EPERM;
      _exit(a | b << 1 | c << 2 | d << 3 | e << 4);
    }
    int st;
    waitpid(pid, &st, 0);
    sb_value("bits=%d", WEXITSTATUS(st) & 0x17);
    /* SHM_STAT_ANY takes an index, so d depends on where our segment sits. */
    sb_case("shm_other_user", WIFEXITED(st) && (WEXITSTATUS(st) & 0x17) == 0x17);
  }
  shmctl(id, IPC_RMID, NULL);
}

static void newipc_child(void* arg) {
  int id = *(int*)arg;
  if (unshare(CLONE_NEWIPC) != 0) _exit(2);
  struct shmid_ds ds;
  int a = shmctl(id, IPC_STAT, &ds) == -1 && errno == EINVAL;
  int b = shmget(key_base + 2, 0, 0) == -1 && errno == ENOENT;
  int c = shmget(key_base + 2, 4096, IPC_CREAT | IPC_EXCL | 0600) >= 0;
  struct shm_info si;
  shmctl(0, SHM_INFO, (struct shmid_ds*)&si);
  int d = si.used_ids == 1;
  _exit(a && b && c && d ? 0 : 1);
}

static void test_newipc(void) {
  int id = shmget(key_base + 2, 4096, IPC_CREAT | 0600);
  int st = sb_in_child(newipc_child, &id);
  if (WIFEXITED(st) && WEXITSTATUS(st) == 2) {
    sb_skip("shm_newipc_separate", "unshare(CLONE_NEWIPC) refused here");
  } else {
    sb_value("child exit=%d", WEXITSTATUS(st));
    sb_case("shm_newipc_separate", WIFEXITED(st) && WEXITSTATUS(st) == 0);
  }
  struct shmid_ds ds;
  sb_case("shm_newipc_parent_keeps", shmctl(id, IPC_STAT, &ds) == 0);
  shmctl(id, IPC_RMID, NULL);
}

int main(int argc, char** argv) {
  sb_init();
  if (argc == 3 && strcmp(argv[1], "--exec-child") == 0) {
    struct shmid_ds ds;
    shmctl(atoi(argv[2]), IPC_STAT, &ds);
    return ds.shm_nattch == 1 ? 0 : 5; /* the parent's only */
  }
  key_base = (key_t)(0x5b000000 | (getpid() & 0xffff) << 4);
  test_get();
  test_attach();
  test_fork_exit(argv[0][0] == '/' ? argv[0] : "/proc/self/exe");
  test_ctl();
  test_newipc();
  return sb_finish();
}
