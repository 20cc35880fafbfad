// unix_socket.cc: AF_UNIX names, connections, lifetime and readiness
// (Linux's unix_bind, unix_stream_connect, unix_accept, unix_release_sock,
// unix_poll/unix_dgram_poll). Send and receive are in unix_socket_io.cc.
#include <sys/un.h>

#include <cstddef>
#include <cstring>

#include "absl/strings/str_format.h"
#include "fs/unix_endpoint.h"
#include "fs/unix_socket.h"
#include "fs/vfs.h"

namespace sb::fs {
namespace unix_internal {

ABSL_CONST_INIT absl::Mutex unix_mu(absl::kConstInit);

namespace {

constexpr size_t kPathOffset = offsetof(struct sockaddr_un, sun_path);

bool ConnectionOriented(int type) { return type == SOCK_STREAM || type == SOCK_SEQPACKET; }

// Releases `ep` (its file closed, or an embryo whose listener closed):
// Linux's unix_release_sock.
void ReleaseLocked(const EndpointRef& ep, Deferred& d) ABSL_EXCLUSIVE_LOCKS_REQUIRED(unix_mu) {
  ep->dead = true;
  ep->rcv_shutdown = ep->snd_shutdown = true;
  if (!ep->name.empty() && ep->name.size() > kPathOffset && ep->name[kPathOffset] == '\0') {
    auto& names = AbstractNames();
    auto it = names.find(ep->name);
    if (it != names.end() && it->second.lock() == ep) names.erase(it);
  }
  if (EndpointRef peer = std::move(ep->peer)) {
    if (ConnectionOriented(ep->type)) {
      peer->rcv_shutdown = peer->snd_shutdown = true;
      if (!ep->rx.empty() || ep->embryo) peer->error = ECONNRESET;
      d.Notify(peer, POLLIN | POLLRDNORM | POLLOUT | POLLWRNORM | POLLHUP | POLLRDHUP | POLLERR);
    }
  }
  std::deque<EndpointRef> pending = std::move(ep->pending);
  ep->pending.clear();
  for (const EndpointRef& e : pending) ReleaseLocked(e, d);
  d.Drop(std::move(ep->rx));
  ep->rx.clear();
  ep->rx_bytes = 0;
  if (ep->state == UnixEndpoint::State::kListening) d.NotifyConnectors();
}

}  // namespace

Deferred::~Deferred() {
  for (auto& [ep, events] : wake_) ep->queue.Notify(events);
  if (connectors_) ConnectQueue().Notify(POLLOUT | POLLWRNORM);
  drop_.clear();  // closes in-flight files, possibly other sockets
}

WaitQueue& ConnectQueue() {
  static WaitQueue* q = std::make_unique<WaitQueue>().release();  // never destroyed
  return *q;
}

std::map<std::string, std::weak_ptr<UnixEndpoint>>& AbstractNames() {
  static auto* names = std::make_unique<std::map<std::string, std::weak_ptr<UnixEndpoint>>>()
                           .release();  // never destroyed
  return *names;
}

ErrnoStatus AutobindLocked(UnixEndpoint& ep) {
  static uint32_t next = 0;
  auto& names = AbstractNames();
  for (uint32_t tries = 0; tries <= 0xfffff; ++tries) {
    uint32_t n = next++ & 0xfffff;
    std::string name(kPathOffset, '\0');
    sa_family_t fam = AF_UNIX;
    std::memcpy(name.data(), &fam, sizeof(fam));
    name.push_back('\0');
    name += absl::StrFormat("%05x", n);
    auto it = names.find(name);
    if (it != names.end() && !it->second.expired()) continue;
    names[name] = ep.weak_from_this();
    ep.name = std::move(name);
    return Ok();
  }
  return Errno(ENOSPC);
}

ErrnoOr<UnixAddr> ParseUnixAddr(std::string_view addr) {
  if (addr.size() <= kPathOffset || addr.size() > sizeof(struct sockaddr_un)) {
    return Errno(EINVAL);
  }
  sa_family_t fam;
  std::memcpy(&fam, addr.data(), sizeof(fam));
  if (fam != AF_UNIX) return Errno(EINVAL);
  UnixAddr a;
  std::string_view path = addr.substr(kPathOffset);
  if (path[0] == '\0') {
    a.abstract = true;
    a.key = std::string(addr);
  } else {
    a.path = std::string(path.substr(0, path.find('\0')));
  }
  return a;
}

ErrnoOr<EndpointRef> ResolveUnixAddr(const SocketCaller& c, const UnixAddr& a) {
  if (a.abstract) {
    absl::MutexLock lock(&unix_mu);
    auto it = AbstractNames().find(a.key);
    EndpointRef ep = it == AbstractNames().end() ? nullptr : it->second.lock();
    if (!ep || ep->dead) return Errno(ECONNREFUSED);
    return ep;
  }
  if (c.mnt == nullptr || c.fs == nullptr) return Errno(ECONNREFUSED);
  SB_ASSIGN_OR_RETURN(std::shared_ptr<BoundSocket> s,
                      c.mnt->FindBoundSocket(*c.fs, c.fs->cwd, a.path));
  auto ep = std::dynamic_pointer_cast<UnixEndpoint>(s);
  if (!ep) return Errno(ECONNREFUSED);
  return ep;
}

UnixSocketFile::~UnixSocketFile() {
  Deferred d;
  absl::MutexLock lock(&unix_mu);
  ReleaseLocked(ep_, d);
}

ErrnoStatus UnixSocketFile::Bind(const SocketCaller& c, std::string_view addr) {
  if (addr.size() < kPathOffset) return Errno(EINVAL);
  sa_family_t fam;
  std::memcpy(&fam, addr.data(), sizeof(fam));
  if (fam != AF_UNIX) return Errno(EINVAL);
  if (addr.size() == kPathOffset) {  // autobind
    absl::MutexLock lock(&unix_mu);
    if (!ep_->name.empty()) return Errno(EINVAL);
    return AutobindLocked(*ep_);
  }
  SB_ASSIGN_OR_RETURN(UnixAddr a, ParseUnixAddr(addr));
  if (a.abstract) {
    absl::MutexLock lock(&unix_mu);
    if (!ep_->name.empty()) return Errno(EINVAL);
    auto& names = AbstractNames();
    auto it = names.find(a.key);
    if (it != names.end() && !it->second.expired()) return Errno(EADDRINUSE);
    names[a.key] = ep_;
    ep_->name = a.key;
    return Ok();
  }
  {
    absl::MutexLock lock(&unix_mu);
    if (!ep_->name.empty()) return Errno(EINVAL);
  }
  if (c.mnt == nullptr || c.fs == nullptr) return Errno(EINVAL);
  SB_TRY(c.mnt->BindSocketAt(*c.fs, c.fs->cwd, a.path, 0777, ep_));
  absl::MutexLock lock(&unix_mu);
  // The name as Linux reports it: the path with its NUL.
  ep_->name = std::string(addr.substr(0, kPathOffset)) + a.path + '\0';
  return Ok();
}

ErrnoStatus UnixSocketFile::Listen(const SocketCaller& c, int backlog) {
  if (!ConnectionOriented(ep_->type)) return Errno(EOPNOTSUPP);
  Deferred d;
  absl::MutexLock lock(&unix_mu);
  if (ep_->name.empty()) return Errno(EINVAL);
  if (ep_->state == UnixEndpoint::State::kConnected) return Errno(EINVAL);
  if (static_cast<unsigned>(backlog) > static_cast<unsigned>(kSomaxconn)) backlog = kSomaxconn;
  ep_->backlog = backlog;
  ep_->state = UnixEndpoint::State::kListening;
  ep_->own_cred = c.cred;
  d.NotifyConnectors();
  return Ok();
}

ErrnoOr<FileRef> UnixSocketFile::Accept(int flags, std::string* peer) {
  if (!ConnectionOriented(ep_->type)) return Errno(EOPNOTSUPP);
  Deferred d;
  EndpointRef e;
  {
    absl::MutexLock lock(&unix_mu);
    if (ep_->state != UnixEndpoint::State::kListening) return Errno(EINVAL);
    if (ep_->pending.empty()) return Errno(EAGAIN);
    e = std::move(ep_->pending.front());
    ep_->pending.pop_front();
    e->embryo = false;
    if (peer) {
      *peer = e->peer ? e->peer->name : std::string();
      if (peer->empty()) {  // unnamed: the family alone
        sa_family_t fam = AF_UNIX;
        peer->assign(reinterpret_cast<const char*>(&fam), sizeof(fam));
      }
    }
    d.NotifyConnectors();
  }
  return FileRef(std::make_shared<UnixSocketFile>(std::move(e), flags));
}

ErrnoStatus UnixSocketFile::ConnectDgram(const SocketCaller& c, std::string_view addr) {
  sa_family_t fam = AF_UNSPEC;
  if (addr.size() >= sizeof(fam)) std::memcpy(&fam, addr.data(), sizeof(fam));
  if (addr.size() >= sizeof(fam) && fam == AF_UNSPEC) {  // dissolve the association
    absl::MutexLock lock(&unix_mu);
    ep_->peer.reset();
    return Ok();
  }
  SB_ASSIGN_OR_RETURN(UnixAddr a, ParseUnixAddr(addr));
  SB_ASSIGN_OR_RETURN(EndpointRef target, ResolveUnixAddr(c, a));
  bool pass = passcred();
  absl::MutexLock lock(&unix_mu);
  if (target->dead) return Errno(ECONNREFUSED);
  if (target->type != ep_->type) return Errno(EPROTOTYPE);
  if (pass && ep_->name.empty()) SB_TRY(AutobindLocked(*ep_));
  ep_->peer = target;
  return Ok();
}

ErrnoStatus UnixSocketFile::Connect(const SocketCaller& c, std::string_view addr) {
  if (ep_->type == SOCK_DGRAM) return ConnectDgram(c, addr);
  SB_ASSIGN_OR_RETURN(UnixAddr a, ParseUnixAddr(addr));
  SB_ASSIGN_OR_RETURN(EndpointRef target, ResolveUnixAddr(c, a));
  bool pass = passcred();
  Deferred d;
  absl::MutexLock lock(&unix_mu);
  if (ep_->state == UnixEndpoint::State::kConnected) return Errno(EISCONN);
  if (ep_->state == UnixEndpoint::State::kListening) return Errno(EINVAL);
  if (target->type != ep_->type) return Errno(EPROTOTYPE);
  if (target->dead || target->state != UnixEndpoint::State::kListening) {
    return Errno(ECONNREFUSED);
  }
  // Linux's unix_recvq_full: one more than the backlog fits.
  if (target->pending.size() > static_cast<size_t>(target->backlog)) return Errno(EAGAIN);
  if (pass && ep_->name.empty()) SB_TRY(AutobindLocked(*ep_));
  auto e = std::make_shared<UnixEndpoint>(ep_->type);
  e->state = UnixEndpoint::State::kConnected;
  e->embryo = true;
  e->name = target->name;
  e->peer = ep_;
  e->has_peer_cred = true;
  e->peer_cred = c.cred;
  ep_->peer = e;
  ep_->state = UnixEndpoint::State::kConnected;
  ep_->has_peer_cred = true;
  ep_->peer_cred = target->own_cred;
  target->pending.push_back(std::move(e));
  d.Notify(target, POLLIN | POLLRDNORM);
  d.Notify(ep_, POLLOUT | POLLWRNORM);
  return Ok();
}

ErrnoStatus UnixSocketFile::Shutdown(int how) {
  Deferred d;
  absl::MutexLock lock(&unix_mu);
  bool rd = how == SHUT_RD || how == SHUT_RDWR;
  bool wr = how == SHUT_WR || how == SHUT_RDWR;
  if (rd) ep_->rcv_shutdown = true;
  if (wr) ep_->snd_shutdown = true;
  d.Notify(ep_, POLLIN | POLLRDNORM | POLLOUT | POLLHUP | POLLRDHUP);
  if (ep_->peer && ConnectionOriented(ep_->type)) {
    if (rd) ep_->peer->snd_shutdown = true;
    if (wr) ep_->peer->rcv_shutdown = true;
    d.Notify(ep_->peer, POLLIN | POLLRDNORM | POLLOUT | POLLHUP | POLLRDHUP);
  }
  return Ok();
}

ErrnoOr<std::string> UnixSocketFile::SockName() {
  absl::MutexLock lock(&unix_mu);
  if (!ep_->name.empty()) return ep_->name;
  std::string unnamed(kPathOffset, '\0');
  sa_family_t fam = AF_UNIX;
  std::memcpy(unnamed.data(), &fam, sizeof(fam));
  return unnamed;
}

ErrnoOr<std::string> UnixSocketFile::PeerName() {
  absl::MutexLock lock(&unix_mu);
  if (!ep_->peer) return Errno(ENOTCONN);
  if (!ep_->peer->name.empty()) return ep_->peer->name;
  std::string unnamed(kPathOffset, '\0');
  sa_family_t fam = AF_UNIX;
  std::memcpy(unnamed.data(), &fam, sizeof(fam));
  return unnamed;
}

SocketCred UnixSocketFile::PeerCred() {
  absl::MutexLock lock(&unix_mu);
  if (!ep_->has_peer_cred) return SocketCred{};
  return ep_->peer_cred;
}

size_t UnixSocketFile::InQueue() {
  absl::MutexLock lock(&unix_mu);
  if (ep_->type == SOCK_STREAM) return ep_->rx_bytes;
  return ep_->rx.empty() ? 0 : ep_->rx.front().data.size();  // the next datagram
}

size_t UnixSocketFile::OutQueue() {
  absl::MutexLock lock(&unix_mu);
  // Bytes sent and not yet read by the peer.
  if (!ep_->peer) return 0;
  size_t n = 0;
  for (const UnixMessage& m : ep_->peer->rx) {
    if (m.sender.lock() == ep_) n += m.data.size() - m.off;
  }
  return n;
}

int UnixSocketFile::TakeError() {
  absl::MutexLock lock(&unix_mu);
  int e = ep_->error;
  ep_->error = 0;
  return e;
}

bool UnixSocketFile::listening() {
  absl::MutexLock lock(&unix_mu);
  return ep_->state == UnixEndpoint::State::kListening;
}

uint32_t UnixSocketFile::Readiness(uint32_t mask) {
  int sndbuf_bytes = sndbuf();
  absl::MutexLock lock(&unix_mu);
  const UnixEndpoint& e = *ep_;
  uint32_t r = 0;
  if (e.error) r |= POLLERR;
  if (e.rcv_shutdown) r |= POLLRDHUP | POLLIN | POLLRDNORM;
  if (e.rcv_shutdown && e.snd_shutdown) r |= POLLHUP;
  if (!e.rx.empty()) r |= POLLIN | POLLRDNORM;
  if (e.state == UnixEndpoint::State::kListening) {
    if (!e.pending.empty()) r |= POLLIN | POLLRDNORM;
    return r & mask;
  }
  if (ConnectionOriented(e.type) && e.state == UnixEndpoint::State::kUnconnected) r |= POLLHUP;
  bool writable = true;
  if (e.peer) {
    if (e.type == SOCK_STREAM || e.type == SOCK_SEQPACKET) {
      writable = e.peer->rx_bytes < static_cast<size_t>(sndbuf_bytes);
    } else if (e.peer->peer != ep_ && e.peer->rx.size() > kMaxDgramQlen) {
      writable = false;
    }
  }
  if (writable) r |= POLLOUT | POLLWRNORM | POLLWRBAND;
  return r & mask;
}

ErrnoOr<std::vector<uint8_t>> UnixSocketFile::GetSockOptFamily(int level, int name) {
  if (level != SOL_SOCKET) return Errno(EOPNOTSUPP);
  return Errno(ENOPROTOOPT);
}

ErrnoStatus UnixSocketFile::SetSockOptFamily(int level, int name, std::span<const uint8_t> val) {
  if (level != SOL_SOCKET) return Errno(EOPNOTSUPP);
  return Errno(ENOPROTOOPT);
}

}  // namespace unix_internal

FileRef NewUnixSocket(int type, int flags) {
  return std::make_shared<unix_internal::UnixSocketFile>(
      std::make_shared<unix_internal::UnixEndpoint>(type), flags);
}

std::pair<FileRef, FileRef> NewUnixSocketPair(int type, int flags, const SocketCred& creator) {
  using unix_internal::UnixEndpoint;
  auto a = std::make_shared<UnixEndpoint>(type);
  auto b = std::make_shared<UnixEndpoint>(type);
  {
    absl::MutexLock lock(&unix_internal::unix_mu);
    for (auto [x, y] : {std::pair{a, b}, std::pair{b, a}}) {
      x->peer = y;
      x->state = UnixEndpoint::State::kConnected;
      x->has_peer_cred = true;
      x->peer_cred = creator;
    }
  }
  return {std::make_shared<unix_internal::UnixSocketFile>(a, flags),
          std::make_shared<unix_internal::UnixSocketFile>(b, flags)};
}

}  // namespace sb::fs
