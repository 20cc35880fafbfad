// socket_msg.cc: sendto, recvfrom, sendmsg, recvmsg, sendmmsg, recvmmsg,
// with control messages (SCM_RIGHTS, SCM_CREDENTIALS) decoded and encoded
// here: fds are looked up in and installed into the caller's table, and
// explicit credentials are checked against the caller's (Linux's
// __scm_send, scm_check_creds, put_cmsg and scm_detach_fds).
#include <linux/capability.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include <algorithm>
#include <cstring>
#include <optional>

#include "absl/time/clock.h"
#include "kernel/base/log_once.h"
#include "kernel/kernel.h"
#include "kernel/syscalls/blocking.h"
#include "kernel/syscalls/handlers.h"
#include "kernel/syscalls/socket_util.h"

namespace sb::kernel {
namespace {

constexpr size_t kScmMaxFd = 253;      // SCM_MAX_FD
constexpr size_t kMaxControl = 65536;  // beyond this Linux's sock_kmalloc fails
constexpr int kUioMaxIov = 1024;

// Linux's scm_check_creds.
ErrnoStatus CheckCreds(Task& t, const struct ucred& u) {
  const Credentials& c = t.creds();
  bool pid_ok = u.pid == static_cast<pid_t>(t.thread_group().pid()->local()) ||
                c.HasCapability(CAP_SYS_ADMIN);
  bool uid_ok =
      u.uid == c.ruid || u.uid == c.euid || u.uid == c.suid || c.HasCapability(CAP_SETUID);
  bool gid_ok =
      u.gid == c.rgid || u.gid == c.egid || u.gid == c.sgid || c.HasCapability(CAP_SETGID);
  if (!(pid_ok && uid_ok && gid_ok)) return Errno(EPERM);
  return Ok();
}

// Decodes sendmsg's control buffer into `req`.
ErrnoStatus ParseControl(Task& t, uint64_t addr, size_t len, fs::SendRequest& req) {
  if (len == 0) return Ok();
  if (len > kMaxControl) return Errno(ENOBUFS);
  std::vector<uint8_t> buf(len);
  SB_TRY(t.CopyIn(addr, buf.data(), len));
  size_t off = 0;
  while (off + sizeof(struct cmsghdr) <= len) {
    struct cmsghdr h;
    std::memcpy(&h, buf.data() + off, sizeof(h));
    if (h.cmsg_len < sizeof(struct cmsghdr) || h.cmsg_len > len - off) return Errno(EINVAL);
    const uint8_t* data = buf.data() + off + CMSG_LEN(0);
    const size_t dlen = h.cmsg_len - CMSG_LEN(0);
    if (h.cmsg_level == SOL_SOCKET) {
      switch (h.cmsg_type) {
        case SCM_RIGHTS: {
          size_t n = dlen / sizeof(int);
          if (req.rights.size() + n > kScmMaxFd) return Errno(EINVAL);
          for (size_t i = 0; i < n; ++i) {
            int fd;
            std::memcpy(&fd, data + i * sizeof(int), sizeof(fd));
            SB_ASSIGN_OR_RETURN(fs::FileRef f, t.fds().Get(fd));
            req.rights.push_back(std::move(f));
          }
          break;
        }
        case SCM_CREDENTIALS: {
          if (h.cmsg_len != CMSG_LEN(sizeof(struct ucred))) return Errno(EINVAL);
          struct ucred u;
          std::memcpy(&u, data, sizeof(u));
          SB_TRY(CheckCreds(t, u));
          fs::SocketCred c;
          {
            absl::MutexLock lock(&t.kernel().tree_mu_);
            PidRef pid = t.pid_namespace().LookupLocked(u.pid);
            if (!pid) return Errno(ESRCH);
            c.global_pid = pid->global();
            c.pid = pid;
          }
          c.uid = u.uid;
          c.gid = u.gid;
          req.creds = c;
          break;
        }
        default:
          return Errno(EINVAL);
      }
    }
    off += CMSG_ALIGN(h.cmsg_len);
  }
  return Ok();
}

// Builds recvmsg's control buffer (Linux's put_cmsg + scm_detach_fds).
struct ControlOut {
  std::vector<uint8_t> buf;  // bytes to copy out
  size_t room;               // what is left of msg_controllen
  int flags = 0;             // MSG_CTRUNC
};

void PutCmsg(ControlOut& out, int type, const void* data, size_t len) {
  if (out.room < sizeof(struct cmsghdr)) {
    out.flags |= MSG_CTRUNC;
    return;
  }
  size_t cmlen = CMSG_LEN(len);
  if (out.room < cmlen) {
    out.flags |= MSG_CTRUNC;
    cmlen = out.room;
  }
  struct cmsghdr h = {};
  h.cmsg_len = cmlen;
  h.cmsg_level = SOL_SOCKET;
  h.cmsg_type = type;
  size_t at = out.buf.size();
  size_t space = std::min<size_t>(CMSG_SPACE(len), out.room);
  out.buf.resize(at + space, 0);
  std::memcpy(out.buf.data() + at, &h, sizeof(h));
  std::memcpy(out.buf.data() + at + sizeof(h), data, cmlen - sizeof(h));
  out.room -= space;
}

void PutRights(Task& t, ControlOut& out, std::vector<fs::FileRef>& rights, bool cloexec) {
  size_t fdmax =
      out.room > sizeof(struct cmsghdr) ? (out.room - sizeof(struct cmsghdr)) / sizeof(int) : 0;
  std::vector<int> fds;
  const uint64_t limit = t.RlimitCur(RLIMIT_NOFILE);
  for (size_t i = 0; i < rights.size() && i < fdmax; ++i) {
    auto fd = t.fds().Install(rights[i], cloexec, 0, limit);
    if (!fd.ok()) break;
    fds.push_back(*fd);
  }
  if (!fds.empty()) {
    size_t len = fds.size() * sizeof(int);
    struct cmsghdr h = {};
    h.cmsg_len = CMSG_LEN(len);
    h.cmsg_level = SOL_SOCKET;
    h.cmsg_type = SCM_RIGHTS;
    size_t at = out.buf.size();
    size_t space = std::min<size_t>(CMSG_SPACE(len), out.room);
    out.buf.resize(at + space, 0);
    std::memcpy(out.buf.data() + at, &h, sizeof(h));
    std::memcpy(out.buf.data() + at + sizeof(h), fds.data(), len);
    out.room -= space;
  }
  if (fds.size() < rights.size()) out.flags |= MSG_CTRUNC;
  rights.clear();  // the rest are closed
}

// One send, blocking as the socket and flags say; a stream send returns
// once all is sent (or with the count so far).
SyscallResult DoSend(Task& t, const SocketRef& s, std::vector<struct iovec> data,
                     fs::SendRequest& req) {
  fs::FsContext ctx = t.FsContext();
  fs::SocketCaller c;
  c.mnt = &t.mount_namespace();
  c.fs = &ctx;
  c.cred = CredOf(t);
  const bool nonblock = s.file->nonblocking() || (req.flags & MSG_DONTWAIT);
  const size_t total = TotalLength(HostIoVecs(data.data(), data.size()));
  const bool stream = s.sock->type() == SOCK_STREAM;
  size_t done = 0;
  ErrnoOr<size_t> r = size_t{0};
  for (;;) {
    req.data = HostIoVecs(data.data(), data.size());
    r = SocketBlock(t, s.file->wait_queue(), POLLOUT, nonblock, s.sock->snd_timeout(),
                    [&] { return s.sock->Send(c, req); });
    if (!r.ok() || !stream) break;
    done += *r;
    if (done >= total || *r == 0) break;
    AdvanceIoVecs(data, *r);
  }
  if (stream && done > 0) return done;
  if (!r.ok()) {
    // Only a stream send raises SIGPIPE (Linux's unix_stream_sendmsg).
    if (r.error().value() == EPIPE && stream && !(req.flags & MSG_NOSIGNAL)) SendSigpipe(t);
    return r.error();
  }
  return *r;
}

struct RecvOut {
  size_t ret;  // the syscall's return value
  fs::RecvResult r;
};

// One receive, blocking as the socket and flags say; MSG_WAITALL on a
// stream keeps reading until the buffer is full, end of file or an error.
ErrnoOr<RecvOut> DoRecv(Task& t, const SocketRef& s, std::vector<struct iovec> dst, int flags) {
  const bool nonblock = s.file->nonblocking() || (flags & MSG_DONTWAIT);
  const size_t want = TotalLength(HostIoVecs(dst.data(), dst.size()));
  auto recv_once = [&](bool nb) {
    return SocketBlock(t, s.file->wait_queue(), POLLIN, nb, s.sock->rcv_timeout(), [&] {
      return s.sock->Recv(HostIoVecs(dst.data(), dst.size()), flags & ~MSG_WAITALL);
    });
  };
  SB_ASSIGN_OR_RETURN(fs::RecvResult r, recv_once(nonblock));
  const bool stream = s.sock->type() == SOCK_STREAM;
  if (stream && (flags & MSG_WAITALL) && !(flags & MSG_PEEK) && !nonblock) {
    while (r.copied < want && r.copied > 0 && r.rights.empty()) {
      AdvanceIoVecs(dst, r.length);
      auto more = recv_once(false);
      if (!more.ok() || more->copied == 0) break;
      r.copied += more->copied;
      r.length = r.copied;
      if (!more->rights.empty()) r.rights = std::move(more->rights);
    }
  }
  size_t ret = r.copied;
  if (!stream && (flags & MSG_TRUNC)) ret = r.length;
  return RecvOut{ret, std::move(r)};
}

// sendmsg on a user msghdr.
SyscallResult SendMsg(Task& t, const SocketRef& s, uint64_t msg_addr, int flags) {
  SB_ASSIGN_OR_RETURN(struct msghdr m, t.CopyInObj<struct msghdr>(msg_addr));
  if (m.msg_iovlen > static_cast<size_t>(kUioMaxIov)) return Errno(EMSGSIZE);
  fs::SendRequest req;
  req.flags = flags;
  std::string addr;
  if (m.msg_name != nullptr && m.msg_namelen != 0) {
    SB_ASSIGN_OR_RETURN(addr, CopyInSockAddr(t, reinterpret_cast<uint64_t>(m.msg_name),
                                             static_cast<int>(m.msg_namelen)));
  }
  req.addr = addr;
  SB_ASSIGN_OR_RETURN(auto iov, t.UserIoVecs(reinterpret_cast<uint64_t>(m.msg_iov),
                                             static_cast<int>(m.msg_iovlen), PROT_READ));
  SB_TRY(ParseControl(t, reinterpret_cast<uint64_t>(m.msg_control), m.msg_controllen, req));
  return DoSend(t, s, std::move(iov), req);
}

// recvmsg on a user msghdr; writes back msg_namelen, msg_controllen and
// msg_flags.
SyscallResult RecvMsg(Task& t, const SocketRef& s, uint64_t msg_addr, int flags) {
  SB_ASSIGN_OR_RETURN(struct msghdr m, t.CopyInObj<struct msghdr>(msg_addr));
  if (m.msg_iovlen > static_cast<size_t>(kUioMaxIov)) return Errno(EMSGSIZE);
  SB_ASSIGN_OR_RETURN(auto iov, t.UserIoVecs(reinterpret_cast<uint64_t>(m.msg_iov),
                                             static_cast<int>(m.msg_iovlen), PROT_WRITE));
  SB_ASSIGN_OR_RETURN(RecvOut out, DoRecv(t, s, std::move(iov), flags));
  ControlOut ctl;
  ctl.room = m.msg_control ? m.msg_controllen : 0;
  if (out.r.creds) {
    struct ucred u = {PidFor(t, *out.r.creds), out.r.creds->uid, out.r.creds->gid};
    PutCmsg(ctl, SCM_CREDENTIALS, &u, sizeof(u));
  }
  if (!out.r.rights.empty()) PutRights(t, ctl, out.r.rights, flags & MSG_CMSG_CLOEXEC);
  if (!ctl.buf.empty()) {
    SB_TRY(t.CopyOut(reinterpret_cast<uint64_t>(m.msg_control), ctl.buf.data(), ctl.buf.size()));
  }
  if (m.msg_name != nullptr) {
    size_t n = std::min<size_t>(out.r.addr.size(), m.msg_namelen);
    if (n > 0) SB_TRY(t.CopyOut(reinterpret_cast<uint64_t>(m.msg_name), out.r.addr.data(), n));
    m.msg_namelen = static_cast<socklen_t>(out.r.addr.size());
  }
  m.msg_controllen = ctl.buf.size();
  m.msg_flags = out.r.msg_flags | ctl.flags;
  SB_TRY(t.CopyOutObj(msg_addr, m));
  return out.ret;
}

}  // namespace

SyscallResult Sendto(Task& t, const SyscallArgs& a) {
  SB_ASSIGN_OR_RETURN(SocketRef s, GetSocket(t, a.fd(0)));
  SB_ASSIGN_OR_RETURN(auto data, t.UserBuffer(a.addr(1), a.size(2), PROT_READ));
  std::string addr;
  if (a.addr(4) != 0 && a.u32(5) != 0) {
    SB_ASSIGN_OR_RETURN(addr, CopyInSockAddr(t, a.addr(4), a.i32(5)));
  }
  fs::SendRequest req;
  req.flags = a.i32(3);
  req.addr = addr;
  return DoSend(t, s, std::move(data), req);
}

SyscallResult Recvfrom(Task& t, const SyscallArgs& a) {
  SB_ASSIGN_OR_RETURN(SocketRef s, GetSocket(t, a.fd(0)));
  SB_ASSIGN_OR_RETURN(auto dst, t.UserBuffer(a.addr(1), a.size(2), PROT_WRITE));
  const int flags = a.i32(3);
  SB_ASSIGN_OR_RETURN(RecvOut out, DoRecv(t, s, std::move(dst), flags));
  SB_TRY(CopyOutSockAddr(t, out.r.addr, a.addr(4), a.addr(5)));
  return out.ret;  // passed fds without recvmsg are closed, as in Linux
}

SyscallResult Sendmsg(Task& t, const SyscallArgs& a) {
  SB_ASSIGN_OR_RETURN(SocketRef s, GetSocket(t, a.fd(0)));
  return SendMsg(t, s, a.addr(1), a.i32(2));
}

SyscallResult Recvmsg(Task& t, const SyscallArgs& a) {
  SB_ASSIGN_OR_RETURN(SocketRef s, GetSocket(t, a.fd(0)));
  return RecvMsg(t, s, a.addr(1), a.i32(2));
}

SyscallResult Sendmmsg(Task& t, const SyscallArgs& a) {
  SB_ASSIGN_OR_RETURN(SocketRef s, GetSocket(t, a.fd(0)));
  const unsigned vlen = std::min(a.u32(2), static_cast<uint32_t>(kUioMaxIov));
  const int flags = a.i32(3);
  unsigned i = 0;
  for (; i < vlen; ++i) {
    uint64_t at = a.addr(1) + i * sizeof(struct mmsghdr);
    auto r = SendMsg(t, s, at, flags);
    if (!r.ok()) {
      if (i == 0) return r.error();
      break;
    }
    SB_TRY(
        t.CopyOutObj<unsigned>(at + offsetof(struct mmsghdr, msg_len), static_cast<unsigned>(*r)));
  }
  return i;
}

SyscallResult Recvmmsg(Task& t, const SyscallArgs& a) {
  SB_ASSIGN_OR_RETURN(SocketRef s, GetSocket(t, a.fd(0)));
  // Linux's do_recvmmsg: the timeout is looked at only after each datagram
  // (it does not end a blocking wait), and what is left of it is written
  // back.
  const uint64_t timeout_addr = a.addr(4);
  std::optional<absl::Time> end;
  if (timeout_addr != 0) {
    SB_ASSIGN_OR_RETURN(struct timespec ts, t.CopyInObj<struct timespec>(timeout_addr));
    if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000) return Errno(EINVAL);
    end = absl::Now() + absl::DurationFromTimespec(ts);
  }
  const unsigned vlen = std::min(a.u32(2), static_cast<uint32_t>(kUioMaxIov));
  int flags = a.i32(3);
  unsigned i = 0;
  absl::Duration left;
  for (; i < vlen; ++i) {
    uint64_t at = a.addr(1) + i * sizeof(struct mmsghdr);
    auto r = RecvMsg(t, s, at, flags & ~MSG_WAITFORONE);
    if (!r.ok()) {
      if (i == 0) return r.error();
      break;
    }
    SB_TRY(
        t.CopyOutObj<unsigned>(at + offsetof(struct mmsghdr, msg_len), static_cast<unsigned>(*r)));
    if (flags & MSG_WAITFORONE) flags |= MSG_DONTWAIT;
    if (end) {
      left = std::max(*end - absl::Now(), absl::ZeroDuration());
      if (left == absl::ZeroDuration()) {
        ++i;
        break;
      }
    }
  }
  if (end && i > 0) SB_TRY(t.CopyOutObj(timeout_addr, absl::ToTimespec(left)));
  return i;
}

}  // namespace sb::kernel
