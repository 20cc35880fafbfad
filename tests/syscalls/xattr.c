/* Extended attributes (user.* and trusted.*) on files under a fresh
 * directory in /tmp, with Linux's limits and errors. Listings are printed
 * sorted. See sbtest.h for the output contract. */
#include "sbtest.h"

#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/xattr.h>

static char dir[PATH_MAX];

static int cmp_str(const void* a, const void* b) {
  return strcmp(*(const char* const*)a, *(const char* const*)b);
}

/* The names in a listxattr buffer, sorted, joined by ','; only user.* and
 * trusted.* (a host filesystem may add security.* labels). */
static const char* names(const char* buf, ssize_t len) {
  static char out[1024];
  const char* v[64];
  int n = 0;
  for (ssize_t i = 0; i < len && n < 64; i += (ssize_t)strlen(buf + i) + 1) {
    if (strncmp(buf + i, "user.", 5) == 0 || strncmp(buf + i, "trusted.", 8) == 0) v[n++] = buf + i;
  }
  qsort(v, (size_t)n, sizeof v[0], cmp_str);
  out[0] = 0;
  for (int i = 0; i < n; i++) {
    if (i) strcat(out, ",");
    strcat(out, v[i]);
  }
  return out;
}

static const char* list_of(const char* path) {
  static char buf[1024];
  ssize_t n = listxattr(path, buf, sizeof buf);
  return n < 0 ? "(error)" : names(buf, n);
}

static void test_basic(void) {
  int fd = open("f", O_RDWR | O_CREAT, 0644);
  sb_case("setxattr", setxattr("f", "user.a", "alpha", 5, 0) == 0);
  char v[64] = {0};
  ssize_t n = getxattr("f", "user.a", v, sizeof v);
  sb_value("getxattr=%zd value=%s", n, v);
  sb_case("getxattr", n == 5 && strcmp(v, "alpha") == 0);
  sb_case("getxattr_size_zero_returns_length", getxattr("f", "user.a", NULL, 0) == 5);
  SB_ERRNO("getxattr_small_buffer_erange", getxattr("f", "user.a", v, 2), ERANGE);
  SB_ERRNO("getxattr_missing_enodata", getxattr("f", "user.none", v, sizeof v), ENODATA);
  sb_case("setxattr_empty_value", setxattr("f", "user.empty", "", 0, 0) == 0 &&
                                      getxattr("f", "user.empty", v, sizeof v) == 0);
  sb_case("setxattr_replace_value", setxattr("f", "user.a", "beta", 4, 0) == 0 &&
                                        getxattr("f", "user.a", v, sizeof v) == 4 &&
                                        memcmp(v, "beta", 4) == 0);
  SB_ERRNO("setxattr_create_exists_eexist", setxattr("f", "user.a", "x", 1, XATTR_CREATE), EEXIST);
  SB_ERRNO("setxattr_replace_missing_enodata", setxattr("f", "user.b", "x", 1, XATTR_REPLACE),
           ENODATA);
  sb_case("setxattr_create_new", setxattr("f", "user.b", "bee", 3, XATTR_CREATE) == 0);
  sb_case("setxattr_replace_existing", setxattr("f", "user.b", "BEE", 3, XATTR_REPLACE) == 0);
  SB_ERRNO("setxattr_bad_flags_einval", setxattr("f", "user.c", "x", 1, 4), EINVAL);
  sb_value("list=%s", list_of("f"));
  sb_case("listxattr", strcmp(list_of("f"), "user.a,user.b,user.empty") == 0);
  char lb[1024];
  ssize_t need = listxattr("f", NULL, 0);
  sb_case("listxattr_size_zero_returns_length",
          need >= 24 && listxattr("f", lb, sizeof lb) == need);
  SB_ERRNO("listxattr_small_buffer_erange", listxattr("f", lb, 3), ERANGE);
  sb_case("removexattr",
          removexattr("f", "user.empty") == 0 && strcmp(list_of("f"), "user.a,user.b") == 0);
  SB_ERRNO("removexattr_missing_enodata", removexattr("f", "user.empty"), ENODATA);

  sb_case("fsetxattr", fsetxattr(fd, "user.fd", "1", 1, 0) == 0);
  sb_case("fgetxattr", fgetxattr(fd, "user.fd", v, sizeof v) == 1 && v[0] == '1');
  n = flistxattr(fd, lb, sizeof lb);
  sb_case("flistxattr", n > 0 && strcmp(names(lb, n), "user.a,user.b,user.fd") == 0);
  sb_case("fremovexattr", fremovexattr(fd, "user.fd") == 0);
  SB_ERRNO("fgetxattr_bad_fd_ebadf", fgetxattr(9999, "user.a", v, sizeof v), EBADF);
  int p = open("f", O_PATH);
  SB_ERRNO("fgetxattr_o_path_ebadf", fgetxattr(p, "user.a", v, sizeof v), EBADF);
  SB_ERRNO("fsetxattr_o_path_ebadf", fsetxattr(p, "user.a", "x", 1, 0), EBADF);
  close(p);
  close(fd);
}

static void test_names_and_limits(void) {
  char v[8];
  char name[300];
  strcpy(name, "user.");
  memset(name + 5, 'n', 250); /* 255 in all */
  name[255] = 0;
  sb_case("name_255_ok", setxattr("f", name, "x", 1, 0) == 0 && removexattr("f", name) == 0);
  name[255] = 'n';
  name[256] = 0;
  SB_ERRNO("name_256_erange", setxattr("f", name, "x", 1, 0), ERANGE);
  SB_ERRNO("get_name_256_erange", getxattr("f", name, v, sizeof v), ERANGE);
  SB_ERRNO("empty_name_erange", setxattr("f", "", "x", 1, 0), ERANGE);
  SB_ERRNO("name_checked_before_path_erange", setxattr("missing", name, "x", 1, 0), ERANGE);
  static char big[65537];
  SB_ERRNO("value_too_big_e2big", setxattr("f", "user.big", big, sizeof big, 0), E2BIG);
  /* (A host filesystem may hold less than XATTR_SIZE_MAX: ext4 a block.) */
  sb_case("value_2000_ok", setxattr("f", "user.big", big, 2000, 0) == 0 &&
                               getxattr("f", "user.big", NULL, 0) == 2000 &&
                               removexattr("f", "user.big") == 0);
  SB_ERRNO("unknown_namespace_eopnotsupp", setxattr("f", "foo.bar", "x", 1, 0), EOPNOTSUPP);
  SB_ERRNO("no_namespace_eopnotsupp", getxattr("f", "plain", v, sizeof v), EOPNOTSUPP);
  SB_ERRNO("bare_prefix_einval", setxattr("f", "user.", "x", 1, 0), EINVAL);
  SB_ERRNO("system_unknown_eopnotsupp", getxattr("f", "system.foo", v, sizeof v), EOPNOTSUPP);
  SB_ERRNO("getxattr_missing_file_enoent", getxattr("missing", "user.a", v, sizeof v), ENOENT);
  SB_ERRNO("getxattr_through_file_enotdir", getxattr("f/x", "user.a", v, sizeof v), ENOTDIR);
}

static void test_kinds(void) {
  char v[8];
  mkdir("d", 0755);
  sb_case("xattr_on_directory",
          setxattr("d", "user.d", "dir", 3, 0) == 0 && getxattr("d", "user.d", v, sizeof v) == 3);
  symlink("f", "l");
  SB_ERRNO("lsetxattr_user_on_symlink_eperm", lsetxattr("l", "user.l", "x", 1, 0), EPERM);
  SB_ERRNO("lgetxattr_user_on_symlink_enodata", lgetxattr("l", "user.a", v, sizeof v), ENODATA);
  sb_case("getxattr_follows_symlink", getxattr("l", "user.a", v, sizeof v) == 4);
  ssize_t n = llistxattr("l", v, sizeof v);
  sb_case("llistxattr_symlink_no_user", n >= 0 && strcmp(names(v, n), "") == 0);
  sb_case("trusted_as_root", lsetxattr("l", "trusted.t", "x", 1, 0) == 0 &&
                                 lgetxattr("l", "trusted.t", v, sizeof v) == 1);
  sb_case("trusted_listed_for_root", setxattr("f", "trusted.t", "1", 1, 0) == 0 &&
                                         strcmp(list_of("f"), "trusted.t,user.a,user.b") == 0);
  sb_case("lremovexattr", lremovexattr("l", "trusted.t") == 0);
  int p[2];
  pipe(p);
  SB_ERRNO("pipe_fgetxattr_user_enodata", fgetxattr(p[0], "user.a", v, sizeof v), ENODATA);
  SB_ERRNO("pipe_fsetxattr_user_eperm", fsetxattr(p[1], "user.a", "x", 1, 0), EPERM);
  SB_ERRNO("pipe_fgetxattr_trusted_eopnotsupp", fgetxattr(p[0], "trusted.a", v, sizeof v),
           EOPNOTSUPP);
  sb_case("pipe_flistxattr_empty", flistxattr(p[0], v, sizeof v) == 0);
  close(p[0]);
  close(p[1]);
}

static void xattr_as_user(void) {
  char v[8];
  SB_ERRNO("user_read_no_permission_eacces", getxattr("secret", "user.s", v, sizeof v), EACCES);
  SB_ERRNO("user_write_no_permission_eacces", setxattr("f", "user.x", "x", 1, 0), EACCES);
  sb_case("user_read_with_permission", getxattr("f", "user.a", v, sizeof v) == 4);
  SB_ERRNO("trusted_read_unprivileged_enodata", getxattr("f", "trusted.t", v, sizeof v), ENODATA);
  SB_ERRNO("trusted_write_unprivileged_eperm", setxattr("mine", "trusted.t", "x", 1, 0), EPERM);
  sb_case("trusted_hidden_from_list", strcmp(list_of("f"), "user.a,user.b") == 0);
  sb_case("user_write_own_file", setxattr("mine", "user.m", "m", 1, 0) == 0);
  SB_ERRNO("sticky_dir_not_owner_eperm", setxattr("sticky", "user.s", "x", 1, 0), EPERM);
}

static void test_permissions(void) {
  int fd = open("secret", O_RDWR | O_CREAT, 0600);
  fsetxattr(fd, "user.s", "s", 1, 0);
  close(fd);
  fd = open("mine", O_RDWR | O_CREAT, 0644);
  close(fd);
  chown("mine", 1000, 1000);
  mkdir("sticky", 01777);
  chmod("sticky", 01777);
  pid_t pid = fork();
  if (pid == 0) {
    if (setgroups(0, NULL) != 0 || setgid(1000) != 0 || setuid(1000) != 0) _exit(1);
    xattr_as_user();
    _exit(sb_failed ? 1 : 0);
  }
  int st = 0;
  waitpid(pid, &st, 0);
  if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) sb_failed++;
}

int main(void) {
  sb_init();
  umask(022);
  strcpy(dir, "/tmp/sb-xattr-XXXXXX");
  if (!mkdtemp(dir) || chdir(dir) != 0) {
    sb_case("setup_tmp_dir", 0);
    return sb_finish();
  }
  chmod(".", 0755);
  test_basic();
  test_names_and_limits();
  test_kinds();
  test_permissions();
  unlink("f");
  unlink("l");
  unlink("secret");
  unlink("mine");
  rmdir("d");
  rmdir("sticky");
  chdir("/");
  int rc = rmdir(dir);
  sb_case("cleanup_rmdir_tmp_dir", sb_succeeds("rmdir", rc));
  return sb_finish();
}
