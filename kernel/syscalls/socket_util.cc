#include "kernel/syscalls/socket_util.h"

#include <algorithm>

namespace sb::kernel {

ErrnoOr<SocketRef> GetSocket(Task& t, int fd) {
  SB_ASSIGN_OR_RETURN(fs::FileRef f, t.fds().Get(fd));
  fs::Socket* s = fs::AsSocket(*f);
  if (s == nullptr) return Errno(ENOTSOCK);
  return SocketRef{std::move(f), s};
}

fs::SocketCred CredOf(Task& t) {
  fs::SocketCred c;
  const PidRef& pid = t.thread_group().pid();
  c.pid = pid;
  c.global_pid = pid ? pid->global() : 0;
  c.uid = t.creds().euid;
  c.gid = t.creds().egid;
  return c;
}

pid_t PidFor(Task& t, const fs::SocketCred& c) {
  if (!c.pid) return c.global_pid;
  return t.IdOf(std::static_pointer_cast<const Pid>(c.pid));
}

ErrnoOr<std::string> CopyInSockAddr(Task& t, uint64_t addr, uint64_t len) {
  if (static_cast<int>(len) < 0 || len > kMaxSockAddrLen) return Errno(EINVAL);
  std::string s(len, '\0');
  if (len > 0) SB_TRY(t.CopyIn(addr, s.data(), len));
  return s;
}

ErrnoStatus CopyOutSockAddr(Task& t, const std::string& name, uint64_t addr, uint64_t lenp) {
  if (addr == 0) return Ok();
  SB_ASSIGN_OR_RETURN(int ulen, t.CopyInObj<int>(lenp));
  if (ulen < 0) return Errno(EINVAL);
  size_t n = std::min(name.size(), static_cast<size_t>(ulen));
  if (n > 0) SB_TRY(t.CopyOut(addr, name.data(), n));
  return t.CopyOutObj<int>(lenp, static_cast<int>(name.size()));
}

}  // namespace sb::kernel
