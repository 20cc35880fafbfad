/* AF_UNIX sockets, part 2: pathname and abstract names, autobind,
 * listen/connect/accept with the backlog, datagram addressing, SCM_RIGHTS,
 * SCM_CREDENTIALS and SO_PEERCRED, sendmmsg/recvmmsg. See sbtest.h. */
#include "sbtest.h"

#include <fcntl.h>
#include <poll.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

static char dir[64];

static socklen_t path_addr(struct sockaddr_un* sa, const char* name) {
  memset(sa, 0, sizeof *sa);
  sa->sun_family = AF_UNIX;
  snprintf(sa->sun_path, sizeof sa->sun_path, "%s/%s", dir, name);
  return offsetof(struct sockaddr_un, sun_path) + strlen(sa->sun_path) + 1;
}

static socklen_t abstract_addr(struct sockaddr_un* sa, const char* name) {
  memset(sa, 0, sizeof *sa);
  sa->sun_family = AF_UNIX;
  snprintf(sa->sun_path + 1, sizeof sa->sun_path - 1, "sbtest-%d-%s", getpid(), name);
  return offsetof(struct sockaddr_un, sun_path) + 1 + strlen(sa->sun_path + 1);
}

static int ready(int fd, short events) {
  struct pollfd p = {fd, events, 0};
  if (poll(&p, 1, 0) < 0) return -1;
  return p.revents;
}

static void test_pathname(void) {
  struct sockaddr_un sa, got;
  socklen_t len = path_addr(&sa, "srv");
  int s = socket(AF_UNIX, SOCK_STREAM, 0);
  sb_case("bind_path", bind(s, (struct sockaddr*)&sa, len) == 0);
  struct stat st;
  sb_case("bind_creates_sock_node", stat(sa.sun_path, &st) == 0 && S_ISSOCK(st.st_mode));
  sb_value("node mode=%o", st.st_mode & 0777);
  sb_case("node_mode_umask", (st.st_mode & 0777) == 0755);
  SB_ERRNO("open_sock_node_enxio", open(sa.sun_path, O_RDONLY), ENXIO);
  socklen_t glen = sizeof got;
  getsockname(s, (struct sockaddr*)&got, &glen);
  sb_case("getsockname_path", glen == len && strcmp(got.sun_path, sa.sun_path) == 0);
  struct sockaddr_un other;
  socklen_t olen = path_addr(&other, "srv-other");
  SB_ERRNO("bind_twice_einval", bind(s, (struct sockaddr*)&other, olen), EINVAL);
  SB_ERRNO("bind_twice_no_node", access(other.sun_path, F_OK), ENOENT);
  int s2 = socket(AF_UNIX, SOCK_STREAM, 0);
  SB_ERRNO("bind_existing_eaddrinuse", bind(s2, (struct sockaddr*)&sa, len), EADDRINUSE);
  SB_ERRNO("connect_not_listening_econnrefused", connect(s2, (struct sockaddr*)&sa, len),
           ECONNREFUSED);
  struct sockaddr_un none;
  socklen_t nlen = path_addr(&none, "missing");
  SB_ERRNO("connect_missing_enoent", connect(s2, (struct sockaddr*)&none, nlen), ENOENT);
  struct sockaddr_un reg;
  socklen_t rlen = path_addr(&reg, "regular");
  close(open(reg.sun_path, O_CREAT | O_WRONLY, 0666));
  SB_ERRNO("connect_regular_file_econnrefused", connect(s2, (struct sockaddr*)&reg, rlen),
           ECONNREFUSED);
  SB_ERRNO("bind_bad_family_einval", bind(s2, (struct sockaddr*)&(struct sockaddr_un){AF_INET}, 4),
           EINVAL);
  SB_ERRNO("bind_too_long_einval", bind(s2, (struct sockaddr*)&sa, sizeof sa + 1), EINVAL);
  SB_ERRNO("bind_short_einval", bind(s2, (struct sockaddr*)&sa, 1), EINVAL);
  SB_ERRNO("connect_addrlen2_einval", connect(s2, (struct sockaddr*)&sa, 2), EINVAL);
  SB_ERRNO("bind_missing_dir_enoent",
           bind(s2, (struct sockaddr*)&(struct sockaddr_un){AF_UNIX, "/tmp/nonexistent-dir-sb/x"},
                sizeof(struct sockaddr_un)),
           ENOENT);
  sb_case("listen", listen(s, 5) == 0);
  int v = 0;
  socklen_t vl = sizeof v;
  getsockopt(s, SOL_SOCKET, SO_ACCEPTCONN, &v, &vl);
  sb_case("so_acceptconn_1", v == 1);
  sb_case("connect_path", connect(s2, (struct sockaddr*)&sa, len) == 0);
  SB_ERRNO("connect_again_eisconn", connect(s2, (struct sockaddr*)&sa, len), EISCONN);
  sb_case("listener_pollin", (ready(s, POLLIN) & POLLIN) != 0);
  struct sockaddr_un peer;
  socklen_t plen = sizeof peer;
  int c = accept(s, (struct sockaddr*)&peer, &plen);
  sb_value("accept peer len=%d", plen);
  sb_case("accept_unnamed_peer_len2", c >= 0 && plen == 2);
  glen = sizeof got;
  getpeername(s2, (struct sockaddr*)&got, &glen);
  sb_case("client_getpeername_is_path", strcmp(got.sun_path, sa.sun_path) == 0);
  glen = sizeof got;
  getsockname(c, (struct sockaddr*)&got, &glen);
  sb_case("accepted_getsockname_is_path", strcmp(got.sun_path, sa.sun_path) == 0);
  SB_ERRNO("getpeername_listener_enotconn", getpeername(s, (struct sockaddr*)&got, &glen),
           ENOTCONN);
  sb_case("accepted_transfer", write(s2, "ping", 4) == 4 && read(c, got.sun_path, 4) == 4);
  struct ucred cr;
  socklen_t crl = sizeof cr;
  getsockopt(c, SOL_SOCKET, SO_PEERCRED, &cr, &crl);
  sb_case("accepted_peercred_is_client", cr.pid == getpid() && cr.uid == getuid());
  crl = sizeof cr;
  getsockopt(s2, SOL_SOCKET, SO_PEERCRED, &cr, &crl);
  sb_case("client_peercred_is_listener", cr.pid == getpid());
  SB_ERRNO("accept_on_connected_einval", accept(c, NULL, NULL), EINVAL);
  SB_ERRNO("listen_connected_einval", listen(c, 1), EINVAL);
  int d = socket(AF_UNIX, SOCK_DGRAM, 0);
  SB_ERRNO("connect_wrong_type_eprototype", connect(d, (struct sockaddr*)&sa, len), EPROTOTYPE);
  SB_ERRNO("listen_dgram_eopnotsupp", listen(d, 1), EOPNOTSUPP);
  SB_ERRNO("accept_dgram_eopnotsupp", accept(d, NULL, NULL), EOPNOTSUPP);
  int u = socket(AF_UNIX, SOCK_STREAM, 0);
  SB_ERRNO("listen_unbound_einval", listen(u, 1), EINVAL);
  SB_ERRNO("accept_not_listening_einval", accept(u, NULL, NULL), EINVAL);
  SB_ERRNO("getpeername_unconnected_enotconn", getpeername(u, (struct sockaddr*)&got, &glen),
           ENOTCONN);
  glen = sizeof got;
  getsockname(u, (struct sockaddr*)&got, &glen);
  sb_case("getsockname_unbound_len2", glen == 2 && got.sun_family == AF_UNIX);
  SB_ERRNO("accept4_bad_flags_einval", accept4(s, NULL, NULL, 0x4), EINVAL);
  close(u);
  close(d);
  close(c);
  close(s2);
  close(s);
  int s3 = socket(AF_UNIX, SOCK_STREAM, 0);
  SB_ERRNO("connect_closed_listener_econnrefused", connect(s3, (struct sockaddr*)&sa, len),
           ECONNREFUSED);
  unlink(sa.sun_path);
  SB_ERRNO("connect_unlinked_enoent", connect(s3, (struct sockaddr*)&sa, len), ENOENT);
  close(s3);
}

static void eacces_child(void* arg) {
  struct sockaddr_un sa;
  socklen_t len = path_addr(&sa, "locked/sock");
  setgid(65534);
  setuid(65534);
  int s = socket(AF_UNIX, SOCK_STREAM, 0);
  errno = 0;
  int r = connect(s, (struct sockaddr*)&sa, len);
  int e1 = (r == -1 && errno == EACCES);
  struct sockaddr_un sb;
  socklen_t l2 = path_addr(&sb, "locked/new");
  errno = 0;
  r = bind(s, (struct sockaddr*)&sb, l2);
  int e2 = (r == -1 && errno == EACCES);
  _exit(e1 && e2 ? 0 : 1);
}

static void test_eacces(void) {
  char p[128];
  snprintf(p, sizeof p, "%s/locked", dir);
  mkdir(p, 0700);
  struct sockaddr_un sa;
  socklen_t len = path_addr(&sa, "locked/sock");
  int s = socket(AF_UNIX, SOCK_STREAM, 0);
  bind(s, (struct sockaddr*)&sa, len);
  listen(s, 1);
  int st = sb_in_child(eacces_child, NULL);
  sb_case("eacces_search_and_write_dir", WIFEXITED(st) && WEXITSTATUS(st) == 0);
  close(s);
}

static void test_abstract_autobind(void) {
  struct sockaddr_un sa, got;
  socklen_t len = abstract_addr(&sa, "a");
  int s = socket(AF_UNIX, SOCK_STREAM, 0);
  sb_case("bind_abstract", bind(s, (struct sockaddr*)&sa, len) == 0);
  socklen_t glen = sizeof got;
  getsockname(s, (struct sockaddr*)&got, &glen);
  sb_case("getsockname_abstract_len", glen == len && got.sun_path[0] == 0);
  int s2 = socket(AF_UNIX, SOCK_STREAM, 0);
  SB_ERRNO("abstract_in_use", bind(s2, (struct sockaddr*)&sa, len), EADDRINUSE);
  SB_ERRNO("abstract_not_listening", connect(s2, (struct sockaddr*)&sa, len), ECONNREFUSED);
  listen(s, 0);
  sb_case("abstract_connect", connect(s2, (struct sockaddr*)&sa, len) == 0);
  /* Backlog 0 admits one pending connection; the next blocks (EAGAIN nonblocking). */
  int s3 = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
  SB_ERRNO("backlog_full_nonblock_eagain", connect(s3, (struct sockaddr*)&sa, len), EAGAIN);
  int c = accept(s, NULL, NULL);
  sb_case("accept_after_backlog", c >= 0);
  sb_case("connect_after_accept_ok", connect(s3, (struct sockaddr*)&sa, len) == 0);
  int c2 = accept4(s, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
  sb_case("accept4_flags",
          c2 >= 0 && (fcntl(c2, F_GETFL) & O_NONBLOCK) && (fcntl(c2, F_GETFD) & FD_CLOEXEC));
  fcntl(s, F_SETFL, O_NONBLOCK);
  SB_ERRNO("accept_nonblock_empty_eagain", accept(s, NULL, NULL), EAGAIN);
  fcntl(s, F_SETFL, 0);
  close(c2);
  close(s3);
  /* The listener closes with an unaccepted connection: ECONNRESET. */
  int s4 = socket(AF_UNIX, SOCK_STREAM, 0);
  connect(s4, (struct sockaddr*)&sa, len);
  close(s);
  char b;
  errno = 0;
  ssize_t n = read(s4, &b, 1);
  sb_value("unaccepted read: %zd %s", n, n < 0 ? strerrorname_np(errno) : "-");
  sb_case("unaccepted_listener_closed_econnreset", n == -1 && errno == ECONNRESET);
  int s5 = socket(AF_UNIX, SOCK_STREAM, 0);
  sb_case("abstract_name_free_after_close", bind(s5, (struct sockaddr*)&sa, len) == 0);
  close(s5);
  close(s4);
  close(c);
  close(s2);
  /* Autobind. */
  int a = socket(AF_UNIX, SOCK_DGRAM, 0);
  sb_case("autobind",
          bind(a, (struct sockaddr*)&(struct sockaddr_un){AF_UNIX}, sizeof(sa_family_t)) == 0);
  glen = sizeof got;
  getsockname(a, (struct sockaddr*)&got, &glen);
  sb_value("autobind len=%d first=%d", glen, got.sun_path[0]);
  sb_case("autobind_5_hex", glen == 8 && got.sun_path[0] == 0);
  close(a);
  int pc = socket(AF_UNIX, SOCK_DGRAM, 0);
  int on = 1;
  setsockopt(pc, SOL_SOCKET, SO_PASSCRED, &on, sizeof on);
  int tgt = socket(AF_UNIX, SOCK_DGRAM, 0);
  struct sockaddr_un ta;
  socklen_t tl = abstract_addr(&ta, "dg");
  bind(tgt, (struct sockaddr*)&ta, tl);
  sendto(pc, "x", 1, 0, (struct sockaddr*)&ta, tl);
  glen = sizeof got;
  getsockname(pc, (struct sockaddr*)&got, &glen);
  sb_case("passcred_send_autobinds", glen == 8);
  struct sockaddr_un from;
  socklen_t fl = sizeof from;
  char buf[8];
  recvfrom(tgt, buf, sizeof buf, 0, (struct sockaddr*)&from, &fl);
  sb_case("recvfrom_sender_autobound_name", fl == 8 && memcmp(&from, &got, 8) == 0);
  close(pc);
  close(tgt);
}

static void test_dgram_addressing(void) {
  struct sockaddr_un a1, a2;
  socklen_t l1 = path_addr(&a1, "d1"), l2 = path_addr(&a2, "d2");
  int d1 = socket(AF_UNIX, SOCK_DGRAM, 0), d2 = socket(AF_UNIX, SOCK_DGRAM, 0);
  bind(d1, (struct sockaddr*)&a1, l1);
  bind(d2, (struct sockaddr*)&a2, l2);
  sb_case("sendto_path", sendto(d1, "hi", 2, 0, (struct sockaddr*)&a2, l2) == 2);
  struct sockaddr_un from;
  socklen_t fl = sizeof from;
  char buf[8];
  ssize_t n = recvfrom(d2, buf, sizeof buf, 0, (struct sockaddr*)&from, &fl);
  sb_case("recvfrom_sender_path", n == 2 && fl == l1 && strcmp(from.sun_path, a1.sun_path) == 0);
  int u = socket(AF_UNIX, SOCK_DGRAM, 0);
  SB_ERRNO("dgram_send_unconnected_enotconn", send(u, "x", 1, 0), ENOTCONN);
  sendto(u, "y", 1, 0, (struct sockaddr*)&a2, l2);
  fl = sizeof from;
  n = recvfrom(d2, buf, sizeof buf, 0, (struct sockaddr*)&from, &fl);
  sb_case("recvfrom_unnamed_sender_len0", n == 1 && fl == 0);
  sb_case("dgram_connect", connect(u, (struct sockaddr*)&a2, l2) == 0);
  sb_case("dgram_send_connected", send(u, "z", 1, 0) == 1);
  recv(d2, buf, sizeof buf, 0);
  sb_case("d2_connect_d1", connect(d2, (struct sockaddr*)&a1, l1) == 0);
  SB_ERRNO("send_to_socket_connected_elsewhere_eperm", send(u, "z", 1, 0), EPERM);
  struct sockaddr_un none;
  socklen_t nl = path_addr(&none, "nothing");
  SB_ERRNO("sendto_missing_enoent", sendto(u, "z", 1, 0, (struct sockaddr*)&none, nl), ENOENT);
  struct sockaddr_un ab;
  socklen_t abl = abstract_addr(&ab, "nobody");
  SB_ERRNO("sendto_missing_abstract_econnrefused", sendto(u, "z", 1, 0, (struct sockaddr*)&ab, abl),
           ECONNREFUSED);
  int st = socket(AF_UNIX, SOCK_STREAM, 0);
  struct sockaddr_un sa;
  socklen_t sl = path_addr(&sa, "stream");
  bind(st, (struct sockaddr*)&sa, sl);
  SB_ERRNO("sendto_stream_socket_eprototype", sendto(d1, "z", 1, 0, (struct sockaddr*)&sa, sl),
           EPROTOTYPE);
  SB_ERRNO("stream_sendto_unconnected_eopnotsupp", sendto(st, "z", 1, 0, (struct sockaddr*)&a1, l1),
           EOPNOTSUPP);
  sb_case("connect_af_unspec_dissolves", connect(u, (struct sockaddr*)&(struct sockaddr){AF_UNSPEC},
                                                 sizeof(struct sockaddr)) == 0);
  SB_ERRNO("after_unspec_enotconn", send(u, "x", 1, 0), ENOTCONN);
  /* Queue limit: an unconnected receiver takes a bounded number of datagrams. */
  int r = socket(AF_UNIX, SOCK_DGRAM, 0);
  struct sockaddr_un ra;
  socklen_t rl = path_addr(&ra, "rq");
  bind(r, (struct sockaddr*)&ra, rl);
  int count = 0;
  errno = 0;
  while (sendto(u, "q", 1, MSG_DONTWAIT, (struct sockaddr*)&ra, rl) == 1 && count < 100000) count++;
  sb_case("dgram_receive_queue_limit_eagain", errno == EAGAIN && count > 0);
  close(r);
  close(st);
  close(u);
  close(d1);
  close(d2);
}

static int send_fds(int s, const int* fds, int n, int flags) {
  char data = 'F';
  struct iovec iov = {&data, 1};
  char ctl[CMSG_SPACE(sizeof(int) * 8)];
  memset(ctl, 0, sizeof ctl);
  struct msghdr m = {0};
  m.msg_iov = &iov;
  m.msg_iovlen = 1;
  m.msg_control = ctl;
  m.msg_controllen = CMSG_SPACE(sizeof(int) * n);
  struct cmsghdr* c = CMSG_FIRSTHDR(&m);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN(sizeof(int) * n);
  memcpy(CMSG_DATA(c), fds, sizeof(int) * n);
  return sendmsg(s, &m, flags);
}

static int recv_fds(int s, int* fds, int max, size_t ctl_len, int flags, int* msg_flags) {
  char data;
  struct iovec iov = {&data, 1};
  char ctl[256];
  struct msghdr m = {0};
  m.msg_iov = &iov;
  m.msg_iovlen = 1;
  m.msg_control = ctl;
  m.msg_controllen = ctl_len;
  if (recvmsg(s, &m, flags) < 0) return -1;
  *msg_flags = m.msg_flags;
  int n = 0;
  for (struct cmsghdr* c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c)) {
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
      int k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
      for (int i = 0; i < k && n < max; i++)
        memcpy(&fds[n++], CMSG_DATA(c) + i * sizeof(int), sizeof(int));
    }
  }
  return n;
}

static void test_scm_rights(void) {
  int sv[2], p[2];
  socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
  pipe(p);
  sb_case("sendmsg_rights", send_fds(sv[0], &p[1], 1, 0) == 1);
  int fds[8], mf = 0;
  int n = recv_fds(sv[1], fds, 8, 256, 0, &mf);
  sb_case("recvmsg_one_fd", n == 1 && mf == 0);
  write(fds[0], "via", 3);
  char buf[4];
  sb_case("passed_fd_is_same_pipe", read(p[0], buf, 3) == 3 && memcmp(buf, "via", 3) == 0);
  sb_case("passed_fd_no_cloexec", (fcntl(fds[0], F_GETFD) & FD_CLOEXEC) == 0);
  close(fds[0]);
  send_fds(sv[0], &p[1], 1, 0);
  n = recv_fds(sv[1], fds, 8, 256, MSG_CMSG_CLOEXEC, &mf);
  sb_case("msg_cmsg_cloexec", n == 1 && (fcntl(fds[0], F_GETFD) & FD_CLOEXEC));
  close(fds[0]);
  int three[3] = {p[0], p[1], p[0]};
  send_fds(sv[0], three, 3, 0);
  n = recv_fds(sv[1], fds, 8, CMSG_SPACE(sizeof(int)), 0, &mf);
  sb_value("short control: n=%d ctrunc=%d", n, !!(mf & MSG_CTRUNC));
  sb_case("short_control_ctrunc", n == 2 && (mf & MSG_CTRUNC));
  close(fds[0]);
  close(fds[1]);
  send_fds(sv[0], &p[1], 1, 0);
  n = recv_fds(sv[1], fds, 8, 0, 0, &mf);
  sb_case("no_control_ctrunc", n == 0 && (mf & MSG_CTRUNC));
  int bad = 999;
  SB_ERRNO("send_bad_fd_ebadf", send_fds(sv[0], &bad, 1, 0), EBADF);
  /* A bad control length. */
  char data = 'x';
  struct iovec iov = {&data, 1};
  char ctl[CMSG_SPACE(sizeof(int))];
  struct msghdr m = {0};
  m.msg_iov = &iov;
  m.msg_iovlen = 1;
  m.msg_control = ctl;
  m.msg_controllen = sizeof ctl;
  struct cmsghdr* c = CMSG_FIRSTHDR(&m);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = sizeof ctl + 8;
  SB_ERRNO("cmsg_len_too_long_einval", sendmsg(sv[0], &m, 0), EINVAL);
  c->cmsg_len = CMSG_LEN(sizeof(int));
  c->cmsg_type = 77;
  SB_ERRNO("cmsg_unknown_type_einval", sendmsg(sv[0], &m, 0), EINVAL);
  /* Passing over a datagram pair, with a socket as the passed fd. */
  int dv[2];
  socketpair(AF_UNIX, SOCK_DGRAM, 0, dv);
  send_fds(dv[0], &sv[0], 1, 0);
  n = recv_fds(dv[1], fds, 8, 256, 0, &mf);
  sb_case("pass_socket_over_dgram",
          n == 1 && write(fds[0], "s", 1) == 1 && read(sv[1], buf, 1) == 1 && buf[0] == 's');
  close(fds[0]);
  /* Stream reads stop at a message carrying fds. */
  write(sv[0], "ab", 2);
  send_fds(sv[0], &p[0], 1, 0);
  n = read(sv[1], buf, 4);
  sb_value("read across rights: %d", n);
  sb_case("stream_read_takes_rights_message_last", n == 3);
  send_fds(sv[0], &p[0], 1, 0);
  write(sv[0], "cd", 2);
  n = recv_fds(sv[1], fds, 8, 256, 0, &mf);
  sb_case("rights_then_stop", n == 1 && read(sv[1], buf, 4) == 2);
  close(fds[0]);
  close(dv[0]);
  close(dv[1]);
  close(p[0]);
  close(p[1]);
  close(sv[0]);
  close(sv[1]);
}

static int recv_creds(int s, struct ucred* out) {
  char data[8];
  struct iovec iov = {data, sizeof data};
  char ctl[CMSG_SPACE(sizeof(struct ucred))];
  struct msghdr m = {0};
  m.msg_iov = &iov;
  m.msg_iovlen = 1;
  m.msg_control = ctl;
  m.msg_controllen = sizeof ctl;
  if (recvmsg(s, &m, 0) < 0) return -1;
  struct cmsghdr* c = CMSG_FIRSTHDR(&m);
  if (!c || c->cmsg_type != SCM_CREDENTIALS) return 0;
  memcpy(out, CMSG_DATA(c), sizeof *out);
  return 1;
}

static int send_creds(int s, pid_t pid, uid_t uid, gid_t gid) {
  char data = 'c';
  struct iovec iov = {&data, 1};
  char ctl[CMSG_SPACE(sizeof(struct ucred))];
  struct msghdr m = {0};
  m.msg_iov = &iov;
  m.msg_iovlen = 1;
  m.msg_control = ctl;
  m.msg_controllen = sizeof ctl;
  struct cmsghdr* c = CMSG_FIRSTHDR(&m);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_CREDENTIALS;
  c->cmsg_len = CMSG_LEN(sizeof(struct ucred));
  struct ucred u = {pid, uid, gid};
  memcpy(CMSG_DATA(c), &u, sizeof u);
  return sendmsg(s, &m, 0);
}

static void forge_child(void* arg) {
  int s = *(int*)arg;
  setgid(65534);
  setuid(65534);
  errno = 0;
  int r1 = send_creds(s, getpid(), 0, 65534);
  int e1 = errno;
  errno = 0;
  int r2 = send_creds(s, 1, 65534, 65534);
  int e2 = errno;
  int r3 = send_creds(s, getpid(), 65534, 65534);
  _exit(r1 == -1 && e1 == EPERM && r2 == -1 && e2 == EPERM && r3 == 1 ? 0 : 1);
}

static void test_scm_credentials(void) {
  int sv[2];
  socketpair(AF_UNIX, SOCK_DGRAM, 0, sv);
  int on = 1;
  setsockopt(sv[1], SOL_SOCKET, SO_PASSCRED, &on, sizeof on);
  send(sv[0], "x", 1, 0);
  struct ucred u = {0};
  int r = recv_creds(sv[1], &u);
  sb_case("passcred_implicit_creds",
          r == 1 && u.pid == getpid() && u.uid == getuid() && u.gid == getgid());
  sb_case("send_explicit_own_creds", send_creds(sv[0], getpid(), getuid(), getgid()) == 1);
  r = recv_creds(sv[1], &u);
  sb_case("explicit_creds_received", r == 1 && u.pid == getpid());
  int v = 0;
  socklen_t vl = sizeof v;
  getsockopt(sv[1], SOL_SOCKET, SO_PASSCRED, &v, &vl);
  sb_case("so_passcred_get", v == 1);
  int st = sb_in_child(forge_child, &sv[0]);
  sb_case("forged_creds_eperm_non_root", WIFEXITED(st) && WEXITSTATUS(st) == 0);
  r = recv_creds(sv[1], &u);
  sb_case("nonroot_creds_received", r == 1 && u.uid == 65534);
  char data = 'c';
  struct iovec iov = {&data, 1};
  char ctl[CMSG_SPACE(sizeof(struct ucred)) + 8];
  struct msghdr m = {0};
  m.msg_iov = &iov;
  m.msg_iovlen = 1;
  m.msg_control = ctl;
  m.msg_controllen = sizeof ctl;
  struct cmsghdr* c = CMSG_FIRSTHDR(&m);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_CREDENTIALS;
  c->cmsg_len = CMSG_LEN(sizeof(struct ucred) + 4);
  SB_ERRNO("scm_credentials_bad_len_einval", sendmsg(sv[0], &m, 0), EINVAL);
  on = 0;
  setsockopt(sv[1], SOL_SOCKET, SO_PASSCRED, &on, sizeof on);
  send(sv[0], "x", 1, 0);
  r = recv_creds(sv[1], &u);
  sb_case("no_passcred_no_creds", r == 0);
  close(sv[0]);
  close(sv[1]);
}

static void test_mmsg(void) {
  int sv[2];
  socketpair(AF_UNIX, SOCK_DGRAM, 0, sv);
  struct mmsghdr mm[3];
  struct iovec iov[3];
  char bufs[3][8] = {"a", "bb", "ccc"};
  memset(mm, 0, sizeof mm);
  for (int i = 0; i < 3; i++) {
    iov[i].iov_base = bufs[i];
    iov[i].iov_len = i + 1;
    mm[i].msg_hdr.msg_iov = &iov[i];
    mm[i].msg_hdr.msg_iovlen = 1;
  }
  int n = sendmmsg(sv[0], mm, 3, 0);
  sb_case("sendmmsg_3", n == 3 && mm[2].msg_len == 3);
  char r[3][8];
  for (int i = 0; i < 3; i++) {
    iov[i].iov_base = r[i];
    iov[i].iov_len = 8;
  }
  n = recvmmsg(sv[1], mm, 3, 0, NULL);
  sb_case("recvmmsg_3", n == 3 && mm[0].msg_len == 1 && mm[1].msg_len == 2 && mm[2].msg_len == 3);
  send(sv[0], "x", 1, 0);
  n = recvmmsg(sv[1], mm, 3, MSG_WAITFORONE, NULL);
  sb_case("recvmmsg_waitforone", n == 1);
  SB_ERRNO("recvmmsg_empty_nonblock", recvmmsg(sv[1], mm, 3, MSG_DONTWAIT, NULL), EAGAIN);
  /* The timeout is checked after each datagram; what is left comes back. */
  send(sv[0], "y", 1, 0);
  send(sv[0], "z", 1, 0);
  struct timespec to = {5, 0};
  n = recvmmsg(sv[1], mm, 2, 0, &to);
  sb_case("recvmmsg_timeout_left_written_back", n == 2 && to.tv_sec >= 0 && to.tv_sec <= 5 &&
                                                    (to.tv_sec < 5 || to.tv_nsec == 0) &&
                                                    !(to.tv_sec == 5 && to.tv_nsec == 0));
  struct timespec bad = {0, 1000000000};
  SB_ERRNO("recvmmsg_bad_timeout_einval", recvmmsg(sv[1], mm, 2, MSG_DONTWAIT, &bad), EINVAL);
  SB_ERRNO("recvmmsg_timeout_efault", recvmmsg(sv[1], mm, 2, MSG_DONTWAIT, (struct timespec*)8),
           EFAULT);
  close(sv[0]);
  close(sv[1]);
}

static void test_inet_unsupported(void) {
  /* Both natively and in the sandbox these exist or not; print nothing
   * host-specific: only that AF_UNIX-less families fail cleanly. */
  SB_ERRNO("af_max_eafnosupport", socket(AF_MAX, SOCK_STREAM, 0), EAFNOSUPPORT);
  SB_ERRNO("socketpair_inet_eopnotsupp", socketpair(AF_INET, SOCK_STREAM, 0, (int[2]){0}),
           EOPNOTSUPP);
}

int main(void) {
  sb_init();
  umask(022);
  snprintf(dir, sizeof dir, "/tmp/sb-unix-%d", getpid());
  mkdir(dir, 0777);
  test_pathname();
  test_eacces();
  test_abstract_autobind();
  test_dgram_addressing();
  test_scm_rights();
  test_scm_credentials();
  test_mmsg();
  test_inet_unsupported();
  char cmd[128];
  snprintf(cmd, sizeof cmd, "%s/locked", dir);
  unlink(strcat(strcpy((char[128]){0}, cmd), "/sock"));
  rmdir(cmd);
  return sb_finish();
}
