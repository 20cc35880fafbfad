/* mount(2), umount2(2), pivot_root(2) and chroot(2), run in a child that
 * unshared its mount namespace (so a native run changes nothing on the
 * host) and made every mount private. Paths are printed relative to the
 * scratch directory the test creates. A host that refuses namespaces skips
 * the mount cases. */
#include "sbtest.h"

#include <fcntl.h>
#include <sched.h>
#include <sys/statvfs.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>

static char base[64];
static int ns_ok;

/* Runs `fn` as case `name`: skipped when the host refuses namespaces. */
static void run(const char* name, int (*fn)(void)) {
  if (!ns_ok) {
    sb_skip(name, "the host refuses mount namespaces");
    return;
  }
  sb_case(name, fn());
}

static void path(char* out, const char* rel) { snprintf(out, 256, "%s/%s", base, rel); }

/* Prints the mountinfo line whose mount point is base/rel: mount point
 * (relative), root, per-mount options, optional fields, type, source, and
 * the super options' first word. Returns 0 if not found. */
static int show_mountinfo(const char* rel) {
  char want[256];
  path(want, rel);
  FILE* f = fopen("/proc/self/mountinfo", "r");
  if (!f) return 0;
  char line[1024];
  int found = 0;
  while (fgets(line, sizeof line, f)) {
    char root[256], mp[256], opts[256], rest[512];
    if (sscanf(line, "%*d %*d %*s %255s %255s %255s %511[^\n]", root, mp, opts, rest) != 4)
      continue;
    if (strcmp(mp, want) != 0) continue;
    found++;
    char optional[256] = "";
    char* dash = strstr(rest, "- ");
    if (!dash) continue;
    if (dash > rest) {
      snprintf(optional, sizeof optional, "%.*s", (int)(dash - rest - 1), rest);
    }
    char type[64], source[128], super[256];
    if (sscanf(dash + 2, "%63s %127s %255s", type, source, super) != 3) continue;
    char* comma = strchr(super, ',');
    if (comma) *comma = 0;
    sb_value("mountinfo %s root=%s opts=%s optional=[%s] type=%s source=%s super=%s", rel, root,
             opts, optional, type, source, super);
  }
  fclose(f);
  if (!found) sb_value("mountinfo %s: none", rel);
  return found;
}

static int count_mounts_under(const char* rel) {
  char want[256];
  path(want, rel);
  size_t n = strlen(want);
  FILE* f = fopen("/proc/self/mountinfo", "r");
  if (!f) return -1;
  char line[1024];
  int count = 0;
  while (fgets(line, sizeof line, f)) {
    char mp[256];
    if (sscanf(line, "%*d %*d %*s %*s %255s", mp) != 1) continue;
    if (strncmp(mp, want, n) == 0 && (mp[n] == 0 || mp[n] == '/')) count++;
  }
  fclose(f);
  return count;
}

static int write_file(const char* rel, const char* text) {
  char p[256];
  path(p, rel);
  int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) return -1;
  int r = write(fd, text, strlen(text)) == (ssize_t)strlen(text) ? 0 : -1;
  close(fd);
  return r;
}

static int exists(const char* rel) {
  char p[256];
  path(p, rel);
  struct stat st;
  return stat(p, &st) == 0;
}

static int mk(const char* rel) {
  char p[256];
  path(p, rel);
  return mkdir(p, 0755);
}

static int mnt_tmpfs(const char* rel, unsigned long flags, const char* data) {
  char p[256];
  path(p, rel);
  return mount("sbtmp", p, "tmpfs", flags, data);
}

static int umnt(const char* rel, int flags) {
  char p[256];
  path(p, rel);
  return umount2(p, flags);
}

/* ---- cases ---- */

static int c_tmpfs_mount(void) {
  mk("t1");
  if (!sb_succeeds("mount", mnt_tmpfs("t1", 0, "mode=750"))) return 0;
  char p[256];
  path(p, "t1");
  struct stat st;
  struct statfs sf;
  if (stat(p, &st) != 0 || statfs(p, &sf) != 0) return 0;
  sb_value("mode=%o magic=%lx", st.st_mode & 07777, (unsigned long)sf.f_type);
  return show_mountinfo("t1") == 1;
}

static int c_tmpfs_hides_and_umount(void) {
  int ok = write_file("t1/inside", "x") == 0 && exists("t1/inside");
  ok &= sb_succeeds("umount", umnt("t1", 0));
  sb_value("inside after umount: %d", exists("t1/inside"));
  return ok && !exists("t1/inside") && show_mountinfo("t1") == 0;
}

static int c_tmpfs_size(void) {
  mk("t2");
  if (!sb_succeeds("mount", mnt_tmpfs("t2", 0, "size=1m"))) return 0;
  char p[256];
  path(p, "t2");
  struct statfs sf;
  statfs(p, &sf);
  sb_value("bytes=%llu", (unsigned long long)sf.f_blocks * sf.f_bsize);
  return umnt("t2", 0) == 0;
}

static int c_tmpfs_bad_option(void) { return sb_errno_is("mount", mnt_tmpfs("t2", 0, "bogus=1"), EINVAL); }

static int c_unknown_type(void) {
  char p[256];
  path(p, "t2");
  return sb_errno_is("mount", mount("x", p, "nosuchfs", 0, NULL), ENODEV);
}

static int c_null_type(void) {
  char p[256];
  path(p, "t2");
  return sb_errno_is("mount", mount("x", p, NULL, 0, NULL), EINVAL);
}

static int c_target_enoent(void) { return sb_errno_is("mount", mnt_tmpfs("nope/x", 0, NULL), ENOENT); }

static int c_target_enotdir(void) {
  write_file("afile", "data");
  return sb_errno_is("mount", mnt_tmpfs("afile/x", 0, NULL), ENOTDIR);
}

static int c_target_efault(void) {
  return sb_errno_is("mount", mount("x", (char*)1, "tmpfs", 0, NULL), EFAULT);
}

static int c_type_efault(void) {
  char p[256];
  path(p, "t2");
  return sb_errno_is("mount", mount("x", p, (char*)1, 0, NULL), EFAULT);
}

static int flag_case(const char* rel, unsigned long flags) {
  mk(rel);
  if (!sb_succeeds("mount", mnt_tmpfs(rel, flags, NULL))) return 0;
  char p[256];
  path(p, rel);
  struct statfs sf;
  statfs(p, &sf);
  sb_value("f_flags=%#lx", (unsigned long)sf.f_flags & (ST_RDONLY | ST_NOSUID | ST_NODEV | ST_NOEXEC |
                                                        ST_NOATIME | ST_NODIRATIME | ST_RELATIME));
  int ok = show_mountinfo(rel) == 1;
  return ok && umnt(rel, 0) == 0;
}

static int c_flags_ro(void) {
  mk("ro");
  if (!sb_succeeds("mount", mnt_tmpfs("ro", MS_RDONLY, NULL))) return 0;
  char p[256];
  path(p, "ro/f");
  int ok = sb_errno_is("creat", open(p, O_CREAT | O_WRONLY, 0644), EROFS);
  ok &= show_mountinfo("ro") == 1;
  return ok && umnt("ro", 0) == 0;
}
static int c_flags_nosuid_nodev_noexec(void) { return flag_case("f1", MS_NOSUID | MS_NODEV | MS_NOEXEC); }
static int c_flags_noatime(void) { return flag_case("f2", MS_NOATIME); }
static int c_flags_strictatime(void) { return flag_case("f3", MS_STRICTATIME); }
static int c_flags_nodiratime(void) { return flag_case("f4", MS_NODIRATIME); }
static int c_flags_magic(void) { return flag_case("f5", 0xC0ED0000 | MS_NOSUID); }
static int c_flags_nouser(void) { return sb_errno_is("mount", mnt_tmpfs("f5", MS_NOUSER, NULL), EINVAL); }

static int c_remount_ro(void) {
  mk("rm");
  if (!sb_succeeds("mount", mnt_tmpfs("rm", MS_NOATIME, NULL))) return 0;
  char p[256];
  path(p, "rm");
  int ok = sb_succeeds("remount", mount(NULL, p, NULL, MS_REMOUNT | MS_RDONLY, NULL));
  path(p, "rm/f");
  ok &= sb_errno_is("creat", open(p, O_CREAT | O_WRONLY, 0644), EROFS);
  return ok && show_mountinfo("rm") == 1;
}

static int c_remount_rw(void) {
  char p[256];
  path(p, "rm");
  int ok = sb_succeeds("remount", mount(NULL, p, NULL, MS_REMOUNT, NULL));
  ok &= write_file("rm/f", "x") == 0;
  return ok && show_mountinfo("rm") == 1;
}

static int c_remount_bind_ro(void) {
  char p[256];
  path(p, "rm");
  int ok = sb_succeeds("remount", mount(NULL, p, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL));
  path(p, "rm/g");
  ok &= sb_errno_is("creat", open(p, O_CREAT | O_WRONLY, 0644), EROFS);
  ok &= show_mountinfo("rm") == 1;
  path(p, "rm");
  ok &= sb_succeeds("remount", mount(NULL, p, NULL, MS_REMOUNT | MS_BIND, NULL));
  ok &= show_mountinfo("rm") == 1;
  return ok;
}

static int c_remount_not_root(void) {
  mk("rm/sub");
  char p[256];
  path(p, "rm/sub");
  return sb_errno_is("remount", mount(NULL, p, NULL, MS_REMOUNT | MS_BIND, NULL), EINVAL);
}

static int c_bind_dir(void) {
  mk("b_src");
  mk("b_dst");
  if (mnt_tmpfs("b_src", 0, NULL) != 0) return 0;
  mk("b_src/sub");
  write_file("b_src/sub/file", "hello");
  char s[256], d[256];
  path(s, "b_src/sub");
  path(d, "b_dst");
  if (!sb_succeeds("bind", mount(s, d, NULL, MS_BIND, NULL))) return 0;
  sb_value("visible: %d", exists("b_dst/file"));
  return exists("b_dst/file") && show_mountinfo("b_dst") == 1;
}

static int c_bind_ignores_flags(void) {
  /* MS_RDONLY with MS_BIND is ignored: a remount makes it read-only. */
  mk("b_ro");
  char s[256], d[256];
  path(s, "b_src");
  path(d, "b_ro");
  if (!sb_succeeds("bind", mount(s, d, NULL, MS_BIND | MS_RDONLY, NULL))) return 0;
  int ok = write_file("b_ro/w", "x") == 0;
  ok &= show_mountinfo("b_ro") == 1;
  return ok && umnt("b_ro", 0) == 0;
}

static int c_bind_file(void) {
  write_file("file_a", "AAA");
  write_file("file_b", "BBB");
  char s[256], d[256];
  path(s, "file_a");
  path(d, "file_b");
  if (!sb_succeeds("bind", mount(s, d, NULL, MS_BIND, NULL))) return 0;
  char buf[8] = {0};
  int fd = open(d, O_RDONLY);
  read(fd, buf, 7);
  close(fd);
  sb_value("file_b reads %s", buf);
  return strcmp(buf, "AAA") == 0 && umnt("file_b", 0) == 0;
}

static int c_bind_dir_on_file(void) {
  char s[256], d[256];
  path(s, "b_src");
  path(d, "file_b");
  return sb_errno_is("bind", mount(s, d, NULL, MS_BIND, NULL), ENOTDIR);
}

static int c_bind_enoent(void) {
  char s[256], d[256];
  path(s, "missing");
  path(d, "b_dst");
  return sb_errno_is("bind", mount(s, d, NULL, MS_BIND, NULL), ENOENT);
}

static int c_bind_empty_source(void) {
  char d[256];
  path(d, "b_dst");
  return sb_errno_is("bind", mount("", d, NULL, MS_BIND, NULL), EINVAL);
}

static int c_bind_rec(void) {
  mk("r_src");
  mk("r_flat");
  mk("r_rec");
  if (mnt_tmpfs("r_src", 0, NULL) != 0) return 0;
  mk("r_src/m");
  if (mnt_tmpfs("r_src/m", 0, NULL) != 0) return 0;
  write_file("r_src/m/in_sub", "x");
  char s[256], d[256];
  path(s, "r_src");
  path(d, "r_flat");
  int ok = sb_succeeds("bind", mount(s, d, NULL, MS_BIND, NULL));
  path(d, "r_rec");
  ok &= sb_succeeds("rbind", mount(s, d, NULL, MS_BIND | MS_REC, NULL));
  sb_value("flat sees submount: %d, rec sees submount: %d", exists("r_flat/m/in_sub"),
           exists("r_rec/m/in_sub"));
  sb_value("mounts under r_rec: %d", count_mounts_under("r_rec"));
  return ok && !exists("r_flat/m/in_sub") && exists("r_rec/m/in_sub");
}

static int c_umount_busy_child(void) { return sb_errno_is("umount", umnt("r_rec", 0), EBUSY); }

static int c_umount_detach_tree(void) {
  int ok = sb_succeeds("umount", umnt("r_rec", MNT_DETACH));
  sb_value("mounts under r_rec: %d", count_mounts_under("r_rec"));
  return ok && count_mounts_under("r_rec") == 0;
}

static int c_unbindable(void) {
  char s[256], d[256];
  path(s, "r_src");
  int ok = sb_succeeds("unbindable", mount(NULL, s, NULL, MS_UNBINDABLE, NULL));
  ok &= show_mountinfo("r_src") == 1;
  path(d, "r_flat");
  ok &= sb_errno_is("bind", mount(s, d, NULL, MS_BIND, NULL), EINVAL);
  return ok;
}

static int c_private_slave(void) {
  char s[256];
  path(s, "r_src");
  int ok = sb_succeeds("private", mount(NULL, s, NULL, MS_PRIVATE, NULL));
  ok &= sb_succeeds("slave", mount(NULL, s, NULL, MS_SLAVE | MS_REC, NULL));
  return ok && show_mountinfo("r_src") == 1;
}

static int c_propagation_not_root(void) {
  char s[256];
  path(s, "r_src/m/..");
  mk("r_src/plain");
  path(s, "r_src/plain");
  return sb_errno_is("private", mount(NULL, s, NULL, MS_PRIVATE, NULL), EINVAL);
}

static int c_propagation_two_types(void) {
  char s[256];
  path(s, "r_src");
  return sb_errno_is("private|slave", mount(NULL, s, NULL, MS_PRIVATE | MS_SLAVE, NULL), EINVAL);
}

static int c_move(void) {
  mk("mv_a");
  mk("mv_b");
  if (mnt_tmpfs("mv_a", 0, NULL) != 0) return 0;
  write_file("mv_a/moved", "x");
  char s[256], d[256];
  path(s, "mv_a");
  path(d, "mv_b");
  int ok = sb_succeeds("move", mount(s, d, NULL, MS_MOVE, NULL));
  sb_value("at a: %d, at b: %d", exists("mv_a/moved"), exists("mv_b/moved"));
  ok &= show_mountinfo("mv_b") == 1 && show_mountinfo("mv_a") == 0;
  return ok && exists("mv_b/moved");
}

static int c_move_not_mount(void) {
  mk("mv_b/sub");
  char s[256], d[256];
  path(s, "mv_b/sub");
  path(d, "mv_a");
  return sb_errno_is("move", mount(s, d, NULL, MS_MOVE, NULL), EINVAL);
}

static int c_move_into_itself(void) {
  char s[256], d[256];
  path(s, "mv_b");
  path(d, "mv_b/sub");
  return sb_errno_is("move", mount(s, d, NULL, MS_MOVE, NULL), ELOOP);
}

static int c_umount_not_mountpoint(void) { return sb_errno_is("umount", umnt("mv_b/sub", 0), EINVAL); }
static int c_umount_enoent(void) { return sb_errno_is("umount", umnt("nope", 0), ENOENT); }
static int c_umount_bad_flags(void) { return sb_errno_is("umount", umnt("mv_b", 0x100), EINVAL); }

static int c_umount_busy_open(void) {
  char p[256];
  path(p, "mv_b/moved");
  int fd = open(p, O_RDONLY);
  int ok = sb_errno_is("umount", umnt("mv_b", 0), EBUSY);
  close(fd);
  return ok;
}

static int c_umount_busy_cwd(void) {
  char p[256];
  path(p, "mv_b");
  chdir(p);
  int ok = sb_errno_is("umount", umnt("mv_b", 0), EBUSY);
  chdir("/");
  return ok;
}

static int c_umount_detach_open(void) {
  char p[256];
  path(p, "mv_b/moved");
  int fd = open(p, O_RDONLY);
  int ok = sb_succeeds("umount", umnt("mv_b", MNT_DETACH));
  char c = 0;
  ok &= read(fd, &c, 1) == 1 && c == 'x';
  sb_value("read after detach: %c, visible: %d", c, exists("mv_b/moved"));
  close(fd);
  return ok && !exists("mv_b/moved");
}

static int c_umount_expire(void) {
  mk("ex");
  if (mnt_tmpfs("ex", 0, NULL) != 0) return 0;
  int ok = sb_errno_is("expire with detach", umnt("ex", MNT_EXPIRE | MNT_DETACH), EINVAL);
  ok &= sb_errno_is("expire 1", umnt("ex", MNT_EXPIRE), EAGAIN);
  ok &= sb_succeeds("expire 2", umnt("ex", MNT_EXPIRE));
  return ok;
}

static int c_umount_nofollow(void) {
  mk("nf");
  if (mnt_tmpfs("nf", 0, NULL) != 0) return 0;
  char l[256], t[256];
  path(l, "nf_link");
  path(t, "nf");
  symlink(t, l);
  int ok = sb_errno_is("umount nofollow", umount2(l, UMOUNT_NOFOLLOW), EINVAL);
  ok &= sb_succeeds("umount via link", umount2(l, 0));
  return ok && show_mountinfo("nf") == 0;
}

static int c_umount_stacked(void) {
  mk("st");
  if (mnt_tmpfs("st", 0, NULL) != 0) return 0;
  write_file("st/lower", "x");
  if (mnt_tmpfs("st", 0, NULL) != 0) return 0;
  int before = exists("st/lower");
  int ok = sb_succeeds("umount top", umnt("st", 0));
  sb_value("lower visible: before %d after %d", before, exists("st/lower"));
  return ok && !before && exists("st/lower") && umnt("st", 0) == 0;
}

static int c_mount_proc(void) {
  mk("proc");
  char p[256];
  path(p, "proc");
  if (!sb_succeeds("mount proc", mount("proc", p, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL)))
    return 0;
  char self[256], link[64] = {0}, want[32];
  path(self, "proc/self");
  readlink(self, link, sizeof link - 1);
  snprintf(want, sizeof want, "%d", getpid());
  sb_value("self is us: %d", strcmp(link, want) == 0);
  int ok = show_mountinfo("proc") == 1;
  return ok && strcmp(link, want) == 0 && umnt("proc", 0) == 0;
}

static int c_proc_mounts_line(void) {
  mk("pm");
  if (mnt_tmpfs("pm", MS_NOSUID | MS_NOEXEC, "mode=700") != 0) return 0;
  char want[256];
  path(want, "pm");
  FILE* f = fopen("/proc/self/mounts", "r");
  char line[1024];
  int found = 0;
  while (f && fgets(line, sizeof line, f)) {
    char src[128], mp[256], type[64], opts[512];
    if (sscanf(line, "%127s %255s %63s %511s", src, mp, type, opts) != 4) continue;
    if (strcmp(mp, want) != 0) continue;
    /* Only the per-mount words: the filesystem's own options vary by host. */
    char kept[256] = "";
    for (char* tok = strtok(opts, ","); tok; tok = strtok(NULL, ",")) {
      const char* known[] = {"ro", "rw", "nosuid", "nodev", "noexec", "noatime", "relatime", 0};
      for (int i = 0; known[i]; i++)
        if (strcmp(tok, known[i]) == 0) snprintf(kept + strlen(kept), 64, "%s%s", *kept ? "," : "", tok);
    }
    sb_value("mounts: %s pm %s %s", src, type, kept);
    found++;
  }
  if (f) fclose(f);
  return found == 1 && umnt("pm", 0) == 0;
}

static void eperm_child(void* arg) {
  (void)arg;
  if (setresuid(65534, 65534, 65534) != 0) _exit(2);
  char p[256];
  path(p, "t2");
  int ok = sb_errno_is("mount", mount("x", p, "tmpfs", 0, NULL), EPERM);
  ok &= sb_errno_is("umount", umount2(p, 0), EPERM);
  ok &= sb_errno_is("pivot_root", syscall(SYS_pivot_root, p, p), EPERM);
  ok &= sb_errno_is("chroot", chroot(p), EPERM);
  _exit(ok ? 0 : 1);
}

static int c_eperm(void) {
  int st = sb_in_child(eperm_child, NULL);
  return st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

/* pivot_root, in a child with a namespace of its own. */
static void pivot_child(void* arg) {
  (void)arg;
  int ok = 1;
  if (unshare(CLONE_NEWNS) != 0) _exit(3);
  mk("pv");
  char np[256], op[256];
  path(np, "pv");
  path(op, "pv/old");
  ok &= sb_errno_is("not a mount", syscall(SYS_pivot_root, np, np), EINVAL);
  if (mnt_tmpfs("pv", 0, NULL) != 0) _exit(4);
  mk("pv/old");
  write_file("pv/marker", "x");
  ok &= sb_errno_is("put_old outside", syscall(SYS_pivot_root, np, base), EINVAL);
  ok &= sb_errno_is("enotdir", syscall(SYS_pivot_root, np, "/proc/self/status"), ENOTDIR);
  ok &= sb_errno_is("enoent", syscall(SYS_pivot_root, np, "/nonexistent"), ENOENT);
  ok &= sb_errno_is("same root", syscall(SYS_pivot_root, "/", "/"), EBUSY);
  chdir("/");
  if (!sb_succeeds("pivot_root", syscall(SYS_pivot_root, np, op))) _exit(5);
  char cwd[256] = "";
  getcwd(cwd, sizeof cwd);
  struct stat st;
  char old_base[300];
  snprintf(old_base, sizeof old_base, "/old%s", base);
  sb_value("cwd=%s marker=%d old root has base=%d", cwd, stat("/marker", &st) == 0,
           stat(old_base, &st) == 0);
  ok &= sb_succeeds("umount old", umount2("/old", MNT_DETACH));
  sb_value("old after detach has base: %d", stat(old_base, &st) == 0);
  _exit(ok ? 0 : 1);
}

static int c_pivot_root(void) {
  int st = sb_in_child(pivot_child, NULL);
  if (!(st != -1 && WIFEXITED(st))) return 0;
  sb_value("child status %d", WEXITSTATUS(st));
  return WEXITSTATUS(st) == 0;
}

/* pivot_root(".", "."), then umount2(".", MNT_DETACH): the idiom of
 * container runtimes. */
static void pivot_dot_child(void* arg) {
  (void)arg;
  if (unshare(CLONE_NEWNS) != 0) _exit(3);
  mk("pd");
  if (mnt_tmpfs("pd", 0, NULL) != 0) _exit(4);
  write_file("pd/marker", "x");
  char p[256];
  path(p, "pd");
  if (chdir(p) != 0) _exit(5);
  int ok = sb_succeeds("pivot_root", syscall(SYS_pivot_root, ".", "."));
  ok &= sb_succeeds("umount", umount2(".", MNT_DETACH));
  ok &= chdir("/") == 0;
  struct stat st;
  sb_value("marker at /: %d", stat("/marker", &st) == 0);
  char cwd[256] = "";
  getcwd(cwd, sizeof cwd);
  sb_value("cwd=%s", cwd);
  _exit(ok && stat("/marker", &st) == 0 ? 0 : 1);
}

static int c_pivot_root_dot(void) {
  int st = sb_in_child(pivot_dot_child, NULL);
  return st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

/* chroot: errors, the new root, `..` at it, getcwd outside it. */
static void chroot_child(void* arg) {
  (void)arg;
  int ok = 1;
  mk("cr");
  mk("cr/in");
  write_file("cr/in/file", "x");
  write_file("cr/plain", "x");
  char p[256];
  path(p, "cr/plain");
  ok &= sb_errno_is("enotdir", chroot(p), ENOTDIR);
  path(p, "cr/none");
  ok &= sb_errno_is("enoent", chroot(p), ENOENT);
  ok &= sb_errno_is("efault", chroot((char*)1), EFAULT);
  int procfd = open("/proc", O_RDONLY | O_DIRECTORY);
  path(p, "cr");
  chdir(base);
  if (!sb_succeeds("chroot", chroot(p))) _exit(2);
  char cwd[512] = "";
  syscall(SYS_getcwd, cwd, sizeof cwd);
  /* Outside the new root: "(unreachable)" + the path from the old root. */
  size_t bl = strlen("(unreachable)");
  sb_value("cwd unreachable=%d rest_is_base=%d", strncmp(cwd, "(unreachable)", bl) == 0,
           strcmp(cwd + bl, base) == 0);
  char link[256] = "";
  readlinkat(procfd, "self/root", link, sizeof link - 1);
  sb_value("proc self/root=%s", link);
  chdir("/");
  syscall(SYS_getcwd, cwd, sizeof cwd);
  struct stat a, b;
  stat("/", &a);
  stat("/..", &b);
  sb_value("cwd=%s dotdot_is_root=%d in/file=%d", cwd, a.st_ino == b.st_ino && a.st_dev == b.st_dev,
           access("/in/file", F_OK) == 0);
  chdir("/../../..");
  syscall(SYS_getcwd, cwd, sizeof cwd);
  sb_value("after ../../..: %s", cwd);
  symlink("/../../..", "/esc");
  sb_value("symlink escape stays: %d", access("/esc/in/file", F_OK) == 0);
  /* Nested chroot. */
  ok &= sb_succeeds("chroot in", chroot("/in"));
  sb_value("nested sees file: %d", access("/file", F_OK) == 0);
  _exit(ok ? 0 : 1);
}

static int c_chroot(void) {
  int st = sb_in_child(chroot_child, NULL);
  return st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

static void chroot_eacces_child(void* arg) {
  (void)arg;
  mk("cra");
  mk("cra/locked");
  char p[256];
  path(p, "cra/locked");
  chmod(p, 0700);
  if (setresuid(65534, 65534, 65534) != 0) _exit(2);
  int ok = sb_errno_is("eacces", chroot(p), EACCES);
  path(p, "cra");
  ok &= sb_errno_is("eperm", chroot(p), EPERM);
  _exit(ok ? 0 : 1);
}

static int c_chroot_eacces(void) {
  int st = sb_in_child(chroot_eacces_child, NULL);
  return st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

int main(void) {
  sb_init();
  strcpy(base, "/tmp/sbmnt.XXXXXX");
  if (!mkdtemp(base)) return 1;
  chmod(base, 0755);
  pid_t pid = fork();
  if (pid == 0) {
    ns_ok = unshare(CLONE_NEWNS) == 0 && mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == 0;
    if (ns_ok) ns_ok = mount("sbbase", base, "tmpfs", 0, "mode=755") == 0;
    run("tmpfs_mount", c_tmpfs_mount);
    run("tmpfs_umount_uncovers", c_tmpfs_hides_and_umount);
    run("tmpfs_size", c_tmpfs_size);
    run("tmpfs_bad_option_einval", c_tmpfs_bad_option);
    run("unknown_type_enodev", c_unknown_type);
    run("null_type_einval", c_null_type);
    run("target_enoent", c_target_enoent);
    run("target_enotdir", c_target_enotdir);
    run("target_efault", c_target_efault);
    run("type_efault", c_type_efault);
    run("flags_ro", c_flags_ro);
    run("flags_nosuid_nodev_noexec", c_flags_nosuid_nodev_noexec);
    run("flags_noatime", c_flags_noatime);
    run("flags_strictatime", c_flags_strictatime);
    run("flags_nodiratime", c_flags_nodiratime);
    run("flags_magic_value", c_flags_magic);
    run("flags_nouser_einval", c_flags_nouser);
    run("remount_ro", c_remount_ro);
    run("remount_rw", c_remount_rw);
    run("remount_bind_ro", c_remount_bind_ro);
    run("remount_not_root_einval", c_remount_not_root);
    run("bind_dir", c_bind_dir);
    run("bind_ignores_flags", c_bind_ignores_flags);
    run("bind_file", c_bind_file);
    run("bind_dir_on_file_enotdir", c_bind_dir_on_file);
    run("bind_enoent", c_bind_enoent);
    run("bind_empty_source_einval", c_bind_empty_source);
    run("bind_rec", c_bind_rec);
    run("umount_busy_child", c_umount_busy_child);
    run("umount_detach_tree", c_umount_detach_tree);
    run("unbindable", c_unbindable);
    run("private_slave", c_private_slave);
    run("propagation_not_root_einval", c_propagation_not_root);
    run("propagation_two_types_einval", c_propagation_two_types);
    run("move", c_move);
    run("move_not_mount_einval", c_move_not_mount);
    run("move_into_itself_eloop", c_move_into_itself);
    run("umount_not_mountpoint_einval", c_umount_not_mountpoint);
    run("umount_enoent", c_umount_enoent);
    run("umount_bad_flags_einval", c_umount_bad_flags);
    run("umount_busy_open_file", c_umount_busy_open);
    run("umount_busy_cwd", c_umount_busy_cwd);
    run("umount_detach_open_file", c_umount_detach_open);
    run("umount_expire", c_umount_expire);
    run("umount_nofollow", c_umount_nofollow);
    run("umount_stacked", c_umount_stacked);
    run("mount_proc", c_mount_proc);
    run("proc_mounts_line", c_proc_mounts_line);
    run("eperm_without_cap", c_eperm);
    run("pivot_root", c_pivot_root);
    run("pivot_root_dot", c_pivot_root_dot);
    run("chroot", c_chroot);
    run("chroot_eacces_eperm", c_chroot_eacces);
    fflush(stdout);
    _exit(sb_failed ? 1 : 0);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  rmdir(base);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) sb_failed++;
  return sb_finish();
}
