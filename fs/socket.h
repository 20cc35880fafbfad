// socket.h: the socket file model: what every socket family implements.
//
// A Socket is an open file description (socket(2), socketpair(2),
// accept(2)) with the BSD socket operations on top of read/write/poll. The
// syscall layer (kernel/syscalls/socket*.cc) decodes user memory into the
// plain values below and calls these operations; a family (AF_UNIX here,
// AF_INET/AF_INET6 over netstack/ later) implements them. Addresses travel
// as the raw sockaddr bytes the program passed, so fs/ needs no family
// headers beyond its own and netstack/ none of ours.
//
// As every FileDescription, operations never block: where Linux would sleep
// they return EAGAIN and the caller waits on wait_queue() (for accept/recv:
// POLLIN, send: POLLOUT, connect: connect_wait_queue()) and retries,
// honouring O_NONBLOCK, MSG_DONTWAIT and SO_RCVTIMEO/SO_SNDTIMEO.
//
// The SOL_SOCKET options every family shares (buffer sizes, timeouts,
// SO_LINGER, SO_PASSCRED, the flag options) live in this base class under
// its own leaf lock `opt_mu_`; a family adds its own through the *Family
// hooks. Credentials and pids come in as plain values (SocketCred): fs/
// knows no Task.
//
// Save/restore: every piece of socket state is plain data (bytes, ints,
// strings) except in-flight SCM_RIGHTS files (FileRefs, saved as references
// to descriptions like any fd table entry) and SocketCred::pid (the kernel's
// PidRef, saved as the global pid).
#pragma once

#include <sys/socket.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "fs/file.h"

namespace sb::fs {

class MountNamespace;
struct FsContext;

// Who is on the other end of a socket or sent a message (SO_PEERCRED,
// SCM_CREDENTIALS). `pid` is a handle the kernel made (its PidRef) and maps
// into the reader's PID namespace; fs/ never looks inside it. Without one,
// `global_pid` is used.
struct SocketCred {
  std::shared_ptr<const void> pid;
  pid_t global_pid = 0;
  uid_t uid = static_cast<uid_t>(-1);
  gid_t gid = static_cast<gid_t>(-1);
};

// The caller's credentials where an operation is reached without a
// SocketCaller (write(2) on a socket): the kernel installs the function
// (Linux's `current`) at start-up; until then, an empty SocketCred.
using CurrentSocketCredFn = SocketCred (*)();
void SetCurrentSocketCredFn(CurrentSocketCredFn fn);
SocketCred CurrentSocketCred();

// What a socket operation needs to know about its caller.
struct SocketCaller {
  MountNamespace* mnt = nullptr;  // for pathname addresses (AF_UNIX)
  const FsContext* fs = nullptr;  // credentials, root, cwd, umask
  SocketCred cred;                // the caller's (implicit credentials)
};

struct SendRequest {
  HostIoVecs data;
  std::string_view addr;            // the destination sockaddr (sendto/sendmsg), empty if none
  int flags = 0;                    // MSG_*
  std::vector<FileRef> rights;      // SCM_RIGHTS
  std::optional<SocketCred> creds;  // SCM_CREDENTIALS (checked by the caller)
};

struct RecvResult {
  size_t copied = 0;  // bytes copied out
  size_t length = 0;  // the message's real length (MSG_TRUNC's return value)
  int msg_flags = 0;  // MSG_TRUNC, MSG_EOR
  std::string addr;   // the sender's address, empty if unnamed/unknown
  std::vector<FileRef> rights;
  std::optional<SocketCred> creds;  // set when SO_PASSCRED asks for it
};

class Socket : public FileDescription {
 public:
  Socket(int flags, int family, int type, int protocol);
  ~Socket() override;

  int family() const { return family_; }
  int type() const { return type_; }
  int protocol() const { return protocol_; }
  bool SupportsNowait() const override { return true; }  // Linux: FMODE_NOWAIT

  // `addr` is the sockaddr as passed (its length is the addrlen).
  virtual ErrnoStatus Bind(const SocketCaller& c, std::string_view addr) = 0;
  virtual ErrnoStatus Listen(const SocketCaller& c, int backlog) = 0;
  // EAGAIN while nothing is pending. The new file has status flags `flags`
  // (O_NONBLOCK); `peer` receives the peer's address.
  virtual ErrnoOr<FileRef> Accept(int flags, std::string* peer) = 0;
  // EAGAIN while the connection cannot be made yet (wait on
  // connect_wait_queue() for POLLOUT and retry).
  virtual ErrnoStatus Connect(const SocketCaller& c, std::string_view addr) = 0;
  virtual WaitQueue* connect_wait_queue() { return wait_queue(); }
  // Bytes sent (a stream may take part of it); EAGAIN when none fits.
  virtual ErrnoOr<size_t> Send(const SocketCaller& c, SendRequest& req) = 0;
  // One receive into `dst` with MSG_* `flags`; EAGAIN when nothing is there.
  virtual ErrnoOr<RecvResult> Recv(HostIoVecs dst, int flags) = 0;
  // SHUT_RD, SHUT_WR or SHUT_RDWR (checked by the caller).
  virtual ErrnoStatus Shutdown(int how) = 0;
  virtual ErrnoOr<std::string> SockName() = 0;
  virtual ErrnoOr<std::string> PeerName() = 0;
  // SO_PEERCRED.
  virtual SocketCred PeerCred() { return {}; }
  // SIOCINQ / SIOCOUTQ.
  virtual size_t InQueue() = 0;
  virtual size_t OutQueue() = 0;
  // SO_ERROR: takes the pending error (0 if none).
  virtual int TakeError() { return 0; }
  virtual bool listening() { return false; }

  // getsockopt: the value (the caller truncates it to the user's length).
  // ENOPROTOOPT for an unknown option.
  ErrnoOr<std::vector<uint8_t>> GetSockOpt(int level, int name) ABSL_LOCKS_EXCLUDED(opt_mu_);
  ErrnoStatus SetSockOpt(int level, int name, std::span<const uint8_t> val)
      ABSL_LOCKS_EXCLUDED(opt_mu_);

  // Options the syscall layer and families read.
  absl::Duration rcv_timeout() const ABSL_LOCKS_EXCLUDED(opt_mu_);  // zero: none
  absl::Duration snd_timeout() const ABSL_LOCKS_EXCLUDED(opt_mu_);
  bool passcred() const ABSL_LOCKS_EXCLUDED(opt_mu_);
  int sndbuf() const ABSL_LOCKS_EXCLUDED(opt_mu_);
  int rcvbuf() const ABSL_LOCKS_EXCLUDED(opt_mu_);

  // read(2)/write(2) are recv/send with no flags.
  ErrnoOr<size_t> Read(HostIoVecs dst, int64_t offset) override;
  ErrnoOr<size_t> Write(HostIoVecs src, int64_t offset) override;
  ErrnoOr<struct stat> Stat() override;
  ErrnoOr<int64_t> Ioctl(uint32_t cmd, uint64_t arg, UserIo& io) override;
  std::string AnonymousName() const override;

 protected:
  // Family options (other levels, or SOL_SOCKET names the base does not
  // know). ENOPROTOOPT by default (EOPNOTSUPP for other levels is the
  // family's choice).
  virtual ErrnoOr<std::vector<uint8_t>> GetSockOptFamily(int level, int name) {
    return Errno(ENOPROTOOPT);
  }
  virtual ErrnoStatus SetSockOptFamily(int level, int name, std::span<const uint8_t> val) {
    return Errno(ENOPROTOOPT);
  }

 private:
  const int family_, type_, protocol_;  // immutable
  const uint64_t ino_;                  // immutable: sockfs inode number
  const struct timespec created_;       // immutable

  mutable absl::Mutex opt_mu_;  // a leaf
  int sndbuf_ ABSL_GUARDED_BY(opt_mu_);
  int rcvbuf_ ABSL_GUARDED_BY(opt_mu_);
  absl::Duration rcvtimeo_ ABSL_GUARDED_BY(opt_mu_) = absl::ZeroDuration();
  absl::Duration sndtimeo_ ABSL_GUARDED_BY(opt_mu_) = absl::ZeroDuration();
  struct linger linger_ ABSL_GUARDED_BY(opt_mu_) = {0, 0};
  // Boolean/int options kept and reported back only (SO_REUSEADDR,
  // SO_KEEPALIVE, SO_PASSCRED, ...): name -> value.
  std::vector<std::pair<int, int>> flag_opts_ ABSL_GUARDED_BY(opt_mu_);
};

// The socket behind `f`, or nullptr (ENOTSOCK is the caller's).
inline Socket* AsSocket(FileDescription& f) { return dynamic_cast<Socket*>(&f); }

// Linux's defaults and limits (net.core.{w,r}mem_default/_max, SOCK_MIN_*).
inline constexpr int kSockDefaultBuf = 212992;
inline constexpr int kSockMaxBuf = 212992;
inline constexpr int kSockMinSndBuf = 4608;
inline constexpr int kSockMinRcvBuf = 2304;

}  // namespace sb::fs
