// signalfd.h: signalfd(2) files (Linux's fs/signalfd.c).
//
// A signalfd has a signal mask. Reading it takes signals of that mask that
// are pending for the task that reads (its own queue first, then its
// process's shared queue: Task::DequeueSignal, the rule of
// rt_sigtimedwait) and returns them as struct signalfd_siginfo records,
// as many as fit. It is readable (POLLIN) while such a signal is pending
// for the task that polls. So the file's meaning depends on the caller:
// after fork, the child's copy reads the child's signals. The caller is
// Task::Current(), since the FileDescription interface passes no task.
//
// Readers and pollers wait on their process's ThreadGroup::signalfd_waiters_
// (Linux's sighand->signalfd_wqh): wait_queue() names the calling task's.
// Every place that queues a signal calls NotifySignalFds afterwards, which
// costs one atomic load while no signalfd exists. Because Task::Interrupt
// also wakes a task blocked in read for any signal, a blocking read
// returns ERESTARTSYS when interrupted and, if no handler runs, is
// restarted transparently and then finds the signal.
//
// Called by the signalfd and signalfd4 syscalls (NewSignalFd, AsSignalFd +
// SetMask), by task_signals.cc (NotifySignalFds), and through the
// FileDescription interface (read, poll, select, epoll, fstat,
// /proc/[pid]/fd).
//
// Locking: the mask is an atomic, so a signalfd has no lock of its own.
// Read and Readiness take the caller's ThreadGroup::signal_mu_ (through
// Task::DequeueSignal and Task::PendingSignals); epoll calls Readiness
// with its EpollFile::mu_ held, so EpollFile::mu_ comes before signal_mu_.
// NotifySignalFds must therefore be called with no signal_mu_ (nor
// tree_mu_) held, as fs/epoll.h asks of every target's notifier.
//
// Checkpoint: the state is the mask and the open flags (O_NONBLOCK); the
// signals themselves live in the task and process queues.
#pragma once

#include <sys/signalfd.h>

#include <atomic>
#include <cstdint>
#include <string>

#include "fs/file.h"
#include "kernel/task/thread_group.h"

namespace sb::kernel {

class SignalFd : public fs::FileDescription {
 public:
  // Use NewSignalFd.
  SignalFd(uint64_t mask, int flags);
  ~SignalFd() override;

  // signalfd on an existing signalfd: replaces the mask (SIGKILL and SIGSTOP
  // are dropped). The caller wakes the waiters (NotifySignalFds).
  void SetMask(uint64_t mask);
  uint64_t mask() const { return mask_.load(std::memory_order_relaxed); }

  // read: EINVAL if `dst` cannot hold one signalfd_siginfo; EAGAIN while no
  // signal of the mask is pending for the calling task.
  ErrnoOr<size_t> Read(HostIoVecs dst, int64_t offset) override;
  // lseek: succeeds and stays at 0 (Linux's noop_llseek).
  ErrnoOr<int64_t> Seek(int64_t offset, int whence) override { return 0; }
  ErrnoOr<struct stat> Stat() override;
  // POLLIN while a signal of the mask is pending for the calling task.
  uint32_t Readiness(uint32_t mask) override;
  // The calling task's process's signalfd queue.
  WaitQueue* wait_queue() override;
  std::string AnonymousName() const override { return "anon_inode:[signalfd]"; }

 private:
  // The signals to read, never SIGKILL or SIGSTOP. Atomic: read by any task
  // sharing the file, written by signalfd(fd, ...).
  std::atomic<uint64_t> mask_;
  // What wait_queue() gives a thread that is not a task (never notified).
  WaitQueue no_task_queue_;
};

// signalfd4(-1, mask, sizemask, flags): `flags` of SFD_NONBLOCK and
// SFD_CLOEXEC (the caller keeps SFD_CLOEXEC for the descriptor); others
// are EINVAL. The file is O_RDWR, with O_NONBLOCK for SFD_NONBLOCK.
ErrnoOr<fs::FileRef> NewSignalFd(uint64_t mask, int flags);

// The signalfd behind `f`, or nullptr (signalfd4 then fails with EINVAL).
SignalFd* AsSignalFd(fs::FileDescription& f);

// The record read(2) returns for `info`: the fields that the siginfo's
// kind (from its signal and code) carries, the rest zero.
struct signalfd_siginfo ToSignalfdSiginfo(const siginfo_t& info);

// Wakes the signalfd readers and pollers of `tg` (a signal was queued for
// it or one of its threads, or a signalfd mask changed). Call with no
// signal_mu_ or tree_mu_ held.
void NotifySignalFds(ThreadGroup& tg);

}  // namespace sb::kernel
