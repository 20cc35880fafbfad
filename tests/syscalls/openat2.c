/* openat2: struct open_how size and flag checks, RESOLVE_* scoping.
 * See sbtest.h for the output contract. */
#include "sbtest.h"

#include <fcntl.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#ifndef SYS_openat2
#define SYS_openat2 437
#endif

struct how {
  uint64_t flags, mode, resolve;
};
#define R_NO_XDEV 0x01
#define R_NO_MAGICLINKS 0x02
#define R_NO_SYMLINKS 0x04
#define R_BENEATH 0x08
#define R_IN_ROOT 0x10
#define R_CACHED 0x20

#define BASE "/dev/shm/sb_oa2"

static long oa2(int dfd, const char* p, uint64_t flags, uint64_t mode, uint64_t resolve) {
  struct how h = {flags, mode, resolve};
  return syscall(SYS_openat2, dfd, p, &h, sizeof h);
}

/* Opens and says which file it is by its first bytes. */
static void expect_file(const char* name, long fd, const char* want) {
  char buf[32] = {0};
  if (fd < 0) {
    sb_value("open failed: %s", strerrorname_np(errno));
    sb_case(name, 0);
    return;
  }
  read(fd, buf, sizeof buf - 1);
  close(fd);
  sb_value("%s", buf);
  sb_case(name, strcmp(buf, want) == 0);
}

static void put(const char* path, const char* data) {
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  write(fd, data, strlen(data));
  close(fd);
}

static void setup(void) {
  mkdir(BASE, 0755);
  mkdir(BASE "/a", 0755);
  mkdir(BASE "/a/b", 0755);
  put(BASE "/top", "top");
  put(BASE "/a/in_a", "in_a");
  put(BASE "/a/b/in_b", "in_b");
  symlink("in_a", BASE "/a/rel");
  symlink("/in_a", BASE "/a/abs");
  symlink("../top", BASE "/a/up");
  symlink("../../..", BASE "/a/b/far");
  symlink("b", BASE "/a/dirlink");
}

static void cleanup(void) {
  const char* files[] = {BASE "/a/b/far", BASE "/a/b/in_b", BASE "/a/dirlink", BASE "/a/up",
                         BASE "/a/abs",   BASE "/a/rel",    BASE "/a/in_a",    BASE "/top",
                         BASE "/new"};
  for (unsigned i = 0; i < sizeof files / sizeof *files; i++) unlink(files[i]);
  rmdir(BASE "/a/b");
  rmdir(BASE "/a");
  rmdir(BASE);
}

static void test_struct(void) {
  struct {
    struct how h;
    uint64_t extra;
  } big = {{O_RDONLY, 0, 0}, 0};
  long fd = syscall(SYS_openat2, AT_FDCWD, BASE "/top", &big, sizeof big);
  sb_case("openat2_bigger_zero_tail_ok", sb_succeeds("openat2", fd));
  close(fd);
  big.extra = 1;
  SB_ERRNO("openat2_nonzero_tail_e2big",
           syscall(SYS_openat2, AT_FDCWD, BASE "/top", &big, sizeof big), E2BIG);
  SB_ERRNO("openat2_size_small_einval", syscall(SYS_openat2, AT_FDCWD, BASE "/top", &big, 16),
           EINVAL);
  SB_ERRNO("openat2_size_zero_einval", syscall(SYS_openat2, AT_FDCWD, BASE "/top", &big, 0),
           EINVAL);
  SB_ERRNO("openat2_size_page_plus_e2big",
           syscall(SYS_openat2, AT_FDCWD, BASE "/top", &big, 4097), E2BIG);
  SB_ERRNO("openat2_how_efault",
           syscall(SYS_openat2, AT_FDCWD, BASE "/top", (void*)8, sizeof(struct how)), EFAULT);
  SB_ERRNO("openat2_path_efault", oa2(AT_FDCWD, (const char*)8, O_RDONLY, 0, 0), EFAULT);
  SB_ERRNO("openat2_empty_path_enoent", oa2(AT_FDCWD, "", O_RDONLY, 0, 0), ENOENT);
  SB_ERRNO("openat2_unknown_flag_einval", oa2(AT_FDCWD, BASE "/top", 1ULL << 40, 0, 0), EINVAL);
  SB_ERRNO("openat2_unknown_low_flag_einval", oa2(AT_FDCWD, BASE "/top", 0x4, 0, 0), EINVAL);
  SB_ERRNO("openat2_unknown_resolve_einval", oa2(AT_FDCWD, BASE "/top", O_RDONLY, 0, 0x40),
           EINVAL);
  SB_ERRNO("openat2_beneath_in_root_einval",
           oa2(AT_FDCWD, BASE "/top", O_RDONLY, 0, R_BENEATH | R_IN_ROOT), EINVAL);
  SB_ERRNO("openat2_mode_without_creat_einval", oa2(AT_FDCWD, BASE "/top", O_RDONLY, 0644, 0),
           EINVAL);
  SB_ERRNO("openat2_bad_mode_bits_einval",
           oa2(AT_FDCWD, BASE "/new", O_CREAT | O_WRONLY, 010000, 0), EINVAL);
  SB_ERRNO("openat2_creat_directory_einval",
           oa2(AT_FDCWD, BASE "/new", O_CREAT | O_DIRECTORY, 0644, 0), EINVAL);
  SB_ERRNO("openat2_path_with_append_einval", oa2(AT_FDCWD, BASE "/top", O_PATH | O_APPEND, 0, 0),
           EINVAL);
  SB_ERRNO("openat2_tmpfile_rdonly_einval", oa2(AT_FDCWD, BASE, O_TMPFILE | O_RDONLY, 0600, 0),
           EINVAL);
  SB_ERRNO("openat2_cached_creat_eagain",
           oa2(AT_FDCWD, BASE "/new", O_CREAT | O_WRONLY, 0600, R_CACHED), EAGAIN);
  SB_ERRNO("openat2_cached_trunc_eagain", oa2(AT_FDCWD, BASE "/top", O_WRONLY | O_TRUNC, 0, R_CACHED),
           EAGAIN);
  SB_ERRNO("openat2_badfd_ebadf", oa2(999, "top", O_RDONLY, 0, 0), EBADF);
  expect_file("openat2_plain", oa2(AT_FDCWD, BASE "/top", O_RDONLY, 0, 0), "top");
  long fd2 = oa2(AT_FDCWD, BASE "/new", O_CREAT | O_EXCL | O_WRONLY, 0640, 0);
  struct stat st;
  stat(BASE "/new", &st);
  sb_value("mode=%o", st.st_mode & 0777 & ~0022);
  sb_case("openat2_create", fd2 >= 0 && (st.st_mode & 0640) == 0640);
  close(fd2);
  SB_ERRNO("openat2_excl_eexist", oa2(AT_FDCWD, BASE "/new", O_CREAT | O_EXCL | O_WRONLY, 0640, 0),
           EEXIST);
  fd2 = oa2(AT_FDCWD, BASE "/top", O_RDONLY | O_CLOEXEC, 0, 0);
  sb_case("openat2_cloexec", fd2 >= 0 && fcntl(fd2, F_GETFD) == FD_CLOEXEC);
  close(fd2);
}

static void test_beneath(void) {
  int d = open(BASE "/a", O_RDONLY | O_DIRECTORY);
  expect_file("beneath_child", oa2(d, "b/in_b", O_RDONLY, 0, R_BENEATH), "in_b");
  expect_file("beneath_dotdot_inside", oa2(d, "b/../in_a", O_RDONLY, 0, R_BENEATH), "in_a");
  expect_file("beneath_rel_symlink", oa2(d, "rel", O_RDONLY, 0, R_BENEATH), "in_a");
  expect_file("beneath_dir_symlink", oa2(d, "dirlink/in_b", O_RDONLY, 0, R_BENEATH), "in_b");
  SB_ERRNO("beneath_dotdot_exdev", oa2(d, "../top", O_RDONLY, 0, R_BENEATH), EXDEV);
  SB_ERRNO("beneath_deep_dotdot_exdev", oa2(d, "b/../../top", O_RDONLY, 0, R_BENEATH), EXDEV);
  SB_ERRNO("beneath_absolute_exdev", oa2(d, BASE "/a/in_a", O_RDONLY, 0, R_BENEATH), EXDEV);
  SB_ERRNO("beneath_abs_symlink_exdev", oa2(d, "abs", O_RDONLY, 0, R_BENEATH), EXDEV);
  SB_ERRNO("beneath_up_symlink_exdev", oa2(d, "up", O_RDONLY, 0, R_BENEATH), EXDEV);
  SB_ERRNO("beneath_far_symlink_exdev", oa2(d, "b/far/x", O_RDONLY, 0, R_BENEATH), EXDEV);
  SB_ERRNO("beneath_creat_absolute_exdev",
           oa2(d, BASE "/zz", O_CREAT | O_WRONLY, 0600, R_BENEATH), EXDEV);
  SB_ERRNO("beneath_creat_dotdot_exdev", oa2(d, "../zz", O_CREAT | O_WRONLY, 0600, R_BENEATH),
           EXDEV);
  long fd = oa2(d, ".", O_RDONLY | O_DIRECTORY, 0, R_BENEATH);
  sb_case("beneath_dot_ok", fd >= 0);
  close(fd);
  close(d);
}

static void test_in_root(void) {
  int d = open(BASE "/a", O_RDONLY | O_DIRECTORY);
  expect_file("in_root_absolute", oa2(d, "/b/in_b", O_RDONLY, 0, R_IN_ROOT), "in_b");
  expect_file("in_root_dotdot_stays", oa2(d, "../../../in_a", O_RDONLY, 0, R_IN_ROOT), "in_a");
  expect_file("in_root_abs_symlink", oa2(d, "abs", O_RDONLY, 0, R_IN_ROOT), "in_a");
  SB_ERRNO("in_root_up_symlink_enoent", oa2(d, "up", O_RDONLY, 0, R_IN_ROOT), ENOENT);
  SB_ERRNO("in_root_far_enoent", oa2(d, "b/far/top", O_RDONLY, 0, R_IN_ROOT), ENOENT);
  expect_file("in_root_far_inside", oa2(d, "b/far/b/in_b", O_RDONLY, 0, R_IN_ROOT), "in_b");
  close(d);
}

static void test_symlinks(void) {
  int d = open(BASE "/a", O_RDONLY | O_DIRECTORY);
  SB_ERRNO("no_symlinks_final_eloop", oa2(d, "rel", O_RDONLY, 0, R_NO_SYMLINKS), ELOOP);
  SB_ERRNO("no_symlinks_middle_eloop", oa2(d, "dirlink/in_b", O_RDONLY, 0, R_NO_SYMLINKS),
           ELOOP);
  SB_ERRNO("no_symlinks_creat_eloop", oa2(d, "rel", O_CREAT | O_WRONLY, 0600, R_NO_SYMLINKS),
           ELOOP);
  expect_file("no_symlinks_plain_ok", oa2(d, "b/in_b", O_RDONLY, 0, R_NO_SYMLINKS), "in_b");
  long fd = oa2(d, "rel", O_PATH | O_NOFOLLOW, 0, R_NO_SYMLINKS);
  struct stat st;
  int r = fd >= 0 ? fstatat(fd, "", &st, AT_EMPTY_PATH) : -1;
  sb_case("no_symlinks_opath_nofollow_ok", fd >= 0 && r == 0 && S_ISLNK(st.st_mode));
  close(fd);
  SB_ERRNO("nofollow_symlink_eloop", oa2(d, "rel", O_RDONLY | O_NOFOLLOW, 0, 0), ELOOP);
  close(d);
  expect_file("no_magiclinks_self_ok",
              oa2(AT_FDCWD, "/proc/self/comm", O_RDONLY, 0, R_NO_MAGICLINKS), "openat2\n");
  SB_ERRNO("no_magiclinks_exe_eloop", oa2(AT_FDCWD, "/proc/self/exe", O_RDONLY, 0, R_NO_MAGICLINKS),
           ELOOP);
  SB_ERRNO("no_magiclinks_cwd_eloop",
           oa2(AT_FDCWD, "/proc/self/cwd/.", O_RDONLY, 0, R_NO_MAGICLINKS), ELOOP);
  fd = oa2(AT_FDCWD, "/proc/self/exe", O_RDONLY, 0, 0);
  sb_case("magiclink_followed_without_flag", fd >= 0);
  close(fd);
}

static void test_xdev(void) {
  int root = open("/", O_RDONLY | O_DIRECTORY);
  SB_ERRNO("no_xdev_into_mount_exdev", oa2(root, "dev/null", O_RDONLY, 0, R_NO_XDEV), EXDEV);
  int d = open(BASE "/a", O_RDONLY | O_DIRECTORY);
  expect_file("no_xdev_same_mount_ok", oa2(d, "../top", O_RDONLY, 0, R_NO_XDEV), "top");
  SB_ERRNO("no_xdev_absolute_other_mount_exdev",
           oa2(d, "/dev/shm/sb_oa2/top", O_RDONLY, 0, R_NO_XDEV), EXDEV);
  int shm = open("/dev/shm", O_RDONLY | O_DIRECTORY);
  SB_ERRNO("no_xdev_dotdot_out_exdev", oa2(shm, "../null", O_RDONLY, 0, R_NO_XDEV), EXDEV);
  close(shm);
  close(d);
  close(root);
}

int main(void) {
  sb_init();
  cleanup();
  setup();
  test_struct();
  test_beneath();
  test_in_root();
  test_symlinks();
  test_xdev();
  cleanup();
  return sb_finish();
}
