/* Memory syscalls: mmap, munmap, mprotect, mremap, brk, madvise.
 * See sbtest.h for the output contract. */
#include "sbtest.h"

#include <stdint.h>
#include <sys/mman.h>
#include <sys/syscall.h>

static long pg;

static void* map(size_t len, int prot, int flags) {
  return mmap(NULL, len, prot, flags | MAP_ANONYMOUS, -1, 0);
}

static int all_bytes(const void* p, size_t len, unsigned char want) {
  const unsigned char* c = p;
  for (size_t i = 0; i < len; i++)
    if (c[i] != want) return 0;
  return 1;
}

/* Child bodies for the "this access faults" cases. */
static void touch_read(void* p) { (void)*(volatile char*)p; }
static void touch_write(void* p) { *(volatile char*)p = 1; }

static int faults_on_read(void* p) { return sb_killed_by(sb_in_child(touch_read, p), SIGSEGV); }
static int faults_on_write(void* p) { return sb_killed_by(sb_in_child(touch_write, p), SIGSEGV); }

/* Returns an address with `len` bytes free after it (mapped, then unmapped). */
static char* free_range(size_t len) {
  char* p = map(len, PROT_NONE, MAP_PRIVATE);
  if (p == MAP_FAILED) return NULL;
  munmap(p, len);
  return p;
}

static void test_mmap_basic(void) {
  char* p = map(4 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE);
  int ok = p != MAP_FAILED && ((uintptr_t)p % pg) == 0 && all_bytes(p, 4 * pg, 0);
  if (ok) {
    memset(p, 0x5a, 4 * pg);
    ok = all_bytes(p, 4 * pg, 0x5a);
    ok = ok && munmap(p, 4 * pg) == 0;
  }
  sb_case("mmap_anon_private", ok);

  p = map(2 * pg, PROT_READ | PROT_WRITE, MAP_SHARED);
  ok = p != MAP_FAILED && all_bytes(p, 2 * pg, 0);
  if (ok) {
    memset(p + pg, 0x33, pg);
    ok = all_bytes(p, pg, 0) && all_bytes(p + pg, pg, 0x33) && munmap(p, 2 * pg) == 0;
  }
  sb_case("mmap_anon_shared", ok);

  p = map(pg, PROT_NONE, MAP_PRIVATE);
  ok = p != MAP_FAILED && faults_on_read(p);
  if (p != MAP_FAILED) munmap(p, pg);
  sb_case("mmap_prot_none_read_segv", ok);

  /* A hint that is free is honoured (not required by POSIX, but Linux does). */
  char* hint = free_range(2 * pg);
  p = mmap(hint, pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  ok = hint && p == hint;
  if (p != MAP_FAILED) munmap(p, pg);
  sb_case("mmap_free_hint_honoured", ok);
}

static void test_map_fixed(void) {
  char* p = map(2 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE);
  int ok = p != MAP_FAILED;
  if (ok) {
    memset(p, 0xaa, 2 * pg);
    char* q =
        mmap(p + pg, pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    ok = q == p + pg && all_bytes(p, pg, 0xaa) && all_bytes(p + pg, pg, 0);
  }
  sb_case("map_fixed_replaces_with_zeros", ok);

  if (p != MAP_FAILED) {
    errno = 0;
    char* q = mmap(p, pg, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    ok = sb_errno_is("mmap(MAP_FIXED_NOREPLACE over a mapping)", q == MAP_FAILED ? -1 : 0, EEXIST);
    ok = ok && all_bytes(p, pg, 0xaa);
    if (q != MAP_FAILED && q != p) munmap(q, pg);
    sb_case("map_fixed_noreplace_eexist", ok);
    munmap(p, 2 * pg);
  }

  char* hole = free_range(pg);
  char* q = mmap(hole, pg, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
  sb_case("map_fixed_noreplace_free_ok", hole && q == hole);
  if (q != MAP_FAILED) munmap(q, pg);
}

static void test_munmap(void) {
  char* p = map(3 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE);
  int ok = p != MAP_FAILED;
  if (ok) {
    memset(p, 1, pg);
    memset(p + pg, 2, pg);
    memset(p + 2 * pg, 3, pg);
    ok = munmap(p + pg, pg) == 0;
    ok = ok && all_bytes(p, pg, 1) && all_bytes(p + 2 * pg, pg, 3);
    sb_case("munmap_middle_keeps_sides", ok);
    sb_case("munmap_middle_hole_segv", faults_on_read(p + pg));
    sb_case("munmap_unmapped_range_ok", munmap(p + pg, pg) == 0);
    munmap(p, 3 * pg);
    sb_case("munmap_whole_then_segv", faults_on_read(p) && faults_on_read(p + 2 * pg));
  } else {
    sb_case("munmap_middle_keeps_sides", 0);
  }
}

static void test_mprotect(void) {
  char* p = map(2 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE);
  int ok = p != MAP_FAILED;
  if (!ok) {
    sb_case("mprotect_read_only", 0);
    return;
  }
  memset(p, 7, 2 * pg);
  ok = mprotect(p, pg, PROT_READ) == 0 && all_bytes(p, pg, 7);
  sb_case("mprotect_read_only_still_readable", ok);
  sb_case("mprotect_read_only_write_segv", faults_on_write(p));
  /* The second page, outside the range, stays writable. */
  p[pg] = 8;
  sb_case("mprotect_partial_other_page_writable", p[pg] == 8);
  ok = mprotect(p, pg, PROT_READ | PROT_WRITE) == 0;
  if (ok) {
    p[0] = 9;
    ok = p[0] == 9 && p[1] == 7;
  }
  sb_case("mprotect_back_to_rw", ok);
  ok = mprotect(p, 2 * pg, PROT_NONE) == 0 && faults_on_read(p + pg);
  sb_case("mprotect_none_read_segv", ok);
  munmap(p, 2 * pg);
}

static void test_mremap(void) {
  /* Grow in place: map 4 pages, keep the first, grow it back to 4. */
  char* p = map(4 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE);
  int ok = p != MAP_FAILED && munmap(p + pg, 3 * pg) == 0;
  if (ok) {
    memset(p, 0x11, pg);
    char* q = mremap(p, pg, 4 * pg, 0);
    ok = q == p && all_bytes(p, pg, 0x11) && all_bytes(p + pg, 3 * pg, 0);
    if (ok) p[4 * pg - 1] = 1;
  }
  sb_case("mremap_grow_in_place", ok);
  if (p != MAP_FAILED) munmap(p, 4 * pg);

  /* Grow blocked by the next page: ENOMEM without MAYMOVE, a move with it. */
  p = map(3 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE);
  if (p == MAP_FAILED) {
    sb_case("mremap_grow_blocked_enomem", 0);
    return;
  }
  memset(p, 0x22, pg);
  memset(p + pg, 0x44, 2 * pg);
  errno = 0;
  void* r = mremap(p, pg, 2 * pg, 0);
  sb_case("mremap_grow_blocked_enomem",
          sb_errno_is("mremap(no MAYMOVE)", r == MAP_FAILED ? -1 : 0, ENOMEM));
  char* q = mremap(p, pg, 2 * pg, MREMAP_MAYMOVE);
  ok = q != MAP_FAILED && q != p && all_bytes(q, pg, 0x22) && all_bytes(q + pg, pg, 0);
  sb_case("mremap_maymove_moves_and_keeps", ok);
  sb_case("mremap_maymove_old_range_unmapped", faults_on_read(p));
  sb_case("mremap_maymove_neighbour_kept", all_bytes(p + pg, 2 * pg, 0x44));
  if (q != MAP_FAILED) munmap(q, 2 * pg);
  munmap(p + pg, 2 * pg);

  /* MREMAP_FIXED to a chosen free address. */
  p = map(pg, PROT_READ | PROT_WRITE, MAP_PRIVATE);
  char* dst = free_range(2 * pg);
  ok = p != MAP_FAILED && dst;
  if (ok) {
    memset(p, 0x66, pg);
    q = mremap(p, pg, pg, MREMAP_MAYMOVE | MREMAP_FIXED, dst);
    ok = q == dst && all_bytes(q, pg, 0x66) && faults_on_read(p);
    munmap(dst, pg);
  }
  sb_case("mremap_fixed_moves_to_address", ok);

  /* Shrink: same address, tail unmapped, head kept. */
  p = map(4 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE);
  ok = p != MAP_FAILED;
  if (ok) {
    memset(p, 0x77, 4 * pg);
    q = mremap(p, 4 * pg, pg, 0);
    ok = q == p && all_bytes(p, pg, 0x77) && faults_on_read(p + pg) && faults_on_read(p + 3 * pg);
    munmap(p, pg);
  }
  sb_case("mremap_shrink", ok);

  errno = 0;
  p = map(pg, PROT_READ, MAP_PRIVATE);
  r = mremap(p, pg, 0, MREMAP_MAYMOVE);
  sb_case("mremap_zero_size_einval",
          sb_errno_is("mremap(new_size 0)", r == MAP_FAILED ? -1 : 0, EINVAL));
  errno = 0;
  r = mremap(p, pg, 2 * pg, 0x80);
  sb_case("mremap_bad_flags_einval",
          sb_errno_is("mremap(flags 0x80)", r == MAP_FAILED ? -1 : 0, EINVAL));
  munmap(p, pg);
}

static void test_brk(void) {
  /* Raw syscalls: glibc's brk() hides the kernel's return value. No stdio
   * between the calls, so malloc cannot move the break under us. */
  uintptr_t cur = (uintptr_t)syscall(SYS_brk, 0);
  uintptr_t base = (cur + pg - 1) & ~(uintptr_t)(pg - 1);
  uintptr_t grown = (uintptr_t)syscall(SYS_brk, base + 3 * pg);
  int grow_ok = grown == base + 3 * pg;
  int data_ok = 0, shrink_ok = 0, kept_ok = 0, regrow_ok = 0, zero_ok = 0, same_ok = 0;
  if (grow_ok) {
    memset((void*)cur, 0x5c, base + 3 * pg - cur);
    data_ok = all_bytes((void*)cur, base + 3 * pg - cur, 0x5c);
    shrink_ok = (uintptr_t)syscall(SYS_brk, base + pg) == base + pg;
    kept_ok = all_bytes((void*)cur, base + pg - cur, 0x5c);
    regrow_ok = (uintptr_t)syscall(SYS_brk, base + 3 * pg) == base + 3 * pg;
    kept_ok = kept_ok && all_bytes((void*)cur, base + pg - cur, 0x5c);
    zero_ok = all_bytes((void*)(base + pg), 2 * pg, 0);
    same_ok = (uintptr_t)syscall(SYS_brk, 0) == base + 3 * pg;
  }
  /* A break below the start of the heap is refused: the old break returns. */
  uintptr_t low = (uintptr_t)syscall(SYS_brk, 4096);
  uintptr_t after_low = (uintptr_t)syscall(SYS_brk, 0);
  syscall(SYS_brk, cur);
  uintptr_t restored = (uintptr_t)syscall(SYS_brk, 0);

  sb_case("brk_query", cur != 0 && cur != (uintptr_t)-1);
  sb_case("brk_grow", grow_ok);
  sb_case("brk_grown_memory_writable", data_ok);
  sb_case("brk_shrink", shrink_ok);
  sb_case("brk_shrink_keeps_data_below", kept_ok);
  sb_case("brk_regrow", regrow_ok);
  sb_case("brk_regrown_pages_zero", zero_ok);
  sb_case("brk_query_after_regrow", same_ok);
  sb_case("brk_below_start_refused", grow_ok ? low == base + 3 * pg && after_low == low : 0);
  sb_case("brk_restore", restored == cur);
}

static void test_madvise(void) {
  char* p = map(2 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE);
  int ok = p != MAP_FAILED;
  if (ok) {
    memset(p, 0x99, 2 * pg);
    ok = madvise(p, pg, MADV_DONTNEED) == 0 && all_bytes(p, pg, 0) && all_bytes(p + pg, pg, 0x99);
    munmap(p, 2 * pg);
  }
  sb_case("madvise_dontneed_private_zeroes", ok);

  p = map(pg, PROT_READ | PROT_WRITE, MAP_SHARED);
  ok = p != MAP_FAILED;
  if (ok) {
    memset(p, 0x98, pg);
    ok = madvise(p, pg, MADV_DONTNEED) == 0 && all_bytes(p, pg, 0x98);
    munmap(p, pg);
  }
  sb_case("madvise_dontneed_shared_keeps", ok);

  p = map(pg, PROT_READ | PROT_WRITE, MAP_PRIVATE);
  sb_case("madvise_willneed_ok", p != MAP_FAILED && madvise(p, pg, MADV_WILLNEED) == 0);
  SB_ERRNO("madvise_bad_advice_einval", madvise(p, pg, 12345), EINVAL);
  SB_ERRNO("madvise_unaligned_einval", madvise(p + 1, pg, MADV_DONTNEED), EINVAL);
  munmap(p, pg);
}

static int* g_shared;
static int* g_private;
static void child_writes(void* unused) {
  (void)unused;
  *g_shared = 4242;
  *g_private = 4242;
}

static void test_fork_sharing(void) {
  g_shared = map(pg, PROT_READ | PROT_WRITE, MAP_SHARED);
  g_private = map(pg, PROT_READ | PROT_WRITE, MAP_PRIVATE);
  if (g_shared == MAP_FAILED || g_private == MAP_FAILED) {
    sb_case("map_shared_visible_after_fork", 0);
    return;
  }
  *g_shared = 1;
  *g_private = 1;
  int st = sb_in_child(child_writes, NULL);
  int exited = st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 0;
  sb_value("shared=%d private=%d", *g_shared, *g_private);
  sb_case("map_shared_visible_after_fork", exited && *g_shared == 4242);
  sb_case("map_private_copied_on_fork", exited && *g_private == 1);
  munmap(g_shared, pg);
  munmap(g_private, pg);
}

static void test_errors(void) {
  SB_ERRNO("mmap_len0_einval",
           mmap(NULL, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) == MAP_FAILED ? -1 : 0,
           EINVAL);
  SB_ERRNO("mmap_no_type_einval",
           mmap(NULL, pg, PROT_READ, MAP_ANONYMOUS, -1, 0) == MAP_FAILED ? -1 : 0, EINVAL);
  SB_ERRNO("mmap_fixed_unaligned_einval",
           mmap((void*)0x10000001, pg, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) ==
                   MAP_FAILED
               ? -1
               : 0,
           EINVAL);
  SB_ERRNO("mmap_bad_fd_ebadf",
           mmap(NULL, pg, PROT_READ, MAP_PRIVATE, 12345, 0) == MAP_FAILED ? -1 : 0, EBADF);
  char* p = map(2 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE);
  SB_ERRNO("munmap_unaligned_einval", munmap(p + 1, pg), EINVAL);
  SB_ERRNO("munmap_len0_einval", munmap(p, 0), EINVAL);
  SB_ERRNO("mprotect_unaligned_einval", mprotect(p + 1, pg, PROT_READ), EINVAL);
  SB_ERRNO("mprotect_bad_prot_einval", mprotect(p, pg, 0x1000), EINVAL);
  munmap(p, 2 * pg);
  SB_ERRNO("mprotect_unmapped_enomem", mprotect(p, pg, PROT_READ), ENOMEM);
  SB_ERRNO("mmap_huge_enomem",
           mmap(NULL, (size_t)1 << 62, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1,
                0) == MAP_FAILED
               ? -1
               : 0,
           ENOMEM);
}

int main(void) {
  sb_init();
  pg = sysconf(_SC_PAGESIZE);
  sb_value("page_size=%ld", pg);
  test_mmap_basic();
  test_map_fixed();
  test_munmap();
  test_mprotect();
  test_mremap();
  test_brk();
  test_madvise();
  test_fork_sharing();
  test_errors();
  return sb_finish();
}
