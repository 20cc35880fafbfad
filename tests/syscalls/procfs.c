/* /proc: the per-process files (stat, status, maps, smaps, fd, task, ...)
 * and the system-wide ones (meminfo, stat, uptime, loadavg, version, sys).
 * Prints only what is the same natively and in the sandbox: field names
 * and their order, column counts, and values compared with what the
 * syscalls say (getpid, getcwd, ...), never the values themselves when
 * they depend on the machine. The *_shape cases print a file's shape
 * (issue 5: the same field names, order and counts as Linux's). See
 * sbtest.h for the output contract. */
#include "sbtest.h"

#include <ctype.h>
#include <dirent.h>
#include <elf.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <sys/auxv.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <time.h>

static char buf[1 << 20];

/* Reads the whole file into buf (NUL-terminated); its length or -1. */
static long slurp(const char* path) {
  int fd = open(path, O_RDONLY);
  if (fd < 0) return -1;
  long n = 0;
  for (;;) {
    ssize_t r = read(fd, buf + n, sizeof buf - 1 - n);
    if (r < 0) {
      close(fd);
      return -1;
    }
    if (r == 0) break;
    n += r;
  }
  close(fd);
  buf[n] = 0;
  return n;
}

static int write_str(const char* path, const char* s) {
  int fd = open(path, O_WRONLY | O_TRUNC);
  if (fd < 0) return -1;
  ssize_t w = write(fd, s, strlen(s));
  close(fd);
  return w == (ssize_t)strlen(s) ? 0 : -1;
}

/* The value of "Key:\t..." in a status-like text (static buffer). */
static const char* field(const char* text, const char* key) {
  static char val[4096];
  size_t kl = strlen(key);
  for (const char* p = text; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
    if (strncmp(p, key, kl) == 0 && p[kl] == ':') {
      const char* v = p + kl + 1;
      while (*v == '\t' || *v == ' ') v++;
      size_t n = strcspn(v, "\n");
      if (n >= sizeof val) n = sizeof val - 1;
      memcpy(val, v, n);
      val[n] = 0;
      return val;
    }
  }
  return NULL;
}

/* Prints the "Name:" keys of a text, one line, comma-separated. */
static int print_keys(const char* text, char sep) {
  char out[8192] = "";
  int count = 0;
  for (const char* p = text; *p;) {
    const char* end = strchr(p, '\n');
    if (!end) end = p + strlen(p);
    const char* c = memchr(p, sep, end - p);
    if (c) {
      if (strlen(out) + (c - p) + 2 < sizeof out) {
        if (count) strcat(out, ",");
        strncat(out, p, c - p);
      }
      count++;
    }
    p = *end ? end + 1 : end;
  }
  sb_value("keys(%d)=%s", count, out);
  return count;
}

static int count_fields(const char* s) {
  int n = 0, in = 0;
  for (; *s && *s != '\n'; s++) {
    if (isspace((unsigned char)*s)) {
      in = 0;
    } else if (!in) {
      in = 1;
      n++;
    }
  }
  return n;
}

/* Fields of /proc/self/stat after the comm: [0] is field 3 (state). */
static int stat_fields(const char* path, char fields[64][32], char* comm, size_t comm_len) {
  if (slurp(path) < 0) return -1;
  char* open_paren = strchr(buf, '(');
  char* close_paren = strrchr(buf, ')');
  if (!open_paren || !close_paren) return -1;
  size_t cl = close_paren - open_paren - 1;
  if (cl >= comm_len) cl = comm_len - 1;
  memcpy(comm, open_paren + 1, cl);
  comm[cl] = 0;
  int n = 0;
  char* save = NULL;
  for (char* tok = strtok_r(close_paren + 1, " \n", &save); tok && n < 64;
       tok = strtok_r(NULL, " \n", &save)) {
    snprintf(fields[n++], 32, "%s", tok);
  }
  return n + 2; /* pid and comm */
}

static int dir_count(const char* path) {
  DIR* d = opendir(path);
  if (!d) return -1;
  int n = 0;
  struct dirent* e;
  while ((e = readdir(d)) != NULL) {
    if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) n++;
  }
  closedir(d);
  return n;
}

static int dir_has(const char* path, const char* name) {
  DIR* d = opendir(path);
  if (!d) return 0;
  int found = 0;
  struct dirent* e;
  while ((e = readdir(d)) != NULL) found |= strcmp(e->d_name, name) == 0;
  closedir(d);
  return found;
}

static void test_stat(void) {
  char f[64][32], comm[64];
  int n = stat_fields("/proc/self/stat", f, comm, sizeof comm);
  sb_value("fields=%d", n);
  sb_case("stat_shape", n == 52);
  char pid[32];
  if (slurp("/proc/self/stat") > 0) sscanf(buf, "%31s", pid);
  sb_case("stat_pid_is_getpid", atoi(pid) == getpid());
  sb_value("comm=%s state=%s", comm, f[0]);
  sb_case("stat_comm_and_state", strcmp(comm, "procfs") == 0 && strcmp(f[0], "R") == 0);
  sb_case("stat_ppid_is_getppid", atoi(f[1]) == getppid());
  sb_case("stat_pgrp_session", atoi(f[2]) == getpgrp() && atoi(f[3]) == getsid(0));
  sb_value("num_threads=%s", f[17]);
  sb_case("stat_num_threads", atoi(f[17]) == 1);
  sb_case("stat_exit_signal_sigchld", atoi(f[35]) == SIGCHLD);
  struct rlimit rl;
  getrlimit(RLIMIT_RSS, &rl);
  sb_case("stat_rsslim", strtoull(f[22], NULL, 10) == (unsigned long long)rl.rlim_cur);
  unsigned long long start = strtoull(f[19], NULL, 10);
  sb_case("stat_starttime_positive_or_zero", start < 1ULL << 40);
}

static void test_status(void) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGUSR1);
  sigprocmask(SIG_BLOCK, &set, NULL);
  signal(SIGUSR2, SIG_IGN);
  sb_set_handler(SIGWINCH, (void*)SIG_DFL, 0);
  mode_t old = umask(027);
  long n = slurp("/proc/self/status");
  umask(old);
  sb_case("status_read", n > 0);
  print_keys(buf, ':');
  sb_case("status_shape", field(buf, "Name") && field(buf, "voluntary_ctxt_switches"));
  sb_value("Name=%s Umask=%s State=%s", field(buf, "Name"), field(buf, "Umask"),
           field(buf, "State"));
  sb_case("status_name_umask_state", strcmp(field(buf, "Name"), "procfs") == 0 &&
                                         strcmp(field(buf, "Umask"), "0027") == 0 &&
                                         strcmp(field(buf, "State"), "R (running)") == 0);
  sb_case("status_pid_tgid",
          atoi(field(buf, "Pid")) == getpid() && atoi(field(buf, "Tgid")) == getpid());
  sb_case("status_ppid", atoi(field(buf, "PPid")) == getppid());
  char want[128];
  snprintf(want, sizeof want, "%u\t%u\t%u\t%u", getuid(), geteuid(), geteuid(), geteuid());
  sb_case("status_uid", strcmp(field(buf, "Uid"), want) == 0);
  snprintf(want, sizeof want, "%u\t%u\t%u\t%u", getgid(), getegid(), getegid(), getegid());
  sb_case("status_gid", strcmp(field(buf, "Gid"), want) == 0);
  snprintf(want, sizeof want, "%d", getpid());
  sb_case("status_nspid",
          strcmp(field(buf, "NSpid"), want) == 0 && strcmp(field(buf, "NStgid"), want) == 0);
  sb_value("Threads=%s", field(buf, "Threads"));
  sb_case("status_threads", atoi(field(buf, "Threads")) == 1);
  unsigned long long blk = strtoull(field(buf, "SigBlk"), NULL, 16);
  unsigned long long ign = strtoull(field(buf, "SigIgn"), NULL, 16);
  sb_value("SigBlk_usr1=%d SigIgn_usr2=%d", (int)((blk >> (SIGUSR1 - 1)) & 1),
           (int)((ign >> (SIGUSR2 - 1)) & 1));
  sb_case("status_signal_masks", ((blk >> (SIGUSR1 - 1)) & 1) && ((ign >> (SIGUSR2 - 1)) & 1));
  sb_value("SigPnd=%s len=%zu", field(buf, "SigPnd"), strlen(field(buf, "SigPnd")));
  sb_case("status_sigpnd_empty", strcmp(field(buf, "SigPnd"), "0000000000000000") == 0);
  sb_value("NoNewPrivs=%s Seccomp=%s", field(buf, "NoNewPrivs"), field(buf, "Seccomp"));
  sb_case("status_seccomp", strcmp(field(buf, "Seccomp"), "0") == 0);
  const char* cap = field(buf, "CapEff");
  sb_case("status_cap_hex16", cap && strlen(cap) == 16);
  const char* vm = field(buf, "VmSize");
  sb_case("status_vmsize_kb", vm && strstr(vm, " kB") != NULL && atol(vm) > 0);
  sigprocmask(SIG_UNBLOCK, &set, NULL);
  signal(SIGUSR2, SIG_DFL);
}

static void test_statm(void) {
  sb_case("statm_read", slurp("/proc/self/statm") > 0);
  int n = count_fields(buf);
  sb_value("fields=%d", n);
  long size = atol(buf);
  sb_case("statm_shape", n == 7 && size > 0);
}

static void test_maps(void) {
  void* p = malloc(200000); /* makes [heap] exist with brk */
  void* small = malloc(100);
  sb_case("maps_read", slurp("/proc/self/maps") > 0);
  int lines = 0, good = 0, stack = 0, heap = 0, exe_line = 0;
  char exe[PATH_MAX] = "";
  ssize_t el = readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (el > 0) exe[el] = 0;
  for (char* line = strtok(buf, "\n"); line; line = strtok(NULL, "\n")) {
    unsigned long lo, hi, off, ino;
    char perms[8];
    unsigned maj, min;
    int consumed = 0;
    lines++;
    if (sscanf(line, "%lx-%lx %7s %lx %x:%x %lu%n", &lo, &hi, perms, &off, &maj, &min, &ino,
               &consumed) == 7 &&
        strlen(perms) == 4 && lo < hi) {
      good++;
    }
    const char* name = line + consumed;
    while (*name == ' ') name++;
    /* The name starts at column 74 when there is one, as Linux pads. */
    if (*name && name - line != 73) good--;
    if (strcmp(name, "[stack]") == 0) stack++;
    if (strcmp(name, "[heap]") == 0) heap++;
    if (el > 0 && strcmp(name, exe) == 0 && strcmp(perms, "r-xp") == 0) exe_line++;
  }
  sb_value("all_lines_parse=%d stack=%d heap=%d exe_text=%d", lines == good, stack, heap,
           exe_line > 0);
  sb_case("maps_shape", lines > 3 && lines == good && stack == 1 && heap == 1 && exe_line > 0);
  free(small);
  free(p);
}

static void test_smaps(void) {
  long n = slurp("/proc/self/smaps");
  sb_case("smaps_read", n > 0);
  /* The first block: its maps line, then "Name: value" lines to VmFlags. */
  char* first_nl = strchr(buf, '\n');
  unsigned long lo = 0, hi = 0;
  sscanf(buf, "%lx-%lx", &lo, &hi);
  char* vmflags = strstr(buf, "\nVmFlags:");
  if (vmflags) vmflags[1 + strcspn(vmflags + 1, "\n")] = 0;
  print_keys(first_nl + 1, ':');
  const char* size = field(first_nl + 1, "Size");
  sb_case("smaps_shape", vmflags != NULL && size && (unsigned long)atol(size) == (hi - lo) / 1024);
}

static void test_cmdline_self(int argc, char** argv) {
  long n = slurp("/proc/self/cmdline");
  long want = 0;
  for (int i = 0; i < argc; i++) want += strlen(argv[i]) + 1;
  sb_value("len_matches=%d", n == want);
  sb_case("cmdline_shape", n == want && memcmp(buf, argv[0], strlen(argv[0]) + 1) == 0);
}

/* The exec'd child: checks its cmdline and environ, exits 0 if right. */
static int child_main(int argc, char** argv) {
  long n = slurp("/proc/self/cmdline");
  static const char want[] = "procfs\0--child\0x y\0z";
  int ok = n == (long)sizeof want && memcmp(buf, want, sizeof want) == 0;
  n = slurp("/proc/self/environ");
  int has = 0, entries = 0;
  for (long i = 0; i < n; i += strlen(buf + i) + 1) {
    entries++;
    has |= strcmp(buf + i, "SB_PROCFS_VAR=hello world") == 0;
  }
  return (ok ? 0 : 1) | (has && entries == 2 && buf[n - 1] == 0 ? 0 : 2);
}

static void test_exec_child(void) {
  pid_t pid = fork();
  if (pid == 0) {
    char* args[] = {"procfs", "--child", "x y", "z", NULL};
    char* env[] = {"SB_PROCFS_VAR=hello world", "OTHER=1", NULL};
    execve("/proc/self/exe", args, env);
    _exit(99);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  sb_value("child_exit=%d", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
  sb_case("cmdline_and_environ_after_exec", WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static void test_links(char** argv) {
  char got[PATH_MAX], want[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", got, sizeof got - 1);
  if (n >= 0) got[n] = 0;
  sb_case("exe_is_program", n > 0 && realpath(argv[0], want) && strcmp(got, want) == 0);
  n = readlink("/proc/self/cwd", got, sizeof got - 1);
  if (n >= 0) got[n] = 0;
  sb_case("cwd_is_getcwd", n > 0 && getcwd(want, sizeof want) && strcmp(got, want) == 0);
  n = readlink("/proc/self/root", got, sizeof got - 1);
  if (n >= 0) got[n] = 0;
  sb_value("root=%s", n > 0 ? got : "?");
  sb_case("root_link", n == 1 && got[0] == '/');
  n = readlink("/proc/self", got, sizeof got - 1);
  if (n >= 0) got[n] = 0;
  sb_case("self_link_is_pid", n > 0 && atoi(got) == getpid());
  n = readlink("/proc/thread-self", got, sizeof got - 1);
  if (n >= 0) got[n] = 0;
  snprintf(want, sizeof want, "%d/task/%ld", getpid(), (long)syscall(SYS_gettid));
  sb_case("thread_self_link", n > 0 && strcmp(got, want) == 0);
  n = readlink("/proc/mounts", got, sizeof got - 1);
  if (n >= 0) got[n] = 0;
  sb_value("mounts_link=%s", n > 0 ? got : "?");
  sb_case("proc_mounts_link", n > 0 && strcmp(got, "self/mounts") == 0);
  struct stat st;
  sb_case("self_is_dir", stat("/proc/self", &st) == 0 && S_ISDIR(st.st_mode));
  sb_case("fd0_is_symlink", lstat("/proc/self/fd/0", &st) == 0 && S_ISLNK(st.st_mode));
}

static void test_fds(void) {
  int p[2];
  pipe(p);
  char path[64], got[256];
  snprintf(path, sizeof path, "/proc/self/fd/%d", p[0]);
  ssize_t n = readlink(path, got, sizeof got - 1);
  if (n >= 0) got[n] = 0;
  sb_case("fd_pipe_link", n > 0 && strncmp(got, "pipe:[", 6) == 0 && got[n - 1] == ']');
  char name[16];
  snprintf(name, sizeof name, "%d", p[1]);
  sb_case("fd_dir_lists_pipe", dir_has("/proc/self/fd", name));
  close(p[0]);
  close(p[1]);
  sb_case("fd_dir_forgets_closed", !dir_has("/proc/self/fd", name));

  char tmpl[] = "/tmp/sb-procfs-XXXXXX";
  int fd = mkstemp(tmpl);
  write(fd, "hello world", 11);
  lseek(fd, 5, SEEK_SET);
  snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
  n = readlink(path, got, sizeof got - 1);
  if (n >= 0) got[n] = 0;
  sb_case("fd_file_link_is_path", n > 0 && strcmp(got, tmpl) == 0);
  snprintf(path, sizeof path, "/proc/self/fdinfo/%d", fd);
  sb_case("fdinfo_read", slurp(path) > 0);
  print_keys(buf, ':');
  sb_value("pos=%s", field(buf, "pos"));
  struct stat st;
  fstat(fd, &st);
  sb_case("fdinfo_shape", strcmp(field(buf, "pos"), "5") == 0 &&
                              (unsigned long)atol(field(buf, "ino")) == st.st_ino &&
                              field(buf, "flags")[0] == '0');
  unlink(tmpl);
  close(fd);
  errno = 0;
  snprintf(path, sizeof path, "/proc/self/fd/%d", 1000);
  SB_ERRNO("fd_missing_enoent", readlink(path, got, sizeof got), ENOENT);
}

static void* idle_thread(void* arg) {
  pthread_barrier_wait((pthread_barrier_t*)arg);
  pthread_barrier_wait((pthread_barrier_t*)arg);
  return NULL;
}

static void test_tasks(void) {
  int n = dir_count("/proc/self/task");
  sb_value("tasks=%d", n);
  sb_case("task_single_thread", n == 1);
  char path[128];
  snprintf(path, sizeof path, "/proc/self/task/%ld/stat", (long)syscall(SYS_gettid));
  char f[64][32], comm[64];
  sb_case("task_stat_of_main", stat_fields(path, f, comm, sizeof comm) == 52);
  pthread_barrier_t b;
  pthread_barrier_init(&b, NULL, 3);
  pthread_t t1, t2;
  pthread_create(&t1, NULL, idle_thread, &b);
  pthread_create(&t2, NULL, idle_thread, &b);
  pthread_barrier_wait(&b);
  n = dir_count("/proc/self/task");
  sb_value("tasks=%d", n);
  sb_case("task_three_threads", n == 3);
  slurp("/proc/self/status");
  sb_value("Threads=%s", field(buf, "Threads"));
  sb_case("status_threads_three", atoi(field(buf, "Threads")) == 3);
  pthread_barrier_wait(&b);
  pthread_join(t1, NULL);
  pthread_join(t2, NULL);
  pthread_barrier_destroy(&b);
  // Linux drops a joined thread from /proc a moment after pthread_join
  // returns (the thread's release follows its CLEARTID wake-up): wait up to
  // two seconds for the count to settle.
  for (int i = 0; i < 200 && dir_count("/proc/self/task") != 1; ++i) usleep(10000);
  sb_case("task_back_to_one", dir_count("/proc/self/task") == 1);
}

static void test_proc_root(void) {
  char name[32];
  snprintf(name, sizeof name, "%d", getpid());
  sb_case("proc_lists_our_pid", dir_has("/proc", name));
  sb_case("proc_lists_self", dir_has("/proc", "self") && dir_has("/proc", "meminfo"));
  pid_t child = fork();
  if (child == 0) {
    pause();
    _exit(0);
  }
  snprintf(name, sizeof name, "%d", child);
  char path[64];
  snprintf(path, sizeof path, "/proc/%d/stat", child);
  char f[64][32], comm[64];
  int nf = stat_fields(path, f, comm, sizeof comm);
  sb_case("proc_lists_child", dir_has("/proc", name) && nf == 52 && atoi(f[1]) == getpid());
  kill(child, SIGKILL);
  waitpid(child, NULL, 0);
  sb_case("proc_forgets_reaped_child", !dir_has("/proc", name));
  SB_ERRNO("proc_missing_pid_enoent", open("/proc/4000000/status", O_RDONLY), ENOENT);
  SB_ERRNO("proc_missing_file_enoent", open("/proc/self/no-such-file", O_RDONLY), ENOENT);
}

static void test_comm(void) {
  prctl(PR_SET_NAME, "renamed", 0, 0, 0);
  slurp("/proc/self/comm");
  sb_value("comm=%s", buf);
  sb_case("comm_after_prctl", strcmp(buf, "renamed\n") == 0);
  int w = write_str("/proc/self/comm", "written");
  char name[17] = "";
  prctl(PR_GET_NAME, name, 0, 0, 0);
  sb_value("prctl_name=%s", name);
  sb_case("comm_write", w == 0 && strcmp(name, "written") == 0);
  write_str("/proc/self/comm", "0123456789abcdefghij");
  slurp("/proc/self/comm");
  sb_value("comm=%s", buf);
  sb_case("comm_write_truncates", strcmp(buf, "0123456789abcde\n") == 0);
  prctl(PR_SET_NAME, "procfs", 0, 0, 0);
}

static void test_auxv(void) {
  long n = slurp("/proc/self/auxv");
  Elf64_auxv_t* a = (Elf64_auxv_t*)buf;
  long count = n / (long)sizeof *a;
  int pagesz = 0, entry = 0;
  for (long i = 0; i < count; i++) {
    if (a[i].a_type == AT_PAGESZ) pagesz = a[i].a_un.a_val == 4096;
    if (a[i].a_type == AT_ENTRY) entry = a[i].a_un.a_val == getauxval(AT_ENTRY);
  }
  sb_value("pagesz=%d entry=%d multiple=%d", pagesz, entry, n % (long)sizeof *a == 0);
  sb_case("auxv_shape",
          n > 0 && n % (long)sizeof *a == 0 && a[count - 1].a_type == AT_NULL && pagesz && entry);
}

static void test_limits(void) {
  sb_case("limits_read", slurp("/proc/self/limits") > 0);
  /* Header and the names column (25 wide). */
  char* save = NULL;
  int rows = 0;
  char names[2048] = "";
  for (char* line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
    char name[26];
    memcpy(name, line, 25);
    name[25] = 0;
    for (int i = 24; i >= 0 && name[i] == ' '; i--) name[i] = 0;
    strcat(names, name);
    strcat(names, ";");
    rows++;
  }
  sb_value("rows=%d names=%s", rows, names);
  sb_case("limits_shape", rows == 17);
  struct rlimit rl;
  getrlimit(RLIMIT_NOFILE, &rl);
  slurp("/proc/self/limits");
  char* line = strstr(buf, "Max open files");
  unsigned long long soft = 0, hard = 0;
  if (line) sscanf(line + 25, "%llu %llu", &soft, &hard);
  sb_case("limits_nofile", soft == rl.rlim_cur && hard == rl.rlim_max);
}

static void test_mounts(void) {
  sb_case("mounts_read", slurp("/proc/self/mounts") > 0);
  int lines = 0, six = 0, proc = 0;
  for (char* line = strtok(buf, "\n"); line; line = strtok(NULL, "\n")) {
    lines++;
    six += count_fields(line) == 6;
    char src[256], dst[256], type[64];
    if (sscanf(line, "%255s %255s %63s", src, dst, type) == 3 && strcmp(dst, "/proc") == 0 &&
        strcmp(type, "proc") == 0) {
      proc++;
    }
  }
  sb_value("six_columns=%d proc_at_/proc=%d", lines == six, proc > 0);
  sb_case("mounts_shape", lines > 0 && lines == six && proc > 0);
  sb_case("mountinfo_read", slurp("/proc/self/mountinfo") > 0);
  int ok = 1, has_proc = 0;
  lines = 0;
  for (char* line = strtok(buf, "\n"); line; line = strtok(NULL, "\n")) {
    lines++;
    char* sep = strstr(line, " - ");
    if (!sep) {
      ok = 0;
      continue;
    }
    *sep = 0;
    int before = count_fields(line), after = count_fields(sep + 3);
    unsigned id, parent, maj, min;
    char root[256], mp[256];
    if (before < 6 || after != 3 ||
        sscanf(line, "%u %u %u:%u %255s %255s", &id, &parent, &maj, &min, root, mp) != 6) {
      ok = 0;
    }
    char type[64];
    if (sscanf(sep + 3, "%63s", type) == 1 && strcmp(type, "proc") == 0 &&
        strcmp(mp, "/proc") == 0) {
      has_proc = 1;
    }
  }
  sb_value("well_formed=%d proc=%d", ok, has_proc);
  sb_case("mountinfo_shape", lines > 0 && ok && has_proc);
}

static void test_ns(void) {
  const char* kinds[] = {"ipc", "mnt", "pid", "uts"};
  int ok = 1;
  for (int i = 0; i < 4; i++) {
    char path[64], got[64], again[64];
    snprintf(path, sizeof path, "/proc/self/ns/%s", kinds[i]);
    ssize_t n = readlink(path, got, sizeof got - 1);
    ssize_t m = readlink(path, again, sizeof again - 1);
    if (n <= 0 || m != n) {
      ok = 0;
      continue;
    }
    got[n] = again[m] = 0;
    unsigned long ino = 0;
    char fmt[32];
    snprintf(fmt, sizeof fmt, "%s:[%%lu]", kinds[i]);
    if (sscanf(got, fmt, &ino) != 1 || ino == 0 || strcmp(got, again) != 0) ok = 0;
  }
  sb_case("ns_links_shape", ok);
  char mine[64] = "", theirs[64] = "";
  readlink("/proc/self/ns/pid", mine, sizeof mine - 1);
  pid_t child = fork();
  if (child == 0) {
    pause();
    _exit(0);
  }
  char path[64];
  snprintf(path, sizeof path, "/proc/%d/ns/pid", child);
  readlink(path, theirs, sizeof theirs - 1);
  kill(child, SIGKILL);
  waitpid(child, NULL, 0);
  sb_case("ns_pid_shared_with_child", mine[0] && strcmp(mine, theirs) == 0);
}

static void test_misc_task_files(void) {
  slurp("/proc/self/cgroup");
  sb_case("cgroup_unified_line", strstr(buf, "0::/") != NULL);
  slurp("/proc/self/oom_score_adj");
  sb_value("oom_score_adj=%s", buf);
  int w = write_str("/proc/self/oom_score_adj", "100");
  slurp("/proc/self/oom_score_adj");
  sb_value("after_write=%s", buf);
  sb_case("oom_score_adj_write", w == 0 && strcmp(buf, "100\n") == 0);
  SB_ERRNO("oom_score_adj_range_einval", write_str("/proc/self/oom_score_adj", "5000"), EINVAL);
  slurp("/proc/self/wchan");
  sb_value("wchan=%s", buf);
  sb_case("wchan_self", strcmp(buf, "0") == 0);
  slurp("/proc/self/personality");
  sb_value("personality=%s", buf);
  sb_case("personality", strcmp(buf, "00000000\n") == 0);
  slurp("/proc/self/io");
  print_keys(buf, ':');
  sb_case("io_shape", field(buf, "rchar") && field(buf, "cancelled_write_bytes"));
  slurp("/proc/self/loginuid");
  sb_case("loginuid_number", isdigit((unsigned char)buf[0]));
}

static void child_pause(void* arg) { (void)arg; }

static void test_permissions(void) {
  if (geteuid() != 0) {
    sb_skip("environ_other_user_eacces", "needs root to become another user");
    sb_skip("root_reads_other_environ", "needs root");
    return;
  }
  int to_child[2], to_parent[2];
  pipe(to_child);
  pipe(to_parent);
  pid_t child = fork();
  if (child == 0) {
    /* Become nobody, then try our parent's private files. */
    char c;
    if (setgid(65534) != 0 || setuid(65534) != 0) _exit(3);
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/environ", getppid());
    int fd = open(path, O_RDONLY);
    int e1 = fd < 0 ? errno : 0;
    snprintf(path, sizeof path, "/proc/%d/fd", getppid());
    int dfd = open(path, O_RDONLY | O_DIRECTORY);
    int e2 = dfd < 0 ? errno : 0;
    snprintf(path, sizeof path, "/proc/%d/auxv", getppid());
    int afd = open(path, O_RDONLY);
    int e3 = afd < 0 ? errno : 0;
    snprintf(path, sizeof path, "/proc/%d/status", getppid());
    int sfd = open(path, O_RDONLY);
    write(to_parent[1], "r", 1);
    read(to_child[0], &c, 1);
    _exit(e1 == EACCES && e2 == EACCES && e3 == EACCES && sfd >= 0 ? 0 : 1);
  }
  char c;
  read(to_parent[0], &c, 1);
  char path[64];
  snprintf(path, sizeof path, "/proc/%d/environ", child);
  int fd = open(path, O_RDONLY);
  sb_case("root_reads_other_environ", fd >= 0);
  if (fd >= 0) close(fd);
  write(to_child[1], "g", 1);
  int status = 0;
  waitpid(child, &status, 0);
  sb_value("child_exit=%d", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
  sb_case("environ_other_user_eacces", WIFEXITED(status) && WEXITSTATUS(status) == 0);
  close(to_child[0]);
  close(to_child[1]);
  close(to_parent[0]);
  close(to_parent[1]);
  (void)child_pause;
}

static void test_system_files(void) {
  sb_case("meminfo_read", slurp("/proc/meminfo") > 0);
  print_keys(buf, ':');
  sb_case("meminfo_shape", strncmp(buf, "MemTotal:", 9) == 0 && field(buf, "MemAvailable"));

  sb_case("cpuinfo_read", slurp("/proc/cpuinfo") > 0);
  int procs = 0;
  for (char* p = buf; (p = strstr(p, "processor\t:")) != NULL; p++) procs++;
  sb_case("cpuinfo_shape", procs == sysconf(_SC_NPROCESSORS_CONF));

  sb_case("stat_read", slurp("/proc/stat") > 0);
  char keys[4096] = "";
  int cpu_cols_ok = 1;
  for (char* line = strtok(buf, "\n"); line; line = strtok(NULL, "\n")) {
    char key[64];
    sscanf(line, "%63s", key);
    if (strncmp(key, "cpu", 3) == 0) {
      if (count_fields(line) != 11) cpu_cols_ok = 0;
      if (key[3]) strcpy(key, "cpuN");
    }
    if (!strstr(keys, key) || strcmp(key, "cpuN") != 0) {
      if (strcmp(key, "cpuN") == 0 && strstr(keys, "cpuN")) continue;
      strcat(keys, key);
      strcat(keys, ",");
    }
  }
  sb_value("keys=%s cpu_columns_ok=%d", keys, cpu_cols_ok);
  sb_case("proc_stat_shape", cpu_cols_ok && strstr(keys, "btime,"));
  slurp("/proc/stat");
  long long btime = atoll(strstr(buf, "btime ") + 6);
  sb_case("proc_stat_btime", btime > 0 && btime <= (long long)time(NULL));

  slurp("/proc/uptime");
  double up = -1, idle = -1;
  int n = sscanf(buf, "%lf %lf", &up, &idle);
  sb_value("fields=%d", n);
  sb_case("uptime_shape", n == 2 && up >= 0 && idle >= 0 && count_fields(buf) == 2);

  slurp("/proc/loadavg");
  double l1, l5, l15;
  int running, total, last;
  n = sscanf(buf, "%lf %lf %lf %d/%d %d", &l1, &l5, &l15, &running, &total, &last);
  sb_value("fields=%d", n);
  sb_case("loadavg_shape", n == 6 && running >= 1 && total >= running && last > 0);

  slurp("/proc/version");
  sb_case("version_shape", strncmp(buf, "Linux version ", 14) == 0);
  struct utsname u;
  uname(&u);
  sb_case("version_has_release", strstr(buf, u.release) != NULL);

  slurp("/proc/filesystems");
  sb_case("filesystems_has_proc", strstr(buf, "nodev\tproc\n") && strstr(buf, "nodev\ttmpfs\n"));
}

static void test_sys(void) {
  struct utsname u;
  uname(&u);
  slurp("/proc/sys/kernel/ostype");
  sb_value("ostype=%s", buf);
  sb_case("sys_ostype", strcmp(buf, "Linux\n") == 0);
  slurp("/proc/sys/kernel/osrelease");
  sb_case("sys_osrelease_is_uname", strncmp(buf, u.release, strlen(u.release)) == 0);
  slurp("/proc/sys/kernel/hostname");
  sb_case("sys_hostname_is_uname", strncmp(buf, u.nodename, strlen(u.nodename)) == 0);
  slurp("/proc/sys/kernel/cap_last_cap");
  sb_value("cap_last_cap=%s", buf);
  sb_case("sys_cap_last_cap", atoi(buf) >= 40);
  slurp("/proc/sys/kernel/pid_max");
  sb_case("sys_pid_max", atol(buf) > 0);
  char boot1[64], boot2[64], uuid1[64], uuid2[64];
  slurp("/proc/sys/kernel/random/boot_id");
  snprintf(boot1, sizeof boot1, "%s", buf);
  slurp("/proc/sys/kernel/random/boot_id");
  snprintf(boot2, sizeof boot2, "%s", buf);
  slurp("/proc/sys/kernel/random/uuid");
  snprintf(uuid1, sizeof uuid1, "%s", buf);
  slurp("/proc/sys/kernel/random/uuid");
  snprintf(uuid2, sizeof uuid2, "%s", buf);
  sb_value("boot_id_len=%zu uuid_len=%zu", strlen(boot1), strlen(uuid1));
  sb_case("sys_random_ids", strlen(boot1) == 37 && strcmp(boot1, boot2) == 0 &&
                                strlen(uuid1) == 37 && strcmp(uuid1, uuid2) != 0);
  slurp("/proc/sys/fs/nr_open");
  sb_case("sys_nr_open", atol(buf) > 0);
  slurp("/proc/sys/fs/pipe-max-size");
  sb_case("sys_pipe_max_size", atol(buf) >= 4096);
  slurp("/proc/sys/vm/mmap_min_addr");
  sb_case("sys_mmap_min_addr", atol(buf) >= 4096);
}

int main(int argc, char** argv) {
  if (argc > 1 && strcmp(argv[1], "--child") == 0) return child_main(argc, argv);
  sb_init();
  test_stat();
  test_status();
  test_statm();
  test_maps();
  test_smaps();
  test_cmdline_self(argc, argv);
  test_exec_child();
  test_links(argv);
  test_fds();
  test_tasks();
  test_proc_root();
  test_comm();
  test_auxv();
  test_limits();
  test_mounts();
  test_ns();
  test_misc_task_files();
  test_permissions();
  test_system_files();
  test_sys();
  return sb_finish();
}
