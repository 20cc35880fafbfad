#include "kernel/control.h"

#include <sys/mman.h>

#include <algorithm>
#include <csignal>

#include "absl/strings/str_cat.h"

namespace sb::kernel {
namespace {

constexpr uint64_t kMaxCmdline = 4096;

}  // namespace

std::string ReadCmdline(Task& t) {
  // The task may be exiting on another thread, dropping its address space:
  // read through a reference of our own.
  mm::MmRef mm = t.SnapshotResources().mm;
  if (!mm) return "";
  const auto layout = mm->layout();
  if (layout.arg_end <= layout.arg_start) return "";
  const uint64_t len = std::min(layout.arg_end - layout.arg_start, kMaxCmdline);
  auto iovs = mm->Translate(layout.arg_start, len, PROT_READ);
  if (!iovs.ok()) return "";
  std::string out;
  for (const auto& iov : *iovs) out.append(static_cast<const char*>(iov.iov_base), iov.iov_len);
  while (!out.empty() && out.back() == '\0') out.pop_back();
  std::replace(out.begin(), out.end(), '\0', ' ');
  return out;
}

std::vector<ProcessStatus> ListProcesses(Kernel& k) {
  std::vector<ProcessStatus> out;
  std::vector<TaskRef> leaders;  // one live task per process, read outside the lock
  {
    absl::MutexLock lock(&k.tree_mu_);
    for (const auto& [pid, tg] : k.groups_) {
      ProcessStatus ps;
      ps.pid = pid;
      ps.ppid = tg->parent_ ? tg->parent_->tgid() : 0;
      ps.pgid = tg->pgid_ ? tg->pgid_->global() : 0;
      ps.zombie = tg->zombie_ || tg->tasks_.empty();
      if (ps.zombie) {
        ps.state = "zombie";
      } else {
        absl::MutexLock sig_lock(&tg->signal_mu_);
        if (tg->frozen_) {
          ps.state = "paused";
        } else if (tg->stopped_) {
          ps.state = "stopped";
        }
      }
      TaskRef leader;
      if (!ps.zombie) {
        auto it = k.tasks_.find(tg->tasks_.front()->tid());
        if (it != k.tasks_.end()) leader = it->second;
      }
      out.push_back(std::move(ps));
      leaders.push_back(std::move(leader));
    }
  }
  for (size_t i = 0; i < out.size(); ++i) {
    if (!leaders[i]) continue;
    out[i].uid = leaders[i]->creds().ruid;
    out[i].cmdline = ReadCmdline(*leaders[i]);
    if (out[i].cmdline.empty()) {
      ThreadGroup& tg = leaders[i]->thread_group();
      absl::MutexLock lock(&tg.signal_mu_);
      out[i].cmdline = absl::StrCat("[", tg.comm_, "]");
    }
  }
  return out;
}

absl::Status SignalProcess(Kernel& k, pid_t pid, int sig) {
  if (sig < 0 || sig > kNumSignals)
    return absl::InvalidArgumentError(absl::StrCat("bad signal ", sig));
  TaskRef target;
  {
    absl::MutexLock lock(&k.tree_mu_);
    auto it = k.groups_.find(pid);
    if (it == k.groups_.end() || it->second->zombie_ || it->second->tasks_.empty()) {
      return absl::NotFoundError(absl::StrCat("no process ", pid));
    }
    auto t = k.tasks_.find(it->second->tasks_.front()->tid());
    if (t == k.tasks_.end()) return absl::NotFoundError(absl::StrCat("no process ", pid));
    target = t->second;
  }
  if (sig == 0) return absl::OkStatus();
  siginfo_t info{};
  info.si_signo = sig;
  info.si_code = SI_USER;
  info.si_pid = 0;
  info.si_uid = 0;
  target->SendSignal(info);
  return absl::OkStatus();
}

}  // namespace sb::kernel
