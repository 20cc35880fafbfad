/* getdents (struct linux_dirent) beside getdents64, and directory offsets
 * that survive deletes (telldir/seekdir). See sbtest.h. */
#include "sbtest.h"

#include <dirent.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/syscall.h>

struct old_dirent {
  unsigned long d_ino;
  unsigned long d_off;
  unsigned short d_reclen;
  char d_name[];
};

static int cmp(const void* a, const void* b) { return strcmp(*(char**)a, *(char**)b); }

static void mkfiles(const char* d, int n) {
  mkdir(d, 0700);
  for (int i = 0; i < n; i++) {
    char p[256];
    snprintf(p, sizeof p, "%s/f%02d", d, i);
    close(open(p, O_CREAT | O_WRONLY, 0600));
  }
  char p[256];
  snprintf(p, sizeof p, "%s/sub", d);
  mkdir(p, 0700);
  snprintf(p, sizeof p, "%s/lnk", d);
  symlink("f00", p);
}

static void rmfiles(const char* d, int n) {
  char p[256];
  for (int i = 0; i < n; i++) {
    snprintf(p, sizeof p, "%s/f%02d", d, i);
    unlink(p);
  }
  snprintf(p, sizeof p, "%s/sub", d);
  rmdir(p);
  snprintf(p, sizeof p, "%s/lnk", d);
  unlink(p);
  rmdir(d);
}

/* Lists `d` with the old getdents: sorted "name:type" and checks. */
static void test_old(const char* tag, const char* d) {
  int fd = open(d, O_RDONLY | O_DIRECTORY);
  char buf[4096] __attribute__((aligned(8)));
  char* names[64];
  int count = 0, bad = 0;
  long n;
  while ((n = syscall(SYS_getdents, fd, buf, sizeof buf)) > 0) {
    for (long pos = 0; pos < n;) {
      struct old_dirent* e = (struct old_dirent*)(buf + pos);
      unsigned char type = buf[pos + e->d_reclen - 1];
      size_t want = (offsetof(struct old_dirent, d_name) + strlen(e->d_name) + 2 + 7) & ~7UL;
      if (e->d_reclen != want) bad++;
      char* s = malloc(300);
      snprintf(s, 300, "%s:%d", e->d_name, type);
      if (count < 64) names[count++] = s;
      pos += e->d_reclen;
    }
  }
  qsort(names, count, sizeof(char*), cmp);
  char line[2048] = "";
  for (int i = 0; i < count; i++) {
    strcat(line, names[i]);
    strcat(line, " ");
    free(names[i]);
  }
  sb_value("%s", line);
  char name[64];
  snprintf(name, sizeof name, "getdents_old_%s", tag);
  sb_case(name, n == 0 && bad == 0 && count == 10);
  close(fd);
}

static void test_old_errors(const char* d) {
  int fd = open(d, O_RDONLY | O_DIRECTORY);
  char buf[16];
  snprintf(buf, 2, "x");
  SB_ERRNO("getdents_old_small_buf_einval", syscall(SYS_getdents, fd, buf, 10), EINVAL);
  SB_ERRNO("getdents_old_bad_buf_efault", syscall(SYS_getdents, fd, (void*)8, 4096), EFAULT);
  SB_ERRNO("getdents_old_badfd_ebadf", syscall(SYS_getdents, 999, buf, sizeof buf), EBADF);
  close(fd);
  char p[256];
  snprintf(p, sizeof p, "%s/f00", d);
  fd = open(p, O_RDONLY);
  char big[512];
  SB_ERRNO("getdents_old_file_enotdir", syscall(SYS_getdents, fd, big, sizeof big), ENOTDIR);
  SB_ERRNO("getdents64_file_enotdir", syscall(SYS_getdents64, fd, big, sizeof big), ENOTDIR);
  close(fd);
  /* Both calls list the same names in the same order with the same offsets. */
  int a = open(d, O_RDONLY | O_DIRECTORY), b = open(d, O_RDONLY | O_DIRECTORY);
  char b1[4096] __attribute__((aligned(8))), b2[4096] __attribute__((aligned(8)));
  long n1 = syscall(SYS_getdents, a, b1, sizeof b1);
  long n2 = syscall(SYS_getdents64, b, b2, sizeof b2);
  int same = n1 == n2;
  for (long pos = 0; same && pos < n1;) {
    struct old_dirent* e1 = (struct old_dirent*)(b1 + pos);
    struct dirent64* e2 = (struct dirent64*)(b2 + pos);
    same = e1->d_ino == e2->d_ino && (long)e1->d_off == e2->d_off &&
           e1->d_reclen == e2->d_reclen && strcmp(e1->d_name, e2->d_name) == 0 &&
           (unsigned char)b1[pos + e1->d_reclen - 1] == e2->d_type;
    pos += e1->d_reclen;
  }
  sb_value("same sizes: %d", n1 == n2);
  sb_case("getdents_old_matches_64", same);
  close(a);
  close(b);
}

/* Reads half, saves the position, deletes entries already read, reopens
 * the saved position: the rest is exactly what was not read yet. */
static void test_offsets(const char* tag, const char* d) {
  DIR* dir = opendir(d);
  char* seen[64];
  int nseen = 0;
  struct dirent* e;
  for (int i = 0; i < 6 && (e = readdir(dir)); i++) seen[nseen++] = strdup(e->d_name);
  long pos = telldir(dir);
  char* rest[64];
  int nrest = 0;
  while ((e = readdir(dir))) rest[nrest++] = strdup(e->d_name);
  for (int i = 0; i < nseen; i++) {
    if (seen[i][0] == 'f') {
      char p[256];
      snprintf(p, sizeof p, "%s/%s", d, seen[i]);
      unlink(p);
    }
  }
  seekdir(dir, pos);
  int again = 0, match = 1;
  while ((e = readdir(dir))) {
    if (again >= nrest || strcmp(e->d_name, rest[again]) != 0) match = 0;
    again++;
  }
  sb_value("read after seekdir: %d of %d", again, nrest);
  char name[64];
  snprintf(name, sizeof name, "getdents64_offsets_survive_deletes_%s", tag);
  sb_case(name, match && again == nrest);
  /* A fresh listing has exactly the entries left. */
  int deleted = 0;
  for (int i = 0; i < nseen; i++) deleted += seen[i][0] == 'f';
  rewinddir(dir);
  int total = 0;
  while ((e = readdir(dir))) total++;
  sb_value("after deletes: %s", total == 10 - deleted ? "as expected" : "wrong");
  snprintf(name, sizeof name, "getdents64_rewind_after_delete_%s", tag);
  sb_case(name, total == 10 - deleted);
  closedir(dir);
  for (int i = 0; i < nseen; i++) free(seen[i]);
  for (int i = 0; i < nrest; i++) free(rest[i]);
}

int main(void) {
  sb_init();
  const char* shm = "/dev/shm/sb_dirents";
  const char* tmp = "/tmp/sb_dirents";
  rmfiles(shm, 6);
  rmfiles(tmp, 6);
  mkfiles(shm, 6);
  mkfiles(tmp, 6);
  test_old("tmpfs", shm);
  test_old("tmp", tmp);
  test_old_errors(shm);
  test_offsets("tmpfs", shm);
  test_offsets("tmp", tmp);
  rmfiles(shm, 6);
  rmfiles(tmp, 6);
  return sb_finish();
}
