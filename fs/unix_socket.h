// unix_socket.h: AF_UNIX sockets (Linux's net/unix/af_unix.c), created by
// the socket/socketpair syscalls, then used through Socket (socket.h).
//
// Stream, datagram and seqpacket sockets; pathname names (a socket node in
// our VFS, MountNamespace::BindSocketAt), abstract names (a leading NUL; one
// table for the single network namespace) and autobind; SCM_RIGHTS and
// SCM_CREDENTIALS as plain values in the messages (the syscall layer
// installs fds and checks credentials).
//
// Locking: every AF_UNIX endpoint is guarded by one leaf mutex (a
// connection touches two or three endpoints at once, and one lock keeps
// that simple). WaitQueue::Notify is called, and in-flight files are
// dropped, only after releasing it.
//
// Known gaps: in-flight SCM_RIGHTS cycles (a socket sent over itself) are
// not garbage-collected; MSG_OOB is EOPNOTSUPP; one abstract namespace.
#pragma once

#include <utility>

#include "fs/socket.h"

namespace sb::fs {

// socket(AF_UNIX, type, 0): `type` is SOCK_STREAM, SOCK_DGRAM or
// SOCK_SEQPACKET (the caller checks); `flags` O_NONBLOCK.
FileRef NewUnixSocket(int type, int flags);
// socketpair(AF_UNIX, type, 0): two connected sockets whose peer
// credentials are `creator`'s.
std::pair<FileRef, FileRef> NewUnixSocketPair(int type, int flags, const SocketCred& creator);

}  // namespace sb::fs
