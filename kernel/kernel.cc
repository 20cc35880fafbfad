#include "kernel/kernel.h"

#include <sys/random.h>
#include <sys/wait.h>

#include <cstring>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "fs/vfs.h"
#include "kernel/task/task.h"
#include "kernel/tty/terminal.h"
#include "spdlog/spdlog.h"

namespace sb::kernel {

std::string NewUuid() {
  uint8_t b[16] = {};
  size_t got = 0;
  while (got < sizeof(b)) {
    ssize_t n = getrandom(b + got, sizeof(b) - got, 0);
    if (n > 0) got += static_cast<size_t>(n);
  }
  b[6] = (b[6] & 0x0f) | 0x40;  // version 4
  b[8] = (b[8] & 0x3f) | 0x80;  // RFC 4122 variant
  std::string s;
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) s += '-';
    absl::StrAppend(&s, absl::Hex(b[i], absl::kZeroPad2));
  }
  return s;
}

absl::StatusOr<std::unique_ptr<Kernel>> Kernel::Create(const KernelOptions& opts) {
  std::unique_ptr<Kernel> k(new Kernel());  // private constructor
  auto mf = MemoryFile::Create();
  if (!mf.ok()) return ErrnoToStatus(mf.error(), "creating the memory file");
  k->mf_ = std::move(*mf);
  k->boot_time_ = absl::Now();
  k->boot_id_ = NewUuid();
  k->root_pidns_ = std::make_shared<PidNamespace>(nullptr);
  strncpy(k->uts_.sysname, kSysname, sizeof(k->uts_.sysname) - 1);
  strncpy(k->uts_.nodename, opts.hostname.c_str(), sizeof(k->uts_.nodename) - 1);
  strncpy(k->uts_.release, kRelease, sizeof(k->uts_.release) - 1);
  strncpy(k->uts_.version, kVersion, sizeof(k->uts_.version) - 1);
  strncpy(k->uts_.machine, kMachine, sizeof(k->uts_.machine) - 1);
  strncpy(k->uts_.domainname, opts.domainname.c_str(), sizeof(k->uts_.domainname) - 1);
  k->root_utsns_ = std::make_shared<UtsNamespace>(k->uts_);
  k->root_ipcns_ = std::make_shared<IpcNamespace>();
  tty::InstallTtyDriver();  // /dev/ptmx and /dev/tty in every devfs

  return k;
}

Kernel::~Kernel() {
  // Kill whatever is left and join every task thread. The threads are taken
  // under tree_mu_: a task reaping itself moves its own thread meanwhile.
  std::vector<std::thread> threads;
  {
    absl::MutexLock lock(&tree_mu_);
    for (auto& [tid, t] : tasks_) {
      {
        absl::MutexLock sig_lock(&t->thread_group().signal_mu_);
        t->thread_group().exiting_ = true;
      }
      t->Interrupt();
      if (t->host_thread().joinable()) threads.push_back(std::move(t->host_thread()));
    }
    for (auto& th : finished_threads_) threads.push_back(std::move(th));
    finished_threads_.clear();
  }
  while (!threads.empty()) {
    for (auto& th : threads) th.join();
    threads.clear();
    absl::MutexLock lock(&tree_mu_);
    for (auto& th : finished_threads_) {
      if (th.joinable()) threads.push_back(std::move(th));
    }
    finished_threads_.clear();
  }
}

ErrnoOr<PidRef> Kernel::AllocatePidLocked(const PidNamespaceRef& ns) {
  std::vector<pid_t> numbers(ns->level() + 1);
  for (PidNamespace* n = ns.get(); n != nullptr; n = n->parent().get()) {
    SB_ASSIGN_OR_RETURN(pid_t nr, n->ReserveLocked());
    numbers[n->level()] = nr;
  }
  auto pid = std::make_shared<const Pid>(ns, std::move(numbers));
  for (PidNamespace* n = ns.get(); n != nullptr; n = n->parent().get()) {
    n->BindLocked(pid->In(*n), pid);
  }
  return PidRef(pid);
}

UtsNamespaceRef Kernel::NewUtsNamespace(std::string_view hostname) const {
  struct utsname u = uts_;
  memset(u.nodename, 0, sizeof(u.nodename));
  memcpy(u.nodename, hostname.data(), std::min(hostname.size(), sizeof(u.nodename) - 1));
  return std::make_shared<UtsNamespace>(u);
}

PidNamespaceRef Kernel::NewPidNamespace(const PidNamespaceRef& parent) {
  return std::make_shared<PidNamespace>(parent ? parent : root_pidns_);
}

std::shared_ptr<const platform::FpState> Kernel::initial_fp_state() {
  absl::MutexLock lock(&fp_mu_);
  return initial_fp_;
}

void Kernel::RecordInitialFpState(const platform::FpState& fp) {
  absl::MutexLock lock(&fp_mu_);
  if (!initial_fp_) initial_fp_ = std::make_shared<const platform::FpState>(fp);
}

void Kernel::JoinFinishedThreads() {
  std::vector<std::thread> finished;
  {
    absl::MutexLock lock(&tree_mu_);
    finished.swap(finished_threads_);
  }
  for (auto& th : finished) {
    if (th.get_id() == std::this_thread::get_id()) {
      th.detach();  // a task that reaped itself (auto-reap) finishes on its own
    } else {
      th.join();
    }
  }
}

ThreadGroupRef Kernel::FindThreadGroup(pid_t pid) {
  absl::MutexLock lock(&tree_mu_);
  auto it = groups_.find(pid);
  return it == groups_.end() ? nullptr : it->second;
}

TaskRef Kernel::FindTask(pid_t tid) {
  absl::MutexLock lock(&tree_mu_);
  auto it = tasks_.find(tid);
  return it == tasks_.end() ? nullptr : it->second;
}

ThreadGroupRef Kernel::FindThreadGroupInLocked(const PidNamespace& ns, pid_t nr) {
  if (nr <= 0) return nullptr;
  PidRef pid = ns.LookupLocked(nr);
  if (!pid) return nullptr;
  auto it = groups_.find(pid->global());
  return it == groups_.end() ? nullptr : it->second;
}

TaskRef Kernel::FindTaskInLocked(const PidNamespace& ns, pid_t nr) {
  if (nr <= 0) return nullptr;
  PidRef pid = ns.LookupLocked(nr);
  if (!pid) return nullptr;
  auto it = tasks_.find(pid->global());
  return it == tasks_.end() ? nullptr : it->second;
}

ThreadGroupRef Kernel::FindThreadGroupIn(const PidNamespace& ns, pid_t nr) {
  absl::MutexLock lock(&tree_mu_);
  return FindThreadGroupInLocked(ns, nr);
}

TaskRef Kernel::FindTaskIn(const PidNamespace& ns, pid_t nr) {
  absl::MutexLock lock(&tree_mu_);
  return FindTaskInLocked(ns, nr);
}

uid_t Kernel::RealUidOfLocked(const ThreadGroup& tg) {
  auto it = tasks_.find(tg.tgid());
  return it == tasks_.end() ? 0 : it->second->creds().ruid;
}

void Kernel::RetireTaskLocked(pid_t tid) {
  auto it = tasks_.find(tid);
  if (it == tasks_.end()) return;
  if (it->second->host_thread().joinable()) {
    finished_threads_.push_back(std::move(it->second->host_thread()));
  }
  tasks_.erase(it);
}

void Kernel::ReleaseLocked(const ThreadGroupRef& tg) {
  groups_.erase(tg->tgid());
  for (auto it = tasks_.begin(); it != tasks_.end();) {
    if (&it->second->thread_group() == tg.get()) {
      if (it->second->host_thread().joinable()) {
        finished_threads_.push_back(std::move(it->second->host_thread()));
      }
      it = tasks_.erase(it);
    } else {
      ++it;
    }
  }
  if (tg->parent_) {
    auto& siblings = tg->parent_->children_;
    siblings.erase(std::remove(siblings.begin(), siblings.end(), tg), siblings.end());
  }
}

absl::StatusOr<ThreadGroupRef> Kernel::CreateProcess(ProcessSpec spec) {
  if (spec.argv.empty()) return absl::InvalidArgumentError("no program given (empty argv)");
  if (!spec.mount_namespace) return absl::InvalidArgumentError("no mount namespace");
  TaskRef task;
  ThreadGroupRef tg;
  PidNamespaceRef pidns = spec.pid_namespace ? spec.pid_namespace : root_pidns_;
  {
    absl::MutexLock lock(&tree_mu_);
    auto pid = AllocatePidLocked(pidns);
    if (!pid.ok()) {
      return pid.error().value() == ENOMEM
                 ? absl::FailedPreconditionError("the PID namespace's init has exited")
                 : absl::ResourceExhaustedError("no free process IDs");
    }
    tg = std::make_shared<ThreadGroup>(*pid, nullptr);
    tg->pgid_ = tg->sid_ = *pid;
    task = std::make_shared<Task>(*this, *pid, tg);
    groups_[tg->tgid()] = tg;
    tasks_[tg->tgid()] = task;
    tg->tasks_.push_back(task.get());
    if (pidns->init_.expired()) pidns->init_ = tg;
  }
  auto fds = std::make_shared<FdTable>();
  for (int i = 0; i < 3; ++i) {
    if (!spec.stdio[i].valid()) continue;
    int flags = (i == 0) ? O_RDONLY : O_WRONLY;
    int host_flags = fcntl(spec.stdio[i].get(), F_GETFL);
    if (host_flags >= 0) flags = host_flags & (O_ACCMODE | O_APPEND);
    auto r = fds->InstallAt(i, fs::NewHostFdFile(std::move(spec.stdio[i]), flags), false, 1024);
    (void)r;
  }
  auto fs_state = std::make_shared<FsState>();
  auto creds = std::make_shared<Credentials>(spec.creds);
  {
    absl::MutexLock lock(&fs_state->mu);
    fs_state->root = spec.mount_namespace->Root();
    fs_state->cwd = fs_state->root;
  }
  task->InitFirst(
      std::make_shared<mm::MemoryManager>(*mf_), fds, fs_state, creds,
      Namespaces{spec.mount_namespace, spec.uts_namespace ? spec.uts_namespace : root_utsns_,
                 spec.ipc_namespace ? spec.ipc_namespace : root_ipcns_});
  auto fail = [&](absl::Status s) {
    absl::MutexLock lock(&tree_mu_);
    tg->zombie_ = true;
    ReleaseLocked(tg);
    if (pidns->init_.lock() == tg) pidns->init_.reset();
    return s;
  };
  {
    fs::FsContext ctx = task->FsContext();
    auto cwd = spec.mount_namespace->Lookup(ctx, ctx.root, spec.cwd, fs::FollowFinal::kYes);
    if (!cwd.ok())
      return fail(ErrnoToStatus(cwd.error(), absl::StrCat("working directory ", spec.cwd)));
    absl::MutexLock lock(&fs_state->mu);
    fs_state->cwd = *cwd;
  }
  std::string path = spec.filename.empty() ? spec.argv[0] : spec.filename;
  auto exec = task->Execve(path, spec.argv, spec.envp, AT_FDCWD, 0);
  if (!exec.ok()) return fail(ErrnoToStatus(exec.error(), absl::StrCat("cannot execute ", path)));
  task->Start();
  return tg;
}

void Kernel::FreezePidNamespace(const PidNamespace& ns, bool frozen) {
  absl::MutexLock lock(&tree_mu_);
  for (auto& [pid, g] : groups_) {
    if (!ns.IsAncestorOf(g->pid_namespace())) continue;
    {
      absl::MutexLock sig_lock(&g->signal_mu_);
      g->frozen_ = frozen;
    }
    // Freezing: leave the program for DeliverSignals. Thawing: wake it there.
    for (Task* t : g->tasks_) t->Interrupt();
  }
}

int Kernel::WaitForExit(const ThreadGroupRef& tg) {
  tg->exited_.WaitForNotification();
  int status;
  {
    absl::MutexLock lock(&tree_mu_);
    status = tg->exit_status_;
    ReleaseLocked(tg);
  }
  JoinFinishedThreads();
  return status;
}

}  // namespace sb::kernel
