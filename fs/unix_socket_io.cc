// unix_socket_io.cc: AF_UNIX send and receive (Linux's
// unix_stream_sendmsg, unix_dgram_sendmsg, unix_seqpacket_sendmsg and
// their recvmsg counterparts).
#include <algorithm>
#include <cstring>

#include "fs/unix_endpoint.h"
#include "kernel/base/log_once.h"

namespace sb::fs::unix_internal {
namespace {

// Linux keeps 32 bytes of a datagram socket's send buffer for overhead.
constexpr size_t kDgramOverhead = 32;

std::vector<uint8_t> Gather(HostIoVecs src, size_t n) {
  std::vector<uint8_t> out(n);
  GatherFromIoVecs(src, 0, out.data(), n);
  return out;
}

// Queues the first `n` bytes of `req` (and its rights and credentials) from
// `from` on `to`'s receive queue.
void EnqueueLocked(const EndpointRef& from, const EndpointRef& to, const SocketCaller& c,
                   SendRequest& req, size_t n) ABSL_EXCLUSIVE_LOCKS_REQUIRED(unix_mu) {
  UnixMessage m;
  m.data = Gather(req.data, n);
  m.rights = std::move(req.rights);
  req.rights.clear();
  m.cred = req.creds ? *req.creds : c.cred;
  m.from = from->name;
  m.sender = from;
  to->rx.push_back(std::move(m));
  to->rx_bytes += n;
}

}  // namespace

ErrnoOr<size_t> UnixSocketFile::Send(const SocketCaller& c, SendRequest& req) {
  if (req.flags & MSG_OOB) {
    ReportUnsupported("AF_UNIX MSG_OOB");
    return Errno(EOPNOTSUPP);
  }
  if (ep_->type == SOCK_STREAM) return SendStream(c, req);
  return SendDgram(c, req);
}

ErrnoOr<RecvResult> UnixSocketFile::Recv(HostIoVecs dst, int flags) {
  if (flags & MSG_OOB) {
    ReportUnsupported("AF_UNIX MSG_OOB");
    return Errno(EOPNOTSUPP);
  }
  if (ep_->type == SOCK_STREAM) return RecvStream(dst, flags);
  return RecvDgram(dst, flags);
}

ErrnoOr<size_t> UnixSocketFile::SendStream(const SocketCaller& c, SendRequest& req) {
  const size_t len = TotalLength(req.data);
  const size_t limit = static_cast<size_t>(sndbuf());
  Deferred d;
  absl::MutexLock lock(&unix_mu);
  if (!req.addr.empty()) {
    return Errno(ep_->state == UnixEndpoint::State::kConnected ? EISCONN : EOPNOTSUPP);
  }
  if (ep_->snd_shutdown) return Errno(EPIPE);
  EndpointRef peer = ep_->peer;
  if (!peer) return Errno(ENOTCONN);
  if (peer->dead || peer->rcv_shutdown) return Errno(EPIPE);
  if (len == 0) return size_t{0};
  if (peer->rx_bytes >= limit) return Errno(EAGAIN);
  size_t n = std::min(len, limit - peer->rx_bytes);
  EnqueueLocked(ep_, peer, c, req, n);
  d.Notify(peer, POLLIN | POLLRDNORM);
  return n;
}

ErrnoOr<size_t> UnixSocketFile::SendDgram(const SocketCaller& c, SendRequest& req) {
  const size_t len = TotalLength(req.data);
  const size_t limit = static_cast<size_t>(sndbuf());
  const bool pass = passcred();
  if (ep_->type == SOCK_SEQPACKET) {
    req.addr = {};  // Linux ignores a seqpacket's destination
    absl::MutexLock lock(&unix_mu);
    if (ep_->state != UnixEndpoint::State::kConnected) return Errno(ENOTCONN);
  }
  if (len > limit - kDgramOverhead) return Errno(EMSGSIZE);
  EndpointRef target;
  if (!req.addr.empty()) {
    SB_ASSIGN_OR_RETURN(UnixAddr a, ParseUnixAddr(req.addr));
    SB_ASSIGN_OR_RETURN(target, ResolveUnixAddr(c, a));
  }
  Deferred d;
  absl::MutexLock lock(&unix_mu);
  if (!target) {
    target = ep_->peer;
    if (!target) return Errno(ENOTCONN);
  }
  if (pass && ep_->name.empty()) SB_TRY(AutobindLocked(*ep_));
  if (target->dead) {
    if (ep_->type == SOCK_SEQPACKET) return Errno(EPIPE);
    if (ep_->peer == target) ep_->peer.reset();
    return Errno(ECONNREFUSED);
  }
  if (target->type != ep_->type) return Errno(EPROTOTYPE);
  if (target->peer && target->peer != ep_) return Errno(EPERM);
  if (ep_->snd_shutdown) return Errno(EPIPE);
  if (target->rcv_shutdown) return Errno(EPIPE);
  if (ep_->type == SOCK_SEQPACKET) {
    if (target->rx_bytes + len > limit && !target->rx.empty()) return Errno(EAGAIN);
  } else if (target != ep_ && target->peer != ep_ && target->rx.size() > kMaxDgramQlen) {
    return Errno(EAGAIN);
  } else if (target->rx_bytes + len > static_cast<size_t>(kSockDefaultBuf) && !target->rx.empty()) {
    return Errno(EAGAIN);
  }
  EnqueueLocked(ep_, target, c, req, len);
  d.Notify(target, POLLIN | POLLRDNORM);
  return len;
}

ErrnoOr<RecvResult> UnixSocketFile::RecvStream(HostIoVecs dst, int flags) {
  const size_t want = TotalLength(dst);
  const bool peek = flags & MSG_PEEK;
  const bool pass = passcred();
  Deferred d;
  absl::MutexLock lock(&unix_mu);
  if (ep_->state != UnixEndpoint::State::kConnected) return Errno(EINVAL);
  RecvResult r;
  if (ep_->rx.empty()) {
    if (ep_->error) {
      int e = ep_->error;
      ep_->error = 0;
      return Errno(e);
    }
    if (ep_->rcv_shutdown) return r;  // end of file
    return Errno(EAGAIN);
  }
  if (want == 0) return r;
  std::vector<std::weak_ptr<UnixEndpoint>> senders;
  size_t i = 0;
  while (r.copied < want && i < ep_->rx.size()) {
    UnixMessage& m = ep_->rx[i];
    if (r.copied > 0) {
      // A read does not run into data from other credentials (SO_PASSCRED).
      if (pass && r.creds &&
          (m.cred.global_pid != r.creds->global_pid || m.cred.uid != r.creds->uid ||
           m.cred.gid != r.creds->gid)) {
        break;
      }
    }
    if (r.copied == 0) {
      r.addr = m.from;
      if (pass) r.creds = m.cred;
    }
    size_t k = std::min(want - r.copied, m.data.size() - m.off);
    ScatterToIoVecs(dst, r.copied, m.data.data() + m.off, k);
    r.copied += k;
    bool had_rights = !m.rights.empty();
    if (had_rights) {
      if (peek) {
        r.rights = m.rights;
      } else {
        r.rights = std::move(m.rights);
        m.rights.clear();
      }
    }
    if (peek) {
      ++i;
    } else {
      m.off += k;
      ep_->rx_bytes -= k;
      senders.push_back(m.sender);
      if (m.off == m.data.size()) ep_->rx.pop_front();
    }
    if (had_rights) break;
  }
  r.length = r.copied;
  for (auto& w : senders) {
    if (EndpointRef s = w.lock()) d.Notify(s, POLLOUT | POLLWRNORM);
  }
  return r;
}

ErrnoOr<RecvResult> UnixSocketFile::RecvDgram(HostIoVecs dst, int flags) {
  const size_t want = TotalLength(dst);
  const bool peek = flags & MSG_PEEK;
  const bool pass = passcred();
  Deferred d;
  absl::MutexLock lock(&unix_mu);
  if (ep_->type == SOCK_SEQPACKET && ep_->state != UnixEndpoint::State::kConnected) {
    return Errno(ENOTCONN);
  }
  RecvResult r;
  if (ep_->rx.empty()) {
    if (ep_->error) {
      int e = ep_->error;
      ep_->error = 0;
      return Errno(e);
    }
    if (ep_->rcv_shutdown) return r;
    return Errno(EAGAIN);
  }
  UnixMessage& m = ep_->rx.front();
  r.length = m.data.size();
  r.copied = std::min(want, m.data.size());
  ScatterToIoVecs(dst, 0, m.data.data(), r.copied);
  if (r.copied < r.length) r.msg_flags |= MSG_TRUNC;
  r.addr = m.from;
  if (pass) r.creds = m.cred;
  if (peek) {
    r.rights = m.rights;
    return r;
  }
  r.rights = std::move(m.rights);
  if (EndpointRef s = m.sender.lock()) d.Notify(s, POLLOUT | POLLWRNORM);
  ep_->rx_bytes -= m.data.size();
  ep_->rx.pop_front();
  return r;
}

}  // namespace sb::fs::unix_internal
