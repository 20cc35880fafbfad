/* mlock, mlock2, munlock, mlockall, munlockall, msync, mincore, and VmLck
 * in /proc/self/status. See sbtest.h for the output contract. */
#include "sbtest.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>

#ifndef MLOCK_ONFAULT
#define MLOCK_ONFAULT 1
#endif
#ifndef MCL_ONFAULT
#define MCL_ONFAULT 4
#endif

#define PG 4096

static long vmlck_kb(void) {
  FILE* f = fopen("/proc/self/status", "r");
  char line[256];
  long v = -1;
  while (f && fgets(line, sizeof line, f)) {
    if (sscanf(line, "VmLck: %ld", &v) == 1) break;
  }
  if (f) fclose(f);
  return v;
}

static void residency(const char* label, void* p, size_t len) {
  unsigned char vec[16] = {0};
  char s[17] = {0};
  int r = mincore(p, len, vec);
  for (size_t i = 0; i < len / PG && i < 16; i++) s[i] = (vec[i] & 1) ? '1' : '0';
  sb_value("%s: r=%d %s", label, r, s);
}

static void test_mincore(void) {
  char* p = mmap(NULL, 8 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  unsigned char vec[8];
  residency("fresh", p, 8 * PG);
  int r = mincore(p, 8 * PG, vec);
  int none = 1;
  for (int i = 0; i < 8; i++) none &= !(vec[i] & 1);
  sb_case("mincore_fresh_not_resident", r == 0 && none);
  p[0] = 1;
  p[3 * PG + 5] = 1;
  residency("touched", p, 8 * PG);
  mincore(p, 8 * PG, vec);
  sb_case("mincore_touched_resident", (vec[0] & 1) && (vec[3] & 1) && !(vec[1] & 1));
  madvise(p, 8 * PG, MADV_DONTNEED);
  mincore(p, 8 * PG, vec);
  sb_case("mincore_dontneed_drops", !(vec[0] & 1) && !(vec[3] & 1));
  SB_ERRNO("mincore_unaligned_einval", mincore(p + 1, PG, vec), EINVAL);
  SB_ERRNO("mincore_bad_vec_efault", mincore(p, PG, (unsigned char*)8), EFAULT);
  munmap(p + 4 * PG, PG);
  SB_ERRNO("mincore_hole_enomem", mincore(p, 8 * PG, vec), ENOMEM);
  SB_ERRNO("mincore_kernel_range_enomem", mincore((void*)0xffff800000000000UL, PG, vec), ENOMEM);
  sb_case("mincore_partial_len_ok", mincore(p, PG + 1, vec) == 0);
  sb_case("mincore_zero_len_ok", mincore(p, 0, vec) == 0);
  munmap(p, 8 * PG);
  SB_ERRNO("mincore_unmapped_enomem", mincore(p, PG, vec), ENOMEM);

  int fd = open("/dev/shm/sb_mincore", O_RDWR | O_CREAT | O_TRUNC, 0600);
  ftruncate(fd, 4 * PG);
  pwrite(fd, "x", 1, 2 * PG);
  char* m = mmap(NULL, 4 * PG, PROT_READ, MAP_SHARED, fd, 0);
  residency("shm", m, 4 * PG);
  mincore(m, 4 * PG, vec);
  sb_case("mincore_tmpfs_shared", (vec[2] & 1) && !(vec[0] & 1) && !(vec[3] & 1));
  munmap(m, 4 * PG);
  close(fd);
  unlink("/dev/shm/sb_mincore");
}

static void test_mlock(void) {
  char* p = mmap(NULL, 8 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  long base = vmlck_kb();
  sb_value("VmLck at start: %ld kB", base);
  sb_case("vmlck_zero_at_start", base == 0);
  sb_case("mlock_ok", sb_succeeds("mlock", mlock(p, 2 * PG)));
  unsigned char vec[8];
  mincore(p, 8 * PG, vec);
  sb_value("VmLck=%ld kB resident=%d%d%d", vmlck_kb(), vec[0] & 1, vec[1] & 1, vec[2] & 1);
  sb_case("mlock_populates_and_counts",
          vmlck_kb() == 8 && (vec[0] & 1) && (vec[1] & 1) && !(vec[2] & 1));
  sb_case("mlock_unaligned_rounds", mlock(p + 2 * PG + 100, 10) == 0 && vmlck_kb() == 12);
  sb_case("mlock_twice_counts_once", mlock(p, 3 * PG) == 0 && vmlck_kb() == 12);
  sb_case("munlock_middle", munlock(p + PG, PG) == 0 && vmlck_kb() == 8);
  sb_case("mlock2_onfault", mlock2(p + 4 * PG, 2 * PG, MLOCK_ONFAULT) == 0 && vmlck_kb() == 16);
  mincore(p, 8 * PG, vec);
  sb_case("mlock2_onfault_not_populated", !(vec[4] & 1) && !(vec[5] & 1));
  SB_ERRNO("mlock2_bad_flags_einval", mlock2(p, PG, 2), EINVAL);
  SB_ERRNO("msync_invalidate_locked_ebusy", msync(p, PG, MS_INVALIDATE), EBUSY);
  sb_case("msync_sync_locked_ok", msync(p, PG, MS_SYNC) == 0);
  sb_case("munlock_all_range", munlock(p, 8 * PG) == 0 && vmlck_kb() == 0);
  sb_case("msync_invalidate_unlocked_ok", msync(p, PG, MS_INVALIDATE) == 0);
  munmap(p + 6 * PG, PG);
  SB_ERRNO("mlock_hole_enomem", mlock(p, 8 * PG), ENOMEM);
  sb_value("VmLck after failed mlock: %ld", vmlck_kb());
  sb_case("mlock_hole_locks_up_to_hole", vmlck_kb() == 24);
  SB_ERRNO("munlock_hole_enomem", munlock(p, 8 * PG), ENOMEM);
  sb_case("munlock_hole_unlocks_up_to_hole", vmlck_kb() == 0);
  sb_case("mlock_zero_len_ok", mlock(p, 0) == 0);
  sb_case("mlock_then_munmap_uncounts", mlock(p, PG) == 0 && munmap(p, PG) == 0 &&
                                            vmlck_kb() == 0);
  munmap(p, 8 * PG);
  SB_ERRNO("mlock_unmapped_enomem", mlock(p, PG), ENOMEM);
}

static void fork_child(void* arg) {
  (void)arg;
  printf("  child VmLck=%ld\n", vmlck_kb());
}

static void test_mlockall(void) {
  SB_ERRNO("mlockall_zero_einval", mlockall(0), EINVAL);
  SB_ERRNO("mlockall_onfault_alone_einval", mlockall(MCL_ONFAULT), EINVAL);
  SB_ERRNO("mlockall_unknown_einval", mlockall(MCL_CURRENT | 0x10), EINVAL);
  sb_case("mlockall_future", mlockall(MCL_FUTURE) == 0 && vmlck_kb() == 0);
  char* p = mmap(NULL, 4 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  unsigned char vec[4];
  mincore(p, 4 * PG, vec);
  sb_value("resident=%d%d", vec[0] & 1, vec[3] & 1);
  sb_case("mlockall_future_locks_new_maps", vmlck_kb() >= 16);
  int st = sb_in_child(fork_child, NULL);
  sb_case("mlock_not_inherited_by_fork", st == 0);
  sb_case("munlockall", munlockall() == 0 && vmlck_kb() == 0);
  char* q = mmap(NULL, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  sb_case("munlockall_clears_future", vmlck_kb() == 0);
  munmap(q, PG);
  munmap(p, 4 * PG);
  sb_case("munlockall_idempotent", munlockall() == 0);
}

static void nonroot_child(void* arg) {
  (void)arg;
  struct rlimit rl = {0, 0};
  setrlimit(RLIMIT_MEMLOCK, &rl);
  if (setresuid(65534, 65534, 65534) != 0) _exit(9);
  char* p = mmap(NULL, 8 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  errno = 0;
  int r = mlock(p, PG);
  printf("  rlimit 0: mlock=%d %s\n", r, strerrorname_np(errno));
  r = mlockall(MCL_CURRENT);
  printf("  rlimit 0: mlockall=%d %s\n", r, strerrorname_np(errno));
  r = munlock(p, PG);
  printf("  rlimit 0: munlock=%d\n", r);
  _exit(0);
}

static void limit_child(void* arg) {
  (void)arg;
  struct rlimit rl = {2 * PG, 2 * PG};
  setrlimit(RLIMIT_MEMLOCK, &rl);
  if (setresuid(65534, 65534, 65534) != 0) _exit(9);
  char* p = mmap(NULL, 8 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  errno = 0;
  int r = mlock(p, 3 * PG);
  printf("  over: mlock=%d %s\n", r, strerrorname_np(errno));
  r = mlock(p, 2 * PG);
  printf("  at limit: mlock=%d VmLck=%ld\n", r, vmlck_kb());
  r = mlock(p, 2 * PG);
  printf("  again: mlock=%d\n", r);
  errno = 0;
  r = mlock(p + 2 * PG, PG);
  printf("  one more: mlock=%d %s\n", r, strerrorname_np(errno));
  errno = 0;
  r = mlockall(MCL_CURRENT);
  printf("  mlockall current: %d %s\n", r, strerrorname_np(errno));
  r = mlockall(MCL_FUTURE);
  printf("  mlockall future: %d\n", r);
  _exit(0);
}

static void test_unprivileged(void) {
  if (getuid() != 0) {
    sb_skip("mlock_rlimit_zero_eperm", "needs root to drop to another uid");
    sb_skip("mlock_rlimit_enomem", "needs root to drop to another uid");
    return;
  }
  int st = sb_in_child(nonroot_child, NULL);
  sb_case("mlock_rlimit_zero_eperm", st == 0);
  st = sb_in_child(limit_child, NULL);
  sb_case("mlock_rlimit_enomem", st == 0);
}

static void test_msync(void) {
  char* p = mmap(NULL, 4 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  sb_case("msync_async_ok", msync(p, 4 * PG, MS_ASYNC) == 0);
  sb_case("msync_sync_ok", msync(p, 4 * PG, MS_SYNC) == 0);
  sb_case("msync_zero_flags_ok", msync(p, PG, 0) == 0);
  sb_case("msync_zero_len_ok", msync(p, 0, MS_SYNC) == 0);
  SB_ERRNO("msync_async_sync_einval", msync(p, PG, MS_ASYNC | MS_SYNC), EINVAL);
  SB_ERRNO("msync_bad_flags_einval", msync(p, PG, 8), EINVAL);
  SB_ERRNO("msync_unaligned_einval", msync(p + 1, PG, MS_SYNC), EINVAL);
  SB_ERRNO("msync_wrap_enomem", msync(p, (size_t)-PG, MS_SYNC), ENOMEM);
  munmap(p + PG, PG);
  SB_ERRNO("msync_hole_sync_enomem", msync(p, 4 * PG, MS_SYNC), ENOMEM);
  SB_ERRNO("msync_hole_async_enomem", msync(p, 4 * PG, MS_ASYNC), ENOMEM);
  munmap(p, 4 * PG);
  SB_ERRNO("msync_unmapped_enomem", msync(p, PG, MS_SYNC), ENOMEM);
  int fd = open("/dev/shm/sb_msync", O_RDWR | O_CREAT | O_TRUNC, 0600);
  ftruncate(fd, PG);
  char* m = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  memcpy(m, "synced", 6);
  char buf[8] = {0};
  sb_case("msync_shared_tmpfs", msync(m, PG, MS_SYNC) == 0 && pread(fd, buf, 6, 0) == 6 &&
                                    strcmp(buf, "synced") == 0);
  munmap(m, PG);
  close(fd);
  unlink("/dev/shm/sb_msync");
}

int main(void) {
  sb_init();
  test_mincore();
  test_mlock();
  test_mlockall();
  test_unprivileged();
  test_msync();
  return sb_finish();
}
