// handlers.h: every syscall handler, by family file (STYLE.md R1/R2).
#pragma once

#include "kernel/syscalls/syscall.h"

namespace sb::kernel {

SyscallResult Access(Task& t, const SyscallArgs& a);
SyscallResult ArchPrctl(Task& t, const SyscallArgs& a);
SyscallResult Brk(Task& t, const SyscallArgs& a);
SyscallResult Chdir(Task& t, const SyscallArgs& a);
SyscallResult ClockGetres(Task& t, const SyscallArgs& a);
SyscallResult ClockGettime(Task& t, const SyscallArgs& a);
SyscallResult ClockNanosleep(Task& t, const SyscallArgs& a);
SyscallResult Clone(Task& t, const SyscallArgs& a);
SyscallResult Close(Task& t, const SyscallArgs& a);
SyscallResult Creat(Task& t, const SyscallArgs& a);
SyscallResult Dup(Task& t, const SyscallArgs& a);
SyscallResult Dup2(Task& t, const SyscallArgs& a);
SyscallResult Dup3(Task& t, const SyscallArgs& a);
SyscallResult Execve(Task& t, const SyscallArgs& a);
SyscallResult Execveat(Task& t, const SyscallArgs& a);
SyscallResult Exit(Task& t, const SyscallArgs& a);
SyscallResult ExitGroup(Task& t, const SyscallArgs& a);
SyscallResult Faccessat(Task& t, const SyscallArgs& a);
SyscallResult Faccessat2(Task& t, const SyscallArgs& a);
SyscallResult Fchdir(Task& t, const SyscallArgs& a);
SyscallResult Fcntl(Task& t, const SyscallArgs& a);
SyscallResult Fork(Task& t, const SyscallArgs& a);
SyscallResult Fstat(Task& t, const SyscallArgs& a);
SyscallResult Futex(Task& t, const SyscallArgs& a);
SyscallResult Getcwd(Task& t, const SyscallArgs& a);
SyscallResult Getdents64(Task& t, const SyscallArgs& a);
SyscallResult Getegid(Task& t, const SyscallArgs& a);
SyscallResult Geteuid(Task& t, const SyscallArgs& a);
SyscallResult Getgid(Task& t, const SyscallArgs& a);
SyscallResult Getgroups(Task& t, const SyscallArgs& a);
SyscallResult Getpgid(Task& t, const SyscallArgs& a);
SyscallResult Getpgrp(Task& t, const SyscallArgs& a);
SyscallResult Getpid(Task& t, const SyscallArgs& a);
SyscallResult Getppid(Task& t, const SyscallArgs& a);
SyscallResult Getrandom(Task& t, const SyscallArgs& a);
SyscallResult Getrlimit(Task& t, const SyscallArgs& a);
SyscallResult Getsid(Task& t, const SyscallArgs& a);
SyscallResult Gettid(Task& t, const SyscallArgs& a);
SyscallResult Gettimeofday(Task& t, const SyscallArgs& a);
SyscallResult Getuid(Task& t, const SyscallArgs& a);
SyscallResult InotifyAddWatch(Task& t, const SyscallArgs& a);
SyscallResult InotifyInit(Task& t, const SyscallArgs& a);
SyscallResult InotifyInit1(Task& t, const SyscallArgs& a);
SyscallResult InotifyRmWatch(Task& t, const SyscallArgs& a);
SyscallResult Ioctl(Task& t, const SyscallArgs& a);
SyscallResult Kill(Task& t, const SyscallArgs& a);
SyscallResult Link(Task& t, const SyscallArgs& a);
SyscallResult Linkat(Task& t, const SyscallArgs& a);
SyscallResult Lseek(Task& t, const SyscallArgs& a);
SyscallResult Lstat(Task& t, const SyscallArgs& a);
SyscallResult Madvise(Task& t, const SyscallArgs& a);
// System V IPC (shm.cc, sem.cc, msg.cc).
SyscallResult Msgctl(Task& t, const SyscallArgs& a);
SyscallResult Msgget(Task& t, const SyscallArgs& a);
SyscallResult Msgrcv(Task& t, const SyscallArgs& a);
SyscallResult Msgsnd(Task& t, const SyscallArgs& a);
SyscallResult Semctl(Task& t, const SyscallArgs& a);
SyscallResult Semget(Task& t, const SyscallArgs& a);
SyscallResult Semop(Task& t, const SyscallArgs& a);
SyscallResult Semtimedop(Task& t, const SyscallArgs& a);
SyscallResult Shmat(Task& t, const SyscallArgs& a);
SyscallResult Shmctl(Task& t, const SyscallArgs& a);
SyscallResult Shmdt(Task& t, const SyscallArgs& a);
SyscallResult Shmget(Task& t, const SyscallArgs& a);
SyscallResult Mkdir(Task& t, const SyscallArgs& a);
SyscallResult Mkdirat(Task& t, const SyscallArgs& a);
SyscallResult Mmap(Task& t, const SyscallArgs& a);
SyscallResult Mprotect(Task& t, const SyscallArgs& a);
SyscallResult Mremap(Task& t, const SyscallArgs& a);
SyscallResult Munmap(Task& t, const SyscallArgs& a);
SyscallResult Nanosleep(Task& t, const SyscallArgs& a);
SyscallResult Newfstatat(Task& t, const SyscallArgs& a);
SyscallResult Open(Task& t, const SyscallArgs& a);
SyscallResult Openat(Task& t, const SyscallArgs& a);
SyscallResult Pipe(Task& t, const SyscallArgs& a);
SyscallResult Pipe2(Task& t, const SyscallArgs& a);
SyscallResult Pread64(Task& t, const SyscallArgs& a);
SyscallResult Prlimit64(Task& t, const SyscallArgs& a);
SyscallResult Prctl(Task& t, const SyscallArgs& a);
SyscallResult Pwrite64(Task& t, const SyscallArgs& a);
SyscallResult Read(Task& t, const SyscallArgs& a);
SyscallResult Readlink(Task& t, const SyscallArgs& a);
SyscallResult Readlinkat(Task& t, const SyscallArgs& a);
SyscallResult Readv(Task& t, const SyscallArgs& a);
SyscallResult Rename(Task& t, const SyscallArgs& a);
SyscallResult Renameat(Task& t, const SyscallArgs& a);
SyscallResult Renameat2(Task& t, const SyscallArgs& a);
SyscallResult Rmdir(Task& t, const SyscallArgs& a);
SyscallResult RtSigaction(Task& t, const SyscallArgs& a);
SyscallResult RtSigpending(Task& t, const SyscallArgs& a);
SyscallResult RtSigprocmask(Task& t, const SyscallArgs& a);
SyscallResult RtSigreturn(Task& t, const SyscallArgs& a);
SyscallResult RtSigsuspend(Task& t, const SyscallArgs& a);
SyscallResult SchedGetaffinity(Task& t, const SyscallArgs& a);
SyscallResult SchedYield(Task& t, const SyscallArgs& a);
SyscallResult Seccomp(Task& t, const SyscallArgs& a);
// seccomp(2)'s operations, shared with prctl(PR_SET_SECCOMP).
SyscallResult SeccompOp(Task& t, uint32_t op, uint32_t flags, uint64_t uargs);
SyscallResult SetRobustList(Task& t, const SyscallArgs& a);
// itimer.cc: (re)starts RLIMIT_CPU enforcement for `tg` after its limit
// changed or its process started.
void RestartRlimitCpuTimer(Kernel& k, const ThreadGroupRef& tg);
// namespace.cc
SyscallResult Unshare(Task& t, const SyscallArgs& a);
SyscallResult Setns(Task& t, const SyscallArgs& a);
SyscallResult Sethostname(Task& t, const SyscallArgs& a);
SyscallResult Setdomainname(Task& t, const SyscallArgs& a);
SyscallResult GetRobustList(Task& t, const SyscallArgs& a);
SyscallResult SetTidAddress(Task& t, const SyscallArgs& a);
SyscallResult Setpgid(Task& t, const SyscallArgs& a);
SyscallResult Setrlimit(Task& t, const SyscallArgs& a);
SyscallResult Setsid(Task& t, const SyscallArgs& a);
SyscallResult Sigaltstack(Task& t, const SyscallArgs& a);
SyscallResult Stat(Task& t, const SyscallArgs& a);
SyscallResult Statx(Task& t, const SyscallArgs& a);
SyscallResult Symlink(Task& t, const SyscallArgs& a);
SyscallResult Symlinkat(Task& t, const SyscallArgs& a);
SyscallResult Sysinfo(Task& t, const SyscallArgs& a);
SyscallResult Tgkill(Task& t, const SyscallArgs& a);
SyscallResult Time(Task& t, const SyscallArgs& a);
SyscallResult Tkill(Task& t, const SyscallArgs& a);
SyscallResult Umask(Task& t, const SyscallArgs& a);
SyscallResult Uname(Task& t, const SyscallArgs& a);
SyscallResult Unlink(Task& t, const SyscallArgs& a);
SyscallResult Unlinkat(Task& t, const SyscallArgs& a);
SyscallResult Vfork(Task& t, const SyscallArgs& a);
SyscallResult Wait4(Task& t, const SyscallArgs& a);
SyscallResult Write(Task& t, const SyscallArgs& a);
SyscallResult Writev(Task& t, const SyscallArgs& a);

// Added with the process issue.
SyscallResult Poll(Task& t, const SyscallArgs& a);
SyscallResult Ppoll(Task& t, const SyscallArgs& a);
SyscallResult Select(Task& t, const SyscallArgs& a);
SyscallResult Pselect6(Task& t, const SyscallArgs& a);
SyscallResult CloseRange(Task& t, const SyscallArgs& a);
SyscallResult Clone3(Task& t, const SyscallArgs& a);
SyscallResult Waitid(Task& t, const SyscallArgs& a);
SyscallResult Times(Task& t, const SyscallArgs& a);
SyscallResult Ftruncate(Task& t, const SyscallArgs& a);
SyscallResult Fsync(Task& t, const SyscallArgs& a);
SyscallResult Fdatasync(Task& t, const SyscallArgs& a);
SyscallResult Sync(Task& t, const SyscallArgs& a);
SyscallResult Syncfs(Task& t, const SyscallArgs& a);
SyscallResult SyncFileRange(Task& t, const SyscallArgs& a);
// fallocate.cc, advise.cc
SyscallResult Fallocate(Task& t, const SyscallArgs& a);
SyscallResult Fadvise64(Task& t, const SyscallArgs& a);
SyscallResult Readahead(Task& t, const SyscallArgs& a);
// read_write.cc (vectored, positioned)
SyscallResult Preadv(Task& t, const SyscallArgs& a);
SyscallResult Pwritev(Task& t, const SyscallArgs& a);
SyscallResult Preadv2(Task& t, const SyscallArgs& a);
SyscallResult Pwritev2(Task& t, const SyscallArgs& a);
// openat2.cc
SyscallResult Openat2(Task& t, const SyscallArgs& a);
// dir.cc
SyscallResult Getdents(Task& t, const SyscallArgs& a);
// mlock.cc, msync.cc
SyscallResult Mlock(Task& t, const SyscallArgs& a);
SyscallResult Mlock2(Task& t, const SyscallArgs& a);
SyscallResult Munlock(Task& t, const SyscallArgs& a);
SyscallResult Mlockall(Task& t, const SyscallArgs& a);
SyscallResult Munlockall(Task& t, const SyscallArgs& a);
SyscallResult Msync(Task& t, const SyscallArgs& a);
SyscallResult Mincore(Task& t, const SyscallArgs& a);
SyscallResult Truncate(Task& t, const SyscallArgs& a);
SyscallResult TimerCreate(Task& t, const SyscallArgs& a);
SyscallResult TimerSettime(Task& t, const SyscallArgs& a);
SyscallResult TimerGettime(Task& t, const SyscallArgs& a);
SyscallResult TimerGetoverrun(Task& t, const SyscallArgs& a);
SyscallResult TimerDelete(Task& t, const SyscallArgs& a);
SyscallResult RtSigtimedwait(Task& t, const SyscallArgs& a);
SyscallResult Pause(Task& t, const SyscallArgs& a);
SyscallResult RtSigqueueinfo(Task& t, const SyscallArgs& a);
SyscallResult RtTgsigqueueinfo(Task& t, const SyscallArgs& a);
SyscallResult SchedSetaffinity(Task& t, const SyscallArgs& a);
SyscallResult SchedGetscheduler(Task& t, const SyscallArgs& a);
SyscallResult SchedGetparam(Task& t, const SyscallArgs& a);
SyscallResult SchedSetscheduler(Task& t, const SyscallArgs& a);
SyscallResult SchedSetparam(Task& t, const SyscallArgs& a);
SyscallResult SchedGetPriorityMax(Task& t, const SyscallArgs& a);
SyscallResult SchedGetPriorityMin(Task& t, const SyscallArgs& a);
SyscallResult SchedRrGetInterval(Task& t, const SyscallArgs& a);
SyscallResult Getpriority(Task& t, const SyscallArgs& a);
SyscallResult Setpriority(Task& t, const SyscallArgs& a);
SyscallResult Getcpu(Task& t, const SyscallArgs& a);
SyscallResult Getrusage(Task& t, const SyscallArgs& a);
// The address-space part of a futex key (futex.cc; null: shared page).
const void* FutexKeyMm(mm::MemoryManager& mm, uint64_t addr, bool private_op);
// A CPU-time clock's reading (usage.cc), for clock_gettime.
ErrnoOr<absl::Duration> CpuClock(Task& t, clockid_t id);
SyscallResult Setuid(Task& t, const SyscallArgs& a);
SyscallResult Setgid(Task& t, const SyscallArgs& a);
SyscallResult Setreuid(Task& t, const SyscallArgs& a);
SyscallResult Setregid(Task& t, const SyscallArgs& a);
SyscallResult Setresuid(Task& t, const SyscallArgs& a);
SyscallResult Setresgid(Task& t, const SyscallArgs& a);
SyscallResult Getresuid(Task& t, const SyscallArgs& a);
SyscallResult Getresgid(Task& t, const SyscallArgs& a);
SyscallResult Setfsuid(Task& t, const SyscallArgs& a);
SyscallResult Setfsgid(Task& t, const SyscallArgs& a);
SyscallResult Setgroups(Task& t, const SyscallArgs& a);
SyscallResult Capget(Task& t, const SyscallArgs& a);
SyscallResult Capset(Task& t, const SyscallArgs& a);
SyscallResult Alarm(Task& t, const SyscallArgs& a);
SyscallResult Setitimer(Task& t, const SyscallArgs& a);
SyscallResult Getitimer(Task& t, const SyscallArgs& a);
SyscallResult EpollCreate(Task& t, const SyscallArgs& a);
SyscallResult EpollCreate1(Task& t, const SyscallArgs& a);
SyscallResult EpollCtl(Task& t, const SyscallArgs& a);
SyscallResult EpollWait(Task& t, const SyscallArgs& a);
SyscallResult EpollPwait(Task& t, const SyscallArgs& a);
SyscallResult EpollPwait2(Task& t, const SyscallArgs& a);
SyscallResult Eventfd(Task& t, const SyscallArgs& a);
SyscallResult Eventfd2(Task& t, const SyscallArgs& a);
SyscallResult TimerfdCreate(Task& t, const SyscallArgs& a);
SyscallResult TimerfdSettime(Task& t, const SyscallArgs& a);
SyscallResult TimerfdGettime(Task& t, const SyscallArgs& a);
SyscallResult Signalfd(Task& t, const SyscallArgs& a);
SyscallResult Signalfd4(Task& t, const SyscallArgs& a);

// File attributes and the file-ops issue (attr.cc, stat.cc, link.cc,
// lock.cc, splice.cc, memfd.cc, xattr.cc).
SyscallResult Chmod(Task& t, const SyscallArgs& a);
SyscallResult Fchmod(Task& t, const SyscallArgs& a);
SyscallResult Fchmodat(Task& t, const SyscallArgs& a);
SyscallResult Chown(Task& t, const SyscallArgs& a);
SyscallResult Fchown(Task& t, const SyscallArgs& a);
SyscallResult Lchown(Task& t, const SyscallArgs& a);
SyscallResult Fchownat(Task& t, const SyscallArgs& a);
SyscallResult Utime(Task& t, const SyscallArgs& a);
SyscallResult Utimes(Task& t, const SyscallArgs& a);
SyscallResult Futimesat(Task& t, const SyscallArgs& a);
SyscallResult Utimensat(Task& t, const SyscallArgs& a);
SyscallResult Statfs(Task& t, const SyscallArgs& a);
SyscallResult Fstatfs(Task& t, const SyscallArgs& a);
SyscallResult Mknod(Task& t, const SyscallArgs& a);
SyscallResult Mknodat(Task& t, const SyscallArgs& a);
SyscallResult Flock(Task& t, const SyscallArgs& a);
// fcntl's lock commands (F_GETLK, F_SETLK(W), F_OFD_*), for Fcntl.
SyscallResult FcntlLock(Task& t, const fs::FileRef& f, int cmd, uint64_t arg);
SyscallResult Sendfile(Task& t, const SyscallArgs& a);
SyscallResult Splice(Task& t, const SyscallArgs& a);
SyscallResult Tee(Task& t, const SyscallArgs& a);
SyscallResult Vmsplice(Task& t, const SyscallArgs& a);
SyscallResult CopyFileRange(Task& t, const SyscallArgs& a);
SyscallResult MemfdCreate(Task& t, const SyscallArgs& a);
SyscallResult Setxattr(Task& t, const SyscallArgs& a);
SyscallResult Lsetxattr(Task& t, const SyscallArgs& a);
SyscallResult Fsetxattr(Task& t, const SyscallArgs& a);
SyscallResult Getxattr(Task& t, const SyscallArgs& a);
SyscallResult Lgetxattr(Task& t, const SyscallArgs& a);
SyscallResult Fgetxattr(Task& t, const SyscallArgs& a);
SyscallResult Listxattr(Task& t, const SyscallArgs& a);
SyscallResult Llistxattr(Task& t, const SyscallArgs& a);
SyscallResult Flistxattr(Task& t, const SyscallArgs& a);
SyscallResult Removexattr(Task& t, const SyscallArgs& a);
SyscallResult Lremovexattr(Task& t, const SyscallArgs& a);
SyscallResult Fremovexattr(Task& t, const SyscallArgs& a);
// socket.cc, socket_msg.cc
SyscallResult Socket(Task& t, const SyscallArgs& a);
SyscallResult Socketpair(Task& t, const SyscallArgs& a);
SyscallResult Bind(Task& t, const SyscallArgs& a);
SyscallResult Listen(Task& t, const SyscallArgs& a);
SyscallResult Accept(Task& t, const SyscallArgs& a);
SyscallResult Accept4(Task& t, const SyscallArgs& a);
SyscallResult Connect(Task& t, const SyscallArgs& a);
SyscallResult Shutdown(Task& t, const SyscallArgs& a);
SyscallResult Getsockname(Task& t, const SyscallArgs& a);
SyscallResult Getpeername(Task& t, const SyscallArgs& a);
SyscallResult Getsockopt(Task& t, const SyscallArgs& a);
SyscallResult Setsockopt(Task& t, const SyscallArgs& a);
SyscallResult Sendto(Task& t, const SyscallArgs& a);
SyscallResult Recvfrom(Task& t, const SyscallArgs& a);
SyscallResult Sendmsg(Task& t, const SyscallArgs& a);
SyscallResult Recvmsg(Task& t, const SyscallArgs& a);
SyscallResult Sendmmsg(Task& t, const SyscallArgs& a);
SyscallResult Recvmmsg(Task& t, const SyscallArgs& a);

}  // namespace sb::kernel
