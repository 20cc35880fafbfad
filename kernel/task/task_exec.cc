// task_exec.cc: execve (Linux's fs/exec.c and fs/binfmt_script.c).
#include <sys/syscall.h>

#include <cstring>

#include "absl/strings/ascii.h"
#include "kernel/base/abi.h"
#include "kernel/kernel.h"
#include "kernel/loader/elf_loader.h"
#include "kernel/platform/stub_layout.h"
#include "kernel/task/task.h"

namespace sb::kernel {
namespace {

constexpr int kMaxInterpreterDepth = 4;  // Linux's BINPRM_MAX_RECURSION
constexpr size_t kBinprmBufSize = 256;   // BINPRM_BUF_SIZE

// Parses a "#!interpreter [arg]" line. ENOEXEC if it is not one.
ErrnoOr<std::pair<std::string, std::string>> ParseShebang(const char* buf, size_t len) {
  if (len < 2 || buf[0] != '#' || buf[1] != '!') return Errno(ENOEXEC);
  absl::string_view line(buf + 2, len - 2);
  size_t nl = line.find('\n');
  if (nl == absl::string_view::npos) {
    // The interpreter name must end within the buffer (Linux 5.0+).
    if (len == kBinprmBufSize) return Errno(ENOEXEC);
  } else {
    line = line.substr(0, nl);
  }
  line = absl::StripAsciiWhitespace(line);
  if (line.empty()) return Errno(ENOEXEC);
  size_t sp = line.find_first_of(" \t");
  std::string interp(line.substr(0, sp));
  std::string arg;
  if (sp != absl::string_view::npos) {
    arg = std::string(absl::StripAsciiWhitespace(line.substr(sp)));
  }
  return std::make_pair(interp, arg);
}

}  // namespace

ErrnoStatus Task::DeThread() {
  std::vector<Task*> others;
  {
    absl::MutexLock lock(&kernel_.tree_mu_);
    absl::MutexLock sig_lock(&tg_->signal_mu_);
    if (tg_->exiting_) return Errno(EAGAIN);  // the process is dying anyway
    for (Task* t : tg_->tasks_) {
      if (t != this) {
        t->killed_by_exec_ = true;
        others.push_back(t);
      }
    }
    // Each leaves through DeliverSignals, which sees killed_by_exec_.
    for (Task* t : others) t->Interrupt();
  }
  if (others.empty() && tid() == tg_->tgid()) return Ok();
  auto alone = [](ThreadGroup* tg) { return tg->tasks_.size() == 1 || tg->exiting_; };
  kernel_.tree_mu_.LockWhen(absl::Condition(+alone, tg_.get()));
  if (tg_->exiting_) {
    kernel_.tree_mu_.Unlock();
    return Errno(EAGAIN);
  }
  if (tid() != tg_->tgid()) {
    // We become the leader: its ID is ours now, and its task (exited) is
    // retired; our old thread ID is free.
    TaskRef self = kernel_.tasks_[tid()];
    kernel_.RetireTaskLocked(tg_->tgid());
    kernel_.tasks_.erase(tid());
    kernel_.tasks_[tg_->tgid()] = self;
    pid_ = tg_->pid();
    tid_ = tg_->tgid();
  }
  kernel_.tree_mu_.Unlock();
  kernel_.JoinFinishedThreads();
  return Ok();
}

ErrnoStatus Task::Execve(const std::string& path_in, std::vector<std::string> argv,
                         std::vector<std::string> envp, int dirfd, int at_flags) {
  if (at_flags & ~(AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW)) return Errno(EINVAL);
  const fs::FsContext fctx = FsContext();
  std::string path = path_in;
  const std::string execfn = path_in;
  fs::FileRef file;
  std::string abs_path;
  for (int depth = 0;; ++depth) {
    if (depth > kMaxInterpreterDepth) return Errno(ELOOP);
    fs::Location loc;
    if (path.empty()) {
      if (!(at_flags & AT_EMPTY_PATH)) return Errno(ENOENT);
      SB_ASSIGN_OR_RETURN(fs::FileRef f, fds_->Get(dirfd));
      auto l = f->location();
      if (!l) return Errno(EACCES);
      loc = *l;
    } else {
      SB_ASSIGN_OR_RETURN(fs::Location start, AtLocation(dirfd, path));
      fs::FollowFinal follow =
          (at_flags & AT_SYMLINK_NOFOLLOW) ? fs::FollowFinal::kNo : fs::FollowFinal::kYes;
      SB_ASSIGN_OR_RETURN(loc, ns_.mnt->Lookup(fctx, start, path, follow));
    }
    SB_ASSIGN_OR_RETURN(struct stat st, ns_.mnt->Stat(loc));
    if (S_ISLNK(st.st_mode)) return Errno(ELOOP);
    if (!S_ISREG(st.st_mode)) return Errno(EACCES);
    SB_TRY(ns_.mnt->Access(fctx, loc, X_OK));
    // Linux's do_open_execat(): nothing on a noexec mount runs, nor serves
    // as a script's interpreter.
    if (fs::MountNamespace::NoExec(loc)) return Errno(EACCES);
    SB_ASSIGN_OR_RETURN(file, ns_.mnt->Open(fctx, loc, O_RDONLY));
    SB_ASSIGN_OR_RETURN(abs_path, ns_.mnt->PathOf(fctx.root, loc));

    char buf[kBinprmBufSize];
    struct iovec iov = {buf, sizeof(buf)};
    SB_ASSIGN_OR_RETURN(size_t n, file->Read(HostIoVecs(&iov, 1), 0));
    if (loader::IsElf(reinterpret_cast<uint8_t*>(buf), n)) break;
    SB_ASSIGN_OR_RETURN(auto shebang, ParseShebang(buf, n));
    // argv becomes: interpreter [arg] path original-argv[1..]
    std::vector<std::string> new_argv = {shebang.first};
    if (!shebang.second.empty()) new_argv.push_back(shebang.second);
    new_argv.push_back(path.empty() ? "/dev/fd/" + std::to_string(dirfd) : path);
    if (argv.size() > 1) new_argv.insert(new_argv.end(), argv.begin() + 1, argv.end());
    argv = std::move(new_argv);
    path = shebang.first;
    dirfd = AT_FDCWD;
    at_flags = 0;
  }

  auto new_mm = std::make_shared<mm::MemoryManager>(kernel_.memory_file());
  loader::LoadRequest req;
  req.mntns = ns_.mnt.get();
  req.ctx = &fctx;
  req.file = file;
  req.path = abs_path;
  req.execfn = execfn;
  req.argv = std::move(argv);
  req.envp = std::move(envp);
  req.creds = creds_.get();
  req.stack_limit = RlimitCur(RLIMIT_STACK);
  SB_ASSIGN_OR_RETURN(loader::LoadResult image, loader::LoadElf(*new_mm, req));

  // The point of no return: the old program is gone from here on. Every
  // other thread goes first (Linux's de_thread), and our robust futexes
  // are released as on exit.
  if (ctx_) {
    if (!DeThread().ok()) {
      ExitGroup(SIGKILL);
      return Ok();
    }
    ExitRobustList();
    clear_child_tid = 0;
    using platform::kStubEnd;
    using platform::kStubStart;
    (void)ctx_->Inject(SYS_munmap, mm::MemoryManager::kMinAddress,
                       kStubStart - mm::MemoryManager::kMinAddress);
    (void)ctx_->Inject(SYS_munmap, kStubEnd, sb::abi::kTaskSize - kStubEnd);
    auto fp = kernel_.initial_fp_state();
    if (!new_mm->Materialize(*ctx_).ok() || !fp || !ctx_->SetFpState(*fp).ok()) {
      ExitGroup(SIGKILL);
      return Ok();
    }
  }
  // The old address space's peak stays the process's (ru_maxrss).
  const uint64_t old_hiwater = mm_ ? mm_->HiwaterRss() : 0;
  {
    absl::MutexLock share(&share_mu_);
    mm_ = std::move(new_mm);
  }
  {
    absl::MutexLock lock(&kernel_.tree_mu_);
    tg_->execed_ = true;
    tg_->maxrss_ = std::max(tg_->maxrss_, old_hiwater);
  }
  fds_->CloseOnExec();
  {
    absl::MutexLock lock(&tg_->signal_mu_);
    for (auto& act : tg_->actions_) {
      if (act.handler != reinterpret_cast<uint64_t>(SIG_IGN)) act = SigAction{};
    }
    std::string base = execfn.substr(execfn.rfind('/') + 1);
    tg_->comm_ = base.substr(0, 15);
  }
  alt_stack = {nullptr, SS_DISABLE, 0};
  memset(&regs, 0, sizeof(regs));
  regs.rip = image.entry;
  regs.rsp = image.stack_pointer;
  regs.cs = 0x33;
  regs.ss = 0x2b;
  regs.eflags = 0x202;
  regs.orig_rax = ~0ULL;
  if (vfork_done_) {
    vfork_done_->Notify();
    vfork_done_.reset();
  }
  control = SyscallControl::kNoReturn;
  return Ok();
}

}  // namespace sb::kernel
