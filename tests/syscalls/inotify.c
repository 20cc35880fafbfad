/* inotify: instances, watches, the events of namespace and file
 * operations, queue semantics (merging, overflow, sizes), readiness and
 * limits. Works in a fresh directory under /tmp, removed at the end.
 * See sbtest.h for the output contract. */
#include "sbtest.h"

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/time.h>

static char dir[64];
static char path_buf[4][128];

static const char* P(int slot, const char* name) {
  snprintf(path_buf[slot], sizeof path_buf[slot], "%s/%s", dir, name);
  return path_buf[slot];
}

static void mask_str(uint32_t m, char* out, size_t n) {
  static const struct {
    uint32_t bit;
    const char* name;
  } names[] = {{IN_ACCESS, "ACCESS"},
               {IN_MODIFY, "MODIFY"},
               {IN_ATTRIB, "ATTRIB"},
               {IN_CLOSE_WRITE, "CLOSE_WRITE"},
               {IN_CLOSE_NOWRITE, "CLOSE_NOWRITE"},
               {IN_OPEN, "OPEN"},
               {IN_MOVED_FROM, "MOVED_FROM"},
               {IN_MOVED_TO, "MOVED_TO"},
               {IN_CREATE, "CREATE"},
               {IN_DELETE, "DELETE"},
               {IN_DELETE_SELF, "DELETE_SELF"},
               {IN_MOVE_SELF, "MOVE_SELF"},
               {IN_UNMOUNT, "UNMOUNT"},
               {IN_Q_OVERFLOW, "Q_OVERFLOW"},
               {IN_IGNORED, "IGNORED"},
               {IN_ISDIR, "ISDIR"}};
  out[0] = 0;
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
    if (m & names[i].bit) {
      if (out[0]) strncat(out, "|", n - strlen(out) - 1);
      strncat(out, names[i].name, n - strlen(out) - 1);
      m &= ~names[i].bit;
    }
  }
  if (m) snprintf(out + strlen(out), n - strlen(out), "|%#x", m);
}

/* Reads every queued event (the fd is non-blocking) and prints one line
 * each: "wd MASK [name]"; cookies as "c" + which pair they belong to.
 * Returns the number of events. */
static uint32_t cookies[16];
static int ncookies;
static int drain(int fd) {
  char buf[8192] __attribute__((aligned(8)));
  int count = 0;
  for (;;) {
    ssize_t n = read(fd, buf, sizeof buf);
    if (n <= 0) break;
    for (char* p = buf; p < buf + n;) {
      struct inotify_event* e = (struct inotify_event*)p;
      char m[160];
      mask_str(e->mask, m, sizeof m);
      char c[32] = "";
      if (e->cookie) {
        int k;
        for (k = 0; k < ncookies && cookies[k] != e->cookie; k++) {
        }
        if (k == ncookies && ncookies < 16) cookies[ncookies++] = e->cookie;
        snprintf(c, sizeof c, " cookie#%d", k);
      }
      sb_value("wd=%d %s%s%s%s", e->wd, m, c, e->len ? " " : "", e->len ? e->name : "");
      p += sizeof *e + e->len;
      count++;
    }
  }
  return count;
}

static int new_fd(void) { return inotify_init1(IN_NONBLOCK | IN_CLOEXEC); }

static void touch(const char* p) {
  int fd = open(p, O_CREAT | O_WRONLY, 0644);
  close(fd);
}

static void test_init(void) {
  SB_ERRNO("init1_bad_flags_einval", inotify_init1(0x1), EINVAL);
  int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  sb_case("init1_flags",
          fd >= 0 && (fcntl(fd, F_GETFL) & O_NONBLOCK) && fcntl(fd, F_GETFD) == FD_CLOEXEC);
  int fd2 = inotify_init();
  sb_case("init_plain",
          fd2 >= 0 && !(fcntl(fd2, F_GETFL) & O_NONBLOCK) && fcntl(fd2, F_GETFD) == 0);
  char link[64], target[128];
  snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
  ssize_t n = readlink(link, target, sizeof target - 1);
  target[n > 0 ? n : 0] = 0;
  sb_value("link=%s", target);
  sb_case("inotify_fd_link", strcmp(target, "anon_inode:inotify") == 0);
  SB_ERRNO("add_watch_zero_mask_einval", inotify_add_watch(fd, dir, 0), EINVAL);
  SB_ERRNO("add_watch_unknown_bit_einval", inotify_add_watch(fd, dir, IN_OPEN | 0x10000), EINVAL);
  SB_ERRNO("add_watch_add_create_einval",
           inotify_add_watch(fd, dir, IN_OPEN | IN_MASK_ADD | IN_MASK_CREATE), EINVAL);
  SB_ERRNO("add_watch_ebadf", inotify_add_watch(999, dir, IN_OPEN), EBADF);
  int pfd[2];
  pipe(pfd);
  SB_ERRNO("add_watch_not_inotify_einval", inotify_add_watch(pfd[0], dir, IN_OPEN), EINVAL);
  SB_ERRNO("rm_watch_not_inotify_einval", inotify_rm_watch(pfd[0], 1), EINVAL);
  close(pfd[0]), close(pfd[1]);
  SB_ERRNO("add_watch_enoent", inotify_add_watch(fd, P(0, "nope"), IN_OPEN), ENOENT);
  touch(P(0, "f"));
  SB_ERRNO("add_watch_onlydir_enotdir", inotify_add_watch(fd, P(0, "f"), IN_OPEN | IN_ONLYDIR),
           ENOTDIR);
  SB_ERRNO("add_watch_efault", inotify_add_watch(fd, (char*)8, IN_OPEN), EFAULT);
  int w1 = inotify_add_watch(fd, dir, IN_CREATE);
  int w2 = inotify_add_watch(fd, P(0, "f"), IN_OPEN);
  int w3 = inotify_add_watch(fd, dir, IN_DELETE);
  sb_value("wds=%d,%d,%d", w1, w2, w3);
  sb_case("add_watch_same_inode_same_wd", w1 == 1 && w2 == 2 && w3 == 1);
  SB_ERRNO("add_watch_mask_create_eexist", inotify_add_watch(fd, dir, IN_OPEN | IN_MASK_CREATE),
           EEXIST);
  sb_case("rm_watch", inotify_rm_watch(fd, w2) == 0);
  SB_ERRNO("rm_watch_again_einval", inotify_rm_watch(fd, w2), EINVAL);
  SB_ERRNO("rm_watch_bad_einval", inotify_rm_watch(fd, 77), EINVAL);
  int w4 = inotify_add_watch(fd, P(0, "f"), IN_OPEN);
  sb_value("new wd=%d", w4);
  sb_case("wd_not_reused_at_once", w4 == 3);
  drain(fd);
  sb_case("rm_watch_ignored_event", 1);
  unlink(P(0, "f"));
  close(fd2);
  close(fd);
}

static void test_file_events(void) {
  int fd = new_fd();
  int wd = inotify_add_watch(fd, dir, IN_ALL_EVENTS);
  sb_value("wd=%d", wd);
  int f = open(P(0, "a"), O_CREAT | O_WRONLY, 0644);
  write(f, "x", 1);
  write(f, "y", 1);
  close(f);
  sb_case("create_open_modify_close", drain(fd) == 4);
  f = open(P(0, "a"), O_RDONLY);
  char c;
  read(f, &c, 1);
  read(f, &c, 1);
  read(f, &c, 1); /* end of file: no event */
  close(f);
  sb_case("open_access_close_nowrite", drain(fd) == 3);
  chmod(P(0, "a"), 0600);
  sb_case("chmod_attrib", drain(fd) == 1);
  struct timespec ts[2] = {{1, 0}, {2, 0}};
  utimensat(AT_FDCWD, P(0, "a"), ts, 0);
  struct timespec ts_a[2] = {{3, 0}, {0, UTIME_OMIT}};
  utimensat(AT_FDCWD, P(0, "a"), ts_a, 0);
  struct timespec ts_m[2] = {{0, UTIME_OMIT}, {4, 0}};
  utimensat(AT_FDCWD, P(0, "a"), ts_m, 0);
  sb_case("utimens_events", drain(fd) == 3);
  chown(P(0, "a"), -1, -1);
  chown(P(0, "a"), geteuid(), -1);
  sb_case("chown_attrib", drain(fd) == 1);
  f = open(P(0, "a"), O_WRONLY | O_TRUNC);
  close(f);
  sb_case("open_trunc_events", drain(fd) == 3);
  f = open(P(0, "a"), O_RDWR);
  ftruncate(f, 10);
  pwrite(f, "z", 1, 3);
  close(f);
  sb_case("ftruncate_pwrite_modify", drain(fd) == 3);
  int pfd[2];
  pipe(pfd);
  write(pfd[1], "spl", 3);
  f = open(P(0, "a"), O_WRONLY);
  ssize_t s = splice(pfd[0], NULL, f, NULL, 3, 0);
  close(f);
  close(pfd[0]), close(pfd[1]);
  sb_value("splice=%zd", s);
  sb_case("splice_modify", drain(fd) == 3);
  mkdir(P(0, "d"), 0755);
  rmdir(P(0, "d"));
  sb_case("mkdir_rmdir_isdir", drain(fd) == 2);
  ncookies = 0;
  rename(P(0, "a"), P(1, "b"));
  sb_case("rename_cookie_pair", drain(fd) == 2 && ncookies == 1);
  link(P(0, "b"), P(1, "c"));
  unlink(P(0, "c"));
  symlink("b", P(0, "s"));
  unlink(P(0, "s"));
  mknod(P(0, "fifo"), S_IFIFO | 0600, 0);
  unlink(P(0, "fifo"));
  sb_case("link_symlink_mknod", drain(fd) == 6);
  DIR* d = opendir(dir);
  while (readdir(d)) {
  }
  closedir(d);
  sb_case("readdir_events", drain(fd) >= 3);
  unlink(P(0, "b"));
  sb_case("unlink_delete", drain(fd) == 1);
  close(fd);
}

static void test_self_events(void) {
  int fd = new_fd();
  touch(P(0, "t"));
  int wdir = inotify_add_watch(fd, dir, IN_ALL_EVENTS);
  int wf = inotify_add_watch(fd, P(0, "t"), IN_ALL_EVENTS);
  sb_value("wdir=%d wf=%d", wdir, wf);
  int f = open(P(0, "t"), O_WRONLY);
  write(f, "1", 1);
  close(f);
  sb_case("parent_then_self", drain(fd) == 6);
  ncookies = 0;
  rename(P(0, "t"), P(1, "u"));
  sb_case("move_self", drain(fd) == 3);
  touch(P(0, "v"));
  int wv = inotify_add_watch(fd, P(0, "v"), IN_ALL_EVENTS);
  sb_value("wv=%d", wv);
  drain(fd);
  ncookies = 0;
  rename(P(0, "u"), P(1, "v")); /* replaces the watched v */
  sb_case("rename_over_watched", drain(fd) == 6);
  /* Open while unlinked: DELETE_SELF waits for the last close. */
  f = open(P(0, "v"), O_RDONLY);
  drain(fd);
  unlink(P(0, "v"));
  sb_case("unlink_open_file", drain(fd) == 2);
  close(f);
  sb_case("delete_self_at_close", drain(fd) == 4);
  mkdir(P(0, "sub"), 0755);
  int ws = inotify_add_watch(fd, P(0, "sub"), IN_ALL_EVENTS);
  sb_value("ws=%d", ws);
  drain(fd);
  rmdir(P(0, "sub"));
  sb_case("rmdir_delete_self", drain(fd) == 3);
  close(fd);
}

static void test_flags(void) {
  int fd = new_fd();
  touch(P(0, "o"));
  int w = inotify_add_watch(fd, P(0, "o"), IN_OPEN | IN_ONESHOT);
  int f = open(P(0, "o"), O_RDONLY);
  close(f);
  f = open(P(0, "o"), O_RDONLY);
  close(f);
  sb_value("wd=%d", w);
  sb_case("oneshot", drain(fd) == 2);
  w = inotify_add_watch(fd, P(0, "o"), IN_OPEN);
  int w2 = inotify_add_watch(fd, P(0, "o"), IN_CLOSE_NOWRITE | IN_MASK_ADD);
  f = open(P(0, "o"), O_RDONLY);
  close(f);
  sb_case("mask_add", w == w2 && drain(fd) == 2);
  inotify_add_watch(fd, P(0, "o"), IN_CLOSE_NOWRITE);
  f = open(P(0, "o"), O_RDONLY);
  close(f);
  sb_case("mask_replace", drain(fd) == 1);
  symlink("o", P(0, "l"));
  int wl = inotify_add_watch(fd, P(0, "l"), IN_ATTRIB | IN_DONT_FOLLOW);
  int wt = inotify_add_watch(fd, P(0, "l"), IN_ATTRIB);
  sb_value("wl=%d wt=%d target=%d", wl, wt, w);
  sb_case("dont_follow", wl != wt && wt == w);
  unlink(P(0, "l"));
  drain(fd);
  unlink(P(0, "o"));
  drain(fd);
  close(fd);
}

static void test_queue(void) {
  int fd = new_fd();
  int wd = inotify_add_watch(fd, dir, IN_CREATE | IN_DELETE);
  touch(P(0, "a"));
  touch(P(0, "abcdefghijklmno"));  /* 15 chars: len 16 */
  touch(P(0, "abcdefghijklmnop")); /* 16 chars: len 32 */
  int avail = -1;
  ioctl(fd, FIONREAD, &avail);
  sb_value("fionread=%d", avail);
  sb_case("fionread", avail == (16 + 16) + (16 + 16) + (16 + 32));
  char small[20];
  SB_ERRNO("read_small_einval", read(fd, small, 20), EINVAL);
  char buf[256] __attribute__((aligned(8)));
  ssize_t n = read(fd, buf, 16 + 16 + 16 + 16 + 10);
  sb_value("read=%zd", n);
  sb_case("read_whole_events_only", n == 64);
  struct inotify_event* e = (struct inotify_event*)buf;
  sb_value("len=%u", e->len);
  sb_case("name_padding", e->len == 16 && e->wd == wd);
  n = read(fd, buf, sizeof buf);
  e = (struct inotify_event*)buf;
  sb_case("name_padding_32", n == 48 && e->len == 32);
  SB_ERRNO("read_empty_eagain", read(fd, buf, sizeof buf), EAGAIN);
  struct pollfd p = {fd, POLLIN, 0};
  int r0 = poll(&p, 1, 0);
  unlink(P(0, "a"));
  int r1 = poll(&p, 1, 0);
  sb_value("poll before=%d after=%d revents=%#x", r0, r1, p.revents);
  sb_case("poll_readiness", r0 == 0 && r1 == 1 && p.revents == POLLIN);
  int ep = epoll_create1(0);
  struct epoll_event ev = {.events = EPOLLIN, .data.u32 = 7};
  epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
  struct epoll_event out;
  int e1 = epoll_wait(ep, &out, 1, 0);
  drain(fd);
  int e2 = epoll_wait(ep, &out, 1, 0);
  sb_case("epoll_readiness", e1 == 1 && out.data.u32 == 7 && e2 == 0);
  close(ep);
  unlink(P(0, "abcdefghijklmno"));
  unlink(P(0, "abcdefghijklmnop"));
  drain(fd);
  /* Identical consecutive events merge; different ones do not. */
  int wf = inotify_add_watch(fd, dir, IN_MODIFY | IN_OPEN | IN_CLOSE);
  int f = open(P(0, "m"), O_CREAT | O_WRONLY, 0644);
  for (int i = 0; i < 5; i++) write(f, "m", 1);
  close(f);
  sb_value("wd=%d", wf);
  sb_case("merge_identical", drain(fd) == 3);
  /* Overflow at max_queued_events. */
  int max = 0;
  FILE* mf = fopen("/proc/sys/fs/inotify/max_queued_events", "r");
  if (mf) fscanf(mf, "%d", &max), fclose(mf);
  inotify_add_watch(fd, P(0, "m"), IN_OPEN | IN_CLOSE_NOWRITE);
  for (int i = 0; i < max / 2 + 4; i++) {
    f = open(P(0, "m"), O_RDONLY);
    close(f);
  }
  int count = 0, last_wd = 0;
  uint32_t last_mask = 0;
  for (;;) {
    char big[4096] __attribute__((aligned(8)));
    ssize_t k = read(fd, big, sizeof big);
    if (k <= 0) break;
    for (char* q = big; q < big + k;) {
      struct inotify_event* ev2 = (struct inotify_event*)q;
      count++;
      last_wd = ev2->wd;
      last_mask = ev2->mask;
      q += sizeof *ev2 + ev2->len;
    }
  }
  sb_value("count=max+%d last wd=%d mask=%#x", count - max, last_wd, last_mask);
  sb_case("queue_overflow", count == max + 1 && last_wd == -1 && last_mask == IN_Q_OVERFLOW);
  unlink(P(0, "m"));
  close(fd);
}

static void test_blocking(void) {
  int fd = inotify_init();
  inotify_add_watch(fd, dir, IN_CREATE);
  pid_t pid = fork();
  if (pid == 0) {
    usleep(100000);
    touch(P(0, "late"));
    _exit(0);
  }
  char buf[256] __attribute__((aligned(8)));
  ssize_t n = read(fd, buf, sizeof buf);
  struct inotify_event* e = (struct inotify_event*)buf;
  sb_value("n=%zd name=%s", n, n > 0 ? e->name : "");
  sb_case("blocking_read", n == 32 && strcmp(e->name, "late") == 0);
  waitpid(pid, NULL, 0);
  unlink(P(0, "late"));
  close(fd);
}

static void test_proc_and_limits(void) {
  const char* names[] = {"max_queued_events", "max_user_instances", "max_user_watches"};
  int ok = 1;
  int vals[3] = {0};
  for (int i = 0; i < 3; i++) {
    char p[96];
    snprintf(p, sizeof p, "/proc/sys/fs/inotify/%s", names[i]);
    FILE* f = fopen(p, "r");
    if (!f || fscanf(f, "%d", &vals[i]) != 1 || vals[i] <= 0) ok = 0;
    if (f) fclose(f);
  }
  sb_case("proc_sys_fs_inotify", ok);
  int fds[1100];
  int n = 0, err = 0;
  for (; n < vals[1] + 1 && n < 1100; n++) {
    fds[n] = inotify_init1(IN_CLOEXEC);
    if (fds[n] < 0) {
      err = errno;
      break;
    }
  }
  sb_value("err=%s", err ? strerrorname_np(err) : "none");
  sb_case("max_user_instances_emfile", err == EMFILE);
  for (int i = 0; i < n; i++) close(fds[i]);
  int fd = new_fd();
  int wd = inotify_add_watch(fd, dir, IN_CREATE | IN_DELETE);
  char path[64], line[256];
  snprintf(path, sizeof path, "/proc/self/fdinfo/%d", fd);
  FILE* f = fopen(path, "r");
  int found = 0;
  unsigned mask = 0;
  while (f && fgets(line, sizeof line, f)) {
    int w;
    if (sscanf(line, "inotify wd:%x ", &w) == 1 && w == wd) {
      char* m = strstr(line, " mask:");
      if (m) sscanf(m, " mask:%x", &mask);
      found = 1;
    }
  }
  if (f) fclose(f);
  sb_value("mask=%#x", mask);
  sb_case("fdinfo_watch_line", found && mask == (IN_CREATE | IN_DELETE));
  /* Permission: read access to the watched file. */
  if (geteuid() != 0) {
    sb_skip("add_watch_eacces", "needs root to become another user");
  } else {
    int g = open(P(0, "secret"), O_CREAT | O_WRONLY, 0600);
    close(g);
    pid_t pid = fork();
    if (pid == 0) {
      if (setresgid(65534, 65534, 65534) || setresuid(65534, 65534, 65534)) _exit(9);
      int ifd = inotify_init();
      int r = inotify_add_watch(ifd, P(0, "secret"), IN_OPEN);
      _exit(r == -1 && errno == EACCES ? 0 : 1);
    }
    int st;
    waitpid(pid, &st, 0);
    sb_case("add_watch_eacces", WIFEXITED(st) && WEXITSTATUS(st) == 0);
    unlink(P(0, "secret"));
  }
  close(fd);
}

int main(void) {
  sb_init();
  snprintf(dir, sizeof dir, "/tmp/sb-inotify-%d", getpid());
  mkdir(dir, 0755);
  test_init();
  test_file_events();
  test_self_events();
  test_flags();
  test_queue();
  test_blocking();
  test_proc_and_limits();
  rmdir(dir);
  return sb_finish();
}
