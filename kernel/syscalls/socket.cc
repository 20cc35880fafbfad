// socket.cc: socket, socketpair, bind, listen, accept, accept4, connect,
// shutdown, getsockname, getpeername, getsockopt, setsockopt. Sending and
// receiving are in socket_msg.cc.
//
// Only AF_UNIX exists (fs/unix_socket.h). AF_INET/AF_INET6 fail with
// EAFNOSUPPORT until the netstack issue wires them; every other family
// fails so too, as on a Linux built without it. Both are reported.
#include <sys/resource.h>
#include <sys/socket.h>

#include "absl/strings/str_cat.h"
#include "fs/unix_socket.h"
#include "kernel/base/log_once.h"
#include "kernel/syscalls/handlers.h"
#include "kernel/syscalls/socket_util.h"

namespace sb::kernel {
namespace {

constexpr int kSockTypeMask = 0xf;
constexpr int kSockMax = 11;  // SOCK_MAX

// fs/ asks this for the caller of write(2) on a socket.
fs::SocketCred CurrentCred() {
  Task* t = Task::Current();
  return t ? CredOf(*t) : fs::SocketCred{};
}
[[maybe_unused]] const bool kCredHookInstalled = [] {
  fs::SetCurrentSocketCredFn(&CurrentCred);
  return true;
}();

// Splits socket(2)'s type into the base type and flags (EINVAL for others).
ErrnoOr<std::pair<int, int>> SplitType(int type) {
  int flags = type & ~kSockTypeMask;
  if (flags & ~(SOCK_NONBLOCK | SOCK_CLOEXEC)) return Errno(EINVAL);
  return std::pair{type & kSockTypeMask, flags};
}

// Linux's unix_create(): the AF_UNIX type (SOCK_RAW is a datagram socket).
ErrnoOr<int> UnixType(int type, int protocol) {
  if (protocol != 0 && protocol != AF_UNIX) return Errno(EPROTONOSUPPORT);
  switch (type) {
    case SOCK_STREAM:
    case SOCK_DGRAM:
    case SOCK_SEQPACKET:
      return type;
    case SOCK_RAW:
      return SOCK_DGRAM;
    default:
      return Errno(ESOCKTNOSUPPORT);
  }
}

// The checks socket(2) and socketpair(2) share; returns the AF_UNIX type.
ErrnoOr<int> CheckFamily(int domain, int type, int protocol) {
  if (domain < 0 || domain >= AF_MAX) return Errno(EAFNOSUPPORT);
  if (type < 0 || type >= kSockMax) return Errno(EINVAL);
  if (domain == AF_INET || domain == AF_INET6) {
    // The netstack issue plugs AF_INET/AF_INET6 sockets (netstack/) in here.
    ReportUnsupported(absl::StrCat("socket family ", domain == AF_INET ? "AF_INET" : "AF_INET6",
                                   " (netstack not wired yet)"));
    return Errno(EAFNOSUPPORT);
  }
  if (domain != AF_UNIX) {
    ReportUnsupported(absl::StrCat("socket family ", domain));
    return Errno(EAFNOSUPPORT);
  }
  return UnixType(type, protocol);
}

fs::SocketCaller Caller(Task& t, const fs::FsContext& ctx) {
  fs::SocketCaller c;
  c.mnt = &t.mount_namespace();
  c.fs = &ctx;
  c.cred = CredOf(t);
  return c;
}

int OpenFlags(int sock_flags) { return (sock_flags & SOCK_NONBLOCK) ? O_NONBLOCK : 0; }

SyscallResult DoAccept(Task& t, int fd, uint64_t addr, uint64_t lenp, int flags) {
  if (flags & ~(SOCK_NONBLOCK | SOCK_CLOEXEC)) return Errno(EINVAL);
  SB_ASSIGN_OR_RETURN(SocketRef s, GetSocket(t, fd));
  std::string peer;
  SB_ASSIGN_OR_RETURN(fs::FileRef f, SocketBlock(t, s.file->wait_queue(), POLLIN,
                                                 s.file->nonblocking(), s.sock->rcv_timeout(), [&] {
                                                   return s.sock->Accept(OpenFlags(flags), &peer);
                                                 }));
  SB_ASSIGN_OR_RETURN(int nfd,
                      t.fds().Install(f, flags & SOCK_CLOEXEC, 0, t.RlimitCur(RLIMIT_NOFILE)));
  auto copied = CopyOutSockAddr(t, peer, addr, lenp);
  if (!copied.ok()) {
    (void)t.fds().Remove(nfd);
    return copied.error();
  }
  return static_cast<uint64_t>(nfd);
}

}  // namespace

SyscallResult Socket(Task& t, const SyscallArgs& a) {
  SB_ASSIGN_OR_RETURN(auto split, SplitType(a.i32(1)));
  auto [type, flags] = split;
  SB_ASSIGN_OR_RETURN(int unix_type, CheckFamily(a.i32(0), type, a.i32(2)));
  fs::FileRef f = fs::NewUnixSocket(unix_type, OpenFlags(flags));
  SB_ASSIGN_OR_RETURN(
      int fd, t.fds().Install(std::move(f), flags & SOCK_CLOEXEC, 0, t.RlimitCur(RLIMIT_NOFILE)));
  return static_cast<uint64_t>(fd);
}

SyscallResult Socketpair(Task& t, const SyscallArgs& a) {
  SB_ASSIGN_OR_RETURN(auto split, SplitType(a.i32(1)));
  auto [type, flags] = split;
  const int domain = a.i32(0);
  if (domain == AF_INET || domain == AF_INET6) {
    if (type >= 0 && type < kSockMax) return Errno(EOPNOTSUPP);  // inet has no socketpair
  }
  SB_ASSIGN_OR_RETURN(int unix_type, CheckFamily(domain, type, a.i32(2)));
  auto [f0, f1] = fs::NewUnixSocketPair(unix_type, OpenFlags(flags), CredOf(t));
  const uint64_t limit = t.RlimitCur(RLIMIT_NOFILE);
  const bool cloexec = flags & SOCK_CLOEXEC;
  SB_ASSIGN_OR_RETURN(int fd0, t.fds().Install(std::move(f0), cloexec, 0, limit));
  auto fd1 = t.fds().Install(std::move(f1), cloexec, 0, limit);
  if (!fd1.ok()) {
    (void)t.fds().Remove(fd0);
    return fd1.error();
  }
  int fds[2] = {fd0, *fd1};
  auto copied = t.CopyOut(a.addr(3), fds, sizeof(fds));
  if (!copied.ok()) {
    (void)t.fds().Remove(fd0);
    (void)t.fds().Remove(*fd1);
    return copied.error();
  }
  return 0;
}

SyscallResult Bind(Task& t, const SyscallArgs& a) {
  SB_ASSIGN_OR_RETURN(SocketRef s, GetSocket(t, a.fd(0)));
  SB_ASSIGN_OR_RETURN(std::string addr, CopyInSockAddr(t, a.addr(1), a.u64(2)));
  fs::FsContext ctx = t.FsContext();
  SB_TRY(s.sock->Bind(Caller(t, ctx), addr));
  return 0;
}

SyscallResult Listen(Task& t, const SyscallArgs& a) {
  SB_ASSIGN_OR_RETURN(SocketRef s, GetSocket(t, a.fd(0)));
  fs::FsContext ctx = t.FsContext();
  SB_TRY(s.sock->Listen(Caller(t, ctx), a.i32(1)));
  return 0;
}

SyscallResult Accept(Task& t, const SyscallArgs& a) {
  return DoAccept(t, a.fd(0), a.addr(1), a.addr(2), 0);
}

SyscallResult Accept4(Task& t, const SyscallArgs& a) {
  return DoAccept(t, a.fd(0), a.addr(1), a.addr(2), a.i32(3));
}

SyscallResult Connect(Task& t, const SyscallArgs& a) {
  SB_ASSIGN_OR_RETURN(SocketRef s, GetSocket(t, a.fd(0)));
  SB_ASSIGN_OR_RETURN(std::string addr, CopyInSockAddr(t, a.addr(1), a.u64(2)));
  fs::FsContext ctx = t.FsContext();
  fs::SocketCaller c = Caller(t, ctx);
  SB_TRY(SocketBlock(t, s.sock->connect_wait_queue(), POLLOUT, s.file->nonblocking(),
                     s.sock->snd_timeout(), [&] { return s.sock->Connect(c, addr); }));
  return 0;
}

SyscallResult Shutdown(Task& t, const SyscallArgs& a) {
  SB_ASSIGN_OR_RETURN(SocketRef s, GetSocket(t, a.fd(0)));
  int how = a.i32(1);
  if (how != SHUT_RD && how != SHUT_WR && how != SHUT_RDWR) return Errno(EINVAL);
  SB_TRY(s.sock->Shutdown(how));
  return 0;
}

SyscallResult Getsockname(Task& t, const SyscallArgs& a) {
  SB_ASSIGN_OR_RETURN(SocketRef s, GetSocket(t, a.fd(0)));
  SB_ASSIGN_OR_RETURN(std::string name, s.sock->SockName());
  SB_TRY(CopyOutSockAddr(t, name, a.addr(1), a.addr(2)));
  return 0;
}

SyscallResult Getpeername(Task& t, const SyscallArgs& a) {
  SB_ASSIGN_OR_RETURN(SocketRef s, GetSocket(t, a.fd(0)));
  SB_ASSIGN_OR_RETURN(std::string name, s.sock->PeerName());
  SB_TRY(CopyOutSockAddr(t, name, a.addr(1), a.addr(2)));
  return 0;
}

SyscallResult Getsockopt(Task& t, const SyscallArgs& a) {
  SB_ASSIGN_OR_RETURN(SocketRef s, GetSocket(t, a.fd(0)));
  const int level = a.i32(1), name = a.i32(2);
  SB_ASSIGN_OR_RETURN(int len, t.CopyInObj<int>(a.addr(4)));
  if (len < 0) return Errno(EINVAL);
  std::vector<uint8_t> v;
  if (level == SOL_SOCKET && name == SO_PEERCRED) {
    // The pid as the reader's PID namespace sees it.
    fs::SocketCred c = s.sock->PeerCred();
    struct ucred u = {PidFor(t, c), c.uid, c.gid};
    v.resize(sizeof(u));
    std::memcpy(v.data(), &u, sizeof(u));
  } else {
    auto got = s.sock->GetSockOpt(level, name);
    if (!got.ok()) {
      if (got.error().value() == ENOPROTOOPT) {
        ReportUnsupported(absl::StrCat("getsockopt level ", level, " option ", name));
      }
      return got.error();
    }
    v = std::move(*got);
  }
  size_t n = std::min(v.size(), static_cast<size_t>(len));
  if (n > 0) SB_TRY(t.CopyOut(a.addr(3), v.data(), n));
  SB_TRY(t.CopyOutObj<int>(a.addr(4), static_cast<int>(n)));
  return 0;
}

SyscallResult Setsockopt(Task& t, const SyscallArgs& a) {
  SB_ASSIGN_OR_RETURN(SocketRef s, GetSocket(t, a.fd(0)));
  const int level = a.i32(1), name = a.i32(2), len = a.i32(4);
  if (len < 0) return Errno(EINVAL);
  std::vector<uint8_t> v(std::min(len, 4096));
  if (!v.empty()) SB_TRY(t.CopyIn(a.addr(3), v.data(), v.size()));
  auto r = s.sock->SetSockOpt(level, name, v);
  if (!r.ok() && r.error().value() == ENOPROTOOPT) {
    ReportUnsupported(absl::StrCat("setsockopt level ", level, " option ", name));
  }
  SB_TRY(r);
  return 0;
}

}  // namespace sb::kernel
