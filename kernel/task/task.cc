#include "kernel/task/task.h"

#include <fcntl.h>

#include "kernel/kernel.h"

namespace sb::kernel {

Task::Task(Kernel& kernel, PidRef pid, ThreadGroupRef tg)
    : kernel_(kernel), tid_(pid->global()), pid_(std::move(pid)), tg_(std::move(tg)) {}

Task::~Task() {
  // The kernel joins task threads before dropping the last reference.
  if (thread_.joinable()) thread_.detach();
}

void Task::InitFirst(mm::MmRef mm, FdTableRef fds, FsStateRef fs,
                     std::shared_ptr<Credentials> creds, Namespaces ns) {
  {
    absl::MutexLock share(&share_mu_);
    mm_ = std::move(mm);
    fds_ = std::move(fds);
    fs_ = std::move(fs);
    creds_ = std::move(creds);
    ns_ = std::move(ns);
  }
  absl::MutexLock lock(&tg_->signal_mu_);
  for (auto& rl : tg_->rlimits_) rl = {RLIM_INFINITY, RLIM_INFINITY};
  tg_->rlimits_[RLIMIT_STACK] = {8 << 20, RLIM_INFINITY};
  tg_->rlimits_[RLIMIT_NOFILE] = {1024, 1048576};
  tg_->rlimits_[RLIMIT_CORE] = {0, RLIM_INFINITY};
  tg_->rlimits_[RLIMIT_NPROC] = {63704, 63704};
  tg_->rlimits_[RLIMIT_SIGPENDING] = {63704, 63704};
  tg_->rlimits_[RLIMIT_MEMLOCK] = {8 << 20, 8 << 20};
  tg_->rlimits_[RLIMIT_MSGQUEUE] = {819200, 819200};
  tg_->rlimits_[RLIMIT_RTPRIO] = {0, 0};
  tg_->rlimits_[RLIMIT_NICE] = {0, 0};
}

void Task::SetCredentials(Credentials c) {
  auto next = std::make_shared<const Credentials>(std::move(c));
  absl::MutexLock lock(&kernel_.tree_mu_);
  absl::MutexLock share(&share_mu_);
  creds_ = std::move(next);
}

Task::Resources Task::SnapshotResources() const {
  absl::MutexLock share(&share_mu_);
  return Resources{mm_, fds_, fs_, creds_, ns_, pidns_for_children};
}

fs::FsContext Task::FsContext() const {
  absl::MutexLock lock(&fs_->mu);
  return fs::FsContext{*creds_, fs_->root, fs_->cwd, fs_->umask};
}

uint64_t Task::RlimitCur(int resource) const {
  absl::MutexLock lock(&tg_->signal_mu_);
  return tg_->rlimits_[resource].rlim_cur;
}

ErrnoOr<fs::Location> Task::AtLocation(int dirfd, std::string_view path) {
  if (!path.empty() && path[0] == '/') {
    absl::MutexLock lock(&fs_->mu);
    return fs_->root;
  }
  if (dirfd == AT_FDCWD) {
    absl::MutexLock lock(&fs_->mu);
    return fs_->cwd;
  }
  SB_ASSIGN_OR_RETURN(fs::FileRef f, fds_->Get(dirfd));
  auto loc = f->location();
  if (!loc) return Errno(ENOTDIR);
  return *loc;
}

}  // namespace sb::kernel
