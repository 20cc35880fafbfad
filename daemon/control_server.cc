#include "daemon/control_server.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <csignal>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "daemon/container_fs.h"
#include "daemon/ids.h"
#include "daemon/program_path.h"
#include "kernel/procfs/procfs.h"
#include "spdlog/spdlog.h"

namespace sb::daemon {
namespace {

using control::ContainerState;

bool IsLive(const kernel::ProcessStatus& p) { return !p.zombie; }

}  // namespace

const char* StateName(ContainerState s) {
  switch (s) {
    case control::CREATED:
      return "created";
    case control::RUNNING:
      return "running";
    case control::PAUSED:
      return "paused";
    case control::STOPPED:
      return "stopped";
    default:
      return "unknown";
  }
}

absl::StatusOr<std::unique_ptr<ControlServer>> ControlServer::Create(const Options& opts) {
  auto s = std::make_unique<ControlServer>(Tag{}, opts);
  kernel::KernelOptions kopts;
  kopts.hostname = opts.hostname;
  auto k = kernel::Kernel::Create(kopts);
  if (!k.ok()) return k.status();
  s->kernel_ = std::move(*k);
  return s;
}

ControlServer::~ControlServer() {
  StopAll(absl::ZeroDuration());
  std::vector<std::thread> threads;
  {
    absl::MutexLock lock(&mu_);
    threads.swap(watchers_);
  }
  for (auto& t : threads) t.join();
}

absl::StatusOr<ControlServer::Container*> ControlServer::FindLocked(const std::string& id) {
  if (auto s = ValidateContainerId(id); !s.ok()) return s;
  auto it = containers_.find(id);
  if (it == containers_.end()) {
    return absl::NotFoundError(absl::StrCat("no container \"", id, "\" (see `sandboxctl list`)"));
  }
  return it->second.get();
}

absl::StatusOr<control::CreateContainerResponse> ControlServer::CreateContainer(
    const control::CreateContainerRequest& req) {
  if (auto s = ValidateContainerId(req.id()); !s.ok()) return s;
  {
    absl::MutexLock lock(&mu_);
    if (containers_.contains(req.id())) {
      return absl::AlreadyExistsError(absl::StrCat("container \"", req.id(), "\" already exists"));
    }
    if (containers_.size() >= opts_.max_containers) {
      return absl::ResourceExhaustedError(
          absl::StrCat("this instance already has ", containers_.size(),
                       " containers (max_containers); delete one first"));
    }
  }
  auto spec = LoadOciSpec(req.bundle_dir());
  if (!spec.ok()) return spec.status();
  for (const auto& m : spec->unprovided_mounts) {
    spdlog::warn("[{}] mount {} ({}) is not provided yet by the kernel", req.id(), m.destination,
                 m.type);
  }
  auto ns = BuildContainerNamespace(*spec);
  if (!ns.ok()) return ns.status();
  auto c = std::make_unique<Container>();
  c->info.set_id(req.id());
  c->info.set_state(control::CREATED);
  c->info.set_bundle(req.bundle_dir());
  c->info.set_created_at_usec(absl::ToUnixMicros(absl::Now()));
  c->spec = std::move(*spec);
  c->ns = std::move(*ns);
  control::CreateContainerResponse resp;
  *resp.mutable_container() = c->info;
  absl::MutexLock lock(&mu_);
  if (containers_.contains(req.id())) {
    return absl::AlreadyExistsError(absl::StrCat("container \"", req.id(), "\" already exists"));
  }
  if (order_.empty()) {
    // The root container: its children's trees go under its
    // /__runsc_containers__ (a root-only tmpfs).
    c->is_root = true;
    if (auto s = PrepareChildContainersDir(*c->ns); !s.ok()) {
      spdlog::warn("[{}] further containers will not be visible in this one: {}", req.id(),
                   std::string(s.message()));
    } else {
      c->has_children_dir = true;
    }
  } else if (Container& root = *containers_[order_.front()]; root.has_children_dir) {
    if (auto s = AttachChildContainer(*root.ns, req.id(), *c->ns); !s.ok()) {
      return absl::InternalError(absl::StrCat("mounting the container under ", kChildContainersDir,
                                              " of root container \"", root.info.id(),
                                              "\": ", s.message()));
    }
    c->attached = true;
  }
  containers_[req.id()] = std::move(c);
  order_.push_back(req.id());
  spdlog::info("[{}] created from {}", req.id(), req.bundle_dir());
  return resp;
}

absl::StatusOr<control::ContainerInfo> ControlServer::GetContainer(
    const control::ContainerRequest& req) {
  absl::MutexLock lock(&mu_);
  auto c = FindLocked(req.id());
  if (!c.ok()) return c.status();
  return (*c)->info;
}

control::ListContainersResponse ControlServer::ListContainers() {
  absl::MutexLock lock(&mu_);
  control::ListContainersResponse resp;
  for (const auto& id : order_) *resp.add_containers() = containers_[id]->info;
  return resp;
}

absl::StatusOr<pid_t> ControlServer::SpawnLocked(Container& c, kernel::ProcessSpec spec) {
  if (c.procs.size() >= opts_.max_processes) {
    return absl::ResourceExhaustedError(
        absl::StrCat("container \"", c.info.id(), "\" already ran ", c.procs.size(), " processes"));
  }
  const std::string name = spec.argv[0];
  spec.filename = ResolveProgram(*c.ns, name, spec.envp);
  if (spec.filename.empty()) {
    return absl::NotFoundError(
        absl::StrCat(name, ": command not found in container \"", c.info.id(), "\""));
  }
  spec.mount_namespace = c.ns;
  spec.pid_namespace = c.pidns;
  spec.uts_namespace = c.uts;
  spec.ipc_namespace = c.ipc;
  auto tg = kernel_->CreateProcess(std::move(spec));
  if (!tg.ok()) return tg.status();
  const pid_t pid = (*tg)->tgid();
  c.procs[pid].tg = *tg;
  owner_[pid] = c.info.id();
  watchers_.emplace_back(
      [this, id = c.info.id(), pid, tg = *tg]() mutable { WatchExit(std::move(id), pid, tg); });
  return pid;
}

absl::StatusOr<control::StartResponse> ControlServer::Start(const control::StartRequest& req) {
  control::StartResponse resp;
  {
    absl::MutexLock lock(&mu_);
    auto c = FindLocked(req.id());
    if (!c.ok()) return c.status();
    Container& ct = **c;
    if (ct.info.state() != control::CREATED) {
      return absl::FailedPreconditionError(absl::StrCat(
          "container \"", req.id(), "\" is ", StateName(ct.info.state()), ", not created"));
    }
    // The container's own PID namespace (its init is PID 1 there), IPC
    // namespace and host name (the OCI spec's, else the instance's).
    ct.pidns = kernel_->NewPidNamespace(nullptr);
    ct.ipc = std::make_shared<kernel::IpcNamespace>();
    // Its /proc shows that namespace's processes.
    if (auto s = kernel::MountProcfs(*kernel_, *ct.ns, ct.pidns); !s.ok()) {
      if (!absl::IsNotFound(s)) {
        return absl::FailedPreconditionError(absl::StrCat("mounting /proc: ", s.message()));
      }
    }
    ct.uts = kernel_->NewUtsNamespace(ct.spec.hostname.empty() ? opts_.hostname : ct.spec.hostname);
    kernel::ProcessSpec spec;
    spec.argv = ct.spec.args;
    spec.envp = ct.spec.env;
    spec.cwd = ct.spec.cwd;
    spec.creds = UserCreds(ct.spec.uid, ct.spec.gid);
    // The init's output goes where the daemon's goes (the journal under systemd).
    spec.stdio[0] = UniqueFd(open("/dev/null", O_RDONLY | O_CLOEXEC));
    spec.stdio[1] = UniqueFd(fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3));
    spec.stdio[2] = UniqueFd(fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3));
    auto pid = SpawnLocked(ct, std::move(spec));
    if (!pid.ok()) return pid.status();
    ct.info.set_init_pid(*pid);
    ct.info.set_state(control::RUNNING);
    resp.set_init_pid(*pid);
    spdlog::info("[{}] started, init pid {}", req.id(), *pid);
  }
  if (observer_) observer_->StateChanged(req.id(), control::RUNNING);
  return resp;
}

absl::StatusOr<control::ExecResponse> ControlServer::Exec(const control::ExecRequest& req,
                                                          Stdio stdio) {
  if (req.argv().empty() || req.argv(0).empty()) {
    return absl::InvalidArgumentError("argv is empty: name a program to run");
  }
  if (req.terminal() && (!stdio[0].valid() || !isatty(stdio[0].get()))) {
    return absl::InvalidArgumentError("terminal requested but stdin is not a terminal");
  }
  absl::MutexLock lock(&mu_);
  auto c = FindLocked(req.id());
  if (!c.ok()) return c.status();
  Container& ct = **c;
  if (ct.info.state() != control::RUNNING) {
    return absl::FailedPreconditionError(absl::StrCat("container \"", req.id(), "\" is ",
                                                      StateName(ct.info.state()),
                                                      ", not running (start it first)"));
  }
  kernel::ProcessSpec spec;
  spec.argv.assign(req.argv().begin(), req.argv().end());
  spec.envp.assign(req.env().begin(), req.env().end());
  if (spec.envp.empty()) spec.envp = ct.spec.env;
  spec.cwd = req.cwd().empty() ? ct.spec.cwd : req.cwd();
  spec.creds = UserCreds(req.uid(), req.gid());
  for (int i = 0; i < 3; ++i) {
    spec.stdio[i] =
        stdio[i].valid() ? std::move(stdio[i]) : UniqueFd(open("/dev/null", O_RDWR | O_CLOEXEC));
  }
  auto pid = SpawnLocked(ct, std::move(spec));
  if (!pid.ok()) return pid.status();
  spdlog::info("[{}] exec {} as pid {}", req.id(), req.argv(0), *pid);
  control::ExecResponse resp;
  resp.set_pid(*pid);
  return resp;
}

void ControlServer::WatchExit(std::string id, pid_t pid, kernel::ThreadGroupRef tg) {
  const int status = kernel_->WaitForExit(tg);
  std::vector<WaitCallback> waiters;
  bool init_exited = false;
  {
    absl::MutexLock lock(&mu_);
    auto it = containers_.find(id);
    if (it != containers_.end()) {
      Process& p = it->second->procs[pid];
      p.exited = true;
      p.status = status;
      p.tg.reset();
      waiters.swap(p.waiters);
      if (it->second->info.init_pid() == static_cast<uint32_t>(pid)) {
        init_exited = true;
        it->second->info.set_state(control::STOPPED);
      }
    }
  }
  spdlog::info("[{}] pid {} exited with status 0x{:x}", id, pid, status);
  control::WaitResponse resp;
  resp.set_status(status);
  for (auto& w : waiters) w(resp);
  if (observer_) observer_->ProcessExited(id, pid, status);
  if (init_exited) {
    // As when a PID namespace's init dies: the rest of the container goes too.
    for (const auto& p : ProcessesOf(id)) {
      if (IsLive(p)) (void)kernel::SignalProcess(*kernel_, p.pid, SIGKILL);
    }
    if (observer_) observer_->StateChanged(id, control::STOPPED);
  }
}

std::vector<kernel::ProcessStatus> ControlServer::ProcessesOf(const std::string& id) {
  std::vector<kernel::ProcessStatus> all = kernel::ListProcesses(*kernel_);
  std::map<pid_t, pid_t> parent;
  for (const auto& p : all) parent[p.pid] = p.ppid;
  std::vector<kernel::ProcessStatus> out;
  absl::MutexLock lock(&mu_);
  for (const auto& p : all) {
    pid_t cur = p.pid;
    for (int depth = 0; cur != 0 && depth < 4096; ++depth) {
      auto o = owner_.find(cur);
      if (o != owner_.end()) {
        if (o->second == id) out.push_back(p);
        break;
      }
      auto up = parent.find(cur);
      cur = up == parent.end() ? 0 : up->second;
    }
  }
  return out;
}

absl::Status ControlServer::Signal(const control::SignalRequest& req) {
  if (req.signo() < 1 || req.signo() > kernel::kNumSignals) {
    return absl::InvalidArgumentError(
        absl::StrCat("signal ", req.signo(), " is not a valid signal number (1..64)"));
  }
  pid_t target;
  {
    absl::MutexLock lock(&mu_);
    auto c = FindLocked(req.id());
    if (!c.ok()) return c.status();
    // A paused container's processes can be signalled (SIGKILL kills them).
    if ((*c)->info.state() != control::RUNNING && (*c)->info.state() != control::PAUSED) {
      return absl::FailedPreconditionError(absl::StrCat(
          "container \"", req.id(), "\" is ", StateName((*c)->info.state()), ", not running"));
    }
    target =
        req.pid() == 0 ? static_cast<pid_t>((*c)->info.init_pid()) : static_cast<pid_t>(req.pid());
  }
  std::vector<kernel::ProcessStatus> procs = ProcessesOf(req.id());
  const kernel::ProcessStatus* tp = nullptr;
  for (const auto& p : procs) {
    if (p.pid == target && IsLive(p)) tp = &p;
  }
  if (req.scope() == control::FOREGROUND) {
    return absl::UnimplementedError(
        "scope \"foreground\" needs terminal foreground process groups, which the kernel does "
        "not track yet; use \"process-group\"");
  }
  if (req.scope() != control::ALL && tp == nullptr) {
    return absl::NotFoundError(
        absl::StrCat("no live process ", target, " in container \"", req.id(), "\""));
  }
  std::vector<pid_t> targets;
  for (const auto& p : procs) {
    if (!IsLive(p)) continue;
    if (req.scope() == control::ALL ||
        (req.scope() == control::PROCESS_GROUP && p.pgid == tp->pgid) || p.pid == target) {
      targets.push_back(p.pid);
    }
  }
  for (pid_t pid : targets) (void)kernel::SignalProcess(*kernel_, pid, req.signo());
  spdlog::info("[{}] signal {} to {} process(es)", req.id(), req.signo(), targets.size());
  return absl::OkStatus();
}

void ControlServer::Wait(const control::WaitRequest& req, WaitCallback done) {
  absl::StatusOr<control::WaitResponse> now;
  {
    absl::MutexLock lock(&mu_);
    auto c = FindLocked(req.id());
    if (!c.ok()) {
      now = c.status();
    } else {
      auto it = (*c)->procs.find(static_cast<pid_t>(req.pid()));
      if (it == (*c)->procs.end()) {
        now =
            absl::NotFoundError(absl::StrCat("pid ", req.pid(), " was not started in container \"",
                                             req.id(), "\" by Start or Exec"));
      } else if (it->second.exited) {
        control::WaitResponse r;
        r.set_status(it->second.status);
        now = r;
      } else if (it->second.waiters.size() >= opts_.max_waiters) {
        now = absl::ResourceExhaustedError(
            absl::StrCat("too many callers already wait for pid ", req.pid()));
      } else {
        it->second.waiters.push_back(std::move(done));
        return;
      }
    }
  }
  done(std::move(now));
}

absl::StatusOr<control::ListProcessesResponse> ControlServer::ListProcesses(
    const control::ListProcessesRequest& req) {
  {
    absl::MutexLock lock(&mu_);
    if (auto c = FindLocked(req.id()); !c.ok()) return c.status();
  }
  control::ListProcessesResponse resp;
  for (const auto& p : ProcessesOf(req.id())) {
    auto* out = resp.add_processes();
    out->set_pid(p.pid);
    out->set_ppid(p.ppid);
    out->set_uid(p.uid);
    out->set_state(p.state);
    out->set_cmdline(p.cmdline);
  }
  return resp;
}

absl::Status ControlServer::Pause(const control::ContainerRequest& req) {
  return SetFrozen(req.id(), true);
}

absl::Status ControlServer::Resume(const control::ContainerRequest& req) {
  return SetFrozen(req.id(), false);
}

absl::Status ControlServer::SetFrozen(const std::string& id, bool frozen) {
  const control::ContainerState from = frozen ? control::RUNNING : control::PAUSED;
  const control::ContainerState to = frozen ? control::PAUSED : control::RUNNING;
  {
    absl::MutexLock lock(&mu_);
    auto c = FindLocked(id);
    if (!c.ok()) return c.status();
    Container& ct = **c;
    if (ct.info.state() != from) {
      return absl::FailedPreconditionError(absl::StrCat(
          "container \"", id, "\" is ", StateName(ct.info.state()), ", not ", StateName(from)));
    }
    // Its processes stop where they are (a blocked call restarts when
    // thawed); signals still queue, and SIGKILL still kills.
    kernel_->FreezePidNamespace(*ct.pidns, frozen);
    ct.info.set_state(to);
    spdlog::info("[{}] {}", id, frozen ? "paused" : "resumed");
  }
  if (observer_) observer_->StateChanged(id, to);
  return absl::OkStatus();
}

absl::Status ControlServer::Delete(const control::ContainerRequest& req) {
  {
    absl::MutexLock lock(&mu_);
    auto c = FindLocked(req.id());
    if (!c.ok()) return c.status();
    if ((*c)->is_root && order_.size() > 1) {
      return absl::FailedPreconditionError(
          absl::StrCat("container \"", req.id(), "\" is the root container; delete the ",
                       order_.size() - 1, " other container(s) first"));
    }
    // A paused container thaws so that its processes can die.
    if ((*c)->info.state() == control::PAUSED) kernel_->FreezePidNamespace(*(*c)->pidns, false);
  }
  // Its processes go first (as `runsc delete --force`).
  const absl::Time deadline = absl::Now() + absl::Seconds(5);
  while (AliveIn(req.id())) {
    if (absl::Now() > deadline) {
      return absl::UnavailableError(
          absl::StrCat("container \"", req.id(), "\" still has processes after SIGKILL; retry"));
    }
    for (const auto& p : ProcessesOf(req.id())) {
      if (IsLive(p)) (void)kernel::SignalProcess(*kernel_, p.pid, SIGKILL);
    }
    absl::SleepFor(absl::Milliseconds(2));
  }
  absl::MutexLock lock(&mu_);
  auto c = FindLocked(req.id());
  if (!c.ok()) return c.status();
  if ((*c)->attached) {
    // Its mounts are released from the root container's view.
    Container& root = *containers_[order_.front()];
    if (auto s = DetachChildContainer(*root.ns, req.id()); !s.ok()) {
      spdlog::warn("[{}] releasing its mounts in the root container: {}", req.id(),
                   std::string(s.message()));
    }
  }
  for (const auto& [pid, p] : (*c)->procs) owner_.erase(pid);
  containers_.erase(req.id());
  std::erase(order_, req.id());
  spdlog::info("[{}] deleted", req.id());
  return absl::OkStatus();
}

bool ControlServer::AliveIn(const std::string& id) {
  absl::MutexLock lock(&mu_);
  auto it = containers_.find(id);
  if (it == containers_.end()) return false;
  for (const auto& [pid, p] : it->second->procs) {
    if (!p.exited) return true;
  }
  return false;
}

bool ControlServer::AnyAlive() {
  absl::MutexLock lock(&mu_);
  for (const auto& [id, c] : containers_) {
    for (const auto& [pid, p] : c->procs) {
      if (!p.exited) return true;
    }
  }
  return false;
}

void ControlServer::StopAll(absl::Duration grace) {
  std::vector<std::string> ids;
  {
    absl::MutexLock lock(&mu_);
    ids = order_;
  }
  auto signal_all = [&](int sig) {
    for (const auto& id : ids) {
      for (const auto& p : ProcessesOf(id)) {
        if (IsLive(p)) (void)kernel::SignalProcess(*kernel_, p.pid, sig);
      }
    }
  };
  if (grace > absl::ZeroDuration()) {
    signal_all(SIGTERM);
    const absl::Time deadline = absl::Now() + grace;
    while (AnyAlive() && absl::Now() < deadline) absl::SleepFor(absl::Milliseconds(20));
  }
  while (AnyAlive()) {
    signal_all(SIGKILL);
    absl::SleepFor(absl::Milliseconds(20));
  }
}

}  // namespace sb::daemon
