// socket.cc: the family-independent part of Socket: SOL_SOCKET options,
// read/write as recv/send, fstat (sockfs), ioctl and the /proc name.
#include "fs/socket.h"

#include <linux/sockios.h>
#include <sys/ioctl.h>

#include <algorithm>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "fs/inode.h"

namespace sb::fs {
namespace {

// sockfs: one device and one inode-number space for every socket.
dev_t SockfsDev() {
  static const dev_t dev = AllocateAnonDev();
  return dev;
}
uint64_t NextSockIno() {
  static std::atomic<uint64_t> next{1};
  return next.fetch_add(1, std::memory_order_relaxed);
}

std::vector<uint8_t> IntValue(int v) {
  std::vector<uint8_t> out(sizeof(int));
  std::memcpy(out.data(), &v, sizeof(v));
  return out;
}

template <class T>
std::vector<uint8_t> ObjValue(const T& v) {
  std::vector<uint8_t> out(sizeof(T));
  std::memcpy(out.data(), &v, sizeof(T));
  return out;
}

ErrnoOr<int> IntArg(std::span<const uint8_t> val) {
  if (val.size() < sizeof(int)) return Errno(EINVAL);
  int v;
  std::memcpy(&v, val.data(), sizeof(v));
  return v;
}

// Linux's sock_set_timeout(): a struct timeval; zero means none.
ErrnoOr<absl::Duration> TimeoutArg(std::span<const uint8_t> val) {
  struct timeval tv;
  if (val.size() < sizeof(tv)) return Errno(EINVAL);
  std::memcpy(&tv, val.data(), sizeof(tv));
  if (tv.tv_usec < 0 || tv.tv_usec >= 1000000) return Errno(EDOM);
  if (tv.tv_sec < 0) return absl::ZeroDuration();  // Linux: a negative time is "now"
  return absl::Seconds(tv.tv_sec) + absl::Microseconds(tv.tv_usec);
}

struct timeval DurationToTimeval(absl::Duration d) {
  struct timeval tv = {};
  tv.tv_sec = absl::ToInt64Seconds(d);
  tv.tv_usec = absl::ToInt64Microseconds(d - absl::Seconds(tv.tv_sec));
  return tv;
}

// SOL_SOCKET options accepted and reported back without further effect.
bool IsFlagOption(int name) {
  switch (name) {
    case SO_REUSEADDR:
    case SO_REUSEPORT:
    case SO_KEEPALIVE:
    case SO_BROADCAST:
    case SO_DONTROUTE:
    case SO_OOBINLINE:
    case SO_PASSCRED:
    case SO_PASSSEC:
    case SO_TIMESTAMP:
    case SO_TIMESTAMPNS:
    case SO_RCVLOWAT:
    case SO_PRIORITY:
    case SO_NO_CHECK:
      return true;
    default:
      return false;
  }
}

std::atomic<CurrentSocketCredFn> current_cred_fn{nullptr};

}  // namespace

void SetCurrentSocketCredFn(CurrentSocketCredFn fn) { current_cred_fn.store(fn); }

SocketCred CurrentSocketCred() {
  CurrentSocketCredFn fn = current_cred_fn.load();
  return fn ? fn() : SocketCred{};
}

Socket::Socket(int flags, int family, int type, int protocol)
    : FileDescription(O_RDWR | (flags & O_NONBLOCK)),
      family_(family),
      type_(type),
      protocol_(protocol),
      ino_(NextSockIno()),
      created_(NowTimespec()),
      sndbuf_(kSockDefaultBuf),
      rcvbuf_(kSockDefaultBuf) {}

Socket::~Socket() = default;

ErrnoOr<std::vector<uint8_t>> Socket::GetSockOpt(int level, int name) {
  if (level != SOL_SOCKET) return GetSockOptFamily(level, name);
  switch (name) {
    case SO_TYPE:
      return IntValue(type_);
    case SO_DOMAIN:
      return IntValue(family_);
    case SO_PROTOCOL:
      return IntValue(protocol_);
    case SO_ACCEPTCONN:
      return IntValue(listening() ? 1 : 0);
    case SO_ERROR:
      return IntValue(TakeError());
    case SO_PEERCRED: {
      SocketCred c = PeerCred();
      struct ucred u = {c.global_pid, c.uid, c.gid};
      return ObjValue(u);
    }
    default:
      break;
  }
  absl::MutexLock lock(&opt_mu_);
  switch (name) {
    case SO_SNDBUF:
      return IntValue(sndbuf_);
    case SO_RCVBUF:
      return IntValue(rcvbuf_);
    case SO_RCVTIMEO:
      return ObjValue(DurationToTimeval(rcvtimeo_));
    case SO_SNDTIMEO:
      return ObjValue(DurationToTimeval(sndtimeo_));
    case SO_LINGER:
      return ObjValue(linger_);
    default:
      break;
  }
  if (IsFlagOption(name)) {
    int v = (name == SO_RCVLOWAT) ? 1 : 0;
    for (auto& [n, val] : flag_opts_) {
      if (n == name) v = val;
    }
    return IntValue(v);
  }
  return GetSockOptFamily(level, name);
}

ErrnoStatus Socket::SetSockOpt(int level, int name, std::span<const uint8_t> val) {
  if (level != SOL_SOCKET) return SetSockOptFamily(level, name, val);
  switch (name) {
    case SO_TYPE:
    case SO_DOMAIN:
    case SO_PROTOCOL:
    case SO_ACCEPTCONN:
    case SO_ERROR:
    case SO_PEERCRED:
      return Errno(ENOPROTOOPT);
    case SO_SNDBUF:
    case SO_RCVBUF: {
      // Linux's sock_setsockopt: clamp to the maximum, then double (for
      // the bookkeeping overhead), with a floor.
      SB_ASSIGN_OR_RETURN(int v, IntArg(val));
      int64_t want = std::min<int64_t>(static_cast<uint32_t>(v), kSockMaxBuf) * 2;
      absl::MutexLock lock(&opt_mu_);
      if (name == SO_SNDBUF) {
        sndbuf_ = static_cast<int>(std::max<int64_t>(want, kSockMinSndBuf));
      } else {
        rcvbuf_ = static_cast<int>(std::max<int64_t>(want, kSockMinRcvBuf));
      }
      return Ok();
    }
    case SO_RCVTIMEO:
    case SO_SNDTIMEO: {
      SB_ASSIGN_OR_RETURN(absl::Duration d, TimeoutArg(val));
      absl::MutexLock lock(&opt_mu_);
      (name == SO_RCVTIMEO ? rcvtimeo_ : sndtimeo_) = d;
      return Ok();
    }
    case SO_LINGER: {
      if (val.size() < sizeof(struct linger)) return Errno(EINVAL);
      absl::MutexLock lock(&opt_mu_);
      std::memcpy(&linger_, val.data(), sizeof(linger_));
      linger_.l_onoff = linger_.l_onoff ? 1 : 0;
      return Ok();
    }
    default:
      break;
  }
  if (IsFlagOption(name)) {
    SB_ASSIGN_OR_RETURN(int v, IntArg(val));
    if (name != SO_RCVLOWAT && name != SO_PRIORITY) v = v ? 1 : 0;
    if (name == SO_RCVLOWAT && v == 0) v = 1;
    absl::MutexLock lock(&opt_mu_);
    for (auto& [n, old] : flag_opts_) {
      if (n == name) {
        old = v;
        return Ok();
      }
    }
    flag_opts_.emplace_back(name, v);
    return Ok();
  }
  return SetSockOptFamily(level, name, val);
}

absl::Duration Socket::rcv_timeout() const {
  absl::MutexLock lock(&opt_mu_);
  return rcvtimeo_;
}

absl::Duration Socket::snd_timeout() const {
  absl::MutexLock lock(&opt_mu_);
  return sndtimeo_;
}

bool Socket::passcred() const {
  absl::MutexLock lock(&opt_mu_);
  for (auto& [n, v] : flag_opts_) {
    if (n == SO_PASSCRED) return v != 0;
  }
  return false;
}

int Socket::sndbuf() const {
  absl::MutexLock lock(&opt_mu_);
  return sndbuf_;
}

int Socket::rcvbuf() const {
  absl::MutexLock lock(&opt_mu_);
  return rcvbuf_;
}

ErrnoOr<size_t> Socket::Read(HostIoVecs dst, int64_t offset) {
  if (offset >= 0) return Errno(ESPIPE);
  SB_ASSIGN_OR_RETURN(RecvResult r, Recv(dst, 0));
  return r.copied;
}

ErrnoOr<size_t> Socket::Write(HostIoVecs src, int64_t offset) {
  if (offset >= 0) return Errno(ESPIPE);
  SendRequest req;
  req.data = src;
  SocketCaller c;
  c.cred = CurrentSocketCred();
  return Send(c, req);
}

ErrnoOr<struct stat> Socket::Stat() {
  struct stat st = {};
  st.st_dev = SockfsDev();
  st.st_ino = ino_;
  st.st_mode = S_IFSOCK | 0777;
  st.st_nlink = 1;
  st.st_blksize = 4096;
  st.st_atim = st.st_mtim = st.st_ctim = created_;
  return st;
}

ErrnoOr<int64_t> Socket::Ioctl(uint32_t cmd, uint64_t arg, UserIo& io) {
  int n;
  switch (cmd) {
    case SIOCINQ:  // == FIONREAD
      if (listening()) return Errno(EINVAL);
      n = static_cast<int>(InQueue());
      break;
    case SIOCOUTQ:
      if (listening()) return Errno(EINVAL);
      n = static_cast<int>(OutQueue());
      break;
    default:
      return Errno(ENOTTY);
  }
  SB_TRY(io.CopyOut(arg, &n, sizeof(n)));
  return int64_t{0};
}

std::string Socket::AnonymousName() const { return absl::StrCat("socket:[", ino_, "]"); }

}  // namespace sb::fs
