// eventfd.h: eventfd(2) files (Linux's fs/eventfd.c).
//
// An eventfd is a 64-bit counter. write adds to it, read takes it (or, with
// EFD_SEMAPHORE, takes 1). Neither blocks: where Linux would sleep they
// return EAGAIN and the syscall layer waits on wait_queue() (POLLIN for
// read, POLLOUT for write) and retries.
//
// Called by the eventfd2/eventfd syscalls (NewEventFd), then through the
// FileDescription interface (read, write, poll, epoll, fstat).
//
// Locking: each eventfd has one leaf mutex guarding the counter;
// WaitQueue::Notify is called after releasing it.
#pragma once

#include <sys/eventfd.h>

#include <cstdint>

#include "fs/file.h"

namespace sb::fs {

// eventfd2(initval, flags): `flags` of EFD_SEMAPHORE, EFD_NONBLOCK and
// EFD_CLOEXEC (the caller keeps EFD_CLOEXEC for the descriptor); other bits
// are EINVAL. The file is O_RDWR, with O_NONBLOCK for EFD_NONBLOCK.
ErrnoOr<FileRef> NewEventFd(uint64_t initval, int flags);

}  // namespace sb::fs
