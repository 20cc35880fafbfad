/* The ELF auxiliary vector the loader gives a static program.
 * See sbtest.h for the output contract. */
#include "sbtest.h"

#include <elf.h>
#include <stdint.h>
#include <sys/auxv.h>

extern void _start(void);

/* getauxval sets errno to ENOENT when the entry is absent. */
static int present(unsigned long type, unsigned long* v) {
  errno = 0;
  *v = getauxval(type);
  return errno != ENOENT;
}

static void check_eq(const char* name, unsigned long type, unsigned long want) {
  unsigned long v;
  int p = present(type, &v);
  sb_value("%s=%lu", name, v);
  sb_case(name, p && v == want);
}

static void check_nonzero(const char* name, unsigned long type) {
  unsigned long v;
  int p = present(type, &v);
  sb_case(name, p && v != 0);
}

int main(int argc, char** argv) {
  (void)argc;
  sb_init();
  unsigned long v;

  check_eq("AT_PAGESZ", AT_PAGESZ, 4096);
  check_eq("AT_PHENT", AT_PHENT, sizeof(Elf64_Phdr));
  check_nonzero("AT_PHNUM_nonzero", AT_PHNUM);
  check_nonzero("AT_PHDR_nonzero", AT_PHDR);

  /* The program headers AT_PHDR points at describe this program. */
  const Elf64_Phdr* ph = (const Elf64_Phdr*)getauxval(AT_PHDR);
  unsigned long phnum = getauxval(AT_PHNUM);
  int loads = 0, has_phdr_or_load = 0;
  for (unsigned long i = 0; ph && i < phnum; i++) {
    if (ph[i].p_type == PT_LOAD) loads++;
    has_phdr_or_load |= ph[i].p_type == PT_LOAD && (ph[i].p_flags & PF_X);
  }
  sb_case("AT_PHDR_points_at_program_headers", loads > 0 && has_phdr_or_load);

  unsigned long entry = getauxval(AT_ENTRY);
  sb_case("AT_ENTRY_is__start", entry != 0 && entry == (unsigned long)(uintptr_t)&_start);
  check_eq("AT_BASE_static_is_0", AT_BASE, 0);
  check_eq("AT_FLAGS", AT_FLAGS, 0);

  unsigned char* rnd = (unsigned char*)getauxval(AT_RANDOM);
  int nonzero = 0;
  if (rnd)
    for (int i = 0; i < 16; i++) nonzero |= rnd[i];
  sb_case("AT_RANDOM_16_readable_bytes", rnd != NULL && nonzero);

  const char* execfn = (const char*)getauxval(AT_EXECFN);
  sb_case("AT_EXECFN_equals_argv0", execfn && strcmp(execfn, argv[0]) == 0);

  check_eq("AT_UID", AT_UID, getuid());
  check_eq("AT_EUID", AT_EUID, geteuid());
  check_eq("AT_GID", AT_GID, getgid());
  check_eq("AT_EGID", AT_EGID, getegid());
  check_eq("AT_SECURE", AT_SECURE, 0);
  check_eq("AT_CLKTCK", AT_CLKTCK, 100);
  check_nonzero("AT_HWCAP_present", AT_HWCAP);
  check_nonzero("AT_MINSIGSTKSZ_nonzero", AT_MINSIGSTKSZ);

  const char* platform = (const char*)getauxval(AT_PLATFORM);
  sb_value("AT_PLATFORM=%s", platform ? platform : "(null)");
  sb_case("AT_PLATFORM", platform && strcmp(platform, "x86_64") == 0);

  /* A vDSO is optional (Linux can be built without one; sandboxd has none
   * yet), but when AT_SYSINFO_EHDR is given it must point at an ELF image. */
  const unsigned char* vdso = present(AT_SYSINFO_EHDR, &v) ? (const unsigned char*)v : NULL;
  sb_case("AT_SYSINFO_EHDR_absent_or_elf", !vdso || memcmp(vdso, ELFMAG, SELFMAG) == 0);
  return sb_finish();
}
