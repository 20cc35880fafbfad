// control_server.h: the daemon core. One kernel, many containers.
//
// Containers are records here: each process the core starts (a container's
// init by Start, others by Exec) is tagged with its container; processes
// they fork belong to the same container (found through the parent chain).
// The kernel has one PID space today, so containers share it; per-container
// namespaces are other issues' work. Every method takes a request message
// of daemon/control/control.proto and returns absl::Status(Or); the D-Bus
// adaptors (dbus/) and the tests call it (STYLE.md R14).
//
// Events (a process exited, a container changed state) go to an Observer,
// called without the core's lock held, from the thread that saw the event.
#pragma once

#include <array>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "daemon/control/control.pb.h"
#include "daemon/oci_spec.h"
#include "kernel/base/unique_fd.h"
#include "kernel/control.h"
#include "kernel/kernel.h"

namespace sb::daemon {

class ControlServer {
 public:
  class Observer {
   public:
    virtual ~Observer() = default;
    virtual void ProcessExited(const std::string& id, pid_t pid, int status) = 0;
    virtual void StateChanged(const std::string& id, control::ContainerState state) = 0;
  };

  struct Options {
    std::string hostname = "sandbox";
    size_t max_containers = 64;
    size_t max_processes = 1024;  // started by the core, per container
    size_t max_waiters = 256;     // pending Wait calls, per process
  };

  using WaitCallback = std::function<void(absl::StatusOr<control::WaitResponse>)>;
  using Stdio = std::array<UniqueFd, 3>;

  static absl::StatusOr<std::unique_ptr<ControlServer>> Create(const Options& opts);
  // Kills every process (SIGKILL) and waits for them.
  ~ControlServer();

  // Set once, before the first call.
  void set_observer(Observer* o) { observer_ = o; }

  absl::StatusOr<control::CreateContainerResponse> CreateContainer(
      const control::CreateContainerRequest& req) ABSL_LOCKS_EXCLUDED(mu_);
  absl::StatusOr<control::ContainerInfo> GetContainer(const control::ContainerRequest& req)
      ABSL_LOCKS_EXCLUDED(mu_);
  control::ListContainersResponse ListContainers() ABSL_LOCKS_EXCLUDED(mu_);
  absl::StatusOr<control::StartResponse> Start(const control::StartRequest& req)
      ABSL_LOCKS_EXCLUDED(mu_);
  // Missing stdio fds are /dev/null.
  absl::StatusOr<control::ExecResponse> Exec(const control::ExecRequest& req, Stdio stdio)
      ABSL_LOCKS_EXCLUDED(mu_);
  absl::Status Signal(const control::SignalRequest& req) ABSL_LOCKS_EXCLUDED(mu_);
  // Calls `done` once `req.pid` has exited (at once if it has), from
  // whichever thread sees it; never blocks.
  void Wait(const control::WaitRequest& req, WaitCallback done) ABSL_LOCKS_EXCLUDED(mu_);
  absl::StatusOr<control::ListProcessesResponse> ListProcesses(
      const control::ListProcessesRequest& req) ABSL_LOCKS_EXCLUDED(mu_);
  absl::Status Pause(const control::ContainerRequest& req) ABSL_LOCKS_EXCLUDED(mu_);
  absl::Status Resume(const control::ContainerRequest& req) ABSL_LOCKS_EXCLUDED(mu_);
  // Kills the container's processes (SIGKILL, thawing it if paused) and
  // removes it, unmounting its tree from the root container's
  // /__runsc_containers__. The root container goes last.
  absl::Status Delete(const control::ContainerRequest& req) ABSL_LOCKS_EXCLUDED(mu_);

  // SIGTERM to every process of every container, SIGKILL to those left
  // after `grace`; returns when all have exited.
  void StopAll(absl::Duration grace) ABSL_LOCKS_EXCLUDED(mu_);

 private:
  struct Tag {};

 public:
  ControlServer(Tag, const Options& opts) : opts_(opts) {}

 private:
  struct Process {
    kernel::ThreadGroupRef tg;
    bool exited = false;
    int status = 0;
    std::vector<WaitCallback> waiters;
  };
  struct Container {
    control::ContainerInfo info;
    OciSpec spec;
    fs::MountNamespaceRef ns;
    kernel::PidNamespaceRef pidns;  // set at Start: the init is PID 1 there
    kernel::UtsNamespaceRef uts;
    kernel::IpcNamespaceRef ipc;
    std::map<pid_t, Process> procs;  // the processes the core started
    bool is_root = false;            // the first container
    bool has_children_dir = false;   // the root's /__runsc_containers__ is mounted
    bool attached = false;           // grafted under the root's /__runsc_containers__
  };

  absl::StatusOr<Container*> FindLocked(const std::string& id) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Starts `spec` in container `c` and a thread waiting for it.
  absl::StatusOr<pid_t> SpawnLocked(Container& c, kernel::ProcessSpec spec)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void WatchExit(std::string id, pid_t pid, kernel::ThreadGroupRef tg) ABSL_LOCKS_EXCLUDED(mu_);
  // Live pids of container `id` (those the core started and their descendants).
  std::vector<kernel::ProcessStatus> ProcessesOf(const std::string& id) ABSL_LOCKS_EXCLUDED(mu_);
  bool AnyAlive() ABSL_LOCKS_EXCLUDED(mu_);
  // Whether a process the core started in container `id` is still alive.
  bool AliveIn(const std::string& id) ABSL_LOCKS_EXCLUDED(mu_);
  // Pause (freeze) or Resume (thaw) a running / paused container.
  absl::Status SetFrozen(const std::string& id, bool frozen) ABSL_LOCKS_EXCLUDED(mu_);

  const Options opts_;
  std::unique_ptr<kernel::Kernel> kernel_;
  Observer* observer_ = nullptr;
  absl::Mutex mu_;
  std::map<std::string, std::unique_ptr<Container>> containers_ ABSL_GUARDED_BY(mu_);
  std::vector<std::string> order_ ABSL_GUARDED_BY(mu_);      // creation order: the root first
  std::map<pid_t, std::string> owner_ ABSL_GUARDED_BY(mu_);  // started pid -> container
  std::vector<std::thread> watchers_ ABSL_GUARDED_BY(mu_);   // joined in the destructor
};

const char* StateName(control::ContainerState s);

}  // namespace sb::daemon
