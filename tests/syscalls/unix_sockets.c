/* AF_UNIX sockets, part 1: socket(2) argument checks, socketpair, stream
 * data, shutdown and EOF, datagrams, seqpacket, options, ioctl, fstat and
 * poll readiness. Names, connections and control messages are in
 * unix_sockets_conn.c. See sbtest.h. */
#include "sbtest.h"

#include <fcntl.h>
#include <linux/sockios.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

static char big[1 << 20];

static int ready(int fd, short events) {
  struct pollfd p = {fd, events, 0};
  if (poll(&p, 1, 0) < 0) return -1;
  return p.revents;
}

static void test_socket_args(void) {
  SB_ERRNO("bad_family_eafnosupport", socket(1000, SOCK_STREAM, 0), EAFNOSUPPORT);
  SB_ERRNO("bad_type_einval", socket(AF_UNIX, 42, 0), EINVAL);
  SB_ERRNO("bad_flags_einval", socket(AF_UNIX, SOCK_STREAM | 0x100000, 0), EINVAL);
  SB_ERRNO("unix_bad_protocol", socket(AF_UNIX, SOCK_STREAM, 7), EPROTONOSUPPORT);
  SB_ERRNO("unix_rdm_esocktnosupport", socket(AF_UNIX, SOCK_RDM, 0), ESOCKTNOSUPPORT);
  SB_ERRNO("socketpair_bad_type", socketpair(AF_UNIX, 42, 0, (int[2]){0}), EINVAL);
  SB_ERRNO("socketpair_bad_fault", socketpair(AF_UNIX, SOCK_STREAM, 0, (int*)8), EFAULT);
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  sb_case("sock_nonblock_sets_o_nonblock", (fcntl(fd, F_GETFL) & O_NONBLOCK) != 0);
  sb_case("sock_cloexec_sets_fd_cloexec", (fcntl(fd, F_GETFD) & FD_CLOEXEC) != 0);
  sb_case("socket_flags_o_rdwr", (fcntl(fd, F_GETFL) & O_ACCMODE) == O_RDWR);
  struct stat st;
  fstat(fd, &st);
  sb_case("fstat_is_sock", S_ISSOCK(st.st_mode));
  sb_value("mode=%o", st.st_mode & 0777);
  sb_case("fstat_mode_0777", (st.st_mode & 0777) == 0777);
  char link[64];
  SB_ERRNO("read_unconnected_stream_einval", read(fd, link, 1), EINVAL);
  SB_ERRNO("lseek_espipe", lseek(fd, 0, SEEK_SET), ESPIPE);
  int raw = socket(AF_UNIX, SOCK_RAW, 0);
  int type = 0;
  socklen_t len = sizeof type;
  getsockopt(raw, SOL_SOCKET, SO_TYPE, &type, &len);
  sb_case("sock_raw_is_dgram", raw >= 0 && type == SOCK_DGRAM);
  close(raw);
  close(fd);
  int file = open("/", O_RDONLY);
  SB_ERRNO("bind_not_socket_enotsock",
           bind(file, (struct sockaddr*)&(struct sockaddr_un){AF_UNIX}, 4), ENOTSOCK);
  SB_ERRNO("listen_not_socket", listen(file, 1), ENOTSOCK);
  SB_ERRNO("getsockopt_not_socket", getsockopt(file, SOL_SOCKET, SO_TYPE, &type, &len), ENOTSOCK);
  SB_ERRNO("shutdown_bad_fd", shutdown(999, SHUT_RD), EBADF);
  close(file);
}

static void test_stream_pair(void) {
  int sv[2];
  sb_case("socketpair_stream", socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
  sb_case("pair_write", write(sv[0], "hello", 5) == 5);
  sb_case("pair_write2", write(sv[0], "world", 5) == 5);
  char buf[32] = {0};
  int avail = -1;
  ioctl(sv[1], FIONREAD, &avail);
  sb_value("fionread=%d", avail);
  sb_case("fionread_stream_bytes", avail == 10);
  int outq = -1;
  sb_case("siocoutq_ok", ioctl(sv[0], SIOCOUTQ, &outq) == 0 && outq > 0);
  ssize_t n = recv(sv[1], buf, 3, MSG_PEEK);
  sb_case("peek_3", n == 3 && memcmp(buf, "hel", 3) == 0);
  n = read(sv[1], buf, sizeof buf);
  sb_value("read %zd '%.*s'", n, (int)n, buf);
  sb_case("stream_merges_writes", n == 10 && memcmp(buf, "helloworld", 10) == 0);
  SB_ERRNO("dontwait_empty_eagain", recv(sv[1], buf, 1, MSG_DONTWAIT), EAGAIN);
  sb_case("writable_pollout", (ready(sv[0], POLLOUT) & POLLOUT) != 0);
  sb_case("empty_not_pollin", (ready(sv[1], POLLIN) & POLLIN) == 0);
  write(sv[0], "x", 1);
  sb_case("data_pollin", (ready(sv[1], POLLIN) & POLLIN) != 0);
  read(sv[1], buf, 1);
  /* MSG_WAITALL across two writes from a child. */
  pid_t pid = fork();
  if (pid == 0) {
    write(sv[0], "ab", 2);
    usleep(20000);
    write(sv[0], "cd", 2);
    _exit(0);
  }
  n = recv(sv[1], buf, 4, MSG_WAITALL);
  waitpid(pid, NULL, 0);
  sb_case("waitall_gets_all", n == 4 && memcmp(buf, "abcd", 4) == 0);
  /* sendto with an address on a connected stream. */
  struct sockaddr_un sa = {AF_UNIX, "x"};
  SB_ERRNO("stream_sendto_addr_eisconn", sendto(sv[0], "a", 1, 0, (struct sockaddr*)&sa, sizeof sa),
           EISCONN);
  /* shutdown */
  SB_ERRNO("shutdown_bad_how", shutdown(sv[0], 7), EINVAL);
  sb_case("shutdown_wr", shutdown(sv[0], SHUT_WR) == 0);
  n = read(sv[1], buf, 1);
  sb_case("peer_reads_eof_after_shut_wr", n == 0);
  int rv = ready(sv[1], POLLIN | POLLRDHUP | POLLHUP);
  sb_value("peer revents=%#x", rv);
  sb_case("peer_pollrdhup", (rv & POLLRDHUP) && (rv & POLLIN) && !(rv & POLLHUP));
  signal(SIGPIPE, SIG_IGN);
  SB_ERRNO("write_after_shut_wr_epipe", write(sv[0], "a", 1), EPIPE);
  sb_case("other_direction_still_works", write(sv[1], "z", 1) == 1 && read(sv[0], buf, 1) == 1);
  shutdown(sv[0], SHUT_RD);
  SB_ERRNO("peer_write_after_shut_rd_epipe", write(sv[1], "a", 1), EPIPE);
  rv = ready(sv[0], POLLIN | POLLHUP | POLLOUT);
  sb_value("fully shut revents=%#x", rv);
  sb_case("shut_rdwr_pollhup", (rv & POLLHUP) != 0);
  signal(SIGPIPE, SIG_DFL);
  close(sv[0]);
  close(sv[1]);
}

static void sigpipe_child(void* arg) {
  int sv[2];
  socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
  close(sv[1]);
  write(sv[0], "a", 1);
}

static void nosignal_child(void* arg) {
  int sv[2];
  socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
  close(sv[1]);
  errno = 0;
  ssize_t n = send(sv[0], "a", 1, MSG_NOSIGNAL);
  _exit(n == -1 && errno == EPIPE ? 3 : 4);
}

static void test_peer_close(void) {
  int st = sb_in_child(sigpipe_child, NULL);
  sb_case("write_to_closed_peer_sigpipe", sb_killed_by(st, SIGPIPE));
  st = sb_in_child(nosignal_child, NULL);
  sb_case("msg_nosignal_epipe_no_signal", WIFEXITED(st) && WEXITSTATUS(st) == 3);
  int sv[2];
  socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
  write(sv[0], "data", 4);
  close(sv[0]);
  char buf[8];
  ssize_t n = read(sv[1], buf, sizeof buf);
  sb_case("data_readable_after_peer_close", n == 4);
  n = read(sv[1], buf, sizeof buf);
  sb_case("then_eof", n == 0);
  int rv = ready(sv[1], POLLIN | POLLOUT | POLLHUP | POLLRDHUP);
  sb_value("closed peer revents=%#x", rv);
  sb_case("closed_peer_pollhup", (rv & POLLHUP) != 0);
  close(sv[1]);
  /* Peer closes with our data unread: ECONNRESET. */
  socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
  write(sv[0], "unread", 6);
  close(sv[1]);
  errno = 0;
  n = read(sv[0], buf, sizeof buf);
  sb_value("read after reset: %zd %s", n, n < 0 ? strerrorname_np(errno) : "-");
  sb_case("econnreset_when_peer_closed_with_unread", n == -1 && errno == ECONNRESET);
  n = read(sv[0], buf, sizeof buf);
  sb_case("eof_after_econnreset", n == 0);
  int err = -1;
  socklen_t len = sizeof err;
  getsockopt(sv[0], SOL_SOCKET, SO_ERROR, &err, &len);
  sb_case("so_error_cleared", err == 0);
  close(sv[0]);
}

static void test_dgram_pair(void) {
  int sv[2];
  sb_case("socketpair_dgram", socketpair(AF_UNIX, SOCK_DGRAM, 0, sv) == 0);
  send(sv[0], "one", 3, 0);
  send(sv[0], "three", 5, 0);
  char buf[16];
  int avail = -1;
  ioctl(sv[1], SIOCINQ, &avail);
  sb_case("siocinq_dgram_next_size", avail == 3);
  ssize_t n = recv(sv[1], buf, sizeof buf, 0);
  sb_case("dgram_boundary_1", n == 3);
  n = recv(sv[1], buf, 2, 0);
  sb_case("dgram_truncated_read", n == 2);
  send(sv[0], "seven77", 7, 0);
  n = recv(sv[1], buf, 2, MSG_TRUNC);
  sb_case("dgram_msg_trunc_real_length", n == 7);
  send(sv[0], "four", 4, 0);
  struct iovec iov = {buf, 2};
  struct msghdr m = {0};
  m.msg_iov = &iov;
  m.msg_iovlen = 1;
  n = recvmsg(sv[1], &m, 0);
  sb_value("recvmsg n=%zd flags=%#x", n, m.msg_flags);
  sb_case("recvmsg_sets_msg_trunc", n == 2 && (m.msg_flags & MSG_TRUNC));
  send(sv[0], "", 0, 0);
  n = recv(sv[1], buf, sizeof buf, MSG_DONTWAIT);
  sb_case("zero_length_datagram", n == 0);
  SB_ERRNO("dgram_empty_eagain", recv(sv[1], buf, 1, MSG_DONTWAIT), EAGAIN);
  SB_ERRNO("dgram_too_big_emsgsize", send(sv[0], big, sizeof big, 0), EMSGSIZE);
  fcntl(sv[0], F_SETFL, O_NONBLOCK);
  int count = 0;
  errno = 0;
  while (send(sv[0], big, 60000, 0) > 0 && count < 10000) count++;
  sb_case("dgram_fills_eagain", errno == EAGAIN && count > 0);
  close(sv[1]);
  SB_ERRNO("dgram_peer_closed_econnrefused", send(sv[0], "x", 1, 0), ECONNREFUSED);
  SB_ERRNO("dgram_after_refused_enotconn", send(sv[0], "x", 1, 0), ENOTCONN);
  close(sv[0]);
}

static void test_seqpacket_pair(void) {
  int sv[2];
  sb_case("socketpair_seqpacket", socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv) == 0);
  send(sv[0], "abc", 3, 0);
  send(sv[0], "defgh", 5, 0);
  char buf[16];
  ssize_t n = recv(sv[1], buf, sizeof buf, 0);
  sb_case("seqpacket_boundary", n == 3);
  struct iovec iov = {buf, 2};
  struct msghdr m = {0};
  m.msg_iov = &iov;
  m.msg_iovlen = 1;
  n = recvmsg(sv[1], &m, 0);
  sb_value("seqpacket trunc n=%zd flags=%#x", n, m.msg_flags);
  sb_case("seqpacket_trunc_flag", n == 2 && (m.msg_flags & MSG_TRUNC));
  send(sv[0], "xyz", 3, MSG_EOR);
  memset(&m, 0, sizeof m);
  iov.iov_len = sizeof buf;
  m.msg_iov = &iov;
  m.msg_iovlen = 1;
  n = recvmsg(sv[1], &m, 0);
  sb_value("seqpacket eor n=%zd flags=%#x", n, m.msg_flags);
  sb_case("seqpacket_msg_eor_send_ok", n == 3);
  send(sv[0], "12345", 5, 0);
  n = recv(sv[1], buf, 1, MSG_TRUNC);
  sb_case("seqpacket_msg_trunc_returns_length", n == 5);
  close(sv[0]);
  n = recv(sv[1], buf, sizeof buf, 0);
  sb_case("seqpacket_eof_after_close", n == 0);
  signal(SIGPIPE, SIG_IGN);
  SB_ERRNO("seqpacket_send_closed_epipe", send(sv[1], "a", 1, 0), EPIPE);
  signal(SIGPIPE, SIG_DFL);
  close(sv[1]);
  int s = socket(AF_UNIX, SOCK_SEQPACKET, 0);
  SB_ERRNO("seqpacket_unconnected_send_enotconn", send(s, "a", 1, 0), ENOTCONN);
  SB_ERRNO("seqpacket_unconnected_recv_enotconn", recv(s, buf, 1, MSG_DONTWAIT), ENOTCONN);
  close(s);
}

static void test_options(void) {
  int sv[2];
  socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
  int v = -1;
  socklen_t len = sizeof v;
  getsockopt(sv[0], SOL_SOCKET, SO_TYPE, &v, &len);
  sb_case("so_type_stream", v == SOCK_STREAM && len == sizeof v);
  getsockopt(sv[0], SOL_SOCKET, SO_DOMAIN, &v, &len);
  sb_case("so_domain_unix", v == AF_UNIX);
  getsockopt(sv[0], SOL_SOCKET, SO_PROTOCOL, &v, &len);
  sb_case("so_protocol_0", v == 0);
  getsockopt(sv[0], SOL_SOCKET, SO_ACCEPTCONN, &v, &len);
  sb_case("so_acceptconn_0", v == 0);
  v = 10000;
  setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &v, sizeof v);
  getsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &v, &len);
  sb_value("sndbuf after 10000: %d", v);
  sb_case("so_sndbuf_doubled", v == 20000);
  v = 1;
  setsockopt(sv[0], SOL_SOCKET, SO_RCVBUF, &v, sizeof v);
  getsockopt(sv[0], SOL_SOCKET, SO_RCVBUF, &v, &len);
  sb_value("rcvbuf after 1: %d", v);
  sb_case("so_rcvbuf_min", v == 2304);
  v = 1;
  setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &v, sizeof v);
  getsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &v, &len);
  sb_case("so_sndbuf_min", v == 4608);
  v = 1;
  sb_case("so_reuseaddr_set", setsockopt(sv[0], SOL_SOCKET, SO_REUSEADDR, &v, sizeof v) == 0);
  v = 0;
  getsockopt(sv[0], SOL_SOCKET, SO_REUSEADDR, &v, &len);
  sb_case("so_reuseaddr_get", v == 1);
  SB_ERRNO("setsockopt_short_einval", setsockopt(sv[0], SOL_SOCKET, SO_REUSEADDR, &v, 2), EINVAL);
  SB_ERRNO("setsockopt_so_type_enoprotoopt", setsockopt(sv[0], SOL_SOCKET, SO_TYPE, &v, sizeof v),
           ENOPROTOOPT);
  SB_ERRNO("getsockopt_negative_len", getsockopt(sv[0], SOL_SOCKET, SO_TYPE, &v, &(socklen_t){-1}),
           EINVAL);
  SB_ERRNO("getsockopt_unknown_enoprotoopt", getsockopt(sv[0], SOL_SOCKET, 9999, &v, &len),
           ENOPROTOOPT);
  SB_ERRNO("getsockopt_tcp_level_eopnotsupp", getsockopt(sv[0], 6, 1, &v, &len), EOPNOTSUPP);
  char small = 0;
  socklen_t slen = 1;
  getsockopt(sv[0], SOL_SOCKET, SO_TYPE, &small, &slen);
  sb_case("getsockopt_truncates_int", slen == 1 && small == SOCK_STREAM);
  struct linger l = {1, 5}, lo = {0, 0};
  setsockopt(sv[0], SOL_SOCKET, SO_LINGER, &l, sizeof l);
  len = sizeof lo;
  getsockopt(sv[0], SOL_SOCKET, SO_LINGER, &lo, &len);
  sb_case("so_linger_roundtrip", lo.l_onoff == 1 && lo.l_linger == 5 && len == sizeof lo);
  struct timeval tv = {2, 0}, to = {0};
  setsockopt(sv[0], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  len = sizeof to;
  getsockopt(sv[0], SOL_SOCKET, SO_RCVTIMEO, &to, &len);
  sb_case("so_rcvtimeo_roundtrip", to.tv_sec == 2 && to.tv_usec == 0);
  tv.tv_sec = 0;
  tv.tv_usec = 50000;
  setsockopt(sv[0], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  char c;
  errno = 0;
  ssize_t n = recv(sv[0], &c, 1, 0);
  sb_case("so_rcvtimeo_expires_eagain", n == -1 && errno == EAGAIN);
  tv.tv_usec = 2000000;
  SB_ERRNO("so_rcvtimeo_bad_usec_edom", setsockopt(sv[0], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv),
           EDOM);
  SB_ERRNO("so_sndtimeo_short_einval", setsockopt(sv[0], SOL_SOCKET, SO_SNDTIMEO, &tv, 4), EINVAL);
  struct ucred cr;
  len = sizeof cr;
  getsockopt(sv[0], SOL_SOCKET, SO_PEERCRED, &cr, &len);
  sb_case("so_peercred_socketpair_pid",
          cr.pid == getpid() && cr.uid == getuid() && cr.gid == getgid());
  int s = socket(AF_UNIX, SOCK_STREAM, 0);
  len = sizeof cr;
  getsockopt(s, SOL_SOCKET, SO_PEERCRED, &cr, &len);
  sb_value("unconnected peercred pid=%d uid=%d gid=%d", cr.pid, (int)cr.uid, (int)cr.gid);
  sb_case("so_peercred_unconnected", cr.pid == 0);
  close(s);
  close(sv[0]);
  close(sv[1]);
}

static volatile int got_signal;
static void handler(int s) { got_signal = s; }

static void test_blocking_signal(void) {
  int sv[2];
  socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
  pid_t parent = getpid();
  pid_t pid = fork();
  if (pid == 0) {
    usleep(50000);
    kill(parent, SIGUSR1);
    usleep(50000);
    write(sv[1], "r", 1);
    _exit(0);
  }
  sb_set_handler(SIGUSR1, handler, 0);
  char c;
  errno = 0;
  ssize_t n = read(sv[0], &c, 1);
  sb_case("blocking_read_eintr_without_sa_restart", n == -1 && errno == EINTR);
  n = read(sv[0], &c, 1);
  waitpid(pid, NULL, 0);
  sb_case("then_reads_data", n == 1 && c == 'r');
  pid = fork();
  if (pid == 0) {
    usleep(50000);
    kill(parent, SIGUSR1);
    usleep(50000);
    write(sv[1], "s", 1);
    _exit(0);
  }
  sb_set_handler(SIGUSR1, handler, SA_RESTART);
  n = recv(sv[0], &c, 1, 0);
  waitpid(pid, NULL, 0);
  sb_case("sa_restart_restarts_recv", n == 1 && c == 's');
  signal(SIGUSR1, SIG_DFL);
  close(sv[0]);
  close(sv[1]);
}

int main(void) {
  sb_init();
  test_socket_args();
  test_stream_pair();
  test_peer_close();
  test_dgram_pair();
  test_seqpacket_pair();
  test_options();
  test_blocking_signal();
  return sb_finish();
}
