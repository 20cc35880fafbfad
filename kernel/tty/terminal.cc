// terminal.cc: pseudo-terminal files, ioctls and job control.
#include "kernel/tty/terminal.h"

#include <signal.h>
#include <sys/ioctl.h>
#include <termios.h>

#include <algorithm>
#include <cstring>

#include "absl/strings/str_format.h"
#include "kernel/base/abi.h"
#include "kernel/base/log_once.h"
#include "kernel/kernel.h"
#include "kernel/task/task.h"

namespace sb::kernel::tty {
namespace {

// Ioctl numbers glibc's headers give only with the kernel's structs.
constexpr uint32_t kTcGets2 = 0x802C542A;
constexpr uint32_t kTcSets2 = 0x402C542B;
constexpr uint32_t kTcSetsW2 = 0x402C542C;
constexpr uint32_t kTcSetsF2 = 0x402C542D;
constexpr uint32_t kTiocGPtPeer = 0x5441;
constexpr int kCapSysAdmin = 21;

constexpr uint32_t kAllEvents = POLLIN | POLLRDNORM | POLLOUT | POLLWRNORM | POLLHUP | POLLERR;

std::vector<uint8_t> Gather(HostIoVecs src) {
  std::vector<uint8_t> buf(TotalLength(src));
  GatherFromIoVecs(src, 0, buf.data(), buf.size());
  return buf;
}

bool IsSessionLeaderLocked(const ThreadGroup& tg) { return SamePid(tg.sid_, tg.pid()); }

// The process group with number `nr` in `ns`, if any live process is in it.
PidRef FindPgrpLocked(Kernel& k, const PidNamespace& ns, pid_t nr, PidRef* sid)
    ABSL_EXCLUSIVE_LOCKS_REQUIRED(k.tree_mu_) {
  for (auto& [id, g] : k.groups_) {
    if (!g->zombie_ && PidIn(g->pgid_, ns) == nr) {
      *sid = g->sid_;
      return g->pgid_;
    }
  }
  return nullptr;
}

void SendToGroup(Kernel& k, const PidRef& pgrp, int sig) {
  if (!pgrp) return;
  std::vector<ThreadGroupRef> members;
  {
    absl::MutexLock lock(&k.tree_mu_);
    for (auto& [id, g] : k.groups_) {
      if (!g->zombie_ && SamePid(g->pgid_, pgrp)) members.push_back(g);
    }
  }
  siginfo_t info{};
  info.si_signo = sig;
  info.si_code = SI_KERNEL;
  for (auto& g : members) SendProcessSignal(k, g, info);
}

}  // namespace

// ---------------------------------------------------------------------------
// The files.

class MasterFile : public fs::VfsFile {
 public:
  MasterFile(const fs::Location& loc, int flags, TerminalRef term)
      : VfsFile(loc, flags), term_(std::move(term)) {}
  ~MasterFile() override { term_->MasterClosed(); }

  ErrnoOr<size_t> Read(HostIoVecs dst, int64_t offset) override {
    if (offset >= 0) return Errno(ESPIPE);
    std::vector<uint8_t> buf(TotalLength(dst));
    size_t n;
    {
      absl::MutexLock lock(&term_->mu_);
      if (buf.empty()) return size_t{0};
      n = term_->ld_.ReadOutput(buf.data(), buf.size());
      if (n == 0) {
        if (term_->replica_opened_ && term_->replicas_ == 0) return Errno(EIO);
        return Errno(EAGAIN);
      }
    }
    ScatterToIoVecs(dst, 0, buf.data(), n);
    term_->queue_.Notify(POLLOUT | POLLWRNORM);
    return n;
  }

  ErrnoOr<size_t> Write(HostIoVecs src, int64_t offset) override {
    if (offset >= 0) return Errno(ESPIPE);
    std::vector<uint8_t> buf = Gather(src);
    if (buf.empty()) return size_t{0};
    std::vector<int> signals;
    size_t n;
    PidRef pgrp;
    {
      absl::MutexLock lock(&term_->mu_);
      n = term_->ld_.ReceiveInput(buf.data(), buf.size(), &signals);
      pgrp = term_->pgrp_;
    }
    if (n > 0) term_->queue_.Notify(POLLIN | POLLRDNORM | POLLOUT);
    for (int sig : signals) term_->SignalGroup(pgrp, sig);
    if (n == 0) return Errno(EAGAIN);
    return n;
  }

  ErrnoOr<int64_t> Ioctl(uint32_t cmd, uint64_t arg, UserIo& io) override {
    switch (cmd) {
      case TIOCGPTN: {
        int n = term_->index();
        SB_TRY(io.CopyOut(arg, &n, sizeof(n)));
        return int64_t{0};
      }
      case TIOCSPTLCK: {
        int lock_it;
        SB_TRY(io.CopyIn(arg, &lock_it, sizeof(lock_it)));
        absl::MutexLock lock(&term_->mu_);
        term_->locked_ = lock_it != 0;
        return int64_t{0};
      }
      case TIOCGPTLCK: {
        int locked;
        {
          absl::MutexLock lock(&term_->mu_);
          locked = term_->locked_;
        }
        SB_TRY(io.CopyOut(arg, &locked, sizeof(locked)));
        return int64_t{0};
      }
      case kTiocGPtPeer: {
        const int flags = static_cast<int>(arg);
        if (flags & ~(O_ACCMODE | O_NOCTTY | O_NONBLOCK | O_CLOEXEC)) return Errno(EINVAL);
        Task* t = Task::Current();
        if (t == nullptr) return Errno(EINVAL);
        fs::Location loc;
        if (term_->pts_dir_.valid()) {
          auto d = term_->pts_dir_.dentry->Child(std::to_string(term_->index()));
          if (d.ok()) loc = fs::Location{term_->pts_dir_.mount, *d};
        }
        if (!loc.valid()) return Errno(EIO);
        SB_ASSIGN_OR_RETURN(fs::FileRef f, term_->OpenReplica(loc, flags, true));
        SB_ASSIGN_OR_RETURN(int fd, t->fds().Install(std::move(f), flags & O_CLOEXEC, 0,
                                                     t->RlimitCur(RLIMIT_NOFILE)));
        return int64_t{fd};
      }
      case FIONREAD: {
        int n;
        {
          absl::MutexLock lock(&term_->mu_);
          n = static_cast<int>(term_->ld_.OutputAvailable());
        }
        SB_TRY(io.CopyOut(arg, &n, sizeof(n)));
        return int64_t{0};
      }
      default:
        return term_->CommonIoctl(/*master=*/true, cmd, arg, io);
    }
  }

  uint32_t Readiness(uint32_t mask) override {
    absl::MutexLock lock(&term_->mu_);
    uint32_t r = 0;
    if (term_->ld_.OutputAvailable() > 0) r |= POLLIN | POLLRDNORM;
    if (term_->replica_opened_ && term_->replicas_ == 0) r |= POLLHUP;
    if (!term_->ld_.InputFull()) r |= POLLOUT | POLLWRNORM;
    return r & mask;
  }
  WaitQueue* wait_queue() override { return &term_->queue_; }

 private:
  const TerminalRef term_;  // immutable
};

class ReplicaFile : public fs::VfsFile {
 public:
  ReplicaFile(const fs::Location& loc, int flags, TerminalRef term)
      : VfsFile(loc, flags), term_(std::move(term)) {}
  ~ReplicaFile() override { term_->ReplicaClosed(); }

  Terminal& term() const { return *term_; }

  // Reads from paths other than read(2)/readv(2) (sendfile, splice): as
  // ReadReplica without waiting.
  ErrnoOr<size_t> Read(HostIoVecs dst, int64_t offset) override {
    if (offset >= 0) return Errno(ESPIPE);
    Task* t = Task::Current();
    if (t == nullptr) return Errno(EIO);
    return ReadReplica(*t, *this, dst, /*may_block=*/false);
  }

  ErrnoOr<size_t> Write(HostIoVecs src, int64_t offset) override {
    if (offset >= 0) return Errno(ESPIPE);
    bool tostop;
    {
      absl::MutexLock lock(&term_->mu_);
      if (term_->hung_up_) return Errno(EIO);
      tostop = term_->ld_.termios().c_lflag & TOSTOP;
    }
    if (tostop) SB_TRY(term_->CheckChange(SIGTTOU));
    std::vector<uint8_t> buf = Gather(src);
    if (buf.empty()) return size_t{0};
    size_t n;
    {
      absl::MutexLock lock(&term_->mu_);
      if (term_->hung_up_) return Errno(EIO);
      if (term_->ld_.stopped()) return Errno(EAGAIN);
      n = term_->ld_.WriteOutput(buf.data(), buf.size());
    }
    if (n == 0) return Errno(EAGAIN);
    term_->queue_.Notify(POLLIN | POLLRDNORM);
    return n;
  }

  ErrnoOr<int64_t> Ioctl(uint32_t cmd, uint64_t arg, UserIo& io) override {
    {
      absl::MutexLock lock(&term_->mu_);
      // Linux's hung_up_tty_ioctl.
      if (term_->hung_up_) return Errno(cmd == TIOCSPGRP ? ENOTTY : EIO);
    }
    switch (cmd) {
      case FIONREAD: {
        int n;
        {
          absl::MutexLock lock(&term_->mu_);
          n = static_cast<int>(term_->ld_.InputAvailable());
        }
        SB_TRY(io.CopyOut(arg, &n, sizeof(n)));
        return int64_t{0};
      }
      default:
        return term_->CommonIoctl(/*master=*/false, cmd, arg, io);
    }
  }

  uint32_t Readiness(uint32_t mask) override {
    absl::MutexLock lock(&term_->mu_);
    if (term_->hung_up_)
      return (POLLIN | POLLRDNORM | POLLOUT | POLLWRNORM | POLLHUP | POLLERR) & mask;
    uint32_t r = 0;
    if (term_->ld_.canonical()) {
      if (term_->ld_.HasLine()) r |= POLLIN | POLLRDNORM;
    } else {
      const KernelTermios& tio = term_->ld_.termios();
      const uint8_t vmin = tio.c_cc[VMIN], vtime = tio.c_cc[VTIME];
      size_t need = (vtime == 0 && vmin > 0) ? vmin : 1;
      if (term_->ld_.raw_size() >= need) r |= POLLIN | POLLRDNORM;
    }
    if (!term_->ld_.OutputFull() && !term_->ld_.stopped()) r |= POLLOUT | POLLWRNORM;
    return r & mask;
  }
  WaitQueue* wait_queue() override { return &term_->queue_; }

 private:
  const TerminalRef term_;  // immutable
};

ReplicaFile* AsReplicaFile(fs::FileDescription& f) { return dynamic_cast<ReplicaFile*>(&f); }

// Linux's n_tty_read: canonical lines, or VMIN/VTIME in raw mode.
ErrnoOr<size_t> ReadReplica(Task& t, ReplicaFile& f, HostIoVecs dst, bool may_block) {
  Terminal& term = f.term();
  const size_t want = TotalLength(dst);
  std::vector<uint8_t> buf(want);
  Waiter& w = t.waiter();
  std::optional<ScopedWaitRegistration> reg;
  absl::Time deadline = absl::InfiniteFuture();
  size_t last_avail = 0;
  bool first = true;
  for (;;) {
    SB_TRY(term.CheckChange(SIGTTIN));
    if (reg) w.ResetEvents();
    size_t n = 0;
    bool done = false;
    {
      absl::MutexLock lock(&term.mu_);
      LineDiscipline& ld = term.ld_;
      if (term.hung_up_) return size_t{0};
      if (want == 0) return size_t{0};
      if (ld.canonical()) {
        bool eof = false;
        n = ld.ReadInput(buf.data(), want, &eof);
        done = n > 0 || eof;
      } else {
        const uint8_t vmin = ld.termios().c_cc[VMIN], vtime = ld.termios().c_cc[VTIME];
        const size_t avail = ld.raw_size();
        const absl::Time now = absl::Now();
        bool take = false;
        if (vmin == 0 && vtime == 0) {
          take = true;
        } else if (avail >= std::max<size_t>(vmin, 1) || avail >= want) {
          take = true;
        } else if (vmin == 0) {  // VTIME: a read timer from the start
          if (first) deadline = now + absl::Milliseconds(100) * vtime;
          take = avail > 0 || now >= deadline;
        } else if (vtime > 0) {  // an inter-byte timer once data arrives
          if (avail > 0 && avail != last_avail) deadline = now + absl::Milliseconds(100) * vtime;
          take = avail > 0 && now >= deadline;
        }
        last_avail = avail;
        if (take || ((f.nonblocking() || !may_block) && avail > 0)) {
          n = ld.ReadInput(buf.data(), want, &done);
          done = true;
        }
      }
    }
    first = false;
    if (done) {
      ScatterToIoVecs(dst, 0, buf.data(), n);
      if (n > 0) term.queue_.Notify(POLLOUT | POLLWRNORM);
      return n;
    }
    if (f.nonblocking() || !may_block) return Errno(EAGAIN);
    if (!reg) {
      reg.emplace(&term.queue_, &w, POLLIN | POLLHUP | POLLERR);
      continue;  // re-check once registered, so no wake-up is lost
    }
    if (w.Wait(deadline) == Waiter::Result::kInterrupted) return Errno(abi::ERESTARTSYS);
  }
}

// ---------------------------------------------------------------------------
// The terminal.

Terminal::Terminal(Kernel& kernel, fs::DevptsRef devpts, fs::Location pts_dir)
    : kernel_(kernel), devpts_(std::move(devpts)), pts_dir_(std::move(pts_dir)) {}

ErrnoOr<fs::FileRef> Terminal::OpenReplica(const fs::Location& loc, int flags, bool may_acquire) {
  {
    absl::MutexLock lock(&mu_);
    if (hung_up_ || locked_) return Errno(EIO);
    ++replicas_;
    replica_opened_ = true;
  }
  auto file = std::make_shared<ReplicaFile>(loc, flags, shared_from_this());
  Task* t = Task::Current();
  if (may_acquire && !(flags & O_NOCTTY) && t != nullptr) {
    // Linux's tty_open_proc_set_tty: a session leader without a terminal
    // acquires one no other session has.
    absl::MutexLock tree(&kernel_.tree_mu_);
    ThreadGroup& tg = t->thread_group();
    if (IsSessionLeaderLocked(tg) && !tg.tty_) {
      absl::MutexLock lock(&mu_);
      if (!session_) {
        session_ = tg.sid_;
        pgrp_ = tg.pgid_;
        tg.tty_ = shared_from_this();
      }
    }
  }
  return fs::FileRef(std::move(file));
}

void Terminal::ReplicaClosed() {
  {
    absl::MutexLock lock(&mu_);
    --replicas_;
  }
  queue_.Notify(POLLHUP | POLLIN);
}

void Terminal::MasterClosed() {
  {
    absl::MutexLock lock(&mu_);
    hung_up_ = true;
  }
  queue_.Notify(kAllEvents);
  if (index_ >= 0) {
    devpts_->Remove(index_);
    if (pts_dir_.valid()) pts_dir_.dentry->ChildRemoved(std::to_string(index_));
  }
  HangUpSession();
}

void Terminal::HangUpSession() {
  std::vector<ThreadGroupRef> leaders;
  {
    absl::MutexLock tree(&kernel_.tree_mu_);
    for (auto& [id, g] : kernel_.groups_) {
      if (g->tty_.get() != this) continue;
      g->tty_.reset();
      if (IsSessionLeaderLocked(*g) && !g->zombie_) leaders.push_back(g);
    }
    absl::MutexLock lock(&mu_);
    session_ = nullptr;
    pgrp_ = nullptr;
  }
  for (int sig : {SIGHUP, SIGCONT}) {
    siginfo_t info{};
    info.si_signo = sig;
    info.si_code = SI_KERNEL;
    for (auto& g : leaders) SendProcessSignal(kernel_, g, info);
  }
}

void Terminal::SignalGroup(const PidRef& pgrp, int sig) { SendToGroup(kernel_, pgrp, sig); }

ErrnoStatus Terminal::CheckChange(int sig) {
  Task* t = Task::Current();
  if (t == nullptr) return Ok();
  PidRef my_pgrp;
  {
    absl::MutexLock tree(&kernel_.tree_mu_);
    ThreadGroup& tg = t->thread_group();
    if (tg.tty_.get() != this) return Ok();
    {
      absl::MutexLock lock(&mu_);
      if (!pgrp_ || SamePid(pgrp_, tg.pgid_)) return Ok();
    }
    {
      absl::MutexLock sig_lock(&tg.signal_mu_);
      const bool ignored = tg.actions_[sig - 1].handler == reinterpret_cast<uint64_t>(SIG_IGN);
      const bool blocked = t->signal_mask() & SigBit(sig);
      if (ignored || blocked) {
        if (sig == SIGTTIN) return Errno(EIO);
        return Ok();
      }
    }
    if (IsPgrpOrphanedLocked(kernel_, tg.pgid_)) return Errno(EIO);
    my_pgrp = tg.pgid_;
  }
  SendToGroup(kernel_, my_pgrp, sig);
  return Errno(abi::ERESTARTSYS);
}

ErrnoOr<int64_t> Terminal::CommonIoctl(bool master, uint32_t cmd, uint64_t arg, UserIo& io) {
  Task* t = Task::Current();
  switch (cmd) {
    case TCGETS:
    case kTcGets2: {
      KernelTermios2 t2;
      {
        absl::MutexLock lock(&mu_);
        t2.t = ld_.termios();
      }
      t2.c_ispeed = t2.c_ospeed = 38400;
      SB_TRY(io.CopyOut(arg, &t2, cmd == TCGETS ? sizeof(KernelTermios) : sizeof(t2)));
      return int64_t{0};
    }
    case TCSETS:
    case TCSETSW:
    case TCSETSF:
    case kTcSets2:
    case kTcSetsW2:
    case kTcSetsF2: {
      KernelTermios2 t2;
      const bool v2 = cmd == kTcSets2 || cmd == kTcSetsW2 || cmd == kTcSetsF2;
      SB_TRY(io.CopyIn(arg, &t2, v2 ? sizeof(t2) : sizeof(KernelTermios)));
      if (!master) SB_TRY(CheckChange(SIGTTOU));
      {
        absl::MutexLock lock(&mu_);
        if (cmd == TCSETSF || cmd == kTcSetsF2) ld_.FlushInput();
        ld_.SetTermios(t2.t);
      }
      queue_.Notify(kAllEvents);
      return int64_t{0};
    }
    case TIOCGWINSZ: {
      struct winsize ws;
      {
        absl::MutexLock lock(&mu_);
        ws = ld_.window_size();
      }
      SB_TRY(io.CopyOut(arg, &ws, sizeof(ws)));
      return int64_t{0};
    }
    case TIOCSWINSZ: {
      struct winsize ws;
      SB_TRY(io.CopyIn(arg, &ws, sizeof(ws)));
      PidRef pgrp;
      {
        absl::MutexLock lock(&mu_);
        if (std::memcmp(&ws, &ld_.window_size(), sizeof(ws)) == 0) return int64_t{0};
        ld_.set_window_size(ws);
        pgrp = pgrp_;
      }
      SignalGroup(pgrp, SIGWINCH);
      return int64_t{0};
    }
    case TIOCOUTQ: {
      int n = 0;  // a pty hands output straight to the other side
      SB_TRY(io.CopyOut(arg, &n, sizeof(n)));
      return int64_t{0};
    }
    case TCFLSH: {
      if (arg > TCIOFLUSH) return Errno(EINVAL);
      if (!master) SB_TRY(CheckChange(SIGTTOU));
      {
        absl::MutexLock lock(&mu_);
        const bool in = arg == TCIFLUSH || arg == TCIOFLUSH;
        const bool out = arg == TCOFLUSH || arg == TCIOFLUSH;
        if (master) {
          if (in) ld_.FlushOutput();  // the master's input is the output queue
        } else {
          if (in) ld_.FlushInput();
          if (out) ld_.FlushOutput();
        }
      }
      queue_.Notify(POLLOUT | POLLWRNORM);
      return int64_t{0};
    }
    case TCXONC: {
      if (arg > TCION) return Errno(EINVAL);
      if (!master) SB_TRY(CheckChange(SIGTTOU));
      {
        absl::MutexLock lock(&mu_);
        if (arg == TCOOFF) ld_.set_stopped(true);
        if (arg == TCOON) ld_.set_stopped(false);
      }
      queue_.Notify(POLLOUT | POLLWRNORM);
      return int64_t{0};
    }
    case TCSBRK:
    case TCSBRKP:
    case TIOCEXCL:
    case TIOCNXCL:
      return int64_t{0};  // nothing to drain; exclusivity not enforced
    case TIOCGETD: {
      int ldisc = 0;  // N_TTY
      SB_TRY(io.CopyOut(arg, &ldisc, sizeof(ldisc)));
      return int64_t{0};
    }
    case TIOCSETD: {
      int ldisc;
      SB_TRY(io.CopyIn(arg, &ldisc, sizeof(ldisc)));
      if (ldisc != 0) {
        ReportUnsupported(absl::StrFormat("tty line discipline %d", ldisc));
        return Errno(EINVAL);
      }
      return int64_t{0};
    }
    case TIOCSCTTY: {
      if (t == nullptr) return Errno(EPERM);
      absl::MutexLock tree(&kernel_.tree_mu_);
      ThreadGroup& tg = t->thread_group();
      const bool leader = IsSessionLeaderLocked(tg);
      if (leader && tg.tty_.get() == this) return int64_t{0};
      if (!leader || tg.tty_) return Errno(EPERM);
      absl::MutexLock lock(&mu_);
      if (session_) {
        // Stealing another session's terminal: arg 1 and CAP_SYS_ADMIN.
        if (arg != 1 || !t->creds().HasCapability(kCapSysAdmin)) return Errno(EPERM);
        for (auto& [id, g] : kernel_.groups_) {
          if (g->tty_.get() == this) g->tty_.reset();
        }
      }
      session_ = tg.sid_;
      pgrp_ = tg.pgid_;
      tg.tty_ = shared_from_this();
      return int64_t{0};
    }
    case TIOCNOTTY: {
      if (t == nullptr) return Errno(ENOTTY);
      PidRef fg;
      {
        absl::MutexLock tree(&kernel_.tree_mu_);
        ThreadGroup& tg = t->thread_group();
        if (tg.tty_.get() != this) return Errno(ENOTTY);
        if (!IsSessionLeaderLocked(tg)) {
          tg.tty_.reset();
          return int64_t{0};
        }
        // The leader lets go for the whole session (disassociate_ctty(0)).
        for (auto& [id, g] : kernel_.groups_) {
          if (g->tty_.get() == this) g->tty_.reset();
        }
        absl::MutexLock lock(&mu_);
        fg = pgrp_;
        session_ = nullptr;
        pgrp_ = nullptr;
      }
      SignalGroup(fg, SIGHUP);
      SignalGroup(fg, SIGCONT);
      return int64_t{0};
    }
    case TIOCGPGRP:
    case TIOCGSID: {
      if (t == nullptr) return Errno(ENOTTY);
      pid_t nr;
      {
        absl::MutexLock tree(&kernel_.tree_mu_);
        ThreadGroup& tg = t->thread_group();
        if (!master && tg.tty_.get() != this) return Errno(ENOTTY);
        absl::MutexLock lock(&mu_);
        if (cmd == TIOCGSID && !session_) return Errno(ENOTTY);
        nr = t->IdOf(cmd == TIOCGSID ? session_ : pgrp_);
      }
      SB_TRY(io.CopyOut(arg, &nr, sizeof(nr)));
      return int64_t{0};
    }
    case TIOCSPGRP: {
      if (t == nullptr) return Errno(ENOTTY);
      if (!master) SB_TRY(CheckChange(SIGTTOU));
      pid_t nr;
      SB_TRY(io.CopyIn(arg, &nr, sizeof(nr)));
      absl::MutexLock tree(&kernel_.tree_mu_);
      ThreadGroup& tg = t->thread_group();
      if (tg.tty_.get() != this) return Errno(ENOTTY);
      absl::MutexLock lock(&mu_);
      if (!SamePid(session_, tg.sid_)) return Errno(ENOTTY);
      if (nr < 0) return Errno(EINVAL);
      PidRef sid;
      PidRef pgrp = FindPgrpLocked(kernel_, t->pid_namespace(), nr, &sid);
      if (!pgrp) return Errno(ESRCH);
      if (!SamePid(sid, session_)) return Errno(EPERM);
      pgrp_ = pgrp;
      return int64_t{0};
    }
    case TIOCSTI:
    case TIOCPKT:
    case TIOCVHANGUP:
    case TIOCCONS:
      ReportUnsupported(absl::StrFormat("tty ioctl 0x%x", cmd));
      return Errno(EINVAL);
    default:
      return Errno(ENOTTY);
  }
}

// ---------------------------------------------------------------------------
// Sessions.

void DropControllingTtyLocked(ThreadGroup& tg) { tg.tty_.reset(); }

void SessionLeaderExited(Kernel& kernel, ThreadGroup& leader) {
  TerminalRef term;
  PidRef fg;
  {
    absl::MutexLock tree(&kernel.tree_mu_);
    term = leader.tty_;
    if (!term || !IsSessionLeaderLocked(leader)) return;
    for (auto& [id, g] : kernel.groups_) {
      if (g->tty_ == term) g->tty_.reset();
    }
    leader.tty_.reset();
    absl::MutexLock lock(&term->mu_);
    fg = term->pgrp_;
    term->session_ = nullptr;
    term->pgrp_ = nullptr;
  }
  SendToGroup(kernel, fg, SIGHUP);
}

// ---------------------------------------------------------------------------
// The driver fs/ calls.

class Driver : public fs::TtyDriver {
 public:
  ErrnoOr<fs::FileRef> OpenPtmx(const fs::DevptsRef& pts, const fs::Location& loc,
                                int flags) override {
    Task* t = Task::Current();
    if (t == nullptr) return Errno(ENXIO);
    // The pts directory as a location, for TIOCGPTPEER and to forget the
    // replica's dentry when the master goes.
    fs::Location pts_dir;
    if (fs::InodeRef dir = pts->dir(); dir && loc.valid()) {
      fs::DentryRef parent = loc.dentry->parent();
      if (parent && parent->inode() == dir) {
        pts_dir = {loc.mount, parent};
      } else if (parent) {
        auto d = parent->Child("pts");
        if (d.ok() && (*d)->inode() == dir) pts_dir = {loc.mount, *d};
      }
    }
    auto term = std::make_shared<Terminal>(t->kernel(), pts, pts_dir);
    std::weak_ptr<Terminal> weak = term;
    SB_ASSIGN_OR_RETURN(
        int index,
        pts->Add(t->creds().fsuid, [weak](const fs::Location& node, int f) -> ErrnoOr<fs::FileRef> {
          TerminalRef tm = weak.lock();
          if (!tm) return Errno(EIO);
          return tm->OpenReplica(node, f, true);
        }));
    term->index_ = index;
    return fs::FileRef(std::make_shared<MasterFile>(loc, flags, std::move(term)));
  }

  ErrnoOr<fs::FileRef> OpenTty(const fs::Location& loc, int flags) override {
    Task* t = Task::Current();
    if (t == nullptr) return Errno(ENXIO);
    TerminalRef term;
    {
      absl::MutexLock tree(&t->kernel().tree_mu_);
      term = t->thread_group().tty_;
    }
    if (!term) return Errno(ENXIO);
    return term->OpenReplica(loc, flags, false);
  }
};

void InstallTtyDriver() {
  static Driver driver;
  fs::SetTtyDriver(&driver);
}

}  // namespace sb::kernel::tty
