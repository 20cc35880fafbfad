/* System V message queues: msgget, msgsnd, msgrcv, msgctl, type
 * selection, limits, blocking, signals and removal, per IPC namespace.
 * Every queue is IPC_PRIVATE or keyed from getpid(), and removed before
 * the program ends. See sbtest.h for the output contract. */
#include "sbtest.h"

#include <sched.h>
#include <stdint.h>
#include <sys/ipc.h>
#include <sys/msg.h>

#ifndef MSG_COPY
#define MSG_COPY 040000
#endif
#ifndef MSG_STAT_ANY
#define MSG_STAT_ANY 13
#endif

struct msg {
  long type;
  char text[64];
};

static key_t key_base;

static int snd(int id, long type, const char* text, int flags) {
  struct msg m;
  m.type = type;
  snprintf(m.text, sizeof m.text, "%s", text);
  return msgsnd(id, &m, strlen(text), flags);
}
/* Receives into a static buffer; prints nothing. Returns the size or -1. */
static struct msg got;
static long rcv(int id, long type, size_t sz, int flags) {
  memset(&got, 0, sizeof got);
  return msgrcv(id, &got, sz, type, flags);
}
static int qnum(int id) {
  struct msqid_ds ds;
  return msgctl(id, IPC_STAT, &ds) == 0 ? (int)ds.msg_qnum : -1;
}
static int wait_blocked(pid_t pid) {
  /* The child is asleep once its state in /proc says so (up to 5 s). */
  char path[64], buf[512];
  snprintf(path, sizeof path, "/proc/%d/stat", pid);
  for (int i = 0; i < 500; i++) {
    FILE* f = fopen(path, "r");
    if (f) {
      size_t n = fread(buf, 1, sizeof buf - 1, f);
      fclose(f);
      buf[n] = 0;
      char* p = strrchr(buf, ')');
      if (p && p[2] == 'S') return 1;
    }
    usleep(10000);
  }
  return 0;
}

static void test_basic(void) {
  int id = msgget(IPC_PRIVATE, 0640);
  sb_case("msgget_private", sb_succeeds("msgget", id));
  struct msqid_ds ds;
  int rc = msgctl(id, IPC_STAT, &ds);
  unsigned long mnb = 0;
  FILE* f = fopen("/proc/sys/kernel/msgmnb", "r");
  if (f) fscanf(f, "%lu", &mnb), fclose(f);
  sb_value("mode=%o qnum=%lu cbytes=%lu qbytes_is_msgmnb=%d stime=%ld", ds.msg_perm.mode,
           (unsigned long)ds.msg_qnum, (unsigned long)ds.__msg_cbytes, ds.msg_qbytes == mnb,
           (long)ds.msg_stime);
  sb_case("msg_stat_new", rc == 0 && ds.msg_perm.mode == 0640 && ds.msg_qnum == 0 &&
                              ds.msg_qbytes == mnb && ds.msg_ctime > 0 && ds.msg_lspid == 0);
  sb_case("msgsnd", snd(id, 1, "hello", 0) == 0);
  msgctl(id, IPC_STAT, &ds);
  sb_value("qnum=%lu cbytes=%lu", (unsigned long)ds.msg_qnum, (unsigned long)ds.__msg_cbytes);
  sb_case("msg_stat_after_send",
          ds.msg_qnum == 1 && ds.__msg_cbytes == 5 && ds.msg_lspid == getpid() && ds.msg_stime > 0);
  long n = rcv(id, 0, sizeof got.text, 0);
  sb_value("n=%ld type=%ld text=%s", n, got.type, got.text);
  sb_case("msgrcv", n == 5 && got.type == 1 && strcmp(got.text, "hello") == 0);
  msgctl(id, IPC_STAT, &ds);
  sb_case("msg_stat_after_rcv",
          ds.msg_qnum == 0 && ds.__msg_cbytes == 0 && ds.msg_lrpid == getpid() && ds.msg_rtime > 0);
  SB_ERRNO("msgrcv_nowait_enomsg", rcv(id, 0, 64, IPC_NOWAIT), ENOMSG);
  SB_ERRNO("msgsnd_type0_einval", snd(id, 0, "x", 0), EINVAL);
  SB_ERRNO("msgsnd_negtype_einval", snd(id, -3, "x", 0), EINVAL);
  struct msg m = {1, "x"};
  SB_ERRNO("msgsnd_too_big_einval", msgsnd(id, &m, 8193, 0), EINVAL);
  SB_ERRNO("msgsnd_neg_size_einval", msgsnd(id, &m, (size_t)-1, 0), EINVAL);
  SB_ERRNO("msgsnd_efault", msgsnd(id, (void*)8, 4, 0), EFAULT);
  SB_ERRNO("msgsnd_bad_id_einval", msgsnd(id + 1, &m, 1, 0), EINVAL);
  SB_ERRNO("msgrcv_neg_id_einval", msgrcv(-1, &m, 1, 0, 0), EINVAL);
  sb_case("msgsnd_empty", msgsnd(id, &m, 0, 0) == 0 && rcv(id, 0, 0, 0) == 0 && got.type == 1);
  SB_ERRNO("msgget_nokey_enoent", msgget(key_base, 0600), ENOENT);
  int k = msgget(key_base, IPC_CREAT | IPC_EXCL | 0600);
  sb_case("msgget_key_create", sb_succeeds("msgget", k));
  SB_ERRNO("msgget_excl_eexist", msgget(key_base, IPC_CREAT | IPC_EXCL | 0600), EEXIST);
  sb_case("msgget_key_again", msgget(key_base, 0) == k);
  msgctl(k, IPC_RMID, NULL);
  SB_ERRNO("msg_rmid_stat_einval", msgctl(k, IPC_STAT, &ds), EINVAL);
  SB_ERRNO("msgctl_bad_cmd_einval", msgctl(id, 99, &ds), EINVAL);
  msgctl(id, IPC_RMID, NULL);
}

static void test_types(void) {
  int id = msgget(IPC_PRIVATE, 0600);
  snd(id, 3, "three", 0);
  snd(id, 1, "one", 0);
  snd(id, 2, "two", 0);
  snd(id, 1, "one-b", 0);
  snd(id, 5, "five", 0);
  rcv(id, 2, 64, IPC_NOWAIT);
  sb_value("type 2 -> %s", got.text);
  sb_case("msgrcv_type_eq", got.type == 2 && strcmp(got.text, "two") == 0);
  rcv(id, -4, 64, IPC_NOWAIT);
  sb_value("type -4 -> %s", got.text);
  sb_case("msgrcv_type_lowest", got.type == 1 && strcmp(got.text, "one") == 0);
  rcv(id, 1, 64, IPC_NOWAIT | MSG_EXCEPT);
  sb_value("except 1 -> %s", got.text);
  sb_case("msgrcv_except", got.type == 3 && strcmp(got.text, "three") == 0);
  SB_ERRNO("msgrcv_type_none_enomsg", rcv(id, 4, 64, IPC_NOWAIT), ENOMSG);
  long n = rcv(id, 0, 2, IPC_NOWAIT);
  sb_value("e2big n=%ld errno=%s qnum=%d", n, n < 0 ? strerrorname_np(errno) : "-", qnum(id));
  sb_case("msgrcv_e2big_keeps", n == -1 && errno == E2BIG && qnum(id) == 2);
  n = rcv(id, 0, 2, IPC_NOWAIT | MSG_NOERROR);
  sb_value("noerror n=%ld text=%s", n, got.text);
  sb_case("msgrcv_noerror_truncates", n == 2 && strcmp(got.text, "on") == 0 && qnum(id) == 1);
  /* MSG_COPY */
  snd(id, 7, "seven", 0);
  SB_ERRNO("msg_copy_needs_nowait", rcv(id, 0, 64, MSG_COPY), EINVAL);
  SB_ERRNO("msg_copy_except_einval", rcv(id, 0, 64, MSG_COPY | IPC_NOWAIT | MSG_EXCEPT), EINVAL);
  n = rcv(id, 1, 64, MSG_COPY | IPC_NOWAIT);
  if (n == -1 && errno == ENOSYS) {
    sb_skip("msg_copy", "kernel without CONFIG_CHECKPOINT_RESTORE");
  } else {
    sb_value("copy 1 -> %ld %s qnum=%d", n, got.text, qnum(id));
    sb_case("msg_copy", n == 5 && strcmp(got.text, "seven") == 0 && qnum(id) == 2);
    SB_ERRNO("msg_copy_past_end_enomsg", rcv(id, 2, 64, MSG_COPY | IPC_NOWAIT), ENOMSG);
  }
  msgctl(id, IPC_RMID, NULL);
}

static void on_usr1(int sig) { (void)sig; }

static void test_blocking(void) {
  int id = msgget(IPC_PRIVATE, 0600);
  pid_t pid = fork();
  if (pid == 0) {
    long n = rcv(id, 9, 64, 0);
    _exit(n == 4 && strcmp(got.text, "nine") == 0 ? 0 : 1);
  }
  wait_blocked(pid);
  snd(id, 8, "eight", 0);
  snd(id, 9, "nine", 0);
  int st;
  waitpid(pid, &st, 0);
  sb_case("msgrcv_blocks_until_match", WIFEXITED(st) && WEXITSTATUS(st) == 0 && qnum(id) == 1);
  rcv(id, 0, 64, 0);
  /* A full queue: EAGAIN, or a wait until a receive makes room. */
  struct msqid_ds ds;
  msgctl(id, IPC_STAT, &ds);
  ds.msg_qbytes = 10;
  sb_case("msg_set_qbytes",
          msgctl(id, IPC_SET, &ds) == 0 && msgctl(id, IPC_STAT, &ds) == 0 && ds.msg_qbytes == 10);
  snd(id, 1, "12345678", 0);
  SB_ERRNO("msgsnd_full_eagain", snd(id, 1, "abc", IPC_NOWAIT), EAGAIN);
  pid = fork();
  if (pid == 0) _exit(snd(id, 2, "abc", 0) == 0 ? 0 : 1);
  wait_blocked(pid);
  sb_case("msgsnd_blocked", qnum(id) == 1);
  rcv(id, 1, 64, 0);
  waitpid(pid, &st, 0);
  sb_case("msgsnd_woken", WIFEXITED(st) && WEXITSTATUS(st) == 0 && qnum(id) == 1);
  rcv(id, 0, 64, 0);
  /* Signals: EINTR (with a handler, even SA_RESTART: never restarted). */
  pid = fork();
  if (pid == 0) {
    sb_set_handler(SIGUSR1, (void*)on_usr1, SA_RESTART);
    long n = rcv(id, 0, 64, 0);
    _exit(n == -1 && errno == EINTR ? 0 : 1);
  }
  wait_blocked(pid);
  kill(pid, SIGUSR1);
  waitpid(pid, &st, 0);
  sb_case("msgrcv_signal_eintr", WIFEXITED(st) && WEXITSTATUS(st) == 0);
  pid = fork();
  if (pid == 0) {
    long n = rcv(id, 0, 64, 0);
    _exit(n == -1 && errno == EIDRM ? 0 : 1);
  }
  wait_blocked(pid);
  msgctl(id, IPC_RMID, NULL);
  waitpid(pid, &st, 0);
  sb_case("msgrcv_rmid_eidrm", WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

static void test_ctl(void) {
  int id = msgget(IPC_PRIVATE, 0600);
  struct msqid_ds ds;
  msgctl(id, IPC_STAT, &ds);
  ds.msg_perm.mode = 0604;
  sb_case("msg_ipc_set_mode", msgctl(id, IPC_SET, &ds) == 0 && msgctl(id, IPC_STAT, &ds) == 0 &&
                                  ds.msg_perm.mode == 0604);
  struct msginfo mi;
  int maxidx = msgctl(0, IPC_INFO, (struct msqid_ds*)&mi);
  int mmax = 0, mmnb = 0, mmni = 0;
  FILE* f = fopen("/proc/sys/kernel/msgmax", "r");
  if (f) fscanf(f, "%d", &mmax), fclose(f);
  f = fopen("/proc/sys/kernel/msgmnb", "r");
  if (f) fscanf(f, "%d", &mmnb), fclose(f);
  f = fopen("/proc/sys/kernel/msgmni", "r");
  if (f) fscanf(f, "%d", &mmni), fclose(f);
  sb_value("ssz=%d seg=%d procsys_matches=%d", mi.msgssz, mi.msgseg,
           mi.msgmax == mmax && mi.msgmnb == mmnb && mi.msgmni == mmni);
  sb_case("msg_ipc_info", maxidx >= 0 && mi.msgssz == 16 && mi.msgmax == mmax &&
                              mi.msgmnb == mmnb && mi.msgmni == mmni);
  snd(id, 1, "abcd", 0);
  int maxidx2 = msgctl(0, MSG_INFO, (struct msqid_ds*)&mi);
  sb_case("msg_info", maxidx2 == maxidx && mi.msgpool >= 1 && mi.msgmap >= 1 && mi.msgtql >= 4);
  int found = 0, found_any = 0;
  for (int i = 0; i <= maxidx; i++) {
    if (msgctl(i, MSG_STAT, &ds) == id) found = 1;
    if (msgctl(i, MSG_STAT_ANY, &ds) == id) found_any = 1;
  }
  sb_case("msg_stat_by_index", found && found_any);
  {
    FILE* pf = fopen("/proc/sysvipc/msg", "r");
    char line[256], header[256] = "";
    int ok = 0;
    if (pf && fgets(header, sizeof header, pf)) {
      while (fgets(line, sizeof line, pf)) {
        int key, qid, lspid, lrpid;
        unsigned mode;
        unsigned long cbytes, qn;
        if (sscanf(line, "%d %d %o %lu %lu %d %d", &key, &qid, &mode, &cbytes, &qn, &lspid,
                   &lrpid) == 7 &&
            qid == id) {
          ok =
              key == 0 && mode == 0604 && cbytes == 4 && qn == 1 && lspid == getpid() && lrpid == 0;
        }
      }
    }
    if (pf) fclose(pf);
    header[strcspn(header, "\n")] = 0;
    sb_value("%s", header);
    sb_case("proc_sysvipc_msg", ok);
  }
  if (geteuid() != 0) {
    sb_skip("msg_other_user", "needs root to become another user");
  } else {
    ds.msg_perm.mode = 0600;
    msgctl(id, IPC_SET, &ds);
    pid_t pid = fork();
    if (pid == 0) {
      if (setresgid(65534, 65534, 65534) || setresuid(65534, 65534, 65534)) _exit(99);
      int a = snd(id, 1, "x", IPC_NOWAIT) == -1 && errno == EACCES;
      int b = rcv(id, 0, 64, IPC_NOWAIT) == -1 && errno == EACCES;
      int c = msgctl(id, IPC_RMID, NULL) == -1 && errno == EPERM;
      int d = msgget(key_base + 3, IPC_CREAT | 0600) >= 0;
      if (d) msgctl(msgget(key_base + 3, 0), IPC_RMID, NULL);
      _exit(a | b << 1 | c << 2 | d << 3);
    }
    int st;
    waitpid(pid, &st, 0);
    sb_value("bits=%d", WEXITSTATUS(st));
    sb_case("msg_other_user", WIFEXITED(st) && WEXITSTATUS(st) == 15);
  }
  msgctl(id, IPC_RMID, NULL);
}

static void newipc_child(void* arg) {
  int id = *(int*)arg;
  if (unshare(CLONE_NEWIPC) != 0) _exit(2);
  struct msqid_ds ds;
  int a = msgctl(id, IPC_STAT, &ds) == -1 && errno == EINVAL;
  int b = msgget(key_base + 1, 0) == -1 && errno == ENOENT;
  struct msginfo mi;
  int c = msgctl(0, MSG_INFO, (struct msqid_ds*)&mi) == 0 && mi.msgpool == 0;
  _exit(a && b && c ? 0 : 1);
}

static void test_newipc(void) {
  int id = msgget(key_base + 1, IPC_CREAT | 0600);
  int st = sb_in_child(newipc_child, &id);
  if (WIFEXITED(st) && WEXITSTATUS(st) == 2) {
    sb_skip("msg_newipc_separate", "unshare(CLONE_NEWIPC) refused here");
  } else {
    sb_value("child exit=%d", WEXITSTATUS(st));
    sb_case("msg_newipc_separate", WIFEXITED(st) && WEXITSTATUS(st) == 0);
  }
  msgctl(id, IPC_RMID, NULL);
}

int main(void) {
  sb_init();
  key_base = (key_t)(0x5d000000 | (getpid() & 0xffff) << 4);
  test_basic();
  test_types();
  test_blocking();
  test_ctl();
  test_newipc();
  return sb_finish();
}
