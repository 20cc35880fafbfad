// unix_endpoint.h: the internals of AF_UNIX sockets, shared by
// unix_socket.cc (names, connections, lifetime, readiness) and
// unix_socket_io.cc (send and receive). Not for use outside them.
//
// A UnixEndpoint is Linux's `struct unix_sock`: the state of one socket,
// apart from its file. Files (UnixSocketFile) hold their endpoint; peers
// hold each other until one is released (its file's last close), which
// breaks the cycle; a listener holds its not-yet-accepted embryos; socket
// nodes and the abstract table hold endpoints weakly.
//
// Every field is guarded by the one leaf lock `unix_mu`.
#pragma once

#include <deque>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "fs/inode.h"
#include "fs/socket.h"

namespace sb::fs::unix_internal {

// Guards every UnixEndpoint and the abstract-name table. A leaf: nothing
// else is locked while it is held (WaitQueue::Notify and file releases
// happen after, through Deferred).
ABSL_CONST_INIT extern absl::Mutex unix_mu;

// net.unix.max_dgram_qlen.
inline constexpr size_t kMaxDgramQlen = 10;
// Linux's listen() cap (net.core.somaxconn).
inline constexpr int kSomaxconn = 4096;

class UnixEndpoint;
using EndpointRef = std::shared_ptr<UnixEndpoint>;

// One queued message (a datagram, a seqpacket record, or a chunk of a
// stream). Plain data apart from `rights`.
struct UnixMessage {
  std::vector<uint8_t> data;
  size_t off = 0;  // stream: bytes already read from the front
  std::vector<FileRef> rights;
  SocketCred cred;
  std::string from;                    // the sender's name
  std::weak_ptr<UnixEndpoint> sender;  // told POLLOUT when this is read
};

class UnixEndpoint : public BoundSocket, public std::enable_shared_from_this<UnixEndpoint> {
 public:
  explicit UnixEndpoint(int type) : type(type) {}

  const int type;   // immutable
  WaitQueue queue;  // this socket's readiness

  enum class State { kUnconnected, kListening, kConnected };
  State state ABSL_GUARDED_BY(unix_mu) = State::kUnconnected;
  bool dead ABSL_GUARDED_BY(unix_mu) = false;    // released (SOCK_DEAD)
  bool embryo ABSL_GUARDED_BY(unix_mu) = false;  // connected, not yet accepted
  // The bound address as sockaddr bytes (family first), empty if unbound.
  std::string name ABSL_GUARDED_BY(unix_mu);
  EndpointRef peer ABSL_GUARDED_BY(unix_mu);
  std::deque<UnixMessage> rx ABSL_GUARDED_BY(unix_mu);
  size_t rx_bytes ABSL_GUARDED_BY(unix_mu) = 0;  // unread bytes in rx
  int backlog ABSL_GUARDED_BY(unix_mu) = 0;
  std::deque<EndpointRef> pending ABSL_GUARDED_BY(unix_mu);  // listening: embryos
  bool rcv_shutdown ABSL_GUARDED_BY(unix_mu) = false;
  bool snd_shutdown ABSL_GUARDED_BY(unix_mu) = false;
  int error ABSL_GUARDED_BY(unix_mu) = 0;  // SO_ERROR
  bool has_peer_cred ABSL_GUARDED_BY(unix_mu) = false;
  SocketCred peer_cred ABSL_GUARDED_BY(unix_mu);  // SO_PEERCRED
  SocketCred own_cred ABSL_GUARDED_BY(unix_mu);   // the listener's, from listen()
};

// Work to do once unix_mu is released: wake-ups, and messages (with their
// in-flight files) to drop. Declare it before the MutexLock so that it
// runs after the unlock.
class Deferred {
 public:
  Deferred() = default;
  ~Deferred();
  Deferred(const Deferred&) = delete;
  Deferred& operator=(const Deferred&) = delete;

  void Notify(const EndpointRef& ep, uint32_t events) { wake_.emplace_back(ep, events); }
  void NotifyConnectors() { connectors_ = true; }
  void Drop(std::deque<UnixMessage> msgs) {
    for (auto& m : msgs) drop_.push_back(std::move(m));
  }

 private:
  std::vector<std::pair<EndpointRef, uint32_t>> wake_;
  std::vector<UnixMessage> drop_;
  bool connectors_ = false;
};

// Where connect() waits for backlog room, notified on every accept and
// listener change.
WaitQueue& ConnectQueue();

// The abstract-name table (one network namespace).
std::map<std::string, std::weak_ptr<UnixEndpoint>>& AbstractNames()
    ABSL_EXCLUSIVE_LOCKS_REQUIRED(unix_mu);

// Binds `ep` to a fresh abstract name "\0XXXXX" (5 hex digits).
ErrnoStatus AutobindLocked(UnixEndpoint& ep) ABSL_EXCLUSIVE_LOCKS_REQUIRED(unix_mu);

// A parsed sockaddr_un.
struct UnixAddr {
  bool abstract = false;
  std::string path;  // pathname (without NUL)
  std::string key;   // abstract: the sockaddr bytes
};
// Linux's unix_validate_addr + unix_mkname_bsd. EINVAL if malformed.
ErrnoOr<UnixAddr> ParseUnixAddr(std::string_view addr);
// The endpoint named by `a`: ECONNREFUSED if none (or closed).
ErrnoOr<EndpointRef> ResolveUnixAddr(const SocketCaller& c, const UnixAddr& a);

// The file of an AF_UNIX socket. Releases its endpoint on the last close.
class UnixSocketFile final : public Socket {
 public:
  UnixSocketFile(EndpointRef ep, int flags)
      : Socket(flags, AF_UNIX, ep->type, 0), ep_(std::move(ep)) {}
  ~UnixSocketFile() override;

  ErrnoStatus Bind(const SocketCaller& c, std::string_view addr) override;
  ErrnoStatus Listen(const SocketCaller& c, int backlog) override;
  ErrnoOr<FileRef> Accept(int flags, std::string* peer) override;
  ErrnoStatus Connect(const SocketCaller& c, std::string_view addr) override;
  WaitQueue* connect_wait_queue() override { return &ConnectQueue(); }
  ErrnoOr<size_t> Send(const SocketCaller& c, SendRequest& req) override;
  ErrnoOr<RecvResult> Recv(HostIoVecs dst, int flags) override;
  ErrnoStatus Shutdown(int how) override;
  ErrnoOr<std::string> SockName() override;
  ErrnoOr<std::string> PeerName() override;
  SocketCred PeerCred() override;
  size_t InQueue() override;
  size_t OutQueue() override;
  int TakeError() override;
  bool listening() override;
  uint32_t Readiness(uint32_t mask) override;
  WaitQueue* wait_queue() override { return &ep_->queue; }

 protected:
  ErrnoOr<std::vector<uint8_t>> GetSockOptFamily(int level, int name) override;
  ErrnoStatus SetSockOptFamily(int level, int name, std::span<const uint8_t> val) override;

 private:
  ErrnoOr<size_t> SendStream(const SocketCaller& c, SendRequest& req);
  ErrnoOr<size_t> SendDgram(const SocketCaller& c, SendRequest& req);
  ErrnoOr<RecvResult> RecvStream(HostIoVecs dst, int flags);
  ErrnoOr<RecvResult> RecvDgram(HostIoVecs dst, int flags);
  ErrnoStatus ConnectDgram(const SocketCaller& c, std::string_view addr);

  const EndpointRef ep_;  // immutable
};

}  // namespace sb::fs::unix_internal
