/* memfd_create: I/O, MAP_SHARED mappings (also across fork) and seals.
 * See sbtest.h for the output contract. */
#include "sbtest.h"

#include <fcntl.h>
#include <stdint.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/xattr.h>

#ifndef MFD_NOEXEC_SEAL
#define MFD_NOEXEC_SEAL 0x0008U
#endif
#ifndef F_SEAL_EXEC
#define F_SEAL_EXEC 0x0020
#endif

static void test_basics(void) {
  int fd = memfd_create("basic", 0);
  sb_case("memfd_create", sb_succeeds("memfd_create", fd));
  struct stat st;
  int rc = fstat(fd, &st);
  sb_value("mode=%o nlink=%lu size=%lld", st.st_mode, (unsigned long)st.st_nlink,
           (long long)st.st_size);
  sb_case("memfd_fstat",
          rc == 0 && st.st_mode == (S_IFREG | 0777) && st.st_nlink == 0 && st.st_size == 0);
  char buf[16] = {0};
  sb_case("memfd_write_read", write(fd, "hello", 5) == 5 && lseek(fd, 0, SEEK_SET) == 0 &&
                                  read(fd, buf, sizeof buf) == 5 && strcmp(buf, "hello") == 0);
  sb_case("memfd_ftruncate", ftruncate(fd, 8192) == 0 && fstat(fd, &st) == 0 && st.st_size == 8192);
  sb_case("memfd_flags_rdwr", (fcntl(fd, F_GETFL) & O_ACCMODE) == O_RDWR);
  sb_case("memfd_not_cloexec", fcntl(fd, F_GETFD) == 0);
  struct statfs sfs;
  rc = fstatfs(fd, &sfs);
  sb_value("f_type=%#lx", (unsigned long)sfs.f_type);
  sb_case("memfd_fstatfs_tmpfs", rc == 0 && sfs.f_type == 0x01021994);
  sb_case("memfd_flock", flock(fd, LOCK_EX) == 0 && flock(fd, LOCK_UN) == 0);
  char v[4] = {0};
  sb_case("memfd_xattr", fsetxattr(fd, "user.k", "v", 1, 0) == 0 &&
                             fgetxattr(fd, "user.k", v, sizeof v) == 1 && v[0] == 'v');
  close(fd);

  fd = memfd_create("cloexec", MFD_CLOEXEC);
  sb_case("memfd_cloexec", fd >= 0 && fcntl(fd, F_GETFD) == FD_CLOEXEC);
  close(fd);
  SB_ERRNO("memfd_bad_flags_einval", memfd_create("x", 0x100), EINVAL);
  char name[251];
  memset(name, 'n', 250);
  name[250] = 0;
  SB_ERRNO("memfd_name_too_long_einval", memfd_create(name, 0), EINVAL);
  name[249] = 0;
  fd = memfd_create(name, 0);
  sb_case("memfd_name_249", sb_succeeds("memfd_create", fd));
  close(fd);
  SB_ERRNO("memfd_bad_name_efault", memfd_create((const char*)8, 0), EFAULT);
}

static void test_mmap(void) {
  int fd = memfd_create("map", 0);
  ftruncate(fd, 4096);
  char* m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  sb_case("memfd_mmap_shared", m != MAP_FAILED);
  if (m == MAP_FAILED) return;
  memcpy(m, "mapped", 6);
  char buf[8] = {0};
  sb_case("memfd_mapping_to_read", pread(fd, buf, 6, 0) == 6 && strcmp(buf, "mapped") == 0);
  pwrite(fd, "WRITE", 5, 100);
  sb_case("memfd_write_to_mapping", memcmp(m + 100, "WRITE", 5) == 0);
  pid_t pid = fork();
  if (pid == 0) {
    memcpy(m + 200, "child", 5);
    _exit(0);
  }
  waitpid(pid, NULL, 0);
  sb_case("memfd_mapping_shared_with_child", memcmp(m + 200, "child", 5) == 0);
  munmap(m, 4096);
  close(fd);
}

static void test_seals(void) {
  int fd = memfd_create("noseal", 0);
  int seals = fcntl(fd, F_GET_SEALS);
  sb_value("seals=%#x", seals);
  sb_case("seals_default_seal_seal", seals == F_SEAL_SEAL);
  SB_ERRNO("add_seals_without_sealing_eperm", fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE), EPERM);
  close(fd);

  fd = memfd_create("seal", MFD_ALLOW_SEALING);
  sb_case("seals_allow_sealing_none", fcntl(fd, F_GET_SEALS) == 0);
  SB_ERRNO("add_seals_bad_bits_einval", fcntl(fd, F_ADD_SEALS, 0x100), EINVAL);
  write(fd, "0123456789", 10);
  sb_case("add_seal_shrink",
          fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK) == 0 && fcntl(fd, F_GET_SEALS) == F_SEAL_SHRINK);
  SB_ERRNO("shrink_sealed_eperm", ftruncate(fd, 5), EPERM);
  sb_case("grow_while_shrink_sealed", ftruncate(fd, 20) == 0);
  sb_case("add_seal_grow", fcntl(fd, F_ADD_SEALS, F_SEAL_GROW) == 0);
  SB_ERRNO("grow_sealed_truncate_eperm", ftruncate(fd, 30), EPERM);
  SB_ERRNO("grow_sealed_write_eperm", pwrite(fd, "x", 1, 20), EPERM);
  sb_case("grow_sealed_overwrite_ok", pwrite(fd, "AB", 2, 0) == 2);

  char* m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  SB_ERRNO("seal_write_with_writable_mapping_ebusy", fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE), EBUSY);
  munmap(m, 4096);
  sb_case("add_seal_write_after_munmap", fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE) == 0);
  SB_ERRNO("write_sealed_eperm", pwrite(fd, "x", 1, 0), EPERM);
  SB_ERRNO("write_sealed_mmap_write_eperm",
           (long)mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0), EPERM);
  m = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
  sb_case("write_sealed_mmap_read_ok", m != MAP_FAILED && memcmp(m, "AB", 2) == 0);
  SB_ERRNO("write_sealed_mprotect_eacces", mprotect(m, 4096, PROT_READ | PROT_WRITE), EACCES);
  munmap(m, 4096);
  m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
  sb_case("write_sealed_mmap_private_ok", m != MAP_FAILED);
  if (m != MAP_FAILED) munmap(m, 4096);
  sb_case("add_seal_seal", fcntl(fd, F_ADD_SEALS, F_SEAL_SEAL) == 0);
  SB_ERRNO("add_after_seal_seal_eperm", fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK), EPERM);
  seals = fcntl(fd, F_GET_SEALS);
  sb_value("seals=%#x", seals);
  sb_case("seals_accumulate", seals == (F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL));
  close(fd);

  fd = memfd_create("noexec", MFD_NOEXEC_SEAL);
  struct stat st;
  fstat(fd, &st);
  seals = fcntl(fd, F_GET_SEALS);
  sb_value("mode=%o seals=%#x", st.st_mode & 07777, seals);
  sb_case("noexec_seal", (st.st_mode & 07777) == 0666 && seals == F_SEAL_EXEC);
  SB_ERRNO("noexec_seal_chmod_x_eperm", fchmod(fd, 0777), EPERM);
  sb_case("noexec_seal_chmod_other_bits", fchmod(fd, 0600) == 0);
  close(fd);

  int p[2];
  pipe(p);
  SB_ERRNO("get_seals_pipe_einval", fcntl(p[0], F_GET_SEALS), EINVAL);
  SB_ERRNO("add_seals_pipe_write_end_einval", fcntl(p[1], F_ADD_SEALS, F_SEAL_WRITE), EINVAL);
  SB_ERRNO("add_seals_read_only_eperm", fcntl(p[0], F_ADD_SEALS, F_SEAL_WRITE), EPERM);
  close(p[0]);
  close(p[1]);
}

int main(void) {
  sb_init();
  test_basics();
  test_mmap();
  test_seals();
  return sb_finish();
}
